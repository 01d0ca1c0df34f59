// Summary statistics of one stage's durations over many frames.
#pragma once

#include <cstdint>
#include <vector>

namespace meshrt {

// All durations in milliseconds.
struct StageStats {
  int64_t count = 0;  // number of samples
  double meanMs = 0.0;
  double p50Ms = 0.0;
  double p95Ms = 0.0;
  double p99Ms = 0.0;
  double minMs = 0.0;
  double maxMs = 0.0;
};

// Percentiles interpolate linearly between closest ranks, the same definition as
// numpy.percentile's default method="linear": for sorted x[0..n-1], percentile p sits at
// rank r = p/100 * (n-1) and is x[floor(r)] + (r - floor(r)) * (x[ceil(r)] - x[floor(r)]).
// NaN samples are dropped. Empty input gives count 0 and every field 0.
StageStats computeStageStats(std::vector<double> durationsMs);

}  // namespace meshrt
