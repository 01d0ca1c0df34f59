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

// Runs any program: argv[0] is the executable (searched on PATH), the rest its arguments.
ProcessResult runProgram(const std::vector<std::string>& argv);

// Validates the JSON file `path` against docs/schemas/`schemaName` with
// tests/tools/validate_json.py (Debian python3-jsonschema). Empty when valid, else its errors.
std::string jsonSchemaErrors(const std::string& schemaName, const std::string& path);

}  // namespace meshrt::test
