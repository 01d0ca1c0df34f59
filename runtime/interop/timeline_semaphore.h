// An owned Vulkan timeline semaphore, optionally exportable as an opaque fd
// (VK_KHR_external_semaphore_fd) so that CUDA or a second VkDevice can wait on and signal
// the same counter. Values only grow; a value names an event ("frame 7's input is ready").
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>

#include "interop/unique_fd.h"
#include "meshrt/result.h"

namespace meshrt::vk {
class Context;
}

namespace meshrt::interop {

class TimelineSemaphore {
 public:
  // exportable: created with VkExportSemaphoreCreateInfo (opaque fd); needs the extension.
  static Result<TimelineSemaphore> create(const vk::Context& context, bool exportable, const char* debugName);
  // A timeline semaphore on `context`'s device whose payload is the one `fd` refers to.
  // Vulkan takes the fd only when the import succeeds; on failure `fd` still owns it.
  static Result<TimelineSemaphore> import(const vk::Context& context, UniqueFd& fd, const char* debugName);

  TimelineSemaphore() = default;
  TimelineSemaphore(TimelineSemaphore&& other) noexcept;
  TimelineSemaphore& operator=(TimelineSemaphore&& other) noexcept;
  TimelineSemaphore(const TimelineSemaphore&) = delete;
  TimelineSemaphore& operator=(const TimelineSemaphore&) = delete;
  ~TimelineSemaphore();

  VkSemaphore handle() const { return mSemaphore; }
  explicit operator bool() const { return mSemaphore != VK_NULL_HANDLE; }

  // A new fd for the semaphore (exportable ones only); the caller owns it until imported.
  Result<UniqueFd> exportFd() const;
  // Host-side wait until the counter is >= value; an error names the semaphore on timeout.
  Result<void> waitHost(uint64_t value, uint64_t timeoutNs) const;
  // Host-side signal: sets the counter to value (must be greater than the current value).
  Result<void> signalHost(uint64_t value) const;
  Result<uint64_t> counter() const;

 private:
  void release();

  VkDevice mDevice = VK_NULL_HANDLE;
  VkSemaphore mSemaphore = VK_NULL_HANDLE;
  bool mExportable = false;
  const char* mName = "timeline semaphore";
};

}  // namespace meshrt::interop
