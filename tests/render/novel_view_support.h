// Helpers shared by the novel-view tests (render/novel_view.h): projecting an object-frame
// point through the orbit pose, and reading a pixel.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "core/image.h"
#include "render/orbit_camera.h"

namespace meshrt::test {

// The pixel (x, y) whose square holds the projection of object-frame point `point`.
inline std::array<uint32_t, 2> projectToPixel(const OrbitPose& pose, const std::array<float, 3>& point) {
  float camera[3];
  for (int row = 0; row < 3; ++row) {
    camera[row] = pose.rotation[3 * row] * point[0] + pose.rotation[3 * row + 1] * point[1] +
                  pose.rotation[3 * row + 2] * point[2] + pose.translation[row];
  }
  return {uint32_t(std::floor(pose.fx * camera[0] / camera[2] + pose.cx)),
          uint32_t(std::floor(pose.fy * camera[1] / camera[2] + pose.cy))};
}

// Largest channel difference between pixel (x, y) and `expected` RGB.
inline int pixelDifference(const Image& image, std::array<uint32_t, 2> pixel, std::array<float, 3> expected) {
  const uint8_t* value = image.at(pixel[0], pixel[1]);
  int worst = 0;
  for (int c = 0; c < 3; ++c) worst = std::max(worst, std::abs(int(value[c]) - int(std::lround(expected[size_t(c)]))));
  return worst;
}

}  // namespace meshrt::test
