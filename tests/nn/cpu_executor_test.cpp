// CpuExecutor (oneDNN) vs runReference() on seeded randomized small graphs covering every op and
// every fusion the passes make (issue 5, acceptance 3): relative L2 <= 1e-5 per output.
#include "nn/cpu_executor.h"

#include <gtest/gtest.h>

#include <functional>

#include "nn/graph_builder.h"
#include "nn/mobilenet_like.h"
#include "nn/reference_executor.h"
#include "support/tensor_compare.h"

namespace meshrt::nn {
namespace {

using test::GraphBuilder;

constexpr double TOLERANCE = 1e-5;
constexpr uint64_t SEEDS = 3;

// Sizes drawn from the seed: channels 3..8, spatial 5..12 (odd and even sizes both occur).
struct Sizes {
  int64_t channels, height, width;
  explicit Sizes(uint64_t seed)
      : channels(3 + static_cast<int64_t>(test::splitmixUniform(seed, 200) * 6)),
        height(5 + static_cast<int64_t>(test::splitmixUniform(seed, 201) * 8)),
        width(5 + static_cast<int64_t>(test::splitmixUniform(seed, 202) * 8)) {}
};

using GraphMaker = std::function<void(GraphBuilder&, const Sizes&, uint64_t seed)>;

// Builds the graph for each seed, runs both executors on the same seeded inputs, compares.
CpuExecutorStats expectMatchesReference(const GraphMaker& make, int threads = 2) {
  CpuExecutorStats stats;
  for (uint64_t seed = 1; seed <= SEEDS; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    GraphBuilder b;
    make(b, Sizes(seed), seed);
    Graph& graph = b.graph();
    auto shapes = inferShapes(graph);
    EXPECT_TRUE(shapes.ok()) << shapes.error().message;
    if (!shapes.ok()) return stats;
    std::vector<std::vector<float>> inputs;
    for (size_t i = 0; i < graph.inputs.size(); ++i)
      inputs.push_back(test::splitmixSigned(seed * 100 + i, static_cast<uint64_t>(elementCount(graph.tensors[graph.inputs[i]].shape))));
    const auto expected = runReference(graph, inputs);
    EXPECT_TRUE(expected.ok()) << expected.error().message;
    auto executor = CpuExecutor::create(graph, {threads});
    EXPECT_TRUE(executor.ok()) << executor.error().message;
    if (!expected.ok() || !executor.ok()) return stats;
    std::vector<std::span<const float>> inputSpans(inputs.begin(), inputs.end());
    std::vector<std::vector<float>> outputs;
    for (const Shape& shape : (*executor)->outputShapes()) outputs.emplace_back(static_cast<size_t>(elementCount(shape)), NAN);
    std::vector<std::span<float>> outputSpans(outputs.begin(), outputs.end());
    for (int repeat = 0; repeat < 2; ++repeat) {  // the second run reuses the arena
      auto run = (*executor)->run(inputSpans, outputSpans);
      EXPECT_TRUE(run.ok()) << run.error().message;
      for (size_t i = 0; i < outputs.size(); ++i)
        EXPECT_LE(test::relativeL2(outputs[i], (*expected)[i]), TOLERANCE) << "output " << i << " run " << repeat;
    }
    stats = (*executor)->stats();
  }
  return stats;
}

Conv2DAttributes convAttributes(int32_t stride, bool same, ActivationType activation = ActivationType::None) {
  Conv2DAttributes a;
  a.strideH = a.strideW = stride;
  a.padding.same = same;
  a.activation.type = activation;
  return a;
}

TensorId conv(GraphBuilder& b, TensorId x, int64_t inC, int64_t outC, int64_t k, const Conv2DAttributes& a, uint64_t seed,
              bool bias = true) {
  const TensorId w = b.randomConstant({outC, inC / a.groups, k, k}, seed, 0.5f);
  return b.node(OpType::Conv2D, {x, w, bias ? b.randomConstant({outC}, seed + 1) : NO_TENSOR}, a);
}

TEST(NnCpuExecutor, ConvSameWithBiasAndRelu) {
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const TensorId x = b.input({1, 3, s.height, s.width});
    b.output(conv(b, x, 3, s.channels, 3, convAttributes(1, true, ActivationType::Relu), seed));
  });
}

