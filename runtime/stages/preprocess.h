// Preprocess stage: crop a rectangle (optionally rotated) of an RGB8/RGBA8 frame, resize it
// bilinearly, normalize it into an NCHW fp32 tensor (DESIGN §1, §5).
//
//   shaders/preprocess.comp            Vulkan compute shader
//   shaders/include/preprocess_params.h  the params struct both sides read
//   runtime/core/preprocess_math.h     per-pixel math (CPU reference + CUDA kernel)
//   kernels/preprocess.cu              CUDA kernel (when the CUDA backend is compiled)
//   tests/stages/preprocess_test.cpp   Vulkan vs CPU reference; tests/cuda/ for CUDA
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "meshrt/result.h"
#include "preprocess_params.h"

namespace meshrt {

namespace vk {
class Buffer;
class CommandStream;
class ComputePipeline;
class Context;
}  // namespace vk

// A frame in host or device memory: 8 bits per channel, rows top to bottom.
struct FrameLayout {
  uint32_t width = 0;      // pixels
  uint32_t height = 0;     // pixels
  uint32_t channels = 3;   // 3 = RGB8, 4 = RGBA8
  uint32_t rowStride = 0;  // bytes between rows; 0 = width * channels
};

// The crop, in source pixel coordinates (DESIGN §5: x right, y down, pixel centres at +0.5).
struct CropRect {
  float centerX = 0;      // pixels
  float centerY = 0;      // pixels
  float width = 0;        // pixels, along the rectangle's own x axis
  float height = 0;       // pixels, along the rectangle's own y axis
  float rotationRad = 0;  // rotation of the rectangle about its centre; positive turns it
                          // clockwise on screen (x toward y, since y points down)
};

enum class Normalization {
  ZeroToOne,      // out = v / 255
  MinusOneToOne,  // out = v / 127.5 - 1
  MeanStd,        // out = (v / 255 - mean[c]) / std[c]
};

enum class BorderMode {
  Zero,       // taps outside the frame read 0
  Replicate,  // taps outside the frame read the nearest edge pixel
};

struct PreprocessConfig {
  CropRect crop;
  uint32_t outWidth = 0;   // tensor W
  uint32_t outHeight = 0;  // tensor H
  // false: the crop is stretched to fill the output. true: its aspect ratio is kept, it is
  // centred, and the bars show what lies beyond the crop (the frame, or its replicated
  // edge under BorderMode::Replicate; zeros under BorderMode::Zero when past the frame).
  bool letterbox = false;
  BorderMode border = BorderMode::Replicate;
  Normalization normalization = Normalization::ZeroToOne;
  float mean[3] = {0.485f, 0.456f, 0.406f};  // MeanStd only (defaults: ImageNet)
  float std[3] = {0.229f, 0.224f, 0.225f};
  uint32_t outOffset = 0;  // float offset of the output in the destination tensor (batch slot)
  // true: the output mirrored left-right: column x holds what column outWidth − 1 − x holds
  // without it (the same source positions; bit-identical where the mapping is exact in float,
  // e.g. integer scale factors).
  bool mirrorX = false;
};

// Validates the config against the frame and fills the shader params. Errors name the field,
// e.g. "preprocess: crop.width: must be > 0".
Result<gpu::PreprocessParams> makePreprocessParams(const PreprocessConfig& config, const FrameLayout& frame);

// Number of floats the output occupies: 3 * outHeight * outWidth.
inline size_t preprocessOutputFloats(const gpu::PreprocessParams& params) {
  return size_t{3} * params.dstWidth * params.dstHeight;
}

// The CPU reference: writes the output tensor into `dst` (at params.dstOffset) from frame
// bytes `src` (pixel (0,0) at src + params.srcOffset).
void preprocessReference(const gpu::PreprocessParams& params, const uint8_t* src, float* dst);

// The Vulkan stage. Holds its pipeline; record() adds one dispatch to the stream's current
// command buffer. `frame` holds the source bytes; `tensor` receives the output.
class PreprocessStage {
 public:
  static Result<std::unique_ptr<PreprocessStage>> create(vk::Context& context);
  ~PreprocessStage();

  Result<void> record(vk::CommandStream& stream, const vk::Buffer& frame, const vk::Buffer& tensor,
                      const gpu::PreprocessParams& params);

 private:
  PreprocessStage() = default;
  std::unique_ptr<vk::ComputePipeline> mPipeline;
};

}  // namespace meshrt
