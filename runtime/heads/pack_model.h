// One model of a pack (pack.h PackModel), imported once and run by the oneDNN CpuExecutor
// (DESIGN §3), plus the preprocess that feeds it. Used by the objectron, face and deform
// pipelines; outputs are looked up by the role names the pack gives ("boxes", "scores",
// "keypoints", "presence", "regress", "points", "visibility", "mask"). Two ways to feed and read the executor:
//
//   host        preprocessReference (the CPU reference of stages/preprocess.h) into a host
//               vector; the executor reads it and writes host vectors.
//   encoder I/O (a PackVulkanFrame given at create) the frame flow of interop/encoder_io.h on
//               the path interop/encoder_io_factory.h picks (host-visible here). Per run, frame
//               n of this model's EncoderIo: one submit records the Vulkan PreprocessStage
//               writing the model input into the EncoderIo input buffer and signals inputReady
//               = n + 1; EncoderIo::runEncoder waits for it and runs the executor on the mapped
//               input and outputs, then signals outputReady; a consumer submit waits for
//               outputReady, copies the outputs into a readback buffer and signals
//               outputConsumed; the host waits for that submit and reads the outputs.
//               The preprocess is bit-identical to the host path's on lavapipe (docs/INTEROP.md),
//               so the outputs are too.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/image.h"
#include "core/pack.h"
#include "meshrt/result.h"
#include "stages/preprocess.h"
#include "vk/gpu_allocator.h"

namespace meshrt {

namespace nn {
class CpuExecutor;
}
namespace interop {
class EncoderIo;
}
class PackVulkanFrame;
class Profiler;

// Why a pack's encoder I/O is host-visible even where CUDA zero-copy is available (`meshrt info`
// reports it): the pack models run on the CPU executor, which reads and writes host memory.
inline constexpr const char* PACK_ENCODER_IO_HOST_REASON =
    "the pack encoder is the CPU executor (oneDNN); packs have no CUDA encoder yet";

class PackModelRunner {
 public:
  // Imports `model.path` (.tflite, or .onnx: the ttp / regress encoders), checks that its single input is [1][3][height][width] as the
  // pack says and that every output role the pack names exists. `threads`: oneDNN threads.
  // `vulkan`: run through EncoderIo with the Vulkan preprocess (see above); it must outlive the
  // runner. Null: the host path.
  static Result<std::unique_ptr<PackModelRunner>> create(const PackModel& model, int threads,
                                                         PackVulkanFrame* vulkan = nullptr);
  ~PackModelRunner();

  // The preprocess config for `crop` of a frame: the pack's input size, normalization and crop
  // mode (letterbox + border). StretchFrame/LetterboxZero ignore `crop` and take the whole frame.
  PreprocessConfig preprocessConfig(const CropRect& crop, uint32_t frameWidth, uint32_t frameHeight) const;

  // Preprocesses `frame` with `config` and runs the model. After it returns, output(role) holds
  // that output (C order, NCHW for 4-D outputs) and `params` the preprocess params (srcFromDst
  // maps model-input pixels back to frame pixels). On the encoder-I/O path `frame` must be the
  // frame last uploaded to the PackVulkanFrame (its size is checked; its bytes are not read).
  // With a profiler: CPU spans "preprocess" and "encoder" on the calling thread (encoder I/O:
  // "preprocess" records and submits, "encoder" waits for the input, runs the executor and
  // reads the outputs back).
  Result<void> run(const Image& frame, const PreprocessConfig& config, gpu::PreprocessParams& params,
                   Profiler* profiler = nullptr);

  // The output the pack names for `role` (empty span when absent).
  std::span<const float> output(const std::string& role) const;
  const PackModel& model() const { return mModel; }
  // Which path run() takes: "host", or the EncoderIo path name ("host-visible", ...).
  const char* encoderIoName() const;
  // Why the EncoderIo is not CUDA zero-copy (empty on the host path).
  const std::string& encoderIoFallbackReason() const { return mIoFallbackReason; }

 private:
  PackModelRunner() = default;
  Result<void> createEncoderIo();
  Result<void> runHost(const Image& frame, const gpu::PreprocessParams& params, Profiler* profiler);
  Result<void> runEncoderIo(const gpu::PreprocessParams& params, Profiler* profiler);
  PackModel mModel;
  std::unique_ptr<nn::CpuExecutor> mExecutor;
  std::vector<float> mInput;                      // [1][3][H][W]
  std::vector<std::vector<float>> mOutputs;       // graph output order
  std::vector<std::string> mOutputNames;          // graph output tensor names
  // Encoder-I/O path only.
  PackVulkanFrame* mVulkan = nullptr;
  std::unique_ptr<interop::EncoderIo> mIo;       // input [1][3][H][W] fp32; outputs in graph order
  std::string mIoFallbackReason;
  vk::Buffer mReadback;                           // the outputs back to the host, concatenated
  std::vector<size_t> mReadbackOffsets;           // bytes, per output
  uint64_t mIoFrame = 0;                          // next EncoderIo frame number
};

// Maps a point in model-input pixels (continuous, DESIGN §5) back to frame pixels with the
// preprocess's srcFromDst matrix.
inline void modelToFramePixels(const gpu::PreprocessParams& params, float x, float y, float& frameX, float& frameY) {
  const float* m = params.srcFromDst;
  frameX = m[0] * x + m[1] * y + m[2];
  frameY = m[3] * x + m[4] * y + m[5];
}

}  // namespace meshrt
