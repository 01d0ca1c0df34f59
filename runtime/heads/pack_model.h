// One model of a pack (pack.h PackModel), imported once and run by the oneDNN CpuExecutor
// (DESIGN §3), plus the host-side preprocess that feeds it (stages/preprocess.h, CPU reference).
// Used by the objectron and face pipelines; outputs are looked up by the role names the pack
// gives ("boxes", "scores", "keypoints", "presence").
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/image.h"
#include "core/pack.h"
#include "meshrt/result.h"
#include "stages/preprocess.h"

namespace meshrt {

namespace nn {
class CpuExecutor;
}
class Profiler;

class PackModelRunner {
 public:
  // Imports `model.path` (.tflite), checks that its single input is [1][3][height][width] as the
  // pack says and that every output role the pack names exists. `threads`: oneDNN threads.
  static Result<std::unique_ptr<PackModelRunner>> create(const PackModel& model, int threads);
  ~PackModelRunner();

  // The preprocess config for `crop` of a frame: the pack's input size, normalization and crop
  // mode (letterbox + border). StretchFrame/LetterboxZero ignore `crop` and take the whole frame.
  PreprocessConfig preprocessConfig(const CropRect& crop, uint32_t frameWidth, uint32_t frameHeight) const;

  // Preprocesses `frame` with `config` (preprocessReference, host) and runs the model. After it
  // returns, output(role) holds that output (C order, NCHW for 4-D outputs) and `params` the
  // preprocess params (srcFromDst maps model-input pixels back to frame pixels).
  // With a profiler: CPU spans "preprocess" and "encoder" on the calling thread.
  Result<void> run(const Image& frame, const PreprocessConfig& config, gpu::PreprocessParams& params,
                   Profiler* profiler = nullptr);

  // The output the pack names for `role` (empty span when absent).
  std::span<const float> output(const std::string& role) const;
  const PackModel& model() const { return mModel; }

 private:
  PackModelRunner() = default;
  PackModel mModel;
  std::unique_ptr<nn::CpuExecutor> mExecutor;
  std::vector<float> mInput;                      // [1][3][H][W]
  std::vector<std::vector<float>> mOutputs;       // graph output order
  std::vector<std::string> mOutputNames;          // graph output tensor names
};

// Maps a point in model-input pixels (continuous, DESIGN §5) back to frame pixels with the
// preprocess's srcFromDst matrix.
inline void modelToFramePixels(const gpu::PreprocessParams& params, float x, float y, float& frameX, float& frameY) {
  const float* m = params.srcFromDst;
  frameX = m[0] * x + m[1] * y + m[2];
  frameY = m[3] * x + m[4] * y + m[5];
}

}  // namespace meshrt
