// Tracking crop from keypoints (tolerance 1e-4 px / rad): axis-aligned and rotated keypoint
// sets, the 1.5× square box, and the detector fallback when the track is lost.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "heads/tracking_crop.h"

namespace meshrt {
namespace {

TEST(TrackingCrop, AxisAlignedBoxScaledAndSquared) {
  const std::vector<float> keypoints = {100, 50, 140, 50, 100, 70, 140, 70};  // 40 × 20 box
  auto next = nextTrackingCrop(keypoints, 0.9f, {});
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->runDetector);
  EXPECT_NEAR(next->crop.centerX, 120, 1e-4f);
  EXPECT_NEAR(next->crop.centerY, 60, 1e-4f);
  EXPECT_NEAR(next->crop.width, 60, 1e-4f);  // 40 · 1.5, squared
  EXPECT_NEAR(next->crop.height, 60, 1e-4f);
  EXPECT_NEAR(next->crop.rotationRad, 0, 1e-6f);
}

TEST(TrackingCrop, RotationFollowsTheKeypointPair) {
  // The same 40 × 20 box turned 30° clockwise on screen about (200, 100).
  const float angle = std::numbers::pi_v<float> / 6;
  const float local[8] = {-20, -10, 20, -10, -20, 10, 20, 10};
  std::vector<float> keypoints;
  for (int i = 0; i < 4; ++i) {
    keypoints.push_back(200 + std::cos(angle) * local[i * 2] - std::sin(angle) * local[i * 2 + 1]);
    keypoints.push_back(100 + std::sin(angle) * local[i * 2] + std::cos(angle) * local[i * 2 + 1]);
  }
  TrackingCropParams params;
  params.rotationFrom = 0;
  params.rotationTo = 1;
  params.square = false;
  auto next = nextTrackingCrop(keypoints, 0.9f, params);
  ASSERT_TRUE(next.ok());
  EXPECT_NEAR(next->crop.rotationRad, angle, 1e-4f);
  EXPECT_NEAR(next->crop.centerX, 200, 1e-3f);
  EXPECT_NEAR(next->crop.centerY, 100, 1e-3f);
  EXPECT_NEAR(next->crop.width, 60, 1e-3f);
  EXPECT_NEAR(next->crop.height, 30, 1e-3f);
}

TEST(TrackingCrop, LostTrackRunsTheDetector) {
  const std::vector<float> keypoints = {100, 50, 140, 70};
  auto lost = nextTrackingCrop(keypoints, 0.2f, {});
  ASSERT_TRUE(lost.ok());
  EXPECT_TRUE(lost->runDetector);
  const std::vector<float> same = {100, 50, 100, 50};
  auto collapsed = nextTrackingCrop(same, 0.9f, {});
  ASSERT_TRUE(collapsed.ok());
  EXPECT_TRUE(collapsed->runDetector);
  TrackingCropParams bad;
  bad.rotationFrom = 0;
  auto invalid = nextTrackingCrop(keypoints, 0.9f, bad);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().message, "tracking_crop: rotationFrom/rotationTo: both -1 or both valid keypoint indices");
}

}  // namespace
}  // namespace meshrt
