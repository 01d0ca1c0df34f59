// Plain CUDA device memory (cudaMalloc) with blocking host copies, for the start-up
// self-check that runs the CUDA encoder once outside the frame loop. Without the CUDA backend
// allocate() returns an error saying so.
#pragma once

#include <cstddef>

#include "meshrt/result.h"

namespace meshrt::interop {

class CudaDeviceBuffer {
 public:
  static Result<CudaDeviceBuffer> allocate(size_t bytes, const char* debugName);
  CudaDeviceBuffer() = default;
  CudaDeviceBuffer(CudaDeviceBuffer&& other) noexcept;
  CudaDeviceBuffer& operator=(CudaDeviceBuffer&& other) noexcept;
  CudaDeviceBuffer(const CudaDeviceBuffer&) = delete;
  CudaDeviceBuffer& operator=(const CudaDeviceBuffer&) = delete;
  ~CudaDeviceBuffer();

  void* devicePointer() const { return mPointer; }
  size_t bytes() const { return mBytes; }
  // Blocking copies of all bytes() between `host` and the device.
  Result<void> upload(const void* host) const;
  Result<void> download(void* host) const;

 private:
  void release();

  void* mPointer = nullptr;
  size_t mBytes = 0;
  const char* mName = "cuda buffer";
};

}  // namespace meshrt::interop
