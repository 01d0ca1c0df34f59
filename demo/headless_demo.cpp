#include "headless_demo.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>

#include "capture/frame_source_factory.h"
#include "core/clock.h"
#include "core/image.h"
#include "core/process_memory.h"
#include "stages/preprocess.h"
#include "vk/command_stream.h"
#include "vk/gpu_allocator.h"
#include "vk/gpu_timestamps.h"
#include "vk/staging.h"
#include "frame_overlay.h"
#include "object_crop.h"

namespace meshrt::cli {
namespace {

constexpr uint32_t SLOTS = 2;  // frames in flight

struct Slot {
  vk::Buffer upload;    // Upload memory: the frame's bytes
  vk::Buffer frame;     // device copy of the frame
  vk::Buffer tensor;    // NCHW fp32 preprocess output
  vk::Buffer readback;  // host copy of the tensor
  std::unique_ptr<vk::GpuTimestamps> timestamps;
  // The frame this slot is working on, kept for compositing its PNG.
  std::optional<Frame> pending;
  bool save = false;  // compose and write the pending frame's PNG
  CropRect crop;
  uint64_t timelineValue = 0;
};

// The input frame with the crop outlined, and the preprocessed tensor (values in [0, 1]) as an
// inset in the top-right corner at half size.
Image composeOutput(const Frame& frame, const CropRect& crop, const float* tensor, uint32_t size) {
  Image out = frame.image;
  const uint8_t green[3] = {60, 230, 90};
  drawCropOutline(out, crop, green);
  const uint32_t inset = std::min({size / 2, out.width / 3, out.height / 3});
  const uint32_t left = out.width - inset - 8, top = 8;
  const size_t plane = size_t{size} * size;
  for (uint32_t y = 0; y < inset; ++y) {
    for (uint32_t x = 0; x < inset; ++x) {
      const size_t index = size_t{y * size / inset} * size + x * size / inset;
      uint8_t* pixel = out.at(left + x, top + y);
      for (int ch = 0; ch < 3; ++ch) {
        pixel[ch] = static_cast<uint8_t>(std::clamp(tensor[ch * plane + index], 0.0f, 1.0f) * 255.0f + 0.5f);
      }
    }
  }
  return out;
}

}  // namespace

Result<HeadlessDemoSummary> runHeadlessDemo(vk::Context& context, const HeadlessDemoParams& params,
                                            Profiler& profiler) {
  auto opened = openFrameSource(params.source);
  if (!opened) return opened.error();
  std::unique_ptr<FrameSource> source = std::move(*opened);
  vk::GpuAllocator allocator(context);
  auto stream = vk::CommandStream::create(context, SLOTS);
  if (!stream) return stream.error();
  auto stage = PreprocessStage::create(context);
  if (!stage) return stage.error();

  Frame probe;
  MESHRT_TRY(source->next(probe));  // learn the frame size; the loop restarts the source
  opened = openFrameSource(params.source);
  if (!opened) return opened.error();
  source = std::move(*opened);
  const VkDeviceSize frameBytes = (probe.image.pixels.size() + 3) / 4 * 4;
  const VkDeviceSize tensorBytes = VkDeviceSize{3} * params.tensorSize * params.tensorSize * sizeof(float);
  std::array<Slot, SLOTS> slots;
  for (Slot& slot : slots) {
    auto upload = allocator.createBuffer({frameBytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, vk::MemoryUsage::Upload, false, "frame upload"});
    auto frame = allocator.createBuffer({frameBytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                         vk::MemoryUsage::DeviceLocal, false, "frame"});
    auto tensor = allocator.createBuffer({tensorBytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                                          vk::MemoryUsage::DeviceLocal, false, "tensor"});
    auto readback = allocator.createBuffer({tensorBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, vk::MemoryUsage::Readback, false, "tensor readback"});
    auto timestamps = vk::GpuTimestamps::create(context, 8);
    if (!upload) return upload.error();
    if (!frame) return frame.error();
    if (!tensor) return tensor.error();
    if (!readback) return readback.error();
    if (!timestamps) return timestamps.error();
    slot.upload = std::move(*upload);
    slot.frame = std::move(*frame);
    slot.tensor = std::move(*tensor);
    slot.readback = std::move(*readback);
    slot.timestamps = std::move(timestamps.value());
  }

  HeadlessDemoSummary summary;
  // Finishes the slot's frame: waits for its GPU work, records its GPU spans, writes its PNG
  // (when the frame is one --save-every keeps).
  auto finish = [&](Slot& slot) -> Result<void> {
    if (!slot.pending) return {};
    {
      auto span = profiler.span("wait");
      MESHRT_TRY((*stream)->wait(slot.timelineValue));
    }
    auto gpuSpans = slot.timestamps->resolve();
    if (!gpuSpans) return gpuSpans.error();
    for (const vk::GpuSpan& gpu : *gpuSpans) {
      profiler.addGpuSpan(gpu.name, "gpu:queue0", slot.pending->index, gpu.startNs, gpu.endNs);
    }
    if (!slot.save) {
      slot.pending.reset();
      return {};
    }
    Image composed;
    {
      auto span = profiler.span("compose");
      composed = composeOutput(*slot.pending, slot.crop, static_cast<const float*>(slot.readback.mapped()),
                               params.tensorSize);
    }
    {
      auto span = profiler.span("write_png");
      char name[32];
      std::snprintf(name, sizeof(name), "frame_%04lld.png", static_cast<long long>(slot.pending->index));
      MESHRT_TRY(writePng(composed, params.outDir + "/" + name));
    }
    ++summary.pngsWritten;
    slot.pending.reset();
    return {};
  };

  const int64_t start = nowNs();
  for (int64_t i = 0; i < params.frames; ++i) {
    profiler.beginFrame(i);
    Slot& slot = slots[static_cast<size_t>(i) % SLOTS];
    MESHRT_TRY(finish(slot));  // only if the loop below did not already finish it
    Frame frame;
    {
      auto span = profiler.span("capture");
      MESHRT_TRY(source->next(frame));
    }
    if (frame.image.width != probe.image.width || frame.image.height != probe.image.height) {
      return makeError(source->name(), "frame " + std::to_string(frame.index) + " is " + std::to_string(frame.image.width) +
                                           "x" + std::to_string(frame.image.height) + ", the first was " +
                                           std::to_string(probe.image.width) + "x" + std::to_string(probe.image.height) +
                                           " (headless runs need one frame size)");
    }
    PreprocessConfig config;
    config.crop = objectCropFor(*source, frame);
    config.outWidth = config.outHeight = params.tensorSize;
    config.normalization = Normalization::ZeroToOne;
    const FrameLayout layout{frame.image.width, frame.image.height, 3, 0};
    auto preprocessParams = makePreprocessParams(config, layout);
    if (!preprocessParams) return preprocessParams.error();
    {
      auto span = profiler.span("record");
      auto cmd = (*stream)->begin();
      if (!cmd) return cmd.error();
      slot.timestamps->reset(*cmd);
      int id = slot.timestamps->beginSpan(*cmd, "upload");
      const auto* bytes = reinterpret_cast<const std::byte*>(frame.image.pixels.data());
      MESHRT_TRY(vk::recordUpload(*cmd, slot.upload, 0, {bytes, frame.image.pixels.size()}, slot.frame, 0));
      slot.timestamps->endSpan(*cmd, id);
      id = slot.timestamps->beginSpan(*cmd, "preprocess");
      MESHRT_TRY((*stage)->record(**stream, slot.frame, slot.tensor, *preprocessParams));
      slot.timestamps->endSpan(*cmd, id);
      id = slot.timestamps->beginSpan(*cmd, "download");
      vk::recordDownload(*cmd, slot.tensor, 0, slot.readback, 0, tensorBytes);
      slot.timestamps->endSpan(*cmd, id);
    }
    {
      auto span = profiler.span("submit");
      auto value = (*stream)->submit();
      if (!value) return value.error();
      slot.timelineValue = *value;
    }
    slot.crop = config.crop;
    slot.save = !params.outDir.empty() && params.saveEvery > 0 && i % params.saveEvery == 0;  // "" = bench: no PNGs
    slot.pending = std::move(frame);
    // Frame i-1's output is finished while the GPU works on frame i.
    if (i > 0) MESHRT_TRY(finish(slots[static_cast<size_t>(i - 1) % SLOTS]));
    profiler.endFrame();
    if (params.memorySampleEvery > 0 && ((i + 1) % params.memorySampleEvery == 0 || i + 1 == params.frames)) {
      auto rss = residentSetKib();
      if (!rss) return rss.error();
      summary.memory.push_back({i + 1, *rss});
    }
  }
  for (Slot& slot : slots) MESHRT_TRY(finish(slot));
  summary.frames = params.frames;
  summary.wallSeconds = static_cast<double>(nowNs() - start) * 1e-9;
  return summary;
}

}  // namespace meshrt::cli
