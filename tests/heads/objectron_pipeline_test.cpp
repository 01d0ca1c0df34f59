// The objectron pipeline (heads/object_pipeline.h) on real photos (tests/data/README.md) with the
// installed objectron-cup pack: the coffee photo's cup becomes one 3D box whose keypoints sit on
// the cup and whose posed template projects inside them; a photo of a cat gives no object; on a
// looped frame the second call tracks instead of detecting. Positions were measured once from
// this pipeline and agree with tests/nn/tflite_real_image_test.cpp's crop-level measurements.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "core/image.h"
#include "heads/image_texturing.h"
#include "heads/object_pipeline.h"
#include "support/installed_pack.h"

namespace meshrt {
namespace {

float determinant(const std::array<float, 9>& r) {
  return r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);
}

Result<PipelineFrameResult> runOnce(const PackSpec& pack, const Image& image) {
  auto pipeline = createObjectPipeline(pack, {});
  if (!pipeline) return pipeline.error();
  return (*pipeline)->process(image);
}

TEST(ObjectronPipeline, CupOnTheCoffeePhoto) {
  MESHRT_REQUIRE_PACK(pack, "objectron-cup");
  MESHRT_REQUIRE_PHOTO(path, "coffee.jpg");
  auto image = readImage(path);
  ASSERT_TRUE(image.ok()) << image.error().message;
  auto frame = runOnce(pack, *image);
  ASSERT_TRUE(frame.ok()) << frame.error().message;
  EXPECT_TRUE(frame->ranDetector);
  ASSERT_EQ(frame->objects.size(), 1u) << "one cup in the photo";
  const ReconstructedObject& cup = frame->objects[0];
  EXPECT_GE(cup.score, pack.minPresence);
  EXPECT_GE(cup.detectionScore, pack.detection.minScore);
  ASSERT_EQ(cup.keypoints2d.size(), 18u);
  // The box centre keypoint lies on the cup (the 224 crop of tflite_real_image_test measured
  // (111, 100) in crop (140, 20)-(440, 320), i.e. about (289, 154) in the photo).
  EXPECT_NEAR(cup.keypoints2d[0], 289.0f, 40.0f);
  EXPECT_NEAR(cup.keypoints2d[1], 154.0f, 40.0f);
  for (size_t i = 0; i < 9; ++i) {
    EXPECT_GT(cup.keypoints2d[2 * i], 100.0f) << "keypoint " << i;
    EXPECT_LT(cup.keypoints2d[2 * i], 480.0f) << "keypoint " << i;
    EXPECT_GT(cup.keypoints2d[2 * i + 1], -20.0f) << "keypoint " << i;
    EXPECT_LT(cup.keypoints2d[2 * i + 1], 400.0f) << "keypoint " << i;
  }
  ASSERT_TRUE(cup.hasBox);
  EXPECT_EQ(cup.camera.model, ObjectCameraModel::Pinhole);
  EXPECT_FLOAT_EQ(cup.camera.intrinsics.fx, pack.focalPerLongSide * 600.0f);
  EXPECT_FLOAT_EQ(cup.camera.intrinsics.cx, 300.0f);
  EXPECT_FLOAT_EQ(cup.camera.intrinsics.cy, 200.0f);
  EXPECT_NEAR(determinant(cup.box.rotation), 1.0f, 1e-4f);
  const auto& t = cup.box.center;
  EXPECT_NEAR(std::sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]), 1.0f, 1e-4f) << "relative units: |t| = 1";
  for (float s : cup.box.size) EXPECT_GT(s, 0.0f);

  // The posed template: in front of the camera, and its projection inside the keypoints' box.
  const PinholeIntrinsics& k = cup.camera.intrinsics;
  float minX = INFINITY, maxX = -INFINITY, minY = INFINITY, maxY = -INFINITY;
  for (size_t i = 0; i < 9; ++i) {
    minX = std::min(minX, cup.keypoints2d[2 * i]), maxX = std::max(maxX, cup.keypoints2d[2 * i]);
    minY = std::min(minY, cup.keypoints2d[2 * i + 1]), maxY = std::max(maxY, cup.keypoints2d[2 * i + 1]);
  }
  const float slackX = 0.15f * (maxX - minX), slackY = 0.15f * (maxY - minY);
  ASSERT_GT(cup.mesh.vertexCount(), 8u);
  for (uint32_t v = 0; v < cup.mesh.vertexCount(); ++v) {
    const float* p = &cup.mesh.positions[3 * v];
    ASSERT_GT(p[2], 0.0f) << "vertex " << v;
    const float x = k.fx * p[0] / p[2] + k.cx, y = k.fy * p[1] / p[2] + k.cy;
    EXPECT_GT(x, minX - slackX) << "vertex " << v;
    EXPECT_LT(x, maxX + slackX) << "vertex " << v;
    EXPECT_GT(y, minY - slackY) << "vertex " << v;
    EXPECT_LT(y, maxY + slackY) << "vertex " << v;
  }
}

TEST(ObjectronPipeline, NoCupOnTheCatPhoto) {
  MESHRT_REQUIRE_PACK(pack, "objectron-cup");
  MESHRT_REQUIRE_PHOTO(path, "chelsea.jpg");
  auto image = readImage(path);
  ASSERT_TRUE(image.ok()) << image.error().message;
  auto frame = runOnce(pack, *image);
  ASSERT_TRUE(frame.ok()) << frame.error().message;
  EXPECT_TRUE(frame->objects.empty()) << "no invented cup (issue 8 item 4)";
}

