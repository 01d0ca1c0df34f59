// The meshrt program: live demo, reconstruct, bench, info (DESIGN §7).
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "openmp_spin.h"
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
               "  meshrt demo [--pack P] [--source sample] [--frames N] [--out DIR] [--screenshot FILE] [--no-vsync]\n"
               "              [--fullscreen] [--novel-view orbit|uv|off]\n"
               "                                  the live window (when $DISPLAY or $WAYLAND_DISPLAY is reachable):\n"
               "                                  the pack (default objectron-cup; none: --pack none) on every frame,\n"
               "                                  the reconstruction over the input, the fused texture, a novel view\n"
               "                                  (orbit: drag and wheel; or the UV correspondence map), timings;\n"
               "                                  screenshots and 'Export mesh' (OBJ/MTL/PNG + .glb) go to DIR;\n"
               "                                  --novel-view picks the inset at start (orbit by default);\n"
               "                                  --frames N stops after N frames, --screenshot FILE then saves one\n"
               "  meshrt demo --headless [--pack P] [--frames N] [--out DIR] [--trace FILE] [--save-every K]\n"
               "              [--memory-report FILE] [--export DIR]\n"
               "                                  the frame loop without a window (also the fallback with no\n"
               "                                  display): PNGs (frame_NNNN.png) to DIR, a Chrome/Perfetto trace;\n"
               "                                  --save-every K writes every K-th frame's PNG (0: none; default 1),\n"
               "                                  --memory-report FILE writes resident memory (VmRSS) every 100\n"
               "                                  frames and at the last as JSON, --export DIR writes object 0's\n"
               "                                  mesh and fused texture after the last frame as export_NNNN.obj/\n"
               "                                  .mtl/.png and .glb, in the object's frame (+y up, docs/API.md)\n"
               "  meshrt bench [--pack P] [--head H] [--encoder-io host|vulkan] [--source S] [--frames N] [--warmup W] --json FILE [--trace FILE]\n"
               "                                  the headless frame loop without PNGs (N = 200, W = 10 by default):\n"
               "                                  fps and per-stage mean/p50/p95/p99 on the CPU and GPU clocks (after\n"
               "                                  warm-up), frame overlap and profiling cost as JSON (docs/schemas/)\n"
               "  meshrt reconstruct --pack P [--head H] --input IMAGE --out DIR\n"
               "                                  one photo: result.json, mesh_K.obj/.mtl, texture_K.png,\n"
               "                                  overlay.png in DIR (written whole or not at all)\n"
               "  meshrt render-dataset --pack P --seed N --count N --out DIR [--size S] [--batch G]\n"
               "                                  synthetic training data of a ttp/regress pack: images, masks and\n"
               "                                  labels (camera, coefficients, 2D vertices, visibility; docs/DATASET.md)\n"
               "  meshrt eval --pack P [--head ttp|regress] --data DIR [--count N] [--json FILE]\n"
               "                                  a ttp/regress head on a render-dataset directory: mask IoU, rotation\n"
               "                                  error, vertex error, PCK@0.05, ms per sample (docs/TRAINING.md)\n"
               "  meshrt help                     this text\n"
               "\n"
               "environment:\n"
               "  MESHRT_DEVICE=<name substring or index>  pick the Vulkan device\n"
               "  MESHRT_VALIDATION=1                      enable Vulkan validation; any message fails the run\n"
               "  MESHRT_PACK_PATH=<dir>[:<dir>...]        extra directories to search for packs\n"
               "  GOMP_SPINCOUNT, OMP_WAIT_POLICY          OpenMP idle spinning (oneDNN encoder); with neither\n"
               "                                           set, meshrt restarts itself with GOMP_SPINCOUNT=10000\n",
               MESHRT_VERSION);
}

}  // namespace
}  // namespace meshrt::cli

int main(int argc, char** argv) {
  using namespace meshrt::cli;
  boundOpenMpSpinning(argv);  // may re-execute the program once (openmp_spin.h)
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
  if (command == "reconstruct") return runReconstruct(args);
  if (command == "render-dataset") return runRenderDataset(args);
  if (command == "eval") return runEval(args);
  if (command == "help" || command == "--help" || command == "-h") {
    printUsage(stdout);
    return EXIT_OK;
  }
  printError("meshrt: unknown subcommand '" + command + "' (expected info, demo, reconstruct, bench, render-dataset, eval or help)");
  return EXIT_USAGE;
}
