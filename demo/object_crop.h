// The crop the demo hands to preprocess when it runs without a pack (no detector): the centred
// square of side min(width, height).
#pragma once

#include <algorithm>

#include "capture/frame_source.h"
#include "stages/preprocess.h"

namespace meshrt::cli {

inline CropRect objectCropFor(const FrameSource& /*source*/, const Frame& frame) {
  CropRect crop;
  crop.centerX = 0.5f * static_cast<float>(frame.image.width);
  crop.centerY = 0.5f * static_cast<float>(frame.image.height);
  crop.width = crop.height = static_cast<float>(std::min(frame.image.width, frame.image.height));
  return crop;
}

}  // namespace meshrt::cli
