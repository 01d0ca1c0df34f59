// The raster rules themselves, on the CPU reference: hand-computed projections for both
// camera models, the depth-order plane against the interpolated depth, and watertightness of the fill rule (a closed icosphere and a split quad at
// 100 random poses each: no pixel covered twice, no hole inside the silhouette).
#include <gtest/gtest.h>

#include <cmath>

#include "core/raster_math.h"
#include "support/test_meshes.h"

namespace meshrt::test {
namespace {

const float IDENTITY[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};

TEST(RasterRules, PerspectiveProjectionOfKnownPoints) {
  // R = 90 degrees about z (x -> y), t = (0.1, 0, 2): X = (0.2, -0.1, 0.5) -> camera
  // (0.1 + 0.1, 0.2, 2.5) = (0.2, 0.2, 2.5) -> pixel (100*0.08 + 64, 120*0.08 + 48) = (72, 57.6).
  const float rotation[9] = {0, -1, 0, 1, 0, 0, 0, 0, 1};
  const float translation[3] = {0.1f, 0.0f, 2.0f};
  const gpu::RasterView view = perspectiveView(rotation, translation, 100, 120, 64, 48);
  const float positions[9] = {0.2f, -0.1f, 0.5f, 0.3f, -0.1f, 0.5f, 0.2f, 0.0f, 0.5f};
  const gpu::RasterTriangle tri = rasterSetupTriangle(view, positions, 0, 1, 2, 128, 96, 0);
  ASSERT_TRUE(tri.flags & RASTER_TRI_VALID);
  // Vertex 0 is not affected by the orientation swap (only 1 and 2 are).
  EXPECT_EQ(tri.x[0], int(std::lround(72.0 * 256)));
  EXPECT_EQ(tri.y[0], int(std::lround(57.6 * 256)));
  EXPECT_NEAR(1.0f / tri.invW[0], 2.5f, 1e-6f);
}

TEST(RasterRules, WeakPerspectiveProjectionOfKnownPoints) {
  // s = 0.5, t = (0.1, -0.2): X = (0.4, 0.2, 0.7) -> ndc (0.3, -0.1) -> pixel on 200 x 100:
  // ((0.3 + 1) * 100, (-0.1 + 1) * 50) = (130, 45); depth (R X)_z = 0.7.
  const gpu::RasterView view = weakPerspectiveView(IDENTITY, 0.5f, 0.1f, -0.2f);
  const float positions[9] = {0.4f, 0.2f, 0.7f, 0.6f, 0.2f, 0.7f, 0.4f, 0.5f, 0.7f};
  const gpu::RasterTriangle tri = rasterSetupTriangle(view, positions, 0, 1, 2, 200, 100, 0);
  ASSERT_TRUE(tri.flags & RASTER_TRI_VALID);
  EXPECT_EQ(tri.x[0], 130 * 256);
  EXPECT_EQ(tri.y[0], 45 * 256);
  EXPECT_FLOAT_EQ(tri.depthOverW[0], 0.7f);
}

TEST(RasterRules, PixelDepthAndBarycentricsOfAPlaneFacingTheCamera) {
  // A big triangle at z = 2 parallel to the image: every covered pixel has depth 2, and the
  // barycentrics reproduce the pixel centre's position.
  const gpu::RasterView view = perspectiveView(IDENTITY, std::array<float, 3>{0, 0, 0}.data(), 50, 50, 32, 32);
  const float positions[9] = {-1, -1, 2, -1, 1, 2, 1, -1, 2};
  const uint32_t triangle[3] = {0, 1, 2};
  const RasterMesh mesh{positions, triangle, {}, {}, {}, 0};
  auto image = rasterReference(mesh, std::span(&view, 1), {64, 64, false});
  ASSERT_TRUE(image.ok()) << image.error().message;
  int covered = 0;
  for (uint32_t y = 0; y < 64; ++y) {
    for (uint32_t x = 0; x < 64; ++x) {
      const size_t pixel = size_t{y} * 64 + x;
      if (image->triangleIds[pixel] != 0) continue;
      ++covered;
      const float* s = &image->surface[pixel * 4];
      EXPECT_NEAR(s[2], 2.0f, 1e-5f);
      // Pixel centre -> point on the plane; vertex 1 is (-1, 1), vertex 2 is (1, -1).
      const float X = (x + 0.5f - 32) / 50 * 2, Y = (y + 0.5f - 32) / 50 * 2;
      EXPECT_NEAR(-1 + 2 * s[1], X, 1e-4f);  // X = -1*(b0+b1) + 1*b2 = -1 + 2*b2 ... with b2 = s[1]
      EXPECT_NEAR(-1 + 2 * s[0], Y, 1e-4f);
    }
  }
  EXPECT_GT(covered, 1000);
}

// The visibility key's depth-order plane interpolates -1/z (perspective) or (R X)_z (weak) linearly
// in screen space, which is exact for both: at every covered pixel it must agree with the
// perspective-correct depth that rasterInterpolate() reports, up to float rounding.
TEST(RasterRules, DepthOrderPlaneAgreesWithInterpolatedDepth) {
  const auto rotation = rotationFromAxisAngle(0.7f, -0.4f, 0.2f);  // a slanted triangle
  const float translation[3] = {0.1f, -0.05f, 3.0f};
  const float positions[9] = {-1.2f, -0.9f, 0.4f, 1.1f, -0.7f, -0.6f, 0.2f, 1.3f, 0.9f};
  const gpu::RasterView views[2] = {perspectiveView(rotation.data(), translation, 90, 90, 48, 40),
                                    weakPerspectiveView(rotation.data(), 0.4f, 0.05f, -0.1f)};
  for (const gpu::RasterView& view : views) {
    const bool perspective = view.model == RASTER_CAMERA_PERSPECTIVE;
    const gpu::RasterTriangle tri = rasterSetupTriangle(view, positions, 0, 1, 2, 96, 80, 0);
    ASSERT_TRUE(tri.flags & RASTER_TRI_VALID);
    int covered = 0;
    for (uint32_t y = 0; y < 80; ++y) {
      for (uint32_t x = 0; x < 96; ++x) {
        int64_t e[3];
        if (!rasterCovers(tri, x, y, e)) continue;
        ++covered;
        float bary[3];
        const float depth = rasterInterpolate(tri, e, bary);
        const float expected = perspective ? -1.0f / depth : depth;
        EXPECT_NEAR(rasterKeyDepth(tri, x, y), expected, 1e-5f * std::fmax(1.0f, std::fabs(expected)))
            << (perspective ? "perspective" : "weak") << " pixel " << x << ", " << y;
      }
    }
    EXPECT_GT(covered, 300) << (perspective ? "perspective" : "weak");
  }
}

// Counts, per pixel, how many triangles of `mesh` cover its centre under the rules, split into
// front-facing and back-facing ones.
void coverageCounts(const TestMesh& mesh, const gpu::RasterView& view, uint32_t W, uint32_t H,
                    std::vector<int>& front, std::vector<int>& back) {
  front.assign(size_t{W} * H, 0);
  back.assign(size_t{W} * H, 0);
  for (uint32_t t = 0; t < mesh.triangleCount(); ++t) {
    const gpu::RasterTriangle tri = rasterSetupTriangle(view, mesh.positions.data(), mesh.triangles[3 * t],
                                                        mesh.triangles[3 * t + 1], mesh.triangles[3 * t + 2], W, H, 0);
    if (!(tri.flags & RASTER_TRI_VALID)) continue;
    const bool isFront = (tri.flags & RASTER_TRI_FLIPPED) != 0;  // negative area = counter-clockwise on screen
    for (uint32_t y = 0; y < H; ++y) {
      for (uint32_t x = 0; x < W; ++x) {
        int64_t e[3];
        if (rasterCovers(tri, x, y, e)) ++(isFront ? front : back)[size_t{y} * W + x];
      }
    }
  }
}

TEST(RasterRules, IcosphereIsWatertightAt100Poses) {
  const TestMesh sphere = makeIcosphere(3);
  ASSERT_EQ(sphere.positions.size() / 3, 642u);
  ASSERT_EQ(sphere.triangleCount(), 1280u);
  // Counter-clockwise from outside: (v1 - v0) x (v2 - v0) points away from the centre.
  for (uint32_t t = 0; t < sphere.triangleCount(); ++t) {
    const float* a = &sphere.positions[3 * sphere.triangles[3 * t]];
    const float* b = &sphere.positions[3 * sphere.triangles[3 * t + 1]];
    const float* c = &sphere.positions[3 * sphere.triangles[3 * t + 2]];
    const float u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]}, v[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
    const float n[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
    ASSERT_GT(n[0] * a[0] + n[1] * a[1] + n[2] * a[2], 0.0f) << "triangle " << t;
  }
  std::mt19937 random(77);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  const uint32_t W = 61, H = 47;
  std::vector<int> front, back;
  for (int pose = 0; pose < 100; ++pose) {
    const auto rotation = randomRotation(random);
    const float translation[3] = {0.3f * unit(random), 0.3f * unit(random), 3.0f + unit(random)};
    const gpu::RasterView view = perspectiveView(rotation.data(), translation, 40, 40, 30.5f, 23.5f);
    coverageCounts(sphere, view, W, H, front, back);
    int inside = 0;
    for (size_t i = 0; i < front.size(); ++i) {
      ASSERT_LE(front[i], 1) << "pose " << pose << ": pixel " << i << " covered twice by front faces";
      // A closed surface: wherever a back face covers a pixel, the silhouette does too.
      if (back[i] > 0) {
        ASSERT_EQ(front[i], 1) << "pose " << pose << ": hole at pixel " << i;
        ++inside;
      }
    }
    ASSERT_GT(inside, 100) << "pose " << pose;
  }
}

TEST(RasterRules, SplitQuadIsWatertightAt100Poses) {
  // Two triangles sharing the diagonal; the quad is larger than the target at most poses.
  TestMesh quad = makeGrid(1);
  for (float& p : quad.positions) p *= 3.0f;
  std::mt19937 random(78);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  const uint32_t W = 53, H = 37;
  std::vector<int> front, back;
  for (int pose = 0; pose < 100; ++pose) {
    const auto rotation = rotationFromAxisAngle(0.4f * unit(random), 0.4f * unit(random), 3.14159f * unit(random));
    const float translation[3] = {0.2f * unit(random), 0.2f * unit(random), 2.0f + 0.5f * unit(random)};
    const gpu::RasterView view = perspectiveView(rotation.data(), translation, 30, 30, 26.5f, 18.5f);
    coverageCounts(quad, view, W, H, front, back);
    for (size_t i = 0; i < front.size(); ++i) {
      ASSERT_LE(front[i] + back[i], 1) << "pose " << pose << ": pixel " << i << " covered twice";
    }
    // No hole: every pixel whose centre lies strictly inside the projected quad is covered.
    // Corners in float; margin 1e-3 px keeps exact-edge cases to the fill rule.
    float corner[4][2];
    const int order[4] = {0, 1, 3, 2};  // grid vertices 0 (0,0), 1 (1,0), 3 (1,1), 2 (0,1) around the quad
    for (int k = 0; k < 4; ++k) {
      const float* X = &quad.positions[3 * order[k]];
      const float cx = rotation[0] * X[0] + rotation[1] * X[1] + rotation[2] * X[2] + translation[0];
      const float cy = rotation[3] * X[0] + rotation[4] * X[1] + rotation[5] * X[2] + translation[1];
      const float cz = rotation[6] * X[0] + rotation[7] * X[1] + rotation[8] * X[2] + translation[2];
      corner[k][0] = 30 * cx / cz + 26.5f;
      corner[k][1] = 30 * cy / cz + 18.5f;
    }
    for (uint32_t y = 0; y < H; ++y) {
      for (uint32_t x = 0; x < W; ++x) {
        bool positive = true, negative = true;
        for (int k = 0; k < 4; ++k) {
          const float* a = corner[k];
          const float* b = corner[(k + 1) % 4];
          const float side = (b[0] - a[0]) * (y + 0.5f - a[1]) - (b[1] - a[1]) * (x + 0.5f - a[0]);
          const float length = std::hypot(b[0] - a[0], b[1] - a[1]);
          positive = positive && side > 1e-3f * length;
          negative = negative && side < -1e-3f * length;
        }
        if (positive || negative) {
          ASSERT_EQ(front[size_t{y} * W + x] + back[size_t{y} * W + x], 1) << "pose " << pose << ": hole at " << x << "," << y;
        }
      }
    }
  }
}

TEST(RasterRules, InvalidInputsNameTheField) {
  const TestMesh sphere = makeIcosphere(1);
  const gpu::RasterView view = weakPerspectiveView(IDENTITY, 0.8f, 0, 0);
  RasterConfig config{32, 32, false};
  auto error = [&](const RasterMesh& mesh, std::span<const gpu::RasterView> views, const RasterConfig& c) {
    auto result = validateRasterInputs(mesh, views, c);
    return result.ok() ? std::string("ok") : result.error().message;
  };
  EXPECT_EQ(error(sphere.view(), std::span(&view, 1), config), "ok");
  std::vector<uint32_t> badIndices = sphere.triangles;
  badIndices[7] = 5000;
  RasterMesh mesh = sphere.view();
  mesh.triangles = badIndices;
  EXPECT_EQ(error(mesh, std::span(&view, 1), config), "raster: triangles[2]: vertex index 5000 >= vertex count 42");
  std::vector<float> badPositions = sphere.positions;
  badPositions[4] = NAN;
  mesh = sphere.view();
  mesh.positions = badPositions;
  EXPECT_EQ(error(mesh, std::span(&view, 1), config), "raster: positions[1]: not finite");
  EXPECT_EQ(error(sphere.view(), {}, config), "raster: views: batch is empty (B = 0)");
  EXPECT_EQ(error(sphere.view(), std::span(&view, 1), {0, 32, false}), "raster: config.width/height: target size must be > 0");
  gpu::RasterView badView = perspectiveView(IDENTITY, std::array<float, 3>{0, 0, 2}.data(), 10, 10, 5, 5, 0.0f);
  EXPECT_NE(error(sphere.view(), std::span(&badView, 1), config).find("nearZ"), std::string::npos);
}

}  // namespace
}  // namespace meshrt::test
