// The CUDA preprocess kernel (kernels/preprocess.cu), declared only when the CUDA backend is
// compiled (MESHRT_HAVE_CUDA=1). It runs preprocessPixel() from core/preprocess_math.h, the
// same function as the CPU reference.
#pragma once

#include <cstdint>
#include <cstddef>

#include "meshrt/result.h"
#include "preprocess_params.h"

#if MESHRT_HAVE_CUDA
namespace meshrt {

// Launches the kernel on device pointers. `stream` is a cudaStream_t (void* keeps CUDA's
// headers out of this one). Returns the launch's cudaError_t as an int (0 = success).
int launchPreprocessCuda(const gpu::PreprocessParams& params, const uint8_t* deviceSrc, float* deviceDst,
                         void* stream);

// (CUDA sources are C++17, hence pointer + size rather than std::span.)
// Host convenience for tests and the start-up self-check: copies `src` to the device, runs the
// kernel, copies the output (preprocessOutputFloats floats at params.dstOffset) into dst.
Result<void> preprocessCudaHost(const gpu::PreprocessParams& params, const uint8_t* src, size_t srcBytes, float* dst);

}  // namespace meshrt
#endif
