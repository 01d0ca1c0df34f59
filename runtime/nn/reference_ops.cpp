// Plain loops for every IR op (see reference_ops.h). Accumulation is fp32, in the natural loop
// order; nothing here is tuned.
#include "nn/reference_ops.h"

#include <array>
#include <limits>

namespace meshrt::nn {
namespace {

using Indices = std::array<int64_t, MAX_TENSOR_RANK>;

// C-order strides of `shape`, in elements.
Indices stridesOf(const Shape& shape) {
  Indices strides{};
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

// Strides of `shape` right-aligned against `outShape`, 0 on broadcast axes.
Indices broadcastStrides(const Shape& shape, const Shape& outShape) {
  Indices strides{};
  const Indices own = stridesOf(shape);
  const size_t offset = outShape.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i) strides[offset + i] = shape[i] == 1 ? 0 : own[i];
  return strides;
}

// Calls visit(outIndex, offsetA, offsetB) for every element of outShape in C order. Allocation
// free (the CPU executor runs these loops inside run()).
template <typename Visit>
void forEachBroadcast(const Shape& outShape, const Indices& stridesA, const Indices& stridesB, Visit visit) {
  const size_t rank = outShape.size();
  const int64_t count = elementCount(outShape);
  Indices index{};
  int64_t offsetA = 0, offsetB = 0;
  for (int64_t out = 0; out < count; ++out) {
    visit(out, offsetA, offsetB);
    for (size_t axis = rank; axis-- > 0;) {
      ++index[axis];
      offsetA += stridesA[axis];
      offsetB += stridesB[axis];
      if (index[axis] < outShape[axis]) break;
      offsetA -= stridesA[axis] * index[axis];
      offsetB -= stridesB[axis] * index[axis];
      index[axis] = 0;
    }
  }
}

// forEachBroadcast over a shape given as an array of `rank` extents.
template <typename Visit>
void forEachIndex(const Indices& extents, size_t rank, const Indices& stridesA, const Indices& stridesB, Visit visit) {
  int64_t count = 1;
  for (size_t i = 0; i < rank; ++i) count *= extents[i];
  Indices index{};
  int64_t offsetA = 0, offsetB = 0;
  for (int64_t out = 0; out < count; ++out) {
    visit(out, offsetA, offsetB);
    for (size_t axis = rank; axis-- > 0;) {
      ++index[axis];
      offsetA += stridesA[axis];
      offsetB += stridesB[axis];
      if (index[axis] < extents[axis]) break;
      offsetA -= stridesA[axis] * index[axis];
      offsetB -= stridesB[axis] * index[axis];
      index[axis] = 0;
    }
  }
}

}  // namespace

Conv2DParams makeConv2DParams(const Shape& x, const Shape& weights, const Shape& y, const Conv2DAttributes& a) {
  return {x[0],      x[1],      x[2],       x[3],       y[1],          y[2],          y[3],   weights[2],
          weights[3], a.strideH, a.strideW, a.dilationH, a.dilationW, a.padding.top, a.padding.left, a.groups,
          a.activation};
}

void conv2dReference(const Conv2DParams& p, const float* x, const float* weights, const float* bias,
                     const float* residual, float* y) {
  const int64_t inPerGroup = p.inChannels / p.groups, outPerGroup = p.outChannels / p.groups;
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t o = 0; o < p.outChannels; ++o) {
      const int64_t group = o / outPerGroup;
      const float* w = weights + o * inPerGroup * p.kernelH * p.kernelW;
      for (int64_t oy = 0; oy < p.outHeight; ++oy) {
        for (int64_t ox = 0; ox < p.outWidth; ++ox) {
          float sum = bias ? bias[o] : 0.0f;
          for (int64_t c = 0; c < inPerGroup; ++c) {
            const float* plane = x + ((n * p.inChannels) + group * inPerGroup + c) * p.inHeight * p.inWidth;
            for (int64_t ky = 0; ky < p.kernelH; ++ky) {
              const int64_t iy = oy * p.strideH - p.padTop + ky * p.dilationH;
              if (iy < 0 || iy >= p.inHeight) continue;
              for (int64_t kx = 0; kx < p.kernelW; ++kx) {
                const int64_t ix = ox * p.strideW - p.padLeft + kx * p.dilationW;
                if (ix < 0 || ix >= p.inWidth) continue;
                sum += plane[iy * p.inWidth + ix] * w[(c * p.kernelH + ky) * p.kernelW + kx];
              }
            }
          }
          const int64_t out = ((n * p.outChannels + o) * p.outHeight + oy) * p.outWidth + ox;
          if (residual) sum += residual[out];
          y[out] = applyActivation(p.activation, sum);
        }
      }
    }
  }
}

