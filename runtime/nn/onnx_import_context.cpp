// The ONNX importer's per-import state: TensorProto decoding, checked attribute access, and the
// bookkeeping that maps ONNX value names onto IR tensors and import-time constants.
#include "nn/onnx_import_context.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace meshrt::nn::onnx_import {

namespace {

// Largest element count accepted for one tensor (2^31): bounds allocations on corrupt files.
constexpr int64_t MAX_ELEMENTS = int64_t{1} << 31;

float widenHalf(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exponent = (bits >> 10) & 0x1Fu;
  const uint32_t mantissa = bits & 0x3FFu;
  if (exponent == 0x1F) return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));  // inf, NaN
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

template <typename T>
T readLittleEndian(const std::string& raw, size_t index) {
  T value;
  std::memcpy(&value, raw.data() + index * sizeof(T), sizeof(T));  // x86/ARM hosts: little-endian
  return value;
}

const char* attributeTypeName(onnx::AttributeProto::AttributeType type) {
  switch (type) {
    case onnx::AttributeProto::FLOAT: return "FLOAT";
    case onnx::AttributeProto::INT: return "INT";
    case onnx::AttributeProto::STRING: return "STRING";
    case onnx::AttributeProto::TENSOR: return "TENSOR";
    case onnx::AttributeProto::GRAPH: return "GRAPH";
    case onnx::AttributeProto::FLOATS: return "FLOATS";
    case onnx::AttributeProto::INTS: return "INTS";
    case onnx::AttributeProto::STRINGS: return "STRINGS";
    default: return "another type";
  }
}

}  // namespace

Result<ConstantValue> convertTensorProto(const onnx::TensorProto& tensor, const std::string& context) {
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL || tensor.external_data_size() > 0)
    return makeError(context, "external data is not supported (save the model with its weights inside the file)");
  if (tensor.has_segment()) return makeError(context, "segmented tensors are not supported");
  ConstantValue value;
  int64_t count = 1;
  for (int i = 0; i < tensor.dims_size(); ++i) {
    const int64_t dimension = tensor.dims(i);
    if (dimension < 0 || (dimension > 0 && count > MAX_ELEMENTS / dimension))
      return makeError(context, "dims[" + std::to_string(i) + "]: invalid dimension " + std::to_string(dimension) +
                                    (dimension < 0 ? std::string(" (negative)")
                                                   : " (the tensor would exceed " + std::to_string(MAX_ELEMENTS) + " elements)"));
    count *= dimension;
    value.shape.push_back(dimension);
  }
  const size_t elements = static_cast<size_t>(count);
  const std::string& raw = tensor.raw_data();
  const bool useRaw = tensor.has_raw_data();
  auto checkRaw = [&](size_t elementSize) -> Result<void> {
    if (raw.size() != elements * elementSize)
      return makeError(context, "raw_data: holds " + std::to_string(raw.size()) + " bytes, dims need " +
                                    std::to_string(elements * elementSize));
    return {};
  };
  auto checkTyped = [&](int size, const char* field) -> Result<void> {
    if (static_cast<size_t>(size) != elements)
      return makeError(context, std::string(field) + ": holds " + std::to_string(size) + " values, dims need " +
                                    std::to_string(elements));
    return {};
  };
  // The file's data is checked against the dims before anything is allocated (corrupt dims).
  auto checkSource = [&](size_t rawElementSize, int typedCount, const char* typedField) -> Result<void> {
    return useRaw ? checkRaw(rawElementSize) : checkTyped(typedCount, typedField);
  };
  switch (tensor.data_type()) {
    case onnx::TensorProto::FLOAT:
      MESHRT_TRY(checkSource(4, tensor.float_data_size(), "float_data"));
      value.floats.resize(elements);
      for (size_t i = 0; i < elements; ++i)
        value.floats[i] = useRaw ? readLittleEndian<float>(raw, i) : tensor.float_data(static_cast<int>(i));
      return value;
    case onnx::TensorProto::DOUBLE:
      MESHRT_TRY(checkSource(8, tensor.double_data_size(), "double_data"));
      value.floats.resize(elements);
      for (size_t i = 0; i < elements; ++i)
        value.floats[i] = static_cast<float>(useRaw ? readLittleEndian<double>(raw, i) : tensor.double_data(static_cast<int>(i)));
      return value;
    case onnx::TensorProto::FLOAT16:  // typed form: one half's bits per int32_data entry
      MESHRT_TRY(checkSource(2, tensor.int32_data_size(), "int32_data"));
      value.floats.resize(elements);
      for (size_t i = 0; i < elements; ++i)
        value.floats[i] = widenHalf(useRaw ? readLittleEndian<uint16_t>(raw, i)
                                           : static_cast<uint16_t>(tensor.int32_data(static_cast<int>(i))));
      return value;
    case onnx::TensorProto::INT64:
      MESHRT_TRY(checkSource(8, tensor.int64_data_size(), "int64_data"));
      value.isFloat = false;
      value.ints.resize(elements);
      for (size_t i = 0; i < elements; ++i)
        value.ints[i] = useRaw ? readLittleEndian<int64_t>(raw, i) : tensor.int64_data(static_cast<int>(i));
      return value;
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8: {
      const auto type = tensor.data_type();
      MESHRT_TRY(checkSource(type == onnx::TensorProto::INT32 ? 4 : 1, tensor.int32_data_size(), "int32_data"));
      value.isFloat = false;
      value.ints.resize(elements);
      for (size_t i = 0; i < elements; ++i) {
        if (!useRaw) value.ints[i] = tensor.int32_data(static_cast<int>(i));
        else if (type == onnx::TensorProto::INT32) value.ints[i] = readLittleEndian<int32_t>(raw, i);
        else if (type == onnx::TensorProto::INT8) value.ints[i] = readLittleEndian<int8_t>(raw, i);
        else value.ints[i] = readLittleEndian<uint8_t>(raw, i);
      }
      return value;
    }
    default:
      return makeError(context, "data_type: unsupported element type " + std::to_string(tensor.data_type()) +
                                    " (FLOAT, FLOAT16, DOUBLE, INT64, INT32, INT8, UINT8 are)");
  }
}

