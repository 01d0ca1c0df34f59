// TFLite → IR import (see tflite_importer.h for the conversions).
#include "nn/tflite_importer.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "nn/tflite_layout.h"

namespace meshrt::nn {
namespace {

using tflite_layout::nchwAxis;
using tflite_layout::nchwShape;
using tflite_layout::nhwcMatchesNchwInMemory;

// A float constant in the model's layout (NHWC for 4-D data, OHWI for conv weights).
struct FloatConstant {
  Shape shape;
  std::vector<float> values;
};

// The builtin operators importOperator() maps (keep in step with its switch).
bool isMappedOp(int32_t builtinCode) {
  switch (static_cast<TfliteOp>(builtinCode)) {
    case TfliteOp::Conv2D: case TfliteOp::DepthwiseConv2D: case TfliteOp::FullyConnected: case TfliteOp::Add:
    case TfliteOp::Mul: case TfliteOp::MaxPool2D: case TfliteOp::AveragePool2D: case TfliteOp::Mean:
    case TfliteOp::Reshape: case TfliteOp::Concatenation: case TfliteOp::Pad: case TfliteOp::Prelu:
    case TfliteOp::Softmax: case TfliteOp::Dequantize: case TfliteOp::Logistic: case TfliteOp::Relu:
    case TfliteOp::Relu6: case TfliteOp::ReluN1To1: case TfliteOp::HardSwish:
      return true;
    default:
      return false;
  }
}

std::string shapeText(const std::vector<int32_t>& shape) { return shapeString(Shape(shape.begin(), shape.end())); }

class TfliteImporter {
 public:
  explicit TfliteImporter(const TfliteModel& model)
      : mModel(model),
        mSubgraph(model.subgraphs.front()),
        mTensorIds(mSubgraph.tensors.size(), NO_TENSOR),
        mConstants(mSubgraph.tensors.size()),
        // Constants widen fp16 → fp32 (2x) and may be laid out once per use; more than this
        // only comes from a corrupted file that points many tensors at one buffer.
        mConstantByteLimit(8 * uint64_t(model.bytes.size()) + (1u << 20)) {}

  Result<Graph> run() {
    mGraph.source = mModel.source;
    for (int32_t input : mSubgraph.inputs) MESHRT_TRY(addGraphInput(input));
    for (size_t i = 0; i < mSubgraph.operators.size(); ++i) {
      mOpIndex = i;
      MESHRT_TRY(importOperator(mSubgraph.operators[i]));
    }
    for (size_t i = 0; i < mSubgraph.outputs.size(); ++i) {
      const int32_t output = mSubgraph.outputs[i];
      if (mTensorIds[size_t(output)] == NO_TENSOR) {
        return makeError(mModel.source, "subgraphs[0].outputs[" + std::to_string(i) + "]: tensor '" +
                                            tensor(output).name + "' is not computed by any operator");
      }
      mGraph.outputs.push_back(mTensorIds[size_t(output)]);
    }
    return std::move(mGraph);
  }

 private:
  const TfliteTensor& tensor(int32_t index) const { return mSubgraph.tensors[size_t(index)]; }
  Shape tfliteShape(int32_t index) const { return Shape(tensor(index).shape.begin(), tensor(index).shape.end()); }

  // "m.tflite: operator 12 (CONV_2D, output 'name')" + reason.
  Error opError(const TfliteOperator& op, const std::string& reason) const {
    std::string context = mModel.source + ": operator " + std::to_string(mOpIndex) + " (" + tfliteOpName(op.builtinCode);
    if (op.builtinCode == int32_t(TfliteOp::Custom)) context += " '" + op.customCode + "'";
    if (!op.outputs.empty()) context += ", output '" + tensor(op.outputs[0]).name + "'";
    return makeError(context + ")", reason);
  }

  Result<void> addGraphInput(int32_t index) {
    const TfliteTensor& input = tensor(index);
    if (input.type != int8_t(TfliteType::Float32)) {
      return makeError(mModel.source, "input '" + input.name + "': type " + tfliteTypeName(input.type) +
                                          " (only FLOAT32 inputs are imported)");
    }
    for (int32_t dim : input.shape) {
      if (dim <= 0) return makeError(mModel.source, "input '" + input.name + "': shape " + shapeText(input.shape) +
                                                        " is not fully known");
    }
    if (boundedElementCount(tfliteShape(index)) < 0) {
      return makeError(mModel.source, "input '" + input.name + "': shape " + shapeText(input.shape) + " exceeds " +
                                          std::to_string(MAX_TENSOR_ELEMENTS) + " elements");
    }
    Tensor irTensor;
    irTensor.name = input.name;
    irTensor.shape = nchwShape(tfliteShape(index));
    mTensorIds[size_t(index)] = mGraph.addTensor(std::move(irTensor));
    mGraph.inputs.push_back(mTensorIds[size_t(index)]);
    return {};
  }

