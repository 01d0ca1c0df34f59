// The ttp and regress heads (heads/deform_pipeline.h). Built on CropPipeline with the whole frame
// as the one crop: detect() proposes it without running a model, reconstruct() runs the encoder
// (stretch_frame ignores the crop; twice with test_time_mirror) and decodes the chosen head. With
// tracking the next frame's crop comes from the keypoints, which the stretched input ignores too:
// every frame is the same whole-frame encoder run either way.
#include "heads/deform_pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

#include "core/npy_file.h"
#include "core/so3_math.h"
#include "heads/deform_mirror.h"
#include "heads/head_pipelines.h"
#include "heads/pack_model.h"
#include "heads/silhouette_fit.h"
#include "heads/ttp_solver.h"

namespace meshrt {

std::vector<float> deformTemplate(std::span<const float> vertices, std::span<const float> basis, uint32_t basisCount,
                                  std::span<const float> coefficients) {
  // Summed in double, in basis order: the same bits as the dataset renderer's labels.
  std::vector<float> deformed(vertices.size());
  const uint32_t k = std::min<uint32_t>(basisCount, uint32_t(coefficients.size()));
  for (size_t row = 0; row < deformed.size(); ++row) {
    double value = vertices[row];
    for (uint32_t j = 0; j < k; ++j) value += double{basis[row * basisCount + j]} * coefficients[j];
    deformed[row] = static_cast<float>(value);
  }
  return deformed;
}

std::vector<float> projectWeakPerspective(std::span<const float> vertices, const std::array<float, 9>& r, float scale,
                                          const std::array<float, 2>& translation) {
  const size_t count = vertices.size() / 3;
  std::vector<float> points(2 * count);
  for (size_t i = 0; i < count; ++i) {
    const float* x = &vertices[3 * i];
    points[2 * i] = scale * (r[0] * x[0] + r[1] * x[1] + r[2] * x[2]) + translation[0];
    points[2 * i + 1] = scale * (r[3] * x[0] + r[4] * x[1] + r[5] * x[2]) + translation[1];
  }
  return points;
}

namespace {

constexpr size_t REGRESS_CAMERA_VALUES = 7;  // s, t_x, t_y, q_w, q_x, q_y, q_z

bool allFinite(std::span<const float> values) {
  for (const float value : values)
    if (!std::isfinite(value)) return false;
  return true;
}

class DeformPipeline final : public CropPipeline {
 public:
  DeformPipeline(PackSpec pack, ObjectPipelineOptions options) : CropPipeline(std::move(pack), options) {}

  Result<void> init() {
    mHead = mOptions.head.empty() ? mPack.head : mOptions.head;
    if (!mPack.supportsHead(mHead)) {
      return makeError(mPack.directory + "/pack.json: models.encoder.outputs",
                       "the encoder has no outputs for the " + mHead + " head");
    }
    auto mesh = loadPackTemplate(mPack);
    if (!mesh) return mesh.error();
    mTemplate = std::move(*mesh);
    auto basis = readNpy(mPack.basisPath);
    if (!basis) return basis.error();
    const size_t n = mTemplate.vertexCount(), k = mPack.basisCount;
    if (basis->type != NpyType::Float32 || basis->elementCount() != n * 3 * k) {
      return makeError(mPack.basisPath, "expected float32 " + std::to_string(n) + "x3x" + std::to_string(k));
    }
    mBasis.assign(basis->floats().begin(), basis->floats().end());
    auto encoder = createModelRunner(mPack.encoder);
    if (!encoder) return encoder.error();
    mEncoder = std::move(*encoder);
    // Output sizes are known after import: check them once here, not per frame.
    const auto sizeOf = [&](const char* role) { return mEncoder->output(role).size(); };
    if (mHead == "regress" && sizeOf("regress") != REGRESS_CAMERA_VALUES + k) {
      return makeError(mPack.encoder.path, "output '" + mPack.encoder.output("regress") + "' (regress) has " +
                                               std::to_string(sizeOf("regress")) + " values, expected 7 + K = " +
                                               std::to_string(REGRESS_CAMERA_VALUES + k));
    }
    if (mHead == "ttp" && (sizeOf("points") != 2 * n || sizeOf("visibility") != n)) {
      return makeError(mPack.encoder.path, "outputs points/visibility have " + std::to_string(sizeOf("points")) + "/" +
                                               std::to_string(sizeOf("visibility")) + " values, expected 2N/N = " +
                                               std::to_string(2 * n) + "/" + std::to_string(n));
    }
    mModel.vertices = mTemplate.positions;
    mModel.basis = mBasis;
    mModel.basisCount = mPack.basisCount;
    MESHRT_TRY(validateTtpModel(mModel));
    mSolverParams.gamma = mPack.solver.gamma;
    mSolverParams.alternations = mPack.solver.alternations;
    mSolverParams.robustScale = mPack.solver.robustScale;
    if (mPack.silhouetteFit.enabled) MESHRT_TRY(initSilhouetteFit());
    if (mPack.testTimeMirror) {
      auto partners = findMirrorPartners(mTemplate.positions, mBasis, mPack.basisCount,
                                         mPack.directory + "/pack.json: test_time_mirror");
      if (!partners) return partners.error();
      mMirrorPartner = std::move(*partners);
    }
    return {};
  }

