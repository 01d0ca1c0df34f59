// libFuzzer target: bytes → ONNX importer (protobuf parse, op conversion, validateGraph and
// inferShapes inside importOnnxBytes) (docs/TESTING.md "Fuzzing").
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "nn/onnx_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace meshrt;
  static const std::string SOURCE = "fuzz.onnx";
  auto graph = nn::importOnnxBytes(data, size, SOURCE);
  if (!graph.ok()) fuzz::requireCleanError(graph.error(), SOURCE);
  return 0;
}