void fullyConnectedReference(int64_t batch, int64_t inFeatures, int64_t outFeatures, const float* x,
                             const float* weights, const float* bias, const Activation& activation, float* y) {
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t o = 0; o < outFeatures; ++o) {
      float sum = bias ? bias[o] : 0.0f;
      for (int64_t k = 0; k < inFeatures; ++k) sum += weights[o * inFeatures + k] * x[n * inFeatures + k];
      y[n * outFeatures + o] = applyActivation(activation, sum);
    }
  }
}

void binaryReference(BinaryOp op, const Shape& aShape, const float* a, const Shape& bShape, const float* b,
                     const Shape& yShape, const Activation& activation, float* y) {
  forEachBroadcast(yShape, broadcastStrides(aShape, yShape), broadcastStrides(bShape, yShape),
                   [&](int64_t out, int64_t offsetA, int64_t offsetB) {
                     const float value = op == BinaryOp::Add ? a[offsetA] + b[offsetB] : a[offsetA] * b[offsetB];
                     y[out] = applyActivation(activation, value);
                   });
}

void activationReference(const Activation& activation, int64_t count, const float* x, float* y) {
  for (int64_t i = 0; i < count; ++i) y[i] = applyActivation(activation, x[i]);
}

void preluReference(const Shape& xShape, const float* x, const Shape& slopeShape, const float* slope, float* y) {
  Indices slopeStrides{};
  if (slopeShape.size() == 1 && xShape.size() >= 2) {
    slopeStrides[1] = slopeShape[0] == 1 ? 0 : 1;  // per channel: [C] aligned to axis 1
  } else {
    slopeStrides = broadcastStrides(slopeShape, xShape);
  }
  forEachBroadcast(xShape, stridesOf(xShape), slopeStrides,
                   [&](int64_t out, int64_t offsetX, int64_t offsetSlope) {
                     const float value = x[offsetX];
                     y[out] = value >= 0.0f ? value : slope[offsetSlope] * value;
                   });
}

Pool2DParams makePool2DParams(const Shape& x, const Shape& y, const Pool2DAttributes& a) {
  return {x[0],      x[1],      x[2],      x[3],          y[2],           y[3], a.kernelH, a.kernelW,
          a.strideH, a.strideW, a.padding.top, a.padding.left, a.countIncludePad};
}

void maxPoolReference(const Pool2DParams& p, const float* x, float* y) {
  for (int64_t plane = 0; plane < p.batch * p.channels; ++plane) {
    const float* in = x + plane * p.inHeight * p.inWidth;
    for (int64_t oy = 0; oy < p.outHeight; ++oy) {
      for (int64_t ox = 0; ox < p.outWidth; ++ox) {
        float best = -std::numeric_limits<float>::infinity();
        for (int64_t ky = 0; ky < p.kernelH; ++ky) {
          const int64_t iy = oy * p.strideH - p.padTop + ky;
          if (iy < 0 || iy >= p.inHeight) continue;
          for (int64_t kx = 0; kx < p.kernelW; ++kx) {
            const int64_t ix = ox * p.strideW - p.padLeft + kx;
            if (ix >= 0 && ix < p.inWidth) best = std::max(best, in[iy * p.inWidth + ix]);
          }
        }
        y[(plane * p.outHeight + oy) * p.outWidth + ox] = best;
      }
    }
  }
}

