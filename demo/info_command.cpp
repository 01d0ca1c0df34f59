// `meshrt info [--json]`: devices, chosen backends, packs found.
#include <dnnl.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>

#include "cli_args.h"
#include "commands.h"
#include "core/pack.h"
#include "core/pack_discovery.h"
#include "heads/pack_model.h"
#include "interop/cuda_device.h"
#include "interop/encoder_io_factory.h"
#include "interop/external_support.h"
#include "vulkan_setup.h"

namespace meshrt::cli {
namespace {

nlohmann::json collectInfo(const vk::Context& context) {
  const vk::DeviceInfo& info = context.info();
  const vk::DeviceFeatures& features = info.features;
  nlohmann::json devices = nlohmann::json::array();
  for (size_t i = 0; i < context.allDevices().size(); ++i) {
    const auto& device = context.allDevices()[i];
    devices.push_back({{"index", i}, {"name", device.name}, {"type", device.type},
                       {"api_version", vk::formatApiVersion(device.apiVersion)}});
  }
  const CudaDeviceReport cuda = probeCudaDevice(info.deviceUuid);
  const interop::ExternalSupport external = interop::queryExternalSupport(context);
  // The encoder runs in CUDA only with zero-copy encoder I/O; otherwise on the CPU (DESIGN §3).
  const interop::EncoderIoChoice encoderIo = interop::chooseEncoderIoPath(external, cuda);
  const bool zeroCopy = encoderIo.path == interop::EncoderIoPath::CudaZeroCopy;
  const dnnl_version_t* dnnlVersion = dnnl_version();
  nlohmann::json packs = nlohmann::json::array();
  const auto searchPath = packSearchPath(std::string(MESHRT_SOURCE_DIR) + "/assets/packs");
  for (const PackEntry& pack : discoverPacks(searchPath)) {
    nlohmann::json entry = {{"name", pack.name}, {"head", pack.head}, {"path", pack.path}};
    // A pack that is found but does not load (bad field, model hash mismatch) says why.
    std::string error = pack.error;
    if (error.empty()) {
      // Dataset-only packs (ttp / regress without trained models, docs/DATASET.md) are listed as such.
      const Result<PackSpec> loaded = loadPack(pack.path, PackLoadOptions{.requireModels = false});
      if (!loaded.ok()) {
        error = loaded.error().message;
      } else {
        // The heads --head accepts (a ttp / regress pack with an encoder may run both), default first.
        entry["heads"] = loaded->supportedHeads();
        if (!loaded->hasModels) entry["dataset_only"] = true;
      }
    }
    if (!error.empty()) entry["error"] = error;
    packs.push_back(entry);
  }
  return {
      {"meshrt_version", MESHRT_VERSION},
      {"vulkan",
       {{"device", info.name},
        {"device_type", info.type},
        {"driver", info.driverName},
        {"driver_info", info.driverInfo},
        {"driver_version", info.driverVersion},
        {"api_version", vk::formatApiVersion(info.apiVersion)},
        {"device_uuid", vk::formatUuid(info.deviceUuid)},
        {"validation", context.validationEnabled()},
        {"features",
         {{"int64_atomics", features.int64Atomics},
          {"float32_atomics", features.float32Atomics},
          {"float32_atomic_add", features.float32AtomicAdd},
          {"external_memory_fd", features.externalMemoryFd},
          {"external_semaphore_fd", features.externalSemaphoreFd},
          {"timeline_semaphore", features.timelineSemaphore},
          {"calibrated_timestamps", features.calibratedTimestamps}}},
        {"devices", devices}}},
      {"cuda",
       {{"compiled", cuda.compiled},
        {"runtime_version", cuda.runtimeVersion},
        {"device_found", cuda.deviceFound},
        {"device", cuda.deviceName},
        {"uuid_matches_vulkan", cuda.uuidMatchesVulkan},
        {"used", zeroCopy},
        {"reason", zeroCopy ? "" : encoderIo.reason}}},
      {"interop",
       {{"encoder_io", interop::encoderIoPathName(encoderIo.path)},
        {"zero_copy", zeroCopy},
        {"reason", encoderIo.reason},
        {"external_memory_fd", external.memoryFd},
        {"external_memory_reason", external.memoryReason},
        {"external_timeline_semaphore_fd", external.timelineFd},
        {"external_timeline_semaphore_reason", external.timelineReason},
        // The pack frame loop with `--encoder-io vulkan` (heads/pack_model.h): its encoder is
        // the CPU executor, so its EncoderIo is host-visible whatever the device offers.
        {"pack_encoder_io", "host-visible"},
        {"pack_encoder_io_reason", PACK_ENCODER_IO_HOST_REASON}}},
      {"onednn",
       {{"version", std::to_string(dnnlVersion->major) + "." + std::to_string(dnnlVersion->minor) + "." +
                        std::to_string(dnnlVersion->patch)},
        {"cpu_runtime", dnnlVersion->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other"}}},
      {"encoder_backend", zeroCopy ? "cuda" : "cpu (oneDNN)"},
      {"pack_search_path", searchPath},
      {"packs", packs},
  };
}

const char* yesNo(bool value) { return value ? "yes" : "no"; }

void printText(const nlohmann::json& info) {
  const auto& vulkan = info["vulkan"];
  const auto& features = vulkan["features"];
  const auto& cuda = info["cuda"];
  std::printf("meshrt %s\n", info["meshrt_version"].get<std::string>().c_str());
  std::printf("Vulkan device:   %s (%s, Vulkan %s, driver %s: %s)\n", vulkan["device"].get<std::string>().c_str(),
              vulkan["device_type"].get<std::string>().c_str(), vulkan["api_version"].get<std::string>().c_str(),
              vulkan["driver"].get<std::string>().c_str(), vulkan["driver_info"].get<std::string>().c_str());
  std::printf("  features:      int64 atomics %s, float32 atomics %s, external memory fd %s, "
              "external semaphore fd %s, timeline semaphores %s, calibrated timestamps %s\n",
              yesNo(features["int64_atomics"]), yesNo(features["float32_atomics"]),
              yesNo(features["external_memory_fd"]), yesNo(features["external_semaphore_fd"]),
              yesNo(features["timeline_semaphore"]), yesNo(features["calibrated_timestamps"]));
  std::printf("CUDA backend:    %s", cuda["compiled"].get<bool>() ? "compiled" : "not compiled");
  if (cuda["used"].get<bool>()) {
    std::printf(", device '%s' matches the Vulkan device\n", cuda["device"].get<std::string>().c_str());
  } else {
    std::printf(", not used: %s\n", cuda["reason"].get<std::string>().c_str());
  }
  const auto& interop = info["interop"];
  if (interop["zero_copy"].get<bool>()) {
    std::printf("Encoder I/O:     CUDA zero-copy (exported Vulkan memory + timeline semaphores)\n");
  } else {
    std::printf("Encoder I/O:     host-visible buffers; CUDA zero-copy off: %s\n",
                interop["reason"].get<std::string>().c_str());
  }
  std::printf("  pack loop:     %s (--encoder-io vulkan): %s\n", interop["pack_encoder_io"].get<std::string>().c_str(),
              interop["pack_encoder_io_reason"].get<std::string>().c_str());
  std::printf("oneDNN:          %s\n", info["onednn"]["version"].get<std::string>().c_str());
  std::printf("Encoder backend: %s\n", info["encoder_backend"].get<std::string>().c_str());
  std::printf("Packs:           %zu found\n", info["packs"].size());
  for (const auto& pack : info["packs"]) {
    std::string heads = pack["head"].get<std::string>();
    if (pack.contains("heads") && pack["heads"].size() > 1) {
      heads.clear();
      for (const auto& head : pack["heads"]) heads += (heads.empty() ? "" : ", ") + head.get<std::string>();
    }
    std::printf("  %s (%s%s) %s%s\n", pack["name"].get<std::string>().c_str(), heads.c_str(),
                pack.contains("dataset_only") ? ", dataset only" : "", pack["path"].get<std::string>().c_str(),
                pack.contains("error") ? (" ERROR: " + pack["error"].get<std::string>()).c_str() : "");
  }
  if (info["packs"].empty()) {
    std::printf("  (searched:");
    for (const auto& dir : info["pack_search_path"]) std::printf(" %s", dir.get<std::string>().c_str());
    std::printf(")\n");
  }
}

}  // namespace

int runInfo(const std::vector<std::string>& args) {
  static constexpr FlagSpec FLAGS[] = {{"json", false}};
  auto parsed = parseArgs("meshrt info", args, FLAGS);
  if (!parsed) {
    printError(parsed.error().message);
    return EXIT_USAGE;
  }
  ValidationCount validation;
  auto context = createProgramContext(validation);
  if (!context) {
    printError("meshrt info: " + context.error().message);
    return EXIT_FAILURE_RUNTIME;
  }
  const nlohmann::json info = collectInfo(**context);
  if (parsed->has("json")) {
    std::printf("%s\n", info.dump(2).c_str());
  } else {
    printText(info);
  }
  return validation.messages > 0 ? EXIT_VALIDATION : EXIT_OK;
}

}  // namespace meshrt::cli
