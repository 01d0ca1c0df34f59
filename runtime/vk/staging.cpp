#include "vk/staging.h"

#include <cstring>

#include "vk/command_stream.h"
#include "vk/gpu_allocator.h"

namespace meshrt::vk {

Result<void> recordUpload(VkCommandBuffer cmd, const Buffer& staging, VkDeviceSize stagingOffset,
                          std::span<const std::byte> bytes, const Buffer& dst, VkDeviceSize dstOffset) {
  if (!staging.mapped()) return makeError("recordUpload", "staging buffer is not host-visible");
  if (stagingOffset + bytes.size() > staging.size()) return makeError("recordUpload", "data exceeds the staging buffer");
  if (dstOffset + bytes.size() > dst.size()) return makeError("recordUpload", "data exceeds the destination buffer");
  if (bytes.empty()) return {};
  std::memcpy(static_cast<std::byte*>(staging.mapped()) + stagingOffset, bytes.data(), bytes.size());
  // Earlier shader reads/writes of dst must finish before the copy overwrites it.
  memoryBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
                VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
  const VkBufferCopy region{stagingOffset, dstOffset, bytes.size()};
  vkCmdCopyBuffer(cmd, staging.handle(), dst.handle(), 1, &region);
  memoryBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
  return {};
}

void recordDownload(VkCommandBuffer cmd, const Buffer& src, VkDeviceSize srcOffset, const Buffer& readback,
                    VkDeviceSize readbackOffset, VkDeviceSize size) {
  memoryBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT);
  const VkBufferCopy region{srcOffset, readbackOffset, size};
  vkCmdCopyBuffer(cmd, src.handle(), readback.handle(), 1, &region);
  memoryBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
                VK_ACCESS_HOST_READ_BIT);
}

Result<void> uploadNow(CommandStream& stream, GpuAllocator& allocator, const Buffer& dst,
                       std::span<const std::byte> bytes, VkDeviceSize dstOffset) {
  if (bytes.empty()) return {};
  auto staging = allocator.createBuffer(
      {bytes.size(), VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MemoryUsage::Upload, false, "upload staging"});
  if (!staging) return staging.error();
  auto cmd = stream.begin();
  if (!cmd) return cmd.error();
  MESHRT_TRY(recordUpload(*cmd, *staging, 0, bytes, dst, dstOffset));
  auto value = stream.submit();
  if (!value) return value.error();
  return stream.wait(*value);
}

Result<std::vector<std::byte>> downloadNow(CommandStream& stream, GpuAllocator& allocator, const Buffer& src,
                                           VkDeviceSize srcOffset, VkDeviceSize size) {
  if (srcOffset + size > src.size()) return makeError("downloadNow", "range exceeds the source buffer");
  std::vector<std::byte> bytes(size);
  if (size == 0) return bytes;
  auto readback = allocator.createBuffer(
      {size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MemoryUsage::Readback, false, "download staging"});
  if (!readback) return readback.error();
  auto cmd = stream.begin();
  if (!cmd) return cmd.error();
  recordDownload(*cmd, src, srcOffset, *readback, 0, size);
  auto value = stream.submit();
  if (!value) return value.error();
  MESHRT_TRY(stream.wait(*value));
  std::memcpy(bytes.data(), readback->mapped(), size);
  return bytes;
}

}  // namespace meshrt::vk