void averagePoolReference(const Pool2DParams& p, const float* x, float* y) {
  for (int64_t plane = 0; plane < p.batch * p.channels; ++plane) {
    const float* in = x + plane * p.inHeight * p.inWidth;
    for (int64_t oy = 0; oy < p.outHeight; ++oy) {
      for (int64_t ox = 0; ox < p.outWidth; ++ox) {
        float sum = 0.0f;
        int64_t valid = 0;
        for (int64_t ky = 0; ky < p.kernelH; ++ky) {
          const int64_t iy = oy * p.strideH - p.padTop + ky;
          if (iy < 0 || iy >= p.inHeight) continue;
          for (int64_t kx = 0; kx < p.kernelW; ++kx) {
            const int64_t ix = ox * p.strideW - p.padLeft + kx;
            if (ix < 0 || ix >= p.inWidth) continue;
            sum += in[iy * p.inWidth + ix];
            ++valid;
          }
        }
        // Floor-mode windows lie inside the padded input, so "pads included" is the whole window.
        const int64_t window = p.kernelH * p.kernelW;
        const int64_t divisor = p.countIncludePad ? window : valid;
        y[(plane * p.outHeight + oy) * p.outWidth + ox] = divisor > 0 ? sum / static_cast<float>(divisor) : 0.0f;
      }
    }
  }
}

void globalAveragePoolReference(const Shape& xShape, const float* x, float* y) {
  const int64_t planes = xShape[0] * xShape[1], area = xShape[2] * xShape[3];
  for (int64_t plane = 0; plane < planes; ++plane) {
    float sum = 0.0f;
    for (int64_t i = 0; i < area; ++i) sum += x[plane * area + i];
    y[plane] = sum / static_cast<float>(area);
  }
}

void padReference(const Shape& xShape, const float* x, const PadAttributes& attributes, float* y) {
  const size_t rank = xShape.size();
  Indices yStrides{};
  int64_t yCount = 1;
  for (size_t i = rank; i-- > 0;) {
    yStrides[i] = yCount;
    yCount *= xShape[i] + attributes.begins[i] + attributes.ends[i];
  }
  std::fill(y, y + yCount, attributes.value);
  int64_t base = 0;
  for (size_t i = 0; i < rank; ++i) base += attributes.begins[i] * yStrides[i];
  // Walk x in C order; its element lands at base + sum(index * yStride).
  forEachBroadcast(xShape, yStrides, stridesOf(xShape),
                   [&](int64_t, int64_t offsetY, int64_t offsetX) { y[base + offsetY] = x[offsetX]; });
}

void concatReference(int64_t axis, const std::vector<Shape>& shapes, const std::vector<const float*>& inputs, float* y) {
  int64_t outer = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= shapes[0][static_cast<size_t>(i)];
  float* out = y;
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < shapes.size(); ++i) {
      const int64_t row = elementCount(shapes[i]) / outer;  // elements of input i per outer index
      std::copy(inputs[i] + o * row, inputs[i] + (o + 1) * row, out);
      out += row;
    }
  }
}

void transposeReference(const Shape& xShape, const float* x, const std::vector<int32_t>& permutation, float* y) {
  Indices yExtents{}, gather{};  // gather: x stride of each y axis
  const Indices xStrides = stridesOf(xShape);
  for (size_t i = 0; i < xShape.size(); ++i) {
    yExtents[i] = xShape[static_cast<size_t>(permutation[i])];
    gather[i] = xStrides[static_cast<size_t>(permutation[i])];
  }
  forEachIndex(yExtents, xShape.size(), gather, gather, [&](int64_t out, int64_t offsetX, int64_t) { y[out] = x[offsetX]; });
}

