// The raster stage on Vulkan vs its CPU reference. Tolerances: triangle ids exact at every
// pixel; barycentrics, depth and attributes within 1e-5 (absolute, scaled by max(1, |value|)).
// In practice they agree bit for bit: the same operations in the same order, no FMA.
#include <gtest/gtest.h>

#include <cmath>

#include "stages/raster.h"
#include "support/test_meshes.h"
#include "support/vulkan_environment.h"

namespace meshrt::test {
namespace {

constexpr float TOLERANCE = 1e-5f;
const float IDENTITY[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};

class RasterTest : public VulkanTest {
 protected:
  void SetUp() override {
    VulkanTest::SetUp();
    auto created = RasterStage::create(context(), *allocator);
    ASSERT_TRUE(created.ok()) << created.error().message;
    stage = std::move(created.value());
  }
  void TearDown() override {
    stage.reset();
    VulkanTest::TearDown();
  }

  RasterImage runGpu(const RasterMesh& mesh, std::span<const gpu::RasterView> views, const RasterConfig& config) {
    auto ran = stage->run(*stream, mesh, views, config);
    EXPECT_TRUE(ran.ok()) << ran.error().message;
    auto image = stage->download(*stream);
    EXPECT_TRUE(image.ok());
    return image.ok() ? std::move(image.value()) : RasterImage{};
  }

  // Compares GPU and reference images; returns the largest scaled float difference.
  float compare(const RasterImage& gpu, const RasterImage& reference, const char* what) {
    EXPECT_EQ(gpu.triangleIds.size(), reference.triangleIds.size()) << what;
    size_t idMismatches = 0;
    for (size_t i = 0; i < std::min(gpu.triangleIds.size(), reference.triangleIds.size()); ++i) {
      if (gpu.triangleIds[i] != reference.triangleIds[i]) {
        if (idMismatches++ < 5) {
          ADD_FAILURE() << what << ": pixel " << i << " id " << gpu.triangleIds[i] << " vs reference " << reference.triangleIds[i];
        }
      }
    }
    EXPECT_EQ(idMismatches, 0u) << what;
    float worst = 0;
    auto check = [&](const std::vector<float>& a, const std::vector<float>& b) {
      EXPECT_EQ(a.size(), b.size());
      for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
        const float diff = std::fabs(a[i] - b[i]) / std::fmax(1.0f, std::fabs(b[i]));
        worst = std::isnan(diff) ? INFINITY : std::fmax(worst, diff);
      }
    };
    check(gpu.surface, reference.surface);
    check(gpu.attributes, reference.attributes);
    size_t covered = 0;
    for (uint32_t id : reference.triangleIds) covered += id != RASTER_NO_TRIANGLE;
    std::printf("  %-44s %zu/%zu px covered, max scaled diff %.3g\n", what, covered, reference.triangleIds.size(), worst);
    return worst;
  }

