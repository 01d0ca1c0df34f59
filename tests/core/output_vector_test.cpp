// resizeOutput(): sizes and zero contents, in-place reuse of a kept vector, and the huge-page
// advice on fresh large outputs (checked in /proc/self/smaps: the kernel marks an advised
// mapping with the VmFlags entry "hg").
#include "core/output_vector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace meshrt {
namespace {

// The VmFlags line of the mapping that contains `address`, or "" if /proc/self/smaps has none.
std::string vmFlagsAt(const void* address) {
  std::ifstream smaps("/proc/self/smaps");
  const uintptr_t target = reinterpret_cast<uintptr_t>(address);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    unsigned long long begin = 0, end = 0;
    if (std::sscanf(line.c_str(), "%llx-%llx ", &begin, &end) == 2 && line.find('-') < 17) {
      inside = target >= begin && target < end;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

bool transparentHugePagesOff() {
  std::ifstream setting("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string text((std::istreambuf_iterator<char>(setting)), std::istreambuf_iterator<char>());
  return text.empty() || text.find("[never]") != std::string::npos;
}

TEST(OutputVector, FreshLargeOutputIsZeroedAndSized) {
  std::vector<float> out{1.0f, 2.0f};
  const size_t count = (size_t{8} << 20) / sizeof(float);
  resizeOutput(out, count);
  ASSERT_EQ(out.size(), count);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](float v) { return v == 0.0f; }));
}

TEST(OutputVector, KeptVectorIsResizedInPlace) {
  std::vector<float> out;
  const size_t count = (size_t{8} << 20) / sizeof(float);
  resizeOutput(out, count);
  const float* data = out.data();
  out[count - 1] = 5.0f;
  resizeOutput(out, count / 2);
  resizeOutput(out, count);
  EXPECT_EQ(out.data(), data) << "a vector with the capacity must not be reallocated";
  std::vector<uint32_t> small;
  resizeOutput(small, 100);
  EXPECT_EQ(small.size(), 100u);
}

TEST(OutputVector, FreshLargeOutputIsAdvisedOntoHugePages) {
  if (transparentHugePagesOff()) GTEST_SKIP() << "transparent huge pages are off on this kernel";
  std::ifstream smaps("/proc/self/smaps");
  std::string text((std::istreambuf_iterator<char>(smaps)), std::istreambuf_iterator<char>());
  if (text.find("VmFlags:") == std::string::npos) GTEST_SKIP() << "/proc/self/smaps has no VmFlags here";
  std::vector<float> out;
  resizeOutput(out, (size_t{8} << 20) / sizeof(float));
  constexpr uintptr_t HUGE_PAGE = uintptr_t{2} << 20;
  const uintptr_t aligned = (reinterpret_cast<uintptr_t>(out.data()) + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  const std::string flags = vmFlagsAt(reinterpret_cast<const void*>(aligned));
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
}

}  // namespace
}  // namespace meshrt
