// Vulkan memory and timeline semaphores imported into CUDA (cudaImportExternalMemory,
// cudaImportExternalSemaphore). CUDA types are kept out of this header (void* = cudaStream_t,
// cudaExternalMemory_t, cudaExternalSemaphore_t) so that host code compiles without CUDA.
// Without the CUDA backend (MESHRT_HAVE_CUDA=0) every import returns an error saying so.
#pragma once

#include <cstddef>
#include <cstdint>

#include "interop/unique_fd.h"
#include "meshrt/result.h"

namespace meshrt::interop {

// Selects the CUDA device (cudaSetDevice) for the calling thread; index from
// CudaDeviceReport::deviceIndex (the one whose UUID equals the Vulkan device's).
Result<void> useCudaDevice(int deviceIndex);

struct CudaMemoryImportParams {
  uint64_t allocationSize = 0;  // bytes of the exported VkDeviceMemory (vk::Buffer::allocationSize)
  uint64_t mappedBytes = 0;     // bytes mapped as one linear buffer from offset 0 (<= allocationSize)
  bool dedicated = true;        // the Vulkan allocation is dedicated (cudaExternalMemoryDedicated)
  const char* debugName = "cuda external memory";  // used in error messages
};

// Exported Vulkan memory seen by CUDA as one device pointer.
class CudaExternalBuffer {
 public:
  // CUDA takes the fd only when the import succeeds; on failure `fd` still owns it.
  static Result<CudaExternalBuffer> import(UniqueFd& fd, const CudaMemoryImportParams& params);
  CudaExternalBuffer() = default;
  CudaExternalBuffer(CudaExternalBuffer&& other) noexcept;
  CudaExternalBuffer& operator=(CudaExternalBuffer&& other) noexcept;
  CudaExternalBuffer(const CudaExternalBuffer&) = delete;
  CudaExternalBuffer& operator=(const CudaExternalBuffer&) = delete;
  ~CudaExternalBuffer();

  void* devicePointer() const { return mDevicePointer; }  // CUDA device address of byte 0
  uint64_t bytes() const { return mBytes; }

 private:
  void release();

  void* mMemory = nullptr;  // cudaExternalMemory_t
  void* mDevicePointer = nullptr;
  uint64_t mBytes = 0;
};

// An exported Vulkan timeline semaphore, waited on and signalled from CUDA streams.
class CudaExternalSemaphore {
 public:
  // CUDA takes the fd only when the import succeeds; on failure `fd` still owns it.
  static Result<CudaExternalSemaphore> import(UniqueFd& fd, const char* debugName);
  CudaExternalSemaphore() = default;
  CudaExternalSemaphore(CudaExternalSemaphore&& other) noexcept;
  CudaExternalSemaphore& operator=(CudaExternalSemaphore&& other) noexcept;
  CudaExternalSemaphore(const CudaExternalSemaphore&) = delete;
  CudaExternalSemaphore& operator=(const CudaExternalSemaphore&) = delete;
  ~CudaExternalSemaphore();

  // Enqueues on `stream` (a cudaStream_t): later work waits until the counter is >= value.
  Result<void> waitAsync(uint64_t value, void* stream) const;
  // Enqueues on `stream`: sets the counter to value once earlier work on the stream is done.
  Result<void> signalAsync(uint64_t value, void* stream) const;

 private:
  void release();

  void* mSemaphore = nullptr;  // cudaExternalSemaphore_t
  const char* mName = "cuda external semaphore";
};

// An owned non-blocking cudaStream_t.
class CudaStream {
 public:
  static Result<CudaStream> create();
  CudaStream() = default;
  CudaStream(CudaStream&& other) noexcept;
  CudaStream& operator=(CudaStream&& other) noexcept;
  CudaStream(const CudaStream&) = delete;
  CudaStream& operator=(const CudaStream&) = delete;
  ~CudaStream();

  void* handle() const { return mStream; }  // cudaStream_t
  Result<void> synchronize() const;

 private:
  void release();

  void* mStream = nullptr;
};

}  // namespace meshrt::interop
