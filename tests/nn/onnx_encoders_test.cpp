// Issue 5, acceptance 2: torchvision's ResNet-18 and MobileNetV2 exported to ONNX (opset 13) at
// 256×256 and 224×224, imported and run by the reference executor and by the oneDNN CPU
// executor, match PyTorch's logits to relative L2 ≤ 1e-4. The models live in the cache (`./meshrt.sh build` exports them with
// tools/export_encoders.py); the goldens are committed under tests/goldens/onnx/. The input is
// splitmixSigned(INPUT_SEED, 3·S·S), NCHW, the same floats the exporter fed PyTorch.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ostream>
#include <filesystem>
#include <string>

#include "core/npy_file.h"
#include "nn/cpu_executor.h"
#include "nn/onnx_importer.h"
#include "nn/reference_executor.h"
#include "support/splitmix.h"
#include "support/tensor_compare.h"

namespace meshrt {
namespace {

constexpr uint64_t INPUT_SEED = 5;  // tools/export_encoders.py INPUT_SEED
constexpr double TOLERANCE = 1e-4;  // relative L2 over the 1000 logits (issue 5, acceptance 2)

// ${MESHRT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshrt}/models/onnx, as the exporter resolves it.
std::filesystem::path modelDirectory() {
  std::filesystem::path cache;
  if (const char* explicitCache = std::getenv("MESHRT_CACHE"); explicitCache && *explicitCache) {
    cache = explicitCache;
  } else if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    cache = std::filesystem::path(xdg) / "meshrt";
  } else {
    const char* home = std::getenv("HOME");
    cache = std::filesystem::path(home ? home : "/") / ".cache" / "meshrt";
  }
  return cache / "models" / "onnx";
}

struct EncoderCase {
  const char* model;
  int64_t size;  // square input, pixels
};

void PrintTo(const EncoderCase& encoder, std::ostream* out) { *out << encoder.model << " " << encoder.size << "x" << encoder.size; }

class OnnxEncoderTest : public ::testing::TestWithParam<EncoderCase> {};

std::string stem(const EncoderCase& param) { return std::string(param.model) + "_" + std::to_string(param.size); }

// The model's path, or empty (and the test skipped by the caller) when it was never exported.
std::filesystem::path exportedModel(const EncoderCase& param) {
  const std::filesystem::path path = modelDirectory() / (stem(param) + ".onnx");
  return std::filesystem::exists(path) ? path : std::filesystem::path();
}

// Imports the model and checks the IR's input and output shapes; loads the golden logits.
void importWithGolden(const EncoderCase& param, const std::filesystem::path& path, nn::Graph& graph, NpyArray& golden) {
  auto imported = nn::importOnnx(path.string());
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  graph = std::move(*imported);
  ASSERT_EQ(graph.inputs.size(), 1u);
  ASSERT_EQ(graph.tensors[graph.inputs[0]].shape, (nn::Shape{1, 3, param.size, param.size}));
  ASSERT_EQ(graph.outputs.size(), 1u);
  EXPECT_EQ(graph.tensors[graph.outputs[0]].shape, (nn::Shape{1, 1000}));
  auto loaded = readNpy(std::string(MESHRT_ONNX_GOLDEN_DIR) + "/" + stem(param) + ".npy");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  golden = std::move(*loaded);
  ASSERT_EQ(golden.floats().size(), 1000u);
}

std::vector<float> seededInput(const EncoderCase& param) {
  return test::splitmixSigned(INPUT_SEED, static_cast<uint64_t>(3 * param.size * param.size));
}

#define MESHRT_SKIP_IF_NOT_EXPORTED(path)                                                                    \
  if ((path).empty())                                                                                        \
    GTEST_SKIP() << modelDirectory() / (stem(GetParam()) + ".onnx")                                          \
                 << " is missing: run ./meshrt.sh build (it exports the models with tools/export_encoders.py)"

TEST_P(OnnxEncoderTest, ReferenceExecutorMatchesPyTorch) {
  const std::filesystem::path path = exportedModel(GetParam());
  MESHRT_SKIP_IF_NOT_EXPORTED(path);
  nn::Graph graph;
  NpyArray golden;
  ASSERT_NO_FATAL_FAILURE(importWithGolden(GetParam(), path, graph, golden));
  auto outputs = nn::runReference(graph, {seededInput(GetParam())});
  ASSERT_TRUE(outputs.ok()) << outputs.error().message;
  const double error = test::relativeL2((*outputs)[0], golden.floats());
  EXPECT_LE(error, TOLERANCE);
  std::printf("%s: reference executor vs PyTorch relative L2 = %.3g\n", stem(GetParam()).c_str(), error);
}

TEST_P(OnnxEncoderTest, CpuExecutorMatchesPyTorch) {
  const std::filesystem::path path = exportedModel(GetParam());
  MESHRT_SKIP_IF_NOT_EXPORTED(path);
  nn::Graph graph;
  NpyArray golden;
  ASSERT_NO_FATAL_FAILURE(importWithGolden(GetParam(), path, graph, golden));
  auto executor = nn::CpuExecutor::create(graph, nn::CpuExecutorOptions{});
  ASSERT_TRUE(executor.ok()) << executor.error().message;
  const std::vector<float> input = seededInput(GetParam());
  std::vector<float> logits(1000);
  const std::span<const float> inputs[] = {input};
  const std::span<float> outputs[] = {logits};
  auto ran = (*executor)->run(inputs, outputs);
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  const double error = test::relativeL2(logits, golden.floats());
  EXPECT_LE(error, TOLERANCE);
  std::printf("%s: oneDNN CPU executor vs PyTorch relative L2 = %.3g\n", stem(GetParam()).c_str(), error);
}

INSTANTIATE_TEST_SUITE_P(TorchvisionExports, OnnxEncoderTest,
                         ::testing::Values(EncoderCase{"resnet18", 256}, EncoderCase{"resnet18", 224},
                                           EncoderCase{"mobilenet_v2", 256}, EncoderCase{"mobilenet_v2", 224}),
                         [](const ::testing::TestParamInfo<EncoderCase>& caseInfo) {
                           return std::string(caseInfo.param.model) + "_" + std::to_string(caseInfo.param.size);
                         });

}  // namespace
}  // namespace meshrt
