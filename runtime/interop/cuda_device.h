// Finding the CUDA device that is the same GPU as the Vulkan device (DESIGN §3): CUDA is used
// only when its device UUID equals VkPhysicalDeviceIDProperties::deviceUUID.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace meshrt {

struct CudaDeviceReport {
  bool compiled = false;           // the CUDA backend is built into this library
  bool deviceFound = false;        // the CUDA runtime reports at least one device
  int deviceIndex = -1;            // the CUDA device matching the Vulkan UUID, or -1
  std::string deviceName;          // of the matching device (else of device 0, if any)
  std::string runtimeVersion;      // e.g. "13.0"; empty when not compiled
  bool uuidMatchesVulkan = false;  // a device's UUID equals the Vulkan device's
  std::string reason;              // why CUDA will not be used; empty when it will
};

// Safe to call on machines without a driver or GPU: it reports, it never fails.
CudaDeviceReport probeCudaDevice(const std::array<uint8_t, 16>& vulkanDeviceUuid);

}  // namespace meshrt
