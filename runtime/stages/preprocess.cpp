#include "stages/preprocess.h"

#include <cmath>
#include <cstddef>
#include <string>

#include "core/preprocess_math.h"
#include "vk/compute_pipeline.h"
#include "vk/gpu_allocator.h"

namespace meshrt {

// The struct is read by GLSL as a std430 push-constant block: scalar members, no padding.
static_assert(sizeof(gpu::PreprocessParams) == 84, "PreprocessParams layout changed: update shaders/include");
static_assert(offsetof(gpu::PreprocessParams, srcWidth) == 24);
static_assert(offsetof(gpu::PreprocessParams, border) == 56);
static_assert(offsetof(gpu::PreprocessParams, scale) == 60);
static_assert(offsetof(gpu::PreprocessParams, bias) == 72);

namespace {

constexpr uint32_t GROUP_SIZE = 16;  // workgroup width and height (specialization constants 0, 1)

Error fieldError(std::string_view field, std::string_view reason) {
  return makeError("preprocess: " + std::string(field), reason);
}

}  // namespace

Result<gpu::PreprocessParams> makePreprocessParams(const PreprocessConfig& config, const FrameLayout& frame) {
  if (frame.width == 0 || frame.height == 0) return fieldError("frame", "width and height must be > 0");
  if (frame.channels != 3 && frame.channels != 4) return fieldError("frame.channels", "must be 3 (RGB8) or 4 (RGBA8)");
  const uint32_t rowStride = frame.rowStride ? frame.rowStride : frame.width * frame.channels;
  if (rowStride < frame.width * frame.channels) return fieldError("frame.rowStride", "smaller than width * channels");
  if (config.outWidth == 0 || config.outHeight == 0) return fieldError("outWidth/outHeight", "must be > 0");
  const CropRect& crop = config.crop;
  if (!(crop.width > 0) || !(crop.height > 0) || !std::isfinite(crop.width) || !std::isfinite(crop.height)) {
    return fieldError("crop.width/height", "must be finite and > 0");
  }
  if (!std::isfinite(crop.centerX) || !std::isfinite(crop.centerY) || !std::isfinite(crop.rotationRad)) {
    return fieldError("crop", "centre and rotation must be finite");
  }

  gpu::PreprocessParams params{};
  // Output position o (continuous pixels) -> crop-local offset l = (o - out/2) * scale ->
  // source s = centre + R(rotation) * l, with R = [cos -sin; sin cos] in the y-down frame.
  double scaleX = static_cast<double>(crop.width) / config.outWidth;
  double scaleY = static_cast<double>(crop.height) / config.outHeight;
  if (config.letterbox) scaleX = scaleY = std::max(scaleX, scaleY);
  if (config.mirrorX) scaleX = -scaleX;  // o_x − out/2 → −(o_x − out/2): column x ↔ outWidth − 1 − x
  const double c = std::cos(static_cast<double>(crop.rotationRad));
  const double s = std::sin(static_cast<double>(crop.rotationRad));
  const double halfW = 0.5 * config.outWidth, halfH = 0.5 * config.outHeight;
  const double a = c * scaleX, b = -s * scaleY, d = s * scaleX, e = c * scaleY;
  params.srcFromDst[0] = static_cast<float>(a);
  params.srcFromDst[1] = static_cast<float>(b);
  params.srcFromDst[2] = static_cast<float>(crop.centerX - a * halfW - b * halfH);
  params.srcFromDst[3] = static_cast<float>(d);
  params.srcFromDst[4] = static_cast<float>(e);
  params.srcFromDst[5] = static_cast<float>(crop.centerY - d * halfW - e * halfH);

  params.srcWidth = frame.width;
  params.srcHeight = frame.height;
  params.srcRowStride = rowStride;
  params.srcChannels = frame.channels;
  params.srcOffset = 0;
  params.dstWidth = config.outWidth;
  params.dstHeight = config.outHeight;
  params.dstOffset = config.outOffset;
  params.border = config.border == BorderMode::Zero ? PREPROCESS_BORDER_ZERO : PREPROCESS_BORDER_REPLICATE;

  for (int ch = 0; ch < 3; ++ch) {
    double scale = 1.0, bias = 0.0;  // out = v * scale + bias, v in [0, 255]
    switch (config.normalization) {
      case Normalization::ZeroToOne: scale = 1.0 / 255.0; break;
      case Normalization::MinusOneToOne: scale = 1.0 / 127.5; bias = -1.0; break;
      case Normalization::MeanStd:
        if (!(config.std[ch] > 0)) return fieldError("std[" + std::to_string(ch) + "]", "must be > 0");
        scale = 1.0 / (255.0 * config.std[ch]);
        bias = -static_cast<double>(config.mean[ch]) / config.std[ch];
        break;
    }
    params.scale[ch] = static_cast<float>(scale);
    params.bias[ch] = static_cast<float>(bias);
  }
  return params;
}

void preprocessReference(const gpu::PreprocessParams& params, const uint8_t* src, float* dst) {
  for (uint32_t y = 0; y < params.dstHeight; ++y) {
    for (uint32_t x = 0; x < params.dstWidth; ++x) preprocessPixel(params, src, x, y, dst);
  }
}

Result<std::unique_ptr<PreprocessStage>> PreprocessStage::create(vk::Context& context) {
  std::unique_ptr<PreprocessStage> stage(new PreprocessStage());
  vk::ComputePipelineDesc desc;
  desc.shader = ShaderId::Preprocess;
  desc.bindings = {vk::BindingType::StorageBuffer, vk::BindingType::StorageBuffer};
  desc.pushConstantBytes = sizeof(gpu::PreprocessParams);
  desc.specializationConstants = {GROUP_SIZE, GROUP_SIZE};
  auto pipeline = vk::ComputePipeline::create(context, desc);
  if (!pipeline) return pipeline.error();
  stage->mPipeline = std::move(pipeline.value());
  return stage;
}

PreprocessStage::~PreprocessStage() = default;

Result<void> PreprocessStage::record(vk::CommandStream& stream, const vk::Buffer& frame, const vk::Buffer& tensor,
                                     const gpu::PreprocessParams& params) {
  const uint64_t lastByte = params.srcOffset + uint64_t{params.srcRowStride} * (params.srcHeight - 1) +
                            uint64_t{params.srcWidth} * params.srcChannels;
  // The shader reads whole 32-bit words, so the buffer must cover the last byte's word.
  if ((lastByte + 3) / 4 * 4 > frame.size()) {
    return makeError("preprocess: frame", "buffer is smaller than the frame layout (rounded up to 4 bytes)");
  }
  if ((params.dstOffset + preprocessOutputFloats(params)) * sizeof(float) > tensor.size()) {
    return makeError("preprocess: tensor", "buffer is smaller than the output (3 x H x W floats at dstOffset)");
  }
  const vk::BufferBinding bindings[] = {{&frame}, {&tensor}};
  return mPipeline->dispatch(stream, bindings, &params, sizeof(params), vk::groupCount(params.dstWidth, GROUP_SIZE),
                             vk::groupCount(params.dstHeight, GROUP_SIZE));
}

}  // namespace meshrt
