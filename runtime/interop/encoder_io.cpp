#include "interop/encoder_io.h"

#include "interop/shared_buffer.h"
#include "vk/context.h"

namespace meshrt::interop {

const char* encoderIoPathName(EncoderIoPath path) {
  return path == EncoderIoPath::CudaZeroCopy ? "cuda-zero-copy" : "host-visible";
}

Result<void> EncoderIo::validate(const EncoderIoParams& params) {
  if (params.slots == 0) return makeError("EncoderIoParams.slots", "must be >= 1");
  if (params.inputs.empty()) return makeError("EncoderIoParams.inputs", "needs at least one tensor");
  if (params.outputs.empty()) return makeError("EncoderIoParams.outputs", "needs at least one tensor");
  for (size_t i = 0; i < params.inputs.size(); ++i) {
    if (params.inputs[i].bytes == 0) {
      return makeError("EncoderIoParams.inputs[" + std::to_string(i) + "] (" + params.inputs[i].name + ").bytes", "must be > 0");
    }
  }
  for (size_t i = 0; i < params.outputs.size(); ++i) {
    if (params.outputs[i].bytes == 0) {
      return makeError("EncoderIoParams.outputs[" + std::to_string(i) + "] (" + params.outputs[i].name + ").bytes",
                       "must be > 0");
    }
  }
  return {};
}

Result<void> EncoderIo::createResources(vk::GpuAllocator& allocator, bool exportable) {
  for (uint32_t slot = 0; slot < mSlots; ++slot) {
    for (size_t t = 0; t < tensorsPerSlot(); ++t) {
      const bool isInput = t < mParams.inputs.size();
      const EncoderTensorSpec& spec = isInput ? mParams.inputs[t] : mParams.outputs[t - mParams.inputs.size()];
      vk::BufferDesc desc;
      desc.size = spec.bytes;
      desc.usage = SHARED_BUFFER_USAGE;
      // Host path: inputs are written by the GPU and read by the CPU (Readback, cached where
      // possible); outputs the other way round (Upload). CUDA path: device memory.
      desc.memory = exportable ? vk::MemoryUsage::DeviceLocal
                               : (isInput ? vk::MemoryUsage::Readback : vk::MemoryUsage::Upload);
      desc.exportable = exportable;
      desc.debugName = spec.name.c_str();
      auto buffer = allocator.createBuffer(desc);
      if (!buffer) return buffer.error();
      if (!exportable && !buffer->mapped()) return makeError(spec.name, "host-visible buffer is not mapped");
      mBuffers.push_back(std::move(*buffer));
    }
  }
  auto inputReady = TimelineSemaphore::create(mContext, exportable, "encoder inputReady");
  if (!inputReady) return inputReady.error();
  auto outputReady = TimelineSemaphore::create(mContext, exportable, "encoder outputReady");
  if (!outputReady) return outputReady.error();
  auto outputConsumed = TimelineSemaphore::create(mContext, exportable, "encoder outputConsumed");
  if (!outputConsumed) return outputConsumed.error();
  mInputReady = std::move(*inputReady);
  mOutputReady = std::move(*outputReady);
  mOutputConsumed = std::move(*outputConsumed);
  return {};
}

VkBuffer EncoderIo::inputBuffer(uint64_t frame, size_t index) const {
  return mBuffers[inputIndex(slotOf(frame), index)].handle();
}

VkBuffer EncoderIo::outputBuffer(uint64_t frame, size_t index) const {
  return mBuffers[outputIndex(slotOf(frame), index)].handle();
}

void EncoderIo::recordInputWriteAfterWrite(VkCommandBuffer cmd, uint64_t frame) const {
  // The semaphore wait in producerSyncs orders these writes after the encoder's reads of the
  // slot; this barrier orders them after this queue's earlier accesses to the same buffers.
  std::vector<VkBufferMemoryBarrier> barriers;
  for (size_t i = 0; i < mParams.inputs.size(); ++i) {
    VkBufferMemoryBarrier barrier{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER};
    barrier.srcAccessMask = mAccess.writeAccess;
    barrier.dstAccessMask = mAccess.writeAccess;
    barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    barrier.buffer = inputBuffer(frame, i);
    barrier.size = VK_WHOLE_SIZE;
    barriers.push_back(barrier);
  }
  vkCmdPipelineBarrier(cmd, mAccess.writeStages, mAccess.writeStages, 0, 0, nullptr,
                       static_cast<uint32_t>(barriers.size()), barriers.data(), 0, nullptr);
}

FrameSyncs EncoderIo::producerSyncs(uint64_t frame) const {
  FrameSyncs syncs;
  if (frame >= mSlots) {
    syncs.waits.push_back({mOutputReady.handle(), frame + 1 - mSlots, mAccess.writeStages});
  }
  syncs.signals.push_back({mInputReady.handle(), frame + 1, 0});
  return syncs;
}

FrameSyncs EncoderIo::consumerSyncs(uint64_t frame) const {
  FrameSyncs syncs;
  syncs.waits.push_back({mOutputReady.handle(), frame + 1, mAccess.readStages});
  syncs.signals.push_back({mOutputConsumed.handle(), frame + 1, 0});
  return syncs;
}

}  // namespace meshrt::interop