bool normalizeAxis(int64_t axis, size_t rank, int64_t& normalized) {
  const int64_t signedRank = static_cast<int64_t>(rank);
  if (axis < -signedRank || axis >= signedRank) return false;
  normalized = axis < 0 ? axis + signedRank : axis;
  return true;
}

Error ImportContext::nodeError(std::string_view reason) const {
  return makeError(mSource + ": node '" + mNode->name() + "' (" + mNode->op_type() + ")", reason);
}

Error ImportContext::fieldError(std::string_view field, std::string_view reason) const {
  return makeError(mSource + ": node '" + mNode->name() + "' (" + mNode->op_type() + "): " + std::string(field), reason);
}

bool ImportContext::hasInput(int index) const {
  return index >= 0 && index < mNode->input_size() && !mNode->input(index).empty();
}

bool ImportContext::isRuntimeInput(int index) const {
  return hasInput(index) && constants.find(mNode->input(index)) == constants.end();
}

const ConstantValue* ImportContext::constantInput(int index) const {
  if (!hasInput(index)) return nullptr;
  const auto found = constants.find(mNode->input(index));
  return found == constants.end() ? nullptr : &found->second;
}

Result<const ConstantValue*> ImportContext::requireConstantInput(int index, std::string_view what) const {
  const std::string field = "input " + std::to_string(index) + " (" + std::string(what) + ")";
  if (!hasInput(index)) return fieldError(field, "missing");
  const ConstantValue* value = constantInput(index);
  if (!value) return fieldError(field, "'" + mNode->input(index) + "' must be a constant (initializer or Constant)");
  return value;
}

Result<TensorId> ImportContext::runtimeInput(int index) {
  const std::string field = "input " + std::to_string(index);
  if (!hasInput(index)) return fieldError(field, "missing");
  const std::string& name = mNode->input(index);
  if (const auto found = values.find(name); found != values.end()) return found->second;
  const auto constant = constants.find(name);
  if (constant == constants.end()) return fieldError(field, "'" + name + "' is not produced by any earlier node");
  std::vector<float> floats(constant->second.count());
  for (size_t i = 0; i < floats.size(); ++i) floats[i] = constant->second.floatAt(i);
  // The IR has no 0-D tensors: a scalar constant is broadcast as [1].
  Shape shape = constant->second.shape.empty() ? Shape{1} : constant->second.shape;
  if (floats.empty()) return fieldError(field, "constant '" + name + "' is empty");
  const TensorId id = addFloatConstant(name, std::move(shape), floats);
  values.emplace(name, id);
  return id;
}

Result<Shape> ImportContext::inputShape(int index) {
  if (const ConstantValue* constant = constantInput(index)) return constant->shape;
  auto id = runtimeInput(index);
  if (!id) return id.error();
  if (graph.tensors[*id].shape.empty()) {
    auto inferred = inferShapes(graph);
    if (!inferred) return makeError(mSource, inferred.error().message);
  }
  return graph.tensors[*id].shape;
}

const onnx::AttributeProto* ImportContext::attribute(std::string_view name) const {
  for (const onnx::AttributeProto& candidate : mNode->attribute())
    if (candidate.name() == name) return &candidate;
  return nullptr;
}

