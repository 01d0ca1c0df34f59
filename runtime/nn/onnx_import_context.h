// Internal to the ONNX importer (onnx_importer.cpp, onnx_ops_*.cpp): the state of one import and
// the checked accessors every op converter uses. Not part of the library's API.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nn/graph.h"

namespace meshrt::nn::onnx_import {

// A value known at import time: an initializer, a Constant node's output, or a folded shape
// computation. Float types (FLOAT, FLOAT16, DOUBLE) are held as fp32, integer types as int64.
struct ConstantValue {
  bool isFloat = true;
  Shape shape;                // ONNX dims; [] is a scalar
  std::vector<float> floats;  // C order, when isFloat
  std::vector<int64_t> ints;  // C order, otherwise
  size_t count() const { return isFloat ? floats.size() : ints.size(); }
  float floatAt(size_t i) const { return isFloat ? floats[i] : static_cast<float>(ints[i]); }
  int64_t intAt(size_t i) const { return isFloat ? static_cast<int64_t>(floats[i]) : ints[i]; }
};

// Converts a TensorProto (typed fields or raw_data, little-endian); `context` names it in errors.
Result<ConstantValue> convertTensorProto(const onnx::TensorProto& tensor, const std::string& context);

class ImportContext {
 public:
  ImportContext(std::string source, int64_t opset) : mSource(std::move(source)), mOpset(opset) {}

  Graph graph;
  int64_t opset() const { return mOpset; }
  const std::string& source() const { return mSource; }

  // Values by ONNX name: activations (and materialized constants) and import-time constants.
  std::unordered_map<std::string, TensorId> values;
  std::unordered_map<std::string, ConstantValue> constants;
  std::unordered_map<std::string, int> useCounts;  // node inputs + graph outputs reading each name

  // The node being converted; every helper below refers to it.
  void setNode(const onnx::NodeProto* node) { mNode = node; }
  const onnx::NodeProto& node() const { return *mNode; }
  // "file: node 'name' (OpType): reason".
  Error nodeError(std::string_view reason) const;
  // "file: node 'name' (OpType): field: reason".
  Error fieldError(std::string_view field, std::string_view reason) const;

  // Inputs. An input is present when its index exists and its name is not empty (ONNX optional).
  int inputCount() const { return mNode->input_size(); }
  bool hasInput(int index) const;
  const ConstantValue* constantInput(int index) const;  // null when absent or a runtime value
  Result<const ConstantValue*> requireConstantInput(int index, std::string_view what) const;
  // The IR tensor for input `index`; an import-time constant becomes an fp32 graph constant.
  Result<TensorId> runtimeInput(int index);
  // The static shape of input `index` (runs inferShapes() over the graph built so far if needed).
  Result<Shape> inputShape(int index);
  bool isRuntimeInput(int index) const;

  // Attributes of the node, checked for their type.
  const onnx::AttributeProto* attribute(std::string_view name) const;
  Result<int64_t> intAttribute(std::string_view name, int64_t fallback) const;
  Result<float> floatAttribute(std::string_view name, float fallback) const;
  Result<std::string> stringAttribute(std::string_view name, std::string_view fallback) const;
  // The INTS attribute `name`, or `fallback` when absent; `expectedCount` (when > 0) is checked.
  Result<std::vector<int64_t>> intsAttribute(std::string_view name, std::vector<int64_t> fallback,
                                             size_t expectedCount = 0) const;

  // Outputs. Only output 0 is produced; further outputs must be absent or unused.
  Result<void> checkSingleOutput() const;
  // Appends an IR node writing a new fp32 tensor named after output 0 (or `outputName`).
  Result<TensorId> addNode(OpType op, Attributes attributes, std::vector<TensorId> inputs,
                           const std::string& outputName = {});
  // Output 0 is the import-time constant `value`.
  void setConstantOutput(ConstantValue value);
  // Output 0 is another name for the runtime tensor `id` (Identity, Dropout).
  void aliasOutput(TensorId id);
  // An fp32 graph constant (C order) named `name`.
  TensorId addFloatConstant(const std::string& name, Shape shape, const std::vector<float>& values);
  // A name no ONNX value uses: "<output 0>/<suffix>".
  std::string derivedName(std::string_view suffix) const;

 private:
  std::string mSource;
  int64_t mOpset;
  const onnx::NodeProto* mNode = nullptr;
};

// Converts the current node; the table lives in onnx_ops_*.cpp.
using OpConverter = Result<void> (*)(ImportContext& context);
const OpConverter* findOpConverter(const std::string& opType);

// The converter tables of the two op files.
struct OpConverterEntry {
  const char* opType;
  OpConverter convert;
};
std::vector<OpConverterEntry> computeOpConverters();  // onnx_ops_compute.cpp
std::vector<OpConverterEntry> layoutOpConverters();   // onnx_ops_layout.cpp

// Maps a possibly negative ONNX axis into [0, rank); false when it is out of range.
bool normalizeAxis(int64_t axis, size_t rank, int64_t& normalized);

}  // namespace meshrt::nn::onnx_import
