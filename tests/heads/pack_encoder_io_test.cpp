// Issue 6 item 3: a pack through the frame loop on the encoder-I/O fallback path. The same head
// code (heads/object_pipeline.h, tracking on) runs twice over 20 frames of a moving source (the
// photo panned 3 px right and 2 px down per frame, edges replicated), once on the host path and
// once with ObjectPipelineOptions::encoderIoContext: the Vulkan PreprocessStage writes each
// model input into the EncoderIo input buffer (host-visible here: no CUDA), the CPU executor
// runs through EncoderIo::runEncoder, and a Vulkan copy reads the outputs after outputReady.
// Validation with synchronization validation is on (VulkanTest); any message fails.
//
// Expected: per frame the same detector decision and object count, and keypoints and depths
// within 1e-3 px of the host path's, and on lavapipe bit for bit: the Vulkan preprocess is
// bit-identical to preprocessReference there (tests/stages/preprocess_test.cpp), so the encoder
// inputs and outputs are too (measured: max difference 0 px on both packs). The 1e-3 px leaves
// room for a GPU whose shader arithmetic rounds differently (fused multiply-add).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/image.h"
#include "heads/object_pipeline.h"
#include "heads/pack_model.h"
#include "heads/pack_vulkan_frame.h"
#include "support/installed_pack.h"
#include "support/vulkan_environment.h"

