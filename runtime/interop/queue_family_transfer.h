// Queue-family ownership transfers of buffers to and from VK_QUEUE_FAMILY_EXTERNAL: the
// Vulkan side of handing exported memory to CUDA or to another VkDevice and taking it back.
// Release after the last Vulkan write; acquire before the first Vulkan read.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>

namespace meshrt::interop {

// Makes writes in srcStages/srcAccess available to the external owner of `buffers`.
void recordReleaseToExternal(VkCommandBuffer cmd, uint32_t queueFamily, VkPipelineStageFlags srcStages,
                             VkAccessFlags srcAccess, std::span<const VkBuffer> buffers);
// Makes the external owner's writes to `buffers` visible to dstStages/dstAccess.
void recordAcquireFromExternal(VkCommandBuffer cmd, uint32_t queueFamily, VkPipelineStageFlags dstStages,
                               VkAccessFlags dstAccess, std::span<const VkBuffer> buffers);

}  // namespace meshrt::interop
