// runReference() on small hand-computed cases, one or more per op, fused activation and residual.
// Expected values are worked out by hand in the comments; tolerance 1e-6 absolute (fp32 rounding).
#include "nn/reference_executor.h"

#include <gtest/gtest.h>

#include <cmath>

#include "nn/graph_builder.h"

namespace meshrt::nn {
namespace {

using test::GraphBuilder;

// Runs a one-output graph built by `b` on `inputs`; fails the test on any error.
std::vector<float> runOne(GraphBuilder& b, TensorId output, const std::vector<std::vector<float>>& inputs) {
  b.output(output);
  auto shapes = inferShapes(b.graph());
  EXPECT_TRUE(shapes.ok()) << shapes.error().message;
  auto result = runReference(b.graph(), inputs);
  EXPECT_TRUE(result.ok()) << result.error().message;
  return result.ok() ? (*result)[0] : std::vector<float>{};
}

void expectNear(const std::vector<float>& actual, const std::vector<float>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) EXPECT_NEAR(actual[i], expected[i], 1e-6f) << "element " << i;
}

const std::vector<float> ONE_TO_NINE{1, 2, 3, 4, 5, 6, 7, 8, 9};  // a 3x3 plane, row-major

TEST(NnReference, ConvValidWithBias) {
  // 2x2 ones kernel over [[1,2,3],[4,5,6],[7,8,9]]: 12 16 / 24 28, plus bias 1.
  GraphBuilder b;
  const TensorId x = b.input({1, 1, 3, 3});
  const TensorId y = b.node(OpType::Conv2D, {x, b.constant({1, 1, 2, 2}, {1, 1, 1, 1}), b.constant({1}, {1})}, Conv2DAttributes{});
  expectNear(runOne(b, y, {ONE_TO_NINE}), {13, 17, 25, 29});
}

TEST(NnReference, ConvSameStrideTwoPadsBottomRight) {
  // in 3, k 2, stride 2: out 2, total pad 1 -> bottom/right only. Windows: (0,0) 1+2+4+5 = 12,
  // (0,1) 3+6 = 9, (1,0) 7+8 = 15, (1,1) 9.
  GraphBuilder b;
  const TensorId x = b.input({1, 1, 3, 3});
  Conv2DAttributes a;
  a.strideH = a.strideW = 2;
  a.padding.same = true;
  const TensorId y = b.node(OpType::Conv2D, {x, b.constant({1, 1, 2, 2}, {1, 1, 1, 1}), NO_TENSOR}, a);
  expectNear(runOne(b, y, {ONE_TO_NINE}), {12, 9, 15, 9});
}

TEST(NnReference, DepthwiseDilatedExplicitPad) {
  // Two channels, groups 2, 2x2 kernel dilated by 2 (taps at offsets 0 and 2), pad 1 all round,
  // on a 3x3 input: out 3x3. Channel 0 kernel [[1,0],[0,0]] picks x[oy-1][ox-1]; channel 1 kernel
  // [[0,0],[0,2]] picks 2 * x[oy+1][ox+1].
  GraphBuilder b;
  const TensorId x = b.input({1, 2, 3, 3});
  Conv2DAttributes a;
  a.groups = 2;
  a.dilationH = a.dilationW = 2;
  a.padding = {1, 1, 1, 1, false};
  const TensorId y = b.node(OpType::Conv2D, {x, b.constant({2, 1, 2, 2}, {1, 0, 0, 0, 0, 0, 0, 2}), NO_TENSOR}, a);
  std::vector<float> input = ONE_TO_NINE;
  for (float v : ONE_TO_NINE) input.push_back(10 * v);
  expectNear(runOne(b, y, {input}), {0, 0, 0, 0, 1, 2, 0, 4, 5,  //
                                     100, 120, 0, 160, 180, 0, 0, 0, 0});
}

TEST(NnReference, ConvGroupedMixesChannelsWithinGroups) {
  // 4 in, 2 out, groups 2, 1x1: y0 = x0 + 2 x1, y1 = 3 x2 - x3 (one pixel each).
  GraphBuilder b;
  const TensorId x = b.input({1, 4, 1, 1});
  Conv2DAttributes a;
  a.groups = 2;
  const TensorId y = b.node(OpType::Conv2D, {x, b.constant({2, 2, 1, 1}, {1, 2, 3, -1}), NO_TENSOR}, a);
  expectNear(runOne(b, y, {{1, 2, 3, 4}}), {5, 5});
}

TEST(NnReference, ConvFusedResidualThenRelu6) {
  // 1x1 conv weight 2: y = relu6(2 x + r): x = [-1, 1, 2, 5], r = [1, 1, 1, 1] -> [0, 3, 5, 6].
  GraphBuilder b;
  const TensorId x = b.input({1, 1, 2, 2});
  const TensorId r = b.input({1, 1, 2, 2});
  Conv2DAttributes a;
  a.activation.type = ActivationType::Relu6;
  const TensorId y = b.node(OpType::Conv2D, {x, b.constant({1, 1, 1, 1}, {2}), NO_TENSOR, r}, a);
  expectNear(runOne(b, y, {{-1, 1, 2, 5}, {1, 1, 1, 1}}), {0, 3, 5, 6});
}

TEST(NnReference, FullyConnectedFlattensAndFusesClip) {
  // x [1,1,1,3] = (1,2,3); W = [[1,0,-1],[2,1,0]], b = (0.5, 10): (-1.5, 14) clipped to [-1, 12].
  GraphBuilder b;
  const TensorId x = b.input({1, 1, 1, 3});
  FullyConnectedAttributes a;
  a.activation = {ActivationType::Clip, 0.0f, -1.0f, 12.0f};
  const TensorId y = b.node(OpType::FullyConnected, {x, b.constant({2, 3}, {1, 0, -1, 2, 1, 0}), b.constant({2}, {0.5f, 10})}, a);
  expectNear(runOne(b, y, {{1, 2, 3}}), {-1, 12});
}

TEST(NnReference, AddAndMulBroadcast) {
  // [1,2,1,2] + per-channel [2,1,1] = channel 0 +10, channel 1 +20; then * row [2] = (1, -1).
  GraphBuilder b;
  const TensorId x = b.input({1, 2, 1, 2});
  const TensorId sum = b.node(OpType::Add, {x, b.constant({2, 1, 1}, {10, 20})}, BinaryAttributes{});
  const TensorId y = b.node(OpType::Mul, {sum, b.constant({2}, {1, -1})}, BinaryAttributes{});
  expectNear(runOne(b, y, {{1, 2, 3, 4}}), {11, -12, 23, -24});
}

TEST(NnReference, AddFusedLeakyRelu) {
  GraphBuilder b;
  const TensorId x0 = b.input({2});
  const TensorId x1 = b.input({2});
  BinaryAttributes a;
  a.activation = {ActivationType::LeakyRelu, 0.1f};
  const TensorId y = b.node(OpType::Add, {x0, x1}, a);
  expectNear(runOne(b, y, {{1, -5}, {2, -5}}), {3, -1});
}

TEST(NnReference, StandaloneActivations) {
  const std::vector<float> x{-4, -1, 0, 2, 7};
  struct Case {
    Activation activation;
    std::vector<float> expected;
  };
  const float s = 1.0f / (1.0f + std::exp(1.0f));  // sigmoid(-1)
  const std::vector<Case> cases{
      {{ActivationType::Relu}, {0, 0, 0, 2, 7}},
      {{ActivationType::Relu6}, {0, 0, 0, 2, 6}},
      {{ActivationType::Clip, 0, -2, 1}, {-2, -1, 0, 1, 1}},
      {{ActivationType::LeakyRelu, 0.5f}, {-2, -0.5f, 0, 2, 7}},
      {{ActivationType::Sigmoid}, {1.0f / (1.0f + std::exp(4.0f)), s, 0.5f, 1.0f / (1.0f + std::exp(-2.0f)), 1.0f / (1.0f + std::exp(-7.0f))}},
      // x * relu6(x + 3) / 6: -4 -> 0, -1 -> -1/3, 0 -> 0, 2 -> 5/3, 7 -> 7.
      {{ActivationType::HardSwish}, {0, -1.0f / 3.0f, 0, 2.0f * 5.0f / 6.0f, 7}},
  };
  for (const Case& c : cases) {
    GraphBuilder b;
    const TensorId in = b.input({5});
    expectNear(runOne(b, b.node(OpType::Activation, {in}, ActivationAttributes{c.activation}), {x}), c.expected);
  }
}

TEST(NnReference, PReluPerChannel) {
  GraphBuilder b;
  const TensorId x = b.input({1, 2, 1, 2});
  const TensorId y = b.node(OpType::PRelu, {x, b.constant({2}, {0.5f, 2})}, PReluAttributes{});
  expectNear(runOne(b, y, {{-2, 3, -2, 3}}), {-1, 3, -4, 3});
  GraphBuilder b3;  // [C][1][1] slope, the ONNX form
  const TensorId x3 = b3.input({1, 2, 1, 2});
  const TensorId y3 = b3.node(OpType::PRelu, {x3, b3.constant({2, 1, 1}, {0.5f, 2})}, PReluAttributes{});
  expectNear(runOne(b3, y3, {{-2, 3, -2, 3}}), {-1, 3, -4, 3});
}

TEST(NnReference, MaxPoolSamePadding) {
  // 3x3 input, 2x2 window, stride 2, SAME: bottom/right padding ignored by max.
  GraphBuilder b;
  const TensorId x = b.input({1, 1, 3, 3});
  Pool2DAttributes a{2, 2, 2, 2, {0, 0, 0, 0, true}, false};
  expectNear(runOne(b, b.node(OpType::MaxPool, {x}, a), {ONE_TO_NINE}), {5, 6, 8, 9});
}

TEST(NnReference, AveragePoolPadCounting) {
  // 3x3 window, stride 1, pad 1 on a 3x3 input; corner (0,0) covers 1,2,4,5.
  GraphBuilder exclude;
  const TensorId x = exclude.input({1, 1, 3, 3});
  Pool2DAttributes a{3, 3, 1, 1, {1, 1, 1, 1, false}, false};
  const std::vector<float> excluded = runOne(exclude, exclude.node(OpType::AveragePool, {x}, a), {ONE_TO_NINE});
  ASSERT_EQ(excluded.size(), 9u);
  EXPECT_NEAR(excluded[0], 12.0f / 4.0f, 1e-6f);
  EXPECT_NEAR(excluded[1], 21.0f / 6.0f, 1e-6f);
  EXPECT_NEAR(excluded[4], 5.0f, 1e-6f);
  GraphBuilder include;
  const TensorId xi = include.input({1, 1, 3, 3});
  a.countIncludePad = true;
  const std::vector<float> included = runOne(include, include.node(OpType::AveragePool, {xi}, a), {ONE_TO_NINE});
  ASSERT_EQ(included.size(), 9u);
  EXPECT_NEAR(included[0], 12.0f / 9.0f, 1e-6f);
  EXPECT_NEAR(included[4], 5.0f, 1e-6f);
}

TEST(NnReference, GlobalAveragePool) {
  GraphBuilder b;
  const TensorId x = b.input({1, 2, 1, 3});
  expectNear(runOne(b, b.node(OpType::GlobalAveragePool, {x}, GlobalAveragePoolAttributes{}), {{1, 2, 3, 4, 5, 9}}), {2, 6});
}

TEST(NnReference, PadChannelsAndSpace) {
  // One channel padded to 2 (the new channel first), width 1 -> 2 with value 7 at the right.
  GraphBuilder b;
  const TensorId x = b.input({1, 1, 1, 1});
  const TensorId y = b.node(OpType::Pad, {x}, PadAttributes{{0, 1, 0, 0}, {0, 0, 0, 1}, 7});
  expectNear(runOne(b, y, {{3}}), {7, 7, 3, 7});
}

TEST(NnReference, ReshapeKeepsOrder) {
  GraphBuilder b;
  const TensorId x = b.input({1, 2, 1, 2});
  const TensorId y = b.node(OpType::Reshape, {x, b.int64Constant({0, -1})}, ReshapeAttributes{});
  expectNear(runOne(b, y, {{1, 2, 3, 4}}), {1, 2, 3, 4});
  EXPECT_EQ(b.graph().tensors[y].shape, (Shape{1, 4}));
}

TEST(NnReference, ConcatChannels) {
  GraphBuilder b;
  const TensorId x0 = b.input({1, 1, 1, 2});
  const TensorId x1 = b.input({1, 2, 1, 2});
  expectNear(runOne(b, b.node(OpType::Concat, {x0, x1}, ConcatAttributes{1}), {{1, 2}, {3, 4, 5, 6}}), {1, 2, 3, 4, 5, 6});
  GraphBuilder last;  // axis -1: rows interleave
  const TensorId a = last.input({2, 1});
  const TensorId c = last.input({2, 2});
  expectNear(runOne(last, last.node(OpType::Concat, {a, c}, ConcatAttributes{-1}), {{1, 2}, {3, 4, 5, 6}}), {1, 3, 4, 2, 5, 6});
}

TEST(NnReference, TransposeToChannelsLast) {
  // NCHW [1,2,1,2] = c0 (1,2), c1 (3,4) -> NHWC: (1,3), (2,4).
  GraphBuilder b;
  const TensorId x = b.input({1, 2, 1, 2});
  expectNear(runOne(b, b.node(OpType::Transpose, {x}, TransposeAttributes{{0, 2, 3, 1}}), {{1, 2, 3, 4}}), {1, 3, 2, 4});
}

TEST(NnReference, ResizeNearestDoubles) {
  GraphBuilder b;
  const TensorId x = b.input({1, 1, 1, 2});
  const TensorId y = b.node(OpType::Resize, {x}, ResizeAttributes{ResizeMode::Nearest, 2, 4, false, true});
  expectNear(runOne(b, y, {{1, 2}}), {1, 1, 2, 2, 1, 1, 2, 2});
}

TEST(NnReference, ResizeBilinearHalfPixelAndAlignCorners) {
  // Half-pixel, 2 -> 4: sources -0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped 1).
  GraphBuilder b;
  const TensorId x = b.input({1, 1, 1, 2});
  const TensorId y = b.node(OpType::Resize, {x}, ResizeAttributes{ResizeMode::Bilinear, 1, 4, false, true});
  expectNear(runOne(b, y, {{0, 4}}), {0, 1, 3, 4});
  // Align corners, 2 -> 3: sources 0, 0.5, 1.
  GraphBuilder c;
  const TensorId xc = c.input({1, 1, 1, 2});
  const TensorId yc = c.node(OpType::Resize, {xc}, ResizeAttributes{ResizeMode::Bilinear, 1, 3, true, false});
  expectNear(runOne(c, yc, {{0, 4}}), {0, 2, 4});
  // Asymmetric (neither), 2 -> 4: sources 0, 0.5, 1, 1.5 (clamped 1).
  GraphBuilder d;
  const TensorId xd = d.input({1, 1, 1, 2});
  const TensorId yd = d.node(OpType::Resize, {xd}, ResizeAttributes{ResizeMode::Bilinear, 1, 4, false, false});
  expectNear(runOne(d, yd, {{0, 4}}), {0, 2, 4, 4});
}

TEST(NnReference, SoftmaxOverChannels) {
  // Axis 1 of [1,2,1,1]... written as [1,3] over the last axis: exp(k) / (1 + e + e^2).
  GraphBuilder b;
  const TensorId x = b.input({1, 3});
  const float total = 1.0f + std::exp(1.0f) + std::exp(2.0f);
  expectNear(runOne(b, b.node(OpType::Softmax, {x}, SoftmaxAttributes{-1}), {{0, 1, 2}}),
             {1.0f / total, std::exp(1.0f) / total, std::exp(2.0f) / total});
  GraphBuilder c;  // axis 1 of NCHW: per pixel over 2 channels
  const TensorId xc = c.input({1, 2, 1, 2});
  expectNear(runOne(c, c.node(OpType::Softmax, {xc}, SoftmaxAttributes{1}), {{0, 5, 0, 5}}), {0.5f, 0.5f, 0.5f, 0.5f});
}

TEST(NnReference, BatchNormalization) {
  // scale 2, bias 1, mean 3, var 4 - eps: y = 2 (x - 3) / 2 + 1 = x - 2.
  GraphBuilder b;
  const TensorId x = b.input({1, 1, 1, 2});
  const TensorId y = b.node(OpType::BatchNormalization,
                            {x, b.constant({1}, {2}), b.constant({1}, {1}), b.constant({1}, {3}), b.constant({1}, {3.75f})},
                            BatchNormAttributes{0.25f});
  expectNear(runOne(b, y, {{5, 7}}), {3, 5});
}

TEST(NnReference, Float16ConstantsAreWidened) {
  GraphBuilder b;
  const TensorId x = b.input({2});
  Tensor half;
  half.name = "half";
  half.type = DataType::Float16;
  half.shape = {2};
  half.data = {0x00, 0x3C, 0x00, 0xC0};  // 1.0, -2.0 little-endian
  const TensorId h = b.graph().addTensor(half);
  expectNear(runOne(b, b.node(OpType::Mul, {x, h}, BinaryAttributes{}), {{3, 3}}), {3, -6});
}

TEST(NnReference, WrongInputSizeIsNamed) {
  GraphBuilder b;
  const TensorId x = b.input({1, 2});
  b.output(b.node(OpType::Activation, {x}, ActivationAttributes{{ActivationType::Relu}}));
  ASSERT_TRUE(inferShapes(b.graph()).ok());
  const auto result = runReference(b.graph(), {{1, 2, 3}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "runReference: input 0 'input0': expected 2 floats for [1, 2], got 3");
}

}  // namespace
}  // namespace meshrt::nn
