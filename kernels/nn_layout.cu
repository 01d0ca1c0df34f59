// The CUDA executor's layout and window kernels (runtime/nn/cuda_kernels.h): gather (Pad,
// Transpose, explicit conv padding), pooling, plane mean (GlobalAveragePool), resize, softmax.
// Coordinate rules follow runtime/nn/reference_ops.cpp; math in fp32 for both storage types.
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

unsigned blocksFor(int64_t count) { return static_cast<unsigned>((count + BLOCK - 1) / BLOCK); }

template <typename T>
__global__ void gatherKernel(GatherParams p, const T* x, T* y) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= p.count) return;
  int64_t rest = i, offset = 0;
  bool inside = true;
  for (int axis = p.rank - 1; axis >= 0; --axis) {
    const int64_t source = rest % p.outDims[axis] - p.begins[axis];
    rest /= p.outDims[axis];
    inside = inside && source >= 0 && source < p.inDims[axis];
    offset += source * p.srcStrides[axis];
  }
  store(y, i, inside ? load(x, offset) : p.value);
}

template <typename T>
__global__ void poolKernel(PoolParams p, const T* x, T* y) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= p.planes * p.outHeight * p.outWidth) return;
  const int64_t ox = i % p.outWidth, oy = (i / p.outWidth) % p.outHeight, plane = i / (p.outWidth * p.outHeight);
  const int64_t base = plane * p.inHeight * p.inWidth;
  float best = -INFINITY, sum = 0.0f;
  int64_t valid = 0;
  for (int32_t ky = 0; ky < p.kernelH; ++ky) {
    const int64_t iy = oy * p.strideH - p.padTop + ky;
    if (iy < 0 || iy >= p.inHeight) continue;
    for (int32_t kx = 0; kx < p.kernelW; ++kx) {
      const int64_t ix = ox * p.strideW - p.padLeft + kx;
      if (ix < 0 || ix >= p.inWidth) continue;
      const float v = load(x, base + iy * p.inWidth + ix);
      best = fmaxf(best, v);
      sum += v;
      ++valid;
    }
  }
  const int64_t divisor = p.countIncludePad ? int64_t{p.kernelH} * p.kernelW : valid;
  store(y, i, p.isMax ? best : (divisor > 0 ? sum / static_cast<float>(divisor) : 0.0f));
}

template <typename T>
__global__ void planeMeanKernel(int64_t planes, int64_t planeSize, const T* x, T* y) {
  const int64_t plane = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (plane >= planes) return;
  float sum = 0.0f;
  for (int64_t k = 0; k < planeSize; ++k) sum += load(x, plane * planeSize + k);
  store(y, plane, sum / static_cast<float>(planeSize));
}

__device__ inline int64_t clampIndex(int64_t v, int64_t extent) { return v < 0 ? 0 : (v >= extent ? extent - 1 : v); }

__device__ inline int64_t nearestSource(int64_t dst, int64_t in, float scale, const ResizeParams& p) {
  const float source = (static_cast<float>(dst) + (p.halfPixelCenters ? 0.5f : 0.0f)) * scale;
  return clampIndex(static_cast<int64_t>(p.alignCorners ? roundf(source) : floorf(source)), in);
}

struct Tap {
  int64_t low, high;
  float fraction;  // weight of `high`
};

__device__ inline Tap linearSource(int64_t dst, int64_t in, float scale, const ResizeParams& p) {
  float source = p.halfPixelCenters && !p.alignCorners ? (static_cast<float>(dst) + 0.5f) * scale - 0.5f
                                                       : static_cast<float>(dst) * scale;
  source = fminf(fmaxf(source, 0.0f), static_cast<float>(in - 1));
  const int64_t low = static_cast<int64_t>(floorf(source));
  return {low, low + 1 < in ? low + 1 : in - 1, source - static_cast<float>(low)};
}

