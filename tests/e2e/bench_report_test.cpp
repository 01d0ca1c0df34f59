// The bench report's arithmetic on hand-made timelines (demo/bench_report.h).
#include <gtest/gtest.h>

#include "bench_report.h"

namespace meshrt::cli {
namespace {

constexpr int64_t MS = 1000000;  // ns per ms

SpanRecord span(const char* name, const char* track, int64_t frame, int32_t depth, double startMs, double endMs) {
  return SpanRecord{name, track, frame, depth, static_cast<int64_t>(startMs * MS), static_cast<int64_t>(endMs * MS)};
}

TEST(BenchReport, FrameOverlapIsTheTimeFrameNPlusOneRunsWhileNIsInFlight) {
  // Frame 0 spans [0, 10] (its GPU work ends at 10); frame 1 starts at 6 and ends at 16; frame 2
  // starts at 16 (no overlap with frame 1) and ends at 20.
  const std::vector<SpanRecord> spans = {
      span("frame", "cpu:main", 0, 0, 0, 5),  span("preprocess", "gpu:queue0", 0, 0, 3, 10),
      span("frame", "cpu:main", 1, 0, 6, 12), span("preprocess", "gpu:queue0", 1, 0, 11, 16),
      span("frame", "cpu:main", 2, 0, 16, 20),
  };
  const FrameOverlap overlap = measureFrameOverlap(spans, 0);
  EXPECT_EQ(overlap.pairs, 2);
  EXPECT_NEAR(overlap.meanOverlapMs, (4.0 + 0.0) / 2, 1e-9);
  EXPECT_NEAR(overlap.meanFrameExtentMs, (10.0 + 10.0) / 2, 1e-9);
  EXPECT_NEAR(overlap.overlapFraction, 0.2, 1e-9);
  // Warm-up frames are dropped: from frame 1 on, one pair (1, 2) without overlap.
  const FrameOverlap late = measureFrameOverlap(spans, 1);
  EXPECT_EQ(late.pairs, 1);
  EXPECT_NEAR(late.meanOverlapMs, 0.0, 1e-9);
}

TEST(BenchReport, FpsFromFrameStartsAfterWarmup) {
  std::vector<SpanRecord> spans;
  for (int i = 0; i < 11; ++i) spans.push_back(span("frame", "cpu:main", i, 0, 10.0 * i, 10.0 * i + 8));
  EXPECT_NEAR(measureFps(spans, 0), 100.0, 1e-9);  // 10 intervals of 10 ms
  spans[0].startNs = -1000 * MS;                   // a slow warm-up frame changes nothing after it
  EXPECT_NEAR(measureFps(spans, 1), 100.0, 1e-9);
  EXPECT_EQ(measureFps({spans[3]}, 0), 0.0);  // one frame: no interval
}

TEST(BenchReport, StagesSplitByClockAndSkipWarmup) {
  std::vector<SpanRecord> spans;
  for (int i = 0; i < 6; ++i) {
    spans.push_back(span("frame", "cpu:main", i, 0, 10.0 * i, 10.0 * i + 9));
    spans.push_back(span("preprocess", "cpu:main", i, 1, 10.0 * i, 10.0 * i + (i == 0 ? 50 : 2)));
    spans.push_back(span("preprocess", "gpu:queue0", i, 0, 10.0 * i + 2, 10.0 * i + 3));
  }
  BenchConfig config;
  config.frames = 6;
  config.warmup = 1;
  config.source = "sample";
  config.encoderBackend = "none";
  const auto report = benchReportJson(config, spans, 100.0);
  EXPECT_EQ(report["frames"].get<int64_t>(), 5);
  EXPECT_EQ(report["stages"]["preprocess"]["clock"], "cpu");
  EXPECT_NEAR(report["stages"]["preprocess"]["max"].get<double>(), 2.0, 1e-9) << "frame 0 (50 ms) is warm-up";
  EXPECT_EQ(report["stages"]["preprocess_gpu"]["clock"], "gpu");
  EXPECT_NEAR(report["stages"]["preprocess_gpu"]["p50"].get<double>(), 1.0, 1e-9);
  EXPECT_EQ(report["stages"]["preprocess_gpu"]["count"].get<int64_t>(), 5);
  EXPECT_TRUE(report["config"]["pack"].is_null());
  // 2 CPU spans per frame × 100 ns over a 10 ms frame.
  EXPECT_NEAR(report["profiling_overhead"]["cpu_spans_per_frame"].get<double>(), 2.0, 1e-9);
  EXPECT_NEAR(report["profiling_overhead"]["fraction_of_frame"].get<double>(), 2 * 100e-9 / 10e-3, 1e-12);
  EXPECT_NEAR(report["fps"].get<double>(), 100.0, 1e-9);
}

TEST(BenchReport, SpanCostIsMeasured) {
  const double cost = measureSpanCostNs(2000);
  EXPECT_GT(cost, 0.0);
  EXPECT_LT(cost, 1e6) << "one span cannot cost a millisecond";
}

}  // namespace
}  // namespace meshrt::cli
