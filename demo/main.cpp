// The meshrt program: live demo, reconstruct, bench, info (DESIGN §7).
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "vk/leak_sanitizer_pins.h"

namespace meshrt::cli {

void printError(const std::string& message) { std::fprintf(stderr, "%s\n", message.c_str()); }

namespace {

void printUsage(std::FILE* out) {
  std::fprintf(out,
               "meshrt %s: real-time single-image 3D object reconstruction\n"
               "\n"
               "usage:\n"
               "  meshrt info [--json]            devices, chosen backends, packs found\n"
               "  meshrt demo [--source sample] [--frames N] [--out DIR] [--screenshot FILE] [--no-vsync] [--fullscreen]\n"
               "                                  the live window (when $DISPLAY or $WAYLAND_DISPLAY is reachable):\n"
               "                                  the sample with its object crop, timings, screenshots (to DIR);\n"
               "                                  --frames N stops after N frames, --screenshot FILE then saves one\n"
               "  meshrt demo --headless [--frames N] [--out DIR] [--trace FILE] [--save-every K] [--memory-report FILE]\n"
               "                                  the frame loop without a window (also the fallback with no\n"
               "                                  display): PNGs (frame_NNNN.png) to DIR, a Chrome/Perfetto trace;\n"
               "                                  --save-every K writes every K-th frame's PNG (0: none; default 1),\n"
               "                                  --memory-report FILE writes resident memory (VmRSS) every 100\n"
               "                                  frames and at the last as JSON\n"
               "  meshrt bench [--pack P] [--head H] [--source S] [--frames N] [--warmup W] --json FILE [--trace FILE]\n"
               "                                  the headless frame loop without PNGs (N = 200, W = 10 by default):\n"
               "                                  fps and per-stage mean/p50/p95/p99 on the CPU and GPU clocks (after\n"
               "                                  warm-up), frame overlap and profiling cost as JSON (docs/schemas/)\n"
               "  meshrt help                     this text\n"
               "\n"
               "environment:\n"
               "  MESHRT_DEVICE=<name substring or index>  pick the Vulkan device\n"
               "  MESHRT_VALIDATION=1                      enable Vulkan validation; any message fails the run\n"
               "  MESHRT_PACK_PATH=<dir>[:<dir>...]        extra directories to search for packs\n",
               MESHRT_VERSION);
}

}  // namespace
}  // namespace meshrt::cli

int main(int argc, char** argv) {
  using namespace meshrt::cli;
  meshrt::vk::pinVulkanLibrariesForLeakSanitizer();
  if (argc < 2) {
    printUsage(stderr);
    return EXIT_USAGE;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "info") return runInfo(args);
  if (command == "demo") return runDemo(args);
  if (command == "bench") return runBench(args);
  if (command == "help" || command == "--help" || command == "-h") {
    printUsage(stdout);
    return EXIT_OK;
  }
  if (command == "reconstruct" || command == "render-dataset") {
    printError("meshrt: '" + command + "' is not available in this build yet (see 'meshrt help')");
    return EXIT_USAGE;
  }
  printError("meshrt: unknown subcommand '" + command + "' (expected info, demo, bench or help)");
  return EXIT_USAGE;
}
