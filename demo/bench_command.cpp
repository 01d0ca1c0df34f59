// `meshrt bench [--pack P] [--head H] [--encoder-io host|vulkan] [--source S] --frames N
// [--warmup W] --json FILE [--trace FILE]`: the headless frame loop without PNG output (with a
// pack: the pack loop, tracking a still image as on video), every stage on both clocks,
// summarized into the JSON of DESIGN §7 (docs/schemas/bench.schema.json). Without --pack: the
// image stages only. --encoder-io: the pack's preprocess on the host (default) or the Vulkan
// preprocess through interop::EncoderIo (heads/pack_model.h); the report's encoder_io says
// which path ran.
#include <cstdio>
#include <filesystem>
#include <optional>

#include "bench_report.h"
#include "cli_args.h"
#include "commands.h"
#include "capture/frame_source_factory.h"
#include "core/chrome_trace.h"
#include "core/pack.h"
#include "headless_demo.h"
#include "vulkan_setup.h"

namespace meshrt::cli {
namespace {

constexpr const char* COMMAND = "meshrt bench";
constexpr int ENCODER_THREADS = 2;  // oneDNN threads per model (this machine's cores)

}  // namespace

int runBench(const std::vector<std::string>& args) {
  static constexpr FlagSpec FLAGS[] = {{"pack", true},   {"head", true}, {"source", true}, {"frames", true},
                                       {"warmup", true}, {"json", true}, {"trace", true}, {"encoder-io", true}};
  auto parsed = parseArgs(COMMAND, args, FLAGS);
  if (!parsed) {
    printError(parsed.error().message);
    return EXIT_USAGE;
  }
  auto frames = parsed->integer(COMMAND, "frames", 200, 2, 1000000);
  if (!frames) {
    printError(frames.error().message);
    return EXIT_USAGE;
  }
  auto warmup = parsed->integer(COMMAND, "warmup", std::min<long long>(10, *frames / 2), 0, *frames - 2);
  if (!warmup) {
    printError(warmup.error().message + " (at least 2 frames must remain after warm-up)");
    return EXIT_USAGE;
  }
  const auto jsonPath = parsed->value("json");
  if (!jsonPath || jsonPath->empty()) {
    printError(std::string(COMMAND) + ": --json FILE is required (where the report goes)");
    return EXIT_USAGE;
  }
  for (const char* flag : {"json", "trace"}) {
    if (auto path = parsed->value(flag)) {
      if (auto checked = checkOutputFileDir(COMMAND, flag, *path); !checked) {
        printError(checked.error().message);
        return EXIT_USAGE;
      }
    }
  }
  BenchConfig config;
  config.source = parsed->value("source").value_or("sample");
  config.frames = *frames;
  config.warmup = *warmup;
  config.encoderBackend = "none";
  std::optional<PackSpec> pack;
  if (auto packName = parsed->value("pack")) {
    auto loaded = findAndLoadPack(*packName, std::string(MESHRT_SOURCE_DIR) + "/assets/packs");
    if (!loaded) {
      printError(std::string(COMMAND) + ": --pack " + *packName + ": " + loaded.error().message);
      return EXIT_USAGE;
    }
    config.pack = loaded->name;
    config.head = parsed->value("head").value_or(loaded->head);
    if (!loaded->supportsHead(config.head)) {
      printError(std::string(COMMAND) + ": --head " + config.head + ": pack " + loaded->name + " cannot run it (" +
                 describeHeads(*loaded) + ")");
      return EXIT_USAGE;
    }
    pack = std::move(*loaded);
    config.encoderBackend = "cpu-onednn";
    config.threads = ENCODER_THREADS;
  } else if (parsed->has("head")) {
    printError(std::string(COMMAND) + ": --head needs --pack");
    return EXIT_USAGE;
  }
  const std::string encoderIo = parsed->value("encoder-io").value_or("host");
  if (encoderIo != "host" && encoderIo != "vulkan") {
    printError(std::string(COMMAND) + ": --encoder-io " + encoderIo + ": expected host or vulkan");
    return EXIT_USAGE;
  }
  if (parsed->has("encoder-io") && !pack) {
    printError(std::string(COMMAND) + ": --encoder-io needs --pack");
    return EXIT_USAGE;
  }
  if (auto opened = openFrameSource(config.source); !opened) {
    printError(std::string(COMMAND) + ": --source " + config.source + ": " + opened.error().message);
    return EXIT_USAGE;
  }

  ValidationCount validation;
  auto context = createProgramContext(validation);
  if (!context) {
    printError(std::string(COMMAND) + ": " + context.error().message);
    return EXIT_FAILURE_RUNTIME;
  }
  config.device = (*context)->info().name;
  const double spanCostNs = measureSpanCostNs();

  Profiler profiler(size_t(config.frames) * 32 + 1024);
  HeadlessDemoParams params;
  params.frames = config.frames;
  params.source = config.source;
  params.saveEvery = 0;  // no PNGs: bench times the frame loop, not the PNG encoder
  params.pack = pack ? &*pack : nullptr;
  params.encoderThreads = ENCODER_THREADS;
  params.vulkanEncoderIo = encoderIo == "vulkan";
  params.head = config.head;
  std::fprintf(stderr, "%s: %lld frames (%lld warm-up) of %s on %s\n", COMMAND, static_cast<long long>(config.frames),
               static_cast<long long>(config.warmup), config.source.c_str(), config.device.c_str());
  auto summary = runHeadlessDemo(**context, params, profiler);
  if (!summary) {
    printError(std::string(COMMAND) + ": " + summary.error().message);
    return EXIT_FAILURE_RUNTIME;
  }
  config.encoderIo = summary->encoderIo;
  const std::vector<SpanRecord> spans = profiler.spans();
  const nlohmann::json report = benchReportJson(config, spans, spanCostNs);
  if (auto written = writeJsonFile(report, *jsonPath); !written) {
    printError(std::string(COMMAND) + ": " + written.error().message);
    return EXIT_FAILURE_RUNTIME;
  }
  std::printf("%.1f fps over %lld frames; report %s\n", report["fps"].get<double>(),
              static_cast<long long>(report["frames"].get<int64_t>()), jsonPath->c_str());
  for (const auto& [name, stats] : report["stages"].items()) {
    std::printf("  %-14s %-3s p50 %8.3f ms  p99 %8.3f ms\n", name.c_str(), stats["clock"].get<std::string>().c_str(),
                stats["p50"].get<double>(), stats["p99"].get<double>());
  }
  if (auto tracePath = parsed->value("trace")) {
    if (auto written = writeChromeTrace(spans, *tracePath); !written) {
      printError(std::string(COMMAND) + ": " + written.error().message);
      return EXIT_FAILURE_RUNTIME;
    }
    std::printf("trace %s\n", tracePath->c_str());
  }
  if (validation.messages > 0) {
    printError(std::string(COMMAND) + ": " + std::to_string(validation.messages.load()) + " Vulkan validation messages");
    return EXIT_VALIDATION;
  }
  return EXIT_OK;
}

}  // namespace meshrt::cli
