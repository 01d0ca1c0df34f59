// What every fuzz target asserts about a rejected input: the importer's error is one printable
// line of at most 1024 characters that starts with the source name it was given
// ("fuzz.onnx: node 'x' (Conv): ..."). A violation aborts, so libFuzzer (and the ctest replay)
// report it like a crash.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "meshrt/result.h"

namespace meshrt::fuzz {

inline void requireCleanError(const Error& error, const std::string& source) {
  bool printable = true;
  for (const char character : error.message) {
    const auto byte = static_cast<unsigned char>(character);
    printable = printable && byte >= 0x20 && byte != 0x7F;
  }
  if (error.message.rfind(source + ": ", 0) == 0 && printable && error.message.size() <= 1024) return;
  std::fprintf(stderr, "fuzz target: error is not one printable line naming '%s': %s\n", source.c_str(),
               error.message.c_str());
  std::abort();
}

}  // namespace meshrt::fuzz
