#include "interop/external_support.h"

#include "interop/shared_buffer.h"
#include "vk/context.h"

namespace meshrt::interop {
namespace {

constexpr VkExternalMemoryFeatureFlags MEMORY_EXPORT_IMPORT =
    VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT | VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT;
constexpr VkExternalSemaphoreFeatureFlags SEMAPHORE_EXPORT_IMPORT =
    VK_EXTERNAL_SEMAPHORE_FEATURE_EXPORTABLE_BIT | VK_EXTERNAL_SEMAPHORE_FEATURE_IMPORTABLE_BIT;

}  // namespace

ExternalSupport queryExternalSupport(const vk::Context& context) {
  ExternalSupport support;
  const vk::DeviceFeatures& features = context.info().features;

  if (!features.externalMemoryFd) {
    support.memoryReason = "the Vulkan device does not offer VK_KHR_external_memory_fd";
  } else {
    VkPhysicalDeviceExternalBufferInfo bufferInfo{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_BUFFER_INFO};
    bufferInfo.usage = SHARED_BUFFER_USAGE;
    bufferInfo.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
    VkExternalBufferProperties properties{VK_STRUCTURE_TYPE_EXTERNAL_BUFFER_PROPERTIES};
    vkGetPhysicalDeviceExternalBufferProperties(context.physicalDevice(), &bufferInfo, &properties);
    const VkExternalMemoryFeatureFlags memoryFeatures = properties.externalMemoryProperties.externalMemoryFeatures;
    support.memoryFd = (memoryFeatures & MEMORY_EXPORT_IMPORT) == MEMORY_EXPORT_IMPORT;
    support.memoryNeedsDedicated = memoryFeatures & VK_EXTERNAL_MEMORY_FEATURE_DEDICATED_ONLY_BIT;
    if (!support.memoryFd) support.memoryReason = "the driver cannot export and import storage buffers as opaque fds";
  }

  if (!features.externalSemaphoreFd) {
    support.timelineReason = "the Vulkan device does not offer VK_KHR_external_semaphore_fd";
  } else {
    VkSemaphoreTypeCreateInfo typeInfo{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
    typeInfo.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
    VkPhysicalDeviceExternalSemaphoreInfo semaphoreInfo{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_SEMAPHORE_INFO};
    semaphoreInfo.pNext = &typeInfo;
    semaphoreInfo.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
    VkExternalSemaphoreProperties properties{VK_STRUCTURE_TYPE_EXTERNAL_SEMAPHORE_PROPERTIES};
    vkGetPhysicalDeviceExternalSemaphoreProperties(context.physicalDevice(), &semaphoreInfo, &properties);
    support.timelineFd = (properties.externalSemaphoreFeatures & SEMAPHORE_EXPORT_IMPORT) == SEMAPHORE_EXPORT_IMPORT;
    if (!support.timelineFd) {
      support.timelineReason = "the driver cannot export and import timeline semaphores as opaque fds";
    }
  }
  return support;
}

}  // namespace meshrt::interop
