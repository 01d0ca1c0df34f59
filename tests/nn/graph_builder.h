// Builds small IR graphs in tests and benchmarks: one call per node, each node's output a new
// activation tensor, constants from explicit values or seeded splitmix values.
#pragma once

#include <cmath>
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

  // A Float16 constant with values k / 1024, k in [-1024, 1024) from splitmix stream `seed`
  // (exact in binary16), times 2^scaleExponent.
  nn::TensorId float16Constant(nn::Shape shape, uint64_t seed, int scaleExponent = 0) {
    nn::Tensor tensor;
    tensor.name = "half" + std::to_string(mGraph.tensors.size());
    tensor.type = nn::DataType::Float16;
    const auto count = static_cast<size_t>(nn::elementCount(shape));
    tensor.shape = std::move(shape);
    tensor.data.resize(count * 2);
    for (size_t i = 0; i < count; ++i) {
      const int k = static_cast<int>(splitmixUniform(seed, i) * 2048.0f) - 1024;
      const uint16_t bits = exactHalfBits(std::ldexp(static_cast<float>(k) / 1024.0f, scaleExponent));
      std::memcpy(tensor.data.data() + 2 * i, &bits, 2);
    }
    return mGraph.addTensor(std::move(tensor));
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
  // Binary16 bits of a value exactly representable as a normal half (or zero).
  static uint16_t exactHalfBits(float value) {
    if (value == 0.0f) return 0;
    int exponent = 0;
    const float mantissa = std::frexp(std::fabs(value), &exponent);  // value = mantissa * 2^exponent, mantissa in [0.5, 1)
    const auto fraction = static_cast<uint16_t>((mantissa * 2.0f - 1.0f) * 1024.0f);
    const auto biased = static_cast<uint16_t>(exponent - 1 + 15);
    return static_cast<uint16_t>((value < 0 ? 0x8000 : 0) | (biased << 10) | fraction);
  }

  nn::Graph mGraph;
};

}  // namespace meshrt::test
