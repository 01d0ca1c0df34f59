// The crop the demo hands to preprocess. The sample knows where its object is; for other
// sources there is no detector yet (no category pack is merged), so the crop is the centred
// square of side min(width, height).
#pragma once

#include <algorithm>

#include "capture/frame_source.h"
#include "capture/sample_source.h"
#include "stages/preprocess.h"

namespace meshrt::cli {

inline CropRect objectCropFor(const FrameSource& source, const Frame& frame) {
  if (const auto* sample = dynamic_cast<const SampleSource*>(&source)) return sample->objectCrop();
  CropRect crop;
  crop.centerX = 0.5f * static_cast<float>(frame.image.width);
  crop.centerY = 0.5f * static_cast<float>(frame.image.height);
  crop.width = crop.height = static_cast<float>(std::min(frame.image.width, frame.image.height));
  return crop;
}

}  // namespace meshrt::cli
