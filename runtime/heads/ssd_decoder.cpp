#include "heads/ssd_decoder.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace meshrt {
namespace {

constexpr const char* CONTEXT = "ssd_decoder";

float layerScale(float minScale, float maxScale, size_t index, size_t count) {
  if (count == 1) return (minScale + maxScale) / 2;
  return minScale + (maxScale - minScale) * static_cast<float>(index) / static_cast<float>(count - 1);
}

}  // namespace

SsdAnchorParams objectronSsdAnchorParams() {
  SsdAnchorParams p;
  p.inputWidth = p.inputHeight = 300;
  p.minScale = 0.2f;
  p.maxScale = 0.95f;
  p.strides = {16, 32, 64, 128, 256, 512};
  p.aspectRatios = {1.0f, 2.0f, 0.5f, 3.0f, 0.3333f};
  p.reduceBoxesInLowestLayer = true;
  return p;
}

Result<std::vector<Anchor>> generateSsdAnchors(const SsdAnchorParams& params) {
  if (params.strides.empty()) return makeError(std::string(CONTEXT) + ": strides", "empty");
  if (params.inputWidth == 0 || params.inputHeight == 0) return makeError(std::string(CONTEXT) + ": inputWidth/inputHeight", "zero");
  for (size_t i = 0; i < params.strides.size(); ++i) {
    if (params.strides[i] == 0) return makeError(std::string(CONTEXT) + ": strides[" + std::to_string(i) + "]", "zero");
  }
  std::vector<Anchor> anchors;
  const size_t layers = params.strides.size();
  size_t layer = 0;
  while (layer < layers) {
    // Consecutive layers with one stride share a feature map; their anchors interleave per cell.
    std::vector<float> ratios, scales;
    size_t last = layer;
    while (last < layers && params.strides[last] == params.strides[layer]) {
      const float scale = layerScale(params.minScale, params.maxScale, last, layers);
      if (last == 0 && params.reduceBoxesInLowestLayer) {
        ratios.insert(ratios.end(), {1.0f, 2.0f, 0.5f});
        scales.insert(scales.end(), {0.1f, scale, scale});
      } else {
        for (float ratio : params.aspectRatios) ratios.push_back(ratio), scales.push_back(scale);
        if (params.interpolatedScaleAspectRatio > 0) {
          const float next = last == layers - 1 ? 1.0f : layerScale(params.minScale, params.maxScale, last + 1, layers);
          scales.push_back(std::sqrt(scale * next));
          ratios.push_back(params.interpolatedScaleAspectRatio);
        }
      }
      ++last;
    }
    const uint32_t stride = params.strides[layer];
    const uint32_t mapHeight = (params.inputHeight + stride - 1) / stride;  // ceil
    const uint32_t mapWidth = (params.inputWidth + stride - 1) / stride;
    for (uint32_t y = 0; y < mapHeight; ++y) {
      for (uint32_t x = 0; x < mapWidth; ++x) {
        for (size_t a = 0; a < ratios.size(); ++a) {
          Anchor anchor;
          anchor.xCenter = (static_cast<float>(x) + params.anchorOffsetX) / static_cast<float>(mapWidth);
          anchor.yCenter = (static_cast<float>(y) + params.anchorOffsetY) / static_cast<float>(mapHeight);
          if (params.fixedAnchorSize) {
            anchor.width = anchor.height = 1.0f;
          } else {
            const float root = std::sqrt(ratios[a]);
            anchor.width = scales[a] * root;
            anchor.height = scales[a] / root;
          }
          anchors.push_back(anchor);
        }
      }
    }
    layer = last;
  }
  return anchors;
}