TEST(NnCpuExecutor, ConvValidStrideTwoDilatedNoBias) {
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const TensorId x = b.input({1, s.channels, s.height + 4, s.width + 4});
    Conv2DAttributes a = convAttributes(2, false);
    a.dilationH = 2;
    b.output(conv(b, x, s.channels, 8, 3, a, seed, false));
  });
}

TEST(NnCpuExecutor, DepthwiseAndGroupedConvWithFusedActivations) {
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const int64_t c = 2 * s.channels;
    const TensorId x = b.input({1, c, s.height, s.width});
    Conv2DAttributes depthwise = convAttributes(2, true, ActivationType::Relu6);
    depthwise.groups = static_cast<int32_t>(c);
    const TensorId dw = conv(b, x, c, c, 3, depthwise, seed);
    Conv2DAttributes grouped = convAttributes(1, false);
    grouped.groups = 2;
    grouped.padding = {1, 0, 2, 1, false};  // asymmetric explicit pads
    grouped.activation = {ActivationType::LeakyRelu, 0.1f};
    b.output(conv(b, dw, c, 4, 3, grouped, seed + 10));
  });
}

TEST(NnCpuExecutor, FusedResidualAddAndBatchNorm) {
  // conv -> BN (folded) -> relu (fused) -> conv -> add(residual) -> relu (fused); a BN on the input
  // stays unfolded and runs as a loop.
  const CpuExecutorStats stats = expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const int64_t c = s.channels;
    const TensorId x = b.input({1, c, s.height, s.width});
    auto bnInputs = [&](TensorId in, uint64_t k) {
      return std::vector<TensorId>{in, b.randomConstant({c}, k, 0.5f, 1.0f), b.randomConstant({c}, k + 1),
                                   b.randomConstant({c}, k + 2), b.randomConstant({c}, k + 3, 0.5f, 1.0f)};
    };
    const TensorId normalized = b.node(OpType::BatchNormalization, bnInputs(x, seed + 50), BatchNormAttributes{1e-3f});
    const TensorId c1 = conv(b, normalized, c, c, 3, convAttributes(1, true), seed);
    const TensorId bn = b.node(OpType::BatchNormalization, bnInputs(c1, seed + 60), BatchNormAttributes{1e-3f});
    const TensorId r1 = b.node(OpType::Activation, {bn}, ActivationAttributes{{ActivationType::Relu}});
    const TensorId c2 = conv(b, r1, c, c, 3, convAttributes(1, true), seed + 20);  // reads r1 around each pixel
    const TensorId sum = b.node(OpType::Add, {r1, c2}, BinaryAttributes{});
    b.output(b.node(OpType::Activation, {sum}, ActivationAttributes{{ActivationType::Relu}}));
  });
  EXPECT_EQ(stats.loopSteps, 1u);  // the input BatchNorm; everything else fused into two convs
}

TEST(NnCpuExecutor, FullyConnectedFromFlattenAndGlobalPool) {
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const TensorId x = b.input({1, s.channels, s.height, s.width});
    const TensorId c1 = conv(b, x, s.channels, 8, 3, convAttributes(2, true, ActivationType::Relu), seed);
    const TensorId flat = b.node(OpType::Reshape, {c1}, ReshapeAttributes{{1, -1}});
    const int64_t features = 8 * ((s.height + 1) / 2) * ((s.width + 1) / 2);
    const TensorId fc1 = b.node(OpType::FullyConnected, {flat, b.randomConstant({6, features}, seed + 5, 0.1f), b.randomConstant({6}, seed + 6)},
                                FullyConnectedAttributes{{ActivationType::Sigmoid}});
    const TensorId pooled = b.node(OpType::GlobalAveragePool, {c1}, GlobalAveragePoolAttributes{false});
    const TensorId fc2 = b.node(OpType::FullyConnected, {pooled, b.randomConstant({5, 8}, seed + 7), NO_TENSOR}, FullyConnectedAttributes{});
    const TensorId kept = b.node(OpType::GlobalAveragePool, {c1}, GlobalAveragePoolAttributes{true});
    const TensorId fc3 = b.node(OpType::FullyConnected, {kept, b.randomConstant({4, 8}, seed + 8), b.randomConstant({4}, seed + 9)},
                                FullyConnectedAttributes{{ActivationType::HardSwish}});
    b.output(fc1);
    b.output(fc2);
    b.output(fc3);
  });
}

