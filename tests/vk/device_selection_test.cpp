// Device preference and MESHRT_DEVICE selector rules, without a driver.
#include <gtest/gtest.h>

#include "vk/device_selection.h"

namespace meshrt::vk {
namespace {

const std::vector<DeviceCandidate> MACHINE = {
    {"llvmpipe (LLVM 15.0.6, 256 bits)", DeviceKind::Cpu, true, true},
    {"Intel(R) UHD Graphics 770", DeviceKind::Integrated, true, true},
    {"NVIDIA GeForce RTX 4090", DeviceKind::Discrete, true, true},
    {"Old GPU", DeviceKind::Discrete, true, false},
};

TEST(DeviceSelection, PrefersDiscreteThenIntegratedThenCpu) {
  EXPECT_EQ(*selectDevice(MACHINE, "", "MESHRT_DEVICE"), 2u);
  EXPECT_EQ(*selectDevice({MACHINE[0], MACHINE[1]}, "", "MESHRT_DEVICE"), 1u);
  EXPECT_EQ(*selectDevice({MACHINE[0]}, "", "MESHRT_DEVICE"), 0u);
}

TEST(DeviceSelection, SelectsByCaseInsensitiveSubstringOrIndex) {
  EXPECT_EQ(*selectDevice(MACHINE, "LLVMpipe", "MESHRT_DEVICE"), 0u);
  EXPECT_EQ(*selectDevice(MACHINE, "uhd", "MESHRT_DEVICE"), 1u);
  EXPECT_EQ(*selectDevice(MACHINE, "0", "MESHRT_DEVICE"), 0u);
}

TEST(DeviceSelection, ErrorsNameTheSelectorAndListTheDevices) {
  auto none = selectDevice(MACHINE, "radeon", "MESHRT_DEVICE");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message.rfind("MESHRT_DEVICE='radeon': no Vulkan device matches (devices: 0 'llvmpipe", 0), 0u)
      << none.error().message;
  EXPECT_NE(none.error().message.find("3 'Old GPU' (unusable)"), std::string::npos);
  EXPECT_FALSE(selectDevice(MACHINE, "9", "MESHRT_DEVICE").ok());
  EXPECT_FALSE(selectDevice(MACHINE, "3", "MESHRT_DEVICE").ok()) << "unusable device by index";
  EXPECT_FALSE(selectDevice(MACHINE, "Old", "MESHRT_DEVICE").ok()) << "unusable device by name";
  EXPECT_FALSE(selectDevice({}, "", "MESHRT_DEVICE").ok());
}

}  // namespace
}  // namespace meshrt::vk