  // The float constant held by tensor `index` (its buffer, or a folded DEQUANTIZE), or null.
  Result<const FloatConstant*> floatConstant(const TfliteOperator& op, int32_t index) {
    if (index < 0) return static_cast<const FloatConstant*>(nullptr);
    if (mConstants[size_t(index)]) return &*mConstants[size_t(index)];
    const TfliteTensor& source = tensor(index);
    const std::span<const uint8_t> data = mModel.bufferData(source.buffer);
    if (data.empty()) return static_cast<const FloatConstant*>(nullptr);
    if (source.quantized) return opError(op, "tensor '" + source.name + "': quantized tensors are not imported");
    if (source.type != int8_t(TfliteType::Float32) && source.type != int8_t(TfliteType::Float16)) {
      return opError(op, "tensor '" + source.name + "': constant of type " + tfliteTypeName(source.type) +
                             " where a float constant is needed");
    }
    const size_t elementSize = tfliteTypeSize(source.type);
    MESHRT_TRY(checkConstantSize(op, source, data.size(), elementSize));
    FloatConstant constant;
    constant.shape = tfliteShape(index);
    constant.values.resize(data.size() / elementSize);
    if (source.type == int8_t(TfliteType::Float32)) {
      std::memcpy(constant.values.data(), data.data(), data.size());
    } else {
      for (size_t i = 0; i < constant.values.size(); ++i) {
        uint16_t half = 0;
        std::memcpy(&half, data.data() + 2 * i, 2);
        constant.values[i] = tflite_layout::halfToFloat(half);
      }
    }
    MESHRT_TRY(chargeConstantBytes(op, constant.values.size()));
    mConstants[size_t(index)] = std::move(constant);
    return &*mConstants[size_t(index)];
  }

  // Integer constant (INT32/INT64) data: axes, paddings, shapes.
  Result<std::vector<int64_t>> intConstant(const TfliteOperator& op, int32_t index) {
    const TfliteTensor& source = tensor(index);
    const std::span<const uint8_t> data = mModel.bufferData(source.buffer);
    const bool int64 = source.type == int8_t(TfliteType::Int64);
    if (data.empty() || (source.type != int8_t(TfliteType::Int32) && !int64)) {
      return opError(op, "tensor '" + source.name + "': expected a constant INT32 tensor, got " +
                             (data.empty() ? std::string("no data") : tfliteTypeName(source.type)));
    }
    MESHRT_TRY(checkConstantSize(op, source, data.size(), int64 ? 8 : 4));
    std::vector<int64_t> values(data.size() / (int64 ? 8 : 4));
    for (size_t i = 0; i < values.size(); ++i) {
      if (int64) {
        std::memcpy(&values[i], data.data() + 8 * i, 8);
      } else {
        int32_t value = 0;
        std::memcpy(&value, data.data() + 4 * i, 4);
        values[i] = value;
      }
    }
    return values;
  }

  Result<void> checkConstantSize(const TfliteOperator& op, const TfliteTensor& source, size_t bytes,
                                 size_t elementSize) {
    uint64_t count = 1;
    for (int32_t dim : source.shape) {
      if (dim < 0 || (dim > 0 && count > bytes / uint64_t(dim))) {
        return opError(op, "tensor '" + source.name + "': shape " + shapeText(source.shape) + " does not fit its buffer of " +
                               std::to_string(bytes) + " bytes");
      }
      count *= uint64_t(dim);
    }
    if (count * elementSize != bytes) {
      return opError(op, "tensor '" + source.name + "': shape " + shapeText(source.shape) + " of " +
                             tfliteTypeName(source.type) + " needs " + std::to_string(count * elementSize) +
                             " bytes, its buffer has " + std::to_string(bytes));
    }
    return {};
  }

  Result<void> chargeConstantBytes(const TfliteOperator& op, size_t floatCount) {
    mConstantBytes += 4 * uint64_t(floatCount);
    if (mConstantBytes > mConstantByteLimit) {
      return opError(op, "constants exceed " + std::to_string(mConstantByteLimit) + " bytes (corrupted buffer references?)");
    }
    return {};
  }

  TensorId addConstant(const std::string& name, Shape shape, const std::vector<float>& values) {
    Tensor constant;
    constant.name = name;
    constant.shape = std::move(shape);
    constant.data.resize(values.size() * sizeof(float));
    if (!values.empty()) std::memcpy(constant.data.data(), values.data(), constant.data.size());
    return mGraph.addTensor(std::move(constant));
  }

  TensorId addActivation(const std::string& name) {
    Tensor activation;
    activation.name = name;
    return mGraph.addTensor(std::move(activation));
  }

  // The IR tensor of an operator input: an activation computed earlier, a graph input, or a
  // float constant placed in the IR layout (4-D NHWC data transposed to NCHW).
  Result<TensorId> inputTensor(const TfliteOperator& op, int32_t index) {
    if (index < 0) return opError(op, "a required input is absent");
    if (mTensorIds[size_t(index)] != NO_TENSOR) return mTensorIds[size_t(index)];
    auto constant = floatConstant(op, index);
    if (!constant.ok()) return constant.error();
    if (*constant == nullptr) {
      return opError(op, "input '" + tensor(index).name + "' is neither a constant nor computed by an earlier operator");
    }
    return broadcastConstant(op, index, **constant, (*constant)->shape.size());  // 4-D: NHWC → NCHW
  }