TEST(NnCpuExecutor, AddAndMulWithBroadcastsAndFusedActivations) {
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const int64_t c = s.channels;
    const TensorId x = b.input({1, c, s.height, s.width});
    const TensorId y = b.input({1, c, s.height, s.width});
    const TensorId c1 = conv(b, x, c, c, 3, convAttributes(1, true), seed);  // blocked layout
    const TensorId same = b.node(OpType::Add, {y, c1}, BinaryAttributes{{ActivationType::Clip, 0, -0.5f, 0.75f}});
    const TensorId perChannel = b.node(OpType::Mul, {b.randomConstant({c, 1, 1}, seed + 3), same}, BinaryAttributes{{ActivationType::HardSwish}});
    const TensorId scalar = b.node(OpType::Add, {perChannel, b.constant({1}, {0.25f})}, BinaryAttributes{});
    // Both operands broadcast: [1][C][1][1] * [1][1][H][W].
    const TensorId column = b.node(OpType::GlobalAveragePool, {x}, GlobalAveragePoolAttributes{true});
    const TensorId plane = b.input({1, 1, s.height, s.width});
    const TensorId outer = b.node(OpType::Mul, {column, plane}, BinaryAttributes{{ActivationType::Sigmoid}});
    // The full-shape operand a constant, the activation the broadcast one.
    const TensorId constantFull = b.node(OpType::Add, {b.randomConstant({1, c, s.height, s.width}, seed + 4), column}, BinaryAttributes{});
    b.output(scalar);
    b.output(outer);
    b.output(constantFull);
  });
}

TEST(NnCpuExecutor, StandaloneActivations) {
  const std::vector<Activation> activations{{ActivationType::Relu},      {ActivationType::Relu6},
                                            {ActivationType::Clip, 0, -0.3f, 0.4f}, {ActivationType::LeakyRelu, 0.2f},
                                            {ActivationType::Sigmoid},   {ActivationType::HardSwish}};
  for (const Activation& activation : activations) {
    SCOPED_TRACE("activation " + std::to_string(static_cast<int>(activation.type)));
    expectMatchesReference([&](GraphBuilder& b, const Sizes& s, uint64_t) {
      const TensorId x = b.input({1, s.channels, s.height, s.width});
      // Scaled so Relu6/HardSwish see values beyond their knees.
      const TensorId scaled = b.node(OpType::Mul, {x, b.constant({1}, {8.0f})}, BinaryAttributes{});
      b.output(b.node(OpType::Activation, {x}, ActivationAttributes{activation}));
      b.output(b.node(OpType::Activation, {scaled}, ActivationAttributes{activation}));
    });
  }
}

TEST(NnCpuExecutor, PRelu) {
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const int64_t c = s.channels;
    const TensorId x = b.input({1, c, s.height, s.width});
    const TensorId c1 = conv(b, x, c, c, 1, convAttributes(1, false), seed);
    b.output(b.node(OpType::PRelu, {c1, b.randomConstant({c}, seed + 2)}, PReluAttributes{}));
    b.output(b.node(OpType::PRelu, {x, b.randomConstant({c, 1, 1}, seed + 3)}, PReluAttributes{}));
    b.output(b.node(OpType::PRelu, {x, b.randomConstant({1}, seed + 4)}, PReluAttributes{}));
  });
}

