// `meshrt eval --pack P [--head ttp|regress] --data DIR [--count N] [--json FILE]` (issue 9;
// docs/TRAINING.md "Evaluation"): runs a ttp / regress head on every sample of a render-dataset
// directory (docs/DATASET.md) and reports mean and median over samples of mask IoU, geodesic
// rotation error, vertex error, PCK@0.05 and milliseconds per sample (the pipeline's process():
// preprocess, encoder, decode, solve, mesh). The predicted mask is rendered by the dataset's own
// renderer (dataset/eval_sample.h). Prints progress every 2 s, then a Markdown table header and
// row; --json writes the summary through a temporary file renamed into place.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "commands.h"
#include "core/atomic_file.h"
#include "core/image.h"
#include "core/pack.h"
#include "dataset/eval_metrics.h"
#include "dataset/eval_sample.h"
#include "heads/object_pipeline.h"
#include "vulkan_setup.h"

namespace meshrt::cli {
namespace {

constexpr const char* COMMAND = "meshrt eval";
constexpr double PCK_FRACTION = 0.05;  // of the image side
constexpr uint32_t SHADING_SEED = 0;   // the render of the predicted mask needs some texture and light

struct EvalArgs {
  std::string packName, head, dataDir, jsonPath;
  uint32_t count = 0;  // 0 = every sample
};

struct Failure {
  bool usage = false;  // exit 2 (bad arguments, data directory or head) rather than 1
};

Result<EvalArgs> parseEvalArgs(const std::vector<std::string>& args) {
  static constexpr FlagSpec FLAGS[] = {{"pack", true}, {"head", true}, {"data", true}, {"count", true}, {"json", true}};
  auto parsed = parseArgs(COMMAND, args, FLAGS);
  if (!parsed) return parsed.error();
  for (const char* required : {"pack", "data"}) {
    if (!parsed->has(required) || parsed->value(required)->empty()) {
      return makeError(COMMAND, std::string("--") + required +
                                    " is required (usage: meshrt eval --pack P [--head ttp|regress] --data DIR "
                                    "[--count N] [--json FILE])");
    }
  }
  const auto count = parsed->integer(COMMAND, "count", 0, 1, 10'000'000);
  if (!count) return count.error();
  EvalArgs out;
  out.packName = *parsed->value("pack");
  out.head = parsed->value("head").value_or("");
  out.dataDir = *parsed->value("data");
  out.jsonPath = parsed->value("json").value_or("");
  out.count = uint32_t(*count);
  if (!out.jsonPath.empty()) MESHRT_TRY(checkOutputFileDir(COMMAND, "json", out.jsonPath));
  return out;
}

// The prediction of the head in the dataset's terms.
dataset::PosedShape predictedShape(const ReconstructedObject& object) {
  dataset::PosedShape shape;
  shape.rotation = object.camera.rotation;
  shape.scale = object.camera.scale;
  shape.translation = {object.camera.translation[0], object.camera.translation[1]};
  shape.coefficients = object.deform.coefficients;
  shape.vertices = object.deform.objectVertices;
  shape.pixels = object.keypoints2d;
  return shape;
}

nlohmann::json summaryJson(const dataset::MetricSummary& summary) {
  auto number = [](double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr); };
  return {{"mean", number(summary.mean)}, {"median", number(summary.median)}, {"samples", summary.count}};
}

Result<void> evaluate(const EvalArgs& args, ValidationCount& validation, Failure& failure) {
  failure.usage = true;  // until the models load, an error is the caller's
  auto labels = dataset::readDatasetLabels(args.dataDir);
  if (!labels) return makeError(std::string(COMMAND) + ": --data", labels.error().message);
  auto pack = findAndLoadPack(args.packName, std::string(MESHRT_SOURCE_DIR) + "/assets/packs");
  if (!pack) return makeError(std::string(COMMAND) + ": --pack " + args.packName, pack.error().message);
  if (pack->templateFit != TemplateFit::Deform) {
    return makeError(std::string(COMMAND) + ": --pack " + args.packName,
                     "head '" + pack->head + "': eval runs the ttp and regress heads only");
  }
  const std::string head = args.head.empty() ? pack->head : args.head;
  if (!pack->supportsHead(head)) {
    return makeError(std::string(COMMAND) + ": --head " + head,
                     "pack '" + pack->name + "' cannot run it (" + describeHeads(*pack) + ")");
  }
  auto model = dataset::loadDeformableTemplate(*pack, std::string(COMMAND) + ": --pack " + pack->name);
  if (!model) return model.error();
  if (labels->vertices != model->vertexCount() || labels->basisCount != pack->basisCount) {
    return makeError(std::string(COMMAND) + ": --data " + args.dataDir,
                     "dataset.json has " + std::to_string(labels->vertices) + " vertices and " +
                         std::to_string(labels->basisCount) + " basis fields, pack '" + pack->name + "' " +
                         std::to_string(model->vertexCount()) + " and " + std::to_string(pack->basisCount));
  }
  const uint32_t count = args.count == 0 ? labels->count : std::min(args.count, labels->count);
  failure.usage = false;

  ObjectPipelineOptions options;
  options.threads = 2;
  options.tracking = false;
  options.head = head;
  auto pipeline = createObjectPipeline(*pack, options);
  if (!pipeline) return pipeline.error();
  auto context = createProgramContext(validation);
  if (!context) return context.error();
  dataset::DatasetRenderParams renderParams;
  renderParams.size = labels->imageSize;
  renderParams.batch = 1;
  const uint32_t vertexCount = model->vertexCount();
  auto renderer = dataset::DatasetRenderer::create(**context, *model, renderParams);  // a copy: the truth needs T, B
  if (!renderer) return renderer.error();

  std::vector<double> ious, rotations, vertexErrors, pcks, milliseconds;
  uint32_t missed = 0;  // samples where the head returned no object (IoU 0, the rest left out)
  const dataset::DatasetSampling sampling;
  const auto start = std::chrono::steady_clock::now();
  auto lastReport = start;
  for (uint32_t i = 0; i < count; ++i) {
    auto image = readImage(labels->imagePath(i));
    if (!image) return image.error();
    auto mask = readImage(labels->maskPath(i));
    if (!mask) return mask.error();
    if (image->width != labels->imageSize || image->height != labels->imageSize) {
      return makeError(labels->imagePath(i), "not " + std::to_string(labels->imageSize) + " px square (dataset.json)");
    }
    const auto before = std::chrono::steady_clock::now();
    auto frame = (*pipeline)->process(*image);
    if (!frame) return frame.error();
    milliseconds.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - before).count());
    if (frame->objects.empty() || !frame->objects.front().hasDeform) {
      ++missed;
      ious.push_back(0.0);
    } else {
      const dataset::PosedShape truth = dataset::truthShape(*labels, i, *model);
      const std::span<const uint8_t> visibility(labels->visibility.uint8s().data() + size_t{i} * vertexCount,
                                                vertexCount);
      const dataset::DatasetSample shading = dataset::drawSample(sampling, SHADING_SEED, i, pack->basisCount);
      dataset::SampleEvalParams evalParams;
      evalParams.pckFraction = PCK_FRACTION;
      auto metrics = dataset::evaluateSample(**renderer, shading, predictedShape(frame->objects.front()), truth,
                                             visibility, *mask, evalParams);
      if (!metrics) return makeError(labels->imagePath(i), metrics.error().message);
      ious.push_back(metrics->maskIou);
      rotations.push_back(metrics->rotationErrorDeg);
      vertexErrors.push_back(metrics->vertexError);
      pcks.push_back(metrics->pck);
    }
    if (validation.messages > 0) return makeError(COMMAND, "Vulkan validation reported messages");
    const auto now = std::chrono::steady_clock::now();
    if (now - lastReport > std::chrono::seconds(2) || i + 1 == count) {
      const double seconds = std::chrono::duration<double>(now - start).count();
      std::printf("eval: %u/%u samples, %.1f s, mean IoU so far %.3f\n", i + 1, count, seconds,
                  dataset::summarize(ious).mean);
      std::fflush(stdout);
      lastReport = now;
    }
  }

  const dataset::MetricSummary iou = dataset::summarize(ious), rotation = dataset::summarize(rotations),
                               vertex = dataset::summarize(vertexErrors), pck = dataset::summarize(pcks),
                               ms = dataset::summarize(milliseconds);
  std::printf("| pack | head | samples | mask IoU mean / median | rotation error ° mean / median | "
              "vertex error mean / median | PCK@0.05 mean / median | ms / sample mean / median |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
  std::printf("| %s | %s | %u | %.3f / %.3f | %.1f / %.1f | %.4f / %.4f | %.3f / %.3f | %.1f / %.1f |\n",
              pack->name.c_str(), head.c_str(), count, iou.mean, iou.median, rotation.mean, rotation.median,
              vertex.mean, vertex.median, pck.mean, pck.median, ms.mean, ms.median);
  std::fflush(stdout);
  if (args.jsonPath.empty()) return {};
  nlohmann::ordered_json report = {
      {"pack", pack->name},
      {"head", head},
      {"data", args.dataDir},
      {"samples", count},
      {"missed", missed},
      {"image_size", labels->imageSize},
      {"pck_threshold", PCK_FRACTION},
      {"metrics",
       {{"mask_iou", summaryJson(iou)},
        {"rotation_error_deg", summaryJson(rotation)},
        {"vertex_error", summaryJson(vertex)},
        {"pck", summaryJson(pck)},
        {"ms_per_sample", summaryJson(ms)}}},
  };
  return writeFileAtomically(args.jsonPath, report.dump(2) + "\n");
}

}  // namespace

int runEval(const std::vector<std::string>& args) {
  auto parsed = parseEvalArgs(args);
  if (!parsed) {
    printError(parsed.error().message);
    return EXIT_USAGE;
  }
  ValidationCount validation;
  Failure failure;
  auto done = evaluate(*parsed, validation, failure);
  if (!done) {
    const std::string& message = done.error().message;
    printError(message.rfind(COMMAND, 0) == 0 ? message : std::string(COMMAND) + ": " + message);
    return failure.usage ? EXIT_USAGE : EXIT_FAILURE_RUNTIME;
  }
  return validation.messages > 0 ? EXIT_VALIDATION : EXIT_OK;
}

}  // namespace meshrt::cli
