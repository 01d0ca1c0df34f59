// Builds small IR graphs in tests and benchmarks: one call per node, each node's output a new
// activation tensor, constants from explicit values or seeded splitmix values.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "nn/graph.h"
#include "support/splitmix.h"

namespace meshrt::test {

class GraphBuilder {
 public:
  nn::TensorId input(nn::Shape shape) {
    nn::Tensor tensor;
    tensor.name = "input" + std::to_string(mGraph.inputs.size());
    tensor.shape = std::move(shape);
    const nn::TensorId id = mGraph.addTensor(std::move(tensor));
    mGraph.inputs.push_back(id);
    return id;
  }

  nn::TensorId constant(nn::Shape shape, const std::vector<float>& values) {
    return mGraph.addConstant("const" + std::to_string(mGraph.tensors.size()), std::move(shape), values);
  }

  // Values in [-scale, scale) from splitmix stream `seed`, plus `offset`.
  nn::TensorId randomConstant(nn::Shape shape, uint64_t seed, float scale = 1.0f, float offset = 0.0f) {
    std::vector<float> values = splitmixSigned(seed, static_cast<uint64_t>(nn::elementCount(shape)));
    for (float& value : values) value = value * scale + offset;
    return constant(std::move(shape), values);
  }

  nn::TensorId int64Constant(const std::vector<int64_t>& values) {
    nn::Tensor tensor;
    tensor.name = "shape" + std::to_string(mGraph.tensors.size());
    tensor.type = nn::DataType::Int64;
    tensor.shape = {static_cast<int64_t>(values.size())};
    tensor.data.resize(values.size() * 8);
    std::memcpy(tensor.data.data(), values.data(), tensor.data.size());
    return mGraph.addTensor(std::move(tensor));
  }

  nn::TensorId node(nn::OpType op, std::vector<nn::TensorId> inputs, nn::Attributes attributes) {
    nn::Tensor out;
    out.name = "t" + std::to_string(mGraph.tensors.size());
    const nn::TensorId id = mGraph.addTensor(std::move(out));
    nn::Node node;
    node.op = op;
    node.name = std::string(nn::opTypeName(op)) + "_" + std::to_string(mGraph.nodes.size());
    node.inputs = std::move(inputs);
    node.outputs = {id};
    node.attributes = std::move(attributes);
    mGraph.nodes.push_back(std::move(node));
    return id;
  }

  void output(nn::TensorId id) { mGraph.outputs.push_back(id); }
  nn::Graph& graph() { return mGraph; }

 private:
  nn::Graph mGraph;
};

}  // namespace meshrt::test
