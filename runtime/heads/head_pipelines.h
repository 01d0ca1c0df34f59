// The heads behind createObjectPipeline() (object_pipeline.h), and what they share.
#pragma once

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/pack.h"
#include "core/profiler.h"
#include "core/textured_mesh.h"
#include "heads/object_pipeline.h"
#include "heads/pack_model.h"
#include "heads/pack_vulkan_frame.h"
#include "heads/tracking_crop.h"

namespace meshrt {

using StageTimings = std::vector<std::pair<std::string, double>>;  // stage name, milliseconds

// The frame logic both heads share: tracked crops first (when tracking), the detector when there
// are none or every tracked object was lost, then the landmark stage per crop. A head supplies
// detect() and reconstruct().
class CropPipeline : public ObjectPipeline {
 public:
  Result<PipelineFrameResult> process(const Image& frame) final;
  void resetTracking() final {
    mTracks.clear();
    mFramesSinceDetection = 0;
  }
  const PackSpec& pack() const final { return mPack; }
  const char* encoderIoName() const final;
  std::string encoderIoFallbackReason() const final;
  uint64_t frameUploads() const final { return mVulkanFrame ? mVulkanFrame->uploadCount() : 0; }

 protected:
  struct CropCandidate {
    CropRect crop;             // the landmark crop, image pixels
    float detectionScore = 0;  // 0: from tracking
  };
  CropPipeline(PackSpec pack, ObjectPipelineOptions options) : mPack(std::move(pack)), mOptions(options) {}
  // The detector on the whole frame → landmark crops, best first, at most max_detections.
  virtual Result<std::vector<CropCandidate>> detect(const Image& frame, StageTimings& timings,
                                                    std::chrono::steady_clock::time_point& start) = 0;
  // The landmark model on one crop → the object, or nullopt when it is not there (presence).
  virtual Result<std::optional<ReconstructedObject>> reconstruct(const Image& frame, const CropCandidate& candidate,
                                                                 StageTimings& timings,
                                                                 std::chrono::steady_clock::time_point& start) = 0;
  // The pack's crop for the next frame from this frame's keypoints.
  TrackingCropParams trackingParams() const;
  // The landmark step both heads share: runs `landmarks` on the candidate's crop (timing
  // "landmarks"), checks that its "keypoints" output holds `keypointValues` floats and its
  // "presence" one (else the error `sizeError`), and returns the object with score, detection
  // score and crop filled, or nullopt when the presence is below the pack's minimum. `params`
  // receives the preprocess mapping (model pixels → frame pixels).
  Result<std::optional<ReconstructedObject>> runLandmarkModel(PackModelRunner& landmarks, const Image& frame,
                                                              const CropCandidate& candidate, size_t keypointValues,
                                                              const char* sizeError, StageTimings& timings,
                                                              std::chrono::steady_clock::time_point& start,
                                                              gpu::PreprocessParams& params);
  // A runner for one of the pack's models on the path the options choose (host, or encoder
  // I/O sharing this pipeline's PackVulkanFrame). Heads create their runners with this.
  Result<std::unique_ptr<PackModelRunner>> createModelRunner(const PackModel& model);

  PackSpec mPack;
  ObjectPipelineOptions mOptions;
  std::unique_ptr<PackVulkanFrame> mVulkanFrame;  // encoder-I/O path only; outlives the runners
  const PackModelRunner* mFirstRunner = nullptr;   // for encoderIoName()

 private:
  struct Track {
    std::vector<float> keypoints;  // N×2 image pixels
    float presence = 0;
  };
  std::vector<Track> mTracks;
  uint32_t mFramesSinceDetection = 0;
};

Result<std::unique_ptr<ObjectPipeline>> createObjectronPipeline(const PackSpec& pack, const ObjectPipelineOptions& options);
Result<std::unique_ptr<ObjectPipeline>> createFacePipeline(const PackSpec& pack, const ObjectPipelineOptions& options);

// Reads and checks the pack's template OBJ (positions, one UV per vertex, triangles).
Result<TexturedMesh> loadPackTemplate(const PackSpec& pack);

inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// The profiler span name of a timing stage: model runs are recorded inside PackModelRunner::run
// ("preprocess", "encoder"), so they get none here (""); decoders become "decode", the 3D
// solvers "solve".
inline const char* timingSpanName(const std::string& stage) {
  if (stage == "detector" || stage == "landmarks" || stage == "encoder") return "";
  if (stage == "detector_decode" || stage == "landmarks_decode") return "decode";
  if (stage == "box_lift" || stage == "pose") return "solve";
  return stage.c_str();
}

// Adds the milliseconds since `start` to the stage `name` in `timings` (first use appends) and
// restarts `start`. With a profiler, also records the interval as a CPU span (timingSpanName).
inline void addTiming(StageTimings& timings, const std::string& name,
                      std::chrono::steady_clock::time_point& start, Profiler* profiler) {
  const auto now = std::chrono::steady_clock::now();
  const double ms = std::chrono::duration<double, std::milli>(now - start).count();
  if (profiler) {
    const char* spanName = timingSpanName(name);
    if (spanName[0] != '\0') {
      const auto toNs = [](std::chrono::steady_clock::time_point t) {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
      };
      profiler->addCpuSpan(spanName, toNs(start), toNs(now));
    }
  }
  start = now;
  for (auto& [stage, value] : timings) {
    if (stage == name) {
      value += ms;
      return;
    }
  }
  timings.emplace_back(name, ms);
}

}  // namespace meshrt
