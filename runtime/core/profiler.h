// CPU and GPU span recorder: per-thread nesting and frame attribution, per-stage stats.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/stage_stats.h"

namespace meshrt {

// One timed interval on one timeline.
struct SpanRecord {
  std::string name;
  std::string track;  // timeline: "cpu:<thread name>" or the GPU queue's name, e.g. "gpu:queue0"
  int64_t frame;      // frame index current on the recording thread (GPU: given by the caller)
  int32_t depth;      // spans open around it on its thread; 0 = outermost ("frame", GPU spans)
  int64_t startNs;    // nowNs() clock
  int64_t endNs;      // nowNs() clock
};

class Profiler;

// Closes the span it opened when destroyed. Must be destroyed on the thread that made it.
class [[nodiscard]] ScopedSpan {
 public:
  ScopedSpan() = default;
  ScopedSpan(ScopedSpan&& other) noexcept;
  ScopedSpan& operator=(ScopedSpan&& other) noexcept;
  ScopedSpan(const ScopedSpan&) = delete;
  ScopedSpan& operator=(const ScopedSpan&) = delete;
  ~ScopedSpan();

 private:
  friend class Profiler;
  explicit ScopedSpan(Profiler* profiler) : mProfiler(profiler) {}

  Profiler* mProfiler = nullptr;  // null: nothing open (disabled, moved-from or default)
};

// Recording is safe from any number of threads at once. Each thread has its own track,
// current frame and stack of open spans. A thread's frame index starts at 0.
class Profiler {
 public:
  // `reserveSpans`: record capacity allocated up front so recording rarely reallocates.
  explicit Profiler(size_t reserveSpans = 16384);
  ~Profiler();
  Profiler(const Profiler&) = delete;
  Profiler& operator=(const Profiler&) = delete;

  // Names the calling thread's CPU track from now on; "cpu:" is prepended if missing.
  // Unnamed threads get "cpu:main" (first to record) and then "cpu:1", "cpu:2", ...
  void setThreadName(std::string_view name);

  // The frame index applies to the calling thread's spans until its next beginFrame.
  // endFrame records a depth-0 span named "frame" from beginFrame to endFrame; spans
  // opened inside a frame have depth >= 1. A second beginFrame restarts the open frame.
  void beginFrame(int64_t frame);
  void endFrame();

  ScopedSpan span(std::string_view name);
  // Explicit pair for code that cannot use RAII; endSpan closes the innermost open span.
  // Toggle setEnabled only while no explicit span is open on any thread.
  void beginSpan(std::string_view name);
  void endSpan();

  // A CPU span measured by the caller (nowNs() clock) on the calling thread's track and frame,
  // one level inside the spans open now: for code that times intervals back to back.
  void addCpuSpan(std::string_view name, int64_t startNs, int64_t endNs);

  // `startNs`/`endNs` already converted to the nowNs() clock; recorded at depth 0.
  void addGpuSpan(std::string_view name, std::string_view track, int64_t frame,
                  int64_t startNs, int64_t endNs);

  // Disabled: span/beginSpan/endSpan/addGpuSpan cost one branch and record nothing.
  void setEnabled(bool enabled) { mEnabled.store(enabled, std::memory_order_relaxed); }
  bool enabled() const { return mEnabled.load(std::memory_order_relaxed); }

  std::vector<SpanRecord> spans() const;
  // Drops all records; thread names, current frames and open spans are kept.
  void clear();

  // Per span name: stats of (endNs - startNs) in ms over spans whose track starts with
  // `trackPrefix` and whose frame >= `firstFrame` (to skip warm-up frames).
  std::map<std::string, StageStats> stageStats(std::string_view trackPrefix = "cpu",
                                               int64_t firstFrame = 0) const;

 private:
  friend class ScopedSpan;
  struct ThreadState;

  // Internal record: the track is an index into mTracks so recording copies no track string.
  struct StoredSpan {
    std::string name;
    uint32_t trackId;
    int32_t depth;
    int64_t frame;
    int64_t startNs;
    int64_t endNs;
  };

  ThreadState& threadState();
  void openSpan(std::string_view name);
  void closeSpan();
  void recordCpuSpan(ThreadState& state, std::string&& name, int32_t depth, int64_t startNs,
                     int64_t endNs);
  uint32_t trackIdLocked(std::string_view track);

  const uint64_t mId;  // unique per instance for the life of the process; keys thread caches
  std::atomic<bool> mEnabled{true};
  mutable std::mutex mMutex;  // guards everything below
  std::vector<StoredSpan> mSpans;
  std::vector<std::string> mTracks;
  std::map<std::string, uint32_t, std::less<>> mTrackIds;
  // A thread id reused by a new OS thread inherits the old thread's state.
  std::map<std::thread::id, std::unique_ptr<ThreadState>> mThreads;
  int mDefaultTracks = 0;  // unnamed threads given a default track so far
};

}  // namespace meshrt
