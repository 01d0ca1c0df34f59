// First-fit allocator of byte ranges inside one fixed-size block, with coalescing frees.
// Pure bookkeeping (no Vulkan), so it is unit-tested on its own.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

namespace meshrt::vk {

class RangeAllocator {
 public:
  explicit RangeAllocator(uint64_t capacity);

  // Offset of a free range of `size` bytes aligned to `alignment` (a power of two), or none.
  std::optional<uint64_t> allocate(uint64_t size, uint64_t alignment);
  // Returns a range obtained from allocate(); neighbours merge back into one free range.
  void free(uint64_t offset);

  uint64_t capacity() const { return mCapacity; }
  uint64_t usedBytes() const { return mUsed; }
  bool empty() const { return mAllocated.empty(); }
  size_t freeRangeCount() const { return mFree.size(); }

 private:
  uint64_t mCapacity;
  uint64_t mUsed = 0;
  std::map<uint64_t, uint64_t> mFree;       // offset -> size, disjoint, never adjacent
  std::map<uint64_t, uint64_t> mAllocated;  // offset handed out -> size reserved (incl. alignment padding)
  std::map<uint64_t, uint64_t> mPadding;    // offset handed out -> padding bytes before it
};

}  // namespace meshrt::vk
