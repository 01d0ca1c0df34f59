// One frame of a pack in the demo's and bench's frame loop (DESIGN §1): the head pipeline with
// tracking (heads/object_pipeline.h: preprocess, encoder, decode, solve, mesh), the first
// object's texture from this frame (heads/image_texturing.h: raster + UV splat on the Vulkan
// device) fused into a running texture (uvSplatFuseReference: T <- (A T + k F)/(A + k), k = 1
// where the texel was seen), and the rendered output: the frame with the reconstruction drawn
// over it and the fused texture as an inset. Every step is a CPU span on the caller's profiler:
// preprocess, encoder, decode, solve, mesh, raster, splat, fuse, render.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/image.h"
#include "core/pack.h"
#include "core/profiler.h"
#include "heads/image_texturing.h"
#include "heads/object_pipeline.h"
#include "meshrt/result.h"
#include "stages/uv_splat.h"

namespace meshrt {
namespace vk {
class Context;
}

namespace cli {

struct PackFrameParams {
  int encoderThreads = 2;           // oneDNN threads per model
  uint32_t textureSize = 256;       // fused texture, texels per side
  float maxConfidence = 30.0f;      // fusion: A saturates here, so the texture keeps adapting
  bool renderOutput = true;         // false: no output image (bench without PNGs still renders
                                    // unless this is off; the demo and bench keep it on)
  // true: the head's models run on the encoder-I/O path on `context` (ObjectPipelineOptions::
  // encoderIoContext); needs a context.
  bool vulkanEncoderIo = false;
  std::string head;  // the head to run, "" = the pack's (ObjectPipelineOptions::head)
};

struct PackFrameOutput {
  std::vector<ReconstructedObject> objects;
  bool ranDetector = false;
  Image rendered;       // the frame with the reconstruction and the texture inset (renderOutput)
  Image fusedTexture;   // RGB8 textureSize², the running texture of object 0 (empty before any)
  float textureCoverage = 0;  // fraction of texels seen at least once
};

class PackFrameProcessor {
 public:
  // `context` may be null (CPU references for raster and splat). `profiler` outlives this.
  static Result<std::unique_ptr<PackFrameProcessor>> create(vk::Context* context, const PackSpec& pack,
                                                            Profiler& profiler, const PackFrameParams& params);
  Result<PackFrameOutput> process(const Image& frame);
  // Forgets the track and the fused texture (the next frame runs the detector).
  void reset();
  const PackSpec& pack() const { return mPack; }
  // "host", "host-visible" or "cuda-zero-copy" (ObjectPipeline::encoderIoName).
  const char* encoderIoName() const { return mPipeline->encoderIoName(); }

 private:
  PackFrameProcessor(PackSpec pack, Profiler& profiler, PackFrameParams params)
      : mPack(std::move(pack)), mProfiler(profiler), mParams(params) {}
  Result<void> fuseTexture(const ImageTexture& texture, bool reset);
  Image fusedTextureImage() const;

  PackSpec mPack;
  Profiler& mProfiler;
  PackFrameParams mParams;
  std::unique_ptr<ObjectPipeline> mPipeline;
  std::unique_ptr<ImageTexturer> mTexturer;
  UvSplatFusionState mFusion;
  bool mHaveTexture = false;
  size_t mTrackedObjects = 0;  // objects in the previous frame (0 = the track was lost)
};

}  // namespace cli
}  // namespace meshrt