namespace {
Result<void> checkType(const ImportContext& context, const onnx::AttributeProto& attribute,
                       onnx::AttributeProto::AttributeType expected) {
  // Old writers leave `type` unset (UNDEFINED); accept them when the expected field is filled.
  if (attribute.type() == expected) return {};
  if (attribute.type() == onnx::AttributeProto::UNDEFINED) {
    const bool filled = (expected == onnx::AttributeProto::INT && attribute.has_i()) ||
                        (expected == onnx::AttributeProto::FLOAT && attribute.has_f()) ||
                        (expected == onnx::AttributeProto::STRING && attribute.has_s()) ||
                        (expected == onnx::AttributeProto::INTS && attribute.ints_size() > 0);
    if (filled) return {};
  }
  return context.fieldError("attribute '" + attribute.name() + "'",
                            std::string("expected ") + attributeTypeName(expected) + ", got " +
                                attributeTypeName(attribute.type()));
}
}  // namespace

Result<int64_t> ImportContext::intAttribute(std::string_view name, int64_t fallback) const {
  const onnx::AttributeProto* found = attribute(name);
  if (!found) return fallback;
  MESHRT_TRY(checkType(*this, *found, onnx::AttributeProto::INT));
  return found->i();
}

Result<float> ImportContext::floatAttribute(std::string_view name, float fallback) const {
  const onnx::AttributeProto* found = attribute(name);
  if (!found) return fallback;
  MESHRT_TRY(checkType(*this, *found, onnx::AttributeProto::FLOAT));
  if (!std::isfinite(found->f())) return fieldError("attribute '" + std::string(name) + "'", "not finite");
  return found->f();
}

Result<std::string> ImportContext::stringAttribute(std::string_view name, std::string_view fallback) const {
  const onnx::AttributeProto* found = attribute(name);
  if (!found) return std::string(fallback);
  MESHRT_TRY(checkType(*this, *found, onnx::AttributeProto::STRING));
  return found->s();
}

Result<std::vector<int64_t>> ImportContext::intsAttribute(std::string_view name, std::vector<int64_t> fallback,
                                                          size_t expectedCount) const {
  const onnx::AttributeProto* found = attribute(name);
  if (!found) return fallback;
  MESHRT_TRY(checkType(*this, *found, onnx::AttributeProto::INTS));
  std::vector<int64_t> listed(found->ints().begin(), found->ints().end());
  if (expectedCount > 0 && listed.size() != expectedCount)
    return fieldError("attribute '" + std::string(name) + "'",
                      "expected " + std::to_string(expectedCount) + " values, got " + std::to_string(listed.size()));
  return listed;
}

Result<void> ImportContext::checkSingleOutput() const {
  if (mNode->output_size() < 1 || mNode->output(0).empty()) return nodeError("has no output");
  for (int i = 1; i < mNode->output_size(); ++i) {
    const std::string& name = mNode->output(i);
    if (name.empty()) continue;
    const auto uses = useCounts.find(name);
    if (uses != useCounts.end() && uses->second > 0)
      return fieldError("output " + std::to_string(i), "'" + name + "' is used, but only output 0 is supported");
  }
  return {};
}

Result<TensorId> ImportContext::addNode(OpType op, Attributes attributes, std::vector<TensorId> inputs,
                                        const std::string& outputName) {
  MESHRT_TRY(checkSingleOutput());
  const std::string name = outputName.empty() ? mNode->output(0) : outputName;
  if (values.count(name) || constants.count(name)) return nodeError("output '" + name + "' already has a producer");
  Tensor output;
  output.name = name;
  const TensorId id = graph.addTensor(std::move(output));
  Node irNode;
  irNode.op = op;
  irNode.name = mNode->name().empty() ? name : mNode->name();
  irNode.inputs = std::move(inputs);
  irNode.outputs = {id};
  irNode.attributes = std::move(attributes);
  graph.nodes.push_back(std::move(irNode));
  values.emplace(name, id);
  return id;
}

void ImportContext::setConstantOutput(ConstantValue value) { constants[mNode->output(0)] = std::move(value); }

void ImportContext::aliasOutput(TensorId id) { values[mNode->output(0)] = id; }

TensorId ImportContext::addFloatConstant(const std::string& name, Shape shape, const std::vector<float>& floats) {
  Tensor tensor;
  tensor.name = name;
  tensor.type = DataType::Float32;
  tensor.shape = std::move(shape);
  tensor.data.resize(floats.size() * sizeof(float));
  if (!floats.empty()) std::memcpy(tensor.data.data(), floats.data(), tensor.data.size());
  return graph.addTensor(std::move(tensor));
}

std::string ImportContext::derivedName(std::string_view suffix) const {
  return (mNode->output_size() > 0 ? mNode->output(0) : mNode->name()) + "/" + std::string(suffix);
}

}  // namespace meshrt::nn::onnx_import
