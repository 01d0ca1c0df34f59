#include "interop/shared_buffer.h"

#include <string>
#include <utility>

#include "vk/context.h"
#include "vk/gpu_allocator.h"
#include "vk/vk_check.h"

namespace meshrt::interop {

Result<UniqueFd> exportMemoryFd(const vk::Context& context, const vk::Buffer& buffer) {
  if (!buffer || !buffer.exportable()) {
    return makeError("exportMemoryFd: buffer", "must be created exportable (BufferDesc::exportable)");
  }
  if (!context.info().features.externalMemoryFd) {
    return makeError("exportMemoryFd", "VK_KHR_external_memory_fd is not enabled on this device");
  }
  auto getFd = reinterpret_cast<PFN_vkGetMemoryFdKHR>(vkGetDeviceProcAddr(context.device(), "vkGetMemoryFdKHR"));
  if (!getFd) return makeError("vkGetMemoryFdKHR", "not available");
  VkMemoryGetFdInfoKHR info{VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR};
  info.memory = buffer.memory();
  info.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
  int fd = -1;
  MESHRT_VK_TRY(getFd(context.device(), &info, &fd));
  return UniqueFd(fd);
}

Result<SharedMemoryInfo> sharedMemoryInfo(const vk::Buffer& buffer) {
  if (!buffer || !buffer.dedicated()) return makeError("sharedMemoryInfo: buffer", "must be a dedicated allocation");
  return SharedMemoryInfo{buffer.allocationSize(), buffer.memoryTypeIndex()};
}

Result<ImportedBuffer> ImportedBuffer::import(vk::Context& context, UniqueFd& fd, const ImportBufferParams& params) {
  if (!fd.valid()) return makeError(params.debugName, "fd is not valid");
  if (params.size == 0 || params.allocationSize < params.size) {
    return makeError(params.debugName, "size must be > 0 and <= allocationSize");
  }
  if (!context.info().features.externalMemoryFd) {
    return makeError(params.debugName, "VK_KHR_external_memory_fd is not enabled on the importing device");
  }
  const VkDevice device = context.device();
  ImportedBuffer imported;
  imported.mDevice = device;
  imported.mSize = params.size;

  VkExternalMemoryBufferCreateInfo externalInfo{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
  externalInfo.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
  VkBufferCreateInfo bufferInfo{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bufferInfo.pNext = &externalInfo;
  bufferInfo.size = params.size;
  bufferInfo.usage = params.usage;
  bufferInfo.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  MESHRT_VK_TRY(vkCreateBuffer(device, &bufferInfo, nullptr, &imported.mBuffer));

  VkMemoryRequirements requirements;
  vkGetBufferMemoryRequirements(device, imported.mBuffer, &requirements);
  if (!(requirements.memoryTypeBits & (1u << params.memoryTypeIndex))) {
    return makeError(std::string(params.debugName) + ": memoryTypeIndex",
                     "the exporter's memory type cannot back this buffer on the importing device");
  }
  // The exporter's allocation is dedicated (vk::BufferDesc::exportable), so the import is too.
  VkMemoryDedicatedAllocateInfo dedicatedInfo{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO};
  dedicatedInfo.buffer = imported.mBuffer;
  VkImportMemoryFdInfoKHR importInfo{VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR};
  importInfo.pNext = &dedicatedInfo;
  importInfo.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
  importInfo.fd = fd.get();
  VkMemoryAllocateInfo allocateInfo{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  allocateInfo.pNext = &importInfo;
  allocateInfo.allocationSize = params.allocationSize;
  allocateInfo.memoryTypeIndex = params.memoryTypeIndex;
  MESHRT_VK_TRY(vkAllocateMemory(device, &allocateInfo, nullptr, &imported.mMemory));
  fd.release();  // the VkDeviceMemory owns the fd now
  MESHRT_VK_TRY(vkBindBufferMemory(device, imported.mBuffer, imported.mMemory, 0));
  return imported;
}

ImportedBuffer::ImportedBuffer(ImportedBuffer&& other) noexcept { *this = std::move(other); }

ImportedBuffer& ImportedBuffer::operator=(ImportedBuffer&& other) noexcept {
  if (this != &other) {
    release();
    mDevice = std::exchange(other.mDevice, VK_NULL_HANDLE);
    mBuffer = std::exchange(other.mBuffer, VK_NULL_HANDLE);
    mMemory = std::exchange(other.mMemory, VK_NULL_HANDLE);
    mSize = std::exchange(other.mSize, 0);
  }
  return *this;
}

ImportedBuffer::~ImportedBuffer() { release(); }

void ImportedBuffer::release() {
  if (mBuffer) vkDestroyBuffer(mDevice, mBuffer, nullptr);
  if (mMemory) vkFreeMemory(mDevice, mMemory, nullptr);
  mBuffer = VK_NULL_HANDLE;
  mMemory = VK_NULL_HANDLE;
}

}  // namespace meshrt::interop
