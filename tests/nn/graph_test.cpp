// The IR's helpers, validateGraph() and inferShapes(): shapes, SAME padding, named errors.
#include "nn/graph.h"

#include <gtest/gtest.h>

#include <cmath>

#include "nn/graph_builder.h"

namespace meshrt::nn {
namespace {

using test::GraphBuilder;

TEST(NnGraph, BasicHelpers) {
  EXPECT_EQ(dataTypeSize(DataType::Float16), 2u);
  EXPECT_EQ(dataTypeSize(DataType::Int64), 8u);
  EXPECT_STREQ(dataTypeName(DataType::Int32), "Int32");
  EXPECT_EQ(elementCount({1, 3, 4, 5}), 60);
  EXPECT_EQ(elementCount({}), 1);
  EXPECT_EQ(shapeString({1, 3, 224, 224}), "[1, 3, 224, 224]");
  EXPECT_STREQ(opTypeName(OpType::GlobalAveragePool), "GlobalAveragePool");
  Graph graph;
  const std::vector<float> values{1.0f, -2.0f};
  const TensorId id = graph.addConstant("w", {2}, values);
  ASSERT_EQ(graph.tensors[id].floats().size(), 2u);
  EXPECT_EQ(graph.tensors[id].floats()[1], -2.0f);
}

TEST(NnGraph, UnsupportedOpErrorNamesOpAndNode) {
  EXPECT_EQ(unsupportedOpError("face.tflite", "op_17", "SQUARED_DIFFERENCE").message,
            "face.tflite: node 'op_17' (SQUARED_DIFFERENCE): unsupported op");
}

TEST(NnGraph, HalfToFloat) {
  EXPECT_EQ(halfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(halfToFloat(0xC000), -2.0f);
  EXPECT_EQ(halfToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_TRUE(std::isinf(halfToFloat(0x7C00)));
  EXPECT_TRUE(std::isnan(halfToFloat(0x7E00)));
}

TEST(NnGraph, SamePaddingFollowsTensorFlow) {
  // in 5, kernel 3, stride 2: out 3, total pad (3-1)*2+3-5 = 2 -> 1/1.
  // in 4, kernel 3, stride 2: out 2, total pad 1 -> top 0, bottom 1 (SAME_UPPER).
  GraphBuilder builder;
  const TensorId x = builder.input({1, 2, 5, 4});
  Conv2DAttributes conv;
  conv.strideH = conv.strideW = 2;
  conv.padding.same = true;
  const TensorId y = builder.node(OpType::Conv2D, {x, builder.randomConstant({4, 2, 3, 3}, 1), NO_TENSOR}, conv);
  builder.output(y);
  Graph& graph = builder.graph();
  ASSERT_TRUE(inferShapes(graph).ok());
  EXPECT_EQ(graph.tensors[y].shape, (Shape{1, 4, 3, 2}));
  const auto& resolved = std::get<Conv2DAttributes>(graph.nodes[0].attributes).padding;
  EXPECT_EQ(resolved.top, 1);
  EXPECT_EQ(resolved.bottom, 1);
  EXPECT_EQ(resolved.left, 0);
  EXPECT_EQ(resolved.right, 1);
  // Dilation 2 widens the kernel to 5: in 4, stride 1 -> total 4 -> 2/2.
  conv.strideH = conv.strideW = 1;
  conv.dilationH = conv.dilationW = 2;
  graph.nodes[0].attributes = conv;
  ASSERT_TRUE(inferShapes(graph).ok());
  EXPECT_EQ(graph.tensors[y].shape, (Shape{1, 4, 5, 4}));
  EXPECT_EQ(std::get<Conv2DAttributes>(graph.nodes[0].attributes).padding.left, 2);
}

TEST(NnGraph, InfersEveryOpsShape) {
  GraphBuilder b;
  const TensorId x = b.input({1, 4, 6, 6});
  Conv2DAttributes depthwise;
  depthwise.groups = 4;
  depthwise.padding = {1, 1, 1, 1, false};
  const TensorId dw = b.node(OpType::Conv2D, {x, b.randomConstant({4, 1, 3, 3}, 2), b.randomConstant({4}, 3)}, depthwise);
  Pool2DAttributes pool{2, 2, 2, 2, {}, false};
  const TensorId pooled = b.node(OpType::MaxPool, {dw}, pool);
  const TensorId padded = b.node(OpType::Pad, {pooled}, PadAttributes{{0, 2, 0, 1}, {0, 0, 1, 0}, 0.0f});
  const TensorId resized = b.node(OpType::Resize, {padded}, ResizeAttributes{ResizeMode::Bilinear, 8, 10, false, true});
  const TensorId transposed = b.node(OpType::Transpose, {resized}, TransposeAttributes{{0, 2, 3, 1}});
  const TensorId concat = b.node(OpType::Concat, {transposed, transposed}, ConcatAttributes{-1});
  const TensorId gap = b.node(OpType::GlobalAveragePool, {x}, GlobalAveragePoolAttributes{false});
  const TensorId flat = b.node(OpType::Reshape, {concat}, ReshapeAttributes{{0, -1}});
  const TensorId fc = b.node(OpType::FullyConnected, {gap, b.randomConstant({3, 4}, 4), NO_TENSOR}, FullyConnectedAttributes{});
  const TensorId sum = b.node(OpType::Add, {fc, b.randomConstant({3}, 5)}, BinaryAttributes{});
  const TensorId soft = b.node(OpType::Softmax, {sum}, SoftmaxAttributes{-1});
  const TensorId viaTensor = b.node(OpType::Reshape, {dw, b.int64Constant({1, -1, 2})}, ReshapeAttributes{});
  for (TensorId id : {flat, soft, viaTensor}) b.output(id);
  Graph& graph = b.graph();
  ASSERT_TRUE(inferShapes(graph).ok()) << inferShapes(graph).error().message;
  EXPECT_EQ(graph.tensors[dw].shape, (Shape{1, 4, 6, 6}));
  EXPECT_EQ(graph.tensors[pooled].shape, (Shape{1, 4, 3, 3}));
  EXPECT_EQ(graph.tensors[padded].shape, (Shape{1, 6, 4, 4}));
  EXPECT_EQ(graph.tensors[transposed].shape, (Shape{1, 8, 10, 6}));
  EXPECT_EQ(graph.tensors[concat].shape, (Shape{1, 8, 10, 12}));
  EXPECT_EQ(graph.tensors[flat].shape, (Shape{1, 960}));
  EXPECT_EQ(graph.tensors[gap].shape, (Shape{1, 4}));
  EXPECT_EQ(graph.tensors[soft].shape, (Shape{1, 3}));
  EXPECT_EQ(graph.tensors[viaTensor].shape, (Shape{1, 72, 2}));
}

TEST(NnGraph, ValidationErrorsNameTheNodeAndInput) {
  {
    GraphBuilder b;
    const TensorId x = b.input({1, 2, 4, 4});
    Tensor weights;  // an activation where a constant is required
    weights.name = "w";
    const TensorId w = b.graph().addTensor(weights);
    b.output(b.node(OpType::Conv2D, {x, w, NO_TENSOR}, Conv2DAttributes{}));
    const auto result = validateGraph(b.graph());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message, "node 'Conv2D_0' (Conv2D): input 1: 'w' is used before it is produced (nodes not in topological order)");
  }
  {
    GraphBuilder b;
    const TensorId x = b.input({1, 2, 4, 4});
    const TensorId relu = b.node(OpType::Activation, {x}, ActivationAttributes{{ActivationType::Relu}});
    b.output(b.node(OpType::Conv2D, {relu, relu, NO_TENSOR}, Conv2DAttributes{}));
    const auto result = validateGraph(b.graph());
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.error().message.find("input 1: 't1' must be a constant"), std::string::npos) << result.error().message;
  }
  {
    GraphBuilder b;
    const TensorId x = b.input({1, 2, 4, 4});
    const TensorId relu = b.node(OpType::Activation, {x}, ActivationAttributes{{ActivationType::Relu}});
    b.graph().nodes.push_back(b.graph().nodes[0]);  // a second producer of the same tensor
    b.graph().nodes[1].name = "again";
    b.output(relu);
    const auto result = validateGraph(b.graph());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message, "node 'again' (Activation): output 0: 't1' already has a producer");
  }
  {
    GraphBuilder b;
    const TensorId x = b.input({1, 3, 4, 4});
    b.output(b.node(OpType::Conv2D, {x, b.randomConstant({2, 2, 3, 3}, 1), NO_TENSOR}, Conv2DAttributes{}));
    const auto result = inferShapes(b.graph());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message,
              "node 'Conv2D_0' (Conv2D): input 1: weights [2, 2, 3, 3] expect 2 input channels, x [1, 3, 4, 4] has 3");
  }
  {
    GraphBuilder b;
    const TensorId x = b.input({1, 3, 4, 4});
    b.output(b.node(OpType::Add, {x, b.randomConstant({2, 1}, 1)}, BinaryAttributes{}));
    const auto result = inferShapes(b.graph());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message, "node 'Add_0' (Add): shapes [1, 3, 4, 4] and [2, 1] do not broadcast");
  }
  {
    GraphBuilder b;
    const TensorId x = b.input({1, 3, 4, 4});
    b.output(b.node(OpType::Reshape, {x}, ReshapeAttributes{{5, -1}}));
    const auto result = inferShapes(b.graph());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message, "node 'Reshape_0' (Reshape): cannot reshape [1, 3, 4, 4] to [5, -1]");
  }
  {
    GraphBuilder b;
    const TensorId x = b.input({1, 3, 4, 4});
    b.output(b.node(OpType::Softmax, {x}, ActivationAttributes{{ActivationType::Relu}}));
    const auto result = validateGraph(b.graph());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message, "node 'Softmax_0' (Softmax): attributes do not match the op");
  }
}

}  // namespace
}  // namespace meshrt::nn