 private:
  // The mask output's grid: [1][1][H/f][W/f] for the encoder input W × H and an integer f
  // (train.py's model: f = 8). Its size alone fixes f, so that is all that is checked.
  Result<void> initSilhouetteFit() {
    const size_t values = mEncoder->output("mask").size();
    const uint32_t width = mPack.encoder.input.width, height = mPack.encoder.input.height;
    uint32_t stride = 0;
    for (uint32_t f = 1; f <= std::min(width, height); ++f) {
      if (width % f == 0 && height % f == 0 && size_t(width / f) * (height / f) == values) stride = f;
    }
    if (stride == 0) {
      return makeError(mPack.encoder.path, "output '" + mPack.encoder.output("mask") + "' (mask) has " +
                                               std::to_string(values) + " values: not a grid of " +
                                               std::to_string(width) + "/f × " + std::to_string(height) +
                                               "/f cells for any integer f");
    }
    mMaskWidth = width / stride;
    mMaskHeight = height / stride;
    auto fitter = SilhouetteFitter::create(mTemplate.positions, mBasis, mPack.basisCount, mTemplate.triangles);
    if (!fitter) return fitter.error();
    mFitter = std::move(*fitter);
    mFitParams.iterations = mPack.silhouetteFit.iterations;
    mFitParams.upsample = mPack.silhouetteFit.upsample;
    mFitParams.threshold = mPack.silhouetteFit.threshold;
    mFitParams.shapePrior = mPack.silhouetteFit.shapePrior;
    mFitParams.anchorWeight = mPack.silhouetteFit.anchorWeight;
    return {};
  }

  // The silhouette fit's first stage (heads/silhouette_fit.h): pose and shape to the encoder's
  // mask, each vertex anchored at `anchorPoints` with `anchorWeights`.
  Result<SilhouetteFitReport> fitAnchored(DeformPose& pose, std::span<const float> anchorPoints,
                                          std::span<const float> anchorWeights) const {
    const SilhouetteMask mask{mMaskWidth, mMaskHeight, mMask};
    auto report = mFitter->fit(mask, mFitParams, pose, {anchorPoints, anchorWeights});
    if (!report) return makeError(mPack.encoder.path, "silhouette fit: " + report.error().message);
    return report;
  }

  // The second stage (pack silhouette_fit.outline_iterations): scale, translation and shape to
  // the mask alone, the rotation kept.
  Result<void> fitOutline(DeformPose& pose) const {
    if (mPack.silhouetteFit.outlineIterations == 0) return {};
    SilhouetteFitParams outline = mFitParams;
    outline.iterations = mPack.silhouetteFit.outlineIterations;
    outline.fitRotation = false;
    outline.anchorWeight = 0;
    const SilhouetteMask mask{mMaskWidth, mMaskHeight, mMask};
    auto report = mFitter->fit(mask, outline, pose);
    if (!report) return makeError(mPack.encoder.path, "silhouette fit: " + report.error().message);
    return {};
  }

