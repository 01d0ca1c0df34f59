// ONNX → IR converters for the arithmetic ops: Conv, Gemm, MatMul, BatchNormalization, the
// elementwise binaries, the activations and the pools. Layout-only ops: onnx_ops_layout.cpp.
#include <cmath>
#include <limits>

#include "nn/onnx_import_context.h"

namespace meshrt::nn::onnx_import {

namespace {

// Upper bound on strides, dilations, kernel sizes and pads (keeps int32 arithmetic exact).
constexpr int64_t MAX_WINDOW_VALUE = 1 << 16;

Result<const ConstantValue*> floatConstantInput(ImportContext& context, int index, const char* what) {
  auto value = context.requireConstantInput(index, what);
  if (!value) return value.error();
  if (!(*value)->isFloat)
    return context.fieldError("input " + std::to_string(index) + " (" + what + ")", "expected a float tensor");
  return *value;
}

Result<Shape> rank4Input(ImportContext& context) {
  auto shape = context.inputShape(0);
  if (!shape) return shape.error();
  if (shape->size() != 4) return context.fieldError("input 0", "expected a 4-D NCHW tensor, got " + shapeString(*shape));
  return *shape;
}

// A window attribute (strides, dilations, kernel_shape): 2 values in [1, MAX_WINDOW_VALUE].
Result<std::vector<int64_t>> windowAttribute(ImportContext& context, const char* name, std::vector<int64_t> fallback) {
  auto values = context.intsAttribute(name, std::move(fallback), 2);
  if (!values) return values.error();
  for (int64_t value : *values)
    if (value < 1 || value > MAX_WINDOW_VALUE)
      return context.fieldError(std::string("attribute '") + name + "'", "invalid value " + std::to_string(value));
  return values;
}

// Resolves pads + auto_pad into the IR's padding for a window of `kernel` (dilated) pixels.
Result<Padding2D> resolvePadding(ImportContext& context, const Shape& input, const std::vector<int64_t>& kernel,
                                 const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations) {
  auto autoPad = context.stringAttribute("auto_pad", "NOTSET");
  if (!autoPad) return autoPad.error();
  Padding2D padding;
  if (*autoPad == "NOTSET") {
    auto pads = context.intsAttribute("pads", {0, 0, 0, 0}, 4);  // [top, left, bottom, right]
    if (!pads) return pads.error();
    for (int64_t pad : *pads)
      if (pad < 0 || pad > MAX_WINDOW_VALUE) return context.fieldError("attribute 'pads'", "invalid value " + std::to_string(pad));
    padding.top = static_cast<int32_t>((*pads)[0]);
    padding.left = static_cast<int32_t>((*pads)[1]);
    padding.bottom = static_cast<int32_t>((*pads)[2]);
    padding.right = static_cast<int32_t>((*pads)[3]);
  } else if (*autoPad == "VALID") {
  } else if (*autoPad == "SAME_UPPER") {
    padding.same = true;
  } else if (*autoPad == "SAME_LOWER") {  // the odd pixel goes first: resolved here, explicitly
    int64_t totals[2];
    for (int axis = 0; axis < 2; ++axis) {
      const int64_t in = input[2 + axis], stride = strides[axis];
      const int64_t extent = (kernel[axis] - 1) * dilations[axis] + 1;
      totals[axis] = std::max<int64_t>(0, ((in + stride - 1) / stride - 1) * stride + extent - in);
    }
    padding.top = static_cast<int32_t>(totals[0] - totals[0] / 2);
    padding.bottom = static_cast<int32_t>(totals[0] / 2);
    padding.left = static_cast<int32_t>(totals[1] - totals[1] / 2);
    padding.right = static_cast<int32_t>(totals[1] / 2);
  } else {
    return context.fieldError("attribute 'auto_pad'", "unknown value '" + *autoPad + "'");
  }
  return padding;
}

Result<void> convertConv(ImportContext& context) {
  auto xShape = rank4Input(context);
  if (!xShape) return xShape.error();
  auto weights = floatConstantInput(context, 1, "weights");
  if (!weights) return weights.error();
  const Shape& w = (*weights)->shape;  // OIHW
  if (w.size() != 4)
    return context.fieldError("input 1 (weights)", "expected 4-D OIHW weights (2-D convolution), got " + shapeString(w));
  auto group = context.intAttribute("group", 1);
  if (!group) return group.error();
  if (*group < 1 || (*xShape)[1] % *group != 0 || w[0] % *group != 0 || w[1] * *group != (*xShape)[1])
    return context.fieldError("attribute 'group'", std::to_string(*group) + " does not fit input " + shapeString(*xShape) +
                                                       " and weights " + shapeString(w));
  auto kernel = windowAttribute(context, "kernel_shape", {w[2], w[3]});
  if (!kernel) return kernel.error();
  if ((*kernel)[0] != w[2] || (*kernel)[1] != w[3])
    return context.fieldError("attribute 'kernel_shape'", "differs from the weights' " + shapeString(w));
  auto strides = windowAttribute(context, "strides", {1, 1});
  if (!strides) return strides.error();
  auto dilations = windowAttribute(context, "dilations", {1, 1});
  if (!dilations) return dilations.error();
  auto padding = resolvePadding(context, *xShape, *kernel, *strides, *dilations);
  if (!padding) return padding.error();

  TensorId bias = NO_TENSOR;
  if (context.hasInput(2)) {
    auto biasValue = floatConstantInput(context, 2, "bias");
    if (!biasValue) return biasValue.error();
    if ((*biasValue)->count() != static_cast<size_t>(w[0]))
      return context.fieldError("input 2 (bias)", "expected " + std::to_string(w[0]) + " values, got " +
                                                      std::to_string((*biasValue)->count()));
    auto id = context.runtimeInput(2);
    if (!id) return id.error();
    bias = *id;
  }
  auto x = context.runtimeInput(0);
  if (!x) return x.error();
  auto weightsId = context.runtimeInput(1);
  if (!weightsId) return weightsId.error();
  Conv2DAttributes attributes;
  attributes.strideH = static_cast<int32_t>((*strides)[0]);
  attributes.strideW = static_cast<int32_t>((*strides)[1]);
  attributes.dilationH = static_cast<int32_t>((*dilations)[0]);
  attributes.dilationW = static_cast<int32_t>((*dilations)[1]);
  attributes.groups = static_cast<int32_t>(*group);
  attributes.padding = *padding;
  auto added = context.addNode(OpType::Conv2D, attributes, {*x, *weightsId, bias});
  if (!added) return added.error();
  return {};
}

// Adds FullyConnected y = x W^T + b with W [out][in] built by the caller.
Result<void> addFullyConnected(ImportContext& context, std::vector<float> weights, int64_t out, int64_t in,
                               const std::vector<float>* bias) {
  auto x = context.runtimeInput(0);
  if (!x) return x.error();
  const TensorId weightsId = context.addFloatConstant(context.derivedName("weights"), {out, in}, weights);
  TensorId biasId = NO_TENSOR;
  if (bias) biasId = context.addFloatConstant(context.derivedName("bias"), {out}, *bias);
  auto added = context.addNode(OpType::FullyConnected, FullyConnectedAttributes{}, {*x, weightsId, biasId});
  if (!added) return added.error();
  return {};
}

// x must be [N][K] (FullyConnected would silently flatten other ranks).
Result<void> checkMatrixInput(ImportContext& context, int64_t k) {
  auto shape = context.inputShape(0);
  if (!shape) return shape.error();
  if (shape->size() != 2 || (*shape)[1] != k)
    return context.fieldError("input 0", "expected [N][" + std::to_string(k) + "], got " + shapeString(*shape));
  return {};
}

// Gemm: y = alpha * A B' + beta * C with constant B, C; A' = A only (transA = 0).
Result<void> convertGemm(ImportContext& context) {
  auto transA = context.intAttribute("transA", 0);
  if (!transA) return transA.error();
  if (*transA != 0) return context.fieldError("attribute 'transA'", "only 0 is supported (A is the activation)");
  auto transB = context.intAttribute("transB", 0);
  if (!transB) return transB.error();
  auto alpha = context.floatAttribute("alpha", 1.0f);
  if (!alpha) return alpha.error();
  auto beta = context.floatAttribute("beta", 1.0f);
  if (!beta) return beta.error();
  auto b = floatConstantInput(context, 1, "B");
  if (!b) return b.error();
  if ((*b)->shape.size() != 2) return context.fieldError("input 1 (B)", "expected 2-D, got " + shapeString((*b)->shape));
  const int64_t out = *transB ? (*b)->shape[0] : (*b)->shape[1];
  const int64_t in = *transB ? (*b)->shape[1] : (*b)->shape[0];
  MESHRT_TRY(checkMatrixInput(context, in));
  std::vector<float> weights(static_cast<size_t>(out * in));
  for (int64_t o = 0; o < out; ++o)
    for (int64_t k = 0; k < in; ++k)
      weights[o * in + k] = *alpha * (*transB ? (*b)->floats[o * in + k] : (*b)->floats[k * out + o]);
  std::vector<float> bias;
  if (context.hasInput(2)) {
    auto c = floatConstantInput(context, 2, "C");
    if (!c) return c.error();
    const size_t count = (*c)->count();
    const bool perOutput = count == static_cast<size_t>(out) && ((*c)->shape.size() <= 1 || (*c)->shape[0] == 1);
    if (!perOutput && count != 1)
      return context.fieldError("input 2 (C)", "expected [" + std::to_string(out) + "], [1, " + std::to_string(out) +
                                                   "] or one value, got " + shapeString((*c)->shape));
    bias.resize(static_cast<size_t>(out));
    for (int64_t o = 0; o < out; ++o) bias[o] = *beta * (*c)->floats[count == 1 ? 0 : o];
  }
  return addFullyConnected(context, std::move(weights), out, in, bias.empty() ? nullptr : &bias);
}

// MatMul of a [N][K] activation by a constant [K][O] matrix.
Result<void> convertMatMul(ImportContext& context) {
  if (!context.isRuntimeInput(0)) return context.fieldError("input 0", "expected the activation (runtime tensor)");
  auto b = floatConstantInput(context, 1, "B");
  if (!b) return b.error();
  if ((*b)->shape.size() != 2) return context.fieldError("input 1 (B)", "expected a 2-D constant, got " + shapeString((*b)->shape));
  const int64_t in = (*b)->shape[0], out = (*b)->shape[1];
  MESHRT_TRY(checkMatrixInput(context, in));
  std::vector<float> weights(static_cast<size_t>(out * in));
  for (int64_t o = 0; o < out; ++o)
    for (int64_t k = 0; k < in; ++k) weights[o * in + k] = (*b)->floats[k * out + o];
  return addFullyConnected(context, std::move(weights), out, in, nullptr);
}

// Elementwise a (op) b over two constants of the same count, or one of count 1.
Result<void> foldBinary(ImportContext& context, const ConstantValue& a, const ConstantValue& b, char op) {
  if (a.count() != b.count() && a.count() != 1 && b.count() != 1)
    return context.nodeError("folding two constants of shapes " + shapeString(a.shape) + " and " + shapeString(b.shape) +
                             " is not supported");
  ConstantValue result;
  result.isFloat = a.isFloat || b.isFloat;
  result.shape = a.count() >= b.count() ? a.shape : b.shape;
  const size_t count = std::max(a.count(), b.count());
  for (size_t i = 0; i < count; ++i) {
    const size_t ia = a.count() == 1 ? 0 : i, ib = b.count() == 1 ? 0 : i;
    if (result.isFloat) {
      const float x = a.floatAt(ia), y = b.floatAt(ib);
      result.floats.push_back(op == '+' ? x + y : op == '-' ? x - y : op == '*' ? x * y : x / y);
    } else {
      const int64_t x = a.intAt(ia), y = b.intAt(ib);
      if (op == '/' && (y == 0 || (y == -1 && x == std::numeric_limits<int64_t>::min())))
        return context.nodeError("integer division by zero or overflow");
      // Two's-complement wrap-around, as ONNX runtimes compute int64 (no UB on corrupt files).
      const uint64_t ux = static_cast<uint64_t>(x), uy = static_cast<uint64_t>(y);
      result.ints.push_back(op == '+'   ? static_cast<int64_t>(ux + uy)
                            : op == '-' ? static_cast<int64_t>(ux - uy)
                            : op == '*' ? static_cast<int64_t>(ux * uy)
                                        : x / y);
    }
  }
  context.setConstantOutput(std::move(result));
  return {};
}

// Add, Sub, Mul, Div. Sub and Div need a constant right operand (rewritten as Add -c, Mul 1/c).
Result<void> convertBinary(ImportContext& context, char op) {
  const ConstantValue* a = context.constantInput(0);
  const ConstantValue* b = context.constantInput(1);
  if (!context.hasInput(0) || !context.hasInput(1)) return context.nodeError("expected 2 inputs");
  if (a && b) return foldBinary(context, *a, *b, op);
  TensorId right = NO_TENSOR;
  if ((op == '-' || op == '/')) {
    if (!b) return context.fieldError("input 1", "only a constant divisor/subtrahend is supported");
    if (!b->isFloat) return context.fieldError("input 1", "expected a float constant");
    std::vector<float> values(b->count());
    for (size_t i = 0; i < values.size(); ++i) values[i] = op == '-' ? -b->floats[i] : 1.0f / b->floats[i];
    if (values.empty()) return context.fieldError("input 1", "empty constant");
    right = context.addFloatConstant(context.derivedName(op == '-' ? "negated" : "reciprocal"),
                                     b->shape.empty() ? Shape{1} : b->shape, values);
  } else {
    auto id = context.runtimeInput(1);
    if (!id) return id.error();
    right = *id;
  }
  auto left = context.runtimeInput(0);
  if (!left) return left.error();
  const OpType irOp = op == '+' || op == '-' ? OpType::Add : OpType::Mul;
  auto added = context.addNode(irOp, BinaryAttributes{}, {*left, right});
  if (!added) return added.error();
  return {};
}

Result<void> addActivation(ImportContext& context, Activation activation) {
  auto x = context.runtimeInput(0);
  if (!x) return x.error();
  auto added = context.addNode(OpType::Activation, ActivationAttributes{activation}, {*x});
  if (!added) return added.error();
  return {};
}

Result<void> convertClip(ImportContext& context) {
  float minimum = std::numeric_limits<float>::lowest(), maximum = std::numeric_limits<float>::max();
  for (int index : {1, 2}) {  // opset >= 11: min and max are optional scalar inputs
    if (!context.hasInput(index)) continue;
    auto bound = context.requireConstantInput(index, index == 1 ? "min" : "max");
    if (!bound) return bound.error();
    if ((*bound)->count() != 1) return context.fieldError("input " + std::to_string(index), "expected a scalar");
    (index == 1 ? minimum : maximum) = (*bound)->floatAt(0);
  }
  if (minimum > maximum) return context.nodeError("min > max");
  Activation activation{ActivationType::Clip, 0.0f, minimum, maximum};
  if (minimum == 0.0f && maximum == 6.0f) activation = {ActivationType::Relu6, 0.0f, 0.0f, 6.0f};
  if (minimum == 0.0f && maximum == std::numeric_limits<float>::max()) activation = {ActivationType::Relu};
  return addActivation(context, activation);
}

Result<void> convertLeakyRelu(ImportContext& context) {
  auto alpha = context.floatAttribute("alpha", 0.01f);
  if (!alpha) return alpha.error();
  return addActivation(context, {ActivationType::LeakyRelu, *alpha});
}

// HardSigmoid(x) = clip(alpha x + beta, 0, 1): Mul by alpha, then Add beta with a fused Clip.
Result<void> convertHardSigmoid(ImportContext& context) {
  auto alpha = context.floatAttribute("alpha", 0.2f);
  if (!alpha) return alpha.error();
  auto beta = context.floatAttribute("beta", 0.5f);
  if (!beta) return beta.error();
  auto x = context.runtimeInput(0);
  if (!x) return x.error();
  const TensorId alphaId = context.addFloatConstant(context.derivedName("alpha"), {1}, {*alpha});
  const TensorId betaId = context.addFloatConstant(context.derivedName("beta"), {1}, {*beta});
  auto scaled = context.addNode(OpType::Mul, BinaryAttributes{}, {*x, alphaId}, context.derivedName("scaled"));
  if (!scaled) return scaled.error();
  BinaryAttributes clipped{Activation{ActivationType::Clip, 0.0f, 0.0f, 1.0f}};
  auto added = context.addNode(OpType::Add, clipped, {*scaled, betaId});
  if (!added) return added.error();
  return {};
}

Result<void> convertPRelu(ImportContext& context) {
  auto xShape = context.inputShape(0);
  if (!xShape) return xShape.error();
  auto slope = floatConstantInput(context, 1, "slope");
  if (!slope) return slope.error();
  // ONNX broadcasts the slope from the right: [C][1][1] (or [1][C][1][1]) is per channel of NCHW.
  const Shape& s = (*slope)->shape;
  const int64_t channels = xShape->size() >= 2 ? (*xShape)[1] : 0;
  Shape irShape;
  if ((*slope)->count() == 1) irShape = {1};
  else if (xShape->size() == 4 && s.size() >= 3 && elementCount(s) == channels && s[s.size() - 3] == channels)
    irShape = {channels, 1, 1};
  else
    return context.fieldError("input 1 (slope)", "shape " + shapeString(s) + " is neither one value nor per channel [C][1][1]");
  auto x = context.runtimeInput(0);
  if (!x) return x.error();
  const TensorId slopeId = context.addFloatConstant(context.derivedName("slope"), irShape, (*slope)->floats);
  auto added = context.addNode(OpType::PRelu, PReluAttributes{}, {*x, slopeId});
  if (!added) return added.error();
  return {};
}

// Inference BatchNormalization over axis 1 → the IR's BatchNormalization (passes fold it into the
// producing Conv2D). Statistics are checked here so a bad file fails at import, not at run time.
Result<void> convertBatchNormalization(ImportContext& context) {
  auto training = context.intAttribute("training_mode", 0);
  if (!training) return training.error();
  if (*training != 0) return context.fieldError("attribute 'training_mode'", "only inference (0) is supported");
  auto epsilon = context.floatAttribute("epsilon", 1e-5f);
  if (!epsilon) return epsilon.error();
  auto xShape = context.inputShape(0);
  if (!xShape) return xShape.error();
  if (xShape->size() < 2) return context.fieldError("input 0", "expected [N][C]..., got " + shapeString(*xShape));
  const int64_t channels = (*xShape)[1];
  const char* names[] = {"scale", "B", "mean", "var"};
  std::vector<TensorId> inputs;
  auto x = context.runtimeInput(0);
  if (!x) return x.error();
  inputs.push_back(*x);
  for (int i = 0; i < 4; ++i) {
    auto value = floatConstantInput(context, i + 1, names[i]);
    if (!value) return value.error();
    const std::string field = "input " + std::to_string(i + 1) + " (" + names[i] + ")";
    if ((*value)->count() != static_cast<size_t>(channels))
      return context.fieldError(field, "expected " + std::to_string(channels) + " values, got " + std::to_string((*value)->count()));
    if (i == 3)
      for (float variance : (*value)->floats)
        if (!(variance + *epsilon > 0.0f)) return context.fieldError(field, "var + epsilon must be > 0");
    // Stored as [C] whatever the file's shape ([C] by the spec).
    inputs.push_back(context.addFloatConstant(context.derivedName(names[i]), {channels}, (*value)->floats));
  }
  auto added = context.addNode(OpType::BatchNormalization, BatchNormAttributes{*epsilon}, std::move(inputs));
  if (!added) return added.error();
  return {};
}

Result<void> convertPool(ImportContext& context, OpType op) {
  auto xShape = rank4Input(context);
  if (!xShape) return xShape.error();
  if (!context.attribute("kernel_shape")) return context.fieldError("attribute 'kernel_shape'", "missing");
  auto kernel = windowAttribute(context, "kernel_shape", {});
  if (!kernel) return kernel.error();
  auto strides = windowAttribute(context, "strides", {1, 1});
  if (!strides) return strides.error();
  auto dilations = windowAttribute(context, "dilations", {1, 1});
  if (!dilations) return dilations.error();
  if ((*dilations)[0] != 1 || (*dilations)[1] != 1) return context.fieldError("attribute 'dilations'", "only 1 is supported");
  auto ceilMode = context.intAttribute("ceil_mode", 0);
  if (!ceilMode) return ceilMode.error();
  if (*ceilMode != 0) return context.fieldError("attribute 'ceil_mode'", "only 0 (floor) is supported");
  auto storageOrder = context.intAttribute("storage_order", 0);
  if (!storageOrder) return storageOrder.error();
  if (*storageOrder != 0) return context.fieldError("attribute 'storage_order'", "only 0 is supported");
  auto padding = resolvePadding(context, *xShape, *kernel, *strides, *dilations);
  if (!padding) return padding.error();
  auto countIncludePad = context.intAttribute("count_include_pad", 0);
  if (!countIncludePad) return countIncludePad.error();
  Pool2DAttributes attributes;
  attributes.kernelH = static_cast<int32_t>((*kernel)[0]);
  attributes.kernelW = static_cast<int32_t>((*kernel)[1]);
  attributes.strideH = static_cast<int32_t>((*strides)[0]);
  attributes.strideW = static_cast<int32_t>((*strides)[1]);
  attributes.padding = *padding;
  attributes.countIncludePad = op == OpType::AveragePool && *countIncludePad != 0;
  auto x = context.runtimeInput(0);
  if (!x) return x.error();
  auto added = context.addNode(op, attributes, {*x});
  if (!added) return added.error();
  return {};
}

Result<void> convertGlobalAveragePool(ImportContext& context) {
  auto xShape = rank4Input(context);
  if (!xShape) return xShape.error();
  auto x = context.runtimeInput(0);
  if (!x) return x.error();
  auto added = context.addNode(OpType::GlobalAveragePool, GlobalAveragePoolAttributes{true}, {*x});
  if (!added) return added.error();
  return {};
}

}  // namespace

std::vector<OpConverterEntry> computeOpConverters() {
  return {
      {"Conv", convertConv},
      {"Gemm", convertGemm},
      {"MatMul", convertMatMul},
      {"BatchNormalization", convertBatchNormalization},
      {"Add", [](ImportContext& c) { return convertBinary(c, '+'); }},
      {"Sub", [](ImportContext& c) { return convertBinary(c, '-'); }},
      {"Mul", [](ImportContext& c) { return convertBinary(c, '*'); }},
      {"Div", [](ImportContext& c) { return convertBinary(c, '/'); }},
      {"Relu", [](ImportContext& c) { return addActivation(c, {ActivationType::Relu}); }},
      {"Sigmoid", [](ImportContext& c) { return addActivation(c, {ActivationType::Sigmoid}); }},
      {"HardSwish", [](ImportContext& c) { return addActivation(c, {ActivationType::HardSwish}); }},
      {"LeakyRelu", convertLeakyRelu},
      {"Clip", convertClip},
      {"HardSigmoid", convertHardSigmoid},
      {"PRelu", convertPRelu},
      {"MaxPool", [](ImportContext& c) { return convertPool(c, OpType::MaxPool); }},
      {"AveragePool", [](ImportContext& c) { return convertPool(c, OpType::AveragePool); }},
      {"GlobalAveragePool", convertGlobalAveragePool},
  };
}

}  // namespace meshrt::nn::onnx_import
