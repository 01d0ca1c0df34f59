// ONNX importer, arithmetic ops: each test builds a tiny model with the protobuf API, imports it,
// runs it with the reference executor, and compares with values computed here from the ONNX
// operator definitions (plain loops in ONNX's own terms, not the IR's). Tolerance: relative L2
// ≤ 1e-6 (fp32 sums in a different order), exact where no arithmetic happens.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <ostream>

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

// ONNX Conv on NCHW x [1][C][H][W], weights OIHW, explicit pads [top, left, bottom, right].
std::vector<float> onnxConv(const std::vector<float>& x, const nn::Shape& xs, const std::vector<float>& w, const nn::Shape& ws,
                            const std::vector<float>& bias, int64_t group, std::array<int64_t, 2> stride,
                            std::array<int64_t, 2> dilation, std::array<int64_t, 4> pads, nn::Shape& ys) {
  const int64_t C = xs[1], H = xs[2], W = xs[3], O = ws[0], kh = ws[2], kw = ws[3], perGroup = C / group;
  const int64_t oh = (H + pads[0] + pads[2] - dilation[0] * (kh - 1) - 1) / stride[0] + 1;
  const int64_t ow = (W + pads[1] + pads[3] - dilation[1] * (kw - 1) - 1) / stride[1] + 1;
  ys = {1, O, oh, ow};
  std::vector<float> y(static_cast<size_t>(O * oh * ow));
  for (int64_t o = 0; o < O; ++o)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        double sum = bias.empty() ? 0.0 : bias[o];
        const int64_t g = o / (O / group);
        for (int64_t c = 0; c < perGroup; ++c)
          for (int64_t u = 0; u < kh; ++u)
            for (int64_t v = 0; v < kw; ++v) {
              const int64_t yIn = i * stride[0] - pads[0] + u * dilation[0], xIn = j * stride[1] - pads[1] + v * dilation[1];
              if (yIn < 0 || yIn >= H || xIn < 0 || xIn >= W) continue;
              sum += double(x[((g * perGroup + c) * H + yIn) * W + xIn]) * w[((o * perGroup + c) * kh + u) * kw + v];
            }
        y[(o * oh + i) * ow + j] = static_cast<float>(sum);
      }
  return y;
}

TEST(OnnxImporterTest, ConvWithGroupsStridesDilationsAndAsymmetricPads) {
  const nn::Shape xs{1, 4, 7, 8}, ws{6, 2, 3, 3};
  const auto x = test::splitmixSigned(1, 4 * 7 * 8), w = test::splitmixSigned(2, 6 * 2 * 9), b = test::splitmixSigned(3, 6);
  OnnxModelBuilder model;
  model.input("x", xs);
  model.floatInitializer("w", ws, w);
  model.floatInitializer("b", {6}, b, /*typed=*/true);
  auto& conv = model.node("Conv", {"x", "w", "b"}, {"y"}, "conv_main");
  setInt(conv, "group", 2);
  setInts(conv, "kernel_shape", {3, 3});
  setInts(conv, "strides", {2, 1});
  setInts(conv, "dilations", {1, 2});
  setInts(conv, "pads", {1, 2, 0, 1});
  model.output("y");
  nn::Shape expectedShape;
  const auto expected = onnxConv(x, xs, w, ws, b, 2, {2, 1}, {1, 2}, {1, 2, 0, 1}, expectedShape);
  test::expectOutput(model, {x}, expected, expectedShape, TOLERANCE);
}

class OnnxConvAutoPadTest : public ::testing::TestWithParam<const char*> {};

TEST_P(OnnxConvAutoPadTest, MatchesTheSpecsPadding) {
  const std::string autoPad = GetParam();
  const nn::Shape xs{1, 2, 5, 6}, ws{3, 2, 2, 3};
  const auto x = test::splitmixSigned(4, 60), w = test::splitmixSigned(5, 36);
  OnnxModelBuilder model;
  model.input("x", xs);
  model.floatInitializer("w", ws, w);
  auto& conv = model.node("Conv", {"x", "w"}, {"y"});
  setString(conv, "auto_pad", autoPad);
  setInts(conv, "strides", {2, 2});
  model.output("y");
  // SAME: output = ceil(in / stride); total pad = (out - 1) * stride + kernel - in, the odd pixel
  // at the end (SAME_UPPER) or the beginning (SAME_LOWER). H: 5 → 3, total 1; W: 6 → 3, total 1.
  std::array<int64_t, 4> pads{0, 0, 0, 0};
  if (autoPad == "SAME_UPPER") pads = {0, 0, 1, 1};
  if (autoPad == "SAME_LOWER") pads = {1, 1, 0, 0};
  nn::Shape expectedShape;
  const auto expected = onnxConv(x, xs, w, ws, {}, 1, {2, 2}, {1, 1}, pads, expectedShape);
  test::expectOutput(model, {x}, expected, expectedShape, TOLERANCE);
}

