#include "core/pack.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>

#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "core/mesh_io.h"
#include "core/npy_file.h"
#include "core/one_line_error.h"
#include "core/pack_discovery.h"
#include "core/sha256_file.h"
#include "core/ttp_point_set.h"

namespace meshrt {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t MAX_INPUT_SIDE = 4096;       // pixels; model inputs are a few hundred
constexpr int64_t MAX_KEYPOINTS = 100000;
constexpr int64_t MAX_DETECTIONS = 1000;
constexpr int64_t MAX_BASIS = TTP_MAX_BASIS;  // the most basis fields the TTP solver takes

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A file named by `key`, relative to the pack directory, that exists and has one of `extensions`.
Result<std::string> resolveFile(const JsonFields& fields, const char* key, const fs::path& directory,
                                std::initializer_list<const char*> extensions) {
  std::string relative;
  MESHRT_ASSIGN_OR_RETURN(relative, fields.string(key));
  if (fs::path(relative).is_absolute()) return fields.error(key, "'" + relative + "' must be relative to the pack directory");
  bool known = false;
  std::string list;
  for (const char* extension : extensions) {
    known |= endsWith(relative, extension);
    list += (list.empty() ? "" : " or ") + std::string(extension);
  }
  if (!known) return fields.error(key, "'" + relative + "' is not a " + list + " file");
  const fs::path path = (directory / relative).lexically_normal();
  // Packs are untrusted: a path may not leave the pack directory ("../../secret.txt").
  const fs::path inside = path.lexically_relative(directory.lexically_normal());
  if (inside.empty() || *inside.begin() == "..") {
    return fields.error(key, "'" + relative + "' leaves the pack directory");
  }
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return fields.error(key, "file not found: " + path.string());
  return path.string();
}

bool isLowercaseSha256(const std::string& text) {
  if (text.size() != 64) return false;
  for (const char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// models.<role>: path, sha256, input, outputs (exactly `outputRoles`), landmarks' presence_is_logit.
// `outputsOptional`: each output role may be absent (the deform encoder lists the heads it has).
Result<PackModel> readModel(const JsonFields& models, const char* role, const fs::path& directory,
                            std::initializer_list<const char*> outputRoles, bool mayHaveLogitPresence,
                            bool outputsOptional = false) {
  JsonFields fields;
  MESHRT_ASSIGN_OR_RETURN(fields, models.object(role));
  if (mayHaveLogitPresence) {
    MESHRT_TRY(fields.onlyKeys({"path", "sha256", "input", "outputs", "presence_is_logit"}));
  } else {
    MESHRT_TRY(fields.onlyKeys({"path", "sha256", "input", "outputs"}));
  }
  PackModel model;
  MESHRT_ASSIGN_OR_RETURN(model.path, resolveFile(fields, "path", directory, {".tflite", ".onnx"}));
  MESHRT_ASSIGN_OR_RETURN(model.sha256, fields.string("sha256"));
  if (!isLowercaseSha256(model.sha256)) return fields.error("sha256", "expected 64 lowercase hex digits");

  JsonFields input;
  MESHRT_ASSIGN_OR_RETURN(input, fields.object("input"));
  MESHRT_TRY(input.onlyKeys({"width", "height", "normalization", "crop"}));
  int64_t side = 0;
  MESHRT_ASSIGN_OR_RETURN(side, input.integer("width", 1, MAX_INPUT_SIDE));
  model.input.width = static_cast<uint32_t>(side);
  MESHRT_ASSIGN_OR_RETURN(side, input.integer("height", 1, MAX_INPUT_SIDE));
  model.input.height = static_cast<uint32_t>(side);
  size_t choice = 0;
  MESHRT_ASSIGN_OR_RETURN(choice, input.choice("normalization", {"zero_to_one", "minus_one_to_one"}));
  model.input.normalization = choice == 0 ? PackNormalization::ZeroToOne : PackNormalization::MinusOneToOne;
  MESHRT_ASSIGN_OR_RETURN(choice, input.choice("crop", {"stretch_frame", "letterbox_zero", "letterbox_replicate"}));
  model.input.crop = choice == 0   ? PackCropMode::StretchFrame
                     : choice == 1 ? PackCropMode::LetterboxZero
                                   : PackCropMode::LetterboxReplicate;

  JsonFields outputs;
  MESHRT_ASSIGN_OR_RETURN(outputs, fields.object("outputs"));
  MESHRT_TRY(outputs.onlyKeys(outputRoles));
  for (const char* outputRole : outputRoles) {
    if (outputsOptional && !outputs.has(outputRole)) continue;
    std::string name;
    MESHRT_ASSIGN_OR_RETURN(name, outputs.string(outputRole));
    model.outputs.emplace_back(outputRole, std::move(name));
  }
  if (fields.has("presence_is_logit")) MESHRT_ASSIGN_OR_RETURN(model.presenceIsLogit, fields.boolean("presence_is_logit"));
  return model;
}

// One class name per line, line 0 = background; trailing whitespace (and CR) ignored.
Result<std::vector<std::string>> readLabelMap(const JsonFields& fields, const std::string& path) {
  std::ifstream in(path);
  if (!in) return fields.error("label_map", "cannot read " + path);
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    names.push_back(line);
  }
  if (names.empty()) return fields.error("label_map", path + " is empty");
  return names;
}

Result<void> readDetection(const JsonFields& root, const fs::path& directory, bool needsLabels, PackDetector& out) {
  JsonFields fields;
  MESHRT_ASSIGN_OR_RETURN(fields, root.object("detector"));
  MESHRT_TRY(fields.onlyKeys({"labels", "label_map", "min_score", "iou_threshold", "max_detections"}));
  if (!fields.has("labels")) return fields.error("labels", "missing");
  const nlohmann::json& labels = fields.raw("labels");
  if (!labels.is_array()) return fields.error("labels", std::string("expected an array, got ") + jsonTypeName(labels));
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string field = "labels[" + std::to_string(i) + "]";
    if (!labels[i].is_string() || labels[i].get<std::string>().empty()) {
      return fields.error(field, std::string("expected a non-empty string, got ") + jsonTypeName(labels[i]));
    }
    out.labels.push_back(labels[i].get<std::string>());
  }
  if (needsLabels && out.labels.empty()) return fields.error("labels", "empty: the multi-class detector needs the category's classes");
  if (!out.labels.empty()) {
    MESHRT_ASSIGN_OR_RETURN(out.labelMapPath, resolveFile(fields, "label_map", directory, {".txt"}));
    std::vector<std::string> names;
    MESHRT_ASSIGN_OR_RETURN(names, readLabelMap(fields, out.labelMapPath));
    for (size_t i = 0; i < out.labels.size(); ++i) {
      int32_t id = -1;
      for (size_t line = 1; line < names.size() && id < 0; ++line)
        if (names[line] == out.labels[i]) id = static_cast<int32_t>(line);
      if (id < 0) {
        return fields.error("labels[" + std::to_string(i) + "]",
                            "'" + out.labels[i] + "' is not a class of the label map " + out.labelMapPath);
      }
      out.labelIds.push_back(id);
    }
  } else if (fields.has("label_map")) {
    return fields.error("label_map", "given without labels");
  }
  double number = 0;
  MESHRT_ASSIGN_OR_RETURN(number, fields.number("min_score", 0.0, 1.0));
  out.minScore = static_cast<float>(number);
  MESHRT_ASSIGN_OR_RETURN(number, fields.number("iou_threshold", 0.0, 1.0));
  out.iouThreshold = static_cast<float>(number);
  int64_t count = 0;
  MESHRT_ASSIGN_OR_RETURN(count, fields.integer("max_detections", 1, MAX_DETECTIONS));
  out.maxDetections = static_cast<uint32_t>(count);
  return {};
}

// A keypoint index pair a → b: both −1 (no rotation) or two distinct indices below `limit`.
Result<void> readRotationPair(const JsonFields& fields, const char* fromKey, const char* toKey, int64_t limit, int& from,
                              int& to) {
  int64_t value = 0;
  MESHRT_ASSIGN_OR_RETURN(value, fields.integer(fromKey, -1, limit - 1));
  from = static_cast<int>(value);
  MESHRT_ASSIGN_OR_RETURN(value, fields.integer(toKey, -1, limit - 1));
  to = static_cast<int>(value);
  if ((from < 0) != (to < 0)) return fields.error(toKey, "both rotation keypoints must be -1, or neither");
  if (from >= 0 && from == to) return fields.error(toKey, "must differ from " + fields.fieldPath(fromKey));
  return {};
}

Result<void> readCropAndTracking(const JsonFields& root, uint32_t keypointCount, PackSpec& spec) {
  JsonFields crop;
  MESHRT_ASSIGN_OR_RETURN(crop, root.object("crop"));
  MESHRT_TRY(crop.onlyKeys({"scale", "square", "rotation_from", "rotation_to", "target_angle_deg"}));
  double number = 0;
  MESHRT_ASSIGN_OR_RETURN(number, crop.number("scale", 0.1, 10.0));
  spec.crop.scale = static_cast<float>(number);
  MESHRT_ASSIGN_OR_RETURN(spec.crop.square, crop.boolean("square"));
  // The detector's keypoint count is not in the pack (BlazeFace: 6); 64 bounds any SSD variant.
  MESHRT_TRY(readRotationPair(crop, "rotation_from", "rotation_to", 64, spec.crop.rotationFrom, spec.crop.rotationTo));
  MESHRT_ASSIGN_OR_RETURN(number, crop.number("target_angle_deg", -360.0, 360.0));
  spec.crop.targetAngleRad = static_cast<float>(number * std::numbers::pi / 180.0);

  JsonFields tracking;
  MESHRT_ASSIGN_OR_RETURN(tracking, root.object("tracking"));
  MESHRT_TRY(tracking.onlyKeys({"min_presence", "rotation_from", "rotation_to"}));
  MESHRT_ASSIGN_OR_RETURN(number, tracking.number("min_presence", 0.0, 1.0));
  spec.minPresence = static_cast<float>(number);
  MESHRT_TRY(readRotationPair(tracking, "rotation_from", "rotation_to", keypointCount, spec.crop.trackingRotationFrom,
                              spec.crop.trackingRotationTo));
  return {};
}

// models.encoder of a ttp / regress pack: the whole frame stretched to the input, and outputs
// that make at least one head (points with visibility for ttp, regress for regress), the
// pack's default head among them.
Result<void> readDeformEncoder(const JsonFields& root, const fs::path& directory, PackSpec& spec) {
  JsonFields models;
  MESHRT_ASSIGN_OR_RETURN(models, root.object("models"));
  MESHRT_TRY(models.onlyKeys({"encoder"}));
  MESHRT_ASSIGN_OR_RETURN(spec.encoder,
                          readModel(models, "encoder", directory, {"regress", "points", "visibility", "mask"}, false, true));
  JsonFields encoder, input;
  MESHRT_ASSIGN_OR_RETURN(encoder, models.object("encoder"));
  MESHRT_ASSIGN_OR_RETURN(input, encoder.object("input"));
  if (spec.encoder.input.crop != PackCropMode::StretchFrame) {
    return input.error("crop", "the " + spec.head + " head takes the whole frame: expected stretch_frame");
  }
  JsonFields outputs;
  MESHRT_ASSIGN_OR_RETURN(outputs, encoder.object("outputs"));
  const bool points = !spec.encoder.output("points").empty(), visibility = !spec.encoder.output("visibility").empty();
  if (points != visibility) {
    return outputs.error(points ? "visibility" : "points", "missing: the ttp head needs both points and visibility");
  }
  if (!points && spec.encoder.output("regress").empty()) {
    return outputs.error("regress", "missing: list regress, or points and visibility (no head can run)");
  }
  if (!spec.supportsHead(spec.head)) {
    return root.error("head", "'" + spec.head + "' is not among the encoder's heads (outputs " +
                                  (points ? "points, visibility" : "regress") + ")");
  }
  return {};
}

// solver (optional, ttp): gamma, alternations and robust_scale of the TTP solve.
Result<void> readDeformSolver(const JsonFields& root, PackSpec& spec) {
  if (!root.has("solver")) return {};
  JsonFields solver;
  MESHRT_ASSIGN_OR_RETURN(solver, root.object("solver"));
  MESHRT_TRY(solver.onlyKeys({"gamma", "alternations", "robust_scale"}));
  if (solver.has("gamma")) {
    double gamma = 0;
    MESHRT_ASSIGN_OR_RETURN(gamma, solver.number("gamma", 0.0, 1e3));
    spec.solver.gamma = static_cast<float>(gamma);
  }
  if (solver.has("alternations")) {
    int64_t alternations = 0;
    MESHRT_ASSIGN_OR_RETURN(alternations, solver.integer("alternations", 1, 16));
    spec.solver.alternations = static_cast<uint32_t>(alternations);
  }
  if (solver.has("robust_scale")) {
    double robustScale = 0;
    MESHRT_ASSIGN_OR_RETURN(robustScale, solver.number("robust_scale", 0.0, 10.0));
    spec.solver.robustScale = static_cast<float>(robustScale);
  }
  return {};
}

// silhouette_fit (optional, ttp and regress): fit the mesh's outline to the encoder's mask
// (heads/silhouette_fit.h). Needs the encoder output "mask" when the pack has models.
Result<void> readDeformSilhouetteFit(const JsonFields& root, PackSpec& spec) {
  if (!root.has("silhouette_fit")) return {};
  JsonFields fit;
  MESHRT_ASSIGN_OR_RETURN(fit, root.object("silhouette_fit"));
  MESHRT_TRY(fit.onlyKeys({"iterations", "upsample", "threshold", "shape_prior", "anchor_weight",
                            "outline_iterations"}));
  if (spec.hasModels && spec.encoder.output("mask").empty()) {
    return root.error("silhouette_fit", "needs the encoder output 'mask' (models.encoder.outputs.mask)");
  }
  PackSilhouetteFit& out = spec.silhouetteFit;
  out.enabled = spec.hasModels;  // a dataset-only pack runs no head: read, checked, unused
  int64_t integer = 0;
  double number = 0;
  if (fit.has("iterations")) {
    MESHRT_ASSIGN_OR_RETURN(integer, fit.integer("iterations", 1, 200));
    out.iterations = static_cast<uint32_t>(integer);
  }
  if (fit.has("upsample")) {
    MESHRT_ASSIGN_OR_RETURN(integer, fit.integer("upsample", 1, 32));
    out.upsample = static_cast<uint32_t>(integer);
  }
  if (fit.has("threshold")) {
    MESHRT_ASSIGN_OR_RETURN(number, fit.number("threshold", 0.0, 1.0));
    if (!(number > 0.0 && number < 1.0)) return fit.error("threshold", "must lie strictly between 0 and 1");
    out.threshold = static_cast<float>(number);
  }
  if (fit.has("shape_prior")) {
    MESHRT_ASSIGN_OR_RETURN(number, fit.number("shape_prior", 0.0, 1e6));
    out.shapePrior = static_cast<float>(number);
  }
  if (fit.has("anchor_weight")) {
    MESHRT_ASSIGN_OR_RETURN(number, fit.number("anchor_weight", 0.0, 1e6));
    out.anchorWeight = static_cast<float>(number);
  }
  if (fit.has("outline_iterations")) {
    MESHRT_ASSIGN_OR_RETURN(integer, fit.integer("outline_iterations", 0, 200));
    out.outlineIterations = static_cast<uint32_t>(integer);
  }
  return {};
}

// The ttp / regress manifest (a learned template deformation, weak perspective): template with
// fit "deform" and its basis [N][3][K], and optionally the encoder (models.encoder) and the TTP
// solver's settings. Without models the pack is dataset-only (`meshrt render-dataset`), loaded
// with requireModels = false.
Result<void> readDeformManifest(const JsonFields& root, const fs::path& directory, const PackLoadOptions& options,
                                PackSpec& spec) {
  MESHRT_TRY(root.onlyKeys(
      {"format", "name", "head", "category", "licence", "source", "template", "basis", "models", "solver",
       "test_time_mirror", "silhouette_fit"}));
  spec.templateFit = TemplateFit::Deform;
  spec.hasModels = root.has("models");
  if (!spec.hasModels && options.requireModels) {
    return root.error("models", "missing: the " + spec.head +
                                    " pack has no trained models yet (a dataset-only pack, for meshrt render-dataset)");
  }
  if (spec.hasModels) MESHRT_TRY(readDeformEncoder(root, directory, spec));
  MESHRT_TRY(readDeformSolver(root, spec));
  MESHRT_TRY(readDeformSilhouetteFit(root, spec));
  if (root.has("test_time_mirror")) {
    MESHRT_ASSIGN_OR_RETURN(spec.testTimeMirror, root.boolean("test_time_mirror"));
  }
  JsonFields templ;
  MESHRT_ASSIGN_OR_RETURN(templ, root.object("template"));
  MESHRT_TRY(templ.onlyKeys({"path", "fit"}));
  MESHRT_ASSIGN_OR_RETURN(spec.templatePath, resolveFile(templ, "path", directory, {".obj"}));
  MESHRT_TRY(templ.choice("fit", {"deform"}));
  spec.templateFit = TemplateFit::Deform;

  JsonFields basis;
  MESHRT_ASSIGN_OR_RETURN(basis, root.object("basis"));
  MESHRT_TRY(basis.onlyKeys({"path", "count"}));
  MESHRT_ASSIGN_OR_RETURN(spec.basisPath, resolveFile(basis, "path", directory, {".npy"}));
  int64_t count = 0;
  MESHRT_ASSIGN_OR_RETURN(count, basis.integer("count", 1, MAX_BASIS));
  spec.basisCount = static_cast<uint32_t>(count);

  auto mesh = readObj(spec.templatePath);
  if (!mesh) return templ.error("path", mesh.error().message);
  auto array = readNpy(spec.basisPath);
  if (!array) return basis.error("path", array.error().message);
  const std::vector<uint64_t> expected = {mesh->vertexCount(), 3, spec.basisCount};
  if (array->type != NpyType::Float32 || array->shape != expected) {
    auto text = [](const std::vector<uint64_t>& shape) {
      std::string out;
      for (const uint64_t side : shape) out += (out.empty() ? "" : "x") + std::to_string(side);
      return out;
    };
    return basis.error("path", spec.basisPath + ": expected float32 " + text(expected) +
                                   " (template vertices x 3 x basis.count), got " +
                                   (array->type == NpyType::Float32 ? "float32 " : "another type, ") + text(array->shape));
  }
  for (const float value : array->floats())
    if (!std::isfinite(value)) return basis.error("path", spec.basisPath + ": holds a non-finite value");
  return {};
}

// The whole manifest except the hashes (cheap checks first; hashing reads the models).
Result<PackSpec> readManifest(const nlohmann::json& json, const fs::path& directory, const std::string& manifest,
                              const PackLoadOptions& options) {
  const JsonFields root(json, manifest, "");
  int64_t format = 0;
  MESHRT_ASSIGN_OR_RETURN(format, root.integer("format", INT64_MIN, INT64_MAX));
  if (format != PACK_FORMAT) {
    return root.error("format", std::to_string(format) + " is not supported (this meshrt reads format " +
                                    std::to_string(PACK_FORMAT) + ")");
  }
  PackSpec spec;
  spec.directory = directory.string();
  MESHRT_ASSIGN_OR_RETURN(spec.name, root.string("name"));
  if (spec.name != directory.filename().string()) {
    return root.error("name", "'" + spec.name + "' differs from the directory name '" + directory.filename().string() + "'");
  }
  static constexpr const char* HEADS[] = {"objectron", "face", "ttp", "regress"};
  size_t head = 0;
  MESHRT_ASSIGN_OR_RETURN(head, root.choice("head", {HEADS[0], HEADS[1], HEADS[2], HEADS[3]}));
  spec.head = HEADS[head];
  MESHRT_ASSIGN_OR_RETURN(spec.category, root.string("category"));
  MESHRT_ASSIGN_OR_RETURN(spec.licence, root.string("licence"));
  MESHRT_ASSIGN_OR_RETURN(spec.source, root.string("source"));
  if (spec.head == "ttp" || spec.head == "regress") {
    MESHRT_TRY(readDeformManifest(root, directory, options, spec));
    return spec;
  }
  MESHRT_TRY(root.onlyKeys({"format", "name", "head", "category", "licence", "source", "models", "detector", "crop",
                            "tracking", "keypoints", "template", "camera"}));

  int64_t keypoints = 0;
  MESHRT_ASSIGN_OR_RETURN(keypoints, root.integer("keypoints", 1, MAX_KEYPOINTS));
  const int64_t expectedKeypoints = spec.head == "objectron" ? 9 : 468;
  if (keypoints != expectedKeypoints) {
    return root.error("keypoints", std::to_string(keypoints) + ": the " + spec.head + " head takes " +
                                       std::to_string(expectedKeypoints));
  }
  spec.keypointCount = static_cast<uint32_t>(keypoints);

  JsonFields models;
  MESHRT_ASSIGN_OR_RETURN(models, root.object("models"));
  MESHRT_TRY(models.onlyKeys({"detector", "landmarks"}));
  MESHRT_ASSIGN_OR_RETURN(spec.detector, readModel(models, "detector", directory, {"boxes", "scores"}, false));
  MESHRT_ASSIGN_OR_RETURN(spec.landmarks, readModel(models, "landmarks", directory, {"keypoints", "presence"}, true));

  MESHRT_TRY(readDetection(root, directory, spec.head == "objectron", spec.detection));
  MESHRT_TRY(readCropAndTracking(root, spec.keypointCount, spec));

  JsonFields templ;
  MESHRT_ASSIGN_OR_RETURN(templ, root.object("template"));
  MESHRT_TRY(templ.onlyKeys({"path", "fit"}));
  MESHRT_ASSIGN_OR_RETURN(spec.templatePath, resolveFile(templ, "path", directory, {".obj"}));
  size_t fit = 0;
  MESHRT_ASSIGN_OR_RETURN(fit, templ.choice("fit", {"box", "landmarks"}));
  spec.templateFit = fit == 0 ? TemplateFit::Box : TemplateFit::Landmarks;

  JsonFields camera;
  MESHRT_ASSIGN_OR_RETURN(camera, root.object("camera"));
  MESHRT_TRY(camera.onlyKeys({"focal_per_long_side"}));
  double focal = 0;
  MESHRT_ASSIGN_OR_RETURN(focal, camera.number("focal_per_long_side", 0.05, 20.0));
  spec.focalPerLongSide = static_cast<float>(focal);
  return spec;
}

Result<void> verifyHash(const std::string& manifest, const char* role, const PackModel& model) {
  std::string actual;
  MESHRT_ASSIGN_OR_RETURN(actual, sha256OfFile(model.path));
  if (actual != model.sha256) {
    return makeError(manifest + ": models." + role + ".sha256",
                     "file hash " + actual + " of " + model.path + " does not match the recorded " + model.sha256 +
                         " (a changed or corrupt model; reinstall with ./meshrt.sh fetch)");
  }
  return {};
}

}  // namespace

