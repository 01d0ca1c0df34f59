#include "core/stage_stats.h"

#include <algorithm>
#include <cmath>

namespace meshrt {

namespace {

// `sorted` is ascending and non-empty; `percent` is in [0, 100].
double percentileLinear(const std::vector<double>& sorted, double percent) {
  const double rank = percent / 100.0 * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double fraction = rank - static_cast<double>(lo);
  return sorted[lo] + fraction * (sorted[hi] - sorted[lo]);
}

}  // namespace

StageStats computeStageStats(std::vector<double> durationsMs) {
  std::erase_if(durationsMs, [](double v) { return std::isnan(v); });
  StageStats stats;
  if (durationsMs.empty()) return stats;

  std::sort(durationsMs.begin(), durationsMs.end());
  double sum = 0.0;
  for (double v : durationsMs) sum += v;

  stats.count = static_cast<int64_t>(durationsMs.size());
  stats.meanMs = sum / static_cast<double>(durationsMs.size());
  stats.p50Ms = percentileLinear(durationsMs, 50.0);
  stats.p95Ms = percentileLinear(durationsMs, 95.0);
  stats.p99Ms = percentileLinear(durationsMs, 99.0);
  stats.minMs = durationsMs.front();
  stats.maxMs = durationsMs.back();
  return stats;
}

}  // namespace meshrt