  static DeformPose poseOf(const ObjectCamera& camera, const std::vector<float>& coefficients) {
    DeformPose pose;
    pose.rotation = camera.rotation;
    pose.scale = camera.scale;
    pose.translation = {camera.translation[0], camera.translation[1]};
    pose.coefficients = coefficients;
    return pose;
  }

  static void setPose(DeformPose&& pose, ObjectCamera& camera, std::vector<float>& coefficients) {
    camera.rotation = pose.rotation;
    camera.scale = pose.scale;
    camera.translation = {pose.translation[0], pose.translation[1], 0.0f};
    coefficients = std::move(pose.coefficients);
  }

  Result<std::vector<CropCandidate>> detect(const Image& frame, StageTimings&,
                                            std::chrono::steady_clock::time_point&) override {
    CropCandidate whole;
    whole.crop.centerX = 0.5f * float(frame.width);
    whole.crop.centerY = 0.5f * float(frame.height);
    whole.crop.width = float(frame.width);
    whole.crop.height = float(frame.height);
    whole.detectionScore = 0.0f;  // no detector ran
    return std::vector<CropCandidate>{whole};
  }

  Result<std::optional<ReconstructedObject>> reconstruct(const Image& frame, const CropCandidate& candidate,
                                                         StageTimings& timings,
                                                         std::chrono::steady_clock::time_point& start) override {
    MESHRT_TRY(runEncoder(frame, candidate.crop));
    addTiming(timings, "encoder", start, mOptions.profiler);
    ReconstructedObject object;
    object.score = 1.0f;  // no presence output: the whole frame is the object
    object.detectionScore = 0.0f;  // no detector
    object.crop = candidate.crop;
    object.hasDeform = true;
    DeformResult& deform = object.deform;
    deform.head = mHead;
    ObjectCamera& camera = object.camera;
    camera.model = ObjectCameraModel::WeakPerspective;
    const uint32_t k = mPack.basisCount;
    if (mHead == "regress") {
      const std::span<const float> regress = mRegress;
      if (!allFinite(regress)) return makeError(mPack.encoder.path, "the regress output holds a non-finite value");
      camera.scale = regress[0];
      camera.translation = {regress[1], regress[2], 0.0f};
      const float norm = rotationFromQuaternion(&regress[3], camera.rotation.data());
      if (!(norm > 1e-12f)) return std::optional<ReconstructedObject>{};  // no rotation: no object
      deform.coefficients.assign(regress.begin() + REGRESS_CAMERA_VALUES, regress.begin() + REGRESS_CAMERA_VALUES + k);
      addTiming(timings, "decode", start, mOptions.profiler);
    } else {
      if (!allFinite(mPoints) || !allFinite(mVisibility) || !allFinite(mMirroredPoints) ||
          !allFinite(mMirroredVisibility)) {
        return makeError(mPack.encoder.path, "the points or visibility output holds a non-finite value");
      }
      addTiming(timings, "decode", start, mOptions.profiler);
      auto solved = solveCandidates(deform);
      if (!solved) return solved.error();
      std::optional<TtpSolution> solution = std::move(*solved);
      if (!solution) return std::optional<ReconstructedObject>{};  // degenerate observations: no object
      camera.rotation = solution->rotation;
      camera.scale = solution->scale;
      camera.translation = {solution->translation[0], solution->translation[1], 0.0f};
      deform.coefficients = std::move(solution->coefficients);
      deform.solverLoss = solution->loss;
      addTiming(timings, "solve", start, mOptions.profiler);
    }
    if (mFitter) {
      DeformPose pose = poseOf(camera, deform.coefficients);
      if (mHead == "regress") {  // anchored at its own projection (ttp: per candidate, in solveCandidates)
        const std::vector<float> own = projectWeakPerspective(
            deformTemplate(mTemplate.positions, mBasis, k, pose.coefficients), pose.rotation, pose.scale,
            pose.translation);
        const std::vector<float> uniform(mTemplate.vertexCount(), 1.0f);
        auto report = fitAnchored(pose, own, uniform);
        if (!report) return report.error();
        deform.silhouetteCost = report->finalOutlineCost;
      }
      MESHRT_TRY(fitOutline(pose));
      setPose(std::move(pose), camera, deform.coefficients);
      addTiming(timings, "silhouette", start, mOptions.profiler);
    }
    quaternionFromRotation(camera.rotation.data(), deform.quaternion.data());
    deform.objectVertices = deformTemplate(mTemplate.positions, mBasis, k, deform.coefficients);
    const std::array<float, 2> translation = {camera.translation[0], camera.translation[1]};
    const std::vector<float> projected =
        projectWeakPerspective(deform.objectVertices, camera.rotation, camera.scale, translation);
    if (mHead == "regress") deform.points = projected;
    // Keypoints: the head's 2D vertex positions, normalized → input-image pixels.
    const size_t n = mTemplate.vertexCount();
    object.keypoints2d.resize(2 * n);
    for (size_t i = 0; i < n; ++i) {
      object.keypoints2d[2 * i] = (deform.points[2 * i] + 1.0f) * 0.5f * float(frame.width);
      object.keypoints2d[2 * i + 1] = (deform.points[2 * i + 1] + 1.0f) * 0.5f * float(frame.height);
    }
    // The posed mesh in the camera frame, normalized image units: s·R·X + (t_x, t_y, 0).
    object.mesh = mTemplate;
    const auto& r = camera.rotation;
    for (size_t i = 0; i < n; ++i) {
      const float* x = &deform.objectVertices[3 * i];
      object.mesh.positions[3 * i] = projected[2 * i];
      object.mesh.positions[3 * i + 1] = projected[2 * i + 1];
      object.mesh.positions[3 * i + 2] = camera.scale * (r[6] * x[0] + r[7] * x[1] + r[8] * x[2]);
    }
    addTiming(timings, "mesh", start, mOptions.profiler);
    return std::optional<ReconstructedObject>{std::move(object)};
  }

