// The frame view: an RGB8 frame scaled (nearest, aspect kept) into the window area left of the
// panel, over the backdrop colour, written as 4-byte pixels in the swapchain's channel order.
#pragma once

#include <cstdint>

#include "core/image.h"

namespace meshrt::demo {

// `target` holds targetWidth x targetHeight pixels, 4 bytes each, rows tightly packed.
// bgra: the swapchain format is B8G8R8A8 (else R8G8B8A8). viewWidth: the columns the frame may
// use (the panel covers the rest).
void composeFrameView(const Image& frame, uint8_t* target, uint32_t targetWidth, uint32_t targetHeight,
                      uint32_t viewWidth, bool bgra);

// Copies RGB8 `inset` 1:1 into `target` (same layout as above) with its top-left corner at
// (left, top), clipped to the target, with a 1-pixel light frame around it.
void composeInset(const Image& inset, uint8_t* target, uint32_t targetWidth, uint32_t targetHeight, int left, int top,
                  bool bgra);

}  // namespace meshrt::demo
