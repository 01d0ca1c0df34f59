// The headless frame loop with a pack (headless_demo.h runHeadlessPackLoop).
#include <cstdio>
#include <optional>

#include "capture/frame_source_factory.h"
#include "core/clock.h"
#include "core/image.h"
#include "core/process_memory.h"
#include "headless_demo.h"
#include "pack_frame_processor.h"

namespace meshrt::cli {

Result<HeadlessDemoSummary> runHeadlessPackLoop(vk::Context& context, const HeadlessDemoParams& params,
                                                Profiler& profiler) {
  auto opened = openFrameSource(params.source);
  if (!opened) return opened.error();
  std::unique_ptr<FrameSource> source = std::move(*opened);
  PackFrameParams frameParams;
  frameParams.encoderThreads = params.encoderThreads;
  frameParams.vulkanEncoderIo = params.vulkanEncoderIo;
  frameParams.head = params.head;
  auto processor = PackFrameProcessor::create(&context, *params.pack, profiler, frameParams);
  if (!processor) return processor.error();

  HeadlessDemoSummary summary;
  summary.encoderIo = (*processor)->encoderIoName();
  // The latest object 0 and its fused texture, for the export after the last frame.
  std::optional<ReconstructedObject> lastObject;
  Image lastTexture;
  const int64_t start = nowNs();
  for (int64_t i = 0; i < params.frames; ++i) {
    profiler.beginFrame(i);
    Frame frame;
    {
      auto span = profiler.span("capture");
      auto captured = source->next(frame);
      if (!captured) return captured.error();
      if (!*captured) return makeError(source->name(), "ended after " + std::to_string(i) + " frames");
    }
    auto output = (*processor)->process(frame.image);
    if (!output) return makeError(source->name() + ": frame " + std::to_string(i), output.error().message);
    summary.framesWithObjects += output->objects.empty() ? 0 : 1;
    summary.detectorRuns += output->ranDetector ? 1 : 0;
    if (!params.exportDir.empty() && !output->objects.empty() && output->fusedTexture.width > 0) {
      lastObject = std::move(output->objects.front());
      lastTexture = std::move(output->fusedTexture);
    }
    if (params.saveEvery > 0 && i % params.saveEvery == 0 && !params.outDir.empty()) {
      auto span = profiler.span("write_png");
      char name[32];
      std::snprintf(name, sizeof(name), "frame_%04lld.png", static_cast<long long>(i));
      MESHRT_TRY(writePng(output->rendered, params.outDir + "/" + name));
      ++summary.pngsWritten;
    }
    profiler.endFrame();
    if (params.memorySampleEvery > 0 && ((i + 1) % params.memorySampleEvery == 0 || i + 1 == params.frames)) {
      auto rss = residentSetKib();
      if (!rss) return rss.error();
      summary.memory.push_back({i + 1, *rss});
    }
  }
  if (!params.exportDir.empty()) {
    if (!lastObject) {
      return makeError("--export " + params.exportDir,
                       "no object was found in " + std::to_string(params.frames) + " frames: nothing to export");
    }
    auto exported = exportObjectMesh(*lastObject, lastTexture, params.exportDir);
    if (!exported) return exported.error();
    summary.exported = std::move(*exported);
  }
  summary.frames = params.frames;
  summary.wallSeconds = static_cast<double>(nowNs() - start) * 1e-9;
  return summary;
}

}  // namespace meshrt::cli
