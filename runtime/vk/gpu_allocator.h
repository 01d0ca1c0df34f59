// Buffers and their memory. Small buffers are suballocated from 64 MiB blocks per memory
// type; large buffers and anything that may be exported to CUDA (VK_KHR_external_memory_fd)
// get a dedicated VkDeviceMemory, as CUDA's import requires.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "meshrt/result.h"
#include "vk/range_allocator.h"

namespace meshrt::vk {

class Context;
class GpuAllocator;

enum class MemoryUsage {
  DeviceLocal,  // GPU-only working memory
  Upload,       // host-visible + coherent, written by the CPU, read by the GPU (staging)
  Readback,     // host-visible + coherent (cached when available), written by the GPU, read by the CPU
  // Device-local memory the CPU maps (unified memory: lavapipe, integrated GPUs): shaders use it
  // at full speed and the host reads and writes it in place, with no staging copy. Only where
  // GpuAllocator::supports(DeviceMapped); creating one elsewhere is an error.
  DeviceMapped,
};

struct BufferDesc {
  VkDeviceSize size = 0;           // bytes, > 0
  VkBufferUsageFlags usage = 0;
  MemoryUsage memory = MemoryUsage::DeviceLocal;
  bool exportable = false;         // dedicated + exportable as an opaque fd
  const char* debugName = "buffer";  // used in error messages
};

// A VkBuffer bound to memory it owns. Movable; frees its memory on destruction. The
// GpuAllocator that made it must outlive it.
class Buffer {
 public:
  Buffer() = default;
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  ~Buffer();

  VkBuffer handle() const { return mBuffer; }
  VkDeviceSize size() const { return mSize; }
  // Host pointer to byte 0 for Upload/Readback buffers; nullptr for DeviceLocal.
  void* mapped() const { return mMapped; }
  VkDeviceMemory memory() const { return mMemory; }
  VkDeviceSize memoryOffset() const { return mOffset; }
  bool dedicated() const { return mBlock < 0; }
  // Vulkan memory type of the backing VkDeviceMemory, and that allocation's size in bytes
  // (dedicated buffers only; 0 for suballocations). An importer of exported memory needs both.
  uint32_t memoryTypeIndex() const { return mMemoryType; }
  bool exportable() const { return mExportable; }  // created with BufferDesc::exportable
  VkDeviceSize allocationSize() const { return mAllocationSize; }
  explicit operator bool() const { return mBuffer != VK_NULL_HANDLE; }

 private:
  friend class GpuAllocator;
  void release();

  GpuAllocator* mAllocator = nullptr;
  VkBuffer mBuffer = VK_NULL_HANDLE;
  VkDeviceMemory mMemory = VK_NULL_HANDLE;
  VkDeviceSize mOffset = 0;
  VkDeviceSize mSize = 0;
  void* mMapped = nullptr;
  uint32_t mMemoryType = 0;
  VkDeviceSize mAllocationSize = 0;
  bool mExportable = false;
  int mBlock = -1;  // index into the allocator's blocks; -1 = dedicated memory
};

class GpuAllocator {
 public:
  static constexpr VkDeviceSize BLOCK_SIZE = 64ull << 20;

  explicit GpuAllocator(Context& context);
  ~GpuAllocator();
  GpuAllocator(const GpuAllocator&) = delete;
  GpuAllocator& operator=(const GpuAllocator&) = delete;

  Result<Buffer> createBuffer(const BufferDesc& desc);
  // Whether some memory type has the usage's required properties (DeviceMapped: device-local,
  // host-visible and coherent; the others always).
  bool supports(MemoryUsage usage) const;

  size_t blockCount() const;
  size_t dedicatedCount() const;

 private:
  friend class Buffer;
  struct Block {
    VkDeviceMemory memory = VK_NULL_HANDLE;
    uint32_t memoryType = 0;
    void* mapped = nullptr;
    std::unique_ptr<RangeAllocator> ranges;
  };
  Result<uint32_t> findMemoryType(uint32_t typeBits, MemoryUsage usage, const char* name) const;
  void freeBuffer(Buffer& buffer);

  Context& mContext;
  mutable std::mutex mMutex;
  std::vector<Block> mBlocks;
  size_t mDedicated = 0;
};

}  // namespace meshrt::vk