INSTANTIATE_TEST_SUITE_P(AutoPad, OnnxConvAutoPadTest, ::testing::Values("VALID", "SAME_UPPER", "SAME_LOWER"));

TEST(OnnxImporterTest, GemmWithTransposedAndPlainWeightsAlphaBeta) {
  for (int64_t transB : {0, 1}) {
    const int64_t N = 2, K = 5, O = 3;
    const auto a = test::splitmixSigned(6, N * K), bw = test::splitmixSigned(7, K * O), c = test::splitmixSigned(8, O);
    OnnxModelBuilder model;
    model.input("a", {N, K});
    model.floatInitializer("B", transB ? nn::Shape{O, K} : nn::Shape{K, O}, bw);
    model.floatInitializer("C", transB ? nn::Shape{O} : nn::Shape{1, O}, c);
    auto& gemm = model.node("Gemm", {"a", "B", "C"}, {"y"});
    setInt(gemm, "transB", transB);
    setFloat(gemm, "alpha", 0.5f);
    setFloat(gemm, "beta", 2.0f);
    model.output("y");
    std::vector<float> expected(N * O);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t o = 0; o < O; ++o) {
        double sum = 0.0;
        for (int64_t k = 0; k < K; ++k) sum += double(a[n * K + k]) * (transB ? bw[o * K + k] : bw[k * O + o]);
        expected[n * O + o] = static_cast<float>(0.5 * sum + 2.0 * c[o]);
      }
    SCOPED_TRACE("transB " + std::to_string(transB));
    test::expectOutput(model, {a}, expected, {N, O}, TOLERANCE);
  }
}

TEST(OnnxImporterTest, MatMulByConstantAfterFlatten) {
  const auto x = test::splitmixSigned(9, 2 * 3 * 2), b = test::splitmixSigned(10, 6 * 4);
  OnnxModelBuilder model;
  model.input("x", {2, 3, 2, 1});
  model.floatInitializer("B", {6, 4}, b);
  model.node("Flatten", {"x"}, {"flat"});
  model.node("MatMul", {"flat", "B"}, {"y"});
  model.output("y");
  std::vector<float> expected(2 * 4);
  for (int n = 0; n < 2; ++n)
    for (int o = 0; o < 4; ++o) {
      double sum = 0.0;
      for (int k = 0; k < 6; ++k) sum += double(x[n * 6 + k]) * b[k * 4 + o];
      expected[n * 4 + o] = static_cast<float>(sum);
    }
  test::expectOutput(model, {x}, expected, {2, 4}, TOLERANCE);
}

TEST(OnnxImporterTest, BinaryOpsBroadcastConstantsAndRewriteSubDiv) {
  const nn::Shape xs{1, 3, 2, 2};
  const auto x = test::splitmixSigned(11, 12), z = test::splitmixSigned(12, 12);
  const std::vector<float> perChannel{0.5f, -2.0f, 4.0f};
  OnnxModelBuilder model;
  model.input("x", xs);
  model.input("z", xs);
  model.floatInitializer("k", {3, 1, 1}, perChannel);
  model.floatInitializer("two", {}, {2.0f});
  model.node("Mul", {"x", "k"}, {"m"});    // x * k[c]
  model.node("Add", {"m", "z"}, {"s"});    // + z
  model.node("Sub", {"s", "k"}, {"d"});    // - k[c]
  model.node("Div", {"d", "two"}, {"y"});  // / 2
  model.output("y");
  std::vector<float> expected(12);
  for (size_t i = 0; i < 12; ++i) {
    const float k = perChannel[i / 4];
    expected[i] = (x[i] * k + z[i] - k) * 0.5f;
  }
  test::expectOutput(model, {x, z}, expected, xs, TOLERANCE);
}

