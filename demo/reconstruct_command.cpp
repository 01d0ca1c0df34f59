// `meshrt reconstruct --pack P [--head H] --input IMAGE --out DIR` (DESIGN §7): one photo through
// the pack's pipeline (heads/object_pipeline.h: detection then landmarks, once, no tracking; or
// for ttp / regress packs the encoder on the whole frame with the --head chosen),
// each object's texture UV-splatted from the photo (heads/image_texturing.h: the Vulkan raster
// and splat stages on the program's device, or their CPU references when no device can be
// created), and everything written through a staging directory next to DIR, moved into place
// only when complete: an error leaves DIR as it was.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "commands.h"
#include "core/image.h"
#include "core/mesh_io.h"
#include "core/pack.h"
#include "heads/image_texturing.h"
#include "heads/object_pipeline.h"
#include "reconstruct_output.h"
#include "stages/raster.h"
#include "vulkan_setup.h"

namespace meshrt::cli {
namespace {

// Input images: each side at least this many pixels (the detectors' smallest useful input) …
constexpr uint32_t MIN_IMAGE_SIDE = 32;
// … and at most the raster stage's target size, checked from the file header before decoding.
constexpr uint32_t MAX_IMAGE_SIDE = RASTER_MAX_SIZE;  // 8192
constexpr uint32_t TEXTURE_SIZE = 512;

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point& start) {
  const auto now = Clock::now();
  const double ms = std::chrono::duration<double, std::milli>(now - start).count();
  start = now;
  return ms;
}

Result<Image> readInputImage(const std::string& path) {
  auto size = readImageSize(path);
  if (!size) return size.error();
  if (size->width < MIN_IMAGE_SIDE || size->height < MIN_IMAGE_SIDE) {
    return makeError(path, "image is " + std::to_string(size->width) + "x" + std::to_string(size->height) +
                               ", smaller than the minimum " + std::to_string(MIN_IMAGE_SIDE) + " px per side");
  }
  if (size->width > MAX_IMAGE_SIDE || size->height > MAX_IMAGE_SIDE) {
    return makeError(path, "image is " + std::to_string(size->width) + "x" + std::to_string(size->height) +
                               ", larger than the maximum " + std::to_string(MAX_IMAGE_SIDE) + " px per side");
  }
  return readImage(path);
}

Result<void> writeText(const std::string& path, const std::string& text) {
  std::ofstream stream(path, std::ios::binary);
  stream << text;
  stream.close();
  if (!stream) return makeError(path, "cannot write");
  return {};
}

// The whole command after argument parsing; errors are one line for printError.
// `usageError` is set when the error is a bad argument (--head the pack cannot run: exit 2).
Result<void> reconstruct(const std::string& packName, const std::string& head, const std::string& inputPath,
                         const std::string& outDir, ValidationCount& validation, bool& usageError) {
  auto start = Clock::now();
  const auto total = start;
  nlohmann::json timings = nlohmann::json::object();
  // Cheap checks first, so bad input fails before models load.
  auto staging = StagingDirectory::create(outDir);
  if (!staging) return staging.error();
  auto image = readInputImage(inputPath);
  if (!image) return image.error();
  timings["read_image"] = millisecondsSince(start);
  auto pack = findAndLoadPack(packName, std::string(MESHRT_SOURCE_DIR) + "/assets/packs");
  if (!pack) return pack.error();
  if (!head.empty() && !pack->supportsHead(head)) {
    usageError = true;
    return makeError("--head " + head, "pack '" + packName + "' cannot run it (" + describeHeads(*pack) + ")");
  }
  const std::string ranHead = head.empty() ? pack->head : head;
  timings["load_pack"] = millisecondsSince(start);
  ObjectPipelineOptions options;
  options.threads = 2;
  options.tracking = false;
  options.head = ranHead;
  auto pipeline = createObjectPipeline(*pack, options);
  if (!pipeline) return pipeline.error();
  timings["load_models"] = millisecondsSince(start);

  auto frame = (*pipeline)->process(*image);
  if (!frame) return frame.error();
  for (const auto& [stage, ms] : frame->timingsMs) timings[stage] = ms;
  millisecondsSince(start);

  // Texturing on the Vulkan device when one can be created, else the CPU references.
  std::unique_ptr<vk::Context> context;
  std::string texturingBackend = "cpu reference";
  std::string texturingNote;
  if (!frame->objects.empty()) {
    auto created = createProgramContext(validation);
    if (created) {
      context = std::move(*created);
    } else {
      texturingNote = created.error().message;
    }
  }
  auto texturer = ImageTexturer::create(context.get());
  if (!texturer) return texturer.error();
  if ((*texturer)->usesVulkan()) texturingBackend = "vulkan";

  nlohmann::json objects = nlohmann::json::array();
  for (size_t k = 0; k < frame->objects.size(); ++k) {
    const ReconstructedObject& object = frame->objects[k];
    const ImageTexturingParams params = texturingParamsFor(object.camera, TEXTURE_SIZE);
    auto texture = (*texturer)->texture(*image, object.mesh, params);
    if (!texture) return texture.error();
    timings["texture"] = timings.value("texture", 0.0) + millisecondsSince(start);
    nlohmann::json entry = objectJson(object, k);
    entry["texture_coverage"] = {{"image_pixels", texture->coveredPixels}, {"texels", texture->filledTexels}};
    const std::string dir = staging->path() + "/";
    MESHRT_TRY(writeObjWithMaterial(object.mesh, dir + entry["mesh"].get<std::string>(),
                                    entry["material"].get<std::string>(), entry["texture"].get<std::string>()));
    MESHRT_TRY(writePng(texture->texture, dir + entry["texture"].get<std::string>()));
    timings["write"] = timings.value("write", 0.0) + millisecondsSince(start);
    objects.push_back(entry);
  }
  MESHRT_TRY(writePng(drawOverlay(*image, frame->objects), staging->path() + "/overlay.png"));
  timings["write"] = timings.value("write", 0.0) + millisecondsSince(start);
  timings["total"] = std::chrono::duration<double, std::milli>(Clock::now() - total).count();

  nlohmann::json result = {
      {"pack", pack->name},
      {"head", ranHead},
      {"input", inputPath},
      {"image", {{"width", image->width}, {"height", image->height}}},
      {"backends",
       {{"encoder", "cpu (oneDNN)"},
        {"preprocess", "cpu reference"},
        {"texturing", texturingBackend}}},
      {"timings_ms", timings},
      {"objects", objects},
  };
  if (!texturingNote.empty()) result["backends"]["texturing_note"] = texturingNote;
  MESHRT_TRY(writeText(staging->path() + "/result.json", result.dump(2) + "\n"));
  return staging->commit();
}

}  // namespace

int runReconstruct(const std::vector<std::string>& args) {
  static constexpr FlagSpec FLAGS[] = {{"pack", true}, {"head", true}, {"input", true}, {"out", true}};
  auto parsed = parseArgs("meshrt reconstruct", args, FLAGS);
  if (!parsed) {
    printError(parsed.error().message);
    return EXIT_USAGE;
  }
  for (const char* required : {"pack", "input", "out"}) {
    if (!parsed->has(required) || parsed->value(required)->empty()) {
      printError(std::string("meshrt reconstruct: --") + required + " is required (usage: meshrt reconstruct --pack P "
                 "[--head H] --input IMAGE --out DIR)");
      return EXIT_USAGE;
    }
  }
  ValidationCount validation;
  bool usageError = false;
  auto done = reconstruct(*parsed->value("pack"), parsed->value("head").value_or(""), *parsed->value("input"),
                          *parsed->value("out"), validation, usageError);
  if (!done) {
    printError("meshrt reconstruct: " + done.error().message);
    return usageError ? EXIT_USAGE : EXIT_FAILURE_RUNTIME;
  }
  return validation.messages > 0 ? EXIT_VALIDATION : EXIT_OK;
}

}  // namespace meshrt::cli
