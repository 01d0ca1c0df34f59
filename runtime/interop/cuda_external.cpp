#include "interop/cuda_external.h"

#include <string>
#include <utility>

#if MESHRT_HAVE_CUDA
#include <cuda_runtime.h>
#endif

namespace meshrt::interop {
namespace {

#if MESHRT_HAVE_CUDA
Error cudaFailure(const char* what, const char* call, cudaError_t status) {
  return makeError(std::string(what) + ": " + call, cudaGetErrorString(status));
}
#else
Error notCompiled(const char* what) {
  return makeError(what, "CUDA backend not compiled (no CUDA toolkit at build time)");
}
#endif

}  // namespace

Result<void> useCudaDevice(int deviceIndex) {
#if MESHRT_HAVE_CUDA
  if (deviceIndex < 0) return makeError("useCudaDevice: deviceIndex", "no CUDA device matches the Vulkan device");
  const cudaError_t status = cudaSetDevice(deviceIndex);
  if (status != cudaSuccess) return cudaFailure("useCudaDevice", "cudaSetDevice", status);
  return {};
#else
  (void)deviceIndex;
  return notCompiled("useCudaDevice");
#endif
}

Result<CudaExternalBuffer> CudaExternalBuffer::import(UniqueFd& fd, const CudaMemoryImportParams& params) {
  if (!fd.valid()) return makeError(params.debugName, "fd is not valid");
  if (params.mappedBytes == 0 || params.mappedBytes > params.allocationSize) {
    return makeError(std::string(params.debugName) + ": mappedBytes", "must be > 0 and <= allocationSize");
  }
#if MESHRT_HAVE_CUDA
  cudaExternalMemoryHandleDesc handle{};
  handle.type = cudaExternalMemoryHandleTypeOpaqueFd;
  handle.handle.fd = fd.get();
  handle.size = params.allocationSize;
  handle.flags = params.dedicated ? cudaExternalMemoryDedicated : 0;
  cudaExternalMemory_t memory = nullptr;
  cudaError_t status = cudaImportExternalMemory(&memory, &handle);
  if (status != cudaSuccess) return cudaFailure(params.debugName, "cudaImportExternalMemory", status);
  fd.release();  // CUDA owns the fd after a successful import (and closes it itself)
  CudaExternalBuffer buffer;
  buffer.mMemory = memory;
  buffer.mBytes = params.mappedBytes;
  cudaExternalMemoryBufferDesc bufferDesc{};
  bufferDesc.offset = 0;
  bufferDesc.size = params.mappedBytes;
  status = cudaExternalMemoryGetMappedBuffer(&buffer.mDevicePointer, memory, &bufferDesc);
  if (status != cudaSuccess) return cudaFailure(params.debugName, "cudaExternalMemoryGetMappedBuffer", status);
  return buffer;
#else
  return notCompiled(params.debugName);
#endif
}

CudaExternalBuffer::CudaExternalBuffer(CudaExternalBuffer&& other) noexcept { *this = std::move(other); }

CudaExternalBuffer& CudaExternalBuffer::operator=(CudaExternalBuffer&& other) noexcept {
  if (this != &other) {
    release();
    mMemory = std::exchange(other.mMemory, nullptr);
    mDevicePointer = std::exchange(other.mDevicePointer, nullptr);
    mBytes = std::exchange(other.mBytes, 0);
  }
  return *this;
}

CudaExternalBuffer::~CudaExternalBuffer() { release(); }

void CudaExternalBuffer::release() {
#if MESHRT_HAVE_CUDA
  // A mapped pointer is freed with cudaFree before its memory object is destroyed.
  if (mDevicePointer) cudaFree(mDevicePointer);
  if (mMemory) cudaDestroyExternalMemory(static_cast<cudaExternalMemory_t>(mMemory));
#endif
  mDevicePointer = nullptr;
  mMemory = nullptr;
}

Result<CudaExternalSemaphore> CudaExternalSemaphore::import(UniqueFd& fd, const char* debugName) {
  if (!fd.valid()) return makeError(debugName, "fd is not valid");
#if MESHRT_HAVE_CUDA
  cudaExternalSemaphoreHandleDesc handle{};
  handle.type = cudaExternalSemaphoreHandleTypeTimelineSemaphoreFd;
  handle.handle.fd = fd.get();
  cudaExternalSemaphore_t semaphore = nullptr;
  const cudaError_t status = cudaImportExternalSemaphore(&semaphore, &handle);
  if (status != cudaSuccess) return cudaFailure(debugName, "cudaImportExternalSemaphore", status);
  fd.release();  // CUDA owns the fd after a successful import
  CudaExternalSemaphore imported;
  imported.mSemaphore = semaphore;
  imported.mName = debugName;
  return imported;
#else
  return notCompiled(debugName);
#endif
}

CudaExternalSemaphore::CudaExternalSemaphore(CudaExternalSemaphore&& other) noexcept { *this = std::move(other); }

CudaExternalSemaphore& CudaExternalSemaphore::operator=(CudaExternalSemaphore&& other) noexcept {
  if (this != &other) {
    release();
    mSemaphore = std::exchange(other.mSemaphore, nullptr);
    mName = other.mName;
  }
  return *this;
}

CudaExternalSemaphore::~CudaExternalSemaphore() { release(); }

void CudaExternalSemaphore::release() {
#if MESHRT_HAVE_CUDA
  if (mSemaphore) cudaDestroyExternalSemaphore(static_cast<cudaExternalSemaphore_t>(mSemaphore));
#endif
  mSemaphore = nullptr;
}

Result<void> CudaExternalSemaphore::waitAsync(uint64_t value, void* stream) const {
#if MESHRT_HAVE_CUDA
  cudaExternalSemaphoreWaitParams params{};
  params.params.fence.value = value;
  const auto semaphore = static_cast<cudaExternalSemaphore_t>(mSemaphore);
  const cudaError_t status = cudaWaitExternalSemaphoresAsync(&semaphore, &params, 1, static_cast<cudaStream_t>(stream));
  if (status != cudaSuccess) return cudaFailure(mName, "cudaWaitExternalSemaphoresAsync", status);
  return {};
#else
  (void)value;
  (void)stream;
  return notCompiled(mName);
#endif
}

Result<void> CudaExternalSemaphore::signalAsync(uint64_t value, void* stream) const {
#if MESHRT_HAVE_CUDA
  cudaExternalSemaphoreSignalParams params{};
  params.params.fence.value = value;
  const auto semaphore = static_cast<cudaExternalSemaphore_t>(mSemaphore);
  const cudaError_t status =
      cudaSignalExternalSemaphoresAsync(&semaphore, &params, 1, static_cast<cudaStream_t>(stream));
  if (status != cudaSuccess) return cudaFailure(mName, "cudaSignalExternalSemaphoresAsync", status);
  return {};
#else
  (void)value;
  (void)stream;
  return notCompiled(mName);
#endif
}

Result<CudaStream> CudaStream::create() {
#if MESHRT_HAVE_CUDA
  cudaStream_t stream = nullptr;
  const cudaError_t status = cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
  if (status != cudaSuccess) return cudaFailure("CudaStream", "cudaStreamCreateWithFlags", status);
  CudaStream owned;
  owned.mStream = stream;
  return owned;
#else
  return notCompiled("CudaStream");
#endif
}

CudaStream::CudaStream(CudaStream&& other) noexcept { *this = std::move(other); }

CudaStream& CudaStream::operator=(CudaStream&& other) noexcept {
  if (this != &other) {
    release();
    mStream = std::exchange(other.mStream, nullptr);
  }
  return *this;
}

CudaStream::~CudaStream() { release(); }

void CudaStream::release() {
#if MESHRT_HAVE_CUDA
  if (mStream) {
    cudaStreamSynchronize(static_cast<cudaStream_t>(mStream));
    cudaStreamDestroy(static_cast<cudaStream_t>(mStream));
  }
#endif
  mStream = nullptr;
}

Result<void> CudaStream::synchronize() const {
#if MESHRT_HAVE_CUDA
  const cudaError_t status = cudaStreamSynchronize(static_cast<cudaStream_t>(mStream));
  if (status != cudaSuccess) return cudaFailure("CudaStream", "cudaStreamSynchronize", status);
  return {};
#else
  return notCompiled("CudaStream");
#endif
}

}  // namespace meshrt::interop