struct ActivationCase {
  const char* op;
  int64_t opset;
  float (*expected)(float);
};

void PrintTo(const ActivationCase& activation, std::ostream* out) { *out << activation.op << " (opset " << activation.opset << ")"; }

class OnnxActivationTest : public ::testing::TestWithParam<ActivationCase> {};

TEST_P(OnnxActivationTest, MatchesTheOperatorDefinition) {
  const ActivationCase& param = GetParam();
  const std::string op = param.op;
  auto x = test::splitmixSigned(13, 2 * 3 * 4);
  for (float& value : x) value *= 5.0f;  // reach the clamps of HardSwish and HardSigmoid
  OnnxModelBuilder model(param.opset);
  model.input("x", {2, 3, 4});
  if (op == "Clip") {
    model.floatInitializer("lo", {}, {-0.5f});
    model.floatInitializer("hi", {}, {0.25f});
    model.node("Clip", {"x", "lo", "hi"}, {"y"});
  } else if (op == "ClipMinOnly") {
    model.floatInitializer("lo", {}, {0.0f});
    model.node("Clip", {"x", "lo"}, {"y"});
  } else {
    auto& node = model.node(op, {"x"}, {"y"});
    if (op == "LeakyRelu") setFloat(node, "alpha", 0.2f);
    if (op == "HardSigmoid") {
      setFloat(node, "alpha", 0.3f);
      setFloat(node, "beta", 0.4f);
    }
  }
  model.output("y");
  std::vector<float> expected;
  for (float value : x) expected.push_back(param.expected(value));
  test::expectOutput(model, {x}, expected, {2, 3, 4}, TOLERANCE);
}

INSTANTIATE_TEST_SUITE_P(
    Ops, OnnxActivationTest,
    ::testing::Values(
        ActivationCase{"Relu", 13, [](float v) { return std::max(v, 0.0f); }},
        ActivationCase{"Sigmoid", 13, [](float v) { return 1.0f / (1.0f + std::exp(-v)); }},
        ActivationCase{"LeakyRelu", 13, [](float v) { return v < 0.0f ? 0.2f * v : v; }},
        ActivationCase{"HardSwish", 14, [](float v) { return v * std::clamp(v / 6.0f + 0.5f, 0.0f, 1.0f); }},
        ActivationCase{"HardSigmoid", 13, [](float v) { return std::clamp(0.3f * v + 0.4f, 0.0f, 1.0f); }},
        ActivationCase{"Clip", 11, [](float v) { return std::clamp(v, -0.5f, 0.25f); }},
        ActivationCase{"ClipMinOnly", 13, [](float v) { return std::max(v, 0.0f); }}),
    [](const ::testing::TestParamInfo<ActivationCase>& caseInfo) { return std::string(caseInfo.param.op); });

TEST(OnnxImporterTest, PReluPerChannelSlope) {
  const auto x = test::splitmixSigned(14, 2 * 3 * 4);
  const std::vector<float> slope{0.1f, -0.5f, 2.0f};
  OnnxModelBuilder model;
  model.input("x", {1, 3, 2, 4});
  model.floatInitializer("slope", {3, 1, 1}, slope);
  model.node("PRelu", {"x", "slope"}, {"y"});
  model.output("y");
  std::vector<float> expected(x.size());
  for (size_t i = 0; i < x.size(); ++i) expected[i] = x[i] < 0.0f ? slope[i / 8] * x[i] : x[i];
  test::expectOutput(model, {x}, expected, {1, 3, 2, 4}, TOLERANCE);
}

