#include "frame_overlay.h"

#include <algorithm>
#include <cmath>

namespace meshrt::cli {

void drawLine(Image& image, float x0, float y0, float x1, float y1, const uint8_t color[3], int halfWidth) {
  const float length = std::max(std::fabs(x1 - x0), std::fabs(y1 - y0));
  if (!(length < 65536.0f)) return;  // non-finite or absurd endpoints: nothing sensible to draw
  const int steps = static_cast<int>(length) + 1;
  for (int i = 0; i <= steps; ++i) {
    const float t = static_cast<float>(i) / steps;
    const int x = static_cast<int>(x0 + (x1 - x0) * t), y = static_cast<int>(y0 + (y1 - y0) * t);
    for (int dy = -halfWidth; dy <= halfWidth; ++dy) {
      for (int dx = -halfWidth; dx <= halfWidth; ++dx) {
        const int px = x + dx, py = y + dy;
        if (px < 0 || py < 0 || px >= static_cast<int>(image.width) || py >= static_cast<int>(image.height)) continue;
        std::copy(color, color + 3, image.at(static_cast<uint32_t>(px), static_cast<uint32_t>(py)));
      }
    }
  }
}

void drawDot(Image& image, float x, float y, int radius, const uint8_t color[3]) {
  if (!(std::fabs(x) < 65536.0f && std::fabs(y) < 65536.0f)) return;
  const int cx = static_cast<int>(std::floor(x)), cy = static_cast<int>(std::floor(y));
  for (int dy = -radius; dy <= radius; ++dy) {
    for (int dx = -radius; dx <= radius; ++dx) {
      const int px = cx + dx, py = cy + dy;
      if (dx * dx + dy * dy > radius * radius) continue;
      if (px < 0 || py < 0 || px >= static_cast<int>(image.width) || py >= static_cast<int>(image.height)) continue;
      std::copy(color, color + 3, image.at(static_cast<uint32_t>(px), static_cast<uint32_t>(py)));
    }
  }
}

void drawCropOutline(Image& image, const CropRect& crop, const uint8_t color[3]) {
  const float c = std::cos(crop.rotationRad), s = std::sin(crop.rotationRad);
  const float hx = 0.5f * crop.width, hy = 0.5f * crop.height;
  const float cornersX[4] = {-hx, hx, hx, -hx}, cornersY[4] = {-hy, -hy, hy, hy};
  for (int i = 0; i < 4; ++i) {
    const int j = (i + 1) % 4;
    drawLine(image, crop.centerX + c * cornersX[i] - s * cornersY[i], crop.centerY + s * cornersX[i] + c * cornersY[i],
             crop.centerX + c * cornersX[j] - s * cornersY[j], crop.centerY + s * cornersX[j] + c * cornersY[j], color);
  }
}

}  // namespace meshrt::cli
