// The CUDA executor's elementwise kernels (runtime/nn/cuda_kernels.h): channel affine (conv/FC
// epilogue, BatchNormalization), broadcast binary ops and PReLU, fp32<->fp16 conversion. One
// thread per output element; loads widen to fp32, stores narrow to the storage type.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "nn/cuda_kernels.h"

namespace meshrt::nn::cuda {
namespace {

constexpr int BLOCK = 256;

__device__ inline float load(const float* p, int64_t i) { return p[i]; }
__device__ inline float load(const __half* p, int64_t i) { return __half2float(p[i]); }
__device__ inline void store(float* p, int64_t i, float v) { p[i] = v; }
__device__ inline void store(__half* p, int64_t i, float v) { p[i] = __float2half_rn(v); }

// Same formulas as reference_ops.h applyActivation (fp32).
__device__ inline float activate(const KernelActivation& a, float x) {
  switch (a.type) {
    case KernelActivationType::None: return x;
    case KernelActivationType::Relu: return fmaxf(x, 0.0f);
    case KernelActivationType::Relu6: return fminf(fmaxf(x, 0.0f), 6.0f);
    case KernelActivationType::Clip: return fminf(fmaxf(x, a.minimum), a.maximum);
    case KernelActivationType::LeakyRelu: return x >= 0.0f ? x : a.alpha * x;
    case KernelActivationType::Sigmoid: return 1.0f / (1.0f + expf(-x));
    case KernelActivationType::HardSwish: return x * fminf(fmaxf(x + 3.0f, 0.0f), 6.0f) / 6.0f;
  }
  return x;
}

unsigned blocksFor(int64_t count) { return static_cast<unsigned>((count + BLOCK - 1) / BLOCK); }

template <typename T>
__global__ void channelAffineKernel(ChannelAffineParams p, const T* x, const T* scale, const T* bias, const T* residual,
                                    T* y) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= p.outer * p.channels * p.inner) return;
  const int64_t c = (i / p.inner) % p.channels;
  float v = load(x, i);
  if (scale) v *= load(scale, c);
  if (bias) v += load(bias, c);
  if (residual) v += load(residual, i);
  store(y, i, activate(p.activation, v));
}

template <typename T>
__global__ void binaryKernel(BinaryParams p, const T* a, const T* b, T* y) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= p.count) return;
  int64_t rest = i, offsetA = 0, offsetB = 0;
  for (int axis = p.rank - 1; axis >= 0; --axis) {
    const int64_t index = rest % p.outDims[axis];
    rest /= p.outDims[axis];
    offsetA += index * p.aStrides[axis];
    offsetB += index * p.bStrides[axis];
  }
  const float va = load(a, offsetA), vb = load(b, offsetB);
  float v = 0.0f;
  switch (p.kind) {
    case BinaryKind::Add: v = va + vb; break;
    case BinaryKind::Mul: v = va * vb; break;
    case BinaryKind::PRelu: v = va >= 0.0f ? va : vb * va; break;
  }
  store(y, i, activate(p.activation, v));
}

__global__ void floatToHalfKernel(int64_t count, const float* x, __half* y) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) y[i] = __float2half_rn(x[i]);
}

__global__ void halfToFloatKernel(int64_t count, const __half* x, float* y) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) y[i] = __half2float(x[i]);
}

}  // namespace

int launchChannelAffine(ChannelAffineParams p, const void* x, const void* scale, const void* bias, const void* residual,
                        void* y, bool half, void* stream) {
  const int64_t count = p.outer * p.channels * p.inner;
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  if (half) {
    channelAffineKernel<<<blocksFor(count), BLOCK, 0, s>>>(p, static_cast<const __half*>(x), static_cast<const __half*>(scale),
                                                           static_cast<const __half*>(bias),
                                                           static_cast<const __half*>(residual), static_cast<__half*>(y));
  } else {
    channelAffineKernel<<<blocksFor(count), BLOCK, 0, s>>>(p, static_cast<const float*>(x), static_cast<const float*>(scale),
                                                           static_cast<const float*>(bias),
                                                           static_cast<const float*>(residual), static_cast<float*>(y));
  }
  return static_cast<int>(cudaGetLastError());
}

int launchBinary(BinaryParams p, const void* a, const void* b, void* y, bool half, void* stream) {
  if (p.count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  if (half) {
    binaryKernel<<<blocksFor(p.count), BLOCK, 0, s>>>(p, static_cast<const __half*>(a), static_cast<const __half*>(b),
                                                      static_cast<__half*>(y));
  } else {
    binaryKernel<<<blocksFor(p.count), BLOCK, 0, s>>>(p, static_cast<const float*>(a), static_cast<const float*>(b),
                                                      static_cast<float*>(y));
  }
  return static_cast<int>(cudaGetLastError());
}

int launchFloatToHalf(int64_t count, const float* x, void* y, void* stream) {
  if (count == 0) return 0;
  floatToHalfKernel<<<blocksFor(count), BLOCK, 0, static_cast<cudaStream_t>(stream)>>>(count, x, static_cast<__half*>(y));
  return static_cast<int>(cudaGetLastError());
}

int launchHalfToFloat(int64_t count, const void* x, float* y, void* stream) {
  if (count == 0) return 0;
  halfToFloatKernel<<<blocksFor(count), BLOCK, 0, static_cast<cudaStream_t>(stream)>>>(count, static_cast<const __half*>(x), y);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace meshrt::nn::cuda
