// The built-in `sample` source: frames made in memory from a photo compiled into the library
// (assets/sample/coffee.jpg: a coffee cup on a saucer, scikit-image's `coffee`, CC0 — see
// assets/README.md), so the demo works on any machine with no camera and no files, and shows
// an object the default pack (objectron-cup) reconstructs. Each frame is a WIDTH × HEIGHT window
// of the photo that drifts along a slow Lissajous path (up to ±20 px), so tracking sees the cup
// move as it would in a hand-held video. Frame i is the same on every run.
#pragma once

#include <memory>

#include "capture/frame_source.h"

namespace meshrt {

class SampleSource final : public FrameSource {
 public:
  static constexpr double FPS = 30.0;
  static constexpr uint32_t WIDTH = 560;   // pixels; the photo is 600 × 400
  static constexpr uint32_t HEIGHT = 360;

  // Decodes the embedded photo once per source.
  static Result<std::unique_ptr<SampleSource>> create();
  Result<bool> next(Frame& frame) override;  // never ends
  std::string name() const override { return "sample"; }

 private:
  explicit SampleSource(Image photo) : mPhoto(std::move(photo)) {}
  Image mPhoto;  // RGB8
  int64_t mNextIndex = 0;
};

}  // namespace meshrt
