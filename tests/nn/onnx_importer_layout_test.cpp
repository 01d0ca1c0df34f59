// ONNX importer, data-movement ops and import-time folding: Pad, Reshape fed by a
// Shape→Gather→Unsqueeze→Concat chain, Flatten, Squeeze/Unsqueeze, Concat, Transpose, Resize,
// Softmax, Identity/Dropout/Constant, and the initializer encodings (raw and typed, FLOAT16,
// DOUBLE). Expected values come from the ONNX operator definitions, computed here.
#include <gtest/gtest.h>

#include <cmath>

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

constexpr double TOLERANCE = 1e-6;

TEST(OnnxImporterLayoutTest, PadConstantOnHeightAndWidth) {
  const auto x = test::splitmixSigned(20, 2 * 2 * 3);
  OnnxModelBuilder model;
  model.input("x", {1, 2, 2, 3});
  model.int64Initializer("pads", {8}, {0, 0, 1, 2, 0, 0, 0, 1});  // begins N,C,H,W then ends
  model.floatInitializer("value", {}, {1.5f});
  model.node("Pad", {"x", "pads", "value"}, {"y"});
  model.output("y");
  std::vector<float> expected;
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 6; ++j) {
        const int yIn = i - 1, xIn = j - 2;
        expected.push_back(yIn >= 0 && xIn >= 0 && xIn < 3 ? x[(c * 2 + yIn) * 3 + xIn] : 1.5f);
      }
  test::expectOutput(model, {x}, expected, {1, 2, 3, 6}, 0.0);
}

TEST(OnnxImporterLayoutTest, ReshapeFedByAFoldedShapeChain) {
  const auto x = test::splitmixSigned(21, 2 * 3 * 4);
  OnnxModelBuilder model;
  model.input("x", {1, 2, 3, 4});
  model.int64Initializer("zero", {}, {0});
  model.int64Initializer("axes", {1}, {0});
  model.int64Initializer("rest", {1}, {-1});
  model.node("Shape", {"x"}, {"shape"});
  model.node("Gather", {"shape", "zero"}, {"batch"});      // scalar 1
  model.node("Unsqueeze", {"batch", "axes"}, {"batch1"});  // [1]
  auto& concat = model.node("Concat", {"batch1", "rest"}, {"target"});  // [1, -1]
  setInt(concat, "axis", 0);
  model.node("Reshape", {"x", "target"}, {"y"});
  model.output("y");
  test::expectOutput(model, {x}, x, {1, 24}, 0.0);
  auto graph = model.import();
  ASSERT_TRUE(graph.ok()) << graph.error().message;
  EXPECT_EQ(graph->nodes.size(), 1u) << "the shape chain must fold away, leaving only the Reshape";
}

TEST(OnnxImporterLayoutTest, ReshapeZeroCopiesAndFlattenSqueezeUnsqueeze) {
  const auto x = test::splitmixSigned(22, 2 * 3 * 4);
  OnnxModelBuilder model;
  model.input("x", {2, 3, 4});
  model.int64Initializer("shape", {3}, {0, 4, 3});
  model.int64Initializer("axes", {2}, {1, -1});
  model.node("Reshape", {"x", "shape"}, {"r"});       // [2, 4, 3]
  model.node("Unsqueeze", {"r", "axes"}, {"u"});      // [2, 1, 4, 3, 1]
  model.node("Squeeze", {"u", "axes"}, {"s"});        // [2, 4, 3]
  setInt(model.node("Flatten", {"s"}, {"y"}), "axis", 2);  // [8, 3]
  model.output("u");
  model.output("y");
  test::expectOutput(model, {x}, x, {2, 1, 4, 3, 1}, 0.0, 0);
  test::expectOutput(model, {x}, x, {8, 3}, 0.0, 1);
}

TEST(OnnxImporterLayoutTest, ConcatOnChannelsAndTranspose) {
  const auto a = test::splitmixSigned(23, 1 * 2 * 2 * 3), b = test::splitmixSigned(24, 1 * 1 * 2 * 3);
  OnnxModelBuilder model;
  model.input("a", {1, 2, 2, 3});
  model.input("b", {1, 1, 2, 3});
  setInt(model.node("Concat", {"a", "b"}, {"c"}), "axis", -3);
  setInts(model.node("Transpose", {"c"}, {"y"}), "perm", {0, 2, 3, 1});  // NCHW → NHWC
  model.output("y");
  std::vector<float> concatenated(a);
  concatenated.insert(concatenated.end(), b.begin(), b.end());  // [1][3][2][3]
  std::vector<float> expected;
  for (int h = 0; h < 2; ++h)
    for (int w = 0; w < 3; ++w)
      for (int c = 0; c < 3; ++c) expected.push_back(concatenated[(c * 2 + h) * 3 + w]);
  test::expectOutput(model, {a, b}, expected, {1, 2, 3, 3}, 0.0);
}

