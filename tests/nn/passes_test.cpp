// Each pass preserves runReference()'s outputs on seeded randomized small graphs (relative L2
// <= 1e-5: folding BatchNorm and constants reorders fp32 arithmetic) and actually rewrites them.
#include "nn/passes.h"

#include <gtest/gtest.h>

#include <functional>

#include "nn/graph_builder.h"
#include "nn/reference_executor.h"
#include "support/tensor_compare.h"

namespace meshrt::nn {
namespace {

using test::GraphBuilder;

constexpr double TOLERANCE = 1e-5;

// Channel counts and spatial size drawn from `seed`; shapes stay tiny so the test is fast.
struct RandomSizes {
  int64_t channels, height, width;
  explicit RandomSizes(uint64_t seed)
      : channels(2 + static_cast<int64_t>(test::splitmixUniform(seed, 100) * 4)),
        height(4 + static_cast<int64_t>(test::splitmixUniform(seed, 101) * 5)),
        width(4 + static_cast<int64_t>(test::splitmixUniform(seed, 102) * 5)) {}
};

BatchNormAttributes batchNorm() { return BatchNormAttributes{1e-3f}; }

// BN inputs for `channels`: scale ~ [0.5, 1.5), bias, mean ~ [-1, 1), var ~ [0.5, 1.5).
std::vector<TensorId> batchNormInputs(GraphBuilder& b, TensorId x, int64_t channels, uint64_t seed) {
  return {x, b.randomConstant({channels}, seed, 0.5f, 1.0f), b.randomConstant({channels}, seed + 1),
          b.randomConstant({channels}, seed + 2), b.randomConstant({channels}, seed + 3, 0.5f, 1.0f)};
}

// A graph with every pattern the passes rewrite, and some they must leave alone:
// conv -> BN -> relu, conv -> add(residual) -> relu6, BN on a graph input (stays), FC -> sigmoid,
// mul -> hardswish, reshape via a shape tensor -> reshape, a transposed constant, fp16 weights,
// a conv whose output is also a graph output (no fusion).
GraphBuilder makePatternGraph(uint64_t seed) {
  const RandomSizes size(seed);
  const int64_t c = size.channels;
  GraphBuilder b;
  const TensorId x = b.input({1, c, size.height, size.width});
  const TensorId normalized = b.node(OpType::BatchNormalization, batchNormInputs(b, x, c, seed + 10), batchNorm());
  Conv2DAttributes same;
  same.padding.same = true;
  const TensorId conv1 = b.node(OpType::Conv2D, {normalized, b.randomConstant({c, c, 3, 3}, seed + 20, 0.3f), b.randomConstant({c}, seed + 21)}, same);
  const TensorId bn1 = b.node(OpType::BatchNormalization, batchNormInputs(b, conv1, c, seed + 30), batchNorm());
  const TensorId relu1 = b.node(OpType::Activation, {bn1}, ActivationAttributes{{ActivationType::Relu}});
  Conv2DAttributes depthwise = same;
  depthwise.groups = static_cast<int32_t>(c);
  const TensorId conv2 = b.node(OpType::Conv2D, {relu1, b.float16Constant({c, 1, 3, 3}, seed + 40, -1), NO_TENSOR}, depthwise);
  const TensorId bn2 = b.node(OpType::BatchNormalization, batchNormInputs(b, conv2, c, seed + 50), batchNorm());
  const TensorId sum = b.node(OpType::Add, {relu1, bn2}, BinaryAttributes{});
  const TensorId relu6 = b.node(OpType::Activation, {sum}, ActivationAttributes{{ActivationType::Relu6}});
  // A conv whose output is a graph output as well as an activation's input: nothing fuses.
  const TensorId conv3 = b.node(OpType::Conv2D, {relu6, b.randomConstant({c, c, 1, 1}, seed + 60, 0.5f), NO_TENSOR}, Conv2DAttributes{});
  const TensorId leaky = b.node(OpType::Activation, {conv3}, ActivationAttributes{{ActivationType::LeakyRelu, 0.2f}});
  // Per-channel scale through a transposed constant [1][C] -> [C][1] reshaped to [C][1][1].
  const TensorId scaleRow = b.randomConstant({1, c}, seed + 70);
  const TensorId scaleColumn = b.node(OpType::Transpose, {scaleRow}, TransposeAttributes{{1, 0}});
  const TensorId scale = b.node(OpType::Reshape, {scaleColumn}, ReshapeAttributes{{c, 1, 1}});
  const TensorId scaled = b.node(OpType::Mul, {leaky, scale}, BinaryAttributes{});
  const TensorId swish = b.node(OpType::Activation, {scaled}, ActivationAttributes{{ActivationType::HardSwish}});
  const TensorId flat = b.node(OpType::Reshape, {swish, b.int64Constant({1, c, -1})}, ReshapeAttributes{});
  const TensorId flatter = b.node(OpType::Reshape, {flat}, ReshapeAttributes{{1, -1}});
  const int64_t features = c * size.height * size.width;
  const TensorId fc = b.node(OpType::FullyConnected, {flatter, b.randomConstant({5, features}, seed + 80, 0.1f), b.randomConstant({5}, seed + 81)},
                             FullyConnectedAttributes{});
  const TensorId sigmoid = b.node(OpType::Activation, {fc}, ActivationAttributes{{ActivationType::Sigmoid}});
  b.output(sigmoid);
  b.output(conv3);
  return b;
}

std::vector<std::vector<float>> randomInputs(const Graph& graph, uint64_t seed) {
  std::vector<std::vector<float>> inputs;
  for (size_t i = 0; i < graph.inputs.size(); ++i)
    inputs.push_back(test::splitmixSigned(seed + 1000 + i, static_cast<uint64_t>(elementCount(graph.tensors[graph.inputs[i]].shape))));
  return inputs;
}

// Runs `pass` on the pattern graph for several seeds; checks outputs and that it changed >= minimum.
void expectPassPreservesOutputs(const std::function<Result<int>(Graph&)>& pass, int minimumChanges) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    GraphBuilder b = makePatternGraph(seed);
    Graph& graph = b.graph();
    ASSERT_TRUE(inferShapes(graph).ok()) << inferShapes(graph).error().message;
    const auto inputs = randomInputs(graph, seed);
    const auto before = runReference(graph, inputs);
    ASSERT_TRUE(before.ok()) << before.error().message;
    const size_t nodesBefore = graph.nodes.size();
    auto changed = pass(graph);
    ASSERT_TRUE(changed.ok()) << changed.error().message;
    EXPECT_GE(*changed, minimumChanges) << "seed " << seed;
    ASSERT_TRUE(inferShapes(graph).ok()) << inferShapes(graph).error().message;
    EXPECT_LE(graph.nodes.size(), nodesBefore);
    const auto after = runReference(graph, inputs);
    ASSERT_TRUE(after.ok()) << after.error().message;
    for (size_t i = 0; i < before->size(); ++i)
      EXPECT_LE(test::relativeL2((*after)[i], (*before)[i]), TOLERANCE) << "seed " << seed << " output " << i;
  }
}

