// CpuExecutor's per-op builders: each creates its oneDNN primitive (or loop) once, asks for its
// inputs in the layouts the primitive wants (bufferIn inserts reorders), and records a step.
#include <algorithm>

#include "nn/cpu_executor_impl.h"
#include "nn/reference_ops.h"

namespace meshrt::nn {
namespace {

using dnnl::algorithm;
using dnnl::memory;
using dnnl::prop_kind;

const Shape& shapeOf(const Graph& graph, TensorId id) { return graph.tensors[id].shape; }

// Right padding that makes oneDNN's output-size formula give exactly `out` (it may be smaller
// than the IR's padding, or negative, when the last window does not reach the edge).
memory::dim exactEndPadding(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t dilation, int64_t begin) {
  return (out - 1) * stride + (kernel - 1) * dilation + 1 - in - begin;
}

}  // namespace

Result<void> CpuExecutor::Impl::addNode(const Node& node) {
  try {
    switch (node.op) {
      case OpType::Conv2D: addConv(node); break;
      case OpType::FullyConnected: addFullyConnected(node); break;
      case OpType::MaxPool:
      case OpType::AveragePool:
      case OpType::GlobalAveragePool: addPool(node); break;
      case OpType::Activation: addEltwise(node); break;
      case OpType::Add:
      case OpType::Mul: addBinary(node); break;
      case OpType::PRelu: addPRelu(node); break;
      case OpType::Reshape: addReshape(node); break;
      case OpType::Concat: addConcat(node); break;
      case OpType::Pad:
      case OpType::Transpose:
      case OpType::Resize:
      case OpType::Softmax:
      case OpType::BatchNormalization: addLoopOp(node); break;
    }
  } catch (const dnnl::error& error) {
    return makeError(describeNode(node), std::string("oneDNN: ") + error.what());
  }
  return {};
}

void CpuExecutor::Impl::addConv(const Node& node) {
  const auto& a = std::get<Conv2DAttributes>(node.attributes);
  const Shape& x = shapeOf(graph, node.inputs[0]);
  const Shape& w = shapeOf(graph, node.inputs[1]);
  const Shape& y = shapeOf(graph, node.outputs[0]);
  const bool hasBias = node.inputs.size() > 2 && node.inputs[2] != NO_TENSOR;
  const bool hasResidual = node.inputs.size() > 3 && node.inputs[3] != NO_TENSOR;
  // Weights OIHW; grouped convolutions are 5-D GOIHW for oneDNN.
  const Shape weightShape = a.groups > 1 ? Shape{a.groups, w[0] / a.groups, w[1], w[2], w[3]} : w;
  const memory::desc plainWeights = plainDesc(weightShape);
  const memory::desc biasDesc = hasBias ? plainDesc({w[0]}) : memory::desc();
  const memory::dims strides{a.strideH, a.strideW}, dilations{a.dilationH - 1, a.dilationW - 1};
  const memory::dims padBegin{a.padding.top, a.padding.left};
  const memory::dims padEnd{exactEndPadding(x[2], y[2], w[2], a.strideH, a.dilationH, a.padding.top),
                            exactEndPadding(x[3], y[3], w[3], a.strideW, a.dilationW, a.padding.left)};
  const dnnl::convolution_forward::desc desc(prop_kind::forward_inference, algorithm::convolution_direct, anyDesc(x),
                                             anyDesc(weightShape), biasDesc, anyDesc(y), strides, dilations, padBegin,
                                             padEnd);
  const dnnl::convolution_forward::primitive_desc pd(desc, makeAttr(a.activation, hasResidual), engine);
  trackScratchpad(pd);
  const int32_t src = bufferIn(node.inputs[0], pd.src_desc());
  std::vector<std::pair<int, memory>> fixed{
      {DNNL_ARG_WEIGHTS, makeConstant(plainWeights, pd.weights_desc(), constantAsFloats(graph.tensors[node.inputs[1]]))}};
  if (hasBias) fixed.push_back({DNNL_ARG_BIAS, makeConstant(biasDesc, pd.bias_desc(), constantAsFloats(graph.tensors[node.inputs[2]]))});
  // The residual is summed into dst by the sum post-op. When this conv is its last reader and it
  // already has dst's layout, the conv accumulates into it in place; otherwise it is copied there.
  int32_t dst = -1;
  if (hasResidual) {
    const TensorId residual = node.inputs[3];
    for (int32_t held : heldBuffers(residual))
      if (held != src && buffers[static_cast<size_t>(held)].desc == pd.dst_desc() && canOverwrite(residual, held))
        dst = held;  // never the conv's own source: it reads neighbours of pixels already written
    if (dst < 0) {
      dst = addBuffer(pd.dst_desc());
      addReorderStep(node.name + "/residual", heldBuffers(residual).front(), dst);
    }
  } else {
    dst = addBuffer(pd.dst_desc());
  }
  addPrimitiveStep(node.name, dnnl::convolution_forward(pd), {{DNNL_ARG_SRC, src}}, {{DNNL_ARG_DST, dst}}, std::move(fixed));
  tensorBuffers[node.outputs[0]] = {dst};
}

void CpuExecutor::Impl::addFullyConnected(const Node& node) {
  const auto& a = std::get<FullyConnectedAttributes>(node.attributes);
  const Shape& w = shapeOf(graph, node.inputs[1]);
  const Shape& y = shapeOf(graph, node.outputs[0]);
  const bool hasBias = node.inputs.size() > 2 && node.inputs[2] != NO_TENSOR;
  // x flattened to [N][K] over its plain (C order) bytes.
  const memory::desc source2d = plainDesc({y[0], w[1]});
  const int32_t src = addAlias(plainBuffer(node.inputs[0]), source2d);
  const memory::desc biasDesc = hasBias ? plainDesc({w[0]}) : memory::desc();
  const dnnl::inner_product_forward::desc desc(prop_kind::forward_inference, source2d, anyDesc(w), biasDesc, anyDesc(y));
  const dnnl::inner_product_forward::primitive_desc pd(desc, makeAttr(a.activation, false), engine);
  trackScratchpad(pd);
  std::vector<std::pair<int, memory>> fixed{
      {DNNL_ARG_WEIGHTS, makeConstant(plainDesc(w), pd.weights_desc(), constantAsFloats(graph.tensors[node.inputs[1]]))}};
  if (hasBias) fixed.push_back({DNNL_ARG_BIAS, makeConstant(biasDesc, pd.bias_desc(), constantAsFloats(graph.tensors[node.inputs[2]]))});
  const int32_t dst = addBuffer(pd.dst_desc());
  addPrimitiveStep(node.name, dnnl::inner_product_forward(pd), {{DNNL_ARG_SRC, src}}, {{DNNL_ARG_DST, dst}}, std::move(fixed));
  tensorBuffers[node.outputs[0]] = {dst};
}

void CpuExecutor::Impl::addPool(const Node& node) {
  const Shape& x = shapeOf(graph, node.inputs[0]);
  const Shape& y = shapeOf(graph, node.outputs[0]);
  algorithm kind = algorithm::pooling_max;
  memory::dims kernel{x[2], x[3]}, strides{1, 1}, padBegin{0, 0}, padEnd{0, 0};
  Shape poolShape = y;  // GlobalAveragePool without keepDims pools to [N][C][1][1], viewed as [N][C]
  if (node.op == OpType::GlobalAveragePool) {
    kind = algorithm::pooling_avg_exclude_padding;
    poolShape = {x[0], x[1], 1, 1};
  } else {
    const auto& a = std::get<Pool2DAttributes>(node.attributes);
    if (node.op == OpType::AveragePool)
      kind = a.countIncludePad ? algorithm::pooling_avg_include_padding : algorithm::pooling_avg_exclude_padding;
    kernel = {a.kernelH, a.kernelW};
    strides = {a.strideH, a.strideW};
    padBegin = {a.padding.top, a.padding.left};
    padEnd = {exactEndPadding(x[2], y[2], a.kernelH, a.strideH, 1, a.padding.top),
              exactEndPadding(x[3], y[3], a.kernelW, a.strideW, 1, a.padding.left)};
  }
  const bool viewAs2d = poolShape.size() != y.size();
  const memory::desc dstDesc = viewAs2d ? plainDesc(poolShape) : anyDesc(poolShape);
  // Pool in the layout x already has; plain NCHW if oneDNN has no implementation for it.
  auto makePd = [&](const memory::desc& source) {
    const dnnl::pooling_forward::desc desc(prop_kind::forward_inference, kind, source, dstDesc, strides, kernel, padBegin, padEnd);
    return dnnl::pooling_forward::primitive_desc(desc, makeAttr({}, false), engine);
  };
  dnnl::pooling_forward::primitive_desc pd;
  try {
    pd = makePd(currentDesc(node.inputs[0]));
  } catch (const dnnl::error&) {
    pd = makePd(plainDesc(x));
  }
  trackScratchpad(pd);
  const int32_t src = bufferIn(node.inputs[0], pd.src_desc());
  const int32_t dst = addBuffer(pd.dst_desc());
  addPrimitiveStep(node.name, dnnl::pooling_forward(pd), {{DNNL_ARG_SRC, src}}, {{DNNL_ARG_DST, dst}});
  tensorBuffers[node.outputs[0]] = {viewAs2d ? addAlias(dst, plainDesc(y)) : dst};
}

void CpuExecutor::Impl::addEltwise(const Node& node) {
  const Activation& activation = std::get<ActivationAttributes>(node.attributes).activation;
  const EltwiseParams e = eltwiseParams(activation);
  const memory::desc& source = currentDesc(node.inputs[0]);  // any layout: elementwise
  const dnnl::eltwise_forward::desc desc(prop_kind::forward_inference, e.kind, source, e.alpha, e.beta);
  const dnnl::eltwise_forward::primitive_desc pd(desc, makeAttr({}, false), engine);
  trackScratchpad(pd);
  const int32_t src = heldBuffers(node.inputs[0]).front();
  const int32_t dst = addBuffer(pd.dst_desc());
  addPrimitiveStep(node.name, dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, src}}, {{DNNL_ARG_DST, dst}});
  tensorBuffers[node.outputs[0]] = {dst};
}

