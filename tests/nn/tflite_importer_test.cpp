// The TFLite importer: its layout arithmetic, each of the seven fetched MediaPipe models imported,
// validated and shape-inferred with the documented inputs and outputs (NCHW), and errors that
// name the operator.
#include "nn/tflite_importer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "nn/tflite_layout.h"
#include "nn/tflite_test_bytes.h"
#include "support/model_cache.h"

namespace meshrt::nn {
namespace {

TEST(TfliteLayout, HalfToFloatIsExact) {
  using tflite_layout::halfToFloat;
  EXPECT_EQ(halfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(halfToFloat(0xC000), -2.0f);
  EXPECT_EQ(halfToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(halfToFloat(0x3555), 0x1.554p-2f);
  EXPECT_EQ(halfToFloat(0x0001), 0x1p-24f);  // smallest subnormal
  EXPECT_EQ(halfToFloat(0x03FF), 0x1.FF8p-15f);  // largest subnormal
  EXPECT_EQ(halfToFloat(0x0400), 0x1p-14f);  // smallest normal
  EXPECT_TRUE(std::signbit(halfToFloat(0x8000)));
  EXPECT_TRUE(std::isinf(halfToFloat(0x7C00)));
  EXPECT_TRUE(std::isnan(halfToFloat(0x7E00)));
}

TEST(TfliteLayout, NhwcToNchwMovesTheLastAxis) {
  // [1][2][2][3] NHWC with value = 100*h + 10*w + c → NCHW [1][3][2][2].
  std::vector<float> nhwc;
  for (int h = 0; h < 2; ++h)
    for (int w = 0; w < 2; ++w)
      for (int c = 0; c < 3; ++c) nhwc.push_back(float(100 * h + 10 * w + c));
  const std::vector<float> nchw = tflite_layout::lastAxisToSecond(nhwc, 1, 2, 2, 3);
  const std::vector<float> expected = {0, 10, 100, 110, 1, 11, 101, 111, 2, 12, 102, 112};
  EXPECT_EQ(nchw, expected);
  EXPECT_EQ(tflite_layout::nchwShape({1, 224, 224, 3}), (Shape{1, 3, 224, 224}));
  EXPECT_EQ(tflite_layout::nchwShape({1, 18}), (Shape{1, 18}));
  EXPECT_EQ(tflite_layout::nchwAxis(3), 1);
  EXPECT_EQ(tflite_layout::nchwAxis(1), 2);
  EXPECT_TRUE(tflite_layout::nhwcMatchesNchwInMemory({1, 1, 1, 1404}));
  EXPECT_TRUE(tflite_layout::nhwcMatchesNchwInMemory({1, 19, 19, 1}));
  EXPECT_FALSE(tflite_layout::nhwcMatchesNchwInMemory({1, 19, 19, 12}));
}

TEST(TfliteLayout, SamePaddingPutsTheOddPixelAfter) {
  using tflite_layout::samePadding;
  EXPECT_EQ(samePadding(224, 3, 2, 1).before, 0);  // out 112: needs 1 pixel, after
  EXPECT_EQ(samePadding(224, 3, 2, 1).after, 1);
  EXPECT_EQ(samePadding(224, 3, 1, 1).before, 1);
  EXPECT_EQ(samePadding(224, 3, 1, 1).after, 1);
  EXPECT_EQ(samePadding(7, 5, 1, 1).before, 2);
  EXPECT_EQ(samePadding(300, 3, 2, 1).before, 0);  // 300 → 150: needs 1 pixel
  EXPECT_EQ(samePadding(300, 3, 2, 1).after, 1);
  EXPECT_EQ(samePadding(10, 1, 2, 1).after, 0);
}

struct ModelFacts {
  const char* file;
  Shape input;  // NCHW
  std::vector<std::pair<std::string, Shape>> outputs;  // in the model's order, IR (NCHW) shapes
};

const std::vector<ModelFacts>& modelFacts() {
  static const std::vector<ModelFacts> facts = {
      {"object_detection_3d_cup.tflite", {1, 3, 224, 224}, {{"Identity_1", {1, 18}}, {"Identity", {1, 1}}}},
      {"object_detection_3d_sneakers.tflite", {1, 3, 224, 224}, {{"Identity_1", {1, 18}}, {"Identity", {1, 1}}}},
      {"object_detection_3d_chair.tflite", {1, 3, 224, 224}, {{"Identity_1", {1, 18}}, {"Identity", {1, 1}}}},
      {"object_detection_3d_camera.tflite", {1, 3, 224, 224}, {{"Identity_1", {1, 18}}, {"Identity", {1, 1}}}},
      {"object_detection_ssd_mobilenetv2_oidv4_fp16.tflite",
       {1, 3, 300, 300},
       {{"raw_outputs/box_encodings", {1, 1917, 4}}, {"raw_outputs/class_predictions", {1, 1917, 24}}}},
      {"face_landmark.tflite", {1, 3, 192, 192}, {{"conv2d_21", {1, 1404, 1, 1}}, {"conv2d_31", {1, 1, 1, 1}}}},
      {"face_detection_short_range.tflite",
       {1, 3, 128, 128},
       {{"regressors", {1, 896, 16}}, {"classificators", {1, 896, 1}}}},
  };
  return facts;
}

class TfliteModelImport : public ::testing::TestWithParam<size_t> {};

TEST_P(TfliteModelImport, ImportsValidatesAndInfersTheDocumentedShapes) {
  const ModelFacts& facts = modelFacts()[GetParam()];
  MESHRT_REQUIRE_MODEL(path, facts.file);
  auto graph = importTflite(path);
  ASSERT_TRUE(graph.ok()) << graph.error().message;
  auto valid = validateGraph(*graph);
  ASSERT_TRUE(valid.ok()) << valid.error().message;
  auto inferred = inferShapes(*graph);
  ASSERT_TRUE(inferred.ok()) << inferred.error().message;

  ASSERT_EQ(graph->inputs.size(), 1u);
  EXPECT_EQ(graph->tensors[graph->inputs[0]].shape, facts.input);
  ASSERT_EQ(graph->outputs.size(), facts.outputs.size());
  for (size_t k = 0; k < facts.outputs.size(); ++k) {
    const Tensor& output = graph->tensors[graph->outputs[k]];
    EXPECT_EQ(output.name, facts.outputs[k].first) << "output " << k;
    EXPECT_EQ(output.shape, facts.outputs[k].second) << "output " << k << " '" << output.name << "'";
  }
  // DEQUANTIZE is folded: every constant is fp32, and no node consumes an fp16 tensor.
  int64_t parameters = 0;
  for (const Tensor& tensor : graph->tensors) {
    if (!tensor.isConstant()) continue;
    EXPECT_EQ(tensor.type, DataType::Float32) << tensor.name;
    parameters += elementCount(tensor.shape);
  }
  if (std::string(facts.file).rfind("object_detection_3d_", 0) == 0) {
    // Objectron's 3D box models have 2.59 M parameters (weights and biases).
    EXPECT_GT(parameters, 2'585'000);
    EXPECT_LT(parameters, 2'595'000);
  }
  std::printf("%s: %zu nodes, %lld parameters\n", facts.file, graph->nodes.size(), static_cast<long long>(parameters));
}

INSTANTIATE_TEST_SUITE_P(MediaPipe, TfliteModelImport, ::testing::Range(size_t(0), size_t(7)),
                         [](const ::testing::TestParamInfo<size_t>& param) {
                           std::string name = modelFacts()[param.param].file;
                           name = name.substr(0, name.find('.'));  // gtest names: letters and digits
                           name.erase(std::remove(name.begin(), name.end(), '_'), name.end());
                           return name;
                         });

// An operator code the importer does not map (BlazeFace's RELU rewritten to TANH) is an error
// naming the operator's index, type and output tensor.
TEST(TfliteImporter, UnsupportedOperatorNamesTheNode) {
  MESHRT_REQUIRE_MODEL(path, "face_detection_short_range.tflite");
  std::vector<uint8_t> bytes = test::readFileBytes(path);
  const size_t root = test::rootTable(bytes);
  const uint32_t codeCount = test::loadAt<uint32_t>(bytes, test::vectorAt(bytes, root, 1));
  bool rewritten = false;
  for (uint32_t i = 0; i < codeCount; ++i) {
    const size_t code = test::tableElementAt(bytes, root, 1, i);
    const size_t deprecated = test::fieldAt(bytes, code, 0), builtin = test::fieldAt(bytes, code, 3);
    const int32_t value = std::max<int32_t>(deprecated ? test::loadAt<int8_t>(bytes, deprecated) : 0,
                                            builtin ? test::loadAt<int32_t>(bytes, builtin) : 0);
    if (value != int32_t(TfliteOp::Relu)) continue;
    if (deprecated) test::storeAt<int8_t>(bytes, deprecated, int8_t(TfliteOp::Tanh));
    if (builtin) test::storeAt<int32_t>(bytes, builtin, int32_t(TfliteOp::Tanh));
    rewritten = true;
  }
  ASSERT_TRUE(rewritten);
  auto model = parseTflite(bytes, "tanh.tflite");
  ASSERT_TRUE(model.ok()) << model.error().message;
  size_t first = 0;
  while (model->subgraphs[0].operators[first].builtinCode != int32_t(TfliteOp::Tanh)) ++first;
  const TfliteSubgraph& subgraph = model->subgraphs[0];
  const std::string output = subgraph.tensors[size_t(subgraph.operators[first].outputs[0])].name;
  auto graph = importTfliteModel(*model);
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.error().message,
            "tanh.tflite: node '" + output + "' (TANH at operator " + std::to_string(first) + "): unsupported op");
}

// Weights that are not constant and a buffer too small for its shape are named errors too.
TEST(TfliteImporter, BadConstantsNameTheTensor) {
  MESHRT_REQUIRE_MODEL(path, "face_detection_short_range.tflite");
  auto model = readTfliteFile(path);
  ASSERT_TRUE(model.ok()) << model.error().message;
  TfliteModel broken = *model;
  TfliteSubgraph& subgraph = broken.subgraphs[0];
  // Shrink the buffer of the first DEQUANTIZE's fp16 input by one element.
  for (const TfliteOperator& op : subgraph.operators) {
    if (op.builtinCode != int32_t(TfliteOp::Dequantize)) continue;
    const TfliteTensor& weights = subgraph.tensors[size_t(op.inputs[0])];
    broken.buffers[weights.buffer].size -= 2;
    auto graph = importTfliteModel(broken);
    ASSERT_FALSE(graph.ok());
    EXPECT_NE(graph.error().message.find("(DEQUANTIZE"), std::string::npos) << graph.error().message;
    EXPECT_NE(graph.error().message.find("tensor '" + weights.name + "': shape "), std::string::npos)
        << graph.error().message;
    break;
  }
}

}  // namespace
}  // namespace meshrt::nn