Result<PackSpec> loadPack(const std::string& directory, const PackLoadOptions& options) {
  if (directory.empty()) return makeError("loadPack", "no pack directory given");
  std::error_code error;
  fs::path absolute = fs::absolute(directory, error);
  if (error) return makeError(directory, error.message());
  absolute = absolute.lexically_normal();
  if (!absolute.has_filename()) absolute = absolute.parent_path();  // "dir/" → "dir"
  if (!fs::is_directory(absolute, error)) return makeError(absolute.string(), "not a pack directory (not found)");
  const std::string manifest = (absolute / "pack.json").string();
  std::ifstream in(manifest, std::ios::binary);
  if (!in) return makeError(manifest, "cannot read (missing pack.json?)");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return makeError(manifest, "read error");
  PackSpec spec;
  MESHRT_ASSIGN_OR_RETURN(spec, parsePackManifest(text, absolute.string(), options));
  if (!spec.hasModels) return spec;
  if (spec.templateFit == TemplateFit::Deform) {
    MESHRT_TRY(verifyHash(manifest, "encoder", spec.encoder));
    return spec;
  }
  MESHRT_TRY(verifyHash(manifest, "detector", spec.detector));
  MESHRT_TRY(verifyHash(manifest, "landmarks", spec.landmarks));
  return spec;
}

