#include "heads/tracking_crop.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace meshrt {

Result<TrackingDecision> nextTrackingCrop(std::span<const float> keypoints, float presence,
                                          const TrackingCropParams& params) {
  constexpr const char* CONTEXT = "tracking_crop";
  if (keypoints.size() < 4 || keypoints.size() % 2 != 0) {
    return makeError(std::string(CONTEXT) + ": keypoints", "needs M×2 values with M >= 2");
  }
  const int count = static_cast<int>(keypoints.size() / 2);
  if ((params.rotationFrom >= 0) != (params.rotationTo >= 0) || params.rotationFrom >= count || params.rotationTo >= count) {
    return makeError(std::string(CONTEXT) + ": rotationFrom/rotationTo", "both -1 or both valid keypoint indices");
  }
  if (!(params.scale > 0)) return makeError(std::string(CONTEXT) + ": scale", "must be > 0");
  TrackingDecision decision;
  if (!(presence >= params.minPresence)) {
    decision.runDetector = true;
    return decision;
  }
  for (size_t i = 0; i < keypoints.size(); ++i) {
    if (!std::isfinite(keypoints[i])) {
      decision.runDetector = true;  // a broken track: fall back to the detector
      return decision;
    }
  }
  float angle = 0;
  if (params.rotationFrom >= 0) {
    const float dx = keypoints[params.rotationTo * 2] - keypoints[params.rotationFrom * 2];
    const float dy = keypoints[params.rotationTo * 2 + 1] - keypoints[params.rotationFrom * 2 + 1];
    angle = std::atan2(dy, dx) - params.targetAngleRad;  // clockwise on screen, as CropRect
  }
  // Bounding box in the crop's own axes (x' = R(−angle)·p), then back to the image.
  const float c = std::cos(angle), s = std::sin(angle);
  float minX = INFINITY, minY = INFINITY, maxX = -INFINITY, maxY = -INFINITY;
  for (int i = 0; i < count; ++i) {
    const float x = keypoints[i * 2], y = keypoints[i * 2 + 1];
    const float u = c * x + s * y, v = -s * x + c * y;
    minX = std::min(minX, u), maxX = std::max(maxX, u), minY = std::min(minY, v), maxY = std::max(maxY, v);
  }
  const float u = (minX + maxX) / 2, v = (minY + maxY) / 2;
  decision.crop.centerX = c * u - s * v;
  decision.crop.centerY = s * u + c * v;
  float width = (maxX - minX) * params.scale, height = (maxY - minY) * params.scale;
  if (params.square) width = height = std::max(width, height);
  decision.crop.width = width;
  decision.crop.height = height;
  decision.crop.rotationRad = angle;
  if (!(width > 0 && height > 0)) decision.runDetector = true;  // all keypoints coincide
  return decision;
}

}  // namespace meshrt