  std::unique_ptr<RasterStage> stage;
};

std::vector<gpu::RasterView> randomViews(std::mt19937& random, int count, bool weak, uint32_t W, uint32_t H) {
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::vector<gpu::RasterView> views;
  for (int i = 0; i < count; ++i) {
    const auto rotation = rotationFromAxisAngle(0.3f * unit(random), 0.3f * unit(random), 0.5f * unit(random));
    if (weak) {
      views.push_back(weakPerspectiveView(rotation.data(), 0.4f + 0.2f * unit(random), 0.2f * unit(random), 0.2f * unit(random)));
    } else {
      const float translation[3] = {0.1f * unit(random), 0.1f * unit(random), 0.5f * unit(random)};
      views.push_back(perspectiveView(rotation.data(), translation, 0.9f * W, 0.9f * W, 0.5f * W + 3 * unit(random),
                                      0.5f * H + 3 * unit(random), 0.05f));
    }
  }
  return views;
}

TEST_F(RasterTest, RandomTriangleSoupsMatchReference) {
  struct Case { uint32_t width, height, triangles, seed; bool weak, cull; };
  const Case cases[] = {{97, 61, 400, 1, false, false}, {33, 200, 300, 2, true, false},
                        {256, 256, 2000, 3, false, true}, {131, 129, 800, 4, true, true}};
  for (const Case& c : cases) {
    const TestMesh soup = makeTriangleSoup(c.triangles, c.seed, 7);
    std::mt19937 random(c.seed);
    const auto views = randomViews(random, 3, c.weak, c.width, c.height);
    const RasterConfig config{c.width, c.height, c.cull};
    auto reference = rasterReference(soup.view(), views, config);
    ASSERT_TRUE(reference.ok()) << reference.error().message;
    const RasterImage gpu = runGpu(soup.view(), views, config);
    char what[96];
    std::snprintf(what, sizeof(what), "soup %ux%u, %u tris, %s%s", c.width, c.height, c.triangles,
                  c.weak ? "weak" : "perspective", c.cull ? ", culled" : "");
    EXPECT_LE(compare(gpu, *reference, what), TOLERANCE);
  }
}

TEST_F(RasterTest, EveryRowsPerInvocationSettingMatchesReference) {
  // GPUs run 1 row per invocation, lavapipe 16: test both (and one between) here.
  const TestMesh soup = makeTriangleSoup(600, 21, 2);
  std::mt19937 random(21);
  const auto views = randomViews(random, 2, false, 70, 50);
  const RasterConfig config{70, 50, false};
  auto reference = rasterReference(soup.view(), views, config);
  ASSERT_TRUE(reference.ok());
  for (uint32_t rows : {1u, 4u, 16u}) {
    auto created = RasterStage::create(context(), *allocator, {rows});
    ASSERT_TRUE(created.ok()) << created.error().message;
    stage = std::move(created.value());
    const RasterImage gpu = runGpu(soup.view(), views, config);
    char what[64];
    std::snprintf(what, sizeof(what), "soup 70x50, %u rows per invocation", rows);
    EXPECT_LE(compare(gpu, *reference, what), TOLERANCE);
  }
  EXPECT_FALSE(RasterStage::create(context(), *allocator, {3}).ok());
}

TEST_F(RasterTest, IcosphereAtRandomPosesMatchesReferenceAndIsWatertight) {
  const TestMesh sphere = makeIcosphere(3);
  std::mt19937 random(9);
  std::vector<gpu::RasterView> views;
  for (int i = 0; i < 100; ++i) {
    const auto rotation = randomRotation(random);
    const float translation[3] = {0.0f, 0.0f, 3.0f};
    views.push_back(perspectiveView(rotation.data(), translation, 60, 60, 31.5f, 24.5f));
  }
  const RasterConfig config{63, 49, true};
  const RasterImage gpu = runGpu(sphere.view(), views, config);
  auto reference = rasterReference(sphere.view(), views, config);
  ASSERT_TRUE(reference.ok());
  EXPECT_LE(compare(gpu, *reference, "icosphere, 100 poses, back faces culled"), TOLERANCE);
  // Inside the silhouette (a disc for a sphere at this distance) every pixel is covered.
  for (uint32_t b = 0; b < views.size(); ++b) {
    for (uint32_t y = 0; y < 49; ++y) {
      for (uint32_t x = 0; x < 63; ++x) {
        const float dx = x + 0.5f - 31.5f, dy = y + 0.5f - 24.5f;
        if (dx * dx + dy * dy < 17.0f * 17.0f) {  // radius ~ 60 * 1/sqrt(9 - 1) = 21.2 px, minus faceting
          ASSERT_NE(gpu.triangleIds[(size_t{b} * 49 + y) * 63 + x], RASTER_NO_TRIANGLE) << "hole, view " << b;
        }
      }
    }
  }
}

TEST_F(RasterTest, FullScreenQuadCoversEveryPixelOnce) {
  const TestMesh quad = makeGrid(1);  // [-1, 1]^2: with weak perspective s = 1 it fills the target exactly
  const gpu::RasterView view = weakPerspectiveView(IDENTITY, 1.0f, 0.0f, 0.0f);
  const RasterImage gpu = runGpu(quad.view(), std::span(&view, 1), {77, 45, true});
  for (size_t i = 0; i < gpu.triangleIds.size(); ++i) ASSERT_NE(gpu.triangleIds[i], RASTER_NO_TRIANGLE) << i;
  auto reference = rasterReference(quad.view(), std::span(&view, 1), {77, 45, true});
  EXPECT_LE(compare(gpu, *reference, "full-screen quad 77x45"), TOLERANCE);
}

TEST_F(RasterTest, BatchOf144EqualsSingleViews) {
  const TestMesh sphere = makeIcosphere(3);
  std::mt19937 random(144);
  std::vector<gpu::RasterView> views;
  for (int i = 0; i < 144; ++i) {
    const auto rotation = randomRotation(random);
    const float translation[3] = {0.0f, 0.0f, 3.0f};
    views.push_back(perspectiveView(rotation.data(), translation, 40, 40, 20, 20));
  }
  const RasterConfig config{40, 40, true};
  const RasterImage batch = runGpu(sphere.view(), views, config);
  const size_t pixels = 40 * 40;
  for (size_t b = 0; b < views.size(); ++b) {
    const RasterImage single = runGpu(sphere.view(), std::span(&views[b], 1), config);
    ASSERT_TRUE(std::equal(single.triangleIds.begin(), single.triangleIds.end(), batch.triangleIds.begin() + b * pixels))
        << "view " << b;
    ASSERT_TRUE(std::equal(single.surface.begin(), single.surface.end(), batch.surface.begin() + b * pixels * 4))
        << "view " << b;
    ASSERT_TRUE(std::equal(single.attributes.begin(), single.attributes.end(),
                           batch.attributes.begin() + b * pixels * batch.attributeStride))
        << "view " << b;
  }
}

TEST_F(RasterTest, BatchBeyondBindingLimitsIsChunkedAndStillExact) {
  // 144 views at 256x256 need a 151 MB surface buffer: more than lavapipe's 128 MiB binding limit.
  const TestMesh sphere = makeIcosphere(3);
  std::mt19937 random(145);
  std::vector<gpu::RasterView> views;
  for (int i = 0; i < 144; ++i) {
    const auto rotation = randomRotation(random);
    const float translation[3] = {0.0f, 0.0f, 3.0f};
    views.push_back(perspectiveView(rotation.data(), translation, 300, 300, 128, 128));
  }
  const RasterConfig config{256, 256, true};
  const RasterImage batch = runGpu(sphere.view(), views, config);
  std::printf("  144 views at 256x256: %u chunks (maxStorageBufferRange %llu MiB)\n", stage->chunksInLastRun(),
              static_cast<unsigned long long>(context().info().maxStorageBufferRange >> 20));
  if (context().info().maxStorageBufferRange < 151'000'000ull) {
    EXPECT_GT(stage->chunksInLastRun(), 1u);
  }
  const size_t pixels = 256 * 256;
  for (size_t b : {size_t{0}, size_t{70}, size_t{71}, size_t{72}, size_t{143}}) {
    auto reference = rasterReference(sphere.view(), std::span(&views[b], 1), config);
    ASSERT_TRUE(reference.ok());
    RasterImage slice;
    slice.triangleIds.assign(batch.triangleIds.begin() + b * pixels, batch.triangleIds.begin() + (b + 1) * pixels);
    slice.surface.assign(batch.surface.begin() + b * pixels * 4, batch.surface.begin() + (b + 1) * pixels * 4);
    slice.attributes.assign(batch.attributes.begin() + b * pixels * batch.attributeStride,
                            batch.attributes.begin() + (b + 1) * pixels * batch.attributeStride);
    char what[64];
    std::snprintf(what, sizeof(what), "chunked batch, view %zu", b);
    EXPECT_LE(compare(slice, *reference, what), TOLERANCE);
  }
}

TEST_F(RasterTest, HugeAndTinyTrianglesAreDeterministic) {
  // One triangle over the whole target plus 200k tiny ones: both ends of the work distribution.
  TestMesh mesh = makeGrid(316);  // 2 * 316^2 = 199,712 tiny triangles
  const uint32_t base = static_cast<uint32_t>(mesh.positions.size() / 3);
  mesh.positions.insert(mesh.positions.end(), {-4, -4, 0.5f, -4, 8, 0.5f, 8, -4, 0.5f});  // behind the grid? no: z +0.5
  mesh.uvs.insert(mesh.uvs.end(), 6, 0.0f);
  mesh.normals.insert(mesh.normals.end(), 9, 0.0f);
  mesh.triangles.insert(mesh.triangles.end(), {base, base + 1, base + 2});
  const float translation[3] = {0.0f, 0.0f, 2.0f};
  const gpu::RasterView view = perspectiveView(IDENTITY, translation, 100, 100, 64, 64);
  const RasterConfig config{128, 128, false};
  const RasterImage first = runGpu(mesh.view(), std::span(&view, 1), config);
  const RasterImage second = runGpu(mesh.view(), std::span(&view, 1), config);
  EXPECT_EQ(first.triangleIds, second.triangleIds);
  EXPECT_EQ(first.surface, second.surface);
  auto reference = rasterReference(mesh.view(), std::span(&view, 1), config);
  ASSERT_TRUE(reference.ok());
  EXPECT_LE(compare(first, *reference, "200k tiny + 1 huge, 128x128"), TOLERANCE);
  std::printf("  tile-list entries: %u (list grew %u times)\n", stage->listEntries(), stage->listGrowths());
}

TEST_F(RasterTest, KnownPointLandsOnItsPixelWithItsDepth) {
  // Camera-frame point (0.11, -0.19167, 2) projects to (100*0.055 + 64, 120*-0.095833 + 48)
  // = (69.5, 36.5): the centre of pixel (69, 36). A small triangle around it, at z = 2.
  const float positions[9] = {0.09f, -0.21f, 2.0f, 0.09f, -0.17f, 2.0f, 0.13f, -0.19f, 2.0f};
  const float origin[3] = {0, 0, 0};
  const gpu::RasterView view = perspectiveView(IDENTITY, origin, 100, 120, 64, 48);
  const uint32_t triangle[3] = {0, 1, 2};
  const RasterMesh mesh{positions, triangle, {}, {}, {}, 0};
  const RasterImage gpu = runGpu(mesh, std::span(&view, 1), {128, 96, false});
  const size_t pixel = size_t{36} * 128 + 69;
  EXPECT_EQ(gpu.triangleIds[pixel], 0u);
  EXPECT_NEAR(gpu.surface[pixel * 4 + 2], 2.0f, TOLERANCE);
  EXPECT_EQ(gpu.triangleIds[size_t{36} * 128 + 72], RASTER_NO_TRIANGLE) << "(72.5, 36.5) is outside";
}

TEST_F(RasterTest, BadInputIsAnErrorNotAHang) {
  const TestMesh sphere = makeIcosphere(1);
  const gpu::RasterView view = weakPerspectiveView(IDENTITY, 0.8f, 0, 0);
  std::vector<uint32_t> badIndices = sphere.triangles;
  badIndices[0] = 100000;
  RasterMesh mesh = sphere.view();
  mesh.triangles = badIndices;
  auto ran = stage->run(*stream, mesh, std::span(&view, 1), {32, 32, false});
  ASSERT_FALSE(ran.ok());
  EXPECT_NE(ran.error().message.find("triangles[0]"), std::string::npos);
  std::vector<float> nanPositions = sphere.positions;
  nanPositions[0] = NAN;
  mesh = sphere.view();
  mesh.positions = nanPositions;
  EXPECT_FALSE(stage->run(*stream, mesh, std::span(&view, 1), {32, 32, false}).ok());
  EXPECT_FALSE(stage->run(*stream, sphere.view(), std::span(&view, 1), {0, 0, false}).ok());
  EXPECT_FALSE(stage->run(*stream, sphere.view(), {}, {32, 32, false}).ok());
  EXPECT_FALSE(stage->download(*stream).ok()) << "nothing ran successfully";
}

}  // namespace
}  // namespace meshrt::test