Result<PackSpec> parsePackManifest(std::string_view text, const std::string& directory,
                                   const PackLoadOptions& options) {
  const fs::path absolute(directory);
  const std::string manifest = (absolute / "pack.json").string();
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return makeError(manifest, "not valid JSON");
  if (!json.is_object()) return makeError(manifest, std::string("expected a JSON object, got ") + jsonTypeName(json));
  auto spec = readManifest(json, absolute, manifest, options);
  if (!spec.ok()) return oneLineError(spec.error());  // keys and values come from the file
  return spec;
}

bool PackSpec::supportsHead(const std::string& wanted) const {
  if (templateFit != TemplateFit::Deform) return hasModels && wanted == head;
  if (!hasModels) return false;
  if (wanted == "ttp") return !encoder.output("points").empty() && !encoder.output("visibility").empty();
  if (wanted == "regress") return !encoder.output("regress").empty();
  return false;
}

std::vector<std::string> PackSpec::supportedHeads() const {
  std::vector<std::string> heads;
  if (supportsHead(head)) heads.push_back(head);
  for (const char* other : {"ttp", "regress"})
    if (other != head && supportsHead(other)) heads.emplace_back(other);
  return heads;
}

std::string describeHeads(const PackSpec& pack) {
  std::string heads;
  for (const std::string& head : pack.supportedHeads()) heads += (heads.empty() ? "" : ", ") + head;
  return "its heads: " + (heads.empty() ? std::string("none (a dataset-only pack, no models)") : heads);
}

Result<PackSpec> findAndLoadPack(const std::string& name, const std::string& bundledDir,
                                 const PackLoadOptions& options) {
  const std::vector<std::string> searchPath = packSearchPath(bundledDir);
  for (const PackEntry& entry : discoverPacks(searchPath)) {
    if (entry.name != name) continue;
    if (!entry.error.empty()) return makeError("pack '" + name + "'", entry.error);
    return loadPack(entry.path, options);
  }
  std::string searched;
  for (const std::string& directory : searchPath) searched += (searched.empty() ? "" : ", ") + directory;
  return makeError("pack '" + name + "'", "not found (searched: " + searched + ")");
}

}  // namespace meshrt
