// The IR's basic helpers and validateGraph() (structure only; shapes are checked by inferShapes()).
#include "nn/graph.h"

#include <cmath>
#include <cstring>

namespace meshrt::nn {

size_t dataTypeSize(DataType type) {
  switch (type) {
    case DataType::Float32: return 4;
    case DataType::Float16: return 2;
    case DataType::Int32: return 4;
    case DataType::Int64: return 8;
  }
  return 0;
}

const char* dataTypeName(DataType type) {
  switch (type) {
    case DataType::Float32: return "Float32";
    case DataType::Float16: return "Float16";
    case DataType::Int32: return "Int32";
    case DataType::Int64: return "Int64";
  }
  return "unknown";
}

int64_t elementCount(const Shape& shape) {
  int64_t count = 1;
  for (int64_t dimension : shape) count *= dimension;
  return count;
}

int64_t boundedElementCount(const Shape& shape) {
  int64_t count = 1;
  for (int64_t dimension : shape) {
    if (dimension < 0 || dimension > MAX_TENSOR_ELEMENTS) return -1;
    if (dimension > 0 && count > MAX_TENSOR_ELEMENTS / dimension) return -1;
    count *= dimension;
  }
  return count;
}

std::string shapeString(const Shape& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

std::span<const float> Tensor::floats() const {
  if (type != DataType::Float32 || data.empty()) return {};
  return {reinterpret_cast<const float*>(data.data()), data.size() / sizeof(float)};
}

TensorId Graph::addTensor(Tensor tensor) {
  tensors.push_back(std::move(tensor));
  return static_cast<TensorId>(tensors.size() - 1);
}

TensorId Graph::addConstant(std::string name, Shape shape, std::span<const float> values) {
  Tensor tensor;
  tensor.name = std::move(name);
  tensor.shape = std::move(shape);
  tensor.data.resize(values.size_bytes());
  if (!values.empty()) std::memcpy(tensor.data.data(), values.data(), values.size_bytes());
  return addTensor(std::move(tensor));
}

const char* opTypeName(OpType op) {
  switch (op) {
    case OpType::Conv2D: return "Conv2D";
    case OpType::FullyConnected: return "FullyConnected";
    case OpType::Add: return "Add";
    case OpType::Mul: return "Mul";
    case OpType::Activation: return "Activation";
    case OpType::PRelu: return "PRelu";
    case OpType::MaxPool: return "MaxPool";
    case OpType::AveragePool: return "AveragePool";
    case OpType::GlobalAveragePool: return "GlobalAveragePool";
    case OpType::Pad: return "Pad";
    case OpType::Reshape: return "Reshape";
    case OpType::Concat: return "Concat";
    case OpType::Transpose: return "Transpose";
    case OpType::Resize: return "Resize";
    case OpType::Softmax: return "Softmax";
    case OpType::BatchNormalization: return "BatchNormalization";
  }
  return "unknown";
}

std::string describeNode(const Node& node) {
  return "node '" + node.name + "' (" + opTypeName(node.op) + ")";
}

Error unsupportedOpError(std::string_view source, std::string_view nodeName, std::string_view opName) {
  std::string context(source);
  if (!context.empty()) context += ": ";
  context += "node '" + std::string(nodeName) + "' (" + std::string(opName) + ")";
  return makeError(context, "unsupported op");
}


float halfToFloat(uint16_t bits) {
  const uint32_t sign = (bits >> 15) & 1u, exponent = (bits >> 10) & 0x1Fu, mantissa = bits & 0x3FFu;
  float magnitude;
  if (exponent == 0) {
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);  // subnormal (or zero)
  } else if (exponent == 31) {
    magnitude = mantissa == 0 ? INFINITY : NAN;
  } else {
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400u), static_cast<int>(exponent) - 25);
  }
  return sign ? -magnitude : magnitude;
}

std::vector<float> constantAsFloats(const Tensor& tensor) {
  const size_t count = tensor.data.size() / dataTypeSize(tensor.type);
  std::vector<float> values(count);
  const uint8_t* bytes = tensor.data.data();
  for (size_t i = 0; i < count; ++i) {
    switch (tensor.type) {
      case DataType::Float32: std::memcpy(&values[i], bytes + 4 * i, 4); break;
      case DataType::Float16: {
        uint16_t bits;
        std::memcpy(&bits, bytes + 2 * i, 2);
        values[i] = halfToFloat(bits);
        break;
      }
      case DataType::Int32: {
        int32_t value;
        std::memcpy(&value, bytes + 4 * i, 4);
        values[i] = static_cast<float>(value);
        break;
      }
      case DataType::Int64: {
        int64_t value;
        std::memcpy(&value, bytes + 8 * i, 8);
        values[i] = static_cast<float>(value);
        break;
      }
    }
  }
  return values;
}

std::vector<int64_t> constantAsInts(const Tensor& tensor) {
  std::vector<int64_t> values;
  if (tensor.type == DataType::Int32) {
    values.resize(tensor.data.size() / 4);
    for (size_t i = 0; i < values.size(); ++i) {
      int32_t value;
      std::memcpy(&value, tensor.data.data() + 4 * i, 4);
      values[i] = value;
    }
  } else if (tensor.type == DataType::Int64) {
    values.resize(tensor.data.size() / 8);
    std::memcpy(values.data(), tensor.data.data(), values.size() * 8);
  }
  return values;
}