  // The encoder on the frame → mRegress (regress head) or mPoints and mVisibility (ttp). With
  // test_time_mirror it also runs on the mirrored frame (heads/deform_mirror.h): regress averages
  // that prediction into mRegress; ttp keeps it, mirrored back, in mMirroredPoints and
  // mMirroredVisibility for solveCandidates().
  Result<void> runEncoder(const Image& frame, const CropRect& crop) {
    PreprocessConfig config = mEncoder->preprocessConfig(crop, frame.width, frame.height);
    gpu::PreprocessParams params{};
    MESHRT_TRY(mEncoder->run(frame, config, params, mOptions.profiler));
    const auto copy = [&](const char* role, std::vector<float>& out) {
      const auto values = mEncoder->output(role);
      out.assign(values.begin(), values.end());
    };
    const bool regress = mHead == "regress";
    if (regress) {
      copy("regress", mRegress);
    } else {
      copy("points", mPoints);
      copy("visibility", mVisibility);
    }
    if (mFitter) copy("mask", mMask);
    mMirroredPoints.clear();
    mMirroredVisibility.clear();
    if (!mPack.testTimeMirror) return {};
    config.mirrorX = true;
    MESHRT_TRY(mEncoder->run(frame, config, params, mOptions.profiler));
    if (regress) {
      averageMirroredRegress(mRegress, mEncoder->output("regress"));
    } else {
      mirrorBackPoints(mEncoder->output("points"), mEncoder->output("visibility"), mMirrorPartner, mMirroredPoints,
                       mMirroredVisibility);
    }
    if (mFitter) averageMirroredMask(mMask, mEncoder->output("mask"), mMaskWidth, mMaskHeight);
    return {};
  }

