// Detector decoding: anchor counts (1,917 SSD / 896 BlazeFace), individual anchors and decoded
// boxes against values worked out by hand here from the SSD formulas (tolerance 1e-6), sigmoid
// scores, label filtering, NMS and BlazeFace's weighted NMS.
#include <gtest/gtest.h>

#include <cmath>

#include "heads/blazeface_decoder.h"
#include "heads/ssd_decoder.h"

namespace meshrt {
namespace {

constexpr float EPS = 1e-6f;

void expectAnchor(const Anchor& a, float x, float y, float w, float h) {
  EXPECT_NEAR(a.xCenter, x, EPS);
  EXPECT_NEAR(a.yCenter, y, EPS);
  EXPECT_NEAR(a.width, w, EPS);
  EXPECT_NEAR(a.height, h, EPS);
}

TEST(SsdAnchors, ObjectronDetectorHas1917Anchors) {
  auto anchors = generateSsdAnchors(objectronSsdAnchorParams());
  ASSERT_TRUE(anchors.ok());
  // 19² cells × 3 (reduced lowest layer) + (10² + 5² + 3² + 2² + 1²) × 6 = 1083 + 834.
  ASSERT_EQ(anchors->size(), 1917u);
  const auto& a = *anchors;
  expectAnchor(a[0], 0.5f / 19, 0.5f / 19, 0.1f, 0.1f);                            // scale 0.1, ratio 1
  expectAnchor(a[1], 0.5f / 19, 0.5f / 19, 0.2f * std::sqrt(2.0f), 0.2f / std::sqrt(2.0f));  // ratio 2
  expectAnchor(a[2], 0.5f / 19, 0.5f / 19, 0.2f * std::sqrt(0.5f), 0.2f / std::sqrt(0.5f));  // ratio 0.5
  expectAnchor(a[3], 1.5f / 19, 0.5f / 19, 0.1f, 0.1f);                            // next cell in x
  // Layer 1: stride 32 → 10×10, scale 0.2 + 0.75/5 = 0.35; 6th anchor at √(0.35·0.5).
  expectAnchor(a[1083], 0.05f, 0.05f, 0.35f, 0.35f);
  expectAnchor(a[1083 + 3], 0.05f, 0.05f, 0.35f * std::sqrt(3.0f), 0.35f / std::sqrt(3.0f));
  expectAnchor(a[1083 + 5], 0.05f, 0.05f, std::sqrt(0.35f * 0.5f), std::sqrt(0.35f * 0.5f));
  // Last layer: 1×1, scale 0.95, interpolated √(0.95·1).
  expectAnchor(a[1916], 0.5f, 0.5f, std::sqrt(0.95f), std::sqrt(0.95f));
}

TEST(SsdAnchors, BlazeFaceShortRangeHas896Anchors) {
  auto anchors = generateSsdAnchors(blazeFaceShortRangeAnchorParams());
  ASSERT_TRUE(anchors.ok());
  ASSERT_EQ(anchors->size(), 896u);  // 16² × 2 + 8² × (3 layers × 2)
  expectAnchor((*anchors)[0], 0.5f / 16, 0.5f / 16, 1, 1);
  expectAnchor((*anchors)[1], 0.5f / 16, 0.5f / 16, 1, 1);
  expectAnchor((*anchors)[2], 1.5f / 16, 0.5f / 16, 1, 1);
  expectAnchor((*anchors)[512], 0.5f / 8, 0.5f / 8, 1, 1);
  expectAnchor((*anchors)[512 + 6], 1.5f / 8, 0.5f / 8, 1, 1);
  expectAnchor((*anchors)[895], 7.5f / 8, 7.5f / 8, 1, 1);
}

TEST(SsdDecode, BoxesScoresAndLabels) {
  const std::vector<Anchor> anchors = {{0.05f, 0.05f, 0.35f, 0.35f}, {0.5f, 0.5f, 0.2f, 0.1f}};
  // TF order (y, x, h, w), scales 10/10/5/5, exponential sizes.
  const std::vector<float> boxes = {1.0f, 2.0f, 0.5f, -0.5f, 0, 0, 0, 0};
  // 3 classes; class 0 (background) is ignored even though its logit is the largest.
  const std::vector<float> scores = {9.0f, 1.0f, 2.0f, 9.0f, -3.0f, -4.0f};
  DetectionFilter filter;
  filter.classCount = 3;
  filter.minScore = 0.5f;
  filter.ignoredLabels = {0};
  auto detections = decodeSsdDetections(boxes, scores, anchors, {}, filter);
  ASSERT_TRUE(detections.ok()) << detections.error().message;
  ASSERT_EQ(detections->size(), 1u);  // anchor 1's best class has sigmoid(−3) < 0.5
  const Detection& d = (*detections)[0];
  const float x = 2.0f / 10 * 0.35f + 0.05f, y = 1.0f / 10 * 0.35f + 0.05f;
  const float w = std::exp(-0.5f / 5) * 0.35f, h = std::exp(0.5f / 5) * 0.35f;
  EXPECT_NEAR(d.xMin, x - w / 2, EPS);
  EXPECT_NEAR(d.xMax, x + w / 2, EPS);
  EXPECT_NEAR(d.yMin, y - h / 2, EPS);
  EXPECT_NEAR(d.yMax, y + h / 2, EPS);
  EXPECT_EQ(d.label, 2);
  EXPECT_NEAR(d.score, 1.0f / (1.0f + std::exp(-2.0f)), EPS);

  auto wrongSize = decodeSsdDetections(std::span<const float>(boxes).first(7), scores, anchors, {}, filter);
  ASSERT_FALSE(wrongSize.ok());
  EXPECT_EQ(wrongSize.error().message, "ssd_decoder: rawBoxes: 7 values, expected 8");
}

TEST(SsdDecode, BlazeFaceBoxesAndKeypointsAreInInputPixels) {
  auto anchors = generateSsdAnchors(blazeFaceShortRangeAnchorParams());
  ASSERT_TRUE(anchors.ok());
  std::vector<float> boxes(896 * 16, 0.0f), scores(896, -10.0f);
  // Anchor 600 (8×8 map): a 32×24-pixel face 4 px right of the anchor centre.
  float* raw = &boxes[600 * 16];
  raw[0] = 4, raw[1] = -2, raw[2] = 32, raw[3] = 24;
  raw[4] = 10, raw[5] = 5;  // keypoint 0
  scores[600] = 200.0f;     // clipped to 100 before the sigmoid
  auto faces = decodeBlazeFace(boxes, scores, *anchors);
  ASSERT_TRUE(faces.ok()) << faces.error().message;
  ASSERT_EQ(faces->size(), 1u);
  const Anchor& a = (*anchors)[600];
  const Detection& d = (*faces)[0];
  EXPECT_NEAR(d.xMin, a.xCenter + 4.0f / 128 - 16.0f / 128, EPS);
  EXPECT_NEAR(d.yMax, a.yCenter - 2.0f / 128 + 12.0f / 128, EPS);
  EXPECT_NEAR(d.keypoints[0], a.xCenter + 10.0f / 128, EPS);
  EXPECT_NEAR(d.keypoints[1], a.yCenter + 5.0f / 128, EPS);
  EXPECT_EQ(d.keypoints.size(), 12u);
  EXPECT_FLOAT_EQ(d.score, 1.0f);
}

Detection box(float x0, float y0, float x1, float y1, float score) {
  Detection d;
  d.xMin = x0, d.yMin = y0, d.xMax = x1, d.yMax = y1, d.score = score;
  return d;
}

TEST(Nms, GreedySuppressesOverlapsAboveThreshold) {
  // IoU(a, b) = 0.6 / 1.4 ≈ 0.43 (kept at 0.5); IoU(a, c) = 0.8 / 1.2 ≈ 0.67 (suppressed).
  const Detection a = box(0, 0, 1, 1, 0.9f), b = box(0.4f, 0, 1.4f, 1, 0.8f), c = box(0.2f, 0, 1.2f, 1, 0.7f);
  EXPECT_NEAR(intersectionOverUnion(a, b), 0.6f / 1.4f, EPS);
  const auto kept = nonMaxSuppression({c, b, a}, 0.5f, 10);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.9f);
  EXPECT_FLOAT_EQ(kept[1].score, 0.8f);
  EXPECT_EQ(nonMaxSuppression({c, b, a}, 0.5f, 1).size(), 1u);
}

TEST(Nms, WeightedAveragesTheCluster) {
  Detection a = box(0, 0, 1, 1, 0.75f), b = box(0.1f, 0, 1.1f, 1, 0.25f), far = box(5, 5, 6, 6, 0.6f);
  a.keypoints = {0.5f, 0.5f};
  b.keypoints = {0.9f, 0.1f};
  far.keypoints = {5.5f, 5.5f};
  const auto kept = weightedNonMaxSuppression({b, far, a}, 0.3f, 10);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.75f);
  EXPECT_NEAR(kept[0].xMin, 0.75f * 0 + 0.25f * 0.1f, EPS);
  EXPECT_NEAR(kept[0].xMax, 0.75f * 1 + 0.25f * 1.1f, EPS);
  EXPECT_NEAR(kept[0].keypoints[0], 0.75f * 0.5f + 0.25f * 0.9f, EPS);
  EXPECT_NEAR(kept[0].keypoints[1], 0.75f * 0.5f + 0.25f * 0.1f, EPS);
  EXPECT_FLOAT_EQ(kept[1].xMin, 5.0f);
}

}  // namespace
}  // namespace meshrt