namespace {

// Which inputs an op takes: [minimum, maximum] count, and which positions must be constants.
struct InputRule {
  size_t minimum, maximum;
  std::vector<size_t> constantPositions;
  std::vector<size_t> optionalPositions;  // may be NO_TENSOR
};

InputRule inputRule(OpType op) {
  switch (op) {
    case OpType::Conv2D: return {2, 4, {1, 2}, {2, 3}};
    case OpType::FullyConnected: return {2, 3, {1, 2}, {2}};
    case OpType::Add:
    case OpType::Mul: return {2, 2, {}, {}};
    case OpType::PRelu: return {2, 2, {1}, {}};
    case OpType::Reshape: return {1, 2, {1}, {1}};
    case OpType::Concat: return {1, 1024, {}, {}};
    case OpType::BatchNormalization: return {5, 5, {1, 2, 3, 4}, {}};
    default: return {1, 1, {}, {}};
  }
}

bool attributesMatch(const Node& node) {
  switch (node.op) {
    case OpType::Conv2D: return std::holds_alternative<Conv2DAttributes>(node.attributes);
    case OpType::FullyConnected: return std::holds_alternative<FullyConnectedAttributes>(node.attributes);
    case OpType::Add:
    case OpType::Mul: return std::holds_alternative<BinaryAttributes>(node.attributes);
    case OpType::Activation: return std::holds_alternative<ActivationAttributes>(node.attributes);
    case OpType::PRelu: return std::holds_alternative<PReluAttributes>(node.attributes);
    case OpType::MaxPool:
    case OpType::AveragePool: return std::holds_alternative<Pool2DAttributes>(node.attributes);
    case OpType::GlobalAveragePool: return std::holds_alternative<GlobalAveragePoolAttributes>(node.attributes);
    case OpType::Pad: return std::holds_alternative<PadAttributes>(node.attributes);
    case OpType::Reshape: return std::holds_alternative<ReshapeAttributes>(node.attributes);
    case OpType::Concat: return std::holds_alternative<ConcatAttributes>(node.attributes);
    case OpType::Transpose: return std::holds_alternative<TransposeAttributes>(node.attributes);
    case OpType::Resize: return std::holds_alternative<ResizeAttributes>(node.attributes);
    case OpType::Softmax: return std::holds_alternative<SoftmaxAttributes>(node.attributes);
    case OpType::BatchNormalization: return std::holds_alternative<BatchNormAttributes>(node.attributes);
  }
  return false;
}

bool contains(const std::vector<size_t>& positions, size_t position) {
  for (size_t p : positions)
    if (p == position) return true;
  return false;
}

Result<void> checkPadding(const std::string& context, const Padding2D& padding) {
  if (padding.top < 0 || padding.left < 0 || padding.bottom < 0 || padding.right < 0)
    return makeError(context, "negative padding");
  return {};
}

// Attribute values that need no shapes (strides, groups, activation kinds).
Result<void> checkAttributes(const Node& node) {
  const std::string context = describeNode(node);
  if (const auto* conv = std::get_if<Conv2DAttributes>(&node.attributes)) {
    if (conv->strideH < 1 || conv->strideW < 1) return makeError(context, "stride must be >= 1");
    if (conv->dilationH < 1 || conv->dilationW < 1) return makeError(context, "dilation must be >= 1");
    if (conv->groups < 1) return makeError(context, "groups must be >= 1");
    return checkPadding(context, conv->padding);
  }
  if (const auto* pool = std::get_if<Pool2DAttributes>(&node.attributes)) {
    if (pool->kernelH < 1 || pool->kernelW < 1) return makeError(context, "kernel must be >= 1");
    if (pool->strideH < 1 || pool->strideW < 1) return makeError(context, "stride must be >= 1");
    return checkPadding(context, pool->padding);
  }
  if (const auto* activation = std::get_if<ActivationAttributes>(&node.attributes)) {
    if (activation->activation.type == ActivationType::None)
      return makeError(context, "activation: type None is not a standalone activation");
  }
  if (const auto* pad = std::get_if<PadAttributes>(&node.attributes)) {
    if (pad->begins.size() != pad->ends.size()) return makeError(context, "begins and ends differ in length");
    for (size_t i = 0; i < pad->begins.size(); ++i)
      if (pad->begins[i] < 0 || pad->ends[i] < 0) return makeError(context, "negative pad (cropping is unsupported)");
  }
  if (const auto* resize = std::get_if<ResizeAttributes>(&node.attributes)) {
    if (resize->outHeight < 1 || resize->outWidth < 1) return makeError(context, "output size must be >= 1");
  }
  if (const auto* bn = std::get_if<BatchNormAttributes>(&node.attributes)) {
    if (!(bn->epsilon >= 0.0f)) return makeError(context, "epsilon must be >= 0");
  }
  return {};
}

}  // namespace

