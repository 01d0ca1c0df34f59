// EncoderIo with zero-copy CUDA interop: every buffer is a dedicated, exportable Vulkan
// allocation imported into CUDA (cudaImportExternalMemory + cudaExternalMemoryGetMappedBuffer),
// and the three timelines are exported and imported as CUDA external semaphores. The encoder
// runs on one CUDA stream that waits for inputReady and signals outputReady on the GPU; no
// frame passes through host memory.
#pragma once

#include <memory>
#include <vector>

#include "interop/cuda_external.h"
#include "interop/encoder_io.h"

namespace meshrt::interop {

class CudaEncoderIo final : public EncoderIo {
 public:
  // cudaDeviceIndex: CudaDeviceReport::deviceIndex (its UUID equals the Vulkan device's).
  // Fails (naming the step) when the device lacks external memory/semaphore fds or CUDA
  // refuses an import; the caller then falls back to HostEncoderIo.
  static Result<std::unique_ptr<CudaEncoderIo>> create(const vk::Context& context, vk::GpuAllocator& allocator,
                                                       const EncoderIoParams& params, int cudaDeviceIndex,
                                                       const VulkanAccess& access = {});
  ~CudaEncoderIo() override;

  EncoderIoPath path() const override { return EncoderIoPath::CudaZeroCopy; }
  void recordBeforeInputWrites(VkCommandBuffer cmd, uint64_t frame) const override;
  void recordAfterInputWrites(VkCommandBuffer cmd, uint64_t frame) const override;
  void recordBeforeOutputReads(VkCommandBuffer cmd, uint64_t frame) const override;
  void recordAfterOutputReads(VkCommandBuffer cmd, uint64_t frame) const override;
  Result<void> runEncoder(uint64_t frame, const EncoderFn& encoder, uint64_t timeoutNs) override;

  void* cudaStream() const { return mStream.handle(); }  // cudaStream_t the encoder runs on

 private:
  using EncoderIo::EncoderIo;
  Result<void> importIntoCuda();
  std::vector<VkBuffer> inputBuffers(uint64_t frame) const;
  std::vector<VkBuffer> outputBuffers(uint64_t frame) const;

  int mCudaDevice = -1;
  std::vector<CudaExternalBuffer> mCudaBuffers;  // same order as mBuffers
  CudaExternalSemaphore mCudaInputReady;
  CudaExternalSemaphore mCudaOutputReady;
  CudaExternalSemaphore mCudaOutputConsumed;
  CudaStream mStream;
};

}  // namespace meshrt::interop
