// Buffer memory shared through opaque POSIX fds (VK_KHR_external_memory_fd). The exporter
// makes the buffer with vk::BufferDesc::exportable (a dedicated VkDeviceMemory, as CUDA's
// import requires) and hands out an fd with exportMemoryFd(). An importer is CUDA
// (interop/cuda_external.h) or a second VkDevice on the same GPU (importBuffer below; tests
// use it to exercise the same fd mechanism without CUDA).
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>

#include "interop/unique_fd.h"
#include "meshrt/result.h"

namespace meshrt::vk {
class Buffer;
class Context;
}  // namespace meshrt::vk

namespace meshrt::interop {

// Usage every shared buffer is created with: compute shaders read/write it, transfers fill
// and read it back. Export and import must state the same usage.
constexpr VkBufferUsageFlags SHARED_BUFFER_USAGE =
    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

// A new fd that refers to `buffer`'s dedicated memory. The caller owns it until an import
// succeeds. Fails when the buffer was not created exportable.
Result<UniqueFd> exportMemoryFd(const vk::Context& context, const vk::Buffer& buffer);

// Size and Vulkan memory type of an exported buffer's allocation (an importer on the same
// physical device allocates with the same size and type index).
struct SharedMemoryInfo {
  VkDeviceSize allocationSize = 0;  // bytes of the exported VkDeviceMemory (>= the buffer size)
  uint32_t memoryTypeIndex = 0;
};
Result<SharedMemoryInfo> sharedMemoryInfo(const vk::Buffer& buffer);

struct ImportBufferParams {
  VkDeviceSize size = 0;              // bytes of the VkBuffer made over the imported memory
  VkDeviceSize allocationSize = 0;    // bytes of the exported allocation (SharedMemoryInfo)
  uint32_t memoryTypeIndex = 0;       // of the exporter's allocation (same physical device)
  VkBufferUsageFlags usage = SHARED_BUFFER_USAGE;
  const char* debugName = "imported buffer";  // used in error messages
};

// A VkBuffer bound to memory imported from an fd into another VkDevice. Owns both.
class ImportedBuffer {
 public:
  // Vulkan takes the fd only when the import succeeds; on failure `fd` still owns it.
  static Result<ImportedBuffer> import(vk::Context& context, UniqueFd& fd, const ImportBufferParams& params);
  ImportedBuffer() = default;
  ImportedBuffer(ImportedBuffer&& other) noexcept;
  ImportedBuffer& operator=(ImportedBuffer&& other) noexcept;
  ImportedBuffer(const ImportedBuffer&) = delete;
  ImportedBuffer& operator=(const ImportedBuffer&) = delete;
  ~ImportedBuffer();

  VkBuffer handle() const { return mBuffer; }
  VkDeviceSize size() const { return mSize; }

 private:
  void release();

  VkDevice mDevice = VK_NULL_HANDLE;
  VkBuffer mBuffer = VK_NULL_HANDLE;
  VkDeviceMemory mMemory = VK_NULL_HANDLE;
  VkDeviceSize mSize = 0;
};

}  // namespace meshrt::interop