TEST(NnCpuExecutor, Pools) {
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const TensorId x = b.input({1, s.channels, s.height, s.width});
    const TensorId c1 = conv(b, x, s.channels, 8, 3, convAttributes(1, true), seed);
    b.output(b.node(OpType::MaxPool, {c1}, Pool2DAttributes{2, 2, 2, 2, {0, 0, 0, 0, true}, false}));
    b.output(b.node(OpType::MaxPool, {x}, Pool2DAttributes{3, 3, 2, 2, {0, 0, 0, 0, false}, false}));
    b.output(b.node(OpType::AveragePool, {c1}, Pool2DAttributes{3, 3, 1, 1, {1, 1, 1, 1, false}, false}));
    b.output(b.node(OpType::AveragePool, {x}, Pool2DAttributes{3, 3, 2, 2, {1, 1, 1, 1, false}, true}));
    b.output(b.node(OpType::GlobalAveragePool, {c1}, GlobalAveragePoolAttributes{true}));
  });
}

TEST(NnCpuExecutor, PadConcatTransposeResizeSoftmax) {
  const CpuExecutorStats stats = expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const int64_t c = s.channels;
    const TensorId x = b.input({1, c, s.height, s.width});
    const TensorId c1 = conv(b, x, c, 8, 3, convAttributes(1, true, ActivationType::Relu), seed);
    // Channel padding (BlazeFace's residual widening) and spatial padding, after a blocked conv.
    const TensorId padded = b.node(OpType::Pad, {c1}, PadAttributes{{0, 0, 1, 0}, {0, 4, 0, 2}, 0.0f});
    const TensorId joined = b.node(OpType::Concat, {c1, x}, ConcatAttributes{1});
    const TensorId nhwc = b.node(OpType::Transpose, {joined}, TransposeAttributes{{0, 2, 3, 1}});
    const TensorId nearest = b.node(OpType::Resize, {c1}, ResizeAttributes{ResizeMode::Nearest, 2 * s.height, 2 * s.width, false, false});
    const TensorId bilinear = b.node(OpType::Resize, {x}, ResizeAttributes{ResizeMode::Bilinear, s.height + 3, 2 * s.width, false, true});
    const TensorId aligned = b.node(OpType::Resize, {x}, ResizeAttributes{ResizeMode::Bilinear, 2 * s.height, s.width + 1, true, false});
    const TensorId soft = b.node(OpType::Softmax, {c1}, SoftmaxAttributes{1});
    const TensorId flat = b.node(OpType::Reshape, {nhwc, b.int64Constant({1, -1, c + 8})}, ReshapeAttributes{});
    const TensorId softLast = b.node(OpType::Softmax, {flat}, SoftmaxAttributes{-1});
    for (TensorId out : {padded, nearest, bilinear, aligned, soft, softLast}) b.output(out);
  });
  EXPECT_EQ(stats.loopSteps, 7u);  // Concat is a oneDNN primitive
  EXPECT_LE(stats.arenaBytes, stats.activationBytes);
}

TEST(NnCpuExecutor, ConcatOfBlockedTensorsOnEveryAxis) {
  // SSD-style heads: conv outputs (blocked) joined on channels, height and width, and 3-D.
  const CpuExecutorStats stats = expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const TensorId x = b.input({1, s.channels, s.height, s.width});
    const TensorId a = conv(b, x, s.channels, 8, 3, convAttributes(1, true, ActivationType::Relu), seed);
    const TensorId c = conv(b, x, s.channels, 5, 1, convAttributes(1, false), seed + 2);
    const TensorId d = conv(b, x, s.channels, 8, 1, convAttributes(1, false), seed + 4);
    b.output(b.node(OpType::Concat, {a, c, x}, ConcatAttributes{1}));
    b.output(b.node(OpType::Concat, {a, d}, ConcatAttributes{2}));
    b.output(b.node(OpType::Concat, {d, a, d}, ConcatAttributes{-1}));
    const TensorId a3 = b.node(OpType::Reshape, {a}, ReshapeAttributes{{1, 8, -1}});
    const TensorId c3 = b.node(OpType::Reshape, {c}, ReshapeAttributes{{1, 5, -1}});
    b.output(b.node(OpType::Concat, {a3, c3}, ConcatAttributes{1}));
  });
  EXPECT_EQ(stats.loopSteps, 0u);
}