template <typename T>
__global__ void resizeKernel(ResizeParams p, const T* x, T* y) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= p.planes * p.outHeight * p.outWidth) return;
  const int64_t ox = i % p.outWidth, oy = (i / p.outWidth) % p.outHeight, plane = i / (p.outWidth * p.outHeight);
  const int64_t base = plane * p.inHeight * p.inWidth;
  if (!p.bilinear) {
    store(y, i, load(x, base + nearestSource(oy, p.inHeight, p.scaleH, p) * p.inWidth + nearestSource(ox, p.inWidth, p.scaleW, p)));
    return;
  }
  const Tap ty = linearSource(oy, p.inHeight, p.scaleH, p), tx = linearSource(ox, p.inWidth, p.scaleW, p);
  const float top = load(x, base + ty.low * p.inWidth + tx.low) * (1.0f - tx.fraction) +
                    load(x, base + ty.low * p.inWidth + tx.high) * tx.fraction;
  const float bottom = load(x, base + ty.high * p.inWidth + tx.low) * (1.0f - tx.fraction) +
                       load(x, base + ty.high * p.inWidth + tx.high) * tx.fraction;
  store(y, i, top * (1.0f - ty.fraction) + bottom * ty.fraction);
}

template <typename T>
__global__ void softmaxKernel(int64_t outer, int64_t extent, int64_t inner, const T* x, T* y) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= outer * inner) return;
  const int64_t base = (i / inner) * extent * inner + i % inner;
  float maximum = -INFINITY, sum = 0.0f;
  for (int64_t k = 0; k < extent; ++k) maximum = fmaxf(maximum, load(x, base + k * inner));
  for (int64_t k = 0; k < extent; ++k) sum += expf(load(x, base + k * inner) - maximum);
  for (int64_t k = 0; k < extent; ++k) store(y, base + k * inner, expf(load(x, base + k * inner) - maximum) / sum);
}

// Launches `kernel` over `count` threads for the storage type chosen by `half`.
template <typename Launch>
int launchTyped(int64_t count, bool half, Launch launch) {
  if (count == 0) return 0;
  if (half) {
    launch(__half{}, blocksFor(count));
  } else {
    launch(float{}, blocksFor(count));
  }
  return static_cast<int>(cudaGetLastError());
}

}  // namespace

int launchGather(GatherParams p, const void* x, void* y, bool half, void* stream) {
  return launchTyped(p.count, half, [&](auto tag, unsigned blocks) {
    using T = decltype(tag);
    gatherKernel<<<blocks, BLOCK, 0, static_cast<cudaStream_t>(stream)>>>(p, static_cast<const T*>(x), static_cast<T*>(y));
  });
}

int launchPool(PoolParams p, const void* x, void* y, bool half, void* stream) {
  return launchTyped(p.planes * p.outHeight * p.outWidth, half, [&](auto tag, unsigned blocks) {
    using T = decltype(tag);
    poolKernel<<<blocks, BLOCK, 0, static_cast<cudaStream_t>(stream)>>>(p, static_cast<const T*>(x), static_cast<T*>(y));
  });
}

int launchPlaneMean(int64_t planes, int64_t planeSize, const void* x, void* y, bool half, void* stream) {
  return launchTyped(planes, half, [&](auto tag, unsigned blocks) {
    using T = decltype(tag);
    planeMeanKernel<<<blocks, BLOCK, 0, static_cast<cudaStream_t>(stream)>>>(planes, planeSize, static_cast<const T*>(x),
                                                                             static_cast<T*>(y));
  });
}

int launchResize(ResizeParams p, const void* x, void* y, bool half, void* stream) {
  return launchTyped(p.planes * p.outHeight * p.outWidth, half, [&](auto tag, unsigned blocks) {
    using T = decltype(tag);
    resizeKernel<<<blocks, BLOCK, 0, static_cast<cudaStream_t>(stream)>>>(p, static_cast<const T*>(x), static_cast<T*>(y));
  });
}

int launchSoftmax(int64_t outer, int64_t extent, int64_t inner, const void* x, void* y, bool half, void* stream) {
  return launchTyped(outer * inner, half, [&](auto tag, unsigned blocks) {
    using T = decltype(tag);
    softmaxKernel<<<blocks, BLOCK, 0, static_cast<cudaStream_t>(stream)>>>(outer, extent, inner, static_cast<const T*>(x),
                                                                           static_cast<T*>(y));
  });
}

}  // namespace meshrt::nn::cuda
