#include "dataset/eval_sample.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "core/so3_math.h"
#include "dataset/eval_metrics.h"
#include "heads/deform_pipeline.h"

namespace meshrt::dataset {
namespace {

constexpr int64_t MAX_COUNT = 10'000'000;

std::string shapeText(const std::vector<uint64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

Result<NpyArray> readLabel(const std::string& directory, const char* name, NpyType type,
                           const std::vector<uint64_t>& shape) {
  const std::string path = directory + "/" + name;
  auto array = readNpy(path);
  if (!array) return array.error();
  if (array->type != type || array->shape != shape) {
    return makeError(path, "expected " + std::string(type == NpyType::Float32 ? "float32 " : "uint8 ") +
                               shapeText(shape) + " (dataset.json), got " + shapeText(array->shape));
  }
  return array;
}

}  // namespace

std::string DatasetLabels::imagePath(uint32_t index) const { return directory + "/images/" + sampleFileName(index); }
std::string DatasetLabels::maskPath(uint32_t index) const { return directory + "/masks/" + sampleFileName(index); }

Result<DatasetLabels> readDatasetLabels(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::is_directory(directory, error)) return makeError(directory, "not a directory (a render-dataset output)");
  const std::string metaPath = directory + "/dataset.json";
  std::ifstream in(metaPath);
  if (!in) return makeError(metaPath, "cannot read (not a meshrt render-dataset directory?)");
  const nlohmann::json json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return makeError(metaPath, "not a JSON object");
  const JsonFields meta(json, metaPath, "");
  DatasetLabels labels;
  labels.directory = directory;
  int64_t value = 0;
  MESHRT_ASSIGN_OR_RETURN(value, meta.integer("format", INT64_MIN, INT64_MAX));
  if (value != DATASET_FORMAT) return meta.error("format", std::to_string(value) + " is not supported (expected 1)");
  MESHRT_ASSIGN_OR_RETURN(labels.pack, meta.string("pack"));
  MESHRT_ASSIGN_OR_RETURN(value, meta.integer("count", 1, MAX_COUNT));
  labels.count = uint32_t(value);
  MESHRT_ASSIGN_OR_RETURN(value, meta.integer("image_size", 1, 65536));
  labels.imageSize = uint32_t(value);
  MESHRT_ASSIGN_OR_RETURN(value, meta.integer("vertices", 1, 10'000'000));
  labels.vertices = uint32_t(value);
  MESHRT_ASSIGN_OR_RETURN(value, meta.integer("basis_count", 1, 1024));
  labels.basisCount = uint32_t(value);
  const uint64_t count = labels.count, n = labels.vertices, k = labels.basisCount;
  MESHRT_ASSIGN_OR_RETURN(labels.cameras, readLabel(directory, "cameras.npy", NpyType::Float32, {count, 7}));
  MESHRT_ASSIGN_OR_RETURN(labels.coefficients, readLabel(directory, "coefficients.npy", NpyType::Float32, {count, k}));
  MESHRT_ASSIGN_OR_RETURN(labels.pixels, readLabel(directory, "pixels.npy", NpyType::Float32, {count, n, 2}));
  MESHRT_ASSIGN_OR_RETURN(labels.visibility, readLabel(directory, "visibility.npy", NpyType::Uint8, {count, n}));
  return labels;
}

PosedShape truthShape(const DatasetLabels& labels, uint32_t index, const DeformableTemplate& model) {
  const float* camera = labels.cameras.floats().data() + size_t{index} * 7;
  PosedShape truth;
  truth.scale = camera[0];
  truth.translation = {camera[1], camera[2]};
  rotationFromQuaternion(camera + 3, truth.rotation.data());
  const size_t k = labels.basisCount, n = labels.vertices;
  const float* coefficients = labels.coefficients.floats().data() + index * k;
  truth.coefficients.assign(coefficients, coefficients + k);
  truth.vertices = deformTemplate(model.positions, model.basis, model.basisCount, truth.coefficients);
  const float* pixels = labels.pixels.floats().data() + index * n * 2;
  truth.pixels.assign(pixels, pixels + 2 * n);
  return truth;
}

Result<SampleMetrics> evaluateSample(DatasetRenderer& renderer, const DatasetSample& shading, const PosedShape& predicted,
                                     const PosedShape& truth, std::span<const uint8_t> truthVisibility,
                                     const Image& truthMask, const SampleEvalParams& params) {
  DatasetSample sample = shading;
  for (int i = 0; i < 9; ++i) sample.rotation[i] = predicted.rotation[i];
  sample.quaternion = quaternionFromRotation(sample.rotation);
  sample.scale = predicted.scale;
  sample.translation = {predicted.translation[0], predicted.translation[1]};
  sample.coefficients = predicted.coefficients;
  auto rendered = renderer.render(std::span<const DatasetSample>(&sample, 1));
  if (!rendered) return rendered.error();
  SampleMetrics metrics;
  MESHRT_ASSIGN_OR_RETURN(metrics.maskIou, maskIou(rendered->front().mask, truthMask));
  metrics.rotationErrorDeg = rotationErrorDegrees(predicted.rotation, truth.rotation);
  metrics.vertexError = vertexError(predicted.rotation, predicted.vertices, truth.rotation, truth.vertices);
  metrics.pck = percentCorrectKeypoints(predicted.pixels, truth.pixels, truthVisibility,
                                        params.pckFraction * double(truthMask.width));
  return metrics;
}

}  // namespace meshrt::dataset
