#include "capture/sample_source.h"

#include <algorithm>
#include <cmath>

namespace meshrt {
namespace {

constexpr double PI = 3.14159265358979323846;

uint8_t toByte(double v) { return static_cast<uint8_t>(std::clamp(v, 0.0, 1.0) * 255.0 + 0.5); }

}  // namespace

SampleSource::SampleSource(uint32_t width, uint32_t height) : mWidth(width), mHeight(height) {}

Result<bool> SampleSource::next(Frame& frame) {
  const int64_t index = mNextIndex++;
  const double t = static_cast<double>(index) / FPS;  // seconds
  Image& image = frame.image;
  if (image.width != mWidth || image.height != mHeight || image.channels != 3) image = Image(mWidth, mHeight, 3);

  const double w = mWidth, h = mHeight;
  const double radius = 0.22 * std::min(w, h);
  const double cx = w * (0.5 + 0.25 * std::sin(0.7 * t));
  const double cy = h * (0.48 + 0.10 * std::sin(1.1 * t));
  const double spin = 0.9 * t;                       // radians about the sphere's vertical axis
  const double lx = -0.5, ly = -0.6, lz = -0.62;      // light direction (camera frame, toward light)
  const double horizon = 0.62 * h;

  for (uint32_t y = 0; y < mHeight; ++y) {
    for (uint32_t x = 0; x < mWidth; ++x) {
      const double px = x + 0.5, py = y + 0.5;
      double r, g, b;
      if (py < horizon) {  // backdrop: vertical gradient
        const double k = py / horizon;
        r = 0.20 + 0.25 * k; g = 0.24 + 0.28 * k; b = 0.34 + 0.30 * k;
      } else {             // floor: checkerboard receding toward the horizon
        const double depth = (h - horizon) / (py - horizon + 1.0);
        const int u = static_cast<int>(std::floor((px - 0.5 * w) / w * 8.0 * depth));
        const int v = static_cast<int>(std::floor(depth * 4.0));
        const double shade = ((u + v) & 1) ? 0.55 : 0.35;
        r = shade; g = shade * 0.95; b = shade * 0.85;
      }
      // Soft shadow under the sphere.
      const double sdx = (px - cx) / (1.2 * radius), sdy = (py - (horizon + 0.8 * radius)) / (0.25 * radius);
      const double shadow = std::exp(-(sdx * sdx + sdy * sdy));
      r *= 1.0 - 0.5 * shadow; g *= 1.0 - 0.5 * shadow; b *= 1.0 - 0.5 * shadow;

      const double dx = (px - cx) / radius, dy = (py - cy) / radius;
      const double rr = dx * dx + dy * dy;
      if (rr < 1.0) {
        const double dz = -std::sqrt(1.0 - rr);  // surface normal, camera frame (z forward)
        const double lambert = std::max(0.0, dx * lx + dy * ly + dz * lz);
        // Texture: longitude/latitude stripes, rotated by `spin`.
        const double longitude = std::atan2(dx, -dz) + spin;
        const double latitude = std::asin(std::clamp(dy, -1.0, 1.0));
        const bool stripe = (static_cast<int>(std::floor(longitude / (PI / 6.0))) & 1) != 0;
        const bool band = std::fabs(latitude) < 0.25;
        double tr = stripe ? 0.90 : 0.95, tg = stripe ? 0.35 : 0.80, tb = stripe ? 0.20 : 0.30;
        if (band) { tr = 0.15; tg = 0.45; tb = 0.85; }
        const double light = 0.25 + 0.75 * lambert;
        // Anti-aliased silhouette: blend over the last pixel's width.
        const double edge = std::clamp((1.0 - std::sqrt(rr)) * radius, 0.0, 1.0);
        r = r * (1 - edge) + tr * light * edge;
        g = g * (1 - edge) + tg * light * edge;
        b = b * (1 - edge) + tb * light * edge;
      }
      uint8_t* pixel = image.at(x, y);
      pixel[0] = toByte(r); pixel[1] = toByte(g); pixel[2] = toByte(b);
    }
  }
  frame.index = index;
  frame.timestampNs = static_cast<int64_t>(t * 1e9);
  const float side = static_cast<float>(2.0 * radius * 1.25);
  mObjectCrop = CropRect{static_cast<float>(cx), static_cast<float>(cy), side, side, 0.0f};
  return true;
}

}  // namespace meshrt
