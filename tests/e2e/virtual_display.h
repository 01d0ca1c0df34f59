// A private X server (Xvfb) for tests that open a window. Xvfb picks a free display number
// itself (-displayfd), so parallel tests and other users of the machine do not collide.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

namespace meshrt::test {

class VirtualDisplay {
 public:
  // Starts Xvfb with one 1600x900x24 screen (-noreset: it keeps running between clients). On failure returns null and sets `whyNot`.
  static std::unique_ptr<VirtualDisplay> start(std::string& whyNot);
  ~VirtualDisplay();  // stops the server
  VirtualDisplay(const VirtualDisplay&) = delete;
  VirtualDisplay& operator=(const VirtualDisplay&) = delete;

  const std::string& name() const { return mName; }  // e.g. ":1"

 private:
  VirtualDisplay(pid_t pid, std::string name) : mPid(pid), mName(std::move(name)) {}
  pid_t mPid;
  std::string mName;
};

// True when `program` is an executable file in a $PATH directory.
bool onPath(const std::string& program);

}  // namespace meshrt::test
