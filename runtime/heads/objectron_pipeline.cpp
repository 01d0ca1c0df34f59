// The objectron head (docs/PACKS.md "Pipelines"): SSD detector (whole frame stretched to
// 300×300, [-1,1]) → best non-background class per anchor, score ≥ min_score → NMS → the
// pack's labels → per detection a square crop (box × crop.scale, long side) letterboxed to the
// landmark input with edge replication, [0,1] → 9 box keypoints + presence → presence ≥
// min_presence → keypoints to image pixels → liftBoxEpnp with the assumed pinhole → the
// template (unit box ±0.5) scaled by the box size, rotated and translated into the camera frame.
// The NMS → label filter order follows MediaPipe's graph (TensorsToDetections, NMS, then
// FilterDetectionCalculator on the allowed labels).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include "heads/head_pipelines.h"
#include "heads/pack_model.h"
#include "heads/ssd_decoder.h"
#include "heads/tracking_crop.h"

namespace meshrt {
namespace {

class ObjectronPipeline final : public CropPipeline {
 public:
  ObjectronPipeline(PackSpec pack, ObjectPipelineOptions options) : CropPipeline(std::move(pack), options) {}

  Result<void> init() {
    auto detector = createModelRunner(mPack.detector);
    if (!detector) return detector.error();
    mDetector = std::move(*detector);
    auto landmarks = createModelRunner(mPack.landmarks);
    if (!landmarks) return landmarks.error();
    mLandmarks = std::move(*landmarks);
    auto anchors = generateSsdAnchors(objectronSsdAnchorParams());
    if (!anchors) return anchors.error();
    mAnchors = std::move(*anchors);
    auto mesh = loadPackTemplate(mPack);
    if (!mesh) return mesh.error();
    mTemplate = std::move(*mesh);
    if (mPack.keypointCount != BOX_KEYPOINTS) {
      return makeError(mPack.directory + "/pack.json: keypoints", "objectron needs 9");
    }
    return {};
  }

 private:
  Result<std::vector<CropCandidate>> detect(const Image& frame, StageTimings& timings,
                                            std::chrono::steady_clock::time_point& start) override {
    gpu::PreprocessParams params{};
    auto ran = mDetector->run(frame, mDetector->preprocessConfig({}, frame.width, frame.height), params, mOptions.profiler);
    if (!ran) return ran.error();
    addTiming(timings, "detector", start, mOptions.profiler);
    const auto boxes = mDetector->output("boxes");
    const auto scores = mDetector->output("scores");
    if (boxes.size() != mAnchors.size() * 4 || scores.empty() || scores.size() % mAnchors.size() != 0) {
      return makeError(mPack.detector.path, "outputs do not match the 1917 SSD anchors");
    }
    DetectionFilter filter;
    filter.classCount = uint32_t(scores.size() / mAnchors.size());
    filter.minScore = mPack.detection.minScore;
    filter.ignoredLabels = {0};  // background
    auto detections = decodeSsdDetections(boxes, scores, mAnchors, BoxDecodeParams{}, filter);
    if (!detections) return detections.error();
    auto kept = nonMaxSuppression(std::move(*detections), mPack.detection.iouThreshold,
                                  std::numeric_limits<uint32_t>::max());
    std::vector<CropCandidate> candidates;
    TrackingCropParams cropParams = trackingParams();
    cropParams.rotationFrom = cropParams.rotationTo = -1;  // detection crops are axis-aligned
    for (const Detection& detection : kept) {
      const auto& ids = mPack.detection.labelIds;
      if (std::find(ids.begin(), ids.end(), detection.label) == ids.end()) continue;
      if (candidates.size() >= mPack.detection.maxDetections) break;
      // Normalized detector-input coordinates → frame pixels (the stretch's inverse).
      const float w = float(mPack.detector.input.width), h = float(mPack.detector.input.height);
      float corners[4];
      modelToFramePixels(params, detection.xMin * w, detection.yMin * h, corners[0], corners[1]);
      modelToFramePixels(params, detection.xMax * w, detection.yMax * h, corners[2], corners[3]);
      auto crop = nextTrackingCrop(corners, 1.0f, cropParams);
      if (!crop) return crop.error();
      if (crop->runDetector) continue;  // a degenerate box
      candidates.push_back({crop->crop, detection.score});
    }
    addTiming(timings, "detector_decode", start, mOptions.profiler);
    return candidates;
  }

  Result<std::optional<ReconstructedObject>> reconstruct(const Image& frame, const CropCandidate& candidate,
                                                         StageTimings& timings,
                                                         std::chrono::steady_clock::time_point& start) override {
    gpu::PreprocessParams params{};
    auto started = runLandmarkModel(*mLandmarks, frame, candidate, size_t{2} * BOX_KEYPOINTS,
                                    "expected 18 keypoint values and 1 presence value", timings, start, params);
    if (!started) return started.error();
    if (!started->has_value()) return std::optional<ReconstructedObject>{};
    ReconstructedObject object = std::move(**started);
    const auto keypoints = mLandmarks->output("keypoints");
    object.keypoints2d.resize(size_t{2} * BOX_KEYPOINTS);
    for (int i = 0; i < BOX_KEYPOINTS; ++i) {
      modelToFramePixels(params, keypoints[2 * i], keypoints[2 * i + 1], object.keypoints2d[2 * i],
                         object.keypoints2d[2 * i + 1]);
    }
    EpnpBoxParams lift;
    lift.intrinsics = assumedIntrinsics(mPack, frame.width, frame.height);
    auto box = liftBoxEpnp(object.keypoints2d, lift);
    addTiming(timings, "box_lift", start, mOptions.profiler);
    // Keypoints that no box explains are not a box (issue 8 item 4: no invented boxes).
    if (!box) return std::optional<ReconstructedObject>{};
    object.camera.model = ObjectCameraModel::Pinhole;
    object.camera.intrinsics = lift.intrinsics;
    object.camera.rotation = box->rotation;
    object.camera.translation = box->translation;
    object.hasBox = true;
    object.box.center = box->translation;
    object.box.size = box->size;
    object.box.rotation = box->rotation;
    object.mesh = poseTemplate(*box);
    addTiming(timings, "mesh", start, mOptions.profiler);
    return std::optional<ReconstructedObject>{std::move(object)};
  }

  // The template's unit box (±0.5) scaled by the box size, then R·p + t: camera frame.
  TexturedMesh poseTemplate(const Box3d& box) const {
    TexturedMesh mesh = mTemplate;
    const auto& r = box.rotation;
    for (uint32_t v = 0; v < mesh.vertexCount(); ++v) {
      const float x = mTemplate.positions[3 * v] * box.size[0];
      const float y = mTemplate.positions[3 * v + 1] * box.size[1];
      const float z = mTemplate.positions[3 * v + 2] * box.size[2];
      for (int row = 0; row < 3; ++row) {
        mesh.positions[3 * v + row] = r[3 * row] * x + r[3 * row + 1] * y + r[3 * row + 2] * z + box.translation[row];
      }
    }
    return mesh;
  }

  std::unique_ptr<PackModelRunner> mDetector, mLandmarks;
  std::vector<Anchor> mAnchors;
  TexturedMesh mTemplate;
};

}  // namespace

Result<std::unique_ptr<ObjectPipeline>> createObjectronPipeline(const PackSpec& pack, const ObjectPipelineOptions& options) {
  auto pipeline = std::make_unique<ObjectronPipeline>(pack, options);
  auto ready = pipeline->init();
  if (!ready) return ready.error();
  return std::unique_ptr<ObjectPipeline>(std::move(pipeline));
}

}  // namespace meshrt