void CpuExecutor::Impl::addBinary(const Node& node) {
  const Activation& activation = std::get<BinaryAttributes>(node.attributes).activation;
  const Shape& y = shapeOf(graph, node.outputs[0]);
  TensorId full = node.inputs[0], other = node.inputs[1];
  if (shapeOf(graph, full) != y) std::swap(full, other);  // Add and Mul commute
  const BinaryOp op = node.op == OpType::Add ? BinaryOp::Add : BinaryOp::Mul;
  if (shapeOf(graph, full) != y) {
    // Both operands broadcast: plain loops.
    const Shape a = shapeOf(graph, node.inputs[0]), b = shapeOf(graph, node.inputs[1]);
    addLoopStep(node.name, {plainBuffer(node.inputs[0]), plainBuffer(node.inputs[1])}, node.outputs[0],
                [op, a, b, y, activation](float* const* p) { binaryReference(op, a, p[0], b, p[1], y, activation, p[2]); });
    return;
  }
  const algorithm kind = op == BinaryOp::Add ? algorithm::binary_add : algorithm::binary_mul;
  const Shape& otherShape = shapeOf(graph, other);
  // A broadcast operand is plain, its shape right-aligned to y's rank with leading 1s.
  Shape padded(y.size() - otherShape.size(), 1);
  padded.insert(padded.end(), otherShape.begin(), otherShape.end());
  auto makePd = [&](const memory::desc& source0) {
    const memory::desc source1 = otherShape == y ? source0 : plainDesc(padded);
    return dnnl::binary::primitive_desc(dnnl::binary::desc(kind, source0, source1, source0), makeAttr(activation, false), engine);
  };
  dnnl::binary::primitive_desc pd;
  try {
    pd = makePd(currentDesc(full));  // the full operand's layout, blocked or not
  } catch (const dnnl::error&) {
    pd = makePd(plainDesc(y));
  }
  trackScratchpad(pd);
  const int32_t src0 = bufferIn(full, pd.src0_desc());
  const int32_t src1 = otherShape == y ? bufferIn(other, pd.src1_desc()) : addAlias(plainBuffer(other), pd.src1_desc());
  const int32_t dst = addBuffer(pd.dst_desc());
  addPrimitiveStep(node.name, dnnl::binary(pd), {{DNNL_ARG_SRC_0, src0}, {DNNL_ARG_SRC_1, src1}}, {{DNNL_ARG_DST, dst}});
  tensorBuffers[node.outputs[0]] = {dst};
}

