#include "interop/host_encoder_io.h"

#include <string>

namespace meshrt::interop {
namespace {

void recordHostBarrier(VkCommandBuffer cmd, VkPipelineStageFlags srcStages, VkAccessFlags srcAccess,
                       VkPipelineStageFlags dstStages, VkAccessFlags dstAccess, std::span<const VkBuffer> buffers) {
  std::vector<VkBufferMemoryBarrier> barriers;
  for (VkBuffer buffer : buffers) {
    VkBufferMemoryBarrier barrier{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER};
    barrier.srcAccessMask = srcAccess;
    barrier.dstAccessMask = dstAccess;
    barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.buffer = buffer;
    barrier.size = VK_WHOLE_SIZE;
    barriers.push_back(barrier);
  }
  vkCmdPipelineBarrier(cmd, srcStages, dstStages, 0, 0, nullptr, static_cast<uint32_t>(barriers.size()),
                       barriers.data(), 0, nullptr);
}

}  // namespace

Result<std::unique_ptr<HostEncoderIo>> HostEncoderIo::create(const vk::Context& context, vk::GpuAllocator& allocator,
                                                             const EncoderIoParams& params, const VulkanAccess& access) {
  MESHRT_TRY(validate(params));
  std::unique_ptr<HostEncoderIo> io(new HostEncoderIo(context, params, access));
  MESHRT_TRY(io->createResources(allocator, false));
  return io;
}

void HostEncoderIo::recordBeforeInputWrites(VkCommandBuffer cmd, uint64_t frame) const {
  recordInputWriteAfterWrite(cmd, frame);
}

void HostEncoderIo::recordAfterInputWrites(VkCommandBuffer cmd, uint64_t frame) const {
  // GPU writes -> host reads: made available to the host once the submit completes, which
  // the executor observes through inputReady.
  std::vector<VkBuffer> buffers;
  for (size_t i = 0; i < mParams.inputs.size(); ++i) buffers.push_back(inputBuffer(frame, i));
  recordHostBarrier(cmd, mAccess.writeStages, mAccess.writeAccess, VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT,
                    buffers);
}

void HostEncoderIo::recordBeforeOutputReads(VkCommandBuffer cmd, uint64_t frame) const {
  // Host writes (coherent memory, finished before the host signalled outputReady) -> reads.
  std::vector<VkBuffer> buffers;
  for (size_t i = 0; i < mParams.outputs.size(); ++i) buffers.push_back(outputBuffer(frame, i));
  recordHostBarrier(cmd, VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_WRITE_BIT, mAccess.readStages, mAccess.readAccess,
                    buffers);
}

void HostEncoderIo::recordAfterOutputReads(VkCommandBuffer /*cmd*/, uint64_t /*frame*/) const {
  // Nothing to record: the executor writes the slot again only after waiting on the host for
  // outputConsumed, which the consumer submit signals after these reads completed.
}

Result<void> HostEncoderIo::runEncoder(uint64_t frame, const EncoderFn& encoder, uint64_t timeoutNs) {
  MESHRT_TRY(mInputReady.waitHost(frame + 1, timeoutNs));
  if (const uint64_t free = slotFreeValue(frame); free > 0) MESHRT_TRY(mOutputConsumed.waitHost(free, timeoutNs));

  const uint32_t slot = slotOf(frame);
  std::vector<EncoderTensorView> inputs, outputs;
  for (size_t i = 0; i < mParams.inputs.size(); ++i) {
    const vk::Buffer& buffer = mBuffers[inputIndex(slot, i)];
    inputs.push_back({buffer.mapped(), static_cast<size_t>(mParams.inputs[i].bytes)});
  }
  for (size_t i = 0; i < mParams.outputs.size(); ++i) {
    const vk::Buffer& buffer = mBuffers[outputIndex(slot, i)];
    outputs.push_back({buffer.mapped(), static_cast<size_t>(mParams.outputs[i].bytes)});
  }
  EncoderCall call;
  call.frame = frame;
  call.slot = slot;
  call.path = EncoderIoPath::HostVisible;
  call.inputs = inputs;
  call.outputs = outputs;
  auto ran = encoder(call);
  // Signalled even when the encoder failed, so that Vulkan submits waiting on it drain; the
  // error tells the caller that this frame's outputs are not valid.
  MESHRT_TRY(mOutputReady.signalHost(frame + 1));
  if (!ran) return makeError("encoder (frame " + std::to_string(frame) + ")", ran.error().message);
  return {};
}

}  // namespace meshrt::interop