TEST(ObjectronPipeline, TracksOnALoopedFrame) {
  MESHRT_REQUIRE_PACK(pack, "objectron-cup");
  MESHRT_REQUIRE_PHOTO(path, "coffee.jpg");
  auto image = readImage(path);
  ASSERT_TRUE(image.ok()) << image.error().message;
  ObjectPipelineOptions options;
  options.tracking = true;
  auto pipeline = createObjectPipeline(pack, options);
  ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
  auto first = (*pipeline)->process(*image);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_EQ(first->objects.size(), 1u);
  EXPECT_TRUE(first->ranDetector);
  auto second = (*pipeline)->process(*image);
  ASSERT_TRUE(second.ok()) << second.error().message;
  ASSERT_EQ(second->objects.size(), 1u);
  EXPECT_FALSE(second->ranDetector) << "the crop came from the first frame's keypoints";
  EXPECT_EQ(second->objects[0].detectionScore, 0.0f);
  // Same photo, a crop from the keypoints instead of the detector box: the keypoints move little.
  for (size_t i = 0; i < 18; ++i) {
    EXPECT_NEAR(second->objects[0].keypoints2d[i], first->objects[0].keypoints2d[i], 15.0f) << "value " << i;
  }
  (*pipeline)->resetTracking();
  auto third = (*pipeline)->process(*image);
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_TRUE(third->ranDetector);
}

TEST(ObjectronPipeline, TextureFromThePhotoOnTheVisibleFaces) {
  MESHRT_REQUIRE_PACK(pack, "objectron-cup");
  MESHRT_REQUIRE_PHOTO(path, "coffee.jpg");
  auto image = readImage(path);
  ASSERT_TRUE(image.ok()) << image.error().message;
  auto frame = runOnce(pack, *image);
  ASSERT_TRUE(frame.ok()) << frame.error().message;
  ASSERT_EQ(frame->objects.size(), 1u);
  auto texturer = ImageTexturer::create(nullptr);  // CPU references
  ASSERT_TRUE(texturer.ok()) << texturer.error().message;
  EXPECT_FALSE((*texturer)->usesVulkan());
  ImageTexturingParams params;
  params.intrinsics = frame->objects[0].camera.intrinsics;
  params.textureSize = 256;
  auto texture = (*texturer)->texture(*image, frame->objects[0].mesh, params);
  ASSERT_TRUE(texture.ok()) << texture.error().message;
  EXPECT_EQ(texture->texture.width, 256u);
  EXPECT_EQ(texture->texture.channels, 3u);
  EXPECT_GT(texture->coveredPixels, 5000u) << "the cup covers thousands of photo pixels";
  EXPECT_GT(texture->filledTexels, 256u * 256u / 20) << "some of the texture is seen";
  EXPECT_LT(texture->filledTexels, 256u * 256u) << "the back of the cup is not seen";
  // Filled texels carry photo colours, so the texture is not uniform; unfilled ones are neutral.
  uint32_t neutral = 0, other = 0;
  for (size_t t = 0; t < size_t{256} * 256; ++t) {
    const uint8_t* c = &texture->texture.pixels[3 * t];
    (c[0] == 128 && c[1] == 128 && c[2] == 128 ? neutral : other) += 1;
  }
  EXPECT_GT(neutral, 0u);
  EXPECT_GT(other, 256u * 256u / 20);
}

// What createObjectPipeline refuses, each named: a head without a pipeline, a model file that is
// not a TFLite model, an output name the model lacks, a missing template.
TEST(ObjectPipeline, ErrorsNameTheFileAndField) {
  MESHRT_REQUIRE_PACK(pack, "objectron-cup");
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("meshrt_pipeline_errors_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string garbage = (dir / "garbage.tflite").string();
  std::ofstream(garbage) << "not a flatbuffer";
  {
    PackSpec spec = pack;
    spec.head = "regress";
    auto pipeline = createObjectPipeline(spec, {});
    ASSERT_FALSE(pipeline.ok());
    EXPECT_NE(pipeline.error().message.find("pack.json: head: 'regress' has no pipeline"), std::string::npos)
        << pipeline.error().message;
  }
  {
    PackSpec spec = pack;
    spec.landmarks.path = garbage;
    auto pipeline = createObjectPipeline(spec, {});
    ASSERT_FALSE(pipeline.ok());
    EXPECT_NE(pipeline.error().message.find(garbage), std::string::npos) << pipeline.error().message;
  }
  {
    PackSpec spec = pack;
    spec.landmarks.outputs = {{"keypoints", "no_such_tensor"}, {"presence", "Identity"}};
    auto pipeline = createObjectPipeline(spec, {});
    ASSERT_FALSE(pipeline.ok());
    EXPECT_NE(pipeline.error().message.find("output 'no_such_tensor' (keypoints) not in the model"), std::string::npos)
        << pipeline.error().message;
  }
  {
    PackSpec spec = pack;
    spec.templatePath = (dir / "absent.obj").string();
    auto pipeline = createObjectPipeline(spec, {});
    ASSERT_FALSE(pipeline.ok());
    EXPECT_NE(pipeline.error().message.find("absent.obj"), std::string::npos) << pipeline.error().message;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace meshrt
