// The seven MediaPipe models, imported and run by the reference executor and by the oneDNN
// CpuExecutor on the seeded input of tools/tflite_golden.py, against that script's independent
// NumPy outputs (issue 5, acceptance 1: relative L2 <= 1e-4 per output), and again on one
// real photo per model (tools/tflite_golden.py REAL_IMAGES).
// Regenerate all goldens (and the synthetic model): /usr/bin/python3 tools/tflite_golden.py --synthetic
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/npy_file.h"
#include "nn/cpu_executor.h"
#include "nn/reference_executor.h"
#include "nn/tflite_importer.h"
#include "nn/tflite_layout.h"
#include "support/model_cache.h"
#include "support/splitmix.h"
#include "support/tensor_compare.h"

namespace meshrt::nn {
namespace {

constexpr double TOLERANCE = 1e-4;  // relative L2; fp32 reference vs float64 NumPy

const std::string GOLDEN_DIRECTORY = MESHRT_TFLITE_GOLDENS;

const char* const MODELS[] = {
    "object_detection_3d_cup.tflite",      "object_detection_3d_sneakers.tflite",
    "object_detection_3d_chair.tflite",    "object_detection_3d_camera.tflite",
    "object_detection_ssd_mobilenetv2_oidv4_fp16.tflite", "face_landmark.tflite",
    "face_detection_short_range.tflite",
    // tools/tflite_synthetic.py: the layout paths the MediaPipe models do not take (RESHAPE 4-D →
    // 4-D, FULLY_CONNECTED of a 4-D tensor, channel CONCATENATION, AVERAGE_POOL, SOFTMAX, ...).
    // Committed next to its goldens, so it never skips.
    "synthetic_layout_ops.tflite",
};

// [N][C][H][W] → [N][H][W][C] (the golden's TFLite layout).
std::vector<float> nchwToNhwc(const std::vector<float>& values, const Shape& nchw) {
  const int64_t n = nchw[0], c = nchw[1], h = nchw[2], w = nchw[3];
  std::vector<float> result(values.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) result[((i * h + y) * w + x) * c + ch] = values[((i * c + ch) * h + y) * w + x];
  return result;
}

class TfliteGolden : public ::testing::TestWithParam<size_t> {};

// Runs `graph` on `nchw` with the reference executor and the CpuExecutor and compares every
// output with the NumPy golden files listed in `expectedOutputs` (goldens.json entries).
void expectExecutorsMatchGolden(const Graph& graph, const std::vector<float>& nchw,
                                const nlohmann::json& expectedOutputs, const std::string& label) {
  const auto start = std::chrono::steady_clock::now();
  auto reference = runReference(graph, {nchw});
  const double referenceSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(reference.ok()) << reference.error().message;

  auto executor = CpuExecutor::create(graph, CpuExecutorOptions{});
  ASSERT_TRUE(executor.ok()) << executor.error().message;
  std::vector<std::vector<float>> cpu(graph.outputs.size());
  std::vector<std::span<float>> cpuSpans;
  for (size_t k = 0; k < cpu.size(); ++k) {
    cpu[k].resize(size_t(elementCount(graph.tensors[graph.outputs[k]].shape)));
    cpuSpans.emplace_back(cpu[k]);
  }
  const std::span<const float> inputSpan(nchw);
  const auto cpuStart = std::chrono::steady_clock::now();
  auto ran = (*executor)->run(std::span<const std::span<const float>>(&inputSpan, 1), cpuSpans);
  const double cpuSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - cpuStart).count();
  ASSERT_TRUE(ran.ok()) << ran.error().message;

