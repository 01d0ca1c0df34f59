// planArena(): see arena_plan.h.
#include "nn/arena_plan.h"

#include <algorithm>
#include <numeric>

namespace meshrt::nn {
namespace {

size_t alignUp(size_t value, size_t alignment) { return (value + alignment - 1) / alignment * alignment; }

bool livesOverlap(const ArenaRequest& a, const ArenaRequest& b) {
  return a.firstStep <= b.lastStep && b.firstStep <= a.lastStep;
}

}  // namespace

ArenaPlan planArena(const std::vector<ArenaRequest>& requests, size_t alignment) {
  ArenaPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return requests[a].bytes > requests[b].bytes; });

  struct Placed {
    size_t offset, end;
    size_t request;
  };
  std::vector<Placed> placed;  // sorted by offset
  for (size_t index : order) {
    const ArenaRequest& request = requests[index];
    const size_t bytes = alignUp(std::max<size_t>(request.bytes, 1), alignment);
    // First gap, scanning placed buffers that are alive at the same time, in offset order.
    size_t candidate = 0;
    for (const Placed& other : placed) {
      if (!livesOverlap(request, requests[other.request])) continue;
      if (other.offset >= candidate + bytes) break;
      candidate = std::max(candidate, alignUp(other.end, alignment));
    }
    plan.offsets[index] = candidate;
    plan.totalBytes = std::max(plan.totalBytes, candidate + bytes);
    const Placed entry{candidate, candidate + bytes, index};
    placed.insert(std::upper_bound(placed.begin(), placed.end(), entry,
                                   [](const Placed& a, const Placed& b) { return a.offset < b.offset; }),
                  entry);
  }
  return plan;
}

}  // namespace meshrt::nn
