#include "pack_frame_processor.h"

#include <algorithm>
#include <cmath>

#include "frame_overlay.h"
#include "reconstruct_output.h"

namespace meshrt::cli {

Result<std::unique_ptr<PackFrameProcessor>> PackFrameProcessor::create(vk::Context* context, const PackSpec& pack,
                                                                       Profiler& profiler,
                                                                       const PackFrameParams& params) {
  if (params.textureSize == 0 || params.textureSize > 4096) {
    return makeError("pack frame loop", "textureSize must be in 1..4096");
  }
  std::unique_ptr<PackFrameProcessor> processor(new PackFrameProcessor(pack, profiler, params));
  ObjectPipelineOptions options;
  options.threads = params.encoderThreads;
  options.tracking = true;
  options.profiler = &profiler;
  options.head = params.head;
  if (params.vulkanEncoderIo) {
    if (!context) return makeError("pack frame loop", "the encoder-I/O path needs a Vulkan device");
    options.encoderIoContext = context;
  }
  auto pipeline = createObjectPipeline(pack, options);
  if (!pipeline) return pipeline.error();
  processor->mPipeline = std::move(*pipeline);
  auto texturer = ImageTexturer::create(context);
  if (!texturer) return texturer.error();
  processor->mTexturer = std::move(*texturer);
  return processor;
}

void PackFrameProcessor::reset() {
  mPipeline->resetTracking();
  mHaveTexture = false;
  mTrackedObjects = 0;
}

Result<void> PackFrameProcessor::fuseTexture(const ImageTexture& texture, bool reset) {
  auto span = mProfiler.span("fuse");
  const uint32_t size = mParams.textureSize;
  const size_t texels = size_t{size} * size;
  std::vector<float> planar(3 * texels);  // [3][Ht][Wt] from the RGB8 texture
  std::vector<float> confidence(texels);
  for (size_t t = 0; t < texels; ++t) {
    for (int c = 0; c < 3; ++c) planar[c * texels + t] = float(texture.texture.pixels[t * 3 + size_t(c)]);
    confidence[t] = texture.weight[t] > 0.0f ? 1.0f : 0.0f;
  }
  return uvSplatFuseReference(mFusion, 3, size, size, planar, confidence, mParams.maxConfidence, reset);
}

Image PackFrameProcessor::fusedTextureImage() const {
  const uint32_t size = mParams.textureSize;
  const size_t texels = size_t{size} * size;
  Image image(size, size, 3);
  for (size_t t = 0; t < texels; ++t) {
    const bool seen = mFusion.confidence[t] > 0.0f;
    for (int c = 0; c < 3; ++c) {
      const float value = seen ? mFusion.texture[c * texels + t] : 128.0f;
      image.pixels[t * 3 + size_t(c)] = uint8_t(std::clamp(std::lround(value), 0L, 255L));
    }
  }
  return image;
}

namespace {

// Draws `inset` scaled to `side` pixels into the top-right corner of `image`, with a frame.
void drawInset(Image& image, const Image& inset, uint32_t side) {
  side = std::min({side, image.width / 3, image.height / 2});
  if (side == 0 || inset.width == 0) return;
  const uint32_t left = image.width - side - 8, top = 8;
  for (uint32_t y = 0; y < side; ++y) {
    for (uint32_t x = 0; x < side; ++x) {
      const uint8_t* from = inset.at(x * inset.width / side, y * inset.height / side);
      uint8_t* to = image.at(left + x, top + y);
      for (uint32_t c = 0; c < 3; ++c) to[c] = from[std::min(c, inset.channels - 1)];
    }
  }
  const uint8_t white[3] = {240, 240, 240};
  const float l = float(left) - 1, t = float(top) - 1, r = float(left + side), b = float(top + side);
  drawLine(image, l, t, r, t, white, 0);
  drawLine(image, r, t, r, b, white, 0);
  drawLine(image, r, b, l, b, white, 0);
  drawLine(image, l, b, l, t, white, 0);
}

}  // namespace

Result<PackFrameOutput> PackFrameProcessor::process(const Image& frame) {
  PackFrameOutput output;
  auto result = mPipeline->process(frame);
  if (!result) return result.error();
  output.ranDetector = result->ranDetector;
  output.objects = std::move(result->objects);

  if (!output.objects.empty()) {
    const ReconstructedObject& object = output.objects.front();
    const ImageTexturingParams params = texturingParamsFor(object.camera, mParams.textureSize);
    auto texture = mTexturer->texture(frame, object.mesh, params, &mProfiler);
    if (!texture) return texture.error();
    // A re-detected object (the track was lost) starts a new texture.
    const bool newObject = !mHaveTexture || mTrackedObjects == 0 || output.ranDetector;
    MESHRT_TRY(fuseTexture(*texture, newObject));
    mHaveTexture = true;
  }
  mTrackedObjects = output.objects.size();
  if (mHaveTexture) {
    output.fusedTexture = fusedTextureImage();
    const size_t seen = size_t(std::count_if(mFusion.confidence.begin(), mFusion.confidence.end(),
                                             [](float a) { return a > 0.0f; }));
    output.textureCoverage = float(seen) / float(mFusion.confidence.size());
  }
  if (mParams.renderOutput) {
    auto span = mProfiler.span("render");
    output.rendered = drawOverlay(frame, output.objects);
    if (mHaveTexture) drawInset(output.rendered, output.fusedTexture, 160);
  }
  return output;
}

}  // namespace meshrt::cli