TEST(NnCpuExecutor, MobileNetLikeStackReusesTheArena) {
  // Expand (1x1, relu6) -> depthwise (3x3, relu6) -> project (1x1) + residual, three blocks.
  const CpuExecutorStats stats = expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const int64_t c = 8;
    TensorId x = b.input({1, 3, 16, 16});
    x = conv(b, x, 3, c, 3, convAttributes(1, true, ActivationType::Relu6), seed);
    for (uint64_t block = 0; block < 3; ++block) {
      const TensorId expand = conv(b, x, c, 4 * c, 1, convAttributes(1, false, ActivationType::Relu6), seed + 10 * block + 1);
      Conv2DAttributes depthwise = convAttributes(1, true, ActivationType::Relu6);
      depthwise.groups = static_cast<int32_t>(4 * c);
      const TensorId dw = conv(b, expand, 4 * c, 4 * c, 3, depthwise, seed + 10 * block + 3);
      const TensorId project = conv(b, dw, 4 * c, c, 1, convAttributes(1, false), seed + 10 * block + 5);
      x = b.node(OpType::Add, {project, x}, BinaryAttributes{});
    }
    (void)s;
    b.output(x);
  });
  EXPECT_EQ(stats.loopSteps, 0u);
  EXPECT_LT(stats.arenaBytes, stats.activationBytes);
}

TEST(NnCpuExecutor, MobileNetV2LikeNetwork) {
  // The whole unfused network (BN, standalone ReLU6, residual Adds, GAP, Reshape, FC) at 32x32.
  const CpuExecutorStats stats = expectMatchesReference([](GraphBuilder& b, const Sizes&, uint64_t seed) {
    b = test::makeMobileNetLike(32, 10, seed);
  });
  EXPECT_EQ(stats.loopSteps, 0u);  // every BN folded, every activation and residual fused
}

TEST(NnCpuExecutor, Float16WeightsAndShapeTensorReshape) {
  // fp16 conv weights (widened by the passes) and an ONNX-style Reshape with a shape tensor.
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const TensorId x = b.input({1, s.channels, s.height, s.width});
    const TensorId w = b.float16Constant({6, s.channels, 3, 3}, seed, -2);
    const TensorId y = b.node(OpType::Conv2D, {x, w, b.randomConstant({6}, seed + 1)}, convAttributes(2, true, ActivationType::Relu));
    const TensorId flat = b.node(OpType::Reshape, {y, b.int64Constant({1, 6, -1})}, ReshapeAttributes{});
    b.output(b.node(OpType::Softmax, {flat}, SoftmaxAttributes{-1}));
  });
}

TEST(NnCpuExecutor, RunChecksSpanSizes) {
  GraphBuilder b;
  const TensorId x = b.input({1, 2, 3, 3});
  b.output(b.node(OpType::Activation, {x}, ActivationAttributes{{ActivationType::Relu}}));
  auto executor = CpuExecutor::create(b.graph(), {1});
  ASSERT_TRUE(executor.ok()) << executor.error().message;
  std::vector<float> input(17), output(18);
  const std::span<const float> inputs[] = {input};
  const std::span<float> outputs[] = {output};
  const auto result = (*executor)->run(inputs, outputs);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "CpuExecutor::run: input 0: expected 18 floats, got 17");
}

TEST(NnCpuExecutor, CreateReportsGraphErrors) {
  GraphBuilder b;
  const TensorId x = b.input({1, 3, 4, 4});
  b.output(b.node(OpType::Conv2D, {x, b.randomConstant({2, 2, 3, 3}, 1), NO_TENSOR}, Conv2DAttributes{}));
  const auto executor = CpuExecutor::create(b.graph(), {});
  ASSERT_FALSE(executor.ok());
  EXPECT_NE(executor.error().message.find("node 'Conv2D_0' (Conv2D): input 1"), std::string::npos) << executor.error().message;
}

}  // namespace
}  // namespace meshrt::nn