  ASSERT_EQ(reference->size(), expectedOutputs.size());
  for (size_t k = 0; k < reference->size(); ++k) {
    const nlohmann::json& expected = expectedOutputs[k];
    const Tensor& output = graph.tensors[graph.outputs[k]];
    EXPECT_EQ(output.name, expected["name"].get<std::string>());
    auto numpy = readNpy(GOLDEN_DIRECTORY + "/" + expected["file"].get<std::string>());
    ASSERT_TRUE(numpy.ok()) << numpy.error().message;
    for (const auto& [executorName, values] : {std::pair<const char*, std::vector<float>*>{"reference", &(*reference)[k]},
                                               std::pair<const char*, std::vector<float>*>{"cpu", &cpu[k]}}) {
      std::vector<float> actual = *values;
      if (output.shape.size() == 4) actual = nchwToNhwc(actual, output.shape);
      const double error = test::relativeL2(actual, numpy->floats());
      EXPECT_LE(error, TOLERANCE) << label << " output " << k << " '" << output.name << "' (" << executorName << ")";
      std::printf("%s output %zu '%s' (%s): relative L2 %.3g\n", label.c_str(), k, output.name.c_str(), executorName,
                  error);
    }
  }
  // One run each, for the log only (speed is measured by benchmarks, never asserted).
  std::printf("%s: reference executor %.3f s, CpuExecutor first run %.3f s\n", label.c_str(), referenceSeconds,
              cpuSeconds);
}

TEST_P(TfliteGolden, ReferenceAndCpuExecutorsMatchTheNumPyGolden) {
  const std::string file = MODELS[GetParam()];
  const bool synthetic = file.rfind("synthetic_", 0) == 0;
  const std::string path = synthetic ? GOLDEN_DIRECTORY + "/" + file : test::cachedModelPath(file);
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "models not fetched: run ./meshrt.sh build (" << path << " is missing)";
  std::ifstream indexStream(GOLDEN_DIRECTORY + "/goldens.json");
  ASSERT_TRUE(indexStream) << GOLDEN_DIRECTORY << "/goldens.json missing";
  const nlohmann::json index = nlohmann::json::parse(indexStream);
  ASSERT_TRUE(index["models"].contains(file)) << "no golden for " << file << ": run tools/tflite_golden.py";
  const nlohmann::json& golden = index["models"][file];

  auto graph = importTflite(path);
  ASSERT_TRUE(graph.ok()) << graph.error().message;
  ASSERT_TRUE(validateGraph(*graph).ok());
  auto inferred = inferShapes(*graph);
  ASSERT_TRUE(inferred.ok()) << inferred.error().message;
  const Shape& inputShape = graph->tensors[graph->inputs[0]].shape;  // NCHW

  // The seeded input: splitmix_signed(seed, count) in the model's NHWC order.
  const uint64_t seed = index["seed"].get<uint64_t>();
  const std::vector<float> nhwc = test::splitmixSigned(seed, uint64_t(elementCount(inputShape)));
  expectExecutorsMatchGolden(
      *graph, tflite_layout::lastAxisToSecond(nhwc, inputShape[0], inputShape[2], inputShape[3], inputShape[1]),
      golden["outputs"], file + " (seeded input)");

  // One real photo per MediaPipe model (tests/data/README.md), mapped to the model's range.
  if (synthetic) return;
  ASSERT_TRUE(golden.contains("real")) << "no real-photo golden for " << file << ": run tools/tflite_golden.py";
  const nlohmann::json& real = golden["real"];
  auto pixels = readNpy(std::string(MESHRT_TEST_DATA) + "/" + real["image"].get<std::string>());
  ASSERT_TRUE(pixels.ok()) << pixels.error().message;
  ASSERT_EQ(pixels->uint8s().size(), size_t(elementCount(inputShape))) << real["image"];
  const float low = real["range"][0].get<float>(), high = real["range"][1].get<float>();
  std::vector<float> photo(pixels->uint8s().size());
  for (size_t i = 0; i < photo.size(); ++i) photo[i] = low + (high - low) * float(pixels->uint8s()[i]) / 255.0f;
  expectExecutorsMatchGolden(
      *graph, tflite_layout::lastAxisToSecond(photo, inputShape[0], inputShape[2], inputShape[3], inputShape[1]),
      real["outputs"], file + " (photo " + real["image"].get<std::string>() + ")");
}

INSTANTIATE_TEST_SUITE_P(MediaPipe, TfliteGolden, ::testing::Range(size_t(0), std::size(MODELS)),
                         [](const ::testing::TestParamInfo<size_t>& param) {
                           std::string name = MODELS[param.param];
                           name = name.substr(0, name.find('.'));  // gtest names: letters and digits
                           name.erase(std::remove(name.begin(), name.end(), '_'), name.end());
                           return name;
                         });

}  // namespace
}  // namespace meshrt::nn
