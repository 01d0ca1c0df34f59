// Graph passes (see passes.h). Rewrites keep tensor ids stable: a fused or folded node's output
// tensor is taken over by the surviving node, and dropped nodes leave unused tensors behind.
#include "nn/passes.h"

#include <cmath>
#include <cstring>

#include "nn/reference_executor.h"

namespace meshrt::nn {
namespace {

// Uses of each tensor: once per node input slot, once per graph output.
std::vector<int> consumerCounts(const Graph& graph) {
  std::vector<int> counts(graph.tensors.size(), 0);
  for (const Node& node : graph.nodes)
    for (TensorId id : node.inputs)
      if (id != NO_TENSOR) ++counts[id];
  for (TensorId id : graph.outputs) ++counts[id];
  return counts;
}

// producer[t]: index of the node producing tensor t, or -1.
std::vector<int64_t> producers(const Graph& graph) {
  std::vector<int64_t> producer(graph.tensors.size(), -1);
  for (size_t i = 0; i < graph.nodes.size(); ++i) producer[graph.nodes[i].outputs[0]] = static_cast<int64_t>(i);
  return producer;
}

bool isGraphOutput(const Graph& graph, TensorId id) {
  for (TensorId output : graph.outputs)
    if (output == id) return true;
  return false;
}

void eraseNodes(Graph& graph, const std::vector<bool>& dead) {
  size_t kept = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (dead[i]) continue;
    if (kept != i) graph.nodes[kept] = std::move(graph.nodes[i]);  // never self-move (it empties the node)
    ++kept;
  }
  graph.nodes.resize(kept);
}

Activation* fusedActivation(Node& node) {
  if (auto* conv = std::get_if<Conv2DAttributes>(&node.attributes)) return &conv->activation;
  if (auto* fc = std::get_if<FullyConnectedAttributes>(&node.attributes)) return &fc->activation;
  if (auto* binary = std::get_if<BinaryAttributes>(&node.attributes)) return &binary->activation;
  return nullptr;
}

bool hasResidual(const Node& node) { return node.inputs.size() > 3 && node.inputs[3] != NO_TENSOR; }

// Evaluates `node` (all inputs constant) with the reference loops; returns its output values.
Result<std::vector<float>> evaluateConstantNode(const Graph& graph, const Node& node) {
  Graph single;
  single.source = graph.source;
  Node copy = node;
  for (TensorId& id : copy.inputs)
    if (id != NO_TENSOR) id = single.addTensor(graph.tensors[id]);
  Tensor out;
  out.name = graph.tensors[node.outputs[0]].name;
  copy.outputs = {single.addTensor(std::move(out))};
  single.outputs = copy.outputs;
  single.nodes.push_back(std::move(copy));
  MESHRT_TRY(inferShapes(single));
  auto values = runReference(single, {});
  if (!values) return values.error();
  return std::move((*values)[0]);
}

}  // namespace

Result<int> widenFloat16Constants(Graph& graph) {
  int widened = 0;
  for (Tensor& tensor : graph.tensors) {
    if (tensor.type != DataType::Float16 || !tensor.isConstant()) continue;
    const std::vector<float> values = constantAsFloats(tensor);
    tensor.type = DataType::Float32;
    tensor.data.resize(values.size() * sizeof(float));
    std::memcpy(tensor.data.data(), values.data(), tensor.data.size());
    ++widened;
  }
  return widened;
}

Result<int> foldConstants(Graph& graph) {
  int changed = 0;
  std::vector<int> consumers = consumerCounts(graph);
  const std::vector<int64_t> producer = producers(graph);
  std::vector<bool> dead(graph.nodes.size(), false);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    Node& node = graph.nodes[i];
    const Tensor& output = graph.tensors[node.outputs[0]];
    if (node.op == OpType::Reshape) {
      auto& attributes = std::get<ReshapeAttributes>(node.attributes);
      if (node.inputs.size() > 1) {  // shape tensor -> attribute (the inferred, explicit shape)
        attributes.shape = output.shape;
        node.inputs.resize(1);
        ++changed;
      }
      const int64_t source = producer[node.inputs[0]];
      if (source >= 0 && !dead[static_cast<size_t>(source)] && graph.nodes[static_cast<size_t>(source)].op == OpType::Reshape &&
          consumers[node.inputs[0]] == 1 && !isGraphOutput(graph, node.inputs[0])) {
        node.inputs[0] = graph.nodes[static_cast<size_t>(source)].inputs[0];
        attributes.shape = output.shape;
        dead[static_cast<size_t>(source)] = true;
        ++changed;
      }
    }
    bool allConstant = true;
    for (TensorId id : node.inputs)
      if (id != NO_TENSOR && !graph.tensors[id].isConstant()) allConstant = false;
    if (!allConstant) continue;
    auto values = evaluateConstantNode(graph, node);
    if (!values) return values.error();
    Tensor& folded = graph.tensors[node.outputs[0]];
    folded.type = DataType::Float32;
    folded.data.resize(values->size() * sizeof(float));
    std::memcpy(folded.data.data(), values->data(), folded.data.size());
    for (TensorId id : node.inputs)
      if (id != NO_TENSOR) --consumers[id];
    dead[i] = true;
    ++changed;
  }
  eraseNodes(graph, dead);
  return changed;
}

