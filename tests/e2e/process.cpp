#include "e2e/process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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

ProcessResult runMeshrt(const std::vector<std::string>& args, const std::vector<std::string>& env,
                        const std::vector<std::string>& wrapper) {
  namespace fs = std::filesystem;
  static int counter = 0;
  const fs::path base = fs::temp_directory_path() / ("meshrt_e2e_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::string command = "env MESHRT_VALIDATION=1";
  for (const std::string& assignment : env) command += " " + quote(assignment);
  for (const std::string& word : wrapper) command += " " + quote(word);
  command += " " + quote(MESHRT_BINARY);
  for (const std::string& arg : args) command += " " + quote(arg);
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

ProcessResult runProgram(const std::vector<std::string>& argv) {
  namespace fs = std::filesystem;
  static int counter = 0;
  const fs::path base =
      fs::temp_directory_path() / ("meshrt_program_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::string command;
  for (const std::string& word : argv) command += (command.empty() ? "" : " ") + quote(word);
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

std::string jsonSchemaErrors(const std::string& schemaName, const std::string& path) {
  const ProcessResult result = runProgram({"/usr/bin/python3", std::string(MESHRT_SOURCE_DIR) + "/tests/tools/validate_json.py",
                                           std::string(MESHRT_SOURCE_DIR) + "/docs/schemas/" + schemaName, path});
  if (result.exitCode == 0) return {};
  return "validate_json.py exit " + std::to_string(result.exitCode) + ": " + result.err;
}

}  // namespace meshrt::test
