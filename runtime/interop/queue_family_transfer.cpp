#include "interop/queue_family_transfer.h"

#include <vector>

namespace meshrt::interop {
namespace {

std::vector<VkBufferMemoryBarrier> ownershipBarriers(std::span<const VkBuffer> buffers, uint32_t srcFamily,
                                                     uint32_t dstFamily, VkAccessFlags srcAccess,
                                                     VkAccessFlags dstAccess) {
  std::vector<VkBufferMemoryBarrier> barriers;
  for (VkBuffer buffer : buffers) {
    VkBufferMemoryBarrier barrier{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER};
    barrier.srcAccessMask = srcAccess;
    barrier.dstAccessMask = dstAccess;
    barrier.srcQueueFamilyIndex = srcFamily;
    barrier.dstQueueFamilyIndex = dstFamily;
    barrier.buffer = buffer;
    barrier.size = VK_WHOLE_SIZE;
    barriers.push_back(barrier);
  }
  return barriers;
}

}  // namespace

void recordReleaseToExternal(VkCommandBuffer cmd, uint32_t queueFamily, VkPipelineStageFlags srcStages,
                             VkAccessFlags srcAccess, std::span<const VkBuffer> buffers) {
  // A release's destination access is ignored; the semaphore signal that follows orders the
  // external reads after it.
  const auto barriers = ownershipBarriers(buffers, queueFamily, VK_QUEUE_FAMILY_EXTERNAL, srcAccess, 0);
  vkCmdPipelineBarrier(cmd, srcStages, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, 0, 0, nullptr,
                       static_cast<uint32_t>(barriers.size()), barriers.data(), 0, nullptr);
}

void recordAcquireFromExternal(VkCommandBuffer cmd, uint32_t queueFamily, VkPipelineStageFlags dstStages,
                               VkAccessFlags dstAccess, std::span<const VkBuffer> buffers) {
  // An acquire's source access is ignored; the semaphore wait before it orders the external
  // writes.
  const auto barriers = ownershipBarriers(buffers, VK_QUEUE_FAMILY_EXTERNAL, queueFamily, 0, dstAccess);
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, dstStages, 0, 0, nullptr,
                       static_cast<uint32_t>(barriers.size()), barriers.data(), 0, nullptr);
}

}  // namespace meshrt::interop
