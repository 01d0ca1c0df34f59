// libFuzzer target: bytes → parsePackManifest, the pack.json loader of loadPack (core/pack.h)
// without the model hashing (docs/TESTING.md "Fuzzing"). The files a manifest may name exist in
// a scratch pack directory "fuzz" made once per process (the seeds in tests/fuzz/corpus/pack/
// name them), so the fuzzer gets past the path checks into every field.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

#include "core/pack.h"
#include "fuzz_check.h"

namespace {

// <temp>/meshrt-pack-fuzz-<pid>/fuzz/ with detector.tflite, landmarks.tflite, encoder.onnx,
// labels.txt, template.obj and basis.npy (the models' contents are never parsed by the manifest
// loader; the label map, the template and the basis are: a ttp / regress manifest checks the basis
// [3][3][2] float32 against the template's 3 vertices).
std::string scratchPackDirectory() {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("meshrt-pack-fuzz-" + std::to_string(::getpid()));
  const fs::path directory = root / "fuzz";
  fs::create_directories(directory);
  for (const char* name : {"detector.tflite", "landmarks.tflite"}) std::ofstream(directory / name) << "TFL3";
  std::ofstream(directory / "labels.txt") << "???\nCoffee cup\nMug\nChair\nCamera\nFootwear\nShoe\n";
  std::ofstream(directory / "template.obj") << "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";
  std::ofstream(directory / "encoder.onnx") << "onnx stand-in";
  {  // .npy version 1.0: magic, version, header length (little-endian), header padded to 64 bytes
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 3, 2), }";
    header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');  // 10 bytes before the header
    header += '\n';
    std::ofstream npy(directory / "basis.npy", std::ios::binary);
    npy << "\x93NUMPY" << char(1) << char(0) << char(header.size() & 0xff) << char(header.size() >> 8) << header;
    const float values[18] = {0.1f, 0, 0, 0.1f, 0, 0, 0, 0.2f, 0, 0, 0.2f, 0, 0, 0, 0.3f, 0, 0, 0.3f};
    npy.write(reinterpret_cast<const char*>(values), sizeof(values));
  }
  static const fs::path removeAtExit = root;
  std::atexit([] {
    std::error_code error;
    std::filesystem::remove_all(removeAtExit, error);
  });
  return directory.string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace meshrt;
  static const std::string DIRECTORY = scratchPackDirectory();
  static const std::string SOURCE = DIRECTORY + "/pack.json";
  auto spec = parsePackManifest(std::string_view(reinterpret_cast<const char*>(data), size), DIRECTORY);
  if (!spec.ok()) fuzz::requireCleanError(spec.error(), SOURCE);
  return 0;
}
