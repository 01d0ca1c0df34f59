// importOnnx(): parses the ModelProto, checks the opset, declares graph inputs and initializers,
// converts nodes in file order through the op tables (onnx_ops_compute.cpp, onnx_ops_layout.cpp),
// then validates the IR graph and infers every shape.
#include "nn/onnx_importer.h"

#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

#include "nn/onnx_import_context.h"

namespace meshrt::nn {

namespace onnx_import {

const OpConverter* findOpConverter(const std::string& opType) {
  static const std::map<std::string, OpConverter> table = [] {
    std::map<std::string, OpConverter> entries;
    for (const auto& list : {computeOpConverters(), layoutOpConverters()})
      for (const OpConverterEntry& entry : list) entries.emplace(entry.opType, entry.convert);
    return entries;
  }();
  const auto found = table.find(opType);
  return found == table.end() ? nullptr : &found->second;
}

}  // namespace onnx_import

namespace {

using onnx_import::ImportContext;

constexpr int64_t MIN_OPSET = 11;
constexpr int64_t MAX_OPSET = 17;
// Bounds on graph inputs (pixels, channels, batch): keep every later shape product far from
// int64 overflow, whatever a corrupt file asks for.
constexpr int64_t MAX_INPUT_DIMENSION = int64_t{1} << 16;
constexpr int64_t MAX_INPUT_ELEMENTS = int64_t{1} << 28;

bool isDefaultDomain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

Result<int64_t> defaultDomainOpset(const onnx::ModelProto& model, const std::string& source) {
  int64_t opset = -1;
  for (int i = 0; i < model.opset_import_size(); ++i)
    if (isDefaultDomain(model.opset_import(i).domain())) opset = model.opset_import(i).version();
  if (opset < 0) return makeError(source, "opset_import: no entry for the default (ai.onnx) domain");
  if (opset < MIN_OPSET || opset > MAX_OPSET)
    return makeError(source, "opset_import: opset " + std::to_string(opset) + " is not supported (" +
                                 std::to_string(MIN_OPSET) + ".." + std::to_string(MAX_OPSET) + " are)");
  return opset;
}

// Declares graph input `value` ([N][C][H][W] fp32 for encoders; any static rank is accepted).
Result<void> declareInput(ImportContext& context, const onnx::ValueInfoProto& value, int index) {
  const std::string field = context.source() + ": graph.input[" + std::to_string(index) + "] '" + value.name() + "'";
  if (value.name().empty()) return makeError(field, "has no name");
  if (!value.type().has_tensor_type()) return makeError(field, "type: not a tensor");
  const onnx::TypeProto::Tensor& type = value.type().tensor_type();
  if (type.elem_type() != onnx::TensorProto::FLOAT)
    return makeError(field, "elem_type: " + std::to_string(type.elem_type()) + " is not FLOAT");
  if (!type.has_shape()) return makeError(field, "shape: missing (the importer needs static shapes)");
  Tensor tensor;
  tensor.name = value.name();
  for (int d = 0; d < type.shape().dim_size(); ++d) {
    const auto& dimension = type.shape().dim(d);
    if (dimension.has_dim_value()) {
      if (dimension.dim_value() < 1 || dimension.dim_value() > MAX_INPUT_DIMENSION)
        return makeError(field, "shape.dim[" + std::to_string(d) + "]: invalid size " + std::to_string(dimension.dim_value()));
      tensor.shape.push_back(dimension.dim_value());
    } else if (d == 0) {
      tensor.shape.push_back(1);  // a symbolic batch ("N", "batch_size"): fixed to 1 at import
    } else {
      return makeError(field, "shape.dim[" + std::to_string(d) + "]: symbolic '" + dimension.dim_param() +
                                  "' (only the batch dimension may be symbolic)");
    }
  }
  if (tensor.shape.empty()) return makeError(field, "shape: 0-D inputs are not supported");
  int64_t elements = 1;
  for (int64_t dimension : tensor.shape) {
    elements *= dimension;  // dimension <= 2^16 and elements <= 2^28 before: no overflow
    if (elements > MAX_INPUT_ELEMENTS) return makeError(field, "shape: more than 2^28 elements");
  }
  const TensorId id = context.graph.addTensor(std::move(tensor));
  context.graph.inputs.push_back(id);
  context.values.emplace(value.name(), id);
  return {};
}

Result<Graph> importModel(const onnx::ModelProto& model, const std::string& source) {
  auto opset = defaultDomainOpset(model, source);
  if (!opset) return opset.error();
  if (!model.has_graph()) return makeError(source, "graph: missing");
  const onnx::GraphProto& graphProto = model.graph();
  ImportContext context(source, *opset);
  context.graph.source = source;

  for (int i = 0; i < graphProto.initializer_size(); ++i) {
    const onnx::TensorProto& initializer = graphProto.initializer(i);
    const std::string field = source + ": graph.initializer[" + std::to_string(i) + "] '" + initializer.name() + "'";
    if (initializer.name().empty()) return makeError(field, "has no name");
    auto value = onnx_import::convertTensorProto(initializer, field);
    if (!value) return value.error();
    if (!context.constants.emplace(initializer.name(), std::move(*value)).second)
      return makeError(field, "name used twice");
  }
  if (graphProto.sparse_initializer_size() > 0) return makeError(source, "graph.sparse_initializer: not supported");
  // Inputs that name an initializer are the IR<4 way to declare weights: they stay constants.
  for (int i = 0; i < graphProto.input_size(); ++i)
    if (!context.constants.count(graphProto.input(i).name())) MESHRT_TRY(declareInput(context, graphProto.input(i), i));
  if (context.graph.inputs.empty()) return makeError(source, "graph.input: no runtime input");

  for (const onnx::NodeProto& node : graphProto.node())
    for (const std::string& input : node.input()) ++context.useCounts[input];
  for (const onnx::ValueInfoProto& output : graphProto.output()) ++context.useCounts[output.name()];

  for (int i = 0; i < graphProto.node_size(); ++i) {
    const onnx::NodeProto& node = graphProto.node(i);
    context.setNode(&node);
    if (!isDefaultDomain(node.domain()))
      return context.nodeError("op domain '" + node.domain() + "' is not supported (only ai.onnx is)");
    const onnx_import::OpConverter* convert = onnx_import::findOpConverter(node.op_type());
    if (!convert) return unsupportedOpError(source, node.name(), node.op_type());
    if (node.output_size() < 1 || node.output(0).empty()) return context.nodeError("has no output");
    // ONNX graphs are SSA: a value name has one producer (graph input, initializer or node).
    if (context.values.count(node.output(0)) || context.constants.count(node.output(0)))
      return context.nodeError("output '" + node.output(0) + "' already has a producer");
    MESHRT_TRY((*convert)(context));
  }

  if (graphProto.output_size() == 0) return makeError(source, "graph.output: empty");
  for (int i = 0; i < graphProto.output_size(); ++i) {
    const std::string& name = graphProto.output(i).name();
    const std::string field = source + ": graph.output[" + std::to_string(i) + "] '" + name + "'";
    const auto found = context.values.find(name);
    if (found == context.values.end())
      return makeError(field, context.constants.count(name) ? "is a constant (nothing to compute)" : "is never produced");
    if (context.graph.tensors[found->second].isConstant()) return makeError(field, "is a constant (nothing to compute)");
    context.graph.outputs.push_back(found->second);
  }

  Graph graph = std::move(context.graph);
  if (auto valid = validateGraph(graph); !valid) return makeError(source, valid.error().message);
  if (auto shaped = inferShapes(graph); !shaped) return makeError(source, shaped.error().message);
  return graph;
}

}  // namespace

Result<Graph> importOnnxBytes(const uint8_t* data, size_t size, const std::string& source) {
  if (size > static_cast<size_t>(std::numeric_limits<int>::max()))
    return makeError(source, "larger than 2 GiB (protobuf's limit; use a smaller model)");
  onnx::ModelProto model;
  if (!model.ParseFromArray(data, static_cast<int>(size)))
    return makeError(source, "not a valid ONNX model (the ModelProto protobuf does not parse: truncated or corrupt)");
  auto graph = importModel(model, source);
  if (!graph) return oneLineError(graph.error());
  return graph;
}

Result<Graph> importOnnx(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return makeError(path, "cannot open file (missing or not a regular file)");
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) return makeError(path, "cannot open file");
  const std::streamoff size = file.tellg();
  if (size < 0) return makeError(path, "cannot determine the file size");
  if (size == 0) return makeError(path, "file is empty");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  file.seekg(0);
  if (!file.read(reinterpret_cast<char*>(bytes.data()), size)) return makeError(path, "read error");
  return importOnnxBytes(bytes.data(), bytes.size(), path);
}

}  // namespace meshrt::nn
