// The CUDA executor's own kernels (kernels/nn_elementwise.cu, kernels/nn_layout.cu): the ops cuDNN
// and cuBLAS do not cover. Declared only when the CUDA backend is compiled. No CUDA header here:
// streams are void* (cudaStream_t), results are cudaError_t as int (0 = success), and every
// launcher takes one plain-data params struct by value (the whole host/kernel contract).
//
// Buffers are C order over the IR layout (NCHW for 4-D). `half` selects the storage type of every
// tensor argument: false = fp32, true = IEEE binary16 (__half); the math is fp32 either way.
// Index math is int64 (element counts), sizes are elements unless stated.
#pragma once

#include <cstdint>


#if MESHRT_HAVE_CUDA
namespace meshrt::nn::cuda {

inline constexpr int MAX_RANK = 8;  // = MAX_TENSOR_RANK

// graph.h's Activation as kernel data (graph.h is C++20; CUDA sources are C++17). `type` takes
// ActivationType's values, in its order; cuda_executor_ops.cpp static_asserts the match.
enum class KernelActivationType : int32_t { None, Relu, Relu6, Clip, LeakyRelu, Sigmoid, HardSwish };
struct KernelActivation {
  KernelActivationType type;
  float alpha;             // LeakyRelu slope
  float minimum, maximum;  // Clip bounds
};

// y[o][c][i] = act(x[o][c][i] * scale[c] + bias[c] + residual[o][c][i]) over [outer][channels][inner];
// scale, bias, residual may be null (1, 0, 0). x may equal y (conv/FC epilogue in place).
struct ChannelAffineParams {
  int64_t outer;     // N
  int64_t channels;  // C (FC: output features)
  int64_t inner;     // H*W (FC: 1)
  KernelActivation activation;
};
int launchChannelAffine(ChannelAffineParams params, const void* x, const void* scale, const void* bias,
                        const void* residual, void* y, bool half, void* stream);

// y = act(a op b) with NumPy broadcasting: per output axis the element stride of a and of b (0 on
// broadcast axes). PRelu: y = a >= 0 ? a : b * a (b the slope).
enum class BinaryKind : int32_t { Add, Mul, PRelu };
struct BinaryParams {
  int32_t rank;
  int64_t count;                // output elements
  int64_t outDims[MAX_RANK];
  int64_t aStrides[MAX_RANK];
  int64_t bStrides[MAX_RANK];
  BinaryKind kind;
  KernelActivation activation;
};
int launchBinary(BinaryParams params, const void* a, const void* b, void* y, bool half, void* stream);

// fp32 <-> fp16 conversion of `count` elements (input/output staging, constant upload).
int launchFloatToHalf(int64_t count, const float* x, void* y, void* stream);
int launchHalfToFloat(int64_t count, const void* x, float* y, void* stream);

// A gather over the output index: per output axis, source index = out index - begin; outside
// [0, inDims) gives `value` (Pad), else source offset += index * srcStrides (Transpose uses
// begins 0 and permuted strides). Covers Pad, Transpose and explicit conv padding.
struct GatherParams {
  int32_t rank;
  int64_t count;
  int64_t outDims[MAX_RANK];
  int64_t inDims[MAX_RANK];        // the source extent along each output axis
  int64_t begins[MAX_RANK];        // leading pad per output axis (0 for Transpose)
  int64_t srcStrides[MAX_RANK];    // source element stride per output axis
  float value;                     // pad value
};
int launchGather(GatherParams params, const void* x, void* y, bool half, void* stream);

// NCHW pooling; pads in pixels (asymmetric allowed: the output size carries bottom/right).
struct PoolParams {
  int64_t planes;  // N*C
  int64_t inHeight, inWidth, outHeight, outWidth;
  int32_t kernelH, kernelW, strideH, strideW, padTop, padLeft;
  int32_t isMax;            // 1 = max, 0 = average
  int32_t countIncludePad;  // average: divide by the whole window
};
int launchPool(PoolParams params, const void* x, void* y, bool half, void* stream);

// y[p] = mean of x[p][0..planeSize) (GlobalAveragePool over H*W), one thread per plane.
int launchPlaneMean(int64_t planes, int64_t planeSize, const void* x, void* y, bool half, void* stream);

// NCHW resize with TFLite's coordinate rules (reference_ops.cpp's nearestSource/linearSource).
struct ResizeParams {
  int64_t planes, inHeight, inWidth, outHeight, outWidth;
  float scaleH, scaleW;  // source pixels per output pixel (alignCorners: (in-1)/(out-1))
  int32_t bilinear, alignCorners, halfPixelCenters;
};
int launchResize(ResizeParams params, const void* x, void* y, bool half, void* stream);

// Softmax along the middle axis of [outer][extent][inner], one thread per (outer, inner).
int launchSoftmax(int64_t outer, int64_t extent, int64_t inner, const void* x, void* y, bool half, void* stream);

}  // namespace meshrt::nn::cuda
#endif
