#include "e2e/virtual_display.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace meshrt::test {

bool onPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && ::access((std::filesystem::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::unique_ptr<VirtualDisplay> VirtualDisplay::start(std::string& whyNot) {
  if (!onPath("Xvfb")) {
    whyNot = "Xvfb not found on PATH (Debian: xvfb)";
    return nullptr;
  }
  int fds[2];
  if (::pipe(fds) != 0) {
    whyNot = "pipe() failed";
    return nullptr;
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    const int devNull = ::open("/dev/null", O_WRONLY);
    ::dup2(devNull, STDOUT_FILENO);
    ::dup2(devNull, STDERR_FILENO);
    const std::string fd = std::to_string(fds[1]);
    ::execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-screen", "0", "1600x900x24", "-nolisten", "tcp", "-noreset",
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    whyNot = "fork() failed";
    return nullptr;
  }
  // Xvfb writes the display number and a newline once it accepts connections.
  std::string number;
  pollfd readable{fds[0], POLLIN, 0};
  while (::poll(&readable, 1, 20000) > 0) {
    char c;
    if (::read(fds[0], &c, 1) != 1 || c == '\n') break;
    number += c;
  }
  ::close(fds[0]);
  if (number.empty()) {
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
    whyNot = "Xvfb did not report a display within 20 s";
    return nullptr;
  }
  return std::unique_ptr<VirtualDisplay>(new VirtualDisplay(pid, ":" + number));
}

VirtualDisplay::~VirtualDisplay() {
  ::kill(mPid, SIGTERM);
  ::waitpid(mPid, nullptr, 0);
}

}  // namespace meshrt::test
