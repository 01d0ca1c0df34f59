// ONNX importer, failure paths: every bad file or field is a Result error naming the file and the
// field or node, never a crash. Ends with a seeded mutation fuzz loop over a small valid model
// (byte flips, overwrites, truncations) that must only ever import or fail cleanly; the asan
// preset runs it under AddressSanitizer + UBSan.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "nn/onnx_model_builder.h"
#include "nn/onnx_test_run.h"
#include "support/splitmix.h"

namespace meshrt {
namespace {

using test::OnnxModelBuilder;
using test::setFloat;
using test::setInt;
using test::setInts;
using test::setString;

// Conv(3x3, pad 1) → Relu → GlobalAveragePool → Flatten → Gemm: a small valid encoder.
OnnxModelBuilder smallEncoder() {
  OnnxModelBuilder model;
  model.input("image", {1, 3, 8, 8});
  model.floatInitializer("w", {4, 3, 3, 3}, test::splitmixSigned(40, 4 * 27));
  model.floatInitializer("b", {4}, test::splitmixSigned(41, 4));
  model.floatInitializer("fc_w", {2, 4}, test::splitmixSigned(42, 8));
  model.floatInitializer("fc_b", {2}, test::splitmixSigned(43, 2));
  setInts(model.node("Conv", {"image", "w", "b"}, {"c"}, "conv1"), "pads", {1, 1, 1, 1});
  model.node("Relu", {"c"}, {"r"});
  model.node("GlobalAveragePool", {"r"}, {"g"});
  model.node("Flatten", {"g"}, {"f"});
  setInt(model.node("Gemm", {"f", "fc_w", "fc_b"}, {"logits"}, "fc"), "transB", 1);
  model.output("logits");
  return model;
}

// More op kinds for the fuzz loop: Conv, BatchNormalization, Clip, Pad, MaxPool, Resize,
// GlobalAveragePool, a Shape→Gather→Unsqueeze→Concat chain into Reshape, Gemm and Softmax.
OnnxModelBuilder richerModel() {
  OnnxModelBuilder model;
  model.input("image", {1, 2, 6, 6});
  model.floatInitializer("w", {3, 2, 3, 3}, test::splitmixSigned(50, 3 * 18));
  for (const char* name : {"scale", "bias", "mean"}) model.floatInitializer(name, {3}, test::splitmixSigned(51, 3));
  model.floatInitializer("var", {3}, {0.5f, 1.0f, 2.0f});
  model.floatInitializer("lo", {}, {0.0f});
  model.floatInitializer("hi", {}, {6.0f});
  model.int64Initializer("pads", {8}, {0, 0, 1, 1, 0, 0, 1, 1});
  model.floatInitializer("scales", {4}, {1.0f, 1.0f, 2.0f, 2.0f});
  model.int64Initializer("zero", {}, {0});
  model.int64Initializer("axes", {1}, {0});
  model.int64Initializer("rest", {1}, {-1});
  model.floatInitializer("fc_w", {3, 4}, test::splitmixSigned(52, 12));
  setInts(model.node("Conv", {"image", "w"}, {"c"}), "pads", {1, 1, 1, 1});
  model.node("BatchNormalization", {"c", "scale", "bias", "mean", "var"}, {"bn"});
  model.node("Clip", {"bn", "lo", "hi"}, {"clip"});
  model.node("Pad", {"clip", "pads"}, {"padded"});
  auto& pool = model.node("MaxPool", {"padded"}, {"pool"});
  setInts(pool, "kernel_shape", {2, 2});
  setInts(pool, "strides", {2, 2});
  auto& resize = model.node("Resize", {"pool", "", "scales"}, {"up"});
  setString(resize, "mode", "linear");
  model.node("GlobalAveragePool", {"up"}, {"g"});
  model.node("Shape", {"g"}, {"shape"});
  model.node("Gather", {"shape", "zero"}, {"batch"});
  model.node("Unsqueeze", {"batch", "axes"}, {"batch1"});
  setInt(model.node("Concat", {"batch1", "rest"}, {"target"}), "axis", 0);
  model.node("Reshape", {"g", "target"}, {"flat"});
  setInt(model.node("Gemm", {"flat", "fc_w"}, {"logits"}), "transB", 0);
  model.node("Softmax", {"logits"}, {"probabilities"});
  model.output("probabilities");
  return model;
}

void expectError(const Result<nn::Graph>& result, const std::vector<std::string>& fragments) {
  ASSERT_FALSE(result.ok()) << "import succeeded, expected an error containing '" << fragments[0] << "'";
  for (const std::string& fragment : fragments)
    EXPECT_NE(result.error().message.find(fragment), std::string::npos)
        << "message '" << result.error().message << "' lacks '" << fragment << "'";
  EXPECT_EQ(result.error().message.find('\n'), std::string::npos) << "one line";
}

TEST(OnnxImporterErrorsTest, TheSmallEncoderImports) {
  auto graph = smallEncoder().import();
  ASSERT_TRUE(graph.ok()) << graph.error().message;
  EXPECT_EQ(graph->tensors[graph->outputs[0]].shape, (nn::Shape{1, 2}));
  EXPECT_EQ(graph->source, "test.onnx");
}

TEST(OnnxImporterErrorsTest, UnsupportedOpNamesOpTypeAndNode) {
  OnnxModelBuilder model = smallEncoder();
  model.node("LSTM", {"logits"}, {"h"}, "decoder_lstm");
  expectError(model.import("enc.onnx"), {"enc.onnx: node 'decoder_lstm' (LSTM): unsupported op"});
}

TEST(OnnxImporterErrorsTest, ForeignDomainIsNamed) {
  OnnxModelBuilder model = smallEncoder();
  model.node("Relu", {"logits"}, {"h"}, "custom").set_domain("com.microsoft");
  expectError(model.import(), {"node 'custom' (Relu)", "domain 'com.microsoft'"});
}

TEST(OnnxImporterErrorsTest, OpsetOutsideElevenToSeventeen) {
  for (int64_t opset : {10, 18}) {
    OnnxModelBuilder model(opset);
    model.input("x", {1, 2});
    model.node("Relu", {"x"}, {"y"});
    model.output("y");
    expectError(model.import(), {"test.onnx", "opset_import", "opset " + std::to_string(opset)});
  }
}

TEST(OnnxImporterErrorsTest, ExternalDataIsRejectedWithTheInitializerName) {
  OnnxModelBuilder model = smallEncoder();
  onnx::TensorProto* weights = model.model().mutable_graph()->mutable_initializer(0);
  weights->clear_raw_data();
  weights->set_data_location(onnx::TensorProto::EXTERNAL);
  onnx::StringStringEntryProto* location = weights->add_external_data();
  location->set_key("location");
  location->set_value("weights.bin");
  expectError(model.import(), {"graph.initializer[0] 'w'", "external data"});
}

TEST(OnnxImporterErrorsTest, InitializerSizeMismatches) {
  OnnxModelBuilder raw = smallEncoder();
  raw.model().mutable_graph()->mutable_initializer(1)->mutable_raw_data()->resize(6);
  expectError(raw.import(), {"graph.initializer[1] 'b'", "raw_data", "holds 6 bytes, dims need 16"});

  OnnxModelBuilder typed = smallEncoder();
  typed.model().mutable_graph()->mutable_initializer(3)->clear_raw_data();
  typed.model().mutable_graph()->mutable_initializer(3)->add_float_data(1.0f);
  expectError(typed.import(), {"'fc_b'", "float_data", "holds 1 values, dims need 2"});

  OnnxModelBuilder huge = smallEncoder();  // checked before allocating 4 GiB
  huge.model().mutable_graph()->mutable_initializer(1)->set_dims(0, int64_t{1} << 30);
  expectError(huge.import(), {"'b'", "raw_data", "holds 16 bytes, dims need 4294967296"});

  OnnxModelBuilder negative = smallEncoder();
  negative.model().mutable_graph()->mutable_initializer(1)->set_dims(0, -4);
  expectError(negative.import(), {"'b'", "dims[0]", "invalid dimension -4"});
}

TEST(OnnxImporterErrorsTest, BadAttributesAreNamed) {
  OnnxModelBuilder wrongType = smallEncoder();
  onnx::AttributeProto* pads = wrongType.model().mutable_graph()->mutable_node(0)->mutable_attribute(0);
  pads->clear_ints();
  pads->set_type(onnx::AttributeProto::INT);
  pads->set_i(1);
  expectError(wrongType.import(), {"node 'conv1' (Conv)", "attribute 'pads'", "expected INTS, got INT"});

  OnnxModelBuilder wrongCount = smallEncoder();
  setInts(*wrongCount.model().mutable_graph()->mutable_node(0), "strides", {1, 1, 1});
  expectError(wrongCount.import(), {"node 'conv1' (Conv)", "attribute 'strides'", "expected 2 values, got 3"});

  OnnxModelBuilder badGroup = smallEncoder();
  setInt(*badGroup.model().mutable_graph()->mutable_node(0), "group", 2);
  expectError(badGroup.import(), {"node 'conv1' (Conv)", "attribute 'group'"});

  OnnxModelBuilder badAutoPad = smallEncoder();
  setString(*badAutoPad.model().mutable_graph()->mutable_node(0), "auto_pad", "SOMETIMES");
  expectError(badAutoPad.import(), {"attribute 'auto_pad'", "SOMETIMES"});

  OnnxModelBuilder transA = smallEncoder();
  setInt(*transA.model().mutable_graph()->mutable_node(4), "transA", 1);
  expectError(transA.import(), {"node 'fc' (Gemm)", "attribute 'transA'"});
}

TEST(OnnxImporterErrorsTest, StructuralProblemsAreNamed) {
  OnnxModelBuilder runtimeWeights;
  runtimeWeights.input("x", {1, 1, 4, 4});
  runtimeWeights.input("w", {1, 1, 3, 3});
  runtimeWeights.node("Conv", {"x", "w"}, {"y"}, "conv_dynamic");
  runtimeWeights.output("y");
  expectError(runtimeWeights.import(), {"node 'conv_dynamic' (Conv)", "input 1 (weights)", "must be a constant"});

  OnnxModelBuilder dangling = smallEncoder();
  dangling.model().mutable_graph()->mutable_node(1)->set_input(0, "nowhere");
  expectError(dangling.import(), {"(Relu)", "input 0", "'nowhere' is not produced by any earlier node"});

  OnnxModelBuilder symbolic = smallEncoder();
  auto* dim = symbolic.model().mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(2);
  dim->set_dim_param("height");
  expectError(symbolic.import(), {"graph.input[0] 'image'", "shape.dim[2]", "symbolic 'height'"});

  OnnxModelBuilder twice = smallEncoder();
  twice.node("Sigmoid", {"c"}, {"r"}, "second_writer");
  expectError(twice.import(), {"node 'second_writer' (Sigmoid)", "output 'r' already has a producer"});

  OnnxModelBuilder noOutput = smallEncoder();
  noOutput.model().mutable_graph()->mutable_output(0)->set_name("missing");
  expectError(noOutput.import(), {"graph.output[0] 'missing'", "never produced"});

  OnnxModelBuilder training;
  training.input("x", {1, 2, 2, 2});
  for (const char* name : {"s", "b", "m", "v"}) training.floatInitializer(name, {2}, {1.0f, 1.0f});
  setInt(training.node("BatchNormalization", {"x", "s", "b", "m", "v"}, {"y"}, "bn"), "training_mode", 1);
  training.output("y");
  expectError(training.import(), {"node 'bn' (BatchNormalization)", "training_mode"});
}

TEST(OnnxImporterErrorsTest, UnsupportedModesAreNamed) {
  OnnxModelBuilder cubic;
  cubic.input("x", {1, 1, 2, 2});
  cubic.int64Initializer("sizes", {4}, {1, 1, 4, 4});
  setString(cubic.node("Resize", {"x", "", "", "sizes"}, {"y"}, "up"), "mode", "cubic");
  cubic.output("y");
  expectError(cubic.import(), {"node 'up' (Resize)", "attribute 'mode'", "'cubic'"});

  OnnxModelBuilder roundNearest;
  roundNearest.input("x", {1, 1, 4, 4});
  roundNearest.int64Initializer("sizes", {4}, {1, 1, 3, 3});  // a downscale: ONNX and TFLite rounding differ
  roundNearest.node("Resize", {"x", "", "", "sizes"}, {"y"}, "down");
  roundNearest.output("y");
  expectError(roundNearest.import(), {"node 'down' (Resize)", "nearest_mode", "round_prefer_floor"});

  OnnxModelBuilder softmax(12);
  softmax.input("x", {1, 3, 2, 2});
  softmax.node("Softmax", {"x"}, {"y"}, "sm");  // opset < 13: axis 1 normalizes over C, H and W together
  softmax.output("y");
  expectError(softmax.import(), {"node 'sm' (Softmax)", "several axes"});

  OnnxModelBuilder reflect;
  reflect.input("x", {1, 1, 2, 2});
  reflect.int64Initializer("pads", {8}, {0, 0, 1, 1, 0, 0, 1, 1});
  setString(reflect.node("Pad", {"x", "pads"}, {"y"}, "pad"), "mode", "reflect");
  reflect.output("y");
  expectError(reflect.import(), {"node 'pad' (Pad)", "attribute 'mode'", "'reflect'"});
}

TEST(OnnxImporterErrorsTest, MissingTruncatedAndGarbageFiles) {
  expectError(nn::importOnnx("/nonexistent/model.onnx"), {"/nonexistent/model.onnx", "cannot open"});
  const std::string directoryPath = std::filesystem::temp_directory_path().string();
  expectError(nn::importOnnx(directoryPath), {directoryPath, "not a regular file"});

  const std::string bytes = smallEncoder().serialize();
  const auto directory = std::filesystem::temp_directory_path() / ("meshrt_onnx_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  const std::string truncatedPath = (directory / "truncated.onnx").string();
  {
    std::ofstream file(truncatedPath, std::ios::binary);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  expectError(nn::importOnnx(truncatedPath), {truncatedPath});
  const std::string emptyPath = (directory / "empty.onnx").string();
  std::ofstream(emptyPath, std::ios::binary).close();
  expectError(nn::importOnnx(emptyPath), {emptyPath, "empty"});
  std::filesystem::remove_all(directory);

  const std::string garbage = "this is not a protobuf \xff\xff\xff\xff";
  expectError(nn::importOnnxBytes(reinterpret_cast<const uint8_t*>(garbage.data()), garbage.size(), "garbage.onnx"),
              {"garbage.onnx"});
}

// Seeded mutations of two small valid models' bytes: each either imports (and then runs, if
// small) or fails with a one-line error naming the source. Crashes, hangs and sanitizer reports
// fail the test.
TEST(OnnxImporterErrorsTest, MutationFuzzNeverCrashes) {
  ASSERT_TRUE(richerModel().import().ok()) << richerModel().import().error().message;
  const std::string originals[] = {smallEncoder().serialize(), richerModel().serialize()};
  constexpr uint64_t ITERATIONS = 2000;  // per model
  int imported = 0;
  for (size_t model = 0; model < 2; ++model) {
    for (uint64_t iteration = 0; iteration < ITERATIONS; ++iteration) {
      std::string bytes = originals[model];
      const uint64_t seed = 1000 + model * ITERATIONS + iteration;
      auto draw = [&](uint64_t k) { return test::splitmixUniform(seed, k); };
      const int kind = static_cast<int>(draw(0) * 3.0f);
      const int edits = 1 + static_cast<int>(draw(1) * 4.0f);
      for (int e = 0; e < edits; ++e) {
        const size_t at = static_cast<size_t>(draw(2 + 2 * e) * static_cast<float>(bytes.size()));
        const uint8_t value = static_cast<uint8_t>(draw(3 + 2 * e) * 256.0f);
        if (at >= bytes.size()) continue;
        if (kind == 0) bytes[at] = static_cast<char>(bytes[at] ^ (1u << (value % 8)));  // bit flip
        else if (kind == 1) bytes[at] = static_cast<char>(value);                      // overwrite
        else bytes.resize(at);                                                          // truncate
      }
      auto graph = nn::importOnnxBytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "fuzz.onnx");
      if (!graph.ok()) {
        ASSERT_EQ(graph.error().message.rfind("fuzz.onnx", 0), 0u) << graph.error().message;
        ASSERT_EQ(graph.error().message.find('\n'), std::string::npos) << graph.error().message;
        continue;
      }
      ++imported;
      // A mutated model that imports is a valid graph: run it too, unless some tensor is large
      // (a mutated pad or size can ask for gigabytes; the importer accepts that, the test skips it).
      bool small = graph->inputs.size() == 1;
      for (const nn::Tensor& tensor : graph->tensors) small = small && nn::elementCount(tensor.shape) <= (1 << 20);
      if (!small) continue;
      const auto input = test::splitmixSigned(seed, static_cast<uint64_t>(nn::elementCount(graph->tensors[graph->inputs[0]].shape)));
      auto outputs = nn::runReference(*graph, {input});
      (void)outputs;  // may fail with an error; only crashes and sanitizer reports matter
    }
  }
  std::printf("mutation fuzz: %d of %llu mutated models imported\n", imported, static_cast<unsigned long long>(2 * ITERATIONS));
}

}  // namespace
}  // namespace meshrt
