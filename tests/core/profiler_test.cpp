#include "core/profiler.h"

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace meshrt {
namespace {

const SpanRecord* findSpan(const std::vector<SpanRecord>& spans, const std::string& name) {
  auto it = std::find_if(spans.begin(), spans.end(),
                         [&](const SpanRecord& s) { return s.name == name; });
  return it == spans.end() ? nullptr : &*it;
}

TEST(Profiler, NestedSpansGetDepthAndContainment) {
  Profiler profiler;
  {
    ScopedSpan outer = profiler.span("outer");
    {
      ScopedSpan inner = profiler.span("inner");
      profiler.beginSpan("explicit");
      profiler.endSpan();
    }
  }
  const std::vector<SpanRecord> spans = profiler.spans();
  ASSERT_EQ(spans.size(), 3u);
  const SpanRecord* outer = findSpan(spans, "outer");
  const SpanRecord* inner = findSpan(spans, "inner");
  const SpanRecord* explicitSpan = findSpan(spans, "explicit");
  ASSERT_TRUE(outer && inner && explicitSpan);
  EXPECT_EQ(outer->depth, 0);
  EXPECT_EQ(inner->depth, 1);
  EXPECT_EQ(explicitSpan->depth, 2);
  EXPECT_LE(outer->startNs, inner->startNs);
  EXPECT_LE(inner->endNs, outer->endNs);
  EXPECT_LE(inner->startNs, inner->endNs);
  EXPECT_EQ(outer->track, "cpu:main");
}

TEST(Profiler, MovedSpanClosesOnce) {
  Profiler profiler;
  {
    ScopedSpan a = profiler.span("a");
    ScopedSpan b = std::move(a);
    ScopedSpan c;
    c = std::move(b);
  }
  profiler.endSpan();  // nothing open: must be a no-op
  EXPECT_EQ(profiler.spans().size(), 1u);
}

TEST(Profiler, FrameSpanAndFrameAttribution) {
  Profiler profiler;
  for (int64_t frame = 5; frame < 7; ++frame) {
    profiler.beginFrame(frame);
    { ScopedSpan s = profiler.span("work"); }
    profiler.endFrame();
  }
  { ScopedSpan s = profiler.span("after"); }  // stays on the last frame, outside any frame
  const std::vector<SpanRecord> spans = profiler.spans();
  ASSERT_EQ(spans.size(), 5u);
  EXPECT_EQ(spans[0].name, "work");
  EXPECT_EQ(spans[0].frame, 5);
  EXPECT_EQ(spans[0].depth, 1);
  EXPECT_EQ(spans[1].name, "frame");
  EXPECT_EQ(spans[1].frame, 5);
  EXPECT_EQ(spans[1].depth, 0);
  EXPECT_LE(spans[1].startNs, spans[0].startNs);
  EXPECT_LE(spans[0].endNs, spans[1].endNs);
  EXPECT_EQ(spans[2].frame, 6);
  EXPECT_EQ(spans[3].name, "frame");
  EXPECT_EQ(spans[3].frame, 6);
  EXPECT_EQ(spans[4].name, "after");
  EXPECT_EQ(spans[4].frame, 6);
  EXPECT_EQ(spans[4].depth, 0);
}

TEST(Profiler, DisabledRecordsNothing) {
  Profiler profiler;
  profiler.setEnabled(false);
  profiler.beginFrame(1);
  { ScopedSpan s = profiler.span("scoped"); }
  profiler.beginSpan("explicit");
  profiler.endSpan();
  profiler.addGpuSpan("gpu", "gpu:queue0", 1, 0, 10);
  profiler.endFrame();
  EXPECT_TRUE(profiler.spans().empty());

  profiler.setEnabled(true);
  { ScopedSpan s = profiler.span("scoped"); }
  EXPECT_EQ(profiler.spans().size(), 1u);
  profiler.clear();
  EXPECT_TRUE(profiler.spans().empty());
}

TEST(Profiler, GpuSpansKeepCallerValues) {
  Profiler profiler;
  profiler.addGpuSpan("uv_splat", "gpu:queue0", 42, 1000, 251000);
  const std::vector<SpanRecord> spans = profiler.spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].track, "gpu:queue0");
  EXPECT_EQ(spans[0].frame, 42);
  EXPECT_EQ(spans[0].depth, 0);
  EXPECT_EQ(spans[0].startNs, 1000);
  EXPECT_EQ(spans[0].endNs, 251000);
}

