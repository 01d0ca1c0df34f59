// Plain-loop implementations of every IR op, on fp32 buffers in C order over the IR layout (NCHW
// for 4-D activations). runReference() dispatches to them; the CPU executor reuses them for the
// ops it runs without oneDNN. Each takes one plain-data params struct where there are many sizes.
#pragma once

#include <algorithm>
#include <cmath>

#include "nn/graph.h"

namespace meshrt::nn {

// The loops below index with fixed-size arrays of MAX_TENSOR_RANK (graph.h) and never allocate.

inline float applyActivation(const Activation& activation, float x) {
  switch (activation.type) {
    case ActivationType::None: return x;
    case ActivationType::Relu: return std::max(x, 0.0f);
    case ActivationType::Relu6: return std::min(std::max(x, 0.0f), 6.0f);
    case ActivationType::Clip: return std::min(std::max(x, activation.minimum), activation.maximum);
    case ActivationType::LeakyRelu: return x >= 0.0f ? x : activation.alpha * x;
    case ActivationType::Sigmoid: return 1.0f / (1.0f + std::exp(-x));
    case ActivationType::HardSwish: return x * std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f;
  }
  return x;
}

// Conv2D sizes; x [batch][inChannels][inHeight][inWidth], weights OIHW
// [outChannels][inChannels/groups][kernelH][kernelW], y [batch][outChannels][outHeight][outWidth].
struct Conv2DParams {
  int64_t batch, inChannels, inHeight, inWidth;
  int64_t outChannels, outHeight, outWidth;
  int64_t kernelH, kernelW;
  int64_t strideH, strideW, dilationH, dilationW;
  int64_t padTop, padLeft;  // pixels; bottom/right padding is implied by the output size
  int64_t groups;
  Activation activation;  // applied after bias and residual
};
Conv2DParams makeConv2DParams(const Shape& x, const Shape& weights, const Shape& y, const Conv2DAttributes& attributes);
// bias: [outChannels] or null; residual: same shape as y, or null (added before the activation).
void conv2dReference(const Conv2DParams& p, const float* x, const float* weights, const float* bias,
                     const float* residual, float* y);

// y[n][o] = activation(sum_k weights[o][k] * x[n][k] + bias[o]); bias may be null.
void fullyConnectedReference(int64_t batch, int64_t inFeatures, int64_t outFeatures, const float* x,
                             const float* weights, const float* bias, const Activation& activation, float* y);

enum class BinaryOp : uint8_t { Add, Mul };
// NumPy broadcasting of a and b to yShape; y = activation(a op b).
void binaryReference(BinaryOp op, const Shape& aShape, const float* a, const Shape& bShape, const float* b,
                     const Shape& yShape, const Activation& activation, float* y);

void activationReference(const Activation& activation, int64_t count, const float* x, float* y);

// slope: a 1-D per-channel slope (axis 1) when slopeShape is 1-D and x is at least 2-D, else
// broadcast NumPy-style onto xShape. y = x >= 0 ? x : slope * x.
void preluReference(const Shape& xShape, const float* x, const Shape& slopeShape, const float* slope, float* y);

// Pool sizes; x [batch][channels][inHeight][inWidth] -> y [batch][channels][outHeight][outWidth].
struct Pool2DParams {
  int64_t batch, channels, inHeight, inWidth, outHeight, outWidth;
  int64_t kernelH, kernelW, strideH, strideW;
  int64_t padTop, padLeft;  // pixels
  bool countIncludePad;  // AveragePool: divide by the whole window (pads included) or valid pixels only
};
Pool2DParams makePool2DParams(const Shape& x, const Shape& y, const Pool2DAttributes& attributes);
void maxPoolReference(const Pool2DParams& p, const float* x, float* y);
void averagePoolReference(const Pool2DParams& p, const float* x, float* y);

// y[n][c] = mean over H, W of x[n][c]; x NCHW.
void globalAveragePoolReference(const Shape& xShape, const float* x, float* y);

void padReference(const Shape& xShape, const float* x, const PadAttributes& attributes, float* y);
// inputs[i] has shapes[i]; all equal except on `axis` (>= 0).
void concatReference(int64_t axis, const std::vector<Shape>& shapes, const std::vector<const float*>& inputs, float* y);
void transposeReference(const Shape& xShape, const float* x, const std::vector<int32_t>& permutation, float* y);
// x NCHW [n][c][inHeight][inWidth] -> y [n][c][outHeight][outWidth] (TFLite's coordinate rules).
void resizeReference(const Shape& xShape, const float* x, const ResizeAttributes& attributes, float* y);
void softmaxReference(const Shape& xShape, const float* x, int64_t axis, float* y);
// Per channel (axis 1): y = scale * (x - mean) / sqrt(var + epsilon) + bias.
void batchNormReference(const Shape& xShape, const float* x, const float* scale, const float* bias, const float* mean,
                        const float* variance, float epsilon, float* y);

}  // namespace meshrt::nn
