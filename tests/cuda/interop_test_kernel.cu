#include <cuda_runtime.h>

#include "cuda/interop_test_kernel.h"

namespace meshrt::test {
namespace {

__global__ void scaleOffsetKernel(const float* in, float* out, size_t count, float offset) {
  const size_t i = size_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < count) out[i] = 2.0f * in[i] + offset;
}

}  // namespace

int launchScaleOffsetKernel(const float* in, float* out, size_t count, float offset, void* stream) {
  constexpr unsigned BLOCK = 256;
  const unsigned grid = static_cast<unsigned>((count + BLOCK - 1) / BLOCK);
  scaleOffsetKernel<<<grid, BLOCK, 0, static_cast<cudaStream_t>(stream)>>>(in, out, count, offset);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace meshrt::test
