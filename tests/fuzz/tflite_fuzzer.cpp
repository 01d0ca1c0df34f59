// libFuzzer target: bytes → TFLite reader → importer → validateGraph → inferShapes, the path a
// pack's .tflite model takes before an executor runs it (docs/TESTING.md "Fuzzing").
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "nn/graph.h"
#include "nn/tflite_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace meshrt;
  static const std::string SOURCE = "fuzz.tflite";
  auto graph = nn::importTfliteFromMemory(std::vector<uint8_t>(data, data + size), SOURCE);
  if (!graph.ok()) {
    fuzz::requireCleanError(graph.error(), SOURCE);
    return 0;
  }
  if (auto valid = nn::validateGraph(*graph); !valid.ok()) return 0;
  (void)nn::inferShapes(*graph);  // an error is fine; a crash, hang or sanitizer report is not
  return 0;
}
