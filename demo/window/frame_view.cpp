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

}  // namespace meshrt::demo
