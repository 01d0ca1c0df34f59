#include "interop/cuda_device_buffer.h"

#include <string>
#include <utility>

#if MESHRT_HAVE_CUDA
#include <cuda_runtime.h>
#endif

namespace meshrt::interop {

Result<CudaDeviceBuffer> CudaDeviceBuffer::allocate(size_t bytes, const char* debugName) {
  if (bytes == 0) return makeError(std::string(debugName) + ": bytes", "must be > 0");
#if MESHRT_HAVE_CUDA
  CudaDeviceBuffer buffer;
  const cudaError_t status = cudaMalloc(&buffer.mPointer, bytes);
  if (status != cudaSuccess) return makeError(std::string(debugName) + ": cudaMalloc", cudaGetErrorString(status));
  buffer.mBytes = bytes;
  buffer.mName = debugName;
  return buffer;
#else
  return makeError(debugName, "CUDA backend not compiled (no CUDA toolkit at build time)");
#endif
}

CudaDeviceBuffer::CudaDeviceBuffer(CudaDeviceBuffer&& other) noexcept { *this = std::move(other); }

CudaDeviceBuffer& CudaDeviceBuffer::operator=(CudaDeviceBuffer&& other) noexcept {
  if (this != &other) {
    release();
    mPointer = std::exchange(other.mPointer, nullptr);
    mBytes = std::exchange(other.mBytes, 0);
    mName = other.mName;
  }
  return *this;
}

CudaDeviceBuffer::~CudaDeviceBuffer() { release(); }

void CudaDeviceBuffer::release() {
#if MESHRT_HAVE_CUDA
  if (mPointer) cudaFree(mPointer);
#endif
  mPointer = nullptr;
}

Result<void> CudaDeviceBuffer::upload(const void* host) const {
#if MESHRT_HAVE_CUDA
  const cudaError_t status = cudaMemcpy(mPointer, host, mBytes, cudaMemcpyHostToDevice);
  if (status != cudaSuccess) return makeError(std::string(mName) + ": cudaMemcpy (upload)", cudaGetErrorString(status));
  return {};
#else
  (void)host;
  return makeError(mName, "CUDA backend not compiled");
#endif
}

Result<void> CudaDeviceBuffer::download(void* host) const {
#if MESHRT_HAVE_CUDA
  const cudaError_t status = cudaMemcpy(host, mPointer, mBytes, cudaMemcpyDeviceToHost);
  if (status != cudaSuccess) return makeError(std::string(mName) + ": cudaMemcpy (download)", cudaGetErrorString(status));
  return {};
#else
  (void)host;
  return makeError(mName, "CUDA backend not compiled");
#endif
}

}  // namespace meshrt::interop