  // A constant operand of an elementwise op against an activation of rank `otherRank`: when that
  // rank is 4 the constant is padded to 4-D with leading 1s (NumPy broadcasting) and transposed
  // NHWC → NCHW, so broadcasting in the IR picks the same elements.
  Result<TensorId> broadcastConstant(const TfliteOperator& op, int32_t index, const FloatConstant& constant,
                                     size_t otherRank) {
    if (otherRank != 4 || constant.shape.size() > 4) return addConstant(tensor(index).name, constant.shape, constant.values);
    Shape padded = constant.shape;
    padded.insert(padded.begin(), 4 - padded.size(), 1);
    MESHRT_TRY(chargeConstantBytes(op, constant.values.size()));
    return addConstant(tensor(index).name, nchwShape(padded),
                       tflite_layout::lastAxisToSecond(constant.values, padded[0], padded[1], padded[2], padded[3]));
  }

  // The IR tensor that receives TFLite output `index` (named after it).
  Result<TensorId> outputTensor(const TfliteOperator& op, size_t outputSlot = 0) {
    if (op.outputs.size() <= outputSlot) return opError(op, "missing output " + std::to_string(outputSlot));
    const int32_t index = op.outputs[outputSlot];
    const TfliteTensor& output = tensor(index);
    if (output.type != int8_t(TfliteType::Float32)) {
      return opError(op, "output type " + std::string(tfliteTypeName(output.type)) + " (only FLOAT32 is imported)");
    }
    if (mTensorIds[size_t(index)] != NO_TENSOR || mConstants[size_t(index)]) {
      return opError(op, "output '" + output.name + "' is produced twice");
    }
    mTensorIds[size_t(index)] = addActivation(output.name);
    return mTensorIds[size_t(index)];
  }

  Result<Activation> activation(const TfliteOperator& op, int8_t code) const {
    Activation result;
    switch (static_cast<TfliteActivation>(code)) {
      case TfliteActivation::None: return result;
      case TfliteActivation::Relu: result.type = ActivationType::Relu; return result;
      case TfliteActivation::Relu6:
        result.type = ActivationType::Relu6;
        result.minimum = 0.0f;
        result.maximum = 6.0f;
        return result;
      case TfliteActivation::ReluN1To1:
        result.type = ActivationType::Clip;
        result.minimum = -1.0f;
        result.maximum = 1.0f;
        return result;
      default: return opError(op, "fused activation " + std::to_string(code) + " is not supported");
    }
  }

  void addNode(OpType type, const std::string& name, std::vector<TensorId> inputs, std::vector<TensorId> outputs,
               Attributes attributes) {
    Node node;
    node.op = type;
    node.name = name;
    node.inputs = std::move(inputs);
    node.outputs = std::move(outputs);
    node.attributes = std::move(attributes);
    mGraph.nodes.push_back(std::move(node));
  }

  // For ops whose IR node holds no activation: with a fused activation, the node writes a
  // temporary and an Activation node after it writes `output` (topological order kept).
  void addNodeWithActivation(OpType type, const std::string& name, std::vector<TensorId> inputs, TensorId output,
                             Attributes attributes, Activation fused) {
    if (fused.type == ActivationType::None) {
      addNode(type, name, std::move(inputs), {output}, std::move(attributes));
      return;
    }
    const TensorId raw = addActivation(name + "/before_activation");
    addNode(type, name, std::move(inputs), {raw}, std::move(attributes));
    addNode(OpType::Activation, name + "/activation", {raw}, {output}, ActivationAttributes{fused});
  }

  Result<Padding2D> padding(const TfliteOperator& op, const Shape& inputNhwc, int64_t kernelH, int64_t kernelW) const {
    const TfliteOptions& options = op.options;
    if (options.strideH <= 0 || options.strideW <= 0 || options.dilationH <= 0 || options.dilationW <= 0) {
      return opError(op, "strides and dilations must be positive");
    }
    Padding2D result;
    if (options.padding == int8_t(TflitePadding::Valid)) return result;
    if (options.padding != int8_t(TflitePadding::Same)) return opError(op, "unknown padding " + std::to_string(options.padding));
    const auto vertical = tflite_layout::samePadding(inputNhwc[1], kernelH, options.strideH, options.dilationH);
    const auto horizontal = tflite_layout::samePadding(inputNhwc[2], kernelW, options.strideW, options.dilationW);
    result.top = vertical.before;
    result.bottom = vertical.after;
    result.left = horizontal.before;
    result.right = horizontal.after;
    return result;
  }

  Result<Shape> activationShape4D(const TfliteOperator& op, int32_t index) const {
    Shape shape = tfliteShape(index);
    if (shape.size() != 4) return opError(op, "input '" + tensor(index).name + "': expected 4-D NHWC, got " + shapeString(shape));
    for (int64_t dim : shape) {
      if (dim <= 0) return opError(op, "input '" + tensor(index).name + "': shape " + shapeString(shape) + " is not fully known");
    }
    return shape;
  }