Result<void> validateGraph(const Graph& graph) {
  const size_t tensorCount = graph.tensors.size();
  const std::string where = graph.source.empty() ? std::string("graph") : graph.source;
  // producer[t]: 0 = none yet, 1 = graph input or constant, 2 = produced by a node.
  std::vector<uint8_t> available(tensorCount, 0);
  std::vector<uint8_t> produced(tensorCount, 0);
  for (TensorId id = 0; id < tensorCount; ++id)
    if (graph.tensors[id].isConstant()) available[id] = 1;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    const TensorId id = graph.inputs[i];
    const std::string context = where + ": input " + std::to_string(i);
    if (id >= tensorCount) return makeError(context, "tensor id " + std::to_string(id) + " out of range");
    const Tensor& tensor = graph.tensors[id];
    if (tensor.isConstant()) return makeError(context, "'" + tensor.name + "' is a constant");
    if (tensor.type != DataType::Float32) return makeError(context, "'" + tensor.name + "' is not Float32");
    if (tensor.shape.empty()) return makeError(context, "'" + tensor.name + "' has no shape");
    for (int64_t dimension : tensor.shape)
      if (dimension < 1) return makeError(context, "'" + tensor.name + "' has shape " + shapeString(tensor.shape));
    available[id] = 1;
  }
  for (const Node& node : graph.nodes) {
    const std::string context = describeNode(node);
    if (!attributesMatch(node)) return makeError(context, "attributes do not match the op");
    const InputRule rule = inputRule(node.op);
    if (node.inputs.size() < rule.minimum || node.inputs.size() > rule.maximum)
      return makeError(context, "expected " + std::to_string(rule.minimum) + ".." + std::to_string(rule.maximum) +
                                    " inputs, got " + std::to_string(node.inputs.size()));
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const TensorId id = node.inputs[i];
      const std::string inputContext = context + ": input " + std::to_string(i);
      if (id == NO_TENSOR) {
        if (!contains(rule.optionalPositions, i)) return makeError(inputContext, "missing");
        continue;
      }
      if (id >= tensorCount) return makeError(inputContext, "tensor id " + std::to_string(id) + " out of range");
      const Tensor& tensor = graph.tensors[id];
      if (!available[id])
        return makeError(inputContext, "'" + tensor.name + "' is used before it is produced (nodes not in topological order)");
      if (contains(rule.constantPositions, i) && !tensor.isConstant())
        return makeError(inputContext, "'" + tensor.name + "' must be a constant");
      if (tensor.isConstant() && tensor.data.size() != size_t(elementCount(tensor.shape)) * dataTypeSize(tensor.type))
        return makeError(inputContext, "constant '" + tensor.name + "' holds " + std::to_string(tensor.data.size()) +
                                           " bytes, its shape " + shapeString(tensor.shape) + " needs " +
                                           std::to_string(elementCount(tensor.shape) * dataTypeSize(tensor.type)));
      const bool shapeTensor = node.op == OpType::Reshape && i == 1;
      if (shapeTensor && tensor.type != DataType::Int32 && tensor.type != DataType::Int64)
        return makeError(inputContext, "shape tensor '" + tensor.name + "' must be Int32 or Int64");
      if (!shapeTensor && tensor.type == DataType::Int32) return makeError(inputContext, "'" + tensor.name + "' is Int32");
      if (!shapeTensor && tensor.type == DataType::Int64) return makeError(inputContext, "'" + tensor.name + "' is Int64");
    }
    if (node.op == OpType::Conv2D) {
      const Tensor& weights = graph.tensors[node.inputs[1]];
      if (weights.shape.size() != 4)
        return makeError(context + ": input 1", "expected 4-D weights (OIHW), got " + shapeString(weights.shape));
    }
    if (node.op == OpType::FullyConnected) {
      const Tensor& weights = graph.tensors[node.inputs[1]];
      if (weights.shape.size() != 2)
        return makeError(context + ": input 1", "expected 2-D weights [out][in], got " + shapeString(weights.shape));
    }
    MESHRT_TRY(checkAttributes(node));
    if (node.outputs.size() != 1) return makeError(context, "expected 1 output, got " + std::to_string(node.outputs.size()));
    const TensorId out = node.outputs[0];
    if (out >= tensorCount) return makeError(context + ": output 0", "tensor id " + std::to_string(out) + " out of range");
    const Tensor& outTensor = graph.tensors[out];
    if (outTensor.isConstant()) return makeError(context + ": output 0", "'" + outTensor.name + "' is a constant");
    if (produced[out] || available[out])
      return makeError(context + ": output 0", "'" + outTensor.name + "' already has a producer");
    if (outTensor.type != DataType::Float32) return makeError(context + ": output 0", "'" + outTensor.name + "' is not Float32");
    produced[out] = 1;
    available[out] = 1;
  }
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    const TensorId id = graph.outputs[i];
    const std::string context = where + ": output " + std::to_string(i);
    if (id >= tensorCount) return makeError(context, "tensor id " + std::to_string(id) + " out of range");
    if (!available[id]) return makeError(context, "'" + graph.tensors[id].name + "' is never produced");
  }
  return {};
}

}  // namespace meshrt::nn
