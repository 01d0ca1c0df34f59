// Moving bytes between host and device buffers through host-visible staging memory.
#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <span>
#include <vector>

#include "meshrt/result.h"

namespace meshrt::vk {

class Buffer;
class CommandStream;
class GpuAllocator;

// Writes `bytes` into `staging` (an Upload buffer) at stagingOffset now, and records the GPU
// copy into dst followed by a barrier that makes the data visible to compute shaders.
Result<void> recordUpload(VkCommandBuffer cmd, const Buffer& staging, VkDeviceSize stagingOffset,
                          std::span<const std::byte> bytes, const Buffer& dst, VkDeviceSize dstOffset);

// Records a barrier (compute shader writes -> transfer), the copy of `size` bytes from src into
// `readback` (a Readback buffer), and a barrier that makes them visible to the host once the
// submission has completed.
void recordDownload(VkCommandBuffer cmd, const Buffer& src, VkDeviceSize srcOffset, const Buffer& readback,
                    VkDeviceSize readbackOffset, VkDeviceSize size);

// Blocking helpers for tests and tools (not for the frame loop): a one-off submission
// through a temporary staging buffer, waited on before returning.
Result<void> uploadNow(CommandStream& stream, GpuAllocator& allocator, const Buffer& dst,
                       std::span<const std::byte> bytes, VkDeviceSize dstOffset = 0);
Result<std::vector<std::byte>> downloadNow(CommandStream& stream, GpuAllocator& allocator, const Buffer& src,
                                           VkDeviceSize srcOffset, VkDeviceSize size);

}  // namespace meshrt::vk
