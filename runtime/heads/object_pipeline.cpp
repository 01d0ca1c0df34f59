#include "heads/object_pipeline.h"

#include <algorithm>
#include <cmath>

#include "core/mesh_io.h"
#include "heads/deform_pipeline.h"
#include "heads/head_pipelines.h"

namespace meshrt {

PinholeIntrinsics assumedIntrinsics(const PackSpec& pack, uint32_t width, uint32_t height) {
  PinholeIntrinsics k;
  k.fx = k.fy = pack.focalPerLongSide * float(std::max(width, height));
  k.cx = 0.5f * float(width);
  k.cy = 0.5f * float(height);
  return k;
}

Result<TexturedMesh> loadPackTemplate(const PackSpec& pack) {
  auto mesh = readObj(pack.templatePath);
  if (!mesh) return mesh.error();
  if (mesh->vertexCount() == 0 || mesh->triangleCount() == 0) {
    return makeError(pack.templatePath, "template has no vertices or no triangles");
  }
  if (mesh->uvs.size() != size_t{2} * mesh->vertexCount()) {
    return makeError(pack.templatePath, "template needs one UV per vertex (vt on every face corner)");
  }
  return mesh;
}

TrackingCropParams CropPipeline::trackingParams() const {
  TrackingCropParams params;
  params.scale = mPack.crop.scale;
  params.square = mPack.crop.square;
  params.rotationFrom = mPack.crop.trackingRotationFrom;
  params.rotationTo = mPack.crop.trackingRotationTo;
  params.targetAngleRad = mPack.crop.targetAngleRad;
  params.minPresence = mPack.minPresence;
  return params;
}

Result<std::optional<ReconstructedObject>> CropPipeline::runLandmarkModel(
    PackModelRunner& landmarks, const Image& frame, const CropCandidate& candidate, size_t keypointValues,
    const char* sizeError, StageTimings& timings, std::chrono::steady_clock::time_point& start,
    gpu::PreprocessParams& params) {
  params = {};
  auto ran = landmarks.run(frame, landmarks.preprocessConfig(candidate.crop, frame.width, frame.height), params,
                           mOptions.profiler);
  if (!ran) return ran.error();
  addTiming(timings, "landmarks", start, mOptions.profiler);
  const auto presenceOut = landmarks.output("presence");
  if (landmarks.output("keypoints").size() != keypointValues || presenceOut.size() != 1) {
    return makeError(mPack.landmarks.path, sizeError);
  }
  const float presence = mPack.landmarks.presenceIsLogit ? sigmoid(presenceOut[0]) : presenceOut[0];
  if (!(presence >= mPack.minPresence)) return std::optional<ReconstructedObject>{};
  ReconstructedObject object;
  object.score = presence;
  object.detectionScore = candidate.detectionScore;
  object.crop = candidate.crop;
  return std::optional<ReconstructedObject>(std::move(object));
}

Result<std::unique_ptr<PackModelRunner>> CropPipeline::createModelRunner(const PackModel& model) {
  if (mOptions.encoderIoContext && !mVulkanFrame) {
    auto frame = PackVulkanFrame::create(*mOptions.encoderIoContext);
    if (!frame) return makeError(mPack.name + ": encoder I/O", frame.error().message);
    mVulkanFrame = std::move(*frame);
  }
  auto runner = PackModelRunner::create(model, mOptions.threads, mVulkanFrame.get());
  if (runner && !mFirstRunner) mFirstRunner = runner->get();
  return runner;
}

const char* CropPipeline::encoderIoName() const { return mFirstRunner ? mFirstRunner->encoderIoName() : "host"; }

std::string CropPipeline::encoderIoFallbackReason() const {
  return mFirstRunner ? mFirstRunner->encoderIoFallbackReason() : std::string();
}

Result<PipelineFrameResult> CropPipeline::process(const Image& frame) {
  if (frame.width == 0 || frame.height == 0 || (frame.channels != 3 && frame.channels != 4) ||
      frame.pixels.size() != size_t{frame.width} * frame.height * frame.channels) {
    return makeError(mPack.name + ": frame", "must be a non-empty RGB8 or RGBA8 image");
  }
  // Encoder I/O: the frame goes to the device once; the detector and every landmark run read it.
  if (mVulkanFrame) MESHRT_TRY(mVulkanFrame->upload(frame));
  PipelineFrameResult result;
  auto start = std::chrono::steady_clock::now();
  std::vector<CropCandidate> candidates;
  const bool redetectDue = mOptions.redetectEveryFrames > 0 && mFramesSinceDetection >= mOptions.redetectEveryFrames;
  if (mOptions.tracking && !redetectDue) {
    for (const Track& track : mTracks) {
      auto decision = nextTrackingCrop(track.keypoints, track.presence, trackingParams());
      if (!decision) return decision.error();
      if (!decision->runDetector) candidates.push_back({decision->crop, 0.0f});
    }
  }
  mTracks.clear();
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (candidates.empty()) {
      auto detected = detect(frame, result.timingsMs, start);
      if (!detected) return detected.error();
      candidates = std::move(*detected);
      result.ranDetector = true;
    }
    for (const CropCandidate& candidate : candidates) {
      auto object = reconstruct(frame, candidate, result.timingsMs, start);
      if (!object) return object.error();
      if (object->has_value()) result.objects.push_back(std::move(**object));
    }
    // Every tracked object lost: detect on this same frame rather than return nothing.
    if (!result.objects.empty() || result.ranDetector) break;
    candidates.clear();
  }
  if (mOptions.tracking) {
    for (const ReconstructedObject& object : result.objects) mTracks.push_back({object.keypoints2d, object.score});
  }
  mFramesSinceDetection = result.ranDetector ? 1 : mFramesSinceDetection + 1;
  return result;
}

ImageTexturingParams texturingParamsFor(const ObjectCamera& camera, uint32_t textureSize) {
  ImageTexturingParams params;
  params.textureSize = textureSize;
  switch (camera.model) {
    case ObjectCameraModel::Pinhole:
      params.projection = TexturingProjection::Perspective;
      params.intrinsics = camera.intrinsics;
      break;
    case ObjectCameraModel::OrthographicPixels:
      params.projection = TexturingProjection::OrthographicPixels;
      break;
    case ObjectCameraModel::WeakPerspective:
      params.projection = TexturingProjection::NormalizedImage;
      break;
  }
  return params;
}

Result<std::unique_ptr<ObjectPipeline>> createObjectPipeline(const PackSpec& pack, const ObjectPipelineOptions& options) {
  if (!options.head.empty() && !pack.supportsHead(options.head)) {
    return makeError("head '" + options.head + "'", "pack '" + pack.name + "' cannot run it (" + describeHeads(pack) + ")");
  }
  if (pack.templateFit == TemplateFit::Deform) return createDeformPipeline(pack, options);
  if (pack.head == "objectron") return createObjectronPipeline(pack, options);
  if (pack.head == "face") return createFacePipeline(pack, options);
  return makeError(pack.directory + "/pack.json: head", "'" + pack.head + "' has no pipeline (expected objectron or face)");
}

}  // namespace meshrt