namespace meshrt::test {
namespace {

constexpr int FRAMES = 20;
constexpr float KEYPOINT_TOLERANCE_PX = 1e-3f;

// The photo moved by (dx, dy) pixels; pixels from beyond its edge repeat the nearest edge.
Image panned(const Image& photo, int dx, int dy) {
  Image out(photo.width, photo.height, photo.channels);
  for (uint32_t y = 0; y < photo.height; ++y) {
    for (uint32_t x = 0; x < photo.width; ++x) {
      const int sx = std::clamp(int(x) - dx, 0, int(photo.width) - 1);
      const int sy = std::clamp(int(y) - dy, 0, int(photo.height) - 1);
      std::copy_n(photo.at(uint32_t(sx), uint32_t(sy)), photo.channels, out.at(x, y));
    }
  }
  return out;
}

class PackEncoderIoTest : public VulkanTest {
 protected:
  // Runs both paths over the moving source and compares them frame by frame.
  void compareOverFrames(const PackSpec& pack, const std::string& photoPath, size_t expectedKeypoints) {
    auto photo = readImage(photoPath);
    ASSERT_TRUE(photo.ok()) << photo.error().message;
    ObjectPipelineOptions hostOptions;
    hostOptions.tracking = true;
    hostOptions.redetectEveryFrames = 7;  // both models run on several frames
    ObjectPipelineOptions ioOptions = hostOptions;
    ioOptions.encoderIoContext = &context();
    auto host = createObjectPipeline(pack, hostOptions);
    ASSERT_TRUE(host.ok()) << host.error().message;
    auto io = createObjectPipeline(pack, ioOptions);
    ASSERT_TRUE(io.ok()) << io.error().message;
    EXPECT_STREQ((*host)->encoderIoName(), "host");
    EXPECT_STREQ((*io)->encoderIoName(), "host-visible") << "no CUDA here: the fallback path";
    EXPECT_FALSE((*io)->encoderIoFallbackReason().empty());

    int framesWithObjects = 0, detectorRuns = 0;
    float maxDifference = 0;
    for (int f = 0; f < FRAMES; ++f) {
      const Image frame = panned(*photo, 3 * f, 2 * f);
      auto expected = (*host)->process(frame);
      ASSERT_TRUE(expected.ok()) << expected.error().message;
      auto actual = (*io)->process(frame);
      ASSERT_TRUE(actual.ok()) << "frame " << f << ": " << actual.error().message;
      ASSERT_EQ(actual->ranDetector, expected->ranDetector) << "frame " << f;
      ASSERT_EQ(actual->objects.size(), expected->objects.size()) << "frame " << f;
      framesWithObjects += expected->objects.empty() ? 0 : 1;
      detectorRuns += expected->ranDetector ? 1 : 0;
      for (size_t o = 0; o < expected->objects.size(); ++o) {
        const ReconstructedObject& a = actual->objects[o];
        const ReconstructedObject& e = expected->objects[o];
        ASSERT_EQ(a.keypoints2d.size(), expectedKeypoints);
        ASSERT_EQ(a.keypoints2d.size(), e.keypoints2d.size());
        ASSERT_EQ(a.landmarkDepth.size(), e.landmarkDepth.size());
        for (size_t i = 0; i < e.keypoints2d.size(); ++i) {
          maxDifference = std::max(maxDifference, std::fabs(a.keypoints2d[i] - e.keypoints2d[i]));
        }
        for (size_t i = 0; i < e.landmarkDepth.size(); ++i) {
          maxDifference = std::max(maxDifference, std::fabs(a.landmarkDepth[i] - e.landmarkDepth[i]));
        }
        EXPECT_NEAR(a.score, e.score, 1e-5f) << "frame " << f;
      }
    }
    EXPECT_LE(maxDifference, KEYPOINT_TOLERANCE_PX) << "max |keypoint difference| over all frames, pixels";
    if (context().info().name.find("llvmpipe") != std::string::npos) {
      EXPECT_EQ(maxDifference, 0.0f) << "lavapipe: the Vulkan preprocess is bit-identical, so the results are too";
    }
    EXPECT_EQ(framesWithObjects, FRAMES) << "the object is found on every frame of the moving source";
    EXPECT_GE(detectorRuns, 3) << "the detector ran on the first frame and on the re-detections";
    EXPECT_EQ((*io)->frameUploads(), uint64_t(FRAMES)) << "one upload per frame, shared by both models";
    EXPECT_EQ((*host)->frameUploads(), 0u);
    std::printf("[ info ] %s: %d frames, %d detector runs, max keypoint difference %.3g px\n", pack.name.c_str(),
                FRAMES, detectorRuns, double(maxDifference));
  }
};

TEST_F(PackEncoderIoTest, ObjectronCupMatchesTheHostPathOverTwentyFrames) {
  MESHRT_REQUIRE_PACK(pack, "objectron-cup");
  MESHRT_REQUIRE_PHOTO(path, "coffee.jpg");
  compareOverFrames(pack, path, 18);
}

TEST_F(PackEncoderIoTest, FaceMatchesTheHostPathOverTwentyFrames) {
  MESHRT_REQUIRE_PACK(pack, "face");
  MESHRT_REQUIRE_PHOTO(path, "astronaut.jpg");
  compareOverFrames(pack, path, 936);
}

// A run on the encoder-I/O path without an uploaded frame is refused with the reason (the
// pipeline uploads in process(); a runner used on its own must be given the frame first).
TEST_F(PackEncoderIoTest, RefusesARunBeforeTheFrameIsUploaded) {
  MESHRT_REQUIRE_PACK(pack, "face");
  auto vulkanFrame = PackVulkanFrame::create(context());
  ASSERT_TRUE(vulkanFrame.ok()) << vulkanFrame.error().message;
  auto runner = PackModelRunner::create(pack.detector, 1, vulkanFrame->get());
  ASSERT_TRUE(runner.ok()) << runner.error().message;
  Image frame(64, 48, 3);
  for (size_t i = 0; i < frame.pixels.size(); ++i) frame.pixels[i] = uint8_t((i * 37) % 251);
  gpu::PreprocessParams params{};
  auto ran = (*runner)->run(frame, (*runner)->preprocessConfig({}, frame.width, frame.height), params);
  ASSERT_FALSE(ran.ok());
  EXPECT_NE(ran.error().message.find("not uploaded"), std::string::npos) << ran.error().message;
  ASSERT_TRUE((*vulkanFrame)->upload(frame).ok());
  ran = (*runner)->run(frame, (*runner)->preprocessConfig({}, frame.width, frame.height), params);
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  // The same run on the host path gives the same outputs.
  auto hostRunner = PackModelRunner::create(pack.detector, 1);
  ASSERT_TRUE(hostRunner.ok()) << hostRunner.error().message;
  ASSERT_TRUE((*hostRunner)->run(frame, (*hostRunner)->preprocessConfig({}, frame.width, frame.height), params).ok());
  const std::span<const float> viaIo = (*runner)->output("scores"), viaHost = (*hostRunner)->output("scores");
  ASSERT_FALSE(viaHost.empty());
  ASSERT_EQ(viaIo.size(), viaHost.size());
  float maxDifference = 0;
  for (size_t i = 0; i < viaHost.size(); ++i) maxDifference = std::max(maxDifference, std::fabs(viaIo[i] - viaHost[i]));
  EXPECT_LE(maxDifference, 1e-4f) << "detector scores, encoder I/O vs host";
}

}  // namespace
}  // namespace meshrt::test
