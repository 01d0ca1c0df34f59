#include "heads/blazeface_decoder.h"

#include <algorithm>

namespace meshrt {

SsdAnchorParams blazeFaceShortRangeAnchorParams() {
  SsdAnchorParams p;
  p.inputWidth = p.inputHeight = 128;
  p.minScale = 0.1484375f;
  p.maxScale = 0.75f;
  p.strides = {8, 16, 16, 16};
  p.aspectRatios = {1.0f};
  p.fixedAnchorSize = true;
  return p;
}

BoxDecodeParams blazeFaceBoxDecodeParams() {
  BoxDecodeParams p;
  p.xScale = p.yScale = p.wScale = p.hScale = 128;  // raw values are input pixels
  p.exponentialSize = false;
  p.xFirst = true;
  p.coordsPerBox = 16;
  p.keypointCount = 6;
  return p;
}

DetectionFilter blazeFaceFilter() {
  DetectionFilter f;
  f.classCount = 1;
  f.minScore = 0.5f;
  f.scoreClip = 100;
  return f;
}

std::vector<Detection> weightedNonMaxSuppression(std::vector<Detection> detections, float iouThreshold,
                                                 uint32_t maxDetections) {
  std::stable_sort(detections.begin(), detections.end(), [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  while (!detections.empty() && kept.size() < maxDetections) {
    const Detection top = detections.front();
    std::vector<Detection> rest;
    Detection merged = top;
    float total = 0, xMin = 0, yMin = 0, xMax = 0, yMax = 0;
    std::vector<float> keypoints(top.keypoints.size(), 0.0f);
    for (auto& candidate : detections) {
      if (intersectionOverUnion(top, candidate) > iouThreshold || &candidate == &detections.front()) {
        const float w = candidate.score;
        total += w;
        xMin += w * candidate.xMin, yMin += w * candidate.yMin, xMax += w * candidate.xMax, yMax += w * candidate.yMax;
        for (size_t k = 0; k < keypoints.size() && k < candidate.keypoints.size(); ++k) keypoints[k] += w * candidate.keypoints[k];
      } else {
        rest.push_back(std::move(candidate));
      }
    }
    merged.xMin = xMin / total, merged.yMin = yMin / total, merged.xMax = xMax / total, merged.yMax = yMax / total;
    for (size_t k = 0; k < keypoints.size(); ++k) merged.keypoints[k] = keypoints[k] / total;
    kept.push_back(std::move(merged));
    detections = std::move(rest);
  }
  return kept;
}

Result<std::vector<Detection>> decodeBlazeFace(std::span<const float> rawBoxes, std::span<const float> rawScores,
                                               std::span<const Anchor> anchors) {
  auto detections = decodeSsdDetections(rawBoxes, rawScores, anchors, blazeFaceBoxDecodeParams(), blazeFaceFilter());
  if (!detections.ok()) return detections.error();
  return weightedNonMaxSuppression(std::move(*detections), 0.3f, 100);
}

}  // namespace meshrt
