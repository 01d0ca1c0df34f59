// The headless frame loop of `meshrt demo --headless`: capture -> upload -> preprocess ->
// readback -> PNG, two frames in flight, every stage timed on the CPU and the GPU.
// Every frame must have the first frame's size (a directory of mixed sizes is an error).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/pack.h"
#include "mesh_export.h"
#include "core/profiler.h"
#include "meshrt/result.h"

namespace meshrt {
namespace vk {
class Context;
}

namespace cli {

struct HeadlessDemoParams {
  int64_t frames = 60;        // frames to run
  std::string source = "sample";  // --source text (capture/frame_source_factory.h)
  std::string outDir;         // PNGs go here as frame_0000.png, ...; "" = no PNGs (bench)
  uint32_t tensorSize = 256;  // the preprocessed crop is tensorSize x tensorSize
  int64_t saveEvery = 1;      // compose and write loop frame i's PNG when i % saveEvery == 0; 0 = none
  int64_t memorySampleEvery = 0;  // VmRSS after every this-many frames and after the last; 0 = never
  // With a pack: the pack frame loop (pack_frame_processor.h) instead of the preprocess-only
  // loop; the PNGs show the reconstruction and the fused texture.
  const PackSpec* pack = nullptr;
  int encoderThreads = 2;
  // Pack loop only: after the last frame, export the last object 0 seen and its fused texture
  // here (mesh_export.h); "" = no export. An error when no frame had an object.
  std::string exportDir;
  // Pack loop: true = the encoder-I/O path (Vulkan preprocess into EncoderIo buffers, the
  // executor through EncoderIo; heads/pack_model.h); false = the host preprocess.
  bool vulkanEncoderIo = false;
  // Pack loop: the head to run ("" = the pack's; ObjectPipelineOptions::head).
  std::string head;
};

// The process's resident memory after `frames` loop iterations (core/process_memory.h).
struct MemorySample {
  int64_t frames = 0;
  uint64_t rssKib = 0;
};

struct HeadlessDemoSummary {
  int64_t frames = 0;
  int64_t framesWithObjects = 0;  // pack loop: frames where the head found at least one object
  int64_t detectorRuns = 0;       // pack loop: frames where the detector ran (no track)
  int64_t pngsWritten = 0;
  double wallSeconds = 0;
  std::string encoderIo = "none";  // pack loop: "host", "host-visible" or "cuda-zero-copy"
  std::vector<MemorySample> memory;  // in frame order; empty unless memorySampleEvery > 0
  std::optional<MeshExportFiles> exported;  // with exportDir: what was written
};

// Without a pack, frame i's spans: CPU "capture", "record", "submit" and GPU "upload",
// "preprocess", "download"; the output of frame i-1 ("wait", "compose", "write_png") is finished
// while the GPU runs frame i, so those CPU spans carry frame i. With a pack: runHeadlessPackLoop.
// The profiler receives all spans.
Result<HeadlessDemoSummary> runHeadlessDemo(vk::Context& context, const HeadlessDemoParams& params,
                                            Profiler& profiler);

// The pack loop, one frame at a time: "capture", then the pack frame's spans (preprocess,
// encoder, decode, solve, mesh, raster, splat, fuse, render), then "write_png" for saved frames.
Result<HeadlessDemoSummary> runHeadlessPackLoop(vk::Context& context, const HeadlessDemoParams& params,
                                                Profiler& profiler);

}  // namespace cli
}  // namespace meshrt
