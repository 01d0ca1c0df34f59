#include "interop/encoder_io_factory.h"

#include "interop/cuda_encoder_io.h"
#include "interop/host_encoder_io.h"

namespace meshrt::interop {

EncoderIoChoice chooseEncoderIoPath(const ExternalSupport& support, const CudaDeviceReport& cuda) {
  EncoderIoChoice choice;
  if (!cuda.compiled || !cuda.uuidMatchesVulkan) {
    choice.reason = cuda.reason.empty() ? "no CUDA device matches the Vulkan device" : cuda.reason;
  } else if (!support.memoryFd) {
    choice.reason = support.memoryReason;
  } else if (!support.timelineFd) {
    choice.reason = support.timelineReason;
  } else {
    choice.path = EncoderIoPath::CudaZeroCopy;
  }
  return choice;
}

Result<CreatedEncoderIo> createEncoderIo(const vk::Context& context, vk::GpuAllocator& allocator,
                                         const EncoderIoParams& params, const CudaDeviceReport& cuda,
                                         const VulkanAccess& access) {
  CreatedEncoderIo created;
  const EncoderIoChoice choice = chooseEncoderIoPath(queryExternalSupport(context), cuda);
  created.fallbackReason = choice.reason;
  if (choice.path == EncoderIoPath::CudaZeroCopy) {
    auto io = CudaEncoderIo::create(context, allocator, params, cuda.deviceIndex, access);
    if (io) {
      created.io = std::move(*io);
      return created;
    }
    created.fallbackReason = "CUDA zero-copy set-up failed: " + io.error().message;
  }
  auto io = HostEncoderIo::create(context, allocator, params, access);
  if (!io) return io.error();
  created.io = std::move(*io);
  return created;
}

}  // namespace meshrt::interop
