// Objectron head: lift 9 box keypoints to a 3D box (EPnP → box fit → Gauss–Newton).
//
// Keypoints follow MediaPipe's Objectron order (mediapipe/modules/objectron/calculators/box.cc):
// index 0 is the centre, 1–8 the corners (±½, ±½, ±½)·size with x = corner bit 2, y = bit 1,
// z = bit 0 of (index − 1): 1 = (−,−,−), 2 = (−,−,+), 3 = (−,+,−), …, 8 = (+,+,+).
// The object frame is the box's own (+y up, DESIGN §5). Everything here is in the OpenCV
// camera frame (x right, y down, z forward). MediaPipe's Objectron camera is x right, y up,
// −z forward; objectronFromOpencv() converts a result at that boundary, and nowhere else.
//
// EPnP is up to scale: the translation is returned with |t| = 1 and the size in the same
// unit ("relative" in result.json). Multiply both by the true centre distance for metres.
#pragma once

#include <array>
#include <span>

#include "meshrt/result.h"

namespace meshrt {

constexpr int BOX_KEYPOINTS = 9;

// The value result.json's box3d carries as "translation_unit" for boxes from this lift: t and
// size are in units of the camera-to-centre distance (|t| = 1), not metres.
constexpr const char* BOX_TRANSLATION_UNIT = "relative";

struct PinholeIntrinsics {
  float fx = 0, fy = 0;  // focal lengths, pixels
  float cx = 0, cy = 0;  // principal point, pixels (DESIGN §5 pixel-centre convention)
};

struct EpnpBoxParams {
  PinholeIntrinsics intrinsics;
  int refineIterations = 10;        // Gauss–Newton/LM iterations on the reprojection error
  float maxRelativeError = 0.15f;   // RMS reprojection error / RMS keypoint spread above this
                                    // means the keypoints are not a box (reordered, garbage)
};

struct Box3d {
  std::array<float, 9> rotation{};     // R, box frame → camera (OpenCV), row-major, det +1
  std::array<float, 3> translation{};  // box centre in the camera frame, relative units: |t| = 1
  std::array<float, 3> size{};         // full extent along the box's x, y, z, same unit as t
  std::array<float, 2 * BOX_KEYPOINTS> reprojected{};  // the fitted box's 9 keypoints, pixels
  float rmsErrorPixels = 0;            // RMS reprojection error of the fitted box, pixels
};

// keypoints: 9×2 pixels (x right, y down), MediaPipe order.
Result<Box3d> liftBoxEpnp(std::span<const float> keypoints, const EpnpBoxParams& params);

// Converts a rotation/translation from the OpenCV camera frame to MediaPipe Objectron's
// (x right, y up, −z forward): both are left-multiplied by diag(1, −1, −1).
void objectronFromOpencv(std::array<float, 9>& rotation, std::array<float, 3>& translation);

// The unit-box corner of keypoint `index` (0 = centre), box frame, extent ±0.5.
std::array<float, 3> unitBoxKeypoint(int index);

}  // namespace meshrt