TEST(NnPasses, WidenFloat16Constants) {
  expectPassPreservesOutputs(widenFloat16Constants, 1);
  GraphBuilder b = makePatternGraph(3);
  ASSERT_TRUE(widenFloat16Constants(b.graph()).ok());
  for (const Tensor& tensor : b.graph().tensors) EXPECT_NE(tensor.type, DataType::Float16) << tensor.name;
}

TEST(NnPasses, FoldConstants) {
  // Transpose and Reshape of the scale constant, the shape tensor, the Reshape -> Reshape chain.
  expectPassPreservesOutputs(foldConstants, 4);
}

TEST(NnPasses, FoldBatchNormIntoConvOnly) {
  expectPassPreservesOutputs(foldBatchNorm, 2);
  GraphBuilder b = makePatternGraph(2);
  ASSERT_TRUE(inferShapes(b.graph()).ok());
  ASSERT_TRUE(foldBatchNorm(b.graph()).ok());
  int remaining = 0;
  for (const Node& node : b.graph().nodes) remaining += node.op == OpType::BatchNormalization;
  EXPECT_EQ(remaining, 1);  // the one on the graph input has no conv to fold into
}

TEST(NnPasses, FuseResidualAdd) {
  // Needs the BN folded first so that the depthwise conv feeds the Add directly.
  expectPassPreservesOutputs([](Graph& graph) -> Result<int> {
    MESHRT_TRY(foldBatchNorm(graph));
    return fuseResidualAdd(graph);
  }, 1);
}

TEST(NnPasses, FuseActivations) {
  // FC -> sigmoid, Mul -> hardswish; conv3 -> leaky stays (conv3 is a graph output).
  expectPassPreservesOutputs(fuseActivations, 2);
}

TEST(NnPasses, SimplifyGraphLeavesTheExpectedNodes) {
  expectPassPreservesOutputs([](Graph& graph) -> Result<int> {
    const size_t before = graph.nodes.size();
    MESHRT_TRY(simplifyGraph(graph));
    return static_cast<int>(before - graph.nodes.size());
  }, 10);
  GraphBuilder b = makePatternGraph(4);
  ASSERT_TRUE(simplifyGraph(b.graph()).ok());
  std::vector<std::string> ops;
  for (const Node& node : b.graph().nodes) ops.emplace_back(opTypeName(node.op));
  // BN(input), conv1+bn1+relu, conv2+bn2+residual+relu6, conv3, leaky, mul+hardswish, reshape, fc+sigmoid.
  EXPECT_EQ(ops, (std::vector<std::string>{"BatchNormalization", "Conv2D", "Conv2D", "Conv2D", "Activation", "Mul",
                                           "Reshape", "FullyConnected"}));
  const auto& residualConv = b.graph().nodes[2];
  ASSERT_EQ(residualConv.inputs.size(), 4u);
  EXPECT_EQ(std::get<Conv2DAttributes>(residualConv.attributes).activation.type, ActivationType::Relu6);
}

}  // namespace
}  // namespace meshrt::nn
