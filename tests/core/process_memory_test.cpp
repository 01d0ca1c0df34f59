// VmRSS from /proc/<pid>/status text (core/process_memory.h), and the live value.
#include "core/process_memory.h"

#include <gtest/gtest.h>

#include <vector>

namespace meshrt {
namespace {

TEST(ProcessMemory, ParsesVmRssFromStatusText) {
  const char* status = "Name:\tmeshrt\nVmPeak:\t  400000 kB\nVmRSS:\t   123456 kB\nRssAnon:\t  100 kB\n";
  auto kib = parseVmRssKib(status, "status");
  ASSERT_TRUE(kib.ok()) << kib.error().message;
  EXPECT_EQ(*kib, 123456u);
  auto first = parseVmRssKib("VmRSS: 7 kB\n", "status");
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(*first, 7u);
}

TEST(ProcessMemory, MalformedStatusTextIsAnError) {
  auto missing = parseVmRssKib("Name:\tx\nVmHWM:\t1 kB\n", "status");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "status: no VmRSS line");
  auto notNumber = parseVmRssKib("Name:\tx\nVmRSS:\tlots kB\n", "status");
  ASSERT_FALSE(notNumber.ok());
  EXPECT_EQ(notNumber.error().message, "status: VmRSS: not a number");
  auto unit = parseVmRssKib("Name:\tx\nVmRSS:\t12 MB\n", "status");
  ASSERT_FALSE(unit.ok());
  EXPECT_EQ(unit.error().message, "status: VmRSS: unit is not kB");
}

TEST(ProcessMemory, ResidentSetGrowsWhenMemoryIsTouched) {
  auto before = residentSetKib();
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_GT(*before, 0u);
  std::vector<unsigned char> block(64u << 20);  // 64 MiB, zero-filled: every page touched
  for (size_t i = 0; i < block.size(); i += 4096) block[i] = static_cast<unsigned char>(i);
  auto after = residentSetKib();
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_GE(*after, *before + 32u * 1024u) << "64 MiB touched; at least half must show as resident";
  EXPECT_EQ(block[4096], static_cast<unsigned char>(4096));
}

}  // namespace
}  // namespace meshrt
