#include "vk/gpu_allocator.h"

#include <utility>

#include "vk/context.h"
#include "vk/vk_check.h"

namespace meshrt::vk {
namespace {

// Required and preferred property flags for each usage, in order of preference.
struct MemoryChoice {
  VkMemoryPropertyFlags required;
  VkMemoryPropertyFlags preferred;
};

MemoryChoice choiceFor(MemoryUsage usage) {
  switch (usage) {
    case MemoryUsage::DeviceLocal: return {0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT};
    case MemoryUsage::Upload:
      return {VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, 0};
    case MemoryUsage::Readback:
      return {VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
              VK_MEMORY_PROPERTY_HOST_CACHED_BIT};
    case MemoryUsage::DeviceMapped:
      return {VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
              VK_MEMORY_PROPERTY_HOST_CACHED_BIT};
  }
  return {0, 0};
}

}  // namespace

Buffer::Buffer(Buffer&& other) noexcept { *this = std::move(other); }

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    release();
    mAllocator = std::exchange(other.mAllocator, nullptr);
    mBuffer = std::exchange(other.mBuffer, VK_NULL_HANDLE);
    mMemory = std::exchange(other.mMemory, VK_NULL_HANDLE);
    mOffset = std::exchange(other.mOffset, 0);
    mSize = std::exchange(other.mSize, 0);
    mMapped = std::exchange(other.mMapped, nullptr);
    mMemoryType = std::exchange(other.mMemoryType, 0);
    mAllocationSize = std::exchange(other.mAllocationSize, 0);
    mExportable = std::exchange(other.mExportable, false);
    mBlock = std::exchange(other.mBlock, -1);
  }
  return *this;
}

Buffer::~Buffer() { release(); }

void Buffer::release() {
  if (mAllocator && mBuffer) mAllocator->freeBuffer(*this);
  mAllocator = nullptr;
  mBuffer = VK_NULL_HANDLE;
}

GpuAllocator::GpuAllocator(Context& context) : mContext(context) {}

GpuAllocator::~GpuAllocator() {
  for (Block& block : mBlocks) {
    if (block.memory) vkFreeMemory(mContext.device(), block.memory, nullptr);
  }
}

size_t GpuAllocator::blockCount() const {
  std::lock_guard lock(mMutex);
  return mBlocks.size();
}

size_t GpuAllocator::dedicatedCount() const {
  std::lock_guard lock(mMutex);
  return mDedicated;
}

bool GpuAllocator::supports(MemoryUsage usage) const {
  const VkPhysicalDeviceMemoryProperties& properties = mContext.memoryProperties();
  const VkMemoryPropertyFlags required = choiceFor(usage).required;
  for (uint32_t i = 0; i < properties.memoryTypeCount; ++i) {
    if ((properties.memoryTypes[i].propertyFlags & required) == required) return true;
  }
  return false;
}

Result<uint32_t> GpuAllocator::findMemoryType(uint32_t typeBits, MemoryUsage usage, const char* name) const {
  const VkPhysicalDeviceMemoryProperties& properties = mContext.memoryProperties();
  const MemoryChoice choice = choiceFor(usage);
  std::optional<uint32_t> fallback;
  for (uint32_t i = 0; i < properties.memoryTypeCount; ++i) {
    if (!(typeBits & (1u << i))) continue;
    const VkMemoryPropertyFlags flags = properties.memoryTypes[i].propertyFlags;
    if ((flags & choice.required) != choice.required) continue;
    if ((flags & choice.preferred) == choice.preferred) return i;
    if (!fallback) fallback = i;
  }
  if (fallback) return *fallback;
  return makeError(name, "no Vulkan memory type fits this buffer's usage");
}

