// A virtual camera orbiting an object (the demo's novel view, issue 10 "Views"): it looks at a
// centre point from yaw/pitch angles at a distance, with the object's +y as up. The object
// frame is DESIGN §5's (right-handed, +y up); the camera frame is OpenCV (x right, y down,
// z forward), so the result plugs into stages/raster.h perspectiveView().
#pragma once

#include <array>
#include <cstdint>

namespace meshrt {

struct OrbitCamera {
  float yawDegrees = 0;     // about the object's +y axis; 0: the eye on the +z side, looking toward −z
  float pitchDegrees = 0;   // elevation of the eye above the centre's horizontal plane, −89..89
  float distance = 3.0f;    // eye to centre, in units of the bounding radius passed to orbitPose
  float fovYDegrees = 40;   // vertical field of view
};

struct OrbitPose {
  std::array<float, 9> rotation{};     // R, object frame → camera frame, row-major
  std::array<float, 3> translation{};  // t: X_camera = R X + t
  float fx = 0, fy = 0, cx = 0, cy = 0;  // pinhole for the target, pixels (square pixels)
};

// The pose of `camera` looking at `center` (object frame) for a width × height target; `radius`
// scales the distance (the mesh's bounding radius). Pitch is clamped to ±89° (up stays defined).
OrbitPose orbitPose(const OrbitCamera& camera, const std::array<float, 3>& center, float radius, uint32_t width,
                    uint32_t height);

// The yaw and pitch (degrees) that put the orbit's eye in direction `towardEye` from the centre
// (object frame; need not be unit length). Used to start the orbit where the input camera was.
void orbitAnglesToward(const std::array<float, 3>& towardEye, float& yawDegrees, float& pitchDegrees);

}  // namespace meshrt
