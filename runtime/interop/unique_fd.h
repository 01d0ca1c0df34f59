// A POSIX file descriptor with one owner. Exported Vulkan memory and semaphores travel as
// opaque fds; whoever imports one successfully (Vulkan or CUDA) takes it over, so the holder
// calls release() only after a successful import and otherwise lets the destructor close it.
#pragma once

#include <unistd.h>

#include <utility>

namespace meshrt::interop {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : mFd(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : mFd(std::exchange(other.mFd, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      mFd = std::exchange(other.mFd, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return mFd; }
  bool valid() const { return mFd >= 0; }
  // Gives up ownership (the importer now owns the fd) and returns it.
  int release() { return std::exchange(mFd, -1); }
  void reset() {
    if (mFd >= 0) ::close(mFd);
    mFd = -1;
  }

 private:
  int mFd = -1;
};

}  // namespace meshrt::interop
