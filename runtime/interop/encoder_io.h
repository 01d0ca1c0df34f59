// The encoder's input and output buffers between the Vulkan image stages and the encoder
// executor, and the semaphore handshake that orders them (DESIGN §1, §3). Frame code talks
// only to this interface; it does not know which of the two paths it is on:
//
//   CudaZeroCopy   buffers are exported Vulkan memory imported into CUDA; the three timelines
//                  are exported and imported as CUDA external semaphores; the encoder runs
//                  on a CUDA stream and waits/signals on the GPU (cuda_encoder_io.h).
//   HostVisible    buffers are host-visible Vulkan memory the CPU executor reads and writes
//                  through mapped pointers; the executor waits and signals the timelines
//                  from the host (host_encoder_io.h).
//
// Frames are numbered 0, 1, 2, ... and use slot frame % slots (double-buffered by default:
// frame N+1's preprocess overlaps frame N's encoder). Timeline values, all = frame + 1:
//   inputReady      signalled by the producer submit (preprocess) when the inputs are written
//   outputReady     signalled by the encoder when the outputs are written
//   outputConsumed  signalled by the consumer submit (head, raster) when it has read them
// The producer of frame f waits outputReady >= f + 1 - slots (the slot's inputs are no longer
// read); the encoder of frame f waits inputReady >= f + 1 and outputConsumed >= f + 1 - slots.
// Producer submits, encoder runs and consumer submits must each come in frame order.
#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "interop/timeline_semaphore.h"
#include "meshrt/result.h"
#include "vk/command_stream.h"
#include "vk/gpu_allocator.h"

namespace meshrt::interop {

enum class EncoderIoPath { CudaZeroCopy, HostVisible };
const char* encoderIoPathName(EncoderIoPath path);  // "cuda-zero-copy" / "host-visible"

struct EncoderTensorSpec {
  std::string name;       // e.g. "input_image"; used in error messages
  VkDeviceSize bytes = 0;  // > 0; e.g. NCHW fp32 1x3x256x256 = 786432
};

struct EncoderIoParams {
  std::vector<EncoderTensorSpec> inputs;   // written by Vulkan (preprocess), read by the encoder
  std::vector<EncoderTensorSpec> outputs;  // written by the encoder, read by Vulkan (heads, raster)
  uint32_t slots = 2;                      // frames in flight between the two sides, >= 1
};

// Where the executor finds one tensor of the current slot.
struct EncoderTensorView {
  void* data = nullptr;  // CUDA device pointer (CudaZeroCopy) or mapped host pointer (HostVisible)
  size_t bytes = 0;
};

// What the encoder callable gets for one frame.
struct EncoderCall {
  uint64_t frame = 0;
  uint32_t slot = 0;
  EncoderIoPath path = EncoderIoPath::HostVisible;
  // cudaStream_t on CudaZeroCopy: enqueue the work on it and return without synchronizing.
  // nullptr on HostVisible: compute synchronously and return when the outputs are written.
  void* cudaStream = nullptr;
  std::span<const EncoderTensorView> inputs;
  std::span<const EncoderTensorView> outputs;
};

using EncoderFn = std::function<Result<void>(const EncoderCall&)>;

// Semaphore operations one submit adds (vk::CommandStream::submit's waits and signals).
struct FrameSyncs {
  std::vector<vk::SemaphoreSync> waits;
  std::vector<vk::SemaphoreSync> signals;
};

// The Vulkan stages that write the inputs and read the outputs (defaults: compute + transfer).
struct VulkanAccess {
  VkPipelineStageFlags writeStages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
  VkAccessFlags writeAccess = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  VkPipelineStageFlags readStages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
  VkAccessFlags readAccess = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT;
};

class EncoderIo {
 public:
  virtual ~EncoderIo() = default;
  EncoderIo(const EncoderIo&) = delete;
  EncoderIo& operator=(const EncoderIo&) = delete;

