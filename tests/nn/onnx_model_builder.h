// Builds small ONNX models in tests with the protobuf API (Debian's libonnx schema), so each
// importer test states its model next to its expectations; no binary fixtures are committed.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstring>
#include <string>
#include <vector>

#include "nn/graph.h"
#include "nn/onnx_importer.h"

namespace meshrt::test {

class OnnxModelBuilder {
 public:
  explicit OnnxModelBuilder(int64_t opset = 13) {
    mModel.set_ir_version(8);
    mModel.set_producer_name("meshrt-test");
    onnx::OperatorSetIdProto* entry = mModel.add_opset_import();
    entry->set_domain("");
    entry->set_version(opset);
    mModel.mutable_graph()->set_name("test");
  }

  // A float graph input of static `shape`.
  void input(const std::string& name, const nn::Shape& shape) { addValueInfo(mModel.mutable_graph()->add_input(), name, shape); }
  void output(const std::string& name) { addValueInfo(mModel.mutable_graph()->add_output(), name, {}); }

  // A FLOAT initializer stored as raw_data (little-endian) or, with `typed`, in float_data.
  onnx::TensorProto& floatInitializer(const std::string& name, const nn::Shape& shape, const std::vector<float>& values,
                                      bool typed = false) {
    onnx::TensorProto& tensor = *mModel.mutable_graph()->add_initializer();
    fillFloatTensor(tensor, name, shape, values, typed);
    return tensor;
  }
  onnx::TensorProto& int64Initializer(const std::string& name, const nn::Shape& shape, const std::vector<int64_t>& values) {
    onnx::TensorProto& tensor = *mModel.mutable_graph()->add_initializer();
    tensor.set_name(name);
    tensor.set_data_type(onnx::TensorProto::INT64);
    for (int64_t dimension : shape) tensor.add_dims(dimension);
    for (int64_t value : values) tensor.add_int64_data(value);
    return tensor;
  }

  onnx::NodeProto& node(const std::string& opType, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "") {
    onnx::NodeProto& node = *mModel.mutable_graph()->add_node();
    node.set_op_type(opType);
    node.set_name(name.empty() ? opType + "_" + std::to_string(mModel.graph().node_size()) : name);
    for (const std::string& input : inputs) node.add_input(input);
    for (const std::string& output : outputs) node.add_output(output);
    return node;
  }

  static void fillFloatTensor(onnx::TensorProto& tensor, const std::string& name, const nn::Shape& shape,
                              const std::vector<float>& values, bool typed) {
    tensor.set_name(name);
    tensor.set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t dimension : shape) tensor.add_dims(dimension);
    if (typed) {
      for (float value : values) tensor.add_float_data(value);
    } else {
      std::string raw(values.size() * sizeof(float), '\0');
      if (!values.empty()) std::memcpy(raw.data(), values.data(), raw.size());
      tensor.set_raw_data(raw);
    }
  }

  std::string serialize() const { return mModel.SerializeAsString(); }
  onnx::ModelProto& model() { return mModel; }

  Result<nn::Graph> import(const std::string& source = "test.onnx") const {
    const std::string bytes = serialize();
    return nn::importOnnxBytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), source);
  }

 private:
  static void addValueInfo(onnx::ValueInfoProto* value, const std::string& name, const nn::Shape& shape) {
    value->set_name(name);
    onnx::TypeProto::Tensor* type = value->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    if (shape.empty()) return;
    for (int64_t dimension : shape) type->mutable_shape()->add_dim()->set_dim_value(dimension);
  }

  onnx::ModelProto mModel;
};

inline void setInt(onnx::NodeProto& node, const std::string& name, int64_t value) {
  onnx::AttributeProto* attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INT);
  attribute->set_i(value);
}
inline void setFloat(onnx::NodeProto& node, const std::string& name, float value) {
  onnx::AttributeProto* attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::FLOAT);
  attribute->set_f(value);
}
inline void setString(onnx::NodeProto& node, const std::string& name, const std::string& value) {
  onnx::AttributeProto* attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::STRING);
  attribute->set_s(value);
}
inline void setInts(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values) {
  onnx::AttributeProto* attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INTS);
  for (int64_t value : values) attribute->add_ints(value);
}

}  // namespace meshrt::test