TEST(OnnxImporterTest, BatchNormalizationAfterConv) {
  const nn::Shape xs{1, 2, 4, 4}, ws{3, 2, 1, 1};
  const auto x = test::splitmixSigned(15, 32), w = test::splitmixSigned(16, 6);
  const std::vector<float> scale{1.5f, -0.5f, 2.0f}, bias{0.1f, 0.2f, -0.3f}, mean{0.05f, -0.1f, 0.2f}, var{0.5f, 2.0f, 1.0f};
  OnnxModelBuilder model;
  model.input("x", xs);
  model.floatInitializer("w", ws, w);
  for (const auto& [name, values] : {std::pair{"scale", scale}, {"bias", bias}, {"mean", mean}, {"var", var}})
    model.floatInitializer(name, {3}, values);
  model.node("Conv", {"x", "w"}, {"c"});
  setFloat(model.node("BatchNormalization", {"c", "scale", "bias", "mean", "var"}, {"y"}), "epsilon", 1e-3f);
  model.output("y");
  nn::Shape ys;
  auto expected = onnxConv(x, xs, w, ws, {}, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}, ys);
  for (size_t i = 0; i < expected.size(); ++i) {
    const size_t c = i / 16;
    expected[i] = scale[c] * (expected[i] - mean[c]) / std::sqrt(var[c] + 1e-3f) + bias[c];
  }
  test::expectOutput(model, {x}, expected, ys, TOLERANCE);
}

// ONNX pooling over x [1][C][H][W] with pads [top, left, bottom, right].
std::vector<float> onnxPool(const std::vector<float>& x, int64_t C, int64_t H, int64_t W, int64_t k, int64_t s,
                            std::array<int64_t, 4> p, bool max, bool countPad, nn::Shape& ys) {
  const int64_t oh = (H + p[0] + p[2] - k) / s + 1, ow = (W + p[1] + p[3] - k) / s + 1;
  ys = {1, C, oh, ow};
  std::vector<float> y;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        float best = -INFINITY;
        double sum = 0.0;
        int count = 0;
        for (int64_t u = 0; u < k; ++u)
          for (int64_t v = 0; v < k; ++v) {
            const int64_t yIn = i * s - p[0] + u, xIn = j * s - p[1] + v;
            const bool inside = yIn >= 0 && yIn < H && xIn >= 0 && xIn < W;
            if (inside) {
              best = std::max(best, x[(c * H + yIn) * W + xIn]);
              sum += x[(c * H + yIn) * W + xIn];
            }
            if (inside || (countPad && yIn < H + p[2] && xIn < W + p[3])) ++count;
          }
        y.push_back(max ? best : static_cast<float>(sum / count));
      }
  return y;
}

TEST(OnnxImporterTest, MaxPoolAndAveragePoolWithPads) {
  const auto x = test::splitmixSigned(17, 2 * 5 * 6);
  for (const auto& [op, countPad] : {std::pair{"MaxPool", 0}, {"AveragePool", 0}, {"AveragePool", 1}}) {
    OnnxModelBuilder model;
    model.input("x", {1, 2, 5, 6});
    auto& pool = model.node(op, {"x"}, {"y"});
    setInts(pool, "kernel_shape", {3, 3});
    setInts(pool, "strides", {2, 2});
    setInts(pool, "pads", {1, 1, 1, 0});
    if (std::string(op) == "AveragePool") setInt(pool, "count_include_pad", countPad);
    model.output("y");
    nn::Shape ys;
    const auto expected = onnxPool(x, 2, 5, 6, 3, 2, {1, 1, 1, 0}, std::string(op) == "MaxPool", countPad != 0, ys);
    SCOPED_TRACE(std::string(op) + " count_include_pad " + std::to_string(countPad));
    test::expectOutput(model, {x}, expected, ys, TOLERANCE);
  }
}

TEST(OnnxImporterTest, GlobalAveragePoolAndReduceMeanOverHW) {
  const auto x = test::splitmixSigned(18, 3 * 4 * 5);
  std::vector<float> means(3);
  for (int c = 0; c < 3; ++c) {
    double sum = 0.0;
    for (int i = 0; i < 20; ++i) sum += x[c * 20 + i];
    means[c] = static_cast<float>(sum / 20.0);
  }
  OnnxModelBuilder model;
  model.input("x", {1, 3, 4, 5});
  model.node("GlobalAveragePool", {"x"}, {"g"});
  auto& reduce = model.node("ReduceMean", {"x"}, {"r"});
  setInts(reduce, "axes", {-1, 2});
  setInt(reduce, "keepdims", 0);
  model.output("g");
  model.output("r");
  test::expectOutput(model, {x}, means, {1, 3, 1, 1}, TOLERANCE, 0);
  test::expectOutput(model, {x}, means, {1, 3}, TOLERANCE, 1);
}

}  // namespace
}  // namespace meshrt