namespace {

// TFLite's source-coordinate rules (reference_ops ResizeBilinear / ResizeNearestNeighbor).
float resizeScale(int64_t in, int64_t out, bool alignCorners) {
  return alignCorners && out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                                 : static_cast<float>(in) / static_cast<float>(out);
}

int64_t nearestSource(int64_t dst, int64_t in, float scale, const ResizeAttributes& a) {
  const float offset = a.halfPixelCenters ? 0.5f : 0.0f;
  const float source = (static_cast<float>(dst) + offset) * scale;
  const int64_t index = a.alignCorners ? static_cast<int64_t>(std::round(source)) : static_cast<int64_t>(std::floor(source));
  return std::clamp<int64_t>(index, 0, in - 1);
}

struct LinearTap {
  int64_t low, high;
  float fraction;  // weight of `high`
};

LinearTap linearSource(int64_t dst, int64_t in, float scale, const ResizeAttributes& a) {
  float source = a.halfPixelCenters && !a.alignCorners ? (static_cast<float>(dst) + 0.5f) * scale - 0.5f
                                                        : static_cast<float>(dst) * scale;
  source = std::clamp(source, 0.0f, static_cast<float>(in - 1));
  const int64_t low = static_cast<int64_t>(std::floor(source));
  return {low, std::min(low + 1, in - 1), source - static_cast<float>(low)};
}

}  // namespace

void resizeReference(const Shape& xShape, const float* x, const ResizeAttributes& a, float* y) {
  const int64_t planes = xShape[0] * xShape[1], inH = xShape[2], inW = xShape[3];
  const float scaleH = resizeScale(inH, a.outHeight, a.alignCorners), scaleW = resizeScale(inW, a.outWidth, a.alignCorners);
  for (int64_t plane = 0; plane < planes; ++plane) {
    const float* in = x + plane * inH * inW;
    float* out = y + plane * a.outHeight * a.outWidth;
    for (int64_t oy = 0; oy < a.outHeight; ++oy) {
      for (int64_t ox = 0; ox < a.outWidth; ++ox) {
        if (a.mode == ResizeMode::Nearest) {
          out[oy * a.outWidth + ox] = in[nearestSource(oy, inH, scaleH, a) * inW + nearestSource(ox, inW, scaleW, a)];
          continue;
        }
        const LinearTap ty = linearSource(oy, inH, scaleH, a), tx = linearSource(ox, inW, scaleW, a);
        const float top = in[ty.low * inW + tx.low] * (1.0f - tx.fraction) + in[ty.low * inW + tx.high] * tx.fraction;
        const float bottom = in[ty.high * inW + tx.low] * (1.0f - tx.fraction) + in[ty.high * inW + tx.high] * tx.fraction;
        out[oy * a.outWidth + ox] = top * (1.0f - ty.fraction) + bottom * ty.fraction;
      }
    }
  }
}

void softmaxReference(const Shape& xShape, const float* x, int64_t axis, float* y) {
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= xShape[static_cast<size_t>(i)];
  for (size_t i = static_cast<size_t>(axis) + 1; i < xShape.size(); ++i) inner *= xShape[i];
  const int64_t extent = xShape[static_cast<size_t>(axis)];
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * extent * inner + i;
      float maximum = -std::numeric_limits<float>::infinity();
      for (int64_t k = 0; k < extent; ++k) maximum = std::max(maximum, x[base + k * inner]);
      float sum = 0.0f;
      for (int64_t k = 0; k < extent; ++k) {
        y[base + k * inner] = std::exp(x[base + k * inner] - maximum);
        sum += y[base + k * inner];
      }
      for (int64_t k = 0; k < extent; ++k) y[base + k * inner] /= sum;
    }
  }
}

void batchNormReference(const Shape& xShape, const float* x, const float* scale, const float* bias, const float* mean,
                        const float* variance, float epsilon, float* y) {
  const int64_t batch = xShape[0], channels = xShape[1];
  const int64_t inner = elementCount(xShape) / (batch * channels);
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      const float factor = scale[c] / std::sqrt(variance[c] + epsilon);
      const float* in = x + (n * channels + c) * inner;
      float* out = y + (n * channels + c) * inner;
      for (int64_t i = 0; i < inner; ++i) out[i] = (in[i] - mean[c]) * factor + bias[c];
    }
  }
}

}  // namespace meshrt::nn
