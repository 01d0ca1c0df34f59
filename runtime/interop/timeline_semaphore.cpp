#include "interop/timeline_semaphore.h"

#include <string>
#include <utility>

#include "vk/context.h"
#include "vk/vk_check.h"

namespace meshrt::interop {
namespace {

Result<VkSemaphore> createTimeline(VkDevice device, bool exportable) {
  VkExportSemaphoreCreateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_SEMAPHORE_CREATE_INFO};
  exportInfo.handleTypes = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
  VkSemaphoreTypeCreateInfo typeInfo{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
  typeInfo.pNext = exportable ? &exportInfo : nullptr;
  typeInfo.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
  typeInfo.initialValue = 0;
  VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  info.pNext = &typeInfo;
  VkSemaphore semaphore = VK_NULL_HANDLE;
  MESHRT_VK_TRY(vkCreateSemaphore(device, &info, nullptr, &semaphore));
  return semaphore;
}

}  // namespace

Result<TimelineSemaphore> TimelineSemaphore::create(const vk::Context& context, bool exportable, const char* debugName) {
  if (exportable && !context.info().features.externalSemaphoreFd) {
    return makeError(debugName, "exportable semaphore requested but VK_KHR_external_semaphore_fd is not enabled");
  }
  auto semaphore = createTimeline(context.device(), exportable);
  if (!semaphore) return makeError(debugName, semaphore.error().message);
  TimelineSemaphore timeline;
  timeline.mDevice = context.device();
  timeline.mSemaphore = *semaphore;
  timeline.mExportable = exportable;
  timeline.mName = debugName;
  return timeline;
}

Result<TimelineSemaphore> TimelineSemaphore::import(const vk::Context& context, UniqueFd& fd, const char* debugName) {
  if (!fd.valid()) return makeError(debugName, "fd is not valid");
  if (!context.info().features.externalSemaphoreFd) {
    return makeError(debugName, "VK_KHR_external_semaphore_fd is not enabled on the importing device");
  }
  auto importFd =
      reinterpret_cast<PFN_vkImportSemaphoreFdKHR>(vkGetDeviceProcAddr(context.device(), "vkImportSemaphoreFdKHR"));
  if (!importFd) return makeError("vkImportSemaphoreFdKHR", "not available");
  auto semaphore = createTimeline(context.device(), false);
  if (!semaphore) return makeError(debugName, semaphore.error().message);
  TimelineSemaphore timeline;
  timeline.mDevice = context.device();
  timeline.mSemaphore = *semaphore;
  timeline.mName = debugName;
  VkImportSemaphoreFdInfoKHR info{VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_FD_INFO_KHR};
  info.semaphore = timeline.mSemaphore;
  info.flags = 0;  // permanent: the semaphore shares the exporter's payload from now on
  info.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
  info.fd = fd.get();
  const VkResult result = importFd(context.device(), &info);
  if (result != VK_SUCCESS) return makeError(std::string(debugName) + ": vkImportSemaphoreFdKHR", vk::resultName(result));
  fd.release();  // the semaphore owns the fd now
  return timeline;
}

TimelineSemaphore::TimelineSemaphore(TimelineSemaphore&& other) noexcept { *this = std::move(other); }

TimelineSemaphore& TimelineSemaphore::operator=(TimelineSemaphore&& other) noexcept {
  if (this != &other) {
    release();
    mDevice = std::exchange(other.mDevice, VK_NULL_HANDLE);
    mSemaphore = std::exchange(other.mSemaphore, VK_NULL_HANDLE);
    mExportable = std::exchange(other.mExportable, false);
    mName = other.mName;
  }
  return *this;
}

TimelineSemaphore::~TimelineSemaphore() { release(); }

void TimelineSemaphore::release() {
  if (mSemaphore) vkDestroySemaphore(mDevice, mSemaphore, nullptr);
  mSemaphore = VK_NULL_HANDLE;
}

Result<UniqueFd> TimelineSemaphore::exportFd() const {
  if (!mExportable) return makeError(mName, "not created exportable");
  auto getFd = reinterpret_cast<PFN_vkGetSemaphoreFdKHR>(vkGetDeviceProcAddr(mDevice, "vkGetSemaphoreFdKHR"));
  if (!getFd) return makeError("vkGetSemaphoreFdKHR", "not available");
  VkSemaphoreGetFdInfoKHR info{VK_STRUCTURE_TYPE_SEMAPHORE_GET_FD_INFO_KHR};
  info.semaphore = mSemaphore;
  info.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
  int fd = -1;
  const VkResult result = getFd(mDevice, &info, &fd);
  if (result != VK_SUCCESS) return makeError(std::string(mName) + ": vkGetSemaphoreFdKHR", vk::resultName(result));
  return UniqueFd(fd);
}

Result<void> TimelineSemaphore::waitHost(uint64_t value, uint64_t timeoutNs) const {
  VkSemaphoreWaitInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO};
  info.semaphoreCount = 1;
  info.pSemaphores = &mSemaphore;
  info.pValues = &value;
  const VkResult result = vkWaitSemaphores(mDevice, &info, timeoutNs);
  if (result == VK_TIMEOUT) {
    return makeError(mName, "did not reach value " + std::to_string(value) + " in " + std::to_string(timeoutNs) + " ns");
  }
  if (result != VK_SUCCESS) return makeError(std::string(mName) + ": vkWaitSemaphores", vk::resultName(result));
  return {};
}

Result<void> TimelineSemaphore::signalHost(uint64_t value) const {
  VkSemaphoreSignalInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO};
  info.semaphore = mSemaphore;
  info.value = value;
  const VkResult result = vkSignalSemaphore(mDevice, &info);
  if (result != VK_SUCCESS) return makeError(std::string(mName) + ": vkSignalSemaphore", vk::resultName(result));
  return {};
}

Result<uint64_t> TimelineSemaphore::counter() const {
  uint64_t value = 0;
  const VkResult result = vkGetSemaphoreCounterValue(mDevice, mSemaphore, &value);
  if (result != VK_SUCCESS) return makeError(std::string(mName) + ": vkGetSemaphoreCounterValue", vk::resultName(result));
  return value;
}

}  // namespace meshrt::interop
