// Writes the ONNX fuzz seed corpus (tests/fuzz/corpus/onnx/): small models built with the tests'
// OnnxModelBuilder that together reach every op converter of the importer. Each seed must import;
// a seed that does not is reported and the program fails, so the corpus stays meaningful.
//   build/tests/fuzz/meshrt_fuzz_onnx_seeds tests/fuzz/corpus/onnx
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "nn/onnx_model_builder.h"
#include "support/splitmix.h"

namespace meshrt::test {
namespace {

// Conv(3x3, pad 1) → Relu → GlobalAveragePool → Flatten → Gemm(transB).
OnnxModelBuilder convEncoder() {
  OnnxModelBuilder model;
  model.input("image", {1, 3, 8, 8});
  model.floatInitializer("w", {4, 3, 3, 3}, splitmixSigned(40, 4 * 27));
  model.floatInitializer("b", {4}, splitmixSigned(41, 4));
  model.floatInitializer("fc_w", {2, 4}, splitmixSigned(42, 8));
  model.floatInitializer("fc_b", {2}, splitmixSigned(43, 2));
  setInts(model.node("Conv", {"image", "w", "b"}, {"c"}, "conv1"), "pads", {1, 1, 1, 1});
  model.node("Relu", {"c"}, {"r"});
  model.node("GlobalAveragePool", {"r"}, {"g"});
  model.node("Flatten", {"g"}, {"f"});
  setInt(model.node("Gemm", {"f", "fc_w", "fc_b"}, {"logits"}, "fc"), "transB", 1);
  model.output("logits");
  return model;
}

// BatchNormalization, Clip (inputs), Pad, MaxPool, Resize (scales), Shape→Gather→Unsqueeze→Concat
// into Reshape, Gemm, Softmax.
OnnxModelBuilder shapeChain() {
  OnnxModelBuilder model;
  model.input("image", {1, 2, 6, 6});
  model.floatInitializer("w", {3, 2, 3, 3}, splitmixSigned(50, 3 * 18));
  for (const char* name : {"scale", "bias", "mean"}) model.floatInitializer(name, {3}, splitmixSigned(51, 3));
  model.floatInitializer("var", {3}, {0.5f, 1.0f, 2.0f});
  model.floatInitializer("lo", {}, {0.0f});
  model.floatInitializer("hi", {}, {6.0f});
  model.int64Initializer("pads", {8}, {0, 0, 1, 1, 0, 0, 1, 1});
  model.floatInitializer("scales", {4}, {1.0f, 1.0f, 2.0f, 2.0f});
  model.int64Initializer("zero", {}, {0});
  model.int64Initializer("axes", {1}, {0});
  model.int64Initializer("rest", {1}, {-1});
  model.floatInitializer("fc_w", {3, 4}, splitmixSigned(52, 12));
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

// Depthwise Conv (group, auto_pad SAME_UPPER, strides, dilations), HardSwish, AveragePool,
// Transpose, Concat along channels, Sigmoid.
OnnxModelBuilder depthwiseBranches() {
  OnnxModelBuilder model(14);
  model.input("x", {1, 4, 9, 9});
  model.floatInitializer("dw", {4, 1, 3, 3}, splitmixSigned(60, 36));
  auto& conv = model.node("Conv", {"x", "dw"}, {"d"});
  setInt(conv, "group", 4);
  setString(conv, "auto_pad", "SAME_UPPER");
  setInts(conv, "strides", {2, 2});
  setInts(conv, "dilations", {1, 1});
  model.node("HardSwish", {"d"}, {"h"});
  auto& pool = model.node("AveragePool", {"x"}, {"p"});
  setInts(pool, "kernel_shape", {3, 3});
  setInts(pool, "strides", {2, 2});
  setInts(pool, "pads", {1, 1, 1, 1});
  setInt(pool, "count_include_pad", 0);
  setInt(model.node("Concat", {"h", "p"}, {"cat"}), "axis", 1);
  setInts(model.node("Transpose", {"cat"}, {"t"}), "perm", {0, 2, 3, 1});
  model.node("Sigmoid", {"t"}, {"y"});
  model.output("y");
  return model;
}

// MatMul + Add (bias), LeakyRelu, PRelu, Sub and Div by constants, HardSigmoid, Identity,
// Dropout, Cast on a 2-D input.
OnnxModelBuilder matmulChain() {
  OnnxModelBuilder model;
  model.input("x", {1, 8});
  model.floatInitializer("w", {8, 4}, splitmixSigned(70, 32));
  model.floatInitializer("b", {4}, splitmixSigned(71, 4));
  model.floatInitializer("slope", {1}, {0.25f});
  model.floatInitializer("offset", {4}, {0.5f, -0.5f, 0.25f, 0.0f});
  model.floatInitializer("divisor", {}, {2.0f});
  model.node("MatMul", {"x", "w"}, {"m"});
  model.node("Add", {"m", "b"}, {"a"});
  setFloat(model.node("LeakyRelu", {"a"}, {"l"}), "alpha", 0.1f);
  model.node("PRelu", {"l", "slope"}, {"p"});
  model.node("Sub", {"p", "offset"}, {"s"});
  model.node("Div", {"s", "divisor"}, {"d"});
  auto& hard = model.node("HardSigmoid", {"d"}, {"hs"});
  setFloat(hard, "alpha", 0.2f);
  setFloat(hard, "beta", 0.5f);
  model.node("Identity", {"hs"}, {"i"});
  model.node("Dropout", {"i"}, {"dr"});
  setInt(model.node("Cast", {"dr"}, {"y"}), "to", 1);
  model.output("y");
  return model;
}

// ReduceMean over H, W (keepdims), Squeeze/Unsqueeze with axes inputs (opset 13), Mul by a
// Constant node, Clip with its opset-11 attributes... as inputs; Resize nearest with sizes.
OnnxModelBuilder reduceAndSqueeze() {
  OnnxModelBuilder model;
  model.input("x", {1, 3, 4, 4});
  model.int64Initializer("hw", {2}, {2, 3});
  model.int64Initializer("sizes", {4}, {1, 3, 8, 8});
  auto& resize = model.node("Resize", {"x", "", "", "sizes"}, {"up"});
  setString(resize, "mode", "nearest");
  setString(resize, "coordinate_transformation_mode", "asymmetric");
  setString(resize, "nearest_mode", "floor");
  auto& mean = model.node("ReduceMean", {"up"}, {"m"});
  setInts(mean, "axes", {2, 3});
  setInt(mean, "keepdims", 1);
  model.node("Squeeze", {"m", "hw"}, {"s"});
  onnx::NodeProto& constant = model.node("Constant", {}, {"k"});
  onnx::AttributeProto* value = constant.add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  OnnxModelBuilder::fillFloatTensor(*value->mutable_t(), "k", {3}, {1.0f, 2.0f, 3.0f}, true);
  model.node("Mul", {"s", "k"}, {"scaled"});
  model.node("Unsqueeze", {"scaled", "hw"}, {"u"});
  model.node("Relu", {"u"}, {"y"});
  model.output("y");
  return model;
}

// Opset 11: Clip with min/max attributes... as optional inputs, Squeeze/Unsqueeze with axes
// attributes, Pad with pads as input and constant mode, Softmax axis attribute, Flatten axis.
OnnxModelBuilder opset11() {
  OnnxModelBuilder model(11);
  model.input("x", {1, 2, 3, 3});
  model.floatInitializer("lo", {}, {-1.0f});
  model.floatInitializer("hi", {}, {1.0f});
  model.int64Initializer("pads", {8}, {0, 0, 1, 0, 0, 0, 0, 1});
  model.node("Clip", {"x", "lo", "hi"}, {"c"});
  setString(model.node("Pad", {"c", "pads"}, {"p"}), "mode", "constant");
  setInt(model.node("Flatten", {"p"}, {"f"}), "axis", 1);
  setInts(model.node("Unsqueeze", {"f"}, {"u"}), "axes", {2, 3});
  setInts(model.node("Squeeze", {"u"}, {"s"}), "axes", {3});
  setInt(model.node("Softmax", {"s"}, {"y"}), "axis", 1);
  model.output("y");
  return model;
}

// Edge cases a corrupt file can hold (each must fail with an error, or import): a zero-sized
// initializer of enormous dims, huge pads, scales, axes and attributes. Seeds for the fuzzer's
// edge paths; the seed writer only requires that they do not crash.
std::vector<std::pair<const char*, OnnxModelBuilder>> edgeSeeds() {
  std::vector<std::pair<const char*, OnnxModelBuilder>> seeds;
  {
    OnnxModelBuilder model;  // Add of a 0-element constant of shape [0][2^62]
    model.input("x", {1, 4});
    model.floatInitializer("empty", {0, int64_t{1} << 62}, {});
    model.node("Add", {"x", "empty"}, {"y"});
    model.output("y");
    seeds.emplace_back("edge_empty_huge_constant.onnx", std::move(model));
  }
  {
    OnnxModelBuilder model;  // Pad by 2^62 on each side
    model.input("x", {1, 1, 2, 2});
    model.int64Initializer("pads", {8}, {0, 0, int64_t{1} << 62, int64_t{1} << 62, 0, 0, int64_t{1} << 62, 1});
    model.node("Pad", {"x", "pads"}, {"y"});
    model.output("y");
    seeds.emplace_back("edge_huge_pads.onnx", std::move(model));
  }
  {
    OnnxModelBuilder model;  // Resize by 1e30
    model.input("x", {1, 1, 2, 2});
    model.floatInitializer("scales", {4}, {1.0f, 1.0f, 1e30f, 1e30f});
    model.node("Resize", {"x", "", "scales"}, {"y"});
    model.output("y");
    seeds.emplace_back("edge_huge_resize.onnx", std::move(model));
  }
  {
    OnnxModelBuilder model;  // Conv with dilations 2^40 and strides 2^40
    model.input("x", {1, 1, 4, 4});
    model.floatInitializer("w", {1, 1, 2, 2}, {1.0f, 1.0f, 1.0f, 1.0f});
    auto& conv = model.node("Conv", {"x", "w"}, {"y"});
    setInts(conv, "dilations", {int64_t{1} << 40, 1});
    setInts(conv, "strides", {int64_t{1} << 40, 1});
    model.output("y");
    seeds.emplace_back("edge_huge_dilation.onnx", std::move(model));
  }
  {
    OnnxModelBuilder model;  // MaxPool with a kernel of 2^40, ceil_mode
    model.input("x", {1, 1, 4, 4});
    auto& pool = model.node("MaxPool", {"x"}, {"y"});
    setInts(pool, "kernel_shape", {int64_t{1} << 40, 2});
    setInt(pool, "ceil_mode", 1);
    model.output("y");
    seeds.emplace_back("edge_huge_kernel.onnx", std::move(model));
  }
  {
    OnnxModelBuilder model;  // Unsqueeze to rank 12, Flatten and Softmax with far axes
    model.input("x", {1, 2});
    model.int64Initializer("axes", {8}, {2, 3, 4, 5, 6, 7, 8, 9});
    model.node("Unsqueeze", {"x", "axes"}, {"u"});
    setInt(model.node("Flatten", {"u"}, {"f"}), "axis", -1000);
    setInt(model.node("Softmax", {"f"}, {"y"}), "axis", int64_t{1} << 40);
    model.output("y");
    seeds.emplace_back("edge_far_axes.onnx", std::move(model));
  }
  {
    OnnxModelBuilder model;  // Shape → Gather at index -2^62 → Reshape
    model.input("x", {1, 3, 2, 2});
    model.int64Initializer("index", {}, {-(int64_t{1} << 62)});
    model.node("Shape", {"x"}, {"shape"});
    model.node("Gather", {"shape", "index"}, {"picked"});
    model.node("Reshape", {"x", "picked"}, {"y"});
    model.output("y");
    seeds.emplace_back("edge_gather_far_index.onnx", std::move(model));
  }
  {
    OnnxModelBuilder model;  // Transpose with a repeated, out-of-range perm; Concat axis 2^40
    model.input("x", {1, 2, 3});
    setInts(model.node("Transpose", {"x"}, {"t"}), "perm", {0, 0, int64_t{1} << 40});
    setInt(model.node("Concat", {"t", "x"}, {"y"}), "axis", int64_t{1} << 40);
    model.output("y");
    seeds.emplace_back("edge_bad_perm_axis.onnx", std::move(model));
  }
  {
    OnnxModelBuilder model;  // Gemm of [1][2^31] weights declared with 4 values
    model.input("x", {1, 4});
    onnx::TensorProto& w = model.floatInitializer("w", {int64_t{1} << 31, 4}, {1.0f, 2.0f, 3.0f, 4.0f});
    (void)w;
    setInt(model.node("Gemm", {"x", "w"}, {"y"}), "transB", 1);
    model.output("y");
    seeds.emplace_back("edge_weights_dims_lie.onnx", std::move(model));
  }
  {
    OnnxModelBuilder model;  // ReduceMean over every axis, twice the same; BatchNorm epsilon NaN
    model.input("x", {1, 2, 2, 2});
    for (const char* name : {"s", "b", "m", "v"}) model.floatInitializer(name, {2}, {1.0f, 1.0f});
    auto& bn = model.node("BatchNormalization", {"x", "s", "b", "m", "v"}, {"n"});
    setFloat(bn, "epsilon", std::numeric_limits<float>::quiet_NaN());
    setInts(model.node("ReduceMean", {"n"}, {"y"}), "axes", {3, 3, -1, -5});
    model.output("y");
    seeds.emplace_back("edge_reduce_bn.onnx", std::move(model));
  }
  return seeds;
}

}  // namespace
}  // namespace meshrt::test

int main(int argc, char** argv) {
  using namespace meshrt::test;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path directory(argv[1]);
  std::filesystem::create_directories(directory);
  std::vector<std::pair<const char*, OnnxModelBuilder>> seeds = {
      {"conv_encoder.onnx", convEncoder()},          {"shape_chain.onnx", shapeChain()},
      {"depthwise_branches.onnx", depthwiseBranches()}, {"matmul_chain.onnx", matmulChain()},
      {"reduce_squeeze.onnx", reduceAndSqueeze()},   {"opset11.onnx", opset11()}};
  int failures = 0;
  auto edges = edgeSeeds();
  const size_t importing = seeds.size();
  for (auto& edge : edges) seeds.push_back(std::move(edge));
  for (size_t i = 0; i < seeds.size(); ++i) {
    const auto& [name, model] = seeds[i];
    auto graph = model.import(name);
    if (i < importing && !graph.ok()) {
      std::fprintf(stderr, "seed %s does not import: %s\n", name, graph.error().message.c_str());
      ++failures;
      continue;
    }
    const std::string bytes = model.serialize();
    const std::filesystem::path path = directory / name;
    const std::filesystem::path temporary = directory / (std::string(name) + ".tmp");
    {
      std::ofstream file(temporary, std::ios::binary);
      file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!file) {
        std::fprintf(stderr, "%s: write failed\n", temporary.c_str());
        return 1;
      }
    }
    std::filesystem::rename(temporary, path);
    std::printf("%s: %zu bytes, %s\n", path.c_str(), bytes.size(),
                graph.ok() ? (std::to_string(graph->nodes.size()) + " nodes").c_str() : graph.error().message.c_str());
  }
  return failures == 0 ? 0 : 1;
}