void CpuExecutor::Impl::addPRelu(const Node& node) {
  const Shape& x = shapeOf(graph, node.inputs[0]);
  const Shape& slope = shapeOf(graph, node.inputs[1]);
  // The slope as oneDNN weights of x's rank: per channel [1][C][1][1], or right-aligned with 1s.
  Shape weightShape(x.size(), 1);
  if (slope.size() == 1 && x.size() >= 2) {
    weightShape[1] = slope[0];
  } else {
    std::copy(slope.begin(), slope.end(), weightShape.end() - static_cast<std::ptrdiff_t>(slope.size()));
  }
  const memory::desc weightDesc = plainDesc(weightShape);
  const std::vector<float> values = constantAsFloats(graph.tensors[node.inputs[1]]);
  auto makePd = [&](const memory::desc& source) {
    return dnnl::prelu_forward::primitive_desc(dnnl::prelu_forward::desc(prop_kind::forward_inference, source, weightDesc),
                                               makeAttr({}, false), engine);
  };
  dnnl::prelu_forward::primitive_desc pd;
  try {
    pd = makePd(currentDesc(node.inputs[0]));
  } catch (const dnnl::error&) {
    pd = makePd(plainDesc(x));
  }
  trackScratchpad(pd);
  const int32_t src = bufferIn(node.inputs[0], pd.src_desc());
  const int32_t dst = addBuffer(pd.dst_desc());
  addPrimitiveStep(node.name, dnnl::prelu_forward(pd), {{DNNL_ARG_SRC, src}}, {{DNNL_ARG_DST, dst}},
                   {{DNNL_ARG_WEIGHTS, makeConstant(weightDesc, pd.weights_desc(), values)}});
  tensorBuffers[node.outputs[0]] = {dst};
}

