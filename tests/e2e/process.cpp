#include "e2e/process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <fstream>
#include <sstream>
#include <utility>

namespace meshrt::test {
namespace {

std::string quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::vector<std::string> ProcessResult::errLines() const {
  std::vector<std::string> lines;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

namespace {

// Runs `command` (already shell-quoted) with stdin from /dev/null and captures stdout and stderr
// through two files in the temp directory.
ProcessResult runShellCommand(std::string command) {
  namespace fs = std::filesystem;
  static int counter = 0;
  const fs::path base =
      fs::temp_directory_path() / ("meshrt_e2e_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  command += " >" + quote(base.string() + ".out") + " 2>" + quote(base.string() + ".err") + " </dev/null";
  const int status = std::system(command.c_str());
  ProcessResult result;
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  result.out = slurp(base.string() + ".out");
  result.err = slurp(base.string() + ".err");
  fs::remove(base.string() + ".out");
  fs::remove(base.string() + ".err");
  return result;
}

}  // namespace

ProcessResult runMeshrt(const std::vector<std::string>& args, const std::vector<std::string>& env,
                        const std::vector<std::string>& wrapper) {
  std::string command = "env MESHRT_VALIDATION=1";
  for (const std::string& assignment : env) command += " " + quote(assignment);
  for (const std::string& word : wrapper) command += " " + quote(word);
  command += " " + quote(MESHRT_BINARY);
  for (const std::string& arg : args) command += " " + quote(arg);
  return runShellCommand(std::move(command));
}

ProcessResult runProgram(const std::vector<std::string>& argv) {
  std::string command;
  for (const std::string& word : argv) command += (command.empty() ? "" : " ") + quote(word);
  return runShellCommand(std::move(command));
}

std::string jsonSchemaErrors(const std::string& schemaName, const std::string& path) {
  const ProcessResult result = runProgram({"/usr/bin/python3", std::string(MESHRT_SOURCE_DIR) + "/tests/tools/validate_json.py",
                                           std::string(MESHRT_SOURCE_DIR) + "/docs/schemas/" + schemaName, path});
  if (result.exitCode == 0) return {};
  return "validate_json.py exit " + std::to_string(result.exitCode) + ": " + result.err;
}

bool packInstalled(const std::string& name) {
  const ProcessResult result = runMeshrt({"info", "--json"});
  const auto info = nlohmann::json::parse(result.out, nullptr, false);
  if (info.is_discarded() || !info.contains("packs")) return false;
  for (const auto& pack : info["packs"]) {
    if (pack.value("name", "") == name && pack.value("error", "").empty()) return true;
  }
  return false;
}

}  // namespace meshrt::test
