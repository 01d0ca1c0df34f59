// Choosing a physical device: pure logic, testable without a Vulkan driver.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "meshrt/result.h"

namespace meshrt::vk {

enum class DeviceKind { Discrete, Integrated, Virtual, Cpu, Other };

struct DeviceCandidate {
  std::string name;           // VkPhysicalDeviceProperties::deviceName
  DeviceKind kind;
  bool hasComputeQueue;       // a queue family with VK_QUEUE_COMPUTE_BIT
  bool meetsRequirements;     // Vulkan >= 1.2 with timeline semaphores
};

// Picks a device index.
// - selector empty: the first usable device by preference discrete > integrated > virtual
//   > other > cpu (lavapipe is the fallback).
// - selector all digits: that index in `candidates`.
// - otherwise: the first usable device whose name contains the selector (case-insensitive).
// `selectorSource` names where the selector came from (e.g. "MESHRT_DEVICE") for the error:
// "MESHRT_DEVICE='nvidia': no Vulkan device matches (devices: 0 'llvmpipe (LLVM 15.0.6, 256 bits)')".
Result<size_t> selectDevice(const std::vector<DeviceCandidate>& candidates, std::string_view selector,
                            std::string_view selectorSource);

}  // namespace meshrt::vk
