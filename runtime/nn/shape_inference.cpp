// inferShapes(): one output shape per node, in topological order, checking the inputs' shapes.
#include <algorithm>
#include <limits>

#include "nn/graph.h"

namespace meshrt::nn {
namespace {

struct SamePad {
  int32_t begin, end;
};

// TensorFlow SAME / ONNX SAME_UPPER: the extra pixel of an odd total goes to the end.
// Inputs are bounded (dimensions <= MAX_TENSOR_ELEMENTS, int32 strides and dilations), so the
// arithmetic stays in int64; a total the int32 pads cannot hold is clamped, and the window check
// that follows rejects it.
SamePad resolveSame(int64_t in, int64_t kernel, int64_t stride, int64_t dilation) {
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::clamp<int64_t>((out - 1) * stride + (kernel - 1) * dilation + 1 - in, 0,
                                            std::numeric_limits<int32_t>::max());
  return {static_cast<int32_t>(total / 2), static_cast<int32_t>(total - total / 2)};
}

void resolvePadding(Padding2D& padding, int64_t inH, int64_t inW, int64_t kH, int64_t kW, int64_t sH, int64_t sW,
                    int64_t dH, int64_t dW) {
  if (!padding.same) return;
  const SamePad vertical = resolveSame(inH, kH, sH, dH), horizontal = resolveSame(inW, kW, sW, dW);
  padding.top = vertical.begin;
  padding.bottom = vertical.end;
  padding.left = horizontal.begin;
  padding.right = horizontal.end;
}

// Output extent of a sliding window (floor mode), or < 1 when the window does not fit.
int64_t windowOutput(int64_t in, int64_t padBegin, int64_t padEnd, int64_t kernel, int64_t stride, int64_t dilation) {
  const int64_t span = (kernel - 1) * dilation + 1;
  if (in + padBegin + padEnd < span) return 0;
  return (in + padBegin + padEnd - span) / stride + 1;
}

Result<Shape> broadcastShapes(const std::string& context, const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t da = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    const int64_t db = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    if (da != db && da != 1 && db != 1)
      return makeError(context, "shapes " + shapeString(a) + " and " + shapeString(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Result<void> requireRank(const std::string& context, size_t index, const Shape& shape, size_t rank) {
  if (shape.size() != rank)
    return makeError(context + ": input " + std::to_string(index),
                     "expected " + std::to_string(rank) + "-D, got " + shapeString(shape));
  return {};
}

int64_t normalizeAxis(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

struct ShapeContext {
  const Graph& graph;
  const Node& node;
  std::string context;
  const Shape& input(size_t i) const { return graph.tensors[node.inputs[i]].shape; }
  bool has(size_t i) const { return i < node.inputs.size() && node.inputs[i] != NO_TENSOR; }
};

Result<Shape> convShape(const ShapeContext& s, Conv2DAttributes& a) {
  MESHRT_TRY(requireRank(s.context, 0, s.input(0), 4));
  const Shape& x = s.input(0);
  const Shape& w = s.input(1);
  if (x[1] % a.groups != 0 || w[0] % a.groups != 0)
    return makeError(s.context, "groups " + std::to_string(a.groups) + " does not divide channels " +
                                    std::to_string(x[1]) + " -> " + std::to_string(w[0]));
  if (w[1] * a.groups != x[1])
    return makeError(s.context + ": input 1", "weights " + shapeString(w) + " expect " + std::to_string(w[1] * a.groups) +
                                                  " input channels, x " + shapeString(x) + " has " + std::to_string(x[1]));
  if (s.has(2) && s.input(2) != Shape{w[0]})
    return makeError(s.context + ": input 2", "expected bias [" + std::to_string(w[0]) + "], got " + shapeString(s.input(2)));
  resolvePadding(a.padding, x[2], x[3], w[2], w[3], a.strideH, a.strideW, a.dilationH, a.dilationW);
  const int64_t outH = windowOutput(x[2], a.padding.top, a.padding.bottom, w[2], a.strideH, a.dilationH);
  const int64_t outW = windowOutput(x[3], a.padding.left, a.padding.right, w[3], a.strideW, a.dilationW);
  if (outH < 1 || outW < 1) return makeError(s.context, "kernel larger than the padded input " + shapeString(x));
  Shape y{x[0], w[0], outH, outW};
  if (s.has(3) && s.input(3) != y)
    return makeError(s.context + ": input 3", "residual " + shapeString(s.input(3)) + " differs from output " + shapeString(y));
  return y;
}

Result<Shape> poolShape(const ShapeContext& s, Pool2DAttributes& a) {
  MESHRT_TRY(requireRank(s.context, 0, s.input(0), 4));
  const Shape& x = s.input(0);
  resolvePadding(a.padding, x[2], x[3], a.kernelH, a.kernelW, a.strideH, a.strideW, 1, 1);
  if (a.padding.top >= a.kernelH || a.padding.bottom >= a.kernelH || a.padding.left >= a.kernelW ||
      a.padding.right >= a.kernelW)
    return makeError(s.context, "padding must be smaller than the kernel");
  const int64_t outH = windowOutput(x[2], a.padding.top, a.padding.bottom, a.kernelH, a.strideH, 1);
  const int64_t outW = windowOutput(x[3], a.padding.left, a.padding.right, a.kernelW, a.strideW, 1);
  if (outH < 1 || outW < 1) return makeError(s.context, "kernel larger than the padded input " + shapeString(x));
  return Shape{x[0], x[1], outH, outW};
}

Result<Shape> fullyConnectedShape(const ShapeContext& s) {
  const Shape& x = s.input(0);
  const Shape& w = s.input(1);
  const int64_t count = elementCount(x);
  if (x.empty() || w[1] < 1 || count % w[1] != 0)
    return makeError(s.context, "x " + shapeString(x) + " does not flatten to [N][" + std::to_string(w[1]) + "]");
  if (s.has(2) && s.input(2) != Shape{w[0]})
    return makeError(s.context + ": input 2", "expected bias [" + std::to_string(w[0]) + "], got " + shapeString(s.input(2)));
  return Shape{count / w[1], w[0]};
}

Result<Shape> preluShape(const ShapeContext& s) {
  const Shape& x = s.input(0);
  const Shape& slope = s.input(1);
  // A 1-D slope of C values is per channel (axis 1); other slopes broadcast NumPy-style onto x.
  if (slope.size() == 1 && x.size() >= 2 && (slope[0] == x[1] || slope[0] == 1)) return x;
  auto broadcast = broadcastShapes(s.context + ": input 1", x, slope);
  if (!broadcast) return broadcast.error();
  if (*broadcast != x) return makeError(s.context + ": input 1", "slope " + shapeString(slope) + " does not broadcast to " + shapeString(x));
  return x;
}

Result<Shape> padShape(const ShapeContext& s, const PadAttributes& a) {
  const Shape& x = s.input(0);
  if (a.begins.size() != x.size())
    return makeError(s.context, std::to_string(a.begins.size()) + " pads for a " + std::to_string(x.size()) + "-D input");
  Shape y = x;
  for (size_t i = 0; i < y.size(); ++i) {
    if (a.begins[i] > MAX_TENSOR_ELEMENTS || a.ends[i] > MAX_TENSOR_ELEMENTS)
      return makeError(s.context, "pads of axis " + std::to_string(i) + " exceed " + std::to_string(MAX_TENSOR_ELEMENTS));
    y[i] += a.begins[i] + a.ends[i];  // each term <= 2^31: no overflow
  }
  return y;
}

Result<Shape> reshapeShape(const ShapeContext& s, const ReshapeAttributes& a) {
  const Shape& x = s.input(0);
  Shape target = a.shape;
  if (target.empty() && s.has(1)) target = constantAsInts(s.graph.tensors[s.node.inputs[1]]);
  if (target.empty()) return makeError(s.context, "no target shape");
  int64_t known = 1;
  int inferred = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == 0) {
      if (i >= x.size()) return makeError(s.context, "shape " + shapeString(target) + ": 0 past the input's rank");
      target[i] = x[i];
    }
    if (target[i] == -1) {
      if (inferred >= 0) return makeError(s.context, "shape " + shapeString(target) + " has two -1");
      inferred = static_cast<int>(i);
    } else if (target[i] < 1) {
      return makeError(s.context, "shape " + shapeString(target) + " has a dimension < -1");
    } else if (target[i] > MAX_TENSOR_ELEMENTS || known > MAX_TENSOR_ELEMENTS / target[i]) {
      return makeError(s.context, "shape " + shapeString(target) + " exceeds " + std::to_string(MAX_TENSOR_ELEMENTS) +
                                      " elements");
    } else {
      known *= target[i];
    }
  }
  const int64_t count = elementCount(x);
  if (inferred >= 0) {
    if (count % known != 0) return makeError(s.context, "cannot reshape " + shapeString(x) + " to " + shapeString(a.shape));
    target[static_cast<size_t>(inferred)] = count / known;
  }
  if (elementCount(target) != count)
    return makeError(s.context, "cannot reshape " + shapeString(x) + " to " + shapeString(target));
  return target;
}

Result<Shape> concatShape(const ShapeContext& s, const ConcatAttributes& a) {
  Shape y = s.input(0);
  const int64_t axis = normalizeAxis(a.axis, y.size());
  if (axis < 0 || axis >= static_cast<int64_t>(y.size()))
    return makeError(s.context, "axis " + std::to_string(a.axis) + " out of range for " + shapeString(y));
  for (size_t i = 1; i < s.node.inputs.size(); ++i) {
    const Shape& other = s.input(i);
    bool compatible = other.size() == y.size();
    for (size_t d = 0; compatible && d < y.size(); ++d)
      if (static_cast<int64_t>(d) != axis && other[d] != y[d]) compatible = false;
    if (!compatible)
      return makeError(s.context + ": input " + std::to_string(i),
                       shapeString(other) + " does not concatenate with " + shapeString(s.input(0)) + " on axis " + std::to_string(axis));
    y[static_cast<size_t>(axis)] += other[static_cast<size_t>(axis)];
  }
  return y;
}

Result<Shape> transposeShape(const ShapeContext& s, const TransposeAttributes& a) {
  const Shape& x = s.input(0);
  if (a.permutation.size() != x.size())
    return makeError(s.context, "permutation of " + std::to_string(a.permutation.size()) + " axes for " + shapeString(x));
  std::vector<bool> seen(x.size(), false);
  Shape y(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const int32_t axis = a.permutation[i];
    if (axis < 0 || axis >= static_cast<int32_t>(x.size()) || seen[static_cast<size_t>(axis)])
      return makeError(s.context, "permutation is not a permutation of 0.." + std::to_string(x.size() - 1));
    seen[static_cast<size_t>(axis)] = true;
    y[i] = x[static_cast<size_t>(axis)];
  }
  return y;
}

Result<Shape> batchNormShape(const ShapeContext& s) {
  const Shape& x = s.input(0);
  if (x.size() < 2) return makeError(s.context + ": input 0", "expected at least 2-D, got " + shapeString(x));
  for (size_t i = 1; i < 5; ++i)
    if (s.input(i) != Shape{x[1]})
      return makeError(s.context + ": input " + std::to_string(i), "expected [" + std::to_string(x[1]) + "], got " + shapeString(s.input(i)));
  return x;
}

Result<Shape> nodeShape(const Graph& graph, Node& node) {
  ShapeContext s{graph, node, describeNode(node)};
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    if (!s.has(i)) continue;
    const Tensor& input = graph.tensors[node.inputs[i]];
    if (input.shape.empty() && !input.isConstant())
      return makeError(s.context + ": input " + std::to_string(i), "'" + input.name + "' has no shape");
    // A constant's shape need not match its byte count when a dimension is 0 ([0][2^62] holds 0 bytes).
    if (input.isConstant() && boundedElementCount(input.shape) < 0)
      return makeError(s.context + ": input " + std::to_string(i), "constant '" + input.name + "' of shape " +
                                                                     shapeString(input.shape) + " is too large");
  }
  switch (node.op) {
    case OpType::Conv2D: return convShape(s, std::get<Conv2DAttributes>(node.attributes));
    case OpType::FullyConnected: return fullyConnectedShape(s);
    case OpType::Add:
    case OpType::Mul: return broadcastShapes(s.context, s.input(0), s.input(1));
    case OpType::Activation:
    case OpType::Softmax:
      if (node.op == OpType::Softmax) {
        const int64_t axis = normalizeAxis(std::get<SoftmaxAttributes>(node.attributes).axis, s.input(0).size());
        if (axis < 0 || axis >= static_cast<int64_t>(s.input(0).size()))
          return makeError(s.context, "axis out of range for " + shapeString(s.input(0)));
      }
      return s.input(0);
    case OpType::PRelu: return preluShape(s);
    case OpType::MaxPool:
    case OpType::AveragePool: return poolShape(s, std::get<Pool2DAttributes>(node.attributes));
    case OpType::GlobalAveragePool: {
      MESHRT_TRY(requireRank(s.context, 0, s.input(0), 4));
      const Shape& x = s.input(0);
      if (std::get<GlobalAveragePoolAttributes>(node.attributes).keepDims) return Shape{x[0], x[1], 1, 1};
      return Shape{x[0], x[1]};
    }
    case OpType::Pad: return padShape(s, std::get<PadAttributes>(node.attributes));
    case OpType::Reshape: return reshapeShape(s, std::get<ReshapeAttributes>(node.attributes));
    case OpType::Concat: return concatShape(s, std::get<ConcatAttributes>(node.attributes));
    case OpType::Transpose: return transposeShape(s, std::get<TransposeAttributes>(node.attributes));
    case OpType::Resize: {
      MESHRT_TRY(requireRank(s.context, 0, s.input(0), 4));
      const auto& a = std::get<ResizeAttributes>(node.attributes);
      return Shape{s.input(0)[0], s.input(0)[1], a.outHeight, a.outWidth};
    }
    case OpType::BatchNormalization: return batchNormShape(s);
  }
  return makeError(s.context, "unsupported op");
}

}  // namespace

Result<void> inferShapes(Graph& graph) {
  MESHRT_TRY(validateGraph(graph));
  for (TensorId id : graph.inputs) {
    const Shape& shape = graph.tensors[id].shape;
    if (shape.size() > MAX_TENSOR_RANK)
      return makeError("input '" + graph.tensors[id].name + "'", "rank above " + std::to_string(MAX_TENSOR_RANK));
    if (boundedElementCount(shape) < 0)
      return makeError("input '" + graph.tensors[id].name + "'", "shape " + shapeString(shape) + " exceeds " +
                                                                   std::to_string(MAX_TENSOR_ELEMENTS) + " elements");
  }
  // Every shape below is computed from bounded inputs and checked before the next node uses it.
  for (Node& node : graph.nodes) {
    auto shape = nodeShape(graph, node);
    if (!shape) return shape.error();
    if (shape->size() > MAX_TENSOR_RANK)
      return makeError(describeNode(node), "output rank " + std::to_string(shape->size()) + " above " + std::to_string(MAX_TENSOR_RANK));
    if (boundedElementCount(*shape) < 0)
      return makeError(describeNode(node), "output shape " + shapeString(*shape) + " exceeds " +
                                               std::to_string(MAX_TENSOR_ELEMENTS) + " elements");
    graph.tensors[node.outputs[0]].shape = std::move(*shape);
  }
  return {};
}

}  // namespace meshrt::nn
