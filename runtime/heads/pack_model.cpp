#include "heads/pack_model.h"

#include "core/profiler.h"

#include <string>

#include "nn/cpu_executor.h"
#include "nn/tflite_importer.h"

namespace meshrt {

PackModelRunner::~PackModelRunner() = default;

Result<std::unique_ptr<PackModelRunner>> PackModelRunner::create(const PackModel& model, int threads) {
  auto graph = nn::importTflite(model.path);
  if (!graph) return graph.error();
  auto inferred = nn::inferShapes(*graph);
  if (!inferred) return inferred.error();
  const std::string context = model.path;
  if (graph->inputs.size() != 1) return makeError(context, "expected one model input, got " + std::to_string(graph->inputs.size()));
  const nn::Shape& input = graph->tensors[graph->inputs[0]].shape;
  const nn::Shape expected{1, 3, int64_t(model.input.height), int64_t(model.input.width)};
  if (input != expected) {
    return makeError(context, "input is not [1][3][" + std::to_string(model.input.height) + "][" +
                                  std::to_string(model.input.width) + "] as pack.json's input says");
  }
  std::unique_ptr<PackModelRunner> runner(new PackModelRunner());
  runner->mModel = model;
  for (nn::TensorId id : graph->outputs) runner->mOutputNames.push_back(graph->tensors[id].name);
  for (const auto& [role, name] : model.outputs) {
    bool found = false;
    for (const std::string& outputName : runner->mOutputNames) found = found || outputName == name;
    if (!found) return makeError(context, "output '" + name + "' (" + role + ") not in the model");
  }
  nn::CpuExecutorOptions options;
  options.threads = threads;
  auto executor = nn::CpuExecutor::create(*graph, options);
  if (!executor) return makeError(context, executor.error().message);
  runner->mExecutor = std::move(*executor);
  runner->mInput.assign(size_t{3} * model.input.width * model.input.height, 0.0f);
  for (const nn::Shape& shape : runner->mExecutor->outputShapes()) {
    size_t count = 1;
    for (int64_t dim : shape) count *= size_t(dim);
    runner->mOutputs.emplace_back(count, 0.0f);
  }
  return runner;
}

PreprocessConfig PackModelRunner::preprocessConfig(const CropRect& crop, uint32_t frameWidth,
                                                   uint32_t frameHeight) const {
  PreprocessConfig config;
  config.outWidth = mModel.input.width;
  config.outHeight = mModel.input.height;
  config.normalization = mModel.input.normalization == PackNormalization::MinusOneToOne ? Normalization::MinusOneToOne
                                                                                         : Normalization::ZeroToOne;
  CropRect whole;
  whole.centerX = 0.5f * float(frameWidth);
  whole.centerY = 0.5f * float(frameHeight);
  whole.width = float(frameWidth);
  whole.height = float(frameHeight);
  switch (mModel.input.crop) {
    case PackCropMode::StretchFrame:
      config.crop = whole;
      config.letterbox = false;
      config.border = BorderMode::Replicate;
      break;
    case PackCropMode::LetterboxZero:
      config.crop = whole;
      config.letterbox = true;
      config.border = BorderMode::Zero;
      break;
    case PackCropMode::LetterboxReplicate:
      config.crop = crop;
      config.letterbox = true;
      config.border = BorderMode::Replicate;
      break;
  }
  return config;
}

Result<void> PackModelRunner::run(const Image& frame, const PreprocessConfig& config, gpu::PreprocessParams& params,
                                  Profiler* profiler) {
  FrameLayout layout;
  layout.width = frame.width;
  layout.height = frame.height;
  layout.channels = frame.channels;
  auto made = makePreprocessParams(config, layout);
  if (!made) return made.error();
  params = *made;
  {
    ScopedSpan span = profiler ? profiler->span("preprocess") : ScopedSpan{};
    preprocessReference(params, frame.pixels.data(), mInput.data());
  }
  const std::span<const float> inputs[1] = {mInput};
  std::vector<std::span<float>> outputs;
  for (auto& output : mOutputs) outputs.emplace_back(output);
  ScopedSpan span = profiler ? profiler->span("encoder") : ScopedSpan{};
  auto ran = mExecutor->run(inputs, outputs);
  if (!ran) return makeError(mModel.path, ran.error().message);
  return {};
}

std::span<const float> PackModelRunner::output(const std::string& role) const {
  const std::string name = mModel.output(role);
  for (size_t i = 0; i < mOutputNames.size(); ++i) {
    if (mOutputNames[i] == name) return mOutputs[i];
  }
  return {};
}

}  // namespace meshrt