  Result<void> importOperator(const TfliteOperator& op);
  Result<void> importConvolution(const TfliteOperator& op, bool depthwise);
  Result<void> importFullyConnected(const TfliteOperator& op);
  Result<void> importElementwise(const TfliteOperator& op, OpType type);
  Result<void> importPool(const TfliteOperator& op, OpType type);
  Result<void> importMean(const TfliteOperator& op);
  Result<void> importReshape(const TfliteOperator& op);
  Result<void> importConcatenation(const TfliteOperator& op);
  Result<void> importPad(const TfliteOperator& op);
  Result<void> importPrelu(const TfliteOperator& op);
  Result<void> importUnaryActivation(const TfliteOperator& op, Activation activation);
  Result<void> importSoftmax(const TfliteOperator& op);
  Result<void> importDequantize(const TfliteOperator& op);

  const TfliteModel& mModel;
  const TfliteSubgraph& mSubgraph;
  Graph mGraph;
  std::vector<TensorId> mTensorIds;  // TFLite tensor → IR activation (NO_TENSOR: none yet)
  std::vector<std::optional<FloatConstant>> mConstants;  // decoded float constants, model layout
  uint64_t mConstantBytes = 0;
  uint64_t mConstantByteLimit = 0;
  size_t mOpIndex = 0;
};

Result<void> TfliteImporter::importOperator(const TfliteOperator& op) {
  if (op.outputs.empty()) return opError(op, "operator has no output");
  // The reader allows -1 (an absent optional input) anywhere; the only optional input the mapped
  // ops have is the bias (input 2) of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED. (An op that
  // is not mapped keeps the "unsupported op" error of the default case.)
  const bool hasOptionalBias = op.builtinCode == int32_t(TfliteOp::Conv2D) ||
                               op.builtinCode == int32_t(TfliteOp::DepthwiseConv2D) ||
                               op.builtinCode == int32_t(TfliteOp::FullyConnected);
  for (size_t slot = 0; slot < op.inputs.size() && isMappedOp(op.builtinCode); ++slot) {
    if (op.inputs[slot] < 0 && !(hasOptionalBias && slot == 2)) {
      return opError(op, "input " + std::to_string(slot) + " is absent (tensor index -1)");
    }
  }
  switch (static_cast<TfliteOp>(op.builtinCode)) {
    case TfliteOp::Conv2D: return importConvolution(op, false);
    case TfliteOp::DepthwiseConv2D: return importConvolution(op, true);
    case TfliteOp::FullyConnected: return importFullyConnected(op);
    case TfliteOp::Add: return importElementwise(op, OpType::Add);
    case TfliteOp::Mul: return importElementwise(op, OpType::Mul);
    case TfliteOp::MaxPool2D: return importPool(op, OpType::MaxPool);
    case TfliteOp::AveragePool2D: return importPool(op, OpType::AveragePool);
    case TfliteOp::Mean: return importMean(op);
    case TfliteOp::Reshape: return importReshape(op);
    case TfliteOp::Concatenation: return importConcatenation(op);
    case TfliteOp::Pad: return importPad(op);
    case TfliteOp::Prelu: return importPrelu(op);
    case TfliteOp::Softmax: return importSoftmax(op);
    case TfliteOp::Dequantize: return importDequantize(op);
    case TfliteOp::Logistic: return importUnaryActivation(op, Activation{ActivationType::Sigmoid});
    case TfliteOp::Relu: return importUnaryActivation(op, Activation{ActivationType::Relu});
    case TfliteOp::Relu6: return importUnaryActivation(op, Activation{ActivationType::Relu6, 0.0f, 0.0f, 6.0f});
    case TfliteOp::ReluN1To1: return importUnaryActivation(op, Activation{ActivationType::Clip, 0.0f, -1.0f, 1.0f});
    case TfliteOp::HardSwish: return importUnaryActivation(op, Activation{ActivationType::HardSwish});
    default: {
      // The importers' shared wording (graph.h): "m.tflite: node 'x' (TANH at operator 12): unsupported op".
      std::string opName = tfliteOpName(op.builtinCode);
      if (op.builtinCode == int32_t(TfliteOp::Custom)) opName += " '" + op.customCode + "'";
      return unsupportedOpError(mModel.source, tensor(op.outputs[0]).name,
                                opName + " at operator " + std::to_string(mOpIndex));
    }
  }
}

// CONV_2D: x NHWC, weights OHWI [O][KH][KW][I] (groups = C / I), bias [O].
// DEPTHWISE_CONV_2D: weights [1][KH][KW][C*M]; output channel c*M + m reads input channel c.
Result<void> TfliteImporter::importConvolution(const TfliteOperator& op, bool depthwise) {
  if (op.inputs.size() < 2) return opError(op, "expected inputs (x, weights[, bias])");
  auto inputShape = activationShape4D(op, op.inputs[0]);
  if (!inputShape.ok()) return inputShape.error();
  const int64_t channels = (*inputShape)[3];
  auto weights = floatConstant(op, op.inputs[1]);
  if (!weights.ok()) return weights.error();
  if (*weights == nullptr) return opError(op, "weights must be constant");
  const FloatConstant& kernel = **weights;
  if (kernel.shape.size() != 4 || boundedElementCount(kernel.shape) <= 0) {
    return opError(op, "weights: expected 4-D, got " + shapeString(kernel.shape));
  }
  Conv2DAttributes attributes;
  Shape irWeightShape;
  std::vector<float> irWeights;
  int64_t outChannels = 0;
  if (depthwise) {
    outChannels = kernel.shape[3];
    if (kernel.shape[0] != 1 || outChannels % channels != 0) {
      return opError(op, "weights " + shapeString(kernel.shape) + " do not fit a depthwise convolution of " +
                             std::to_string(channels) + " channels");
    }
    if (op.options.depthMultiplier > 0 && op.options.depthMultiplier != outChannels / channels) {
      return opError(op, "depth_multiplier " + std::to_string(op.options.depthMultiplier) + " disagrees with weights " +
                             shapeString(kernel.shape));
    }
    attributes.groups = int32_t(channels);
    irWeightShape = {outChannels, 1, kernel.shape[1], kernel.shape[2]};
    // [1][KH][KW][C*M] → [1][C*M][KH][KW], which is [C*M][1][KH][KW] in memory.
    irWeights = tflite_layout::lastAxisToSecond(kernel.values, 1, kernel.shape[1], kernel.shape[2], outChannels);
  } else {
    outChannels = kernel.shape[0];
    if (channels % kernel.shape[3] != 0) {
      return opError(op, "weights " + shapeString(kernel.shape) + " do not fit an input of " + std::to_string(channels) +
                             " channels");
    }
    attributes.groups = int32_t(channels / kernel.shape[3]);
    irWeightShape = nchwShape(kernel.shape);
    irWeights = tflite_layout::lastAxisToSecond(kernel.values, kernel.shape[0], kernel.shape[1], kernel.shape[2],
                                                kernel.shape[3]);
  }
  MESHRT_TRY(chargeConstantBytes(op, irWeights.size()));
  auto pad = padding(op, *inputShape, kernel.shape[1], kernel.shape[2]);
  if (!pad.ok()) return pad.error();
  auto fused = activation(op, op.options.activation);
  if (!fused.ok()) return fused.error();
  attributes.strideH = op.options.strideH;
  attributes.strideW = op.options.strideW;
  attributes.dilationH = op.options.dilationH;
  attributes.dilationW = op.options.dilationW;
  attributes.padding = *pad;
  attributes.activation = *fused;

  auto x = inputTensor(op, op.inputs[0]);
  if (!x.ok()) return x.error();
  const TensorId weightId = addConstant(tensor(op.inputs[1]).name, irWeightShape, irWeights);
  TensorId biasId = NO_TENSOR;
  if (op.inputs.size() > 2 && op.inputs[2] >= 0) {
    auto bias = floatConstant(op, op.inputs[2]);
    if (!bias.ok()) return bias.error();
    if (*bias == nullptr || int64_t((*bias)->values.size()) != outChannels) {
      return opError(op, "bias must be a constant of " + std::to_string(outChannels) + " values");
    }
    biasId = addConstant(tensor(op.inputs[2]).name, {outChannels}, (*bias)->values);
  }
  auto y = outputTensor(op);
  if (!y.ok()) return y.error();
  addNode(OpType::Conv2D, tensor(op.outputs[0]).name, {*x, weightId, biasId}, {*y}, attributes);
  return {};
}

// FULLY_CONNECTED: y [N][O] = x [N][K] · W[O][K]ᵀ + b. TFLite flattens x to [-1][K] in its own
// (NHWC) order, so a 4-D input with H*W > 1 is transposed to NHWC first.
Result<void> TfliteImporter::importFullyConnected(const TfliteOperator& op) {
  if (op.inputs.size() < 2) return opError(op, "expected inputs (x, weights[, bias])");
  if (op.options.weightsFormat != 0) return opError(op, "shuffled weights formats are not supported");
  auto weights = floatConstant(op, op.inputs[1]);
  if (!weights.ok()) return weights.error();
  if (*weights == nullptr || (*weights)->shape.size() != 2) return opError(op, "weights must be a 2-D constant");
  const int64_t outFeatures = (*weights)->shape[0], inFeatures = (*weights)->shape[1];
  const Shape inputShape = tfliteShape(op.inputs[0]);
  const int64_t total = boundedElementCount(inputShape);
  if (inputShape.empty() || inFeatures <= 0 || total <= 0 || total % inFeatures != 0 || total / inFeatures != inputShape[0]) {
    return opError(op, "input " + shapeString(inputShape) + " does not flatten to [" +
                           (inputShape.empty() ? std::string("?") : std::to_string(inputShape[0])) + ", " +
                           std::to_string(inFeatures) + "]");
  }
  if (op.options.keepNumDims && inputShape.size() != 2) return opError(op, "keep_num_dims with a non-2-D input");
  auto fused = activation(op, op.options.activation);
  if (!fused.ok()) return fused.error();
  auto x = inputTensor(op, op.inputs[0]);
  if (!x.ok()) return x.error();
  TensorId flattenedInput = *x;
  if (!nhwcMatchesNchwInMemory(inputShape)) {
    flattenedInput = addActivation(tensor(op.inputs[0]).name + "/nhwc");
    addNode(OpType::Transpose, tensor(op.outputs[0]).name + "/to_nhwc", {*x}, {flattenedInput},
            TransposeAttributes{{0, 2, 3, 1}});
  }
  const TensorId weightId = addConstant(tensor(op.inputs[1]).name, (*weights)->shape, (*weights)->values);
  TensorId biasId = NO_TENSOR;
  if (op.inputs.size() > 2 && op.inputs[2] >= 0) {
    auto bias = floatConstant(op, op.inputs[2]);
    if (!bias.ok()) return bias.error();
    if (*bias == nullptr || int64_t((*bias)->values.size()) != outFeatures) {
      return opError(op, "bias must be a constant of " + std::to_string(outFeatures) + " values");
    }
    biasId = addConstant(tensor(op.inputs[2]).name, {outFeatures}, (*bias)->values);
  }
  auto y = outputTensor(op);
  if (!y.ok()) return y.error();
  addNode(OpType::FullyConnected, tensor(op.outputs[0]).name, {flattenedInput, weightId, biasId}, {*y},
          FullyConnectedAttributes{*fused});
  return {};
}

// ADD, MUL with NumPy broadcasting; a constant operand is laid out against the other's rank.
Result<void> TfliteImporter::importElementwise(const TfliteOperator& op, OpType type) {
  if (op.inputs.size() != 2) return opError(op, "expected two inputs");
  std::vector<TensorId> operands;
  for (int slot = 0; slot < 2; ++slot) {
    const int32_t index = op.inputs[size_t(slot)];
    const int32_t other = op.inputs[size_t(1 - slot)];
    if (index < 0) return opError(op, "a required input is absent");
    if (mTensorIds[size_t(index)] != NO_TENSOR) {
      if (tensor(index).shape.size() != tensor(other).shape.size() && mTensorIds[size_t(other)] != NO_TENSOR) {
        return opError(op, "activations of different ranks (" + shapeText(tensor(index).shape) + ", " +
                               shapeText(tensor(other).shape) + ") are not supported");
      }
      operands.push_back(mTensorIds[size_t(index)]);
      continue;
    }
    auto constant = floatConstant(op, index);
    if (!constant.ok()) return constant.error();
    if (*constant == nullptr) return opError(op, "input '" + tensor(index).name + "' is not computed by an earlier operator");
    if ((*constant)->shape.size() > tensor(other).shape.size()) {
      return opError(op, "constant '" + tensor(index).name + "' has a higher rank than the other operand");
    }
    auto placed = broadcastConstant(op, index, **constant, tensor(other).shape.size());
    if (!placed.ok()) return placed.error();
    operands.push_back(*placed);
  }
  auto fused = activation(op, op.options.activation);
  if (!fused.ok()) return fused.error();
  auto y = outputTensor(op);
  if (!y.ok()) return y.error();
  addNode(type, tensor(op.outputs[0]).name, operands, {*y}, BinaryAttributes{*fused});
  return {};
}

// MAX_POOL_2D, AVERAGE_POOL_2D (TFLite averages over the valid pixels only).
Result<void> TfliteImporter::importPool(const TfliteOperator& op, OpType type) {
  if (op.inputs.empty()) return opError(op, "expected one input");
  auto inputShape = activationShape4D(op, op.inputs[0]);
  if (!inputShape.ok()) return inputShape.error();
  if (op.options.filterH <= 0 || op.options.filterW <= 0) return opError(op, "filter sizes must be positive");
  auto pad = padding(op, *inputShape, op.options.filterH, op.options.filterW);
  if (!pad.ok()) return pad.error();
  auto fused = activation(op, op.options.activation);
  if (!fused.ok()) return fused.error();
  Pool2DAttributes attributes;
  attributes.kernelH = op.options.filterH;
  attributes.kernelW = op.options.filterW;
  attributes.strideH = op.options.strideH;
  attributes.strideW = op.options.strideW;
  attributes.padding = *pad;
  attributes.countIncludePad = false;
  auto x = inputTensor(op, op.inputs[0]);
  if (!x.ok()) return x.error();
  auto y = outputTensor(op);
  if (!y.ok()) return y.error();
  addNodeWithActivation(type, tensor(op.outputs[0]).name, {*x}, *y, attributes, *fused);
  return {};
}

// MEAN over H and W of a 4-D NHWC tensor (NHWC axes {1, 2}) → GlobalAveragePool.
Result<void> TfliteImporter::importMean(const TfliteOperator& op) {
  if (op.inputs.size() != 2) return opError(op, "expected inputs (x, axes)");
  auto inputShape = activationShape4D(op, op.inputs[0]);
  if (!inputShape.ok()) return inputShape.error();
  auto axes = intConstant(op, op.inputs[1]);
  if (!axes.ok()) return axes.error();
  std::vector<int64_t> normalized;
  for (int64_t axis : *axes) normalized.push_back(axis < 0 ? axis + 4 : axis);
  std::sort(normalized.begin(), normalized.end());
  if (normalized != std::vector<int64_t>{1, 2}) {
    return opError(op, "MEAN over NHWC axes other than {1, 2} (height, width) is not supported");
  }
  auto x = inputTensor(op, op.inputs[0]);
  if (!x.ok()) return x.error();
  auto y = outputTensor(op);
  if (!y.ok()) return y.error();
  addNode(OpType::GlobalAveragePool, tensor(op.outputs[0]).name, {*x}, {*y},
          GlobalAveragePoolAttributes{op.options.keepDims});
  return {};
}

// RESHAPE in TFLite's element order: NCHW → NHWC before, NHWC → NCHW after a 4-D result.
Result<void> TfliteImporter::importReshape(const TfliteOperator& op) {
  if (op.inputs.empty()) return opError(op, "expected an input");
  const Shape inputShape = tfliteShape(op.inputs[0]);
  Shape outputShape = tfliteShape(op.outputs[0]);
  if (outputShape.empty() && !op.options.newShape.empty()) {
    outputShape.assign(op.options.newShape.begin(), op.options.newShape.end());
  }
  if (outputShape.empty() && boundedElementCount(inputShape) != 1) return opError(op, "output shape unknown");
  const std::string name = tensor(op.outputs[0]).name;
  auto x = inputTensor(op, op.inputs[0]);
  if (!x.ok()) return x.error();
  TensorId current = *x;
  if (!nhwcMatchesNchwInMemory(inputShape)) {
    const TensorId nhwc = addActivation(tensor(op.inputs[0]).name + "/nhwc");
    addNode(OpType::Transpose, name + "/to_nhwc", {current}, {nhwc}, TransposeAttributes{{0, 2, 3, 1}});
    current = nhwc;
  }
  auto y = outputTensor(op);
  if (!y.ok()) return y.error();
  if (outputShape.size() == 4 && !nhwcMatchesNchwInMemory(outputShape)) {
    const TensorId reshaped = addActivation(name + "/nhwc");
    addNode(OpType::Reshape, name, {current}, {reshaped}, ReshapeAttributes{outputShape});
    addNode(OpType::Transpose, name + "/to_nchw", {reshaped}, {*y}, TransposeAttributes{{0, 3, 1, 2}});
  } else {
    addNode(OpType::Reshape, name, {current}, {*y}, ReshapeAttributes{nchwShape(outputShape)});
  }
  return {};
}

// CONCATENATION along an axis (remapped to NCHW for 4-D tensors).
Result<void> TfliteImporter::importConcatenation(const TfliteOperator& op) {
  if (op.inputs.empty()) return opError(op, "expected inputs");
  const int64_t rank = int64_t(tensor(op.outputs[0]).shape.size());
  int64_t axis = op.options.axis < 0 ? op.options.axis + rank : op.options.axis;
  if (axis < 0 || axis >= rank) return opError(op, "axis " + std::to_string(op.options.axis) + " is out of range");
  if (rank == 4) axis = nchwAxis(int32_t(axis));
  std::vector<TensorId> inputs;
  for (int32_t index : op.inputs) {
    if (index < 0) return opError(op, "a required input is absent");
    if (int64_t(tensor(index).shape.size()) != rank) return opError(op, "inputs of different ranks");
    auto input = inputTensor(op, index);
    if (!input.ok()) return input.error();
    inputs.push_back(*input);
  }
  auto fused = activation(op, op.options.activation);
  if (!fused.ok()) return fused.error();
  auto y = outputTensor(op);
  if (!y.ok()) return y.error();
  addNodeWithActivation(OpType::Concat, tensor(op.outputs[0]).name, inputs, *y, ConcatAttributes{int32_t(axis)}, *fused);
  return {};
}

// PAD with zeros; paddings [rank][2] (begin, end), NHWC order for 4-D tensors.
Result<void> TfliteImporter::importPad(const TfliteOperator& op) {
  if (op.inputs.size() != 2) return opError(op, "expected inputs (x, paddings)");
  const size_t rank = tensor(op.inputs[0]).shape.size();
  auto paddings = intConstant(op, op.inputs[1]);
  if (!paddings.ok()) return paddings.error();
  if (paddings->size() != 2 * rank) {
    return opError(op, "paddings hold " + std::to_string(paddings->size()) + " values for a rank-" +
                           std::to_string(rank) + " input");
  }
  PadAttributes attributes;
  attributes.begins.resize(rank);
  attributes.ends.resize(rank);
  for (size_t axis = 0; axis < rank; ++axis) {
    const size_t target = rank == 4 ? size_t(nchwAxis(int32_t(axis))) : axis;
    if ((*paddings)[2 * axis] < 0 || (*paddings)[2 * axis + 1] < 0) return opError(op, "negative padding");
    attributes.begins[target] = (*paddings)[2 * axis];
    attributes.ends[target] = (*paddings)[2 * axis + 1];
  }
  auto x = inputTensor(op, op.inputs[0]);
  if (!x.ok()) return x.error();
  auto y = outputTensor(op);
  if (!y.ok()) return y.error();
  addNode(OpType::Pad, tensor(op.outputs[0]).name, {*x}, {*y}, attributes);
  return {};
}

// PRELU: y = x >= 0 ? x : alpha * x; alpha (constant, NHWC-broadcastable, e.g. [1][1][C]) becomes
// [C][1][1] (or [C][H][W]) in NCHW.
Result<void> TfliteImporter::importPrelu(const TfliteOperator& op) {
  if (op.inputs.size() != 2) return opError(op, "expected inputs (x, alpha)");
  const size_t rank = tensor(op.inputs[0]).shape.size();
  auto alpha = floatConstant(op, op.inputs[1]);
  if (!alpha.ok()) return alpha.error();
  if (*alpha == nullptr) return opError(op, "alpha must be constant");
  auto slope = broadcastConstant(op, op.inputs[1], **alpha, rank);
  if (!slope.ok()) return slope.error();
  Tensor& slopeTensor = mGraph.tensors[*slope];
  if (rank == 4 && slopeTensor.shape.size() == 4 && slopeTensor.shape[0] == 1) {
    slopeTensor.shape.erase(slopeTensor.shape.begin());  // [1][C][h][w] → [C][h][w]
  } else if (rank != 4 && slopeTensor.shape.size() == 1 && slopeTensor.shape[0] > 1) {
    // TFLite broadcasts a 1-D alpha on the last axis; the IR reads a 1-D slope on axis 1, so
    // make it [1][C], which the IR broadcasts NumPy-style (the last axis again).
    slopeTensor.shape.insert(slopeTensor.shape.begin(), 1);
  }
  auto x = inputTensor(op, op.inputs[0]);
  if (!x.ok()) return x.error();
  auto y = outputTensor(op);
  if (!y.ok()) return y.error();
  addNode(OpType::PRelu, tensor(op.outputs[0]).name, {*x, *slope}, {*y}, PReluAttributes{});
  return {};
}

Result<void> TfliteImporter::importUnaryActivation(const TfliteOperator& op, Activation activation) {
  if (op.inputs.empty()) return opError(op, "expected an input");
  auto x = inputTensor(op, op.inputs[0]);
  if (!x.ok()) return x.error();
  auto y = outputTensor(op);
  if (!y.ok()) return y.error();
  addNode(OpType::Activation, tensor(op.outputs[0]).name, {*x}, {*y}, ActivationAttributes{activation});
  return {};
}

// SOFTMAX over the last TFLite axis (channels of a 4-D tensor: NCHW axis 1).
Result<void> TfliteImporter::importSoftmax(const TfliteOperator& op) {
  if (op.inputs.empty()) return opError(op, "expected an input");
  if (op.options.beta != 1.0f) return opError(op, "beta != 1 is not supported");
  const size_t rank = tensor(op.inputs[0]).shape.size();
  auto x = inputTensor(op, op.inputs[0]);
  if (!x.ok()) return x.error();
  auto y = outputTensor(op);
  if (!y.ok()) return y.error();
  addNode(OpType::Softmax, tensor(op.outputs[0]).name, {*x}, {*y}, SoftmaxAttributes{rank == 4 ? 1 : -1});
  return {};
}

// DEQUANTIZE of an fp16 (or fp32) constant: folded; the output tensor becomes an fp32 constant.
Result<void> TfliteImporter::importDequantize(const TfliteOperator& op) {
  if (op.inputs.size() != 1) return opError(op, "expected one input");
  auto constant = floatConstant(op, op.inputs[0]);
  if (!constant.ok()) return constant.error();
  if (*constant == nullptr) return opError(op, "only constant (fp16) inputs are supported; they are folded at load");
  const int32_t output = op.outputs[0];
  if (mTensorIds[size_t(output)] != NO_TENSOR || mConstants[size_t(output)]) {
    return opError(op, "output '" + tensor(output).name + "' is produced twice");
  }
  if (boundedElementCount(tfliteShape(output)) != int64_t((*constant)->values.size())) {
    return opError(op, "output shape " + shapeText(tensor(output).shape) + " differs from the input's " +
                           shapeString((*constant)->shape));
  }
  FloatConstant folded = **constant;
  folded.shape = tfliteShape(output);
  MESHRT_TRY(chargeConstantBytes(op, folded.values.size()));
  mConstants[size_t(output)] = std::move(folded);
  return {};
}

}  // namespace

Result<Graph> importTfliteModel(const TfliteModel& model) {
  if (model.subgraphs.empty()) return makeError(model.source, "subgraphs: the model has no subgraph");
  auto graph = TfliteImporter(model).run();
  if (!graph.ok()) return oneLineError(graph.error());  // tensor names come from the file
  return graph;
}

Result<Graph> importTfliteFromMemory(std::vector<uint8_t> bytes, const std::string& name) {
  auto model = parseTflite(std::move(bytes), name);
  if (!model.ok()) return model.error();
  return importTfliteModel(*model);
}

Result<Graph> importTflite(const std::string& path) {
  auto model = readTfliteFile(path);
  if (!model.ok()) return model.error();
  return importTfliteModel(*model);
}

}  // namespace meshrt::nn