void CpuExecutor::Impl::addConcat(const Node& node) {
  // oneDNN concat on the inputs' own layouts (blocked included), output layout its choice; the
  // plain loop when it has no implementation for them.
  const Shape& y = shapeOf(graph, node.outputs[0]);
  int64_t axis = std::get<ConcatAttributes>(node.attributes).axis;
  if (axis < 0) axis += static_cast<int64_t>(y.size());
  std::vector<memory::desc> sources;
  for (TensorId id : node.inputs) sources.push_back(currentDesc(id));
  dnnl::concat::primitive_desc pd;
  try {
    pd = dnnl::concat::primitive_desc(anyDesc(y), static_cast<int>(axis), sources, engine, makeAttr({}, false));
  } catch (const dnnl::error&) {
    addLoopOp(node);
    return;
  }
  trackScratchpad(pd);
  std::vector<std::pair<int, int32_t>> reads;
  for (size_t i = 0; i < node.inputs.size(); ++i)
    reads.push_back({DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i), bufferIn(node.inputs[i], pd.src_desc(static_cast<int>(i)))});
  const int32_t dst = addBuffer(pd.dst_desc());
  addPrimitiveStep(node.name, dnnl::concat(pd), std::move(reads), {{DNNL_ARG_DST, dst}});
  tensorBuffers[node.outputs[0]] = {dst};
}

void CpuExecutor::Impl::addReshape(const Node& node) {
  // A reshape of plain (C order) bytes is a reinterpretation: no step, an alias.
  const int32_t source = plainBuffer(node.inputs[0]);
  tensorBuffers[node.outputs[0]] = {addAlias(source, plainDesc(shapeOf(graph, node.outputs[0])))};
}

void CpuExecutor::Impl::addLoopOp(const Node& node) {
  const Shape x = shapeOf(graph, node.inputs[0]);
  const Shape y = shapeOf(graph, node.outputs[0]);
  switch (node.op) {
    case OpType::Pad: {
      const PadAttributes a = std::get<PadAttributes>(node.attributes);
      addLoopStep(node.name, {plainBuffer(node.inputs[0])}, node.outputs[0],
                  [x, a](float* const* p) { padReference(x, p[0], a, p[1]); });
      return;
    }
    case OpType::Concat: {
      std::vector<int32_t> inputs;
      std::vector<Shape> shapes;
      for (TensorId id : node.inputs) {
        inputs.push_back(plainBuffer(id));
        shapes.push_back(shapeOf(graph, id));
      }
      int64_t axis = std::get<ConcatAttributes>(node.attributes).axis;
      if (axis < 0) axis += static_cast<int64_t>(y.size());
      // Input pointers gathered into a vector sized once here, refilled per run (no allocation).
      auto pointers = std::make_shared<std::vector<const float*>>(shapes.size());
      addLoopStep(node.name, std::move(inputs), node.outputs[0], [axis, shapes, pointers](float* const* p) {
        for (size_t i = 0; i < shapes.size(); ++i) (*pointers)[i] = p[i];
        concatReference(axis, shapes, *pointers, p[shapes.size()]);
      });
      return;
    }
    case OpType::Transpose: {
      const std::vector<int32_t> permutation = std::get<TransposeAttributes>(node.attributes).permutation;
      addLoopStep(node.name, {plainBuffer(node.inputs[0])}, node.outputs[0],
                  [x, permutation](float* const* p) { transposeReference(x, p[0], permutation, p[1]); });
      return;
    }
    case OpType::Resize: {
      const ResizeAttributes a = std::get<ResizeAttributes>(node.attributes);
      addLoopStep(node.name, {plainBuffer(node.inputs[0])}, node.outputs[0],
                  [x, a](float* const* p) { resizeReference(x, p[0], a, p[1]); });
      return;
    }
    case OpType::Softmax: {
      int64_t axis = std::get<SoftmaxAttributes>(node.attributes).axis;
      if (axis < 0) axis += static_cast<int64_t>(x.size());
      addLoopStep(node.name, {plainBuffer(node.inputs[0])}, node.outputs[0],
                  [x, axis](float* const* p) { softmaxReference(x, p[0], axis, p[1]); });
      return;
    }
    case OpType::BatchNormalization: {
      const float epsilon = std::get<BatchNormAttributes>(node.attributes).epsilon;
      std::vector<int32_t> inputs;
      for (TensorId id : node.inputs) inputs.push_back(plainBuffer(id));
      addLoopStep(node.name, std::move(inputs), node.outputs[0], [x, epsilon](float* const* p) {
        batchNormReference(x, p[0], p[1], p[2], p[3], p[4], epsilon, p[5]);
      });
      return;
    }
    default: return;
  }
}

}  // namespace meshrt::nn
