#include "memory_report.h"

#include <cstdio>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"

namespace meshrt::cli {
namespace {

std::optional<MemorySample> sampleAt(const HeadlessDemoSummary& summary, int64_t frames) {
  for (const MemorySample& sample : summary.memory) {
    if (sample.frames == frames) return sample;
  }
  return std::nullopt;
}

}  // namespace

Result<void> writeMemoryReport(const HeadlessDemoSummary& summary, const HeadlessDemoParams& params,
                               const std::string& path) {
  nlohmann::json report;
  report["frames"] = summary.frames;
  report["source"] = params.source;
  report["save_every"] = params.saveEvery;
  report["samples"] = nlohmann::json::array();
  for (const MemorySample& sample : summary.memory) {
    report["samples"].push_back({{"frame", sample.frames}, {"rss_kib", sample.rssKib}});
  }
  const auto first = sampleAt(summary, MEMORY_SAMPLE_EVERY);
  const auto last = summary.memory.empty() ? std::nullopt : std::optional<MemorySample>(summary.memory.back());
  report["rss_kib_frame_100"] = first ? nlohmann::json(first->rssKib) : nlohmann::json(nullptr);
  report["rss_kib_last_frame"] = last ? nlohmann::json(last->rssKib) : nlohmann::json(nullptr);
  report["growth_percent"] = first && last && first->rssKib > 0
                                 ? nlohmann::json(100.0 * (static_cast<double>(last->rssKib) / static_cast<double>(first->rssKib) - 1.0))
                                 : nlohmann::json(nullptr);
  return writeFileAtomically(path, report.dump(2) + "\n");
}

std::string memoryReportLine(const HeadlessDemoSummary& summary) {
  if (summary.memory.empty()) return "resident memory: not sampled";
  const MemorySample last = summary.memory.back();
  char text[160];
  const auto first = sampleAt(summary, MEMORY_SAMPLE_EVERY);
  if (!first || first->frames == last.frames) {
    std::snprintf(text, sizeof(text), "resident memory: frame %lld %.1f MiB", static_cast<long long>(last.frames),
                  static_cast<double>(last.rssKib) / 1024.0);
  } else {
    std::snprintf(text, sizeof(text), "resident memory: frame %lld %.1f MiB, frame %lld %.1f MiB (%+.2f%%)",
                  static_cast<long long>(first->frames), static_cast<double>(first->rssKib) / 1024.0,
                  static_cast<long long>(last.frames), static_cast<double>(last.rssKib) / 1024.0,
                  100.0 * (static_cast<double>(last.rssKib) / static_cast<double>(first->rssKib) - 1.0));
  }
  return text;
}

}  // namespace meshrt::cli
