// The tracking crop: the next frame's crop from this frame's keypoints, so the detector runs
// only when the track is lost (DESIGN §2, objectron and face heads). Pixels, DESIGN §5.
#pragma once

#include <span>

#include "meshrt/result.h"
#include "stages/preprocess.h"

namespace meshrt {

struct TrackingCropParams {
  float scale = 1.5f;          // the keypoints' box is enlarged by this factor
  bool square = true;          // width = height = the longer side
  int rotationFrom = -1;       // keypoint indices a, b: the crop's x axis follows a → b …
  int rotationTo = -1;         // … (−1: no rotation, the crop stays axis-aligned)
  float targetAngleRad = 0;    // … turned back by this angle (e.g. π/2 for a vertical pair)
  float minPresence = 0.5f;    // presence score below this = track lost
};

struct TrackingDecision {
  bool runDetector = false;  // true: the track is lost; `crop` is meaningless
  CropRect crop;
};

// keypoints: M×2 pixels (M ≥ 2); presence: the landmark model's object score in [0, 1].
Result<TrackingDecision> nextTrackingCrop(std::span<const float> keypoints, float presence,
                                          const TrackingCropParams& params);

}  // namespace meshrt
