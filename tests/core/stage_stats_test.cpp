#include "core/stage_stats.h"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace meshrt {
namespace {

// Expected values are numpy.percentile(x, p) (method="linear") computed by hand; the
// arithmetic is exact up to double rounding, so 1e-9 ms is a generous tolerance.
constexpr double TOLERANCE_MS = 1e-9;

TEST(StageStats, OneToHundred) {
  std::vector<double> values;
  for (int i = 1; i <= 100; ++i) values.push_back(i);
  const StageStats stats = computeStageStats(values);
  EXPECT_EQ(stats.count, 100);
  EXPECT_NEAR(stats.meanMs, 50.5, TOLERANCE_MS);
  EXPECT_NEAR(stats.p50Ms, 50.5, TOLERANCE_MS);
  EXPECT_NEAR(stats.p95Ms, 95.05, TOLERANCE_MS);
  EXPECT_NEAR(stats.p99Ms, 99.01, TOLERANCE_MS);
  EXPECT_NEAR(stats.minMs, 1.0, TOLERANCE_MS);
  EXPECT_NEAR(stats.maxMs, 100.0, TOLERANCE_MS);
}

TEST(StageStats, SingleValueIsEveryStatistic) {
  const StageStats stats = computeStageStats({3.25});
  EXPECT_EQ(stats.count, 1);
  for (double v : {stats.meanMs, stats.p50Ms, stats.p95Ms, stats.p99Ms, stats.minMs, stats.maxMs}) {
    EXPECT_NEAR(v, 3.25, TOLERANCE_MS);
  }
}

TEST(StageStats, EmptyIsAllZero) {
  const StageStats stats = computeStageStats({});
  EXPECT_EQ(stats.count, 0);
  for (double v : {stats.meanMs, stats.p50Ms, stats.p95Ms, stats.p99Ms, stats.minMs, stats.maxMs}) {
    EXPECT_EQ(v, 0.0);
  }
}

TEST(StageStats, UnsortedInput) {
  // Sorted: 1 2 3 4 10. numpy: p50 = 3, p95 = 4 + 0.8 * 6 = 8.8, p99 = 4 + 0.96 * 6 = 9.76.
  const StageStats stats = computeStageStats({10.0, 2.0, 4.0, 1.0, 3.0});
  EXPECT_EQ(stats.count, 5);
  EXPECT_NEAR(stats.meanMs, 4.0, TOLERANCE_MS);
  EXPECT_NEAR(stats.p50Ms, 3.0, TOLERANCE_MS);
  EXPECT_NEAR(stats.p95Ms, 8.8, TOLERANCE_MS);
  EXPECT_NEAR(stats.p99Ms, 9.76, TOLERANCE_MS);
  EXPECT_NEAR(stats.minMs, 1.0, TOLERANCE_MS);
  EXPECT_NEAR(stats.maxMs, 10.0, TOLERANCE_MS);
}

TEST(StageStats, TwoValuesInterpolate) {
  // Ranks 0..1: p50 = 1.5, p95 = 1.95, p99 = 1.99.
  const StageStats stats = computeStageStats({2.0, 1.0});
  EXPECT_NEAR(stats.p50Ms, 1.5, TOLERANCE_MS);
  EXPECT_NEAR(stats.p95Ms, 1.95, TOLERANCE_MS);
  EXPECT_NEAR(stats.p99Ms, 1.99, TOLERANCE_MS);
}

TEST(StageStats, NanSamplesAreDropped) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const StageStats stats = computeStageStats({nan, 1.0, nan, 3.0});
  EXPECT_EQ(stats.count, 2);
  EXPECT_NEAR(stats.meanMs, 2.0, TOLERANCE_MS);
  EXPECT_FALSE(std::isnan(stats.p99Ms));
}

}  // namespace
}  // namespace meshrt
