// Choosing and creating the EncoderIo path (DESIGN §3): CUDA zero-copy when the CUDA backend
// is compiled, a CUDA device has the Vulkan device's UUID, and the Vulkan device can export
// memory and timeline semaphores as fds; otherwise host-visible buffers for the CPU executor.
// Every fallback carries its reason, which `meshrt info` prints.
#pragma once

#include <memory>
#include <string>

#include "interop/cuda_device.h"
#include "interop/encoder_io.h"
#include "interop/external_support.h"

namespace meshrt::interop {

struct EncoderIoChoice {
  EncoderIoPath path = EncoderIoPath::HostVisible;
  std::string reason;  // why CUDA zero-copy is not used; empty when it is
};

// Pure decision from what was probed (unit-tested without a device).
EncoderIoChoice chooseEncoderIoPath(const ExternalSupport& support, const CudaDeviceReport& cuda);

struct CreatedEncoderIo {
  std::unique_ptr<EncoderIo> io;
  std::string fallbackReason;  // non-empty when io is HostVisible: why not CUDA zero-copy
};

// Creates the chosen path. When CUDA zero-copy was chosen but creating it fails (an import
// refused by the driver), falls back to HostVisible and says why; fails only when the
// host-visible buffers cannot be made either.
Result<CreatedEncoderIo> createEncoderIo(const vk::Context& context, vk::GpuAllocator& allocator,
                                         const EncoderIoParams& params, const CudaDeviceReport& cuda,
                                         const VulkanAccess& access = {});

}  // namespace meshrt::interop