TEST(Profiler, ThreadsRecordConcurrentlyOnOwnTracks) {
  constexpr int FRAMES = 200;
  Profiler profiler;
  { ScopedSpan s = profiler.span("setup"); }  // the test thread records first: "cpu:main"
  auto worker = [&](const char* name, int64_t frameOffset) {
    if (name) profiler.setThreadName(name);
    for (int i = 0; i < FRAMES; ++i) {
      profiler.beginFrame(i + frameOffset);
      ScopedSpan s = profiler.span("stage");
      ScopedSpan t = profiler.span("sub");
      t = ScopedSpan();
      s = ScopedSpan();
      profiler.endFrame();
    }
  };
  std::thread capture(worker, "capture", 0);
  std::thread render(worker, "cpu:render", 1);
  std::thread unnamed(worker, nullptr, 1000);
  capture.join();
  render.join();
  unnamed.join();

  const std::vector<SpanRecord> spans = profiler.spans();
  ASSERT_EQ(spans.size(), 1u + 3u * 3u * FRAMES);
  std::map<std::string, std::vector<const SpanRecord*>> byTrack;
  for (const SpanRecord& s : spans) byTrack[s.track].push_back(&s);
  ASSERT_EQ(byTrack.size(), 4u);
  ASSERT_EQ(byTrack.count("cpu:main"), 1u);
  ASSERT_EQ(byTrack.count("cpu:capture"), 1u);
  ASSERT_EQ(byTrack.count("cpu:render"), 1u);
  ASSERT_EQ(byTrack.count("cpu:1"), 1u);
  const std::map<std::string, int64_t> offsets = {
      {"cpu:capture", 0}, {"cpu:render", 1}, {"cpu:1", 1000}};
  for (const auto& [track, offset] : offsets) {
    const std::vector<const SpanRecord*>& list = byTrack[track];
    ASSERT_EQ(list.size(), 3u * FRAMES) << track;
    // Per thread the order is sub, stage, frame for every frame.
    for (size_t i = 0; i < list.size(); ++i) {
      const int64_t frame = static_cast<int64_t>(i / 3) + offset;
      const SpanRecord& s = *list[i];
      EXPECT_EQ(s.frame, frame) << track << " #" << i;
      EXPECT_EQ(s.depth, 2 - static_cast<int32_t>(i % 3)) << track << " #" << i;
    }
  }
}

TEST(Profiler, StageStatsFiltersByTrackPrefixAndFirstFrame) {
  Profiler profiler;
  // Frame f: "pass" lasts (f + 1) ms on gpu:queue0 and 100 ms on cpu:fake.
  for (int64_t f = 0; f < 10; ++f) {
    profiler.addGpuSpan("pass", "gpu:queue0", f, 0, (f + 1) * 1000000);
    profiler.addGpuSpan("pass", "cpu:fake", f, 0, 100000000);
  }
  profiler.addGpuSpan("other", "gpu:queue1", 9, 0, 500000);

  const auto gpuAll = profiler.stageStats("gpu");
  ASSERT_EQ(gpuAll.size(), 2u);
  EXPECT_EQ(gpuAll.at("pass").count, 10);
  EXPECT_NEAR(gpuAll.at("pass").meanMs, 5.5, 1e-9);
  EXPECT_NEAR(gpuAll.at("other").maxMs, 0.5, 1e-9);

  const auto queue0Late = profiler.stageStats("gpu:queue0", 2);  // drops frames 0 and 1
  ASSERT_EQ(queue0Late.size(), 1u);
  const StageStats& pass = queue0Late.at("pass");
  EXPECT_EQ(pass.count, 8);
  EXPECT_NEAR(pass.minMs, 3.0, 1e-9);
  EXPECT_NEAR(pass.maxMs, 10.0, 1e-9);
  EXPECT_NEAR(pass.p50Ms, 6.5, 1e-9);

  const auto cpu = profiler.stageStats();
  ASSERT_EQ(cpu.size(), 1u);
  EXPECT_EQ(cpu.at("pass").count, 10);
  EXPECT_NEAR(cpu.at("pass").meanMs, 100.0, 1e-9);

  EXPECT_TRUE(profiler.stageStats("gpu", 10).empty());
}

}  // namespace
}  // namespace meshrt