  virtual EncoderIoPath path() const = 0;
  uint32_t slotCount() const { return mSlots; }
  uint32_t slotOf(uint64_t frame) const { return static_cast<uint32_t>(frame % mSlots); }
  // The Vulkan buffers of frame's slot, for descriptor sets and copies.
  VkBuffer inputBuffer(uint64_t frame, size_t index) const;
  VkBuffer outputBuffer(uint64_t frame, size_t index) const;
  // The same buffers as vk::Buffer, for stages that bind them (PreprocessStage::record).
  const vk::Buffer& inputBufferObject(uint64_t frame, size_t index) const { return mBuffers[inputIndex(slotOf(frame), index)]; }
  const vk::Buffer& outputBufferObject(uint64_t frame, size_t index) const { return mBuffers[outputIndex(slotOf(frame), index)]; }
  const EncoderIoParams& params() const { return mParams; }

  // Producer (preprocess) side, recorded into its command buffer and submit:
  //   recordBeforeInputWrites, the writes, recordAfterInputWrites, submit with producerSyncs.
  virtual void recordBeforeInputWrites(VkCommandBuffer cmd, uint64_t frame) const = 0;
  virtual void recordAfterInputWrites(VkCommandBuffer cmd, uint64_t frame) const = 0;
  FrameSyncs producerSyncs(uint64_t frame) const;

  // Consumer (heads, raster) side: recordBeforeOutputReads, the reads, recordAfterOutputReads,
  // submit with consumerSyncs.
  virtual void recordBeforeOutputReads(VkCommandBuffer cmd, uint64_t frame) const = 0;
  virtual void recordAfterOutputReads(VkCommandBuffer cmd, uint64_t frame) const = 0;
  FrameSyncs consumerSyncs(uint64_t frame) const;

  // Executor side: runs `encoder` on frame's slot once its inputs are ready and its outputs
  // are free, then signals outputReady. HostVisible blocks (up to timeoutNs per wait) and
  // runs the callable on this thread; CudaZeroCopy only enqueues on its CUDA stream.
  // outputReady is signalled even when the callable fails (Vulkan waits must not hang); the
  // returned error then says that frame's outputs are invalid.
  virtual Result<void> runEncoder(uint64_t frame, const EncoderFn& encoder, uint64_t timeoutNs) = 0;

  // Host-side wait for frame's outputs (shutdown, tests).
  Result<void> waitOutputs(uint64_t frame, uint64_t timeoutNs) const { return mOutputReady.waitHost(frame + 1, timeoutNs); }

 protected:
  EncoderIo(const vk::Context& context, const EncoderIoParams& params, const VulkanAccess& access)
      : mContext(context), mParams(params), mSlots(params.slots), mAccess(access) {}
  // Creates the buffers (slots x (inputs + outputs)) and the three timelines.
  Result<void> createResources(vk::GpuAllocator& allocator, bool exportable);
  static Result<void> validate(const EncoderIoParams& params);
  // Buffer index in mBuffers: slot-major, inputs then outputs.
  size_t inputIndex(uint32_t slot, size_t index) const { return slot * tensorsPerSlot() + index; }
  size_t outputIndex(uint32_t slot, size_t index) const { return slot * tensorsPerSlot() + mParams.inputs.size() + index; }
  size_t tensorsPerSlot() const { return mParams.inputs.size() + mParams.outputs.size(); }
  // Orders this queue's earlier accesses to frame's input buffers before new writes.
  void recordInputWriteAfterWrite(VkCommandBuffer cmd, uint64_t frame) const;
  // Value the encoder of `frame` needs on outputConsumed (0: nothing to wait for).
  uint64_t slotFreeValue(uint64_t frame) const { return frame >= mSlots ? frame + 1 - mSlots : 0; }

  const vk::Context& mContext;
  EncoderIoParams mParams;
  uint32_t mSlots = 2;
  VulkanAccess mAccess;
  std::vector<vk::Buffer> mBuffers;
  TimelineSemaphore mInputReady;
  TimelineSemaphore mOutputReady;
  TimelineSemaphore mOutputConsumed;
};

}  // namespace meshrt::interop
