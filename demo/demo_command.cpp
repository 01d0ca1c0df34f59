// `meshrt demo [--pack P] [--source S] [--headless --frames N --out DIR] [--trace FILE]`
//             [--screenshot FILE] [--no-vsync] [--fullscreen]: the window when a display exists.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "cli_args.h"
#include "commands.h"
#include "capture/frame_source_factory.h"
#include "core/chrome_trace.h"
#include "core/pack.h"
#include "core/pack_discovery.h"
#include "headless_demo.h"
#include "memory_report.h"
#include "vulkan_setup.h"
#include "window/window_demo.h"

namespace meshrt::cli {
namespace {

constexpr const char* COMMAND = "meshrt demo";

// Creates `dir` (and parents) and proves it is writable by creating and removing a file in it.
Result<void> prepareOutputDir(const std::string& dir) {
  namespace fs = std::filesystem;
  const std::string context = std::string(COMMAND) + ": --out " + dir;
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return makeError(context, "cannot create directory: " + error.message());
  if (!fs::is_directory(dir, error)) return makeError(context, "not a directory");
  const std::string probe = dir + "/.meshrt-write-test";
  std::FILE* file = std::fopen(probe.c_str(), "wb");
  if (!file) return makeError(context, std::string("not writable: ") + std::strerror(errno));
  std::fclose(file);
  std::remove(probe.c_str());
  return {};
}

// Checks that an output file's directory exists (--trace, --screenshot), before any work is done.
Result<void> checkOutputFileDir(const std::string& flag, const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path parent = fs::path(path).parent_path();
  std::error_code error;
  if (!parent.empty() && !fs::is_directory(parent, error)) {
    return makeError(std::string(COMMAND) + ": --" + flag + " " + path, "directory " + parent.string() + " does not exist");
  }
  return {};
}

void printStats(const Profiler& profiler, int64_t frames, double seconds) {
  std::printf("%lld frames in %.2f s (%.1f fps)\n", static_cast<long long>(frames), seconds,
              seconds > 0 ? frames / seconds : 0.0);
  std::printf("%-12s %-4s %9s %9s %9s %9s\n", "stage", "", "mean ms", "p50 ms", "p95 ms", "p99 ms");
  const int64_t warmup = frames > 4 ? 2 : 0;
  for (const char* track : {"cpu", "gpu"}) {
    for (const auto& [name, stats] : profiler.stageStats(track, warmup)) {
      std::printf("%-12s %-4s %9.3f %9.3f %9.3f %9.3f\n", name.c_str(), track, stats.meanMs, stats.p50Ms, stats.p95Ms,
                  stats.p99Ms);
    }
  }
}

// The live window: until it is closed, or --frames N frames (then --screenshot FILE, if given).
int runWindowed(const ParsedArgs& parsed, const std::string& outDir) {
  auto frames = parsed.integer(COMMAND, "frames", 0, 0, 1000000);
  if (!frames) {
    printError(frames.error().message);
    return EXIT_USAGE;
  }
  for (const char* flag : {"trace", "save-every", "memory-report"}) {
    if (parsed.has(flag)) {
      printError(std::string(COMMAND) + ": --" + flag + " is for --headless runs only");
      return EXIT_USAGE;
    }
  }
  demo::WindowDemoParams params;
  params.frames = *frames;
  params.screenshotPath = parsed.value("screenshot").value_or("");
  if (!params.screenshotPath.empty() && params.frames == 0) {
    printError(std::string(COMMAND) + ": --screenshot " + params.screenshotPath + ": needs --frames N (taken after frame N)");
    return EXIT_USAGE;
  }
  if (!params.screenshotPath.empty()) {
    if (auto checked = checkOutputFileDir("screenshot", params.screenshotPath); !checked) {
      printError(checked.error().message);
      return EXIT_USAGE;
    }
  }
  params.outDir = outDir;
  params.source = parsed.value("source").value_or("sample");
  params.vsync = !parsed.has("no-vsync");
  params.fullscreen = parsed.has("fullscreen");
  auto summary = demo::runWindowDemo(params);
  if (!summary) {
    printError(std::string(COMMAND) + ": " + summary.error().message);
    return EXIT_FAILURE_RUNTIME;
  }
  std::printf("%lld frames in %.2f s (%.1f fps)\n", static_cast<long long>(summary->frames), summary->wallSeconds,
              summary->wallSeconds > 0 ? summary->frames / summary->wallSeconds : 0.0);
  if (summary->validationMessages > 0) {
    printError(std::string(COMMAND) + ": " + std::to_string(summary->validationMessages) + " Vulkan validation messages");
    return EXIT_VALIDATION;
  }
  return EXIT_OK;
}

}  // namespace

int runDemo(const std::vector<std::string>& args) {
  static constexpr FlagSpec FLAGS[] = {{"pack", true},       {"source", true},   {"headless", false},
                                       {"frames", true},     {"out", true},      {"trace", true},
                                       {"screenshot", true}, {"no-vsync", false}, {"fullscreen", false},
                                       {"save-every", true}, {"memory-report", true}};
  auto parsed = parseArgs(COMMAND, args, FLAGS);
  if (!parsed) {
    printError(parsed.error().message);
    return EXIT_USAGE;
  }
  auto frames = parsed->integer(COMMAND, "frames", 60, 1, 1000000);
  if (!frames) {
    printError(frames.error().message);
    return EXIT_USAGE;
  }
  const std::string source = parsed->value("source").value_or("sample");
  if (auto pack = parsed->value("pack")) {
    // Missing pack, bad pack.json field or a model whose SHA-256 differs: one line, exit 2.
    const auto loaded = findAndLoadPack(*pack, std::string(MESHRT_SOURCE_DIR) + "/assets/packs");
    if (!loaded.ok()) {
      printError(std::string(COMMAND) + ": --pack " + *pack + ": " + loaded.error().message);
      return EXIT_USAGE;
    }
  }
  const std::string outDir = parsed->value("out").value_or("meshrt-demo-out");
  if (auto prepared = prepareOutputDir(outDir); !prepared) {
    printError(prepared.error().message);
    return EXIT_USAGE;
  }
  if (!parsed->has("headless")) {
    if (demo::displayAvailable()) return runWindowed(*parsed, outDir);
    std::fprintf(stderr,
                 "%s: no display ($DISPLAY / $WAYLAND_DISPLAY unset or unreachable): running headless; frames go to %s\n",
                 COMMAND, outDir.c_str());
  }
  if (parsed->has("screenshot")) {
    printError(std::string(COMMAND) + ": --screenshot needs the window (a display); headless runs write frame PNGs to --out");
    return EXIT_USAGE;
  }
  const auto tracePath = parsed->value("trace");
  if (tracePath) {
    if (auto checked = checkOutputFileDir("trace", *tracePath); !checked) {
      printError(checked.error().message);
      return EXIT_USAGE;
    }
  }
  const auto memoryReportPath = parsed->value("memory-report");
  if (memoryReportPath) {
    if (auto checked = checkOutputFileDir("memory-report", *memoryReportPath); !checked) {
      printError(checked.error().message);
      return EXIT_USAGE;
    }
  }
  auto saveEvery = parsed->integer(COMMAND, "save-every", 1, 0, 1000000);
  if (!saveEvery) {
    printError(saveEvery.error().message);
    return EXIT_USAGE;
  }

  ValidationCount validation;
  auto context = createProgramContext(validation);
  if (!context) {
    printError(std::string(COMMAND) + ": " + context.error().message);
    return EXIT_FAILURE_RUNTIME;
  }
  std::printf("Vulkan device: %s\n", (*context)->info().name.c_str());

  Profiler profiler;
  HeadlessDemoParams params;
  params.frames = *frames;
  params.outDir = outDir;
  params.source = source;
  params.saveEvery = *saveEvery;
  params.memorySampleEvery = memoryReportPath ? MEMORY_SAMPLE_EVERY : 0;
  if (auto opened = openFrameSource(source); !opened) {
    printError(std::string(COMMAND) + ": --source " + source + ": " + opened.error().message);
    return EXIT_USAGE;
  }
  auto summary = runHeadlessDemo(**context, params, profiler);
  if (!summary) {
    printError(std::string(COMMAND) + ": " + summary.error().message);
    return EXIT_FAILURE_RUNTIME;
  }
  printStats(profiler, summary->frames, summary->wallSeconds);
  std::printf("wrote %lld PNGs to %s\n", static_cast<long long>(summary->pngsWritten), outDir.c_str());
  if (memoryReportPath) {
    std::printf("%s\n", memoryReportLine(*summary).c_str());
    if (auto written = writeMemoryReport(*summary, params, *memoryReportPath); !written) {
      printError(std::string(COMMAND) + ": " + written.error().message);
      return EXIT_FAILURE_RUNTIME;
    }
    std::printf("wrote memory report %s\n", memoryReportPath->c_str());
  }
  if (tracePath) {
    if (auto written = writeChromeTrace(profiler.spans(), *tracePath); !written) {
      printError(std::string(COMMAND) + ": " + written.error().message);
      return EXIT_FAILURE_RUNTIME;
    }
    std::printf("wrote trace %s (open in https://ui.perfetto.dev or chrome://tracing)\n", tracePath->c_str());
  }
  if (validation.messages > 0) {
    printError(std::string(COMMAND) + ": " + std::to_string(validation.messages.load()) + " Vulkan validation messages");
    return EXIT_VALIDATION;
  }
  return EXIT_OK;
}

}  // namespace meshrt::cli
