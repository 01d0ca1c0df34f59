// `meshrt render-dataset --pack P --seed N --count N --out DIR [--size S] [--batch G]` (DESIGN §7, issue 9):
// renders a ttp / regress pack's template with random pose, deformation, texture, background and
// lighting through the raster stage and writes images, masks and labels in the format of
// docs/DATASET.md. Everything is written into a hidden sibling directory of DIR that is renamed
// to DIR at the end, so an interrupted run leaves no DIR (and the leftover is named in the error).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "commands.h"
#include "core/atomic_file.h"
#include "core/mesh_io.h"
#include "core/npy_file.h"
#include "core/pack.h"
#include "dataset/dataset_renderer.h"
#include "dataset/dataset_sample.h"
#include "vulkan_setup.h"

namespace meshrt::cli {
namespace {

namespace fs = std::filesystem;
using dataset::DatasetSample;
using dataset::RenderedSample;

constexpr const char* COMMAND = "meshrt render-dataset";
// The labels are gathered in memory and written at the end: ≈ 11 KB per sample for the bird
// (N = 642), so 100,000 samples hold ≈ 1.1 GB. Larger sets: several runs with other seeds.
constexpr long long MAX_COUNT = 100000;

struct DatasetArgs {
  std::string packName;
  uint64_t seed = 0;
  uint32_t count = 0;
  uint32_t size = 128;
  uint32_t batch = 1;  // samples per raster call (docs/DATASET.md "Batching": 1 is fastest on lavapipe)
  fs::path out;
};

Result<DatasetArgs> parseDatasetArgs(const std::vector<std::string>& args) {
  static constexpr FlagSpec FLAGS[] = {{"pack", true}, {"seed", true}, {"count", true},
                                       {"out", true},  {"size", true}, {"batch", true}};
  auto parsedOrError = parseArgs(COMMAND, args, FLAGS);
  if (!parsedOrError) return parsedOrError.error();
  const ParsedArgs& parsed = *parsedOrError;
  for (const char* required : {"pack", "seed", "count", "out"}) {
    if (!parsed.has(required) || parsed.value(required)->empty()) {
      return makeError(COMMAND, std::string("--") + required +
                                    " is required (usage: meshrt render-dataset --pack P --seed N --count N --out DIR)");
    }
  }
  const auto seed = parsed.integer(COMMAND, "seed", 0, 0, 1ll << 53);
  const auto count = parsed.integer(COMMAND, "count", 0, 1, MAX_COUNT);
  const auto size = parsed.integer(COMMAND, "size", 128, 32, 1024);
  const auto batch = parsed.integer(COMMAND, "batch", 1, 1, 64);
  for (const auto* number : {&seed, &count, &size, &batch})
    if (!*number) return number->error();
  DatasetArgs out;
  out.packName = *parsed.value("pack");
  out.seed = static_cast<uint64_t>(*seed);
  out.count = static_cast<uint32_t>(*count);
  out.size = static_cast<uint32_t>(*size);
  out.batch = static_cast<uint32_t>(*batch);
  out.out = fs::path(*parsed.value("out")).lexically_normal();
  if (!out.out.has_filename()) out.out = out.out.parent_path();
  std::error_code error;
  if (fs::exists(out.out, error) && !(fs::is_directory(out.out, error) && fs::is_empty(out.out, error))) {
    return makeError(std::string(COMMAND) + ": --out " + out.out.string(), "exists and is not an empty directory");
  }
  const fs::path parent = fs::absolute(out.out, error).parent_path();
  if (!fs::is_directory(parent, error)) {
    return makeError(std::string(COMMAND) + ": --out " + out.out.string(), "directory " + parent.string() + " does not exist");
  }
  return out;
}

// The per-sample labels, gathered for the .npy files (docs/DATASET.md "Labels").
struct Labels {
  std::vector<float> cameras, coefficients, points, pixels;
  std::vector<uint8_t> visibility;
};

void appendLabels(const DatasetSample& sample, const RenderedSample& rendered, Labels& labels) {
  labels.cameras.insert(labels.cameras.end(),
                        {static_cast<float>(sample.scale), static_cast<float>(sample.translation[0]),
                         static_cast<float>(sample.translation[1]), static_cast<float>(sample.quaternion[0]),
                         static_cast<float>(sample.quaternion[1]), static_cast<float>(sample.quaternion[2]),
                         static_cast<float>(sample.quaternion[3])});
  labels.coefficients.insert(labels.coefficients.end(), sample.coefficients.begin(), sample.coefficients.end());
  labels.points.insert(labels.points.end(), rendered.points.begin(), rendered.points.end());
  labels.pixels.insert(labels.pixels.end(), rendered.pixels.begin(), rendered.pixels.end());
  labels.visibility.insert(labels.visibility.end(), rendered.visibility.begin(), rendered.visibility.end());
}

Result<void> writeLabels(const fs::path& dir, const DatasetArgs& args, const PackSpec& pack,
                         const dataset::DatasetSampling& sampling, uint32_t vertexCount, const Labels& labels) {
  const uint64_t count = args.count, n = vertexCount, k = pack.basisCount;
  const uint64_t cameraShape[] = {count, 7}, coefficientShape[] = {count, k}, pointShape[] = {count, n, 2},
                 visibilityShape[] = {count, n};
  MESHRT_TRY(writeNpy((dir / "cameras.npy").string(), cameraShape, labels.cameras));
  MESHRT_TRY(writeNpy((dir / "coefficients.npy").string(), coefficientShape, labels.coefficients));
  MESHRT_TRY(writeNpy((dir / "points.npy").string(), pointShape, labels.points));
  MESHRT_TRY(writeNpy((dir / "pixels.npy").string(), pointShape, labels.pixels));
  MESHRT_TRY(writeNpy((dir / "visibility.npy").string(), NpyType::Uint8, visibilityShape, labels.visibility.data()));
  const nlohmann::ordered_json meta = {
      {"format", dataset::DATASET_FORMAT},
      {"pack", pack.name},
      {"head", pack.head},
      {"template", fs::path(pack.templatePath).filename().string()},
      {"seed", args.seed},
      {"count", args.count},
      {"image_size", args.size},
      {"batch", args.batch},
      {"vertices", vertexCount},
      {"basis_count", pack.basisCount},
      {"camera", "weak perspective: p = s*(R X)_xy + t, normalized crop coordinates [-1, 1], OpenCV axes"},
      {"sampling",
       {{"rotation", "view direction uniform over the upper hemisphere up to this elevation, then roll"},
        {"max_elevation_deg", sampling.maxElevationDeg},
        {"max_roll_deg", sampling.maxRollDeg},
        {"scale", {sampling.minScale, sampling.maxScale}},
        {"max_translation", sampling.maxTranslation},
        {"coefficient_sigma", sampling.coefficientSigma}}},
      {"files",
       {{"images", "images/NNNNNN.png (RGB8)"},
        {"masks", "masks/NNNNNN.png (grey, 255 = object)"},
        {"cameras", "cameras.npy float32 [count][7]: s, tx, ty, qw, qx, qy, qz"},
        {"coefficients", "coefficients.npy float32 [count][K]"},
        {"points", "points.npy float32 [count][N][2]: normalized crop coordinates"},
        {"pixels", "pixels.npy float32 [count][N][2]: pixels, centre of pixel i at i + 0.5"},
        {"visibility", "visibility.npy uint8 [count][N]: 1 = visible"}}}};
  return writeFileAtomically((dir / "dataset.json").string(), meta.dump(2) + "\n");
}

Result<void> renderDataset(const DatasetArgs& args, const fs::path& staging, ValidationCount& validation) {
  auto loaded = findAndLoadPack(args.packName, std::string(MESHRT_SOURCE_DIR) + "/assets/packs",
                                PackLoadOptions{.requireModels = false});
  if (!loaded) return makeError(std::string(COMMAND) + ": --pack " + args.packName, loaded.error().message);
  const PackSpec& pack = *loaded;
  auto model = dataset::loadDeformableTemplate(pack, std::string(COMMAND) + ": --pack " + pack.name);
  if (!model) return model.error();
  const uint32_t vertexCount = model->vertexCount();

  auto context = createProgramContext(validation);
  if (!context) return context.error();
  dataset::DatasetRenderParams params;
  params.size = args.size;
  params.batch = args.batch;
  auto renderer = dataset::DatasetRenderer::create(**context, std::move(*model), params);
  if (!renderer) return renderer.error();

  std::error_code error;
  fs::create_directories(staging / "images", error);
  if (!error) fs::create_directories(staging / "masks", error);
  if (error) return makeError(staging.string(), "cannot create: " + error.message());
  const dataset::DatasetSampling sampling;
  Labels labels;
  const auto start = std::chrono::steady_clock::now();
  auto lastReport = start;
  for (uint32_t first = 0; first < args.count; first += args.batch) {
    const uint32_t batch = std::min(args.batch, args.count - first);
    std::vector<DatasetSample> samples;
    for (uint32_t i = 0; i < batch; ++i) samples.push_back(dataset::drawSample(sampling, args.seed, first + i, pack.basisCount));
    auto rendered = (*renderer)->render(samples);
    if (!rendered) return rendered.error();
    for (uint32_t i = 0; i < batch; ++i) {
      MESHRT_TRY(writePng((*rendered)[i].image, (staging / "images" / dataset::sampleFileName(first + i)).string()));
      MESHRT_TRY(writePng((*rendered)[i].mask, (staging / "masks" / dataset::sampleFileName(first + i)).string()));
      appendLabels(samples[i], (*rendered)[i], labels);
    }
    if (validation.messages > 0) return makeError(COMMAND, "Vulkan validation reported messages");
    const auto now = std::chrono::steady_clock::now();
    const uint32_t done = first + batch;
    if (now - lastReport > std::chrono::seconds(2) || done == args.count) {
      const double seconds = std::chrono::duration<double>(now - start).count();
      std::printf("render-dataset: %u/%u samples, %.1f s, %.1f samples/s\n", done, args.count, seconds,
                  seconds > 0 ? done / seconds : 0.0);
      std::fflush(stdout);
      lastReport = now;
    }
  }
  return writeLabels(staging, args, pack, sampling, vertexCount, labels);
}

}  // namespace

int runRenderDataset(const std::vector<std::string>& args) {
  auto parsed = parseDatasetArgs(args);
  if (!parsed) {
    printError(parsed.error().message);
    return EXIT_USAGE;
  }
  // An interrupted run (killed, power loss) leaves its staging directory; this run removes it.
  const std::string stagingPrefix = "." + parsed->out.filename().string() + ".partial-";
  std::error_code error;
  const fs::path parent = parsed->out.has_parent_path() ? parsed->out.parent_path() : fs::path(".");
  for (const auto& entry : fs::directory_iterator(parent, error)) {
    if (entry.path().filename().string().rfind(stagingPrefix, 0) == 0) {
      std::printf("render-dataset: removing %s (left by an interrupted run)\n", entry.path().string().c_str());
      fs::remove_all(entry.path(), error);
    }
  }
  const fs::path staging = parent / (stagingPrefix + std::to_string(::getpid()));
  ValidationCount validation;
  auto rendered = renderDataset(*parsed, staging, validation);
  if (rendered) {
    if (fs::exists(parsed->out, error)) fs::remove(parsed->out, error);  // the empty directory checked above
    error.clear();
    fs::rename(staging, parsed->out, error);
    if (error) rendered = makeError(parsed->out.string(), "cannot rename " + staging.string() + ": " + error.message());
  }
  if (!rendered) {
    fs::remove_all(staging, error);
    printError(rendered.error().message);
    const bool usage = rendered.error().message.rfind(std::string(COMMAND) + ": --pack", 0) == 0;
    return validation.messages > 0 ? EXIT_VALIDATION : usage ? EXIT_USAGE : EXIT_FAILURE_RUNTIME;
  }
  if (validation.messages > 0) return EXIT_VALIDATION;
  std::printf("render-dataset: wrote %u samples to %s\n", parsed->count, parsed->out.string().c_str());
  return EXIT_OK;
}

}  // namespace meshrt::cli
