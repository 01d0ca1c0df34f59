// runReference(): one fp32 buffer per tensor, nodes run in order through the plain loops of
// reference_ops.h. Constants of any type are read as fp32 (constantAsFloats), so graphs whose
// Float16 constants are not yet widened run too.
#include "nn/reference_executor.h"

#include "nn/reference_ops.h"

namespace meshrt::nn {
namespace {

class ReferenceRun {
 public:
  explicit ReferenceRun(const Graph& graph) : mGraph(graph), mValues(graph.tensors.size()) {
    for (size_t id = 0; id < graph.tensors.size(); ++id)
      if (graph.tensors[id].isConstant()) mValues[id] = constantAsFloats(graph.tensors[id]);
  }

  Result<void> setInputs(const std::vector<std::vector<float>>& inputs) {
    if (inputs.size() != mGraph.inputs.size())
      return makeError("runReference", "expected " + std::to_string(mGraph.inputs.size()) + " inputs, got " +
                                           std::to_string(inputs.size()));
    for (size_t i = 0; i < inputs.size(); ++i) {
      const Tensor& tensor = mGraph.tensors[mGraph.inputs[i]];
      if (inputs[i].size() != static_cast<size_t>(elementCount(tensor.shape)))
        return makeError("runReference: input " + std::to_string(i) + " '" + tensor.name + "'",
                         "expected " + std::to_string(elementCount(tensor.shape)) + " floats for " +
                             shapeString(tensor.shape) + ", got " + std::to_string(inputs[i].size()));
      mValues[mGraph.inputs[i]] = inputs[i];
    }
    return {};
  }

  Result<void> runNode(const Node& node) {
    const Shape& yShape = shape(node.outputs[0]);
    if (yShape.empty()) return makeError(describeNode(node), "output shape unknown (run inferShapes first)");
    std::vector<float>& y = mValues[node.outputs[0]];
    y.assign(static_cast<size_t>(elementCount(yShape)), 0.0f);
    switch (node.op) {
      case OpType::Conv2D: {
        const auto& a = std::get<Conv2DAttributes>(node.attributes);
        conv2dReference(makeConv2DParams(shape(node.inputs[0]), shape(node.inputs[1]), yShape, a), data(node, 0),
                        data(node, 1), data(node, 2), data(node, 3), y.data());
        return {};
      }
      case OpType::FullyConnected: {
        const Shape& w = shape(node.inputs[1]);
        fullyConnectedReference(yShape[0], w[1], w[0], data(node, 0), data(node, 1), data(node, 2),
                                std::get<FullyConnectedAttributes>(node.attributes).activation, y.data());
        return {};
      }
      case OpType::Add:
      case OpType::Mul:
        binaryReference(node.op == OpType::Add ? BinaryOp::Add : BinaryOp::Mul, shape(node.inputs[0]), data(node, 0),
                        shape(node.inputs[1]), data(node, 1), yShape,
                        std::get<BinaryAttributes>(node.attributes).activation, y.data());
        return {};
      case OpType::Activation:
        activationReference(std::get<ActivationAttributes>(node.attributes).activation, elementCount(yShape),
                            data(node, 0), y.data());
        return {};
      case OpType::PRelu:
        preluReference(yShape, data(node, 0), shape(node.inputs[1]), data(node, 1), y.data());
        return {};
      case OpType::MaxPool:
      case OpType::AveragePool: {
        const Pool2DParams p = makePool2DParams(shape(node.inputs[0]), yShape, std::get<Pool2DAttributes>(node.attributes));
        if (node.op == OpType::MaxPool) maxPoolReference(p, data(node, 0), y.data());
        else averagePoolReference(p, data(node, 0), y.data());
        return {};
      }
      case OpType::GlobalAveragePool:
        globalAveragePoolReference(shape(node.inputs[0]), data(node, 0), y.data());
        return {};
      case OpType::Pad:
        padReference(shape(node.inputs[0]), data(node, 0), std::get<PadAttributes>(node.attributes), y.data());
        return {};
      case OpType::Reshape: {
        const std::vector<float>& x = mValues[node.inputs[0]];
        std::copy(x.begin(), x.end(), y.begin());
        return {};
      }
      case OpType::Concat: {
        std::vector<Shape> shapes;
        std::vector<const float*> inputs;
        for (size_t i = 0; i < node.inputs.size(); ++i) {
          shapes.push_back(shape(node.inputs[i]));
          inputs.push_back(data(node, i));
        }
        int64_t axis = std::get<ConcatAttributes>(node.attributes).axis;
        if (axis < 0) axis += static_cast<int64_t>(yShape.size());
        concatReference(axis, shapes, inputs, y.data());
        return {};
      }
      case OpType::Transpose:
        transposeReference(shape(node.inputs[0]), data(node, 0), std::get<TransposeAttributes>(node.attributes).permutation,
                           y.data());
        return {};
      case OpType::Resize:
        resizeReference(shape(node.inputs[0]), data(node, 0), std::get<ResizeAttributes>(node.attributes), y.data());
        return {};
      case OpType::Softmax: {
        int64_t axis = std::get<SoftmaxAttributes>(node.attributes).axis;
        if (axis < 0) axis += static_cast<int64_t>(yShape.size());
        softmaxReference(yShape, data(node, 0), axis, y.data());
        return {};
      }
      case OpType::BatchNormalization:
        batchNormReference(yShape, data(node, 0), data(node, 1), data(node, 2), data(node, 3), data(node, 4),
                           std::get<BatchNormAttributes>(node.attributes).epsilon, y.data());
        return {};
    }
    return makeError(describeNode(node), "unsupported op");
  }

  Result<std::vector<std::vector<float>>> outputs() const {
    std::vector<std::vector<float>> result;
    for (TensorId id : mGraph.outputs) result.push_back(mValues[id]);
    return result;
  }

 private:
  const Shape& shape(TensorId id) const { return mGraph.tensors[id].shape; }
  // Input `index` of `node`, or null when absent (optional bias, residual).
  const float* data(const Node& node, size_t index) const {
    if (index >= node.inputs.size() || node.inputs[index] == NO_TENSOR) return nullptr;
    return mValues[node.inputs[index]].data();
  }

  const Graph& mGraph;
  std::vector<std::vector<float>> mValues;  // per tensor id, fp32, C order
};

}  // namespace

Result<std::vector<std::vector<float>>> runReference(const Graph& graph, const std::vector<std::vector<float>>& inputs) {
  MESHRT_TRY(validateGraph(graph));
  ReferenceRun run(graph);
  MESHRT_TRY(run.setInputs(inputs));
  for (const Node& node : graph.nodes) MESHRT_TRY(run.runNode(node));
  return run.outputs();
}

}  // namespace meshrt::nn
