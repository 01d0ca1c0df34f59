// Running the meshrt program from a test and capturing what it printed.
#pragma once

#include <string>
#include <vector>

namespace meshrt::test {

struct ProcessResult {
  int exitCode = -1;
  std::string out;  // stdout
  std::string err;  // stderr
  std::vector<std::string> errLines() const;
};

// Runs MESHRT_BINARY with `args` (each shell-quoted) under `env` assignments ("NAME=value"),
// with MESHRT_VALIDATION=1 so any Vulkan validation message fails the run.
// `wrapper` goes before the binary, e.g. {"xvfb-run", "-a"} to give it a virtual display.
ProcessResult runMeshrt(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                        const std::vector<std::string>& wrapper = {});

}  // namespace meshrt::test
