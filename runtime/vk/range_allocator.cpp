#include "vk/range_allocator.h"

#include <cassert>
#include <iterator>

namespace meshrt::vk {

RangeAllocator::RangeAllocator(uint64_t capacity) : mCapacity(capacity) {
  if (capacity > 0) mFree.emplace(0, capacity);
}

std::optional<uint64_t> RangeAllocator::allocate(uint64_t size, uint64_t alignment) {
  if (size == 0 || alignment == 0 || (alignment & (alignment - 1)) != 0) return std::nullopt;
  for (auto it = mFree.begin(); it != mFree.end(); ++it) {
    const uint64_t start = it->first;
    const uint64_t rangeSize = it->second;
    const uint64_t aligned = (start + alignment - 1) & ~(alignment - 1);
    const uint64_t padding = aligned - start;
    if (padding + size > rangeSize) continue;
    mFree.erase(it);
    const uint64_t end = aligned + size;
    if (end < start + rangeSize) mFree.emplace(end, start + rangeSize - end);
    mAllocated.emplace(aligned, padding + size);
    mPadding.emplace(aligned, padding);
    mUsed += padding + size;
    return aligned;
  }
  return std::nullopt;
}

void RangeAllocator::free(uint64_t offset) {
  auto allocated = mAllocated.find(offset);
  assert(allocated != mAllocated.end() && "RangeAllocator::free of an unknown offset");
  if (allocated == mAllocated.end()) return;
  auto padding = mPadding.find(offset);
  uint64_t start = offset - padding->second;
  uint64_t size = allocated->second;
  mUsed -= size;
  mAllocated.erase(allocated);
  mPadding.erase(padding);

  auto next = mFree.lower_bound(start);
  if (next != mFree.end() && start + size == next->first) {
    size += next->second;
    next = mFree.erase(next);
  }
  if (next != mFree.begin()) {
    auto previous = std::prev(next);
    if (previous->first + previous->second == start) {
      previous->second += size;
      return;
    }
  }
  mFree.emplace(start, size);
}

}  // namespace meshrt::vk
