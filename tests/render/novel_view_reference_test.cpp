// render/orbit_camera.h and render/novel_view.h on the CPU references: the orbit pose's
// geometry, and a textured cube (support/textured_cube.h) rendered from known orbit poses gives
// each face's colour times the headlight shade at pixels chosen by projecting face centres
// (tolerance 1 level: rounding), the background off the cube, and in the correspondence map the
// face centre's UV. The Vulkan path is compared with this one in novel_view_test.cpp.
#include <gtest/gtest.h>

#include <cmath>

#include "render/novel_view.h"
#include "render/novel_view_support.h"
#include "support/textured_cube.h"

namespace meshrt::test {
namespace {

constexpr float PI = 3.14159265358979f;

std::array<float, 3> apply(const OrbitPose& pose, const std::array<float, 3>& x) {
  std::array<float, 3> out{};
  for (int row = 0; row < 3; ++row) {
    out[row] = pose.rotation[3 * row] * x[0] + pose.rotation[3 * row + 1] * x[1] + pose.rotation[3 * row + 2] * x[2] +
               pose.translation[row];
  }
  return out;
}

TEST(OrbitCamera, LooksAtTheCentreFromTheOrbitWithYUp) {
  const std::array<float, 3> center = {0.5f, -1.0f, 2.0f};
  OrbitCamera camera;
  camera.distance = 4.0f;
  for (float yaw : {0.0f, 90.0f, -135.0f}) {
    for (float pitch : {0.0f, 30.0f, -60.0f}) {
      camera.yawDegrees = yaw;
      camera.pitchDegrees = pitch;
      const OrbitPose pose = orbitPose(camera, center, 0.5f, 200, 100);
      // The centre is straight ahead at distance × radius.
      const auto c = apply(pose, center);
      EXPECT_NEAR(c[0], 0.0f, 1e-5f);
      EXPECT_NEAR(c[1], 0.0f, 1e-5f);
      EXPECT_NEAR(c[2], 2.0f, 1e-5f);
      // R is a rotation: orthonormal rows, det +1 (x × y = z).
      const float* r = pose.rotation.data();
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) {
          const float dot = r[3 * i] * r[3 * j] + r[3 * i + 1] * r[3 * j + 1] + r[3 * i + 2] * r[3 * j + 2];
          EXPECT_NEAR(dot, i == j ? 1.0f : 0.0f, 1e-6f);
        }
      }
      EXPECT_NEAR(r[1] * r[5] - r[2] * r[4], r[6], 1e-6f);
      // The object's +y points up on screen (camera −y), for any pitch below the pole.
      EXPECT_LT(r[4], 0.0f) << "yaw " << yaw << " pitch " << pitch;
      // The eye's direction from the centre round-trips through orbitAnglesToward.
      const std::array<float, 3> toEye = {-r[6], -r[7], -r[8]};
      float yawBack = 0, pitchBack = 0;
      orbitAnglesToward(toEye, yawBack, pitchBack);
      EXPECT_NEAR(pitchBack, pitch, 1e-3f);
      EXPECT_NEAR(std::remainder(yawBack - yaw, 360.0f), 0.0f, 1e-3f);
    }
  }
  camera.yawDegrees = 0;
  camera.pitchDegrees = 0;
  const OrbitPose pose = orbitPose(camera, center, 0.5f, 200, 100);
  EXPECT_FLOAT_EQ(pose.cx, 100.0f);
  EXPECT_FLOAT_EQ(pose.cy, 50.0f);
  EXPECT_NEAR(pose.fy, 50.0f / std::tan(20.0f * PI / 180.0f), 1e-3f);
  // yaw 0: the eye on +z, so object +x is screen right.
  EXPECT_NEAR(pose.rotation[0], 1.0f, 1e-6f);
}

class NovelViewReferenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto renderer = NovelViewRenderer::create(nullptr);
    ASSERT_TRUE(renderer.ok()) << renderer.error().message;
    mRenderer = std::move(*renderer);
    ASSERT_FALSE(mRenderer->usesVulkan());
  }
  NovelView render(float yaw, float pitch, NovelViewMode mode) {
    NovelViewParams params;
    params.camera.yawDegrees = yaw;
    params.camera.pitchDegrees = pitch;
    params.mode = mode;
    auto view = mRenderer->render(mCube, mAtlas, params);
    EXPECT_TRUE(view.ok()) << view.error().message;
    return view.ok() ? std::move(*view) : NovelView{};
  }
  // The face colour times the headlight shade for a face whose normal makes `angle` with the view.
  static std::array<float, 3> shaded(CubeFace face, float angleDegrees) {
    const float shade = 0.35f + 0.65f * std::cos(angleDegrees * PI / 180.0f);
    const auto& rgb = CUBE_FACE_RGB[face];
    return {rgb[0] * shade, rgb[1] * shade, rgb[2] * shade};
  }
  std::unique_ptr<NovelViewRenderer> mRenderer;
  TexturedMesh mCube = makeTexturedCube();
  Image mAtlas = makeCubeAtlas();
};

TEST_F(NovelViewReferenceTest, CubeFacesShowTheirColoursShadedByTheNormals) {
  struct Case {
    float yaw, pitch;
    CubeFace face;             // the face whose centre is checked
    std::array<float, 3> centre;  // that face's centre, object frame
    float angle;               // between its normal and the direction to the eye, degrees
  };
  const Case cases[] = {
      {0, 0, CUBE_PLUS_Z, {0, 0, 1}, 0},       {90, 0, CUBE_PLUS_X, {1, 0, 0}, 0},
      {180, 0, CUBE_MINUS_Z, {0, 0, -1}, 0},   {-90, 0, CUBE_MINUS_X, {-1, 0, 0}, 0},
      {0, 30, CUBE_PLUS_Z, {0, 0, 1}, 30},     {0, 30, CUBE_PLUS_Y, {0, 1, 0}, 60},
      {0, -50, CUBE_MINUS_Y, {0, -1, 0}, 40},  {45, 0, CUBE_PLUS_X, {1, 0, 0}, 45},
  };
  for (const Case& c : cases) {
    const NovelView view = render(c.yaw, c.pitch, NovelViewMode::Textured);
    ASSERT_EQ(view.image.width, 256u);
    EXPECT_GT(view.coveredPixels, 1000u);
    const auto pixel = projectToPixel(view.pose, c.centre);
    const uint8_t* got = view.image.at(pixel[0], pixel[1]);
    EXPECT_LE(pixelDifference(view.image, pixel, shaded(c.face, c.angle)), 1)
        << "yaw " << c.yaw << " pitch " << c.pitch << " face " << c.face << " at (" << pixel[0] << ", " << pixel[1]
        << "): " << int(got[0]) << " " << int(got[1]) << " " << int(got[2]);
    // The corner is off the cube: the background.
    EXPECT_EQ(pixelDifference(view.image, {0, 0}, {30, 30, 36}), 0);
  }
}

TEST_F(NovelViewReferenceTest, CorrespondenceMapShowsTheUv) {
  for (auto [yaw, face] : {std::pair{0.0f, CUBE_PLUS_Z}, std::pair{90.0f, CUBE_PLUS_X}, std::pair{180.0f, CUBE_MINUS_Z}}) {
    const NovelView view = render(yaw, 0, NovelViewMode::Correspondence);
    const auto uv = cubeFaceCenterUv(face);
    const auto pixel = projectToPixel(view.pose, {0, 0, 0});  // the image centre: the face's centre
    EXPECT_LE(pixelDifference(view.image, pixel, {255.0f * uv[0], 255.0f * uv[1], 0.0f}), 1) << "yaw " << yaw;
    EXPECT_EQ(pixelDifference(view.image, {255, 255}, {30, 30, 36}), 0);
  }
}

TEST_F(NovelViewReferenceTest, BadInputIsAnError) {
  NovelViewParams params;
  auto empty = mRenderer->render(TexturedMesh{}, mAtlas, params);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message, "novel view: mesh is empty or has no UVs");
  auto noTexture = mRenderer->render(mCube, Image{}, params);
  ASSERT_FALSE(noTexture.ok());
  EXPECT_EQ(noTexture.error().message, "novel view: texture must be RGB8 and not empty");
  params.width = 0;
  auto zero = mRenderer->render(mCube, mAtlas, params);
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message.find("target size"), std::string::npos);
  // The correspondence map needs no texture.
  params.width = 64;
  params.mode = NovelViewMode::Correspondence;
  EXPECT_TRUE(mRenderer->render(mCube, Image{}, params).ok());
}

}  // namespace
}  // namespace meshrt::test
