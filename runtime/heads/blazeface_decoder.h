// BlazeFace short-range decoding (the face head's detector): 896 anchors on 128×128, boxes
// and 6 keypoints in input pixels relative to the anchor centre, weighted NMS. Constants from
// MediaPipe's face_detection_short_range graph (see docs/SOLVERS.md).
#pragma once

#include "heads/ssd_decoder.h"

namespace meshrt {

SsdAnchorParams blazeFaceShortRangeAnchorParams();  // 896 anchors
BoxDecodeParams blazeFaceBoxDecodeParams();         // scales 128, linear size, x first, 16 values
DetectionFilter blazeFaceFilter();                  // 1 class, min score 0.5, logits clipped ±100

// Each kept box (and its keypoints) is the score-weighted mean of the cluster of boxes that
// overlap the current top box by IoU > threshold; the kept score is the top box's.
std::vector<Detection> weightedNonMaxSuppression(std::vector<Detection> detections, float iouThreshold,
                                                 uint32_t maxDetections);

// Anchors + decode + weighted NMS (IoU 0.3), the full BlazeFace post-processing.
Result<std::vector<Detection>> decodeBlazeFace(std::span<const float> rawBoxes, std::span<const float> rawScores,
                                               std::span<const Anchor> anchors);

}  // namespace meshrt