TEST(OnnxImporterLayoutTest, ResizeNearestAsymmetricFloorByScales) {
  const auto x = test::splitmixSigned(25, 2 * 3 * 4);
  OnnxModelBuilder model;
  model.input("x", {1, 2, 3, 4});
  model.floatInitializer("roi", {0}, {});
  model.floatInitializer("scales", {4}, {1.0f, 1.0f, 2.0f, 1.5f});
  auto& resize = model.node("Resize", {"x", "roi", "scales"}, {"y"});
  setString(resize, "mode", "nearest");
  setString(resize, "coordinate_transformation_mode", "asymmetric");
  setString(resize, "nearest_mode", "floor");
  model.output("y");
  // x_original = x_resized / scale, floored.
  std::vector<float> expected;
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 6; ++j) {
        const int yIn = static_cast<int>(std::floor(i / 2.0f)), xIn = static_cast<int>(std::floor(j / 1.5f));
        expected.push_back(x[(c * 3 + yIn) * 4 + xIn]);
      }
  test::expectOutput(model, {x}, expected, {1, 2, 6, 6}, 0.0);
}

TEST(OnnxImporterLayoutTest, ResizeNearestDefaultModesOnAWholeUpscale) {
  const auto x = test::splitmixSigned(31, 3 * 4);
  OnnxModelBuilder model;
  model.input("x", {1, 1, 3, 4});
  model.int64Initializer("sizes", {4}, {1, 1, 6, 8});
  model.node("Resize", {"x", "", "", "sizes"}, {"y"});  // half_pixel + round_prefer_floor
  model.output("y");
  // x_original = (i + 0.5) / 2 - 0.5 = i/2 - 0.25, rounded half down, clamped: floor(i / 2).
  std::vector<float> expected;
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 8; ++j) expected.push_back(x[(i / 2) * 4 + j / 2]);
  test::expectOutput(model, {x}, expected, {1, 1, 6, 8}, 0.0);
}

TEST(OnnxImporterLayoutTest, ResizeLinearHalfPixelAndAlignCornersBySizes) {
  const auto x = test::splitmixSigned(26, 3 * 4);
  for (const char* transform : {"half_pixel", "align_corners", "asymmetric"}) {
    OnnxModelBuilder model;
    model.input("x", {1, 1, 3, 4});
    model.int64Initializer("sizes", {4}, {1, 1, 7, 9});
    auto& resize = model.node("Resize", {"x", "", "", "sizes"}, {"y"});
    setString(resize, "mode", "linear");
    setString(resize, "coordinate_transformation_mode", transform);
    model.output("y");
    const std::string t = transform;
    auto source = [&](int dst, int in, int out) {
      const float scale = static_cast<float>(out) / static_cast<float>(in);
      float s = t == "half_pixel" ? (dst + 0.5f) / scale - 0.5f
                : t == "align_corners" ? dst * static_cast<float>(in - 1) / static_cast<float>(out - 1)
                                       : dst / scale;
      return std::clamp(s, 0.0f, static_cast<float>(in - 1));
    };
    std::vector<float> expected;
    for (int i = 0; i < 7; ++i)
      for (int j = 0; j < 9; ++j) {
        const float sy = source(i, 3, 7), sx = source(j, 4, 9);
        const int y0 = static_cast<int>(sy), x0 = static_cast<int>(sx);
        const int y1 = std::min(y0 + 1, 2), x1 = std::min(x0 + 1, 3);
        const float fy = sy - y0, fx = sx - x0;
        const float top = x[y0 * 4 + x0] * (1 - fx) + x[y0 * 4 + x1] * fx;
        const float bottom = x[y1 * 4 + x0] * (1 - fx) + x[y1 * 4 + x1] * fx;
        expected.push_back(top * (1 - fy) + bottom * fy);
      }
    SCOPED_TRACE(t);
    test::expectOutput(model, {x}, expected, {1, 1, 7, 9}, TOLERANCE);
  }
}

