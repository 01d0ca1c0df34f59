// CUDA preprocess kernel: one thread per output pixel, math shared with the CPU reference
// through core/preprocess_math.h (compiled with --fmad=false, see runtime/CMakeLists.txt).
#include <cuda_runtime.h>

#include <string>

#include "core/preprocess_math.h"
#include "stages/preprocess_cuda.h"

namespace meshrt {
namespace {

__global__ void preprocessKernel(gpu::PreprocessParams params, const uint8_t* src, float* dst) {
  const uint32_t x = blockIdx.x * blockDim.x + threadIdx.x;
  const uint32_t y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= params.dstWidth || y >= params.dstHeight) return;
  preprocessPixel(params, src, x, y, dst);
}

Error cudaFailure(const char* call, cudaError_t status) {
  return makeError(std::string("CUDA ") + call, cudaGetErrorString(status));
}

}  // namespace

int launchPreprocessCuda(const gpu::PreprocessParams& params, const uint8_t* deviceSrc, float* deviceDst,
                         void* stream) {
  const dim3 block(16, 16);
  const dim3 grid((params.dstWidth + block.x - 1) / block.x, (params.dstHeight + block.y - 1) / block.y);
  preprocessKernel<<<grid, block, 0, static_cast<cudaStream_t>(stream)>>>(params, deviceSrc, deviceDst);
  return static_cast<int>(cudaGetLastError());
}

Result<void> preprocessCudaHost(const gpu::PreprocessParams& params, const uint8_t* src, size_t srcBytes, float* dst) {
  const size_t outFloats = size_t{params.dstOffset} + size_t{3} * params.dstWidth * params.dstHeight;
  uint8_t* deviceSrc = nullptr;
  float* deviceDst = nullptr;
  cudaError_t status = cudaMalloc(&deviceSrc, srcBytes);
  if (status != cudaSuccess) return cudaFailure("cudaMalloc", status);
  status = cudaMalloc(&deviceDst, outFloats * sizeof(float));
  if (status == cudaSuccess) status = cudaMemcpy(deviceSrc, src, srcBytes, cudaMemcpyHostToDevice);
  if (status == cudaSuccess) status = static_cast<cudaError_t>(launchPreprocessCuda(params, deviceSrc, deviceDst, nullptr));
  if (status == cudaSuccess) status = cudaDeviceSynchronize();
  if (status == cudaSuccess) {
    const size_t offset = params.dstOffset;
    status = cudaMemcpy(dst + offset, deviceDst + offset, (outFloats - offset) * sizeof(float), cudaMemcpyDeviceToHost);
  }
  cudaFree(deviceSrc);
  if (deviceDst) cudaFree(deviceDst);
  if (status != cudaSuccess) return cudaFailure("preprocess", status);
  return {};
}

}  // namespace meshrt
