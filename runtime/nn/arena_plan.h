// Liveness-based placement of an executor's activation buffers in one arena: buffers whose
// lifetimes (step intervals) overlap never overlap in memory; others reuse the same bytes.
// Greedy by size, largest first, each at the lowest aligned offset that fits (like TFLite's
// arena planner). Pure host code: unit-tested on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace meshrt::nn {

struct ArenaRequest {
  size_t bytes = 0;
  int32_t firstStep = 0;  // the step that writes it first (inclusive)
  int32_t lastStep = 0;   // the last step that reads it (inclusive)
};

struct ArenaPlan {
  std::vector<size_t> offsets;  // bytes from the arena start, one per request, multiples of `alignment`
  size_t totalBytes = 0;        // arena size needed
};

ArenaPlan planArena(const std::vector<ArenaRequest>& requests, size_t alignment = 64);

}  // namespace meshrt::nn
