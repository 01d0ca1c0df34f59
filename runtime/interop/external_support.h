// What the Vulkan device can share with another API or device through opaque POSIX fds:
// dedicated buffer memory (VK_KHR_external_memory_fd) and timeline semaphores
// (VK_KHR_external_semaphore_fd). Both are needed for CUDA zero-copy (DESIGN §3); each
// "no" carries the reason, which `meshrt info` prints.
#pragma once

#include <string>

namespace meshrt::vk {
class Context;
}

namespace meshrt::interop {

struct ExternalSupport {
  bool memoryFd = false;        // exportable + importable opaque-fd buffer memory
  bool memoryNeedsDedicated = false;  // the driver requires dedicated allocations for it
  std::string memoryReason;     // why memoryFd is false; empty when true
  bool timelineFd = false;      // exportable + importable opaque-fd timeline semaphores
  std::string timelineReason;   // why timelineFd is false; empty when true
};

// Queries the device extensions that the context enabled and the driver's export/import
// capabilities for storage buffers and timeline semaphores.
ExternalSupport queryExternalSupport(const vk::Context& context);

}  // namespace meshrt::interop
