// A loaded, validated pack (DESIGN §6; the pack.json fields are documented in docs/PACKS.md).
// loadPack() checks every field and every model's SHA-256 and names the file and field at
// fault in its one-line error. Paths in PackSpec are absolute (resolved against the pack dir).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "meshrt/result.h"

namespace meshrt {

inline constexpr int PACK_FORMAT = 1;

enum class PackNormalization { ZeroToOne, MinusOneToOne };  // stages/preprocess.h Normalization
enum class PackCropMode {
  StretchFrame,        // the whole frame stretched to the model input
  LetterboxZero,       // the whole frame, aspect kept, centred, zero bars
  LetterboxReplicate,  // the crop rectangle, aspect kept, centred, edge-replicated taps
};
enum class TemplateFit {
  Box,        // scaled into the fitted 3D box (objectron)
  Landmarks,  // the vertices replaced by the landmarks (face)
  Deform,     // template + deformation basis · coefficients, weak perspective (ttp, regress)
};

struct PackModelInput {
  uint32_t width = 0, height = 0;  // pixels
  PackNormalization normalization = PackNormalization::ZeroToOne;
  PackCropMode crop = PackCropMode::StretchFrame;
};

struct PackModel {
  std::string path;    // absolute path of the .tflite / .onnx file
  std::string sha256;  // lowercase hex, verified by loadPack
  PackModelInput input;
  // Graph output names by role: detector "boxes", "scores"; landmarks "keypoints", "presence";
  // encoder (ttp / regress packs) any of "regress", "points", "visibility", "mask".
  std::vector<std::pair<std::string, std::string>> outputs;
  bool presenceIsLogit = false;  // landmarks: the presence output still needs a sigmoid
  // The output name for `role`, or "" when the pack does not list it.
  std::string output(const std::string& role) const {
    for (const auto& [r, name] : outputs)
      if (r == role) return name;
    return {};
  }
};

struct PackDetector {
  std::vector<std::string> labels;  // category class names (objectron); empty for face
  std::vector<int32_t> labelIds;    // their indices in the label map (line number, 0 = background)
  std::string labelMapPath;         // absolute, or "" when the detector has one class
  float minScore = 0.5f;            // after the sigmoid
  float iouThreshold = 0.45f;
  uint32_t maxDetections = 5;
};

// The landmark crop (heads/tracking_crop.h TrackingCropParams): a box × `scale`, square on its
// long side, its x axis turned to follow keypoint a → b, minus `targetAngleRad`.
struct PackCrop {
  float scale = 1.5f;
  bool square = true;
  // From a detection: indices into the detector's keypoints (BlazeFace: 0 = left eye, 1 = right
  // eye); -1 = axis-aligned (the Objectron SSD has no keypoints).
  int rotationFrom = -1, rotationTo = -1;
  // From the previous frame's landmarks (tracking): indices into the landmark model's keypoints
  // (face: 33 → 263, the outer eye corners); -1 = axis-aligned.
  int trackingRotationFrom = -1, trackingRotationTo = -1;
  float targetAngleRad = 0;  // radians (pack.json: target_angle_deg, degrees)
};

// The TTP solve of a ttp pack (pack.json `solver`, optional; heads/ttp_solver.h TtpSolverParams:
// the defaults here are TtpSolverParams's, checked by tests/core/pack_deform_test.cpp).
struct PackSolver {
  float gamma = 1e-3f;         // γ of TTP eq. 4, normalized coordinates squared per unit |c|²
  uint32_t alternations = 4;   // pose + shape rounds, 1…16
  float robustScale = 0.0f;    // Cauchy IRLS scale τ, normalized crop units (0 = the plain weighted loss)
};

// The silhouette fit of a ttp / regress pack (pack.json `silhouette_fit`, optional; needs the
// encoder output "mask"; heads/silhouette_fit.h SilhouetteFitParams: the defaults are its).
struct PackSilhouetteFit {
  bool enabled = false;
  uint32_t iterations = 15;  // Levenberg–Marquardt evaluations, 1…200
  uint32_t upsample = 8;     // fit pixels per mask cell, 1…32
  float threshold = 0.5f;    // coverage above it is the object, (0, 1)
  float shapePrior = 0.3f;   // λ on Σ c_k², fit pixels² per unit
  float anchorWeight = 0.3f; // μ on the anchors' mean squared distance (ttp: its points), fit pixels²
  uint32_t outlineIterations = 15;  // then a second fit, rotation kept and no anchors, 0…200 (0: none)
};

struct PackSpec {
  std::string directory;  // absolute pack directory
  std::string name, head, category, licence, source;
  PackModel detector;
  PackModel landmarks;
  PackDetector detection;
  PackCrop crop;
  float minPresence = 0.5f;       // tracking.min_presence
  uint32_t keypointCount = 0;     // 9 or 468
  std::string templatePath;       // absolute path of the template OBJ
  TemplateFit templateFit = TemplateFit::Box;
  float focalPerLongSide = 1.2f;  // f = value * max(width, height) pixels
  // ttp / regress: the deformation basis, float32 .npy [N][3][K] (heads/ttp_solver.h TtpModel
  // layout), N = the template's vertex count; "" and 0 for the other heads.
  std::string basisPath;
  uint32_t basisCount = 0;  // K
  bool hasModels = true;    // false: a dataset-only ttp / regress pack (PackLoadOptions::requireModels)
  // ttp / regress with models: the one encoder (input [1][3][H][W], crop stretch_frame) whose
  // outputs name "regress" [7 + K] and/or "points" [2N] + "visibility" [N], and optionally
  // "mask" [1][1][H/f][W/f] (docs/PACKS.md).
  PackModel encoder;
  PackSolver solver;
  PackSilhouetteFit silhouetteFit;
  // ttp / regress (pack.json `test_time_mirror`, optional, default false): also run the encoder
  // on the left-right mirrored input and average the mirrored-back outputs
  // (heads/deform_mirror.h). Needs a template and basis mirror-symmetric about x = 0.
  bool testTimeMirror = false;
  // Whether this pack can run `head`: objectron / face packs only their own head; a ttp / regress
  // pack with models "ttp" when the encoder lists points and visibility, "regress" when it lists
  // regress; a dataset-only pack none.
  bool supportsHead(const std::string& head) const;
  // The heads supportsHead() accepts, the pack's default (`head`) first.
  std::vector<std::string> supportedHeads() const;
};

// "its heads: ttp, regress", or "its heads: none (a dataset-only pack, no models)": for errors
// about a head the pack cannot run.
std::string describeHeads(const PackSpec& pack);

struct PackLoadOptions {
  // false: a `ttp` or `regress` pack may come without `models` (a dataset-only pack, what
  // `meshrt render-dataset` needs before any model is trained). Other heads always need models.
  bool requireModels = true;
};

// Reads and validates `<directory>/pack.json`, resolves paths, checks the models' SHA-256.
Result<PackSpec> loadPack(const std::string& directory, const PackLoadOptions& options = {});
// The manifest part of loadPack for pack.json text held in memory: parses and validates every
// field and resolves the files it names in `directory` (absolute), but does not hash the models.
// Errors name `<directory>/pack.json`.
Result<PackSpec> parsePackManifest(std::string_view json, const std::string& directory,
                                   const PackLoadOptions& options = {});

// Finds the pack called `name` on packSearchPath(bundledDir) and loads it. Error when absent:
// "pack 'x': not found (searched: a, b, c)".
Result<PackSpec> findAndLoadPack(const std::string& name, const std::string& bundledDir,
                                 const PackLoadOptions& options = {});

}  // namespace meshrt
