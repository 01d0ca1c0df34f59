// Drawing on host frames (RGB8): the object crop's outline, shared by the headless and the
// windowed demo.
#pragma once

#include "core/image.h"
#include "stages/preprocess.h"

namespace meshrt::cli {

// Outlines the (possibly rotated) crop rectangle, 3 px wide, in `color` (RGB).
void drawCropOutline(Image& image, const CropRect& crop, const uint8_t color[3]);

}  // namespace meshrt::cli
