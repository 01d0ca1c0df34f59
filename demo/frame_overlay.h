// Drawing on host frames (RGB8): lines, dots and the object crop's outline, shared by the
// headless and windowed demo and reconstruct's overlay.png.
#pragma once

#include "core/image.h"
#include "stages/preprocess.h"

namespace meshrt::cli {

// A line between two points (pixels, DESIGN §5), 2·halfWidth + 1 pixels wide, clipped to the image.
void drawLine(Image& image, float x0, float y0, float x1, float y1, const uint8_t color[3], int halfWidth = 1);
// A filled disc of `radius` pixels around (x, y), clipped to the image.
void drawDot(Image& image, float x, float y, int radius, const uint8_t color[3]);

// Outlines the (possibly rotated) crop rectangle, 3 px wide, in `color` (RGB).
void drawCropOutline(Image& image, const CropRect& crop, const uint8_t color[3]);

}  // namespace meshrt::cli
