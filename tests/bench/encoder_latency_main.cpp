// meshrt_encoder_latency: the C++ side of tools/encoder_latency_peer.py (issue 5, acceptance 4).
//   meshrt_encoder_latency MODEL_PATH RUNS THREADS
// Imports MODEL_PATH (.onnx or .tflite), creates the oneDNN CpuExecutor with THREADS, runs
// warm-up runs, then RUNS timed batch-1 runs on one seeded input (splitmixSigned(7, ...), NCHW
// fp32) and prints JSON {median_ms, p90_ms, runs}. Errors: one line on stderr, exit 1.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nn/cpu_executor.h"
#include "nn/onnx_importer.h"
#include "nn/tflite_importer.h"
#include "support/splitmix.h"

namespace {

constexpr int WARMUP_RUNS = 10;

int fail(const std::string& message) {
  std::fprintf(stderr, "meshrt_encoder_latency: %s\n", message.c_str());
  return 1;
}

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace meshrt;
  if (argc != 4) {
    std::fprintf(stderr, "usage: meshrt_encoder_latency MODEL_PATH RUNS THREADS\n");
    return 2;
  }
  const std::string path = argv[1];
  const int runs = std::atoi(argv[2]), threads = std::atoi(argv[3]);
  if (runs < 1 || threads < 1) return fail("RUNS and THREADS must be positive integers");
  Result<nn::Graph> graph = endsWith(path, ".tflite") ? nn::importTflite(path) : nn::importOnnx(path);
  if (!graph) return fail(graph.error().message);
  if (auto shapes = nn::inferShapes(*graph); !shapes) return fail(shapes.error().message);
  auto executor = nn::CpuExecutor::create(*graph, {threads});
  if (!executor) return fail(executor.error().message);

  std::vector<std::vector<float>> inputValues;
  for (size_t i = 0; i < graph->inputs.size(); ++i) {
    const int64_t count = nn::elementCount(graph->tensors[graph->inputs[i]].shape);
    inputValues.push_back(test::splitmixSigned(7 + i, static_cast<uint64_t>(count)));
  }
  std::vector<std::vector<float>> outputValues;
  for (const nn::Shape& shape : (*executor)->outputShapes())
    outputValues.emplace_back(static_cast<size_t>(nn::elementCount(shape)));
  const std::vector<std::span<const float>> inputs(inputValues.begin(), inputValues.end());
  const std::vector<std::span<float>> outputs(outputValues.begin(), outputValues.end());

  std::vector<double> millis;
  for (int r = 0; r < WARMUP_RUNS + runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    if (auto ran = (*executor)->run(inputs, outputs); !ran) return fail(ran.error().message);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (r >= WARMUP_RUNS) millis.push_back(ms);
  }
  std::sort(millis.begin(), millis.end());
  const auto at = [&](double q) { return millis[static_cast<size_t>(q * static_cast<double>(millis.size() - 1) + 0.5)]; };
  const nlohmann::json out = {{"median_ms", at(0.5)}, {"p90_ms", at(0.9)}, {"runs", runs}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
