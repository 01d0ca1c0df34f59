// The subcommands of the meshrt program (DESIGN §7). Each returns the process exit code
// and prints errors as one line on stderr.
#pragma once

#include <string>
#include <vector>

namespace meshrt::cli {

// Exit codes shared by every subcommand.
inline constexpr int EXIT_OK = 0;
inline constexpr int EXIT_FAILURE_RUNTIME = 1;  // a device, file or pipeline failed
inline constexpr int EXIT_USAGE = 2;            // bad arguments
inline constexpr int EXIT_VALIDATION = 3;       // Vulkan validation reported messages (MESHRT_VALIDATION=1)

int runInfo(const std::vector<std::string>& args);
int runDemo(const std::vector<std::string>& args);
int runBench(const std::vector<std::string>& args);
int runReconstruct(const std::vector<std::string>& args);
int runRenderDataset(const std::vector<std::string>& args);
int runEval(const std::vector<std::string>& args);

// Prints "meshrt <command>: <message>"-style errors as one line on stderr.
void printError(const std::string& message);

}  // namespace meshrt::cli