TEST(OnnxImporterLayoutTest, SoftmaxOverChannels) {
  const auto x = test::splitmixSigned(27, 2 * 5);
  OnnxModelBuilder model;
  model.input("x", {2, 5});
  setInt(model.node("Softmax", {"x"}, {"y"}), "axis", 1);
  model.output("y");
  std::vector<float> expected;
  for (int n = 0; n < 2; ++n) {
    double sum = 0.0;
    for (int k = 0; k < 5; ++k) sum += std::exp(double(x[n * 5 + k]));
    for (int k = 0; k < 5; ++k) expected.push_back(static_cast<float>(std::exp(double(x[n * 5 + k])) / sum));
  }
  test::expectOutput(model, {x}, expected, {2, 5}, TOLERANCE);
}

TEST(OnnxImporterLayoutTest, IdentityDropoutAndConstantNodes) {
  const auto x = test::splitmixSigned(28, 6);
  OnnxModelBuilder model;
  model.input("x", {1, 6});
  auto& constant = model.node("Constant", {}, {"k"});
  onnx::AttributeProto* value = constant.add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  OnnxModelBuilder::fillFloatTensor(*value->mutable_t(), "k", {1, 6}, {1, 2, 3, 4, 5, 6}, false);
  model.node("Identity", {"x"}, {"i"});
  model.node("Dropout", {"i"}, {"d"});
  model.node("Add", {"d", "k"}, {"y"});
  model.output("y");
  std::vector<float> expected(6);
  for (int i = 0; i < 6; ++i) expected[i] = x[i] + static_cast<float>(i + 1);
  test::expectOutput(model, {x}, expected, {1, 6}, 0.0);
}

uint16_t halfBits(float value) {  // exact for the small dyadic values used below
  if (value == 0.0f) return 0;
  int exponent = 0;
  const float mantissa = std::frexp(std::fabs(value), &exponent);  // value = m 2^e, m in [0.5, 1)
  const uint16_t bits = static_cast<uint16_t>(((exponent + 14) << 10) | static_cast<uint16_t>((mantissa * 2.0f - 1.0f) * 1024.0f));
  return static_cast<uint16_t>(value < 0.0f ? bits | 0x8000u : bits);
}

TEST(OnnxImporterLayoutTest, InitializerEncodings) {
  const std::vector<float> values{0.5f, -1.25f, 3.0f, 0.0f};
  auto addInitializer = [&](OnnxModelBuilder& model, int encoding) {
    if (encoding < 2) {  // FLOAT in float_data, then in raw_data
      model.floatInitializer("k", {4}, values, /*typed=*/encoding == 0);
      return;
    }
    onnx::TensorProto& tensor = *model.model().mutable_graph()->add_initializer();
    tensor.set_name("k");
    tensor.add_dims(4);
    switch (encoding) {
      case 2:  // FLOAT16 in int32_data (one half per entry)
        tensor.set_data_type(onnx::TensorProto::FLOAT16);
        for (float v : values) tensor.add_int32_data(halfBits(v));
        break;
      case 3: {  // FLOAT16 in raw_data
        tensor.set_data_type(onnx::TensorProto::FLOAT16);
        std::string raw;
        for (float v : values) {
          const uint16_t bits = halfBits(v);
          raw.push_back(static_cast<char>(bits & 0xFF));
          raw.push_back(static_cast<char>(bits >> 8));
        }
        tensor.set_raw_data(raw);
        break;
      }
      case 4:  // DOUBLE in double_data
        tensor.set_data_type(onnx::TensorProto::DOUBLE);
        for (float v : values) tensor.add_double_data(v);
        break;
    }
  };
  const auto x = test::splitmixSigned(29, 4);
  std::vector<float> expected(4);
  for (int i = 0; i < 4; ++i) expected[i] = x[i] * values[i];
  for (int encoding = 0; encoding < 5; ++encoding) {
    OnnxModelBuilder model;
    model.input("x", {1, 4});
    addInitializer(model, encoding);
    model.node("Mul", {"x", "k"}, {"y"});
    model.output("y");
    SCOPED_TRACE("encoding " + std::to_string(encoding));
    test::expectOutput(model, {x}, expected, {1, 4}, 0.0);
  }
}

TEST(OnnxImporterLayoutTest, Opset11AttributesAndSymbolicBatch) {
  const auto x = test::splitmixSigned(30, 2 * 3);
  OnnxModelBuilder model(11);
  model.input("x", {1, 2, 3});
  model.model().mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_param("N");
  setInts(model.node("Unsqueeze", {"x"}, {"u"}), "axes", {3});  // axes as an attribute before 13
  model.node("Relu", {"u"}, {"y"});
  model.output("y");
  std::vector<float> expected;
  for (float v : x) expected.push_back(std::max(v, 0.0f));
  test::expectOutput(model, {x}, expected, {1, 2, 3, 1}, 0.0);
}

}  // namespace
}  // namespace meshrt
