// The face head (docs/PACKS.md "Pipelines"): BlazeFace short range (whole frame letterboxed to
// 128×128 with zero bars, [-1,1]) → anchors + decode + weighted NMS (blazeface_decoder.h) →
// score ≥ min_score → the landmark crop: the detection box's centre, long side × crop.scale,
// square, rotated so the eye keypoints (crop.rotation_from → rotation_to of the detection's 6
// keypoints, MediaPipe's face_detection_front_detection_to_roi) lie horizontal → face landmark
// model (192×192, letterbox with edge replication, [0,1]) → face flag (a logit: sigmoid) ≥
// min_presence → 468 landmarks (x, y, z in crop pixels) mapped to image pixels, z scaled like x
// → mesh vertices = the landmarks (the template's UVs and triangles), pose = similarity
// Procrustes of the canonical mesh (the template) onto them.
// Tracking: the next crop is the landmarks' box × crop.scale, rotated by the landmarks
// tracking.rotation_from → rotation_to (33 → 263, MediaPipe's face_landmark_landmarks_to_roi).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

#include "heads/blazeface_decoder.h"
#include "heads/face_template.h"
#include "heads/head_pipelines.h"
#include "heads/pack_model.h"
#include "heads/procrustes.h"
#include "heads/tracking_crop.h"

namespace meshrt {
namespace {

constexpr uint32_t FACE_LANDMARKS = 468;

class FacePipeline final : public CropPipeline {
 public:
  FacePipeline(PackSpec pack, ObjectPipelineOptions options) : CropPipeline(std::move(pack), options) {}

  Result<void> init() {
    if (mPack.keypointCount != FACE_LANDMARKS) {
      return makeError(mPack.directory + "/pack.json: keypoints", "the face head needs 468");
    }
    auto detector = createModelRunner(mPack.detector);
    if (!detector) return detector.error();
    mDetector = std::move(*detector);
    auto landmarks = createModelRunner(mPack.landmarks);
    if (!landmarks) return landmarks.error();
    mLandmarks = std::move(*landmarks);
    auto anchors = generateSsdAnchors(blazeFaceShortRangeAnchorParams());
    if (!anchors) return anchors.error();
    mAnchors = std::move(*anchors);
    // Template vertex k is landmark k (the canonical mesh's v statements are in model order).
    auto mesh = loadLandmarkOrderedTemplate(mPack.templatePath, FACE_LANDMARKS);
    if (!mesh) return mesh.error();
    mTemplate = std::move(*mesh);
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
    if (boxes.size() != mAnchors.size() * 16 || scores.size() != mAnchors.size()) {
      return makeError(mPack.detector.path, "outputs do not match BlazeFace's 896 anchors × 16 values");
    }
    auto detections = decodeBlazeFace(boxes, scores, mAnchors);
    if (!detections) return detections.error();
    std::vector<CropCandidate> candidates;
    const float w = float(mPack.detector.input.width), h = float(mPack.detector.input.height);
    const int from = mPack.crop.rotationFrom, to = mPack.crop.rotationTo;
    for (const Detection& detection : *detections) {
      if (!(detection.score >= mPack.detection.minScore)) continue;
      if (candidates.size() >= mPack.detection.maxDetections) break;
      // Letterboxed detector-input coordinates → frame pixels.
      float x0, y0, x1, y1;
      modelToFramePixels(params, detection.xMin * w, detection.yMin * h, x0, y0);
      modelToFramePixels(params, detection.xMax * w, detection.yMax * h, x1, y1);
      CropCandidate candidate;
      candidate.detectionScore = detection.score;
      candidate.crop.centerX = 0.5f * (x0 + x1);
      candidate.crop.centerY = 0.5f * (y0 + y1);
      float width = (x1 - x0) * mPack.crop.scale, height = (y1 - y0) * mPack.crop.scale;
      if (mPack.crop.square) width = height = std::max(width, height);
      if (!(width > 0 && height > 0)) continue;
      candidate.crop.width = width;
      candidate.crop.height = height;
      const int keypoints = int(detection.keypoints.size() / 2);
      if (from >= 0 && to >= 0 && from < keypoints && to < keypoints) {
        float ax, ay, bx, by;
        modelToFramePixels(params, detection.keypoints[2 * from] * w, detection.keypoints[2 * from + 1] * h, ax, ay);
        modelToFramePixels(params, detection.keypoints[2 * to] * w, detection.keypoints[2 * to + 1] * h, bx, by);
        candidate.crop.rotationRad = std::atan2(by - ay, bx - ax) - mPack.crop.targetAngleRad;
      }
      candidates.push_back(candidate);
    }
    addTiming(timings, "detector_decode", start, mOptions.profiler);
    return candidates;
  }

  Result<std::optional<ReconstructedObject>> reconstruct(const Image& frame, const CropCandidate& candidate,
                                                         StageTimings& timings,
                                                         std::chrono::steady_clock::time_point& start) override {
    gpu::PreprocessParams params{};
    auto started = runLandmarkModel(*mLandmarks, frame, candidate, size_t{3} * FACE_LANDMARKS,
                                    "expected 1404 landmark values and 1 face flag", timings, start, params);
    if (!started) return started.error();
    if (!started->has_value()) return std::optional<ReconstructedObject>{};
    ReconstructedObject object = std::move(**started);
    const auto landmarks = mLandmarks->output("keypoints");
    object.keypoints2d.resize(size_t{2} * FACE_LANDMARKS);
    object.landmarkDepth.resize(FACE_LANDMARKS);
    // Frame pixels per model pixel (the crop's uniform scale; rotation keeps lengths).
    const float pixelScale = std::hypot(params.srcFromDst[0], params.srcFromDst[3]);
    object.mesh = mTemplate;
    for (uint32_t i = 0; i < FACE_LANDMARKS; ++i) {
      float x, y;
      modelToFramePixels(params, landmarks[3 * i], landmarks[3 * i + 1], x, y);
      object.keypoints2d[2 * i] = x;
      object.keypoints2d[2 * i + 1] = y;
      object.landmarkDepth[i] = landmarks[3 * i + 2] * pixelScale;
      object.mesh.positions[3 * i] = x;
      object.mesh.positions[3 * i + 1] = y;
      object.mesh.positions[3 * i + 2] = object.landmarkDepth[i];
    }
    addTiming(timings, "landmarks_decode", start, mOptions.profiler);
    auto pose = solveSimilarityProcrustes(mTemplate.positions, object.mesh.positions);
    if (!pose) return std::optional<ReconstructedObject>{};  // degenerate landmarks: not a face
    object.camera.model = ObjectCameraModel::OrthographicPixels;
    object.camera.intrinsics = assumedIntrinsics(mPack, frame.width, frame.height);
    object.camera.rotation = pose->rotation;
    object.camera.translation = pose->translation;
    object.camera.scale = pose->scale;
    addTiming(timings, "pose", start, mOptions.profiler);
    return std::optional<ReconstructedObject>{std::move(object)};
  }

  std::unique_ptr<PackModelRunner> mDetector, mLandmarks;
  std::vector<Anchor> mAnchors;
  TexturedMesh mTemplate;
};

}  // namespace

Result<std::unique_ptr<ObjectPipeline>> createFacePipeline(const PackSpec& pack, const ObjectPipelineOptions& options) {
  auto pipeline = std::make_unique<FacePipeline>(pack, options);
  auto ready = pipeline->init();
  if (!ready) return ready.error();
  return std::unique_ptr<ObjectPipeline>(std::move(pipeline));
}

}  // namespace meshrt
