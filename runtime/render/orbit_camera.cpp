#include "render/orbit_camera.h"

#include <algorithm>
#include <cmath>

namespace meshrt {
namespace {

constexpr float DEGREES = 3.14159265358979f / 180.0f;

std::array<float, 3> normalized(std::array<float, 3> v) {
  const float length = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  if (length > 0) for (float& c : v) c /= length;
  return v;
}

std::array<float, 3> cross(const std::array<float, 3>& a, const std::array<float, 3>& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

}  // namespace

OrbitPose orbitPose(const OrbitCamera& camera, const std::array<float, 3>& center, float radius, uint32_t width,
                    uint32_t height) {
  const float yaw = camera.yawDegrees * DEGREES;
  const float pitch = std::clamp(camera.pitchDegrees, -89.0f, 89.0f) * DEGREES;
  const float distance = camera.distance * radius;
  // Unit vector from the centre to the eye.
  const std::array<float, 3> toEye = {std::sin(yaw) * std::cos(pitch), std::sin(pitch), std::cos(yaw) * std::cos(pitch)};
  const std::array<float, 3> eye = {center[0] + distance * toEye[0], center[1] + distance * toEye[1],
                                    center[2] + distance * toEye[2]};
  // Camera axes in the object frame: z forward (toward the centre), x right, y down (OpenCV).
  const std::array<float, 3> forward = {-toEye[0], -toEye[1], -toEye[2]};
  const std::array<float, 3> right = normalized(cross(forward, {0.0f, 1.0f, 0.0f}));
  const std::array<float, 3> down = cross(forward, right);
  OrbitPose pose;
  for (int k = 0; k < 3; ++k) {
    pose.rotation[k] = right[k];
    pose.rotation[3 + k] = down[k];
    pose.rotation[6 + k] = forward[k];
  }
  for (int row = 0; row < 3; ++row) {
    pose.translation[row] = -(pose.rotation[3 * row] * eye[0] + pose.rotation[3 * row + 1] * eye[1] +
                              pose.rotation[3 * row + 2] * eye[2]);
  }
  pose.fy = 0.5f * float(height) / std::tan(0.5f * camera.fovYDegrees * DEGREES);
  pose.fx = pose.fy;
  pose.cx = 0.5f * float(width);
  pose.cy = 0.5f * float(height);
  return pose;
}

void orbitAnglesToward(const std::array<float, 3>& towardEye, float& yawDegrees, float& pitchDegrees) {
  const std::array<float, 3> d = normalized(towardEye);
  pitchDegrees = std::asin(std::clamp(d[1], -1.0f, 1.0f)) / DEGREES;
  yawDegrees = std::atan2(d[0], d[2]) / DEGREES;
}

}  // namespace meshrt
