// Frame sources (DESIGN §1 "capture"): webcam, video file, images, the built-in sample.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/image.h"
#include "meshrt/result.h"

namespace meshrt {

struct Frame {
  Image image;             // RGB8
  int64_t index = 0;       // 0, 1, 2, ... in capture order
  int64_t timestampNs = 0; // capture time on the source's clock (synthetic sources: frame / fps)
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // Fills `frame` with the next frame. Returns false at the end of a finite source.
  virtual Result<bool> next(Frame& frame) = 0;
  // e.g. "sample", "webcam:0", "clip.mp4"
  virtual std::string name() const = 0;
};

}  // namespace meshrt