  // The TTP solve of this frame's points. With test_time_mirror, three candidates: the frame's
  // points, the mirrored frame's mirrored back, and their average (points and visibilities); the
  // solve with the lowest loss (eq. 4, its own visibilities as weights) is kept, and `deform`
  // gets that candidate's points and visibilities. Measured on a validation split (docs/TRAINING.md):
  // the loss picks the candidate whose points a basis shape explains best, which is the better
  // prediction more often than averaging them. nullopt when every candidate is degenerate.
  // With silhouette_fit, each candidate's solve is refined by the anchored fit (its own points
  // and visibilities as anchors) and the candidate whose outline matches the mask best is kept,
  // already refined (deform.silhouetteCost: its outline cost).
  Result<std::optional<TtpSolution>> solveCandidates(DeformResult& deform) {
    std::vector<float> averagePoints, averageVisibility;
    std::array<std::pair<const std::vector<float>*, const std::vector<float>*>, 3> candidates = {
        std::pair{&mPoints, &mVisibility}};
    size_t count = 1;
    if (mPack.testTimeMirror) {
      averagePoints.resize(mPoints.size());
      averageVisibility.resize(mVisibility.size());
      for (size_t i = 0; i < mPoints.size(); ++i) averagePoints[i] = 0.5f * (mPoints[i] + mMirroredPoints[i]);
      for (size_t i = 0; i < mVisibility.size(); ++i) {
        averageVisibility[i] = 0.5f * (mVisibility[i] + mMirroredVisibility[i]);
      }
      candidates[count++] = {&mMirroredPoints, &mMirroredVisibility};
      candidates[count++] = {&averagePoints, &averageVisibility};
    }
    std::optional<TtpSolution> best;
    float bestScore = 0;
    for (size_t c = 0; c < count; ++c) {
      TtpObservation observation;
      observation.points = *candidates[c].first;
      observation.visibility = *candidates[c].second;
      auto solution = solveTtp(mModel, observation, mSolverParams);
      if (!solution) continue;
      float score = solution->loss;
      if (mFitter) {
        DeformPose pose{solution->rotation, solution->scale, solution->translation, solution->coefficients};
        auto report = fitAnchored(pose, observation.points, observation.visibility);
        if (!report) return report.error();
        score = report->finalOutlineCost;
        solution->rotation = pose.rotation;
        solution->scale = pose.scale;
        solution->translation = pose.translation;
        solution->coefficients = std::move(pose.coefficients);
      }
      if (best && !(score < bestScore)) continue;
      best = std::move(*solution);
      bestScore = score;
      deform.points = *candidates[c].first;
      deform.visibility = *candidates[c].second;
      if (mFitter) deform.silhouetteCost = score;
    }
    return best;
  }

  std::string mHead;
  std::unique_ptr<PackModelRunner> mEncoder;
  std::vector<float> mRegress, mPoints, mVisibility;  // this frame's encoder outputs (regress: averaged)
  std::vector<float> mMirroredPoints, mMirroredVisibility;  // ttp, test_time_mirror: mirrored back
  std::vector<uint32_t> mMirrorPartner;               // test_time_mirror: vertex i ↔ its mirror in x
  TexturedMesh mTemplate;
  std::vector<float> mBasis;  // N×3×K
  TtpModel mModel;            // spans over mTemplate.positions and mBasis
  TtpSolverParams mSolverParams;
  // silhouette_fit: the fitter, its settings and this frame's mask (test_time_mirror: averaged).
  std::optional<SilhouetteFitter> mFitter;
  SilhouetteFitParams mFitParams;
  std::vector<float> mMask;
  uint32_t mMaskWidth = 0, mMaskHeight = 0;
};

}  // namespace

Result<std::unique_ptr<ObjectPipeline>> createDeformPipeline(const PackSpec& pack, const ObjectPipelineOptions& options) {
  if (pack.templateFit != TemplateFit::Deform || !pack.hasModels) {
    return makeError(pack.directory + "/pack.json: models", "the " + pack.head + " pipeline needs a pack with an encoder");
  }
  auto pipeline = std::make_unique<DeformPipeline>(pack, options);
  MESHRT_TRY(pipeline->init());
  return std::unique_ptr<ObjectPipeline>(std::move(pipeline));
}

}  // namespace meshrt
