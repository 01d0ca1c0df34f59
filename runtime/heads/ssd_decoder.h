// SSD anchor generation and box decoding for the detectors in front of the objectron and face
// heads, following the semantics of MediaPipe's SsdAnchorsCalculator and
// TensorsToDetectionsCalculator (constants in docs/SOLVERS.md, with their source files).
// Coordinates are normalized to the detector input: x right, y down, [0, 1].
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "meshrt/result.h"

namespace meshrt {

struct Anchor {
  float xCenter = 0, yCenter = 0;  // normalized [0, 1]
  float width = 0, height = 0;     // normalized
};

struct SsdAnchorParams {
  uint32_t inputWidth = 0, inputHeight = 0;  // detector input, pixels
  float minScale = 0, maxScale = 0;          // anchor scale of the first and last layer
  std::vector<uint32_t> strides;             // one per layer; equal strides share a feature map
  std::vector<float> aspectRatios;
  float anchorOffsetX = 0.5f, anchorOffsetY = 0.5f;  // anchor centre within its cell
  bool reduceBoxesInLowestLayer = false;  // layer 0: (ratio 1, scale 0.1), (2, s), (0.5, s)
  float interpolatedScaleAspectRatio = 1.0f;  // > 0: one more anchor at √(s·s_next)
  bool fixedAnchorSize = false;               // true: width = height = 1 (BlazeFace)
};

// The SSD MobileNetV2 detector of MediaPipe's Objectron graph (1,917 anchors on 300×300).
SsdAnchorParams objectronSsdAnchorParams();

Result<std::vector<Anchor>> generateSsdAnchors(const SsdAnchorParams& params);

struct BoxDecodeParams {
  float xScale = 10, yScale = 10, wScale = 5, hScale = 5;  // raw / scale · anchor size
  bool exponentialSize = true;  // true: size = exp(raw/scale)·anchor; false: raw/scale·anchor
  bool xFirst = false;          // raw order (x, y, w, h) instead of TF's (y, x, h, w)
  uint32_t coordsPerBox = 4;    // values per box in the raw tensor (≥ 4; BlazeFace: 16)
  uint32_t keypointCount = 0;   // (x, y) pairs following the box, decoded like the centre
};

struct Detection {
  float xMin = 0, yMin = 0, xMax = 0, yMax = 0;  // normalized [0, 1] (unclamped)
  float score = 0;                                // sigmoid of the raw logit
  int32_t label = 0;
  std::vector<float> keypoints;  // keypointCount × (x, y), normalized
};

struct DetectionFilter {
  uint32_t classCount = 1;                 // scores tensor: anchors × classCount logits
  float minScore = 0.5f;                   // after the sigmoid
  std::vector<int32_t> ignoredLabels;      // e.g. {0}: the SSD background class
  float scoreClip = 0;                     // > 0: logits clipped to ±scoreClip (BlazeFace 100)
};

// Decodes every anchor's box, takes its best non-ignored class, keeps score ≥ minScore.
// rawBoxes: anchors × coordsPerBox, rawScores: anchors × classCount.
Result<std::vector<Detection>> decodeSsdDetections(std::span<const float> rawBoxes, std::span<const float> rawScores,
                                                   std::span<const Anchor> anchors, const BoxDecodeParams& decode,
                                                   const DetectionFilter& filter);

float intersectionOverUnion(const Detection& a, const Detection& b);

// Greedy NMS: highest score first, drops boxes with IoU > threshold against a kept one.
std::vector<Detection> nonMaxSuppression(std::vector<Detection> detections, float iouThreshold, uint32_t maxDetections);

}  // namespace meshrt
