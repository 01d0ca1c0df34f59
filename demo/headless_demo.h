// The headless frame loop of `meshrt demo --headless`: capture -> upload -> preprocess ->
// readback -> PNG, two frames in flight, every stage timed on the CPU and the GPU.
// Every frame must have the first frame's size (a directory of mixed sizes is an error).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
};

// The process's resident memory after `frames` loop iterations (core/process_memory.h).
struct MemorySample {
  int64_t frames = 0;
  uint64_t rssKib = 0;
};

struct HeadlessDemoSummary {
  int64_t frames = 0;
  int64_t pngsWritten = 0;
  double wallSeconds = 0;
  std::vector<MemorySample> memory;  // in frame order; empty unless memorySampleEvery > 0
};

// Frame i's spans: CPU "capture", "record", "submit" and GPU "upload", "preprocess",
// "download"; the output of frame i-1 ("wait", "compose", "write_png") is finished while the
// GPU runs frame i, so those CPU spans carry frame i. The profiler receives all spans.
Result<HeadlessDemoSummary> runHeadlessDemo(vk::Context& context, const HeadlessDemoParams& params,
                                            Profiler& profiler);

}  // namespace cli
}  // namespace meshrt