Result<int> foldBatchNorm(Graph& graph) {
  int folded = 0;
  const std::vector<int> consumers = consumerCounts(graph);
  const std::vector<int64_t> producer = producers(graph);
  std::vector<bool> dead(graph.nodes.size(), false);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    Node& bn = graph.nodes[i];
    if (bn.op != OpType::BatchNormalization) continue;
    const TensorId x = bn.inputs[0];
    if (producer[x] < 0 || consumers[x] != 1 || isGraphOutput(graph, x)) continue;
    Node& conv = graph.nodes[static_cast<size_t>(producer[x])];
    if (conv.op != OpType::Conv2D || hasResidual(conv)) continue;
    auto& convAttributes = std::get<Conv2DAttributes>(conv.attributes);
    if (convAttributes.activation.type != ActivationType::None) continue;

    const float epsilon = std::get<BatchNormAttributes>(bn.attributes).epsilon;
    const std::vector<float> scale = constantAsFloats(graph.tensors[bn.inputs[1]]);
    const std::vector<float> beta = constantAsFloats(graph.tensors[bn.inputs[2]]);
    const std::vector<float> mean = constantAsFloats(graph.tensors[bn.inputs[3]]);
    const std::vector<float> variance = constantAsFloats(graph.tensors[bn.inputs[4]]);
    const Tensor& weightTensor = graph.tensors[conv.inputs[1]];
    std::vector<float> weights = constantAsFloats(weightTensor);
    const size_t outChannels = scale.size(), perChannel = weights.size() / outChannels;
    std::vector<float> bias(outChannels, 0.0f);
    if (conv.inputs.size() > 2 && conv.inputs[2] != NO_TENSOR) bias = constantAsFloats(graph.tensors[conv.inputs[2]]);
    for (size_t o = 0; o < outChannels; ++o) {
      const float factor = scale[o] / std::sqrt(variance[o] + epsilon);
      for (size_t k = 0; k < perChannel; ++k) weights[o * perChannel + k] *= factor;
      bias[o] = (bias[o] - mean[o]) * factor + beta[o];
    }
    // New constants: the old ones may be shared with other nodes.
    const Shape weightShape = weightTensor.shape;
    const std::string weightName = weightTensor.name;
    const TensorId newWeights = graph.addConstant(weightName + "/bn_folded", weightShape, weights);
    const TensorId newBias = graph.addConstant(bn.name + "/bias_folded", {static_cast<int64_t>(outChannels)}, bias);
    conv.inputs.resize(std::max<size_t>(conv.inputs.size(), 3));
    conv.inputs[1] = newWeights;
    conv.inputs[2] = newBias;
    conv.outputs[0] = bn.outputs[0];
    dead[i] = true;
    ++folded;
  }
  eraseNodes(graph, dead);
  return folded;
}

Result<int> fuseResidualAdd(Graph& graph) {
  int fused = 0;
  const std::vector<int> consumers = consumerCounts(graph);
  const std::vector<int64_t> producer = producers(graph);
  std::vector<bool> dead(graph.nodes.size(), false);
  for (size_t j = 0; j < graph.nodes.size(); ++j) {
    Node& add = graph.nodes[j];
    if (add.op != OpType::Add) continue;
    const Shape& yShape = graph.tensors[add.outputs[0]].shape;
    for (size_t side = 0; side < 2; ++side) {
      const TensorId convOut = add.inputs[side], residual = add.inputs[1 - side];
      if (producer[convOut] < 0 || dead[static_cast<size_t>(producer[convOut])]) continue;
      if (consumers[convOut] != 1 || isGraphOutput(graph, convOut)) continue;
      if (graph.tensors[residual].shape != yShape || graph.tensors[convOut].shape != yShape) continue;
      Node& conv = graph.nodes[static_cast<size_t>(producer[convOut])];
      if (conv.op != OpType::Conv2D || hasResidual(conv)) continue;
      auto convAttributes = std::get<Conv2DAttributes>(conv.attributes);
      if (convAttributes.activation.type != ActivationType::None) continue;
      // The fused conv runs where the Add ran: its own inputs and r are all ready by then.
      convAttributes.activation = std::get<BinaryAttributes>(add.attributes).activation;
      Node merged = conv;
      merged.attributes = convAttributes;
      merged.inputs.resize(4, NO_TENSOR);
      merged.inputs[3] = residual;
      merged.outputs = add.outputs;
      dead[static_cast<size_t>(producer[convOut])] = true;
      add = std::move(merged);
      ++fused;
      break;
    }
  }
  eraseNodes(graph, dead);
  return fused;
}

Result<int> fuseActivations(Graph& graph) {
  int fused = 0;
  const std::vector<int> consumers = consumerCounts(graph);
  const std::vector<int64_t> producer = producers(graph);
  std::vector<bool> dead(graph.nodes.size(), false);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    Node& node = graph.nodes[i];
    if (node.op != OpType::Activation) continue;
    const TensorId x = node.inputs[0];
    if (producer[x] < 0 || consumers[x] != 1 || isGraphOutput(graph, x)) continue;
    Node& source = graph.nodes[static_cast<size_t>(producer[x])];
    Activation* activation = fusedActivation(source);
    if (!activation || activation->type != ActivationType::None) continue;
    *activation = std::get<ActivationAttributes>(node.attributes).activation;
    source.outputs[0] = node.outputs[0];
    dead[i] = true;
    ++fused;
  }
  eraseNodes(graph, dead);
  return fused;
}

Result<void> simplifyGraph(Graph& graph) {
  MESHRT_TRY(widenFloat16Constants(graph));
  MESHRT_TRY(inferShapes(graph));
  MESHRT_TRY(foldConstants(graph));
  MESHRT_TRY(foldBatchNorm(graph));
  MESHRT_TRY(fuseResidualAdd(graph));
  MESHRT_TRY(fuseActivations(graph));
  return inferShapes(graph);
}

}  // namespace meshrt::nn