Result<Buffer> GpuAllocator::createBuffer(const BufferDesc& desc) {
  if (desc.size == 0) return makeError(desc.debugName, "buffer size must be > 0");
  const VkDevice device = mContext.device();
  if (desc.exportable && !mContext.info().features.externalMemoryFd) {
    return makeError(desc.debugName, "exportable buffer requested but VK_KHR_external_memory_fd is not enabled");
  }

  VkExternalMemoryBufferCreateInfo externalInfo{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
  externalInfo.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
  VkBufferCreateInfo bufferInfo{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bufferInfo.pNext = desc.exportable ? &externalInfo : nullptr;
  bufferInfo.size = desc.size;
  bufferInfo.usage = desc.usage;
  bufferInfo.sharingMode = VK_SHARING_MODE_EXCLUSIVE;

  Buffer buffer;
  buffer.mAllocator = this;
  buffer.mSize = desc.size;
  MESHRT_VK_TRY(vkCreateBuffer(device, &bufferInfo, nullptr, &buffer.mBuffer));

  VkMemoryRequirements requirements;
  vkGetBufferMemoryRequirements(device, buffer.mBuffer, &requirements);
  auto memoryType = findMemoryType(requirements.memoryTypeBits, desc.memory, desc.debugName);
  if (!memoryType) return memoryType.error();
  const bool hostVisible = desc.memory != MemoryUsage::DeviceLocal;
  buffer.mMemoryType = *memoryType;

  if (desc.exportable || requirements.size > BLOCK_SIZE / 4) {
    VkMemoryDedicatedAllocateInfo dedicatedInfo{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO};
    dedicatedInfo.buffer = buffer.mBuffer;
    VkExportMemoryAllocateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO};
    exportInfo.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
    if (desc.exportable) dedicatedInfo.pNext = &exportInfo;
    VkMemoryAllocateInfo allocateInfo{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    allocateInfo.pNext = &dedicatedInfo;
    allocateInfo.allocationSize = requirements.size;
    allocateInfo.memoryTypeIndex = *memoryType;
    MESHRT_VK_TRY(vkAllocateMemory(device, &allocateInfo, nullptr, &buffer.mMemory));
    {
      std::lock_guard lock(mMutex);
      ++mDedicated;
    }
    buffer.mBlock = -1;
    buffer.mOffset = 0;
    buffer.mAllocationSize = requirements.size;
    buffer.mExportable = desc.exportable;
    MESHRT_VK_TRY(vkBindBufferMemory(device, buffer.mBuffer, buffer.mMemory, 0));
    if (hostVisible) MESHRT_VK_TRY(vkMapMemory(device, buffer.mMemory, 0, VK_WHOLE_SIZE, 0, &buffer.mMapped));
    return buffer;
  }

  std::lock_guard lock(mMutex);
  for (size_t i = 0; i <= mBlocks.size(); ++i) {
    if (i == mBlocks.size()) {
      Block block;
      block.memoryType = *memoryType;
      VkMemoryAllocateInfo allocateInfo{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
      allocateInfo.allocationSize = BLOCK_SIZE;
      allocateInfo.memoryTypeIndex = *memoryType;
      MESHRT_VK_TRY(vkAllocateMemory(device, &allocateInfo, nullptr, &block.memory));
      // Map every host-visible block, whatever usage created it: on unified-memory devices
      // (integrated GPUs, lavapipe) DeviceLocal and Upload buffers share one memory type.
      const VkMemoryPropertyFlags flags = mContext.memoryProperties().memoryTypes[*memoryType].propertyFlags;
      if (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
        MESHRT_VK_TRY(vkMapMemory(device, block.memory, 0, VK_WHOLE_SIZE, 0, &block.mapped));
      }
      block.ranges = std::make_unique<RangeAllocator>(BLOCK_SIZE);
      mBlocks.push_back(std::move(block));
    }
    Block& block = mBlocks[i];
    if (block.memoryType != *memoryType || !block.ranges) continue;
    auto offset = block.ranges->allocate(requirements.size, requirements.alignment);
    if (!offset) continue;
    buffer.mMemory = block.memory;
    buffer.mOffset = *offset;
    buffer.mBlock = static_cast<int>(i);
    buffer.mMapped = hostVisible && block.mapped ? static_cast<char*>(block.mapped) + *offset : nullptr;
    MESHRT_VK_TRY(vkBindBufferMemory(device, buffer.mBuffer, block.memory, *offset));
    return buffer;
  }
  return makeError(desc.debugName, "allocation failed");  // unreachable: a new block always fits
}

void GpuAllocator::freeBuffer(Buffer& buffer) {
  const VkDevice device = mContext.device();
  vkDestroyBuffer(device, buffer.mBuffer, nullptr);
  std::lock_guard lock(mMutex);
  if (buffer.mBlock < 0) {
    if (buffer.mMemory) {
      vkFreeMemory(device, buffer.mMemory, nullptr);
      --mDedicated;
    }
  } else if (buffer.mMemory) {
    mBlocks[static_cast<size_t>(buffer.mBlock)].ranges->free(buffer.mOffset);
  }
  buffer.mMemory = VK_NULL_HANDLE;
}

}  // namespace meshrt::vk