Result<std::vector<Detection>> decodeSsdDetections(std::span<const float> rawBoxes, std::span<const float> rawScores,
                                                   std::span<const Anchor> anchors, const BoxDecodeParams& decode,
                                                   const DetectionFilter& filter) {
  const size_t count = anchors.size();
  if (decode.coordsPerBox < 4 + 2 * decode.keypointCount) {
    return makeError(std::string(CONTEXT) + ": coordsPerBox", "smaller than 4 + 2·keypointCount");
  }
  if (rawBoxes.size() != count * decode.coordsPerBox) {
    return makeError(std::string(CONTEXT) + ": rawBoxes", std::to_string(rawBoxes.size()) + " values, expected " +
                                                              std::to_string(count * decode.coordsPerBox));
  }
  if (filter.classCount == 0 || rawScores.size() != count * filter.classCount) {
    return makeError(std::string(CONTEXT) + ": rawScores", std::to_string(rawScores.size()) + " values, expected " +
                                                               std::to_string(count * filter.classCount));
  }
  std::vector<Detection> detections;
  for (size_t i = 0; i < count; ++i) {
    int32_t bestLabel = -1;
    float bestLogit = -INFINITY;
    for (uint32_t c = 0; c < filter.classCount; ++c) {
      const int32_t label = static_cast<int32_t>(c);
      if (std::find(filter.ignoredLabels.begin(), filter.ignoredLabels.end(), label) != filter.ignoredLabels.end()) continue;
      float logit = rawScores[i * filter.classCount + c];
      if (filter.scoreClip > 0) logit = std::clamp(logit, -filter.scoreClip, filter.scoreClip);
      if (logit > bestLogit) bestLogit = logit, bestLabel = label;
    }
    if (bestLabel < 0) continue;
    const float score = 1.0f / (1.0f + std::exp(-bestLogit));
    if (!(score >= filter.minScore)) continue;
    const float* raw = rawBoxes.data() + i * decode.coordsPerBox;
    const Anchor& anchor = anchors[i];
    const float rx = decode.xFirst ? raw[0] : raw[1];
    const float ry = decode.xFirst ? raw[1] : raw[0];
    const float rw = decode.xFirst ? raw[2] : raw[3];
    const float rh = decode.xFirst ? raw[3] : raw[2];
    const float xCenter = rx / decode.xScale * anchor.width + anchor.xCenter;
    const float yCenter = ry / decode.yScale * anchor.height + anchor.yCenter;
    const float w = decode.exponentialSize ? std::exp(rw / decode.wScale) * anchor.width : rw / decode.wScale * anchor.width;
    const float h = decode.exponentialSize ? std::exp(rh / decode.hScale) * anchor.height : rh / decode.hScale * anchor.height;
    Detection d;
    d.xMin = xCenter - w / 2;
    d.yMin = yCenter - h / 2;
    d.xMax = xCenter + w / 2;
    d.yMax = yCenter + h / 2;
    d.score = score;
    d.label = bestLabel;
    for (uint32_t k = 0; k < decode.keypointCount; ++k) {
      d.keypoints.push_back(raw[4 + 2 * k] / decode.xScale * anchor.width + anchor.xCenter);
      d.keypoints.push_back(raw[4 + 2 * k + 1] / decode.yScale * anchor.height + anchor.yCenter);
    }
    detections.push_back(std::move(d));
  }
  return detections;
}

float intersectionOverUnion(const Detection& a, const Detection& b) {
  const float w = std::min(a.xMax, b.xMax) - std::max(a.xMin, b.xMin);
  const float h = std::min(a.yMax, b.yMax) - std::max(a.yMin, b.yMin);
  if (w <= 0 || h <= 0) return 0;
  const float intersection = w * h;
  const float unionArea = (a.xMax - a.xMin) * (a.yMax - a.yMin) + (b.xMax - b.xMin) * (b.yMax - b.yMin) - intersection;
  return unionArea > 0 ? intersection / unionArea : 0;
}

std::vector<Detection> nonMaxSuppression(std::vector<Detection> detections, float iouThreshold, uint32_t maxDetections) {
  std::stable_sort(detections.begin(), detections.end(), [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  for (auto& candidate : detections) {
    if (kept.size() >= maxDetections) break;
    bool suppressed = false;
    for (const auto& k : kept) {
      if (intersectionOverUnion(candidate, k) > iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push_back(std::move(candidate));
  }
  return kept;
}

}  // namespace meshrt
