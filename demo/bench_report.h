// The JSON report of `meshrt bench` (DESIGN §7; schema: docs/schemas/bench.schema.json), built
// from the profiler's spans of a finished run. Pure functions of the spans, so the tests feed
// them hand-made timelines.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/profiler.h"
#include "meshrt/result.h"

namespace meshrt::cli {

struct BenchConfig {
  std::string pack;            // "" = no pack (capture and image stages only)
  std::string head;
  std::string source;
  int64_t frames = 0;          // frames run, warm-up included
  int64_t warmup = 0;          // frames dropped from every statistic
  std::string device;          // Vulkan device name
  std::string encoderBackend;  // "cpu-onednn", "cuda", or "none" without a pack
  int threads = 0;             // encoder threads
};

// How much consecutive frames overlap in time: frame N's extent is [earliest start, latest end]
// of its spans on every track (CPU and GPU). overlap = max(0, end(N) − start(N+1)) is the time
// frame N+1 already runs while frame N is still in flight.
struct FrameOverlap {
  int64_t pairs = 0;              // consecutive frame pairs measured (both after warm-up)
  double meanOverlapMs = 0;
  double meanFrameExtentMs = 0;   // mean extent of a frame, end to end
  double overlapFraction = 0;     // meanOverlapMs / meanFrameExtentMs
};
FrameOverlap measureFrameOverlap(const std::vector<SpanRecord>& spans, int64_t firstFrame);

// Profiling cost: CPU spans per frame × the measured cost of one span (open, close, record),
// over the mean frame time (GPU timestamps are written by the device and not counted here).
struct ProfilingOverhead {
  double spanCostNs = 0;
  double cpuSpansPerFrame = 0;
  double fractionOfFrame = 0;
};
// Times `iterations` spans on a private Profiler; ns per span.
double measureSpanCostNs(int iterations = 20000);

// Frames per second after warm-up: (frames − 1) / (start of the last frame − start of the first),
// from the depth-0 CPU "frame" spans with frame ≥ firstFrame. 0 with fewer than two frames.
double measureFps(const std::vector<SpanRecord>& spans, int64_t firstFrame);

// The whole report: config, revision, device, fps, stages{name: {clock, count, mean, p50, p95,
// p99, min, max}} in ms (CPU spans by name; a GPU span whose name is also a CPU span's gets the
// suffix "_gpu"), the frame overlap and the profiling overhead.
nlohmann::json benchReportJson(const BenchConfig& config, const std::vector<SpanRecord>& spans, double spanCostNs);

// Writes `json` (indented) to `path` through `path.tmp` + rename.
Result<void> writeJsonFile(const nlohmann::json& json, const std::string& path);

}  // namespace meshrt::cli
