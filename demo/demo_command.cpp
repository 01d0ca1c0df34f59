// `meshrt demo [--pack P] [--source S] [--headless --frames N --out DIR] [--trace FILE] [--export DIR]`
//             [--screenshot FILE] [--no-vsync] [--fullscreen] [--novel-view orbit|uv|off]: the window
//             when a display exists.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

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
// The pack the demo runs when --pack is not given (the built-in sample shows a cup).
constexpr const char* DEFAULT_PACK = "objectron-cup";

// Creates `dir` (and parents) and proves it is writable by creating and removing a file in it.
Result<void> prepareOutputDir(const std::string& dir, const char* flag = "out") {
  namespace fs = std::filesystem;
  const std::string context = std::string(COMMAND) + ": --" + flag + " " + dir;
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
int runWindowed(const ParsedArgs& parsed, const std::string& outDir, const PackSpec* pack) {
  auto frames = parsed.integer(COMMAND, "frames", 0, 0, 1000000);
  if (!frames) {
    printError(frames.error().message);
    return EXIT_USAGE;
  }
  for (const char* flag : {"trace", "save-every", "memory-report", "export"}) {
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
    if (auto checked = checkOutputFileDir(COMMAND, "screenshot", params.screenshotPath); !checked) {
      printError(checked.error().message);
      return EXIT_USAGE;
    }
  }
  params.outDir = outDir;
  params.source = parsed.value("source").value_or("sample");
  params.vsync = !parsed.has("no-vsync");
  params.fullscreen = parsed.has("fullscreen");
  const std::string novelView = parsed.value("novel-view").value_or("orbit");
  if (novelView == "orbit") {
    params.insetView = 0;
  } else if (novelView == "uv") {
    params.insetView = 1;
  } else if (novelView == "off") {
    params.insetView = 2;
  } else {
    printError(std::string(COMMAND) + ": --novel-view " + novelView + ": expected orbit, uv or off");
    return EXIT_USAGE;
  }
  params.pack = pack;
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
                                       {"screenshot", true}, {"no-vsync", false}, {"fullscreen", false}, {"novel-view", true},
                                       {"save-every", true}, {"memory-report", true},
                                       {"export", true}};
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
  // The pack: --pack P, or none with --pack none; by default DEFAULT_PACK when it is installed.
  std::optional<PackSpec> pack;
  std::string packNote;
  const std::string bundledPacks = std::string(MESHRT_SOURCE_DIR) + "/assets/packs";
  if (auto requested = parsed->value("pack"); requested && *requested != "none") {
    // Missing pack, bad pack.json field or a model whose SHA-256 differs: one line, exit 2.
    auto loaded = findAndLoadPack(*requested, bundledPacks);
    if (!loaded.ok()) {
      printError(std::string(COMMAND) + ": --pack " + *requested + ": " + loaded.error().message);
      return EXIT_USAGE;
    }
    pack = std::move(*loaded);
  } else if (!requested) {
    auto loaded = findAndLoadPack(DEFAULT_PACK, bundledPacks);
    if (loaded.ok()) {
      pack = std::move(*loaded);
    } else {
      packNote = std::string(" (the default pack ") + DEFAULT_PACK + " is not usable: " + loaded.error().message +
                 "; run ./meshrt.sh fetch)";
    }
  }
  std::printf("pack: %s%s\n", pack ? pack->name.c_str() : "none", packNote.c_str());
  const std::string outDir = parsed->value("out").value_or("meshrt-demo-out");
  if (auto prepared = prepareOutputDir(outDir); !prepared) {
    printError(prepared.error().message);
    return EXIT_USAGE;
  }
  if (!parsed->has("headless")) {
    if (demo::displayAvailable()) return runWindowed(*parsed, outDir, pack ? &*pack : nullptr);
    std::fprintf(stderr,
                 "%s: no display ($DISPLAY / $WAYLAND_DISPLAY unset or unreachable): running headless; frames go to %s\n",
                 COMMAND, outDir.c_str());
  }
  if (parsed->has("novel-view")) {
    printError(std::string(COMMAND) + ": --novel-view is for the window (a display); headless runs have no novel view");
    return EXIT_USAGE;
  }
  if (parsed->has("screenshot")) {
    printError(std::string(COMMAND) + ": --screenshot needs the window (a display); headless runs write frame PNGs to --out");
    return EXIT_USAGE;
  }
  const auto tracePath = parsed->value("trace");
  if (tracePath) {
    if (auto checked = checkOutputFileDir(COMMAND, "trace", *tracePath); !checked) {
      printError(checked.error().message);
      return EXIT_USAGE;
    }
  }
  const auto memoryReportPath = parsed->value("memory-report");
  if (memoryReportPath) {
    if (auto checked = checkOutputFileDir(COMMAND, "memory-report", *memoryReportPath); !checked) {
      printError(checked.error().message);
      return EXIT_USAGE;
    }
  }
  const auto exportDir = parsed->value("export");
  if (exportDir) {
    if (!pack) {
      printError(std::string(COMMAND) + ": --export " + *exportDir + ": needs a pack (--pack P, or the default " +
                 DEFAULT_PACK + " installed)");
      return EXIT_USAGE;
    }
    if (auto prepared = prepareOutputDir(*exportDir, "export"); !prepared) {
      printError(prepared.error().message);
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
  params.pack = pack ? &*pack : nullptr;
  params.exportDir = exportDir.value_or("");
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
  if (pack) {
    std::printf("%s: objects found in %lld of %lld frames; detector ran on %lld\n", pack->name.c_str(),
                static_cast<long long>(summary->framesWithObjects), static_cast<long long>(summary->frames),
                static_cast<long long>(summary->detectorRuns));
  }
  std::printf("wrote %lld PNGs to %s\n", static_cast<long long>(summary->pngsWritten), outDir.c_str());
  if (summary->exported) {
    const MeshExportFiles& files = *summary->exported;
    std::printf("exported object 0 (%u vertices, %u triangles, object frame, +y up): %s %s %s %s\n", files.vertices,
                files.triangles, files.obj.c_str(), files.mtl.c_str(), files.texture.c_str(), files.glb.c_str());
  }
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
