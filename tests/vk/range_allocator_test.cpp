// RangeAllocator: alignment, exhaustion, coalescing, and a seeded random stress against a
// simple occupancy model.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "vk/range_allocator.h"

namespace meshrt::vk {
namespace {

TEST(RangeAllocator, AlignsAndExhausts) {
  RangeAllocator ranges(1024);
  auto a = ranges.allocate(10, 1);
  auto b = ranges.allocate(100, 256);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, 0u);
  EXPECT_EQ(*b, 256u);
  EXPECT_FALSE(ranges.allocate(1024, 1).has_value());
  EXPECT_FALSE(ranges.allocate(0, 1).has_value());
  EXPECT_FALSE(ranges.allocate(8, 3).has_value()) << "alignment must be a power of two";
}

TEST(RangeAllocator, FreesCoalesceBackToOneRange) {
  RangeAllocator ranges(4096);
  std::vector<uint64_t> offsets;
  for (int i = 0; i < 16; ++i) offsets.push_back(*ranges.allocate(256, 256));
  EXPECT_FALSE(ranges.allocate(1, 1).has_value());
  for (size_t i = 0; i < offsets.size(); i += 2) ranges.free(offsets[i]);
  for (size_t i = 1; i < offsets.size(); i += 2) ranges.free(offsets[i]);
  EXPECT_TRUE(ranges.empty());
  EXPECT_EQ(ranges.usedBytes(), 0u);
  EXPECT_EQ(ranges.freeRangeCount(), 1u);
  EXPECT_EQ(ranges.allocate(4096, 1), 0u);
}

TEST(RangeAllocator, RandomStressNeverOverlapsAndAccountsExactly) {
  std::mt19937 random(2024);
  RangeAllocator ranges(1 << 20);
  std::map<uint64_t, uint64_t> live;  // offset -> size
  for (int step = 0; step < 20000; ++step) {
    if (live.empty() || random() % 3 != 0) {
      const uint64_t size = 1 + random() % 5000;
      const uint64_t alignment = uint64_t{1} << (random() % 9);
      auto offset = ranges.allocate(size, alignment);
      if (!offset) continue;
      ASSERT_EQ(*offset % alignment, 0u);
      auto next = live.lower_bound(*offset);
      if (next != live.end()) {
        ASSERT_LE(*offset + size, next->first) << "overlaps the next range";
      }
      if (next != live.begin()) {
        auto previous = std::prev(next);
        ASSERT_LE(previous->first + previous->second, *offset) << "overlaps the previous range";
      }
      live[*offset] = size;
    } else {
      auto victim = live.begin();
      std::advance(victim, random() % live.size());
      ranges.free(victim->first);
      live.erase(victim);
    }
  }
  for (const auto& [offset, size] : live) ranges.free(offset);
  EXPECT_TRUE(ranges.empty());
  EXPECT_EQ(ranges.freeRangeCount(), 1u);
}

}  // namespace
}  // namespace meshrt::vk
