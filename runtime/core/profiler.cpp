#include "core/profiler.h"

#include <array>
#include <limits>
#include <utility>

#include "core/clock.h"

namespace meshrt {

namespace {

constexpr uint32_t NO_TRACK = std::numeric_limits<uint32_t>::max();
constexpr size_t THREAD_CACHE_SIZE = 8;

std::atomic<uint64_t> gNextProfilerId{1};

// Per-thread cache of (profiler id -> that profiler's state for this thread), so the
// recording path finds its state without the mutex. Ids are never reused, so an entry
// of a destroyed profiler is never matched again; id 0 marks an empty slot.
struct CacheEntry {
  uint64_t profilerId = 0;
  void* state = nullptr;
};
thread_local std::array<CacheEntry, THREAD_CACHE_SIZE> tCache{};
thread_local size_t tCacheNext = 0;

}  // namespace

struct Profiler::ThreadState {
  struct OpenSpan {
    std::string name;
    int64_t startNs;
  };
  uint32_t trackId = NO_TRACK;  // assigned on first record unless setThreadName came first
  int64_t frame = 0;
  bool inFrame = false;
  int64_t frameStartNs = 0;
  std::vector<OpenSpan> open;  // innermost last
};

ScopedSpan::ScopedSpan(ScopedSpan&& other) noexcept
    : mProfiler(std::exchange(other.mProfiler, nullptr)) {}

ScopedSpan& ScopedSpan::operator=(ScopedSpan&& other) noexcept {
  if (this != &other) {
    if (mProfiler) mProfiler->closeSpan();
    mProfiler = std::exchange(other.mProfiler, nullptr);
  }
  return *this;
}

ScopedSpan::~ScopedSpan() {
  if (mProfiler) mProfiler->closeSpan();
}

Profiler::Profiler(size_t reserveSpans) : mId(gNextProfilerId.fetch_add(1)) {
  mSpans.reserve(reserveSpans);
}

Profiler::~Profiler() = default;

Profiler::ThreadState& Profiler::threadState() {
  for (const CacheEntry& entry : tCache) {
    if (entry.profilerId == mId) return *static_cast<ThreadState*>(entry.state);
  }
  ThreadState* state = nullptr;
  {
    std::lock_guard lock(mMutex);
    std::unique_ptr<ThreadState>& slot = mThreads[std::this_thread::get_id()];
    if (!slot) slot = std::make_unique<ThreadState>();
    state = slot.get();
  }
  tCache[tCacheNext] = CacheEntry{mId, state};
  tCacheNext = (tCacheNext + 1) % THREAD_CACHE_SIZE;
  return *state;
}

uint32_t Profiler::trackIdLocked(std::string_view track) {
  auto it = mTrackIds.find(track);
  if (it != mTrackIds.end()) return it->second;
  const uint32_t id = static_cast<uint32_t>(mTracks.size());
  mTracks.emplace_back(track);
  mTrackIds.emplace(std::string(track), id);
  return id;
}

void Profiler::setThreadName(std::string_view name) {
  ThreadState& state = threadState();
  std::string track = name.starts_with("cpu:") ? std::string(name) : "cpu:" + std::string(name);
  std::lock_guard lock(mMutex);
  state.trackId = trackIdLocked(track);
}

void Profiler::beginFrame(int64_t frame) {
  ThreadState& state = threadState();
  state.frame = frame;
  state.inFrame = true;
  state.frameStartNs = nowNs();
}

void Profiler::endFrame() {
  const int64_t endNs = nowNs();
  ThreadState& state = threadState();
  if (!state.inFrame) return;
  state.inFrame = false;
  if (!enabled()) return;
  recordCpuSpan(state, std::string("frame"), 0, state.frameStartNs, endNs);
}

ScopedSpan Profiler::span(std::string_view name) {
  if (!enabled()) return ScopedSpan();
  openSpan(name);
  return ScopedSpan(this);
}

void Profiler::beginSpan(std::string_view name) {
  if (!enabled()) return;
  openSpan(name);
}

void Profiler::endSpan() {
  if (!enabled()) return;
  closeSpan();
}

void Profiler::openSpan(std::string_view name) {
  ThreadState& state = threadState();
  state.open.push_back(ThreadState::OpenSpan{std::string(name), 0});
  state.open.back().startNs = nowNs();  // last, so the bookkeeping is not inside the span
}

void Profiler::closeSpan() {
  const int64_t endNs = nowNs();
  ThreadState& state = threadState();
  if (state.open.empty()) return;
  ThreadState::OpenSpan top = std::move(state.open.back());
  state.open.pop_back();
  const int32_t depth = static_cast<int32_t>(state.open.size()) + (state.inFrame ? 1 : 0);
  recordCpuSpan(state, std::move(top.name), depth, top.startNs, endNs);
}

void Profiler::recordCpuSpan(ThreadState& state, std::string&& name, int32_t depth,
                             int64_t startNs, int64_t endNs) {
  std::lock_guard lock(mMutex);
  if (state.trackId == NO_TRACK) {
    const int index = mDefaultTracks++;
    state.trackId = trackIdLocked(index == 0 ? "cpu:main" : "cpu:" + std::to_string(index));
  }
  mSpans.push_back(StoredSpan{std::move(name), state.trackId, depth, state.frame, startNs, endNs});
}

void Profiler::addCpuSpan(std::string_view name, int64_t startNs, int64_t endNs) {
  if (!enabled()) return;
  ThreadState& state = threadState();
  const auto depth = static_cast<int32_t>(state.open.size()) + (state.inFrame ? 1 : 0);
  recordCpuSpan(state, std::string(name), depth, startNs, endNs);
}

void Profiler::addGpuSpan(std::string_view name, std::string_view track, int64_t frame,
                          int64_t startNs, int64_t endNs) {
  if (!enabled()) return;
  std::string ownedName(name);
  std::lock_guard lock(mMutex);
  const uint32_t trackId = trackIdLocked(track);
  mSpans.push_back(StoredSpan{std::move(ownedName), trackId, 0, frame, startNs, endNs});
}

std::vector<SpanRecord> Profiler::spans() const {
  std::lock_guard lock(mMutex);
  std::vector<SpanRecord> out;
  out.reserve(mSpans.size());
  for (const StoredSpan& s : mSpans) {
    out.push_back(SpanRecord{s.name, mTracks[s.trackId], s.frame, s.depth, s.startNs, s.endNs});
  }
  return out;
}

void Profiler::clear() {
  std::lock_guard lock(mMutex);
  mSpans.clear();
}

std::map<std::string, StageStats> Profiler::stageStats(std::string_view trackPrefix,
                                                       int64_t firstFrame) const {
  std::map<std::string, std::vector<double>> durationsMs;
  {
    std::lock_guard lock(mMutex);
    for (const StoredSpan& s : mSpans) {
      if (s.frame < firstFrame || !mTracks[s.trackId].starts_with(trackPrefix)) continue;
      durationsMs[s.name].push_back(static_cast<double>(s.endNs - s.startNs) * 1e-6);
    }
  }
  std::map<std::string, StageStats> stats;
  for (auto& [name, values] : durationsMs) {
    stats.emplace(name, computeStageStats(std::move(values)));
  }
  return stats;
}

}  // namespace meshrt
