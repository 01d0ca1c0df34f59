// `meshrt bench [--pack P] [--head H] [--source S] --frames N [--warmup W] --json FILE
// [--trace FILE]`: the headless frame loop without PNG output, every stage on both clocks,
// summarized into the JSON of DESIGN §7 (docs/schemas/bench.schema.json).
#include <cstdio>
#include <filesystem>

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

Result<void> checkParentDir(const std::string& flag, const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path parent = fs::path(path).parent_path();
  std::error_code error;
  if (!parent.empty() && !fs::is_directory(parent, error)) {
    return makeError(std::string(COMMAND) + ": --" + flag + " " + path, "directory " + parent.string() + " does not exist");
  }
  return {};
}

}  // namespace

int runBench(const std::vector<std::string>& args) {
  static constexpr FlagSpec FLAGS[] = {{"pack", true},   {"head", true}, {"source", true}, {"frames", true},
                                       {"warmup", true}, {"json", true}, {"trace", true}};
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
      if (auto checked = checkParentDir(flag, *path); !checked) {
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
  if (auto packName = parsed->value("pack")) {
    auto pack = findAndLoadPack(*packName, std::string(MESHRT_SOURCE_DIR) + "/assets/packs");
    if (!pack) {
      printError(std::string(COMMAND) + ": --pack " + *packName + ": " + pack.error().message);
      return EXIT_USAGE;
    }
    config.pack = pack->name;
    config.head = parsed->value("head").value_or(pack->head);
    if (config.head != pack->head) {
      printError(std::string(COMMAND) + ": --head " + config.head + ": pack " + pack->name + " has head '" + pack->head + "'");
      return EXIT_USAGE;
    }
    printError(std::string(COMMAND) + ": --pack: the frame loop does not run packs yet in this build");
    return EXIT_USAGE;
  } else if (parsed->has("head")) {
    printError(std::string(COMMAND) + ": --head needs --pack");
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
  params.outDir.clear();  // no PNGs: bench times the frame loop, not the encoder of the files
  std::fprintf(stderr, "%s: %lld frames (%lld warm-up) of %s on %s\n", COMMAND, static_cast<long long>(config.frames),
               static_cast<long long>(config.warmup), config.source.c_str(), config.device.c_str());
  auto summary = runHeadlessDemo(**context, params, profiler);
  if (!summary) {
    printError(std::string(COMMAND) + ": " + summary.error().message);
    return EXIT_FAILURE_RUNTIME;
  }
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
