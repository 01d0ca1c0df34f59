#include "bench_report.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

#include "core/clock.h"
#include "core/stage_stats.h"
#include "git_revision.h"

namespace meshrt::cli {
namespace {

bool isGpuTrack(const std::string& track) { return track.rfind("gpu", 0) == 0; }

std::string utcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace

FrameOverlap measureFrameOverlap(const std::vector<SpanRecord>& spans, int64_t firstFrame) {
  // Per frame: [earliest start, latest end] over every track.
  std::map<int64_t, std::pair<int64_t, int64_t>> extents;
  for (const SpanRecord& span : spans) {
    if (span.frame < firstFrame) continue;
    auto [it, inserted] = extents.try_emplace(span.frame, span.startNs, span.endNs);
    if (!inserted) {
      it->second.first = std::min(it->second.first, span.startNs);
      it->second.second = std::max(it->second.second, span.endNs);
    }
  }
  FrameOverlap result;
  double overlapSum = 0, extentSum = 0;
  for (auto it = extents.begin(); it != extents.end(); ++it) {
    auto next = std::next(it);
    if (next == extents.end() || next->first != it->first + 1) continue;
    overlapSum += static_cast<double>(std::max<int64_t>(0, it->second.second - next->second.first)) * 1e-6;
    extentSum += static_cast<double>(it->second.second - it->second.first) * 1e-6;
    ++result.pairs;
  }
  if (result.pairs > 0) {
    result.meanOverlapMs = overlapSum / static_cast<double>(result.pairs);
    result.meanFrameExtentMs = extentSum / static_cast<double>(result.pairs);
    result.overlapFraction = result.meanFrameExtentMs > 0 ? result.meanOverlapMs / result.meanFrameExtentMs : 0;
  }
  return result;
}

double measureSpanCostNs(int iterations) {
  Profiler profiler(static_cast<size_t>(iterations) + 16);
  profiler.setThreadName("calibration");
  profiler.beginFrame(0);
  const int64_t start = nowNs();
  for (int i = 0; i < iterations; ++i) {
    auto span = profiler.span("calibration");
  }
  const int64_t end = nowNs();
  profiler.endFrame();
  return iterations > 0 ? static_cast<double>(end - start) / iterations : 0.0;
}

double measureFps(const std::vector<SpanRecord>& spans, int64_t firstFrame) {
  int64_t firstStart = std::numeric_limits<int64_t>::max(), lastStart = std::numeric_limits<int64_t>::min();
  int64_t count = 0;
  for (const SpanRecord& span : spans) {
    if (span.depth != 0 || span.name != "frame" || isGpuTrack(span.track) || span.frame < firstFrame) continue;
    firstStart = std::min(firstStart, span.startNs);
    lastStart = std::max(lastStart, span.startNs);
    ++count;
  }
  if (count < 2 || lastStart <= firstStart) return 0.0;
  return static_cast<double>(count - 1) / (static_cast<double>(lastStart - firstStart) * 1e-9);
}

nlohmann::json benchReportJson(const BenchConfig& config, const std::vector<SpanRecord>& spans, double spanCostNs) {
  using nlohmann::json;
  // Durations per stage name and clock, after warm-up.
  std::map<std::string, std::vector<double>> cpuDurations, gpuDurations;
  int64_t cpuSpans = 0;
  for (const SpanRecord& span : spans) {
    if (span.frame < config.warmup) continue;
    const double ms = static_cast<double>(span.endNs - span.startNs) * 1e-6;
    if (isGpuTrack(span.track)) {
      gpuDurations[span.name].push_back(ms);
    } else {
      cpuDurations[span.name].push_back(ms);
      ++cpuSpans;
    }
  }
  auto statsJson = [](const char* clock, std::vector<double> durations) {
    const StageStats stats = computeStageStats(std::move(durations));
    return json{{"clock", clock},        {"count", stats.count}, {"mean", stats.meanMs}, {"p50", stats.p50Ms},
                {"p95", stats.p95Ms},    {"p99", stats.p99Ms},   {"min", stats.minMs},   {"max", stats.maxMs}};
  };
  json stages = json::object();
  for (auto& [name, durations] : cpuDurations) stages[name] = statsJson("cpu", std::move(durations));
  for (auto& [name, durations] : gpuDurations) {
    stages[cpuDurations.count(name) ? name + "_gpu" : name] = statsJson("gpu", std::move(durations));
  }

  const int64_t measuredFrames = std::max<int64_t>(0, config.frames - config.warmup);
  const FrameOverlap overlap = measureFrameOverlap(spans, config.warmup);
  ProfilingOverhead overhead;
  overhead.spanCostNs = spanCostNs;
  overhead.cpuSpansPerFrame = measuredFrames > 0 ? static_cast<double>(cpuSpans) / static_cast<double>(measuredFrames) : 0;
  const double fps = measureFps(spans, config.warmup);
  const double frameNs = fps > 0 ? 1e9 / fps : 0;
  overhead.fractionOfFrame = frameNs > 0 ? overhead.cpuSpansPerFrame * spanCostNs / frameNs : 0;

  json report;
  report["meshrt_version"] = MESHRT_VERSION;
  report["git_revision"] = MESHRT_GIT_REVISION;
  report["date"] = utcNow();
  report["config"] = {{"pack", config.pack.empty() ? json(nullptr) : json(config.pack)},
                      {"head", config.head.empty() ? json(nullptr) : json(config.head)},
                      {"source", config.source},
                      {"frames", config.frames},
                      {"warmup", config.warmup},
                      {"threads", config.threads}};
  report["frames"] = measuredFrames;
  report["device"] = config.device;
  report["encoder_backend"] = config.encoderBackend;
  report["fps"] = fps;
  report["stages"] = std::move(stages);
  report["pipelining"] = {{"frame_pairs", overlap.pairs},
                          {"mean_overlap_ms", overlap.meanOverlapMs},
                          {"mean_frame_extent_ms", overlap.meanFrameExtentMs},
                          {"overlap_fraction", overlap.overlapFraction}};
  report["profiling_overhead"] = {{"span_cost_ns", overhead.spanCostNs},
                                  {"cpu_spans_per_frame", overhead.cpuSpansPerFrame},
                                  {"fraction_of_frame", overhead.fractionOfFrame}};
  return report;
}

Result<void> writeJsonFile(const nlohmann::json& json, const std::string& path) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return makeError(path, "cannot open for writing");
    out << json.dump(2) << "\n";
    out.flush();
    if (!out) {
      out.close();
      std::remove(temporary.c_str());
      return makeError(path, "write failed");
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::remove(temporary.c_str());
    return makeError(path, "rename failed: " + error.message());
  }
  return {};
}

}  // namespace meshrt::cli
