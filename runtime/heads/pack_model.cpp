#include "heads/pack_model.h"

#include <cstring>
#include <string>

#include "core/profiler.h"
#include "heads/pack_vulkan_frame.h"
#include "interop/encoder_io_factory.h"
#include "nn/cpu_executor.h"
#include "nn/onnx_importer.h"
#include "nn/tflite_importer.h"
#include "vk/command_stream.h"

namespace meshrt {
namespace {

constexpr uint64_t ENCODER_IO_TIMEOUT_NS = 30'000'000'000ull;  // per semaphore wait

}  // namespace

PackModelRunner::~PackModelRunner() = default;

Result<std::unique_ptr<PackModelRunner>> PackModelRunner::create(const PackModel& model, int threads,
                                                                 PackVulkanFrame* vulkan) {
  const bool onnx = model.path.size() >= 5 && model.path.compare(model.path.size() - 5, 5, ".onnx") == 0;
  auto graph = onnx ? nn::importOnnx(model.path) : nn::importTflite(model.path);
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
  runner->mVulkan = vulkan;
  if (vulkan) MESHRT_TRY(runner->createEncoderIo());
  return runner;
}

Result<void> PackModelRunner::createEncoderIo() {
  interop::EncoderIoParams params;
  params.inputs.push_back({mModel.path + " input", VkDeviceSize(mInput.size() * sizeof(float))});
  VkDeviceSize readbackBytes = 0;
  for (size_t i = 0; i < mOutputs.size(); ++i) {
    const VkDeviceSize bytes = mOutputs[i].size() * sizeof(float);
    params.outputs.push_back({mModel.path + " output " + mOutputNames[i], bytes});
    mReadbackOffsets.push_back(size_t(readbackBytes));
    readbackBytes += (bytes + 15) / 16 * 16;
  }
  params.slots = 2;
  // The executor here is the CPU one: it reads and writes host memory, so the factory is told
  // that CUDA is not in play and gives the host-visible buffers.
  CudaDeviceReport cuda;
  cuda.reason = PACK_ENCODER_IO_HOST_REASON;
  auto created = interop::createEncoderIo(mVulkan->context(), mVulkan->allocator(), params, cuda);
  if (!created) return makeError(mModel.path + ": encoder I/O", created.error().message);
  mIo = std::move(created->io);
  mIoFallbackReason = created->fallbackReason;
  auto readback = mVulkan->allocator().createBuffer(
      {readbackBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, vk::MemoryUsage::Readback, false, "pack model outputs"});
  if (!readback) return makeError(mModel.path + ": encoder I/O", readback.error().message);
  if (!readback->mapped()) return makeError(mModel.path + ": encoder I/O", "readback buffer is not mapped");
  mReadback = std::move(*readback);
  return {};
}

const char* PackModelRunner::encoderIoName() const {
  return mIo ? interop::encoderIoPathName(mIo->path()) : "host";
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
  if (mIo) {
    const FrameLayout& uploaded = mVulkan->layout();
    if (!mVulkan->hasFrame() || uploaded.width != frame.width || uploaded.height != frame.height ||
        uploaded.channels != frame.channels) {
      return makeError(mModel.path + ": encoder I/O", "the frame was not uploaded (PackVulkanFrame::upload) before the run");
    }
    return runEncoderIo(params, profiler);
  }
  return runHost(frame, params, profiler);
}

Result<void> PackModelRunner::runHost(const Image& frame, const gpu::PreprocessParams& params, Profiler* profiler) {
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

Result<void> PackModelRunner::runEncoderIo(const gpu::PreprocessParams& params, Profiler* profiler) {
  interop::EncoderIo& io = *mIo;
  vk::CommandStream& stream = mVulkan->stream();
  const uint64_t frame = mIoFrame++;
  const std::string context = mModel.path + ": encoder I/O frame " + std::to_string(frame);
  {
    // Producer: the Vulkan preprocess writes the model input into the slot's input buffer.
    ScopedSpan span = profiler ? profiler->span("preprocess") : ScopedSpan{};
    auto cmd = stream.begin();
    if (!cmd) return makeError(context, cmd.error().message);
    io.recordBeforeInputWrites(*cmd, frame);
    auto recorded = mVulkan->preprocess().record(stream, mVulkan->frameBuffer(), io.inputBufferObject(frame, 0), params);
    io.recordAfterInputWrites(*cmd, frame);
    const interop::FrameSyncs syncs = io.producerSyncs(frame);
    auto submitted = stream.submit(syncs.waits, syncs.signals);  // submitted even when the record
    if (!recorded) return makeError(context, recorded.error().message);  // failed: signals inputReady
    if (!submitted) return makeError(context, submitted.error().message);
  }
  ScopedSpan span = profiler ? profiler->span("encoder") : ScopedSpan{};
  // Consumer, submitted before the encoder runs (its GPU wait is released by the host signal):
  // copies the outputs to the readback buffer, then signals outputConsumed.
  auto cmd = stream.begin();
  if (!cmd) return makeError(context, cmd.error().message);
  // The previous run's copy wrote the readback buffer too (write after write).
  vk::memoryBarrier(*cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_ACCESS_TRANSFER_WRITE_BIT);
  io.recordBeforeOutputReads(*cmd, frame);
  for (size_t i = 0; i < mOutputs.size(); ++i) {
    const VkBufferCopy copy{0, mReadbackOffsets[i], mOutputs[i].size() * sizeof(float)};
    vkCmdCopyBuffer(*cmd, io.outputBuffer(frame, i), mReadback.handle(), 1, &copy);
  }
  io.recordAfterOutputReads(*cmd, frame);
  vk::memoryBarrier(*cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
                    VK_ACCESS_HOST_READ_BIT);
  const interop::FrameSyncs syncs = io.consumerSyncs(frame);
  auto consumed = stream.submit(syncs.waits, syncs.signals);
  if (!consumed) return makeError(context, consumed.error().message);

  // The encoder: waits for inputReady, runs the executor on the mapped buffers, signals
  // outputReady (also when it fails, so the consumer submit drains).
  auto encoded = io.runEncoder(frame, [this](const interop::EncoderCall& call) -> Result<void> {
    if (call.path != interop::EncoderIoPath::HostVisible) return makeError("pack encoder", "needs host-visible buffers");
    const std::span<const float> inputs[1] = {
        {static_cast<const float*>(call.inputs[0].data), call.inputs[0].bytes / sizeof(float)}};
    std::vector<std::span<float>> outputs;
    for (const interop::EncoderTensorView& view : call.outputs) {
      outputs.emplace_back(static_cast<float*>(view.data), view.bytes / sizeof(float));
    }
    return mExecutor->run(inputs, outputs);
  }, ENCODER_IO_TIMEOUT_NS);
  auto waited = stream.wait(*consumed, ENCODER_IO_TIMEOUT_NS);
  if (!encoded) return makeError(mModel.path, encoded.error().message);
  if (!waited) return makeError(context, waited.error().message);
  const auto* bytes = static_cast<const uint8_t*>(mReadback.mapped());
  for (size_t i = 0; i < mOutputs.size(); ++i) {
    std::memcpy(mOutputs[i].data(), bytes + mReadbackOffsets[i], mOutputs[i].size() * sizeof(float));
  }
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
