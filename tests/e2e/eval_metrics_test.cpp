// The metric functions of `meshrt eval` (demo/dataset/eval_metrics.h) on inputs with known
// answers: identical masks IoU 1, disjoint 0, a half overlap 1/3; a 90° rotation pair = 90°;
// vertex error of a known offset; PCK on hand-made points; mean and median.
#include <gtest/gtest.h>

#include <cmath>

#include "dataset/eval_metrics.h"

namespace meshrt::dataset {
namespace {

Image maskWithBox(uint32_t size, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1) {
  Image mask(size, size, 1);
  for (uint32_t y = y0; y < y1; ++y)
    for (uint32_t x = x0; x < x1; ++x) mask.at(x, y)[0] = 255;
  return mask;
}

TEST(EvalMetrics, MaskIou) {
  const Image a = maskWithBox(16, 2, 2, 10, 10);
  auto same = maskIou(a, a);
  ASSERT_TRUE(same.ok());
  EXPECT_DOUBLE_EQ(*same, 1.0);
  auto disjoint = maskIou(a, maskWithBox(16, 10, 10, 16, 16));
  ASSERT_TRUE(disjoint.ok());
  EXPECT_DOUBLE_EQ(*disjoint, 0.0);
  // 8×8 and the same box moved 4 px right: intersection 32, union 96.
  auto half = maskIou(a, maskWithBox(16, 6, 2, 14, 10));
  ASSERT_TRUE(half.ok());
  EXPECT_DOUBLE_EQ(*half, 32.0 / 96.0);
  auto empty = maskIou(Image(16, 16, 1), Image(16, 16, 1));
  ASSERT_TRUE(empty.ok());
  EXPECT_DOUBLE_EQ(*empty, 1.0);
  // An RGB mask reads its first channel; a size mismatch is an error, not a number.
  Image rgb(16, 16, 3);
  for (uint32_t y = 2; y < 10; ++y)
    for (uint32_t x = 2; x < 10; ++x) rgb.at(x, y)[0] = 200;
  auto fromRgb = maskIou(rgb, a);
  ASSERT_TRUE(fromRgb.ok());
  EXPECT_DOUBLE_EQ(*fromRgb, 1.0);
  EXPECT_FALSE(maskIou(a, Image(8, 8, 1)).ok());
}

TEST(EvalMetrics, RotationError) {
  const std::array<float, 9> identity = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  const std::array<float, 9> about_z90 = {0, -1, 0, 1, 0, 0, 0, 0, 1};
  const std::array<float, 9> about_x180 = {1, 0, 0, 0, -1, 0, 0, 0, -1};
  EXPECT_NEAR(rotationErrorDegrees(identity, identity), 0.0, 1e-6);
  EXPECT_NEAR(rotationErrorDegrees(about_z90, identity), 90.0, 1e-4);
  EXPECT_NEAR(rotationErrorDegrees(identity, about_z90), 90.0, 1e-4);
  EXPECT_NEAR(rotationErrorDegrees(about_z90, about_z90), 0.0, 1e-3);
  EXPECT_NEAR(rotationErrorDegrees(about_x180, identity), 180.0, 1e-3);
}

TEST(EvalMetrics, VertexError) {
  const std::array<float, 9> identity = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  const std::array<float, 9> about_z90 = {0, -1, 0, 1, 0, 0, 0, 0, 1};
  const std::vector<float> x = {0, 0, 0, 1, 0, 0, 0, 1, 0};
  std::vector<float> shifted = x;
  for (size_t i = 0; i < shifted.size(); i += 3) shifted[i + 2] += 0.25f;  // every vertex 0.25 along z
  EXPECT_NEAR(vertexError(identity, x, identity, x), 0.0, 1e-9);
  EXPECT_NEAR(vertexError(identity, shifted, identity, x), 0.25, 1e-6);
  // The same shape under a 90° rotation about z: (1,0,0) → (0,1,0) is √2 away, (0,1,0) → √2, origin 0.
  EXPECT_NEAR(vertexError(about_z90, x, identity, x), 2.0 * std::sqrt(2.0) / 3.0, 1e-6);
  EXPECT_TRUE(std::isnan(vertexError(identity, {}, identity, {})));
}

TEST(EvalMetrics, PercentCorrectKeypoints) {
  const std::vector<float> truth = {10, 10, 20, 20, 30, 30, 40, 40};
  // Off by 0, 5 (within 6.4 = 0.05 · 128), 10 (outside) and 100 (hidden: not counted).
  const std::vector<float> predicted = {10, 10, 23, 24, 40, 30, 140, 40};
  const std::vector<uint8_t> visible = {1, 1, 1, 0};
  EXPECT_DOUBLE_EQ(percentCorrectKeypoints(predicted, truth, visible, 0.05 * 128), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(percentCorrectKeypoints(truth, truth, visible, 0.05 * 128), 1.0);
  EXPECT_DOUBLE_EQ(percentCorrectKeypoints(predicted, truth, visible, 4.0), 1.0 / 3.0);
  const std::vector<uint8_t> none = {0, 0, 0, 0};
  EXPECT_TRUE(std::isnan(percentCorrectKeypoints(predicted, truth, none, 6.4)));
}

TEST(EvalMetrics, Summary) {
  const std::vector<double> odd = {3, 1, 2, std::nan("")};
  const MetricSummary a = summarize(odd);
  EXPECT_EQ(a.count, 3u);
  EXPECT_DOUBLE_EQ(a.mean, 2.0);
  EXPECT_DOUBLE_EQ(a.median, 2.0);
  const std::vector<double> even = {4, 1, 2, 10};
  const MetricSummary b = summarize(even);
  EXPECT_DOUBLE_EQ(b.mean, 4.25);
  EXPECT_DOUBLE_EQ(b.median, 3.0);
  EXPECT_TRUE(std::isnan(summarize(std::vector<double>{}).mean));
}

}  // namespace
}  // namespace meshrt::dataset
