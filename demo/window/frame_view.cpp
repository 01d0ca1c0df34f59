#include "window/frame_view.h"

#include <algorithm>

#include "window/window_layout.h"

namespace meshrt::demo {

void composeFrameView(const Image& frame, uint8_t* target, uint32_t targetWidth, uint32_t targetHeight,
                      uint32_t viewWidth, bool bgra) {
  const int red = bgra ? 2 : 0, blue = bgra ? 0 : 2;
  for (size_t i = 0; i < size_t{targetWidth} * targetHeight; ++i) {
    target[i * 4 + red] = BACKDROP_RGB[0];
    target[i * 4 + 1] = BACKDROP_RGB[1];
    target[i * 4 + blue] = BACKDROP_RGB[2];
    target[i * 4 + 3] = 255;
  }
  viewWidth = std::min(viewWidth, targetWidth);
  if (frame.width == 0 || frame.height == 0 || viewWidth == 0 || targetHeight == 0) return;
  const double scale = std::min(static_cast<double>(viewWidth) / frame.width, static_cast<double>(targetHeight) / frame.height);
  const auto width = static_cast<uint32_t>(frame.width * scale), height = static_cast<uint32_t>(frame.height * scale);
  const uint32_t left = (viewWidth - width) / 2, top = (targetHeight - height) / 2;
  for (uint32_t y = 0; y < height; ++y) {
    const uint32_t sourceY = std::min(frame.height - 1, static_cast<uint32_t>((y + 0.5) / scale));
    uint8_t* row = target + (size_t{top + y} * targetWidth + left) * 4;
    for (uint32_t x = 0; x < width; ++x) {
      const uint32_t sourceX = std::min(frame.width - 1, static_cast<uint32_t>((x + 0.5) / scale));
      const uint8_t* pixel = frame.at(sourceX, sourceY);
      row[x * 4 + red] = pixel[0];
      row[x * 4 + 1] = frame.channels >= 3 ? pixel[1] : pixel[0];
      row[x * 4 + blue] = frame.channels >= 3 ? pixel[2] : pixel[0];
    }
  }
}

void composeInset(const Image& inset, uint8_t* target, uint32_t targetWidth, uint32_t targetHeight, int left, int top,
                  bool bgra) {
  const int red = bgra ? 2 : 0, blue = bgra ? 0 : 2;
  const int width = int(inset.width), height = int(inset.height);
  if (width == 0 || height == 0 || inset.channels < 3) return;
  constexpr uint8_t FRAME = 220;
  for (int y = -1; y <= height; ++y) {
    const int ty = top + y;
    if (ty < 0 || ty >= int(targetHeight)) continue;
    for (int x = -1; x <= width; ++x) {
      const int tx = left + x;
      if (tx < 0 || tx >= int(targetWidth)) continue;
      uint8_t* pixel = target + (size_t(ty) * targetWidth + size_t(tx)) * 4;
      const bool border = x < 0 || y < 0 || x == width || y == height;
      const uint8_t* from = border ? nullptr : inset.at(uint32_t(x), uint32_t(y));
      pixel[red] = border ? FRAME : from[0];
      pixel[1] = border ? FRAME : from[1];
      pixel[blue] = border ? FRAME : from[2];
      pixel[3] = 255;
    }
  }
}

}  // namespace meshrt::demo
