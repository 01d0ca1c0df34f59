// planArena(): buffers alive at the same step never share bytes; dead ones are reused.
#include "nn/arena_plan.h"

#include <gtest/gtest.h>

#include "support/splitmix.h"

namespace meshrt::nn {
namespace {

TEST(NnArenaPlan, ChainReusesMemory) {
  // A chain a -> b -> c -> d: each buffer lives across two steps; a and c can share, b and d too.
  const std::vector<ArenaRequest> requests{{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  const ArenaPlan plan = planArena(requests);
  EXPECT_EQ(plan.totalBytes, 2048u);  // two 1000-byte buffers rounded up to 64
  EXPECT_EQ(plan.offsets[0], plan.offsets[2]);
  EXPECT_NE(plan.offsets[0], plan.offsets[1]);
}

TEST(NnArenaPlan, RandomRequestsNeverOverlapWhileAlive) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::vector<ArenaRequest> requests(40);
    for (size_t i = 0; i < requests.size(); ++i) {
      const auto first = static_cast<int32_t>(test::splitmixUniform(seed, 3 * i) * 30);
      requests[i] = {1 + static_cast<size_t>(test::splitmixUniform(seed, 3 * i + 1) * 5000), first,
                     first + static_cast<int32_t>(test::splitmixUniform(seed, 3 * i + 2) * 8)};
    }
    const ArenaPlan plan = planArena(requests, 64);
    size_t total = 0;
    for (size_t i = 0; i < requests.size(); ++i) {
      EXPECT_EQ(plan.offsets[i] % 64, 0u);
      EXPECT_LE(plan.offsets[i] + requests[i].bytes, plan.totalBytes);
      total += (requests[i].bytes + 63) / 64 * 64;
      for (size_t j = 0; j < i; ++j) {
        const bool alive = requests[i].firstStep <= requests[j].lastStep && requests[j].firstStep <= requests[i].lastStep;
        const bool overlap = plan.offsets[i] < plan.offsets[j] + requests[j].bytes && plan.offsets[j] < plan.offsets[i] + requests[i].bytes;
        EXPECT_FALSE(alive && overlap) << "seed " << seed << " buffers " << i << ", " << j;
      }
    }
    EXPECT_LE(plan.totalBytes, total);
  }
}

}  // namespace
}  // namespace meshrt::nn
