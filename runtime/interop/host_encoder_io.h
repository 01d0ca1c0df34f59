// EncoderIo over host-visible Vulkan buffers, for the CPU executor (no CUDA, or CUDA off).
// The executor reads the inputs and writes the outputs through mapped pointers; it waits on
// inputReady/outputConsumed and signals outputReady from the host (vkWaitSemaphores,
// vkSignalSemaphore), so the Vulkan side sees the same handshake as on the CUDA path.
#pragma once

#include <memory>

#include "interop/encoder_io.h"

namespace meshrt::interop {

class HostEncoderIo final : public EncoderIo {
 public:
  static Result<std::unique_ptr<HostEncoderIo>> create(const vk::Context& context, vk::GpuAllocator& allocator,
                                                       const EncoderIoParams& params, const VulkanAccess& access = {});

  EncoderIoPath path() const override { return EncoderIoPath::HostVisible; }
  void recordBeforeInputWrites(VkCommandBuffer cmd, uint64_t frame) const override;
  void recordAfterInputWrites(VkCommandBuffer cmd, uint64_t frame) const override;
  void recordBeforeOutputReads(VkCommandBuffer cmd, uint64_t frame) const override;
  void recordAfterOutputReads(VkCommandBuffer cmd, uint64_t frame) const override;
  Result<void> runEncoder(uint64_t frame, const EncoderFn& encoder, uint64_t timeoutNs) override;

 private:
  using EncoderIo::EncoderIo;
};

}  // namespace meshrt::interop
