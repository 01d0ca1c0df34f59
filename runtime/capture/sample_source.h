// The built-in `sample` source: frames generated in memory, so the demo and headless runs work
// on any machine with no camera and no files. A textured, shaded sphere moves along a
// Lissajous path over a gradient backdrop and a checkered floor, spinning as it goes.
#pragma once

#include "capture/frame_source.h"
#include "stages/preprocess.h"

namespace meshrt {

class SampleSource final : public FrameSource {
 public:
  static constexpr double FPS = 30.0;

  SampleSource(uint32_t width = 640, uint32_t height = 480);
  Result<bool> next(Frame& frame) override;  // never ends
  std::string name() const override { return "sample"; }

  // The object's square bounding box in the frame most recently returned (pixels), padded by
  // 25% on each side: the crop a detector would hand to the encoder.
  CropRect objectCrop() const { return mObjectCrop; }

 private:
  uint32_t mWidth;
  uint32_t mHeight;
  int64_t mNextIndex = 0;
  CropRect mObjectCrop;
};

}  // namespace meshrt
