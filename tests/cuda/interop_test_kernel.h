// A stand-in encoder kernel for the CUDA interop test (tests/cuda/interop_test_kernel.cu):
// out[i] = 2 * in[i] + offset, fp32, one thread per element. Exact in fp32 for the small
// integers the test uses, with or without fused multiply-add (2 * x is exact).
#pragma once

#include <cstddef>

namespace meshrt::test {

// stream: cudaStream_t. Returns the launch's cudaError_t as an int (0 = success).
int launchScaleOffsetKernel(const float* in, float* out, size_t count, float offset, void* stream);

}  // namespace meshrt::test
