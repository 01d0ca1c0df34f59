#include "interop/cuda_encoder_io.h"

#include <string>

#include "interop/external_support.h"
#include "interop/shared_buffer.h"
#include "interop/queue_family_transfer.h"
#include "vk/context.h"

namespace meshrt::interop {

Result<std::unique_ptr<CudaEncoderIo>> CudaEncoderIo::create(const vk::Context& context, vk::GpuAllocator& allocator,
                                                             const EncoderIoParams& params, int cudaDeviceIndex,
                                                             const VulkanAccess& access) {
  MESHRT_TRY(validate(params));
  const ExternalSupport support = queryExternalSupport(context);
  if (!support.memoryFd) return makeError("CudaEncoderIo: external memory", support.memoryReason);
  if (!support.timelineFd) return makeError("CudaEncoderIo: external timeline semaphores", support.timelineReason);
  MESHRT_TRY(useCudaDevice(cudaDeviceIndex));
  std::unique_ptr<CudaEncoderIo> io(new CudaEncoderIo(context, params, access));
  io->mCudaDevice = cudaDeviceIndex;
  MESHRT_TRY(io->createResources(allocator, true));
  MESHRT_TRY(io->importIntoCuda());
  return io;
}

CudaEncoderIo::~CudaEncoderIo() {
  // CUDA work that touches the imported memory finishes before Vulkan frees it (the base
  // class's members are destroyed after this body and these members).
  if (mStream.handle()) (void)mStream.synchronize();
}

Result<void> CudaEncoderIo::importIntoCuda() {
  for (size_t i = 0; i < mBuffers.size(); ++i) {
    const vk::Buffer& buffer = mBuffers[i];
    const size_t tensor = i % tensorsPerSlot();
    const bool isInput = tensor < mParams.inputs.size();
    const EncoderTensorSpec& spec = isInput ? mParams.inputs[tensor] : mParams.outputs[tensor - mParams.inputs.size()];
    auto fd = exportMemoryFd(mContext, buffer);
    if (!fd) return fd.error();
    CudaMemoryImportParams importParams;
    importParams.allocationSize = buffer.allocationSize();
    importParams.mappedBytes = spec.bytes;
    importParams.dedicated = true;
    importParams.debugName = spec.name.c_str();
    auto imported = CudaExternalBuffer::import(*fd, importParams);  // fd closes here unless CUDA took it
    if (!imported) return imported.error();
    mCudaBuffers.push_back(std::move(*imported));
  }
  struct Pair {
    const TimelineSemaphore* vulkan;
    CudaExternalSemaphore* cuda;
  };
  for (Pair pair : {Pair{&mInputReady, &mCudaInputReady}, Pair{&mOutputReady, &mCudaOutputReady},
                    Pair{&mOutputConsumed, &mCudaOutputConsumed}}) {
    auto fd = pair.vulkan->exportFd();
    if (!fd) return fd.error();
    auto imported = CudaExternalSemaphore::import(*fd, "encoder timeline semaphore");
    if (!imported) return imported.error();
    *pair.cuda = std::move(*imported);
  }
  auto stream = CudaStream::create();
  if (!stream) return stream.error();
  mStream = std::move(*stream);
  return {};
}

std::vector<VkBuffer> CudaEncoderIo::inputBuffers(uint64_t frame) const {
  std::vector<VkBuffer> buffers;
  for (size_t i = 0; i < mParams.inputs.size(); ++i) buffers.push_back(inputBuffer(frame, i));
  return buffers;
}

std::vector<VkBuffer> CudaEncoderIo::outputBuffers(uint64_t frame) const {
  std::vector<VkBuffer> buffers;
  for (size_t i = 0; i < mParams.outputs.size(); ++i) buffers.push_back(outputBuffer(frame, i));
  return buffers;
}

void CudaEncoderIo::recordBeforeInputWrites(VkCommandBuffer cmd, uint64_t frame) const {
  // The slot's inputs were released to CUDA by frame - slots; take them back first.
  if (frame < mSlots) return;
  recordAcquireFromExternal(cmd, mContext.queueFamilyIndex(), mAccess.writeStages, mAccess.writeAccess,
                            inputBuffers(frame));
}

void CudaEncoderIo::recordAfterInputWrites(VkCommandBuffer cmd, uint64_t frame) const {
  const std::vector<VkBuffer> buffers = inputBuffers(frame);
  recordReleaseToExternal(cmd, mContext.queueFamilyIndex(), mAccess.writeStages, mAccess.writeAccess, buffers);
}

void CudaEncoderIo::recordBeforeOutputReads(VkCommandBuffer cmd, uint64_t frame) const {
  recordAcquireFromExternal(cmd, mContext.queueFamilyIndex(), mAccess.readStages, mAccess.readAccess,
                            outputBuffers(frame));
}

void CudaEncoderIo::recordAfterOutputReads(VkCommandBuffer cmd, uint64_t frame) const {
  // Reads make nothing available; the release hands ownership back for CUDA's next write.
  recordReleaseToExternal(cmd, mContext.queueFamilyIndex(), mAccess.readStages, 0, outputBuffers(frame));
}

Result<void> CudaEncoderIo::runEncoder(uint64_t frame, const EncoderFn& encoder, uint64_t /*timeoutNs*/) {
  MESHRT_TRY(useCudaDevice(mCudaDevice));  // this may be another thread than create()'s
  void* stream = mStream.handle();
  MESHRT_TRY(mCudaInputReady.waitAsync(frame + 1, stream));
  if (const uint64_t free = slotFreeValue(frame); free > 0) MESHRT_TRY(mCudaOutputConsumed.waitAsync(free, stream));

  const uint32_t slot = slotOf(frame);
  std::vector<EncoderTensorView> inputs, outputs;
  for (size_t i = 0; i < mParams.inputs.size(); ++i) {
    const CudaExternalBuffer& buffer = mCudaBuffers[inputIndex(slot, i)];
    inputs.push_back({buffer.devicePointer(), static_cast<size_t>(buffer.bytes())});
  }
  for (size_t i = 0; i < mParams.outputs.size(); ++i) {
    const CudaExternalBuffer& buffer = mCudaBuffers[outputIndex(slot, i)];
    outputs.push_back({buffer.devicePointer(), static_cast<size_t>(buffer.bytes())});
  }
  EncoderCall call;
  call.frame = frame;
  call.slot = slot;
  call.path = EncoderIoPath::CudaZeroCopy;
  call.cudaStream = stream;
  call.inputs = inputs;
  call.outputs = outputs;
  auto ran = encoder(call);
  // Signalled even when enqueuing failed, so Vulkan submits waiting on it drain.
  MESHRT_TRY(mCudaOutputReady.signalAsync(frame + 1, stream));
  if (!ran) return makeError("encoder (frame " + std::to_string(frame) + ")", ran.error().message);
  return {};
}

}  // namespace meshrt::interop
