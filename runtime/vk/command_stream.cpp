#include "vk/command_stream.h"

#include "vk/context.h"
#include "vk/vk_check.h"

namespace meshrt::vk {
namespace {

// Per slot and frame; generous for a handful of stages, each with a few bindings.
constexpr uint32_t MAX_SETS_PER_SLOT = 256;
constexpr uint32_t MAX_BUFFERS_PER_SLOT = 2048;
constexpr uint32_t MAX_IMAGES_PER_SLOT = 512;

}  // namespace

Result<std::unique_ptr<CommandStream>> CommandStream::create(Context& context, uint32_t slots) {
  if (slots == 0) return makeError("CommandStream::create: slots", "must be >= 1");
  std::unique_ptr<CommandStream> stream(new CommandStream(context));
  const VkDevice device = context.device();

  VkSemaphoreTypeCreateInfo typeInfo{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
  typeInfo.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
  typeInfo.initialValue = 0;
  VkSemaphoreCreateInfo semaphoreInfo{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  semaphoreInfo.pNext = &typeInfo;
  MESHRT_VK_TRY(vkCreateSemaphore(device, &semaphoreInfo, nullptr, &stream->mTimeline));

  stream->mSlots.resize(slots);
  for (Slot& slot : stream->mSlots) {
    VkCommandPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    poolInfo.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
    poolInfo.queueFamilyIndex = context.queueFamilyIndex();
    MESHRT_VK_TRY(vkCreateCommandPool(device, &poolInfo, nullptr, &slot.pool));
    VkCommandBufferAllocateInfo allocateInfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    allocateInfo.commandPool = slot.pool;
    allocateInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    allocateInfo.commandBufferCount = 1;
    MESHRT_VK_TRY(vkAllocateCommandBuffers(device, &allocateInfo, &slot.commandBuffer));

    const VkDescriptorPoolSize sizes[] = {
        {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, MAX_BUFFERS_PER_SLOT},
        {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, MAX_BUFFERS_PER_SLOT / 4},
        {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, MAX_BUFFERS_PER_SLOT / 4},
        {VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, MAX_IMAGES_PER_SLOT},
        {VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, MAX_IMAGES_PER_SLOT},
    };
    VkDescriptorPoolCreateInfo descriptorInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    descriptorInfo.maxSets = MAX_SETS_PER_SLOT;
    descriptorInfo.poolSizeCount = static_cast<uint32_t>(std::size(sizes));
    descriptorInfo.pPoolSizes = sizes;
    MESHRT_VK_TRY(vkCreateDescriptorPool(device, &descriptorInfo, nullptr, &slot.descriptors));
  }
  stream->mCurrent = slots - 1;  // begin() advances to slot 0 first
  return stream;
}

CommandStream::~CommandStream() {
  const VkDevice device = mContext.device();
  if (mLastSubmitted > 0) (void)wait(mLastSubmitted);
  for (Slot& slot : mSlots) {
    if (slot.descriptors) vkDestroyDescriptorPool(device, slot.descriptors, nullptr);
    for (VkBufferView view : slot.views) vkDestroyBufferView(device, view, nullptr);
    if (slot.pool) vkDestroyCommandPool(device, slot.pool, nullptr);
  }
  if (mTimeline) vkDestroySemaphore(device, mTimeline, nullptr);
}

uint64_t CommandStream::completedValue() const {
  uint64_t value = 0;
  vkGetSemaphoreCounterValue(mContext.device(), mTimeline, &value);
  return value;
}

Result<void> CommandStream::wait(uint64_t value, uint64_t timeoutNs) {
  if (value == 0) return {};
  VkSemaphoreWaitInfo waitInfo{VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO};
  waitInfo.semaphoreCount = 1;
  waitInfo.pSemaphores = &mTimeline;
  waitInfo.pValues = &value;
  const VkResult result = vkWaitSemaphores(mContext.device(), &waitInfo, timeoutNs);
  if (result == VK_TIMEOUT) return makeError("CommandStream::wait", "GPU work did not finish in time");
  MESHRT_VK_TRY(result);
  return {};
}

Result<VkCommandBuffer> CommandStream::begin() {
  if (mRecording) return makeError("CommandStream::begin", "already recording; submit() first");
  mCurrent = (mCurrent + 1) % mSlots.size();
  Slot& slot = mSlots[mCurrent];
  MESHRT_TRY(wait(slot.submittedValue));
  const VkDevice device = mContext.device();
  MESHRT_VK_TRY(vkResetCommandPool(device, slot.pool, 0));
  MESHRT_VK_TRY(vkResetDescriptorPool(device, slot.descriptors, 0));
  for (VkBufferView view : slot.views) vkDestroyBufferView(device, view, nullptr);
  slot.views.clear();
  VkCommandBufferBeginInfo beginInfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  beginInfo.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  MESHRT_VK_TRY(vkBeginCommandBuffer(slot.commandBuffer, &beginInfo));
  mRecording = true;
  return slot.commandBuffer;
}

Result<uint64_t> CommandStream::submit(std::span<const SemaphoreSync> waits, std::span<const SemaphoreSync> signals) {
  if (!mRecording) return makeError("CommandStream::submit", "not recording; begin() first");
  Slot& slot = mSlots[mCurrent];
  mRecording = false;
  MESHRT_VK_TRY(vkEndCommandBuffer(slot.commandBuffer));

  std::vector<VkSemaphore> waitSemaphores, signalSemaphores;
  std::vector<uint64_t> waitValues, signalValues;
  std::vector<VkPipelineStageFlags> waitStages;
  for (const SemaphoreSync& sync : waits) {
    waitSemaphores.push_back(sync.semaphore);
    waitValues.push_back(sync.value);
    waitStages.push_back(sync.stages);
  }
  const uint64_t value = mLastSubmitted + 1;
  signalSemaphores.push_back(mTimeline);
  signalValues.push_back(value);
  for (const SemaphoreSync& sync : signals) {
    signalSemaphores.push_back(sync.semaphore);
    signalValues.push_back(sync.value);
  }
  VkTimelineSemaphoreSubmitInfo timelineInfo{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
  timelineInfo.waitSemaphoreValueCount = static_cast<uint32_t>(waitValues.size());
  timelineInfo.pWaitSemaphoreValues = waitValues.data();
  timelineInfo.signalSemaphoreValueCount = static_cast<uint32_t>(signalValues.size());
  timelineInfo.pSignalSemaphoreValues = signalValues.data();
  VkSubmitInfo submitInfo{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submitInfo.pNext = &timelineInfo;
  submitInfo.waitSemaphoreCount = static_cast<uint32_t>(waitSemaphores.size());
  submitInfo.pWaitSemaphores = waitSemaphores.data();
  submitInfo.pWaitDstStageMask = waitStages.data();
  submitInfo.commandBufferCount = 1;
  submitInfo.pCommandBuffers = &slot.commandBuffer;
  submitInfo.signalSemaphoreCount = static_cast<uint32_t>(signalSemaphores.size());
  submitInfo.pSignalSemaphores = signalSemaphores.data();
  MESHRT_VK_TRY(vkQueueSubmit(mContext.queue(), 1, &submitInfo, VK_NULL_HANDLE));
  mLastSubmitted = value;
  slot.submittedValue = value;
  return value;
}

Result<VkDescriptorSet> CommandStream::allocateDescriptorSet(VkDescriptorSetLayout layout) {
  VkDescriptorSetAllocateInfo allocateInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  allocateInfo.descriptorPool = mSlots[mCurrent].descriptors;
  allocateInfo.descriptorSetCount = 1;
  allocateInfo.pSetLayouts = &layout;
  VkDescriptorSet set = VK_NULL_HANDLE;
  MESHRT_VK_TRY(vkAllocateDescriptorSets(mContext.device(), &allocateInfo, &set));
  return set;
}

Result<VkBufferView> CommandStream::createBufferView(VkBuffer buffer, VkFormat format, VkDeviceSize offset,
                                                    VkDeviceSize range) {
  VkBufferViewCreateInfo viewInfo{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO};
  viewInfo.buffer = buffer;
  viewInfo.format = format;
  viewInfo.offset = offset;
  viewInfo.range = range;
  VkBufferView view = VK_NULL_HANDLE;
  MESHRT_VK_TRY(vkCreateBufferView(mContext.device(), &viewInfo, nullptr, &view));
  mSlots[mCurrent].views.push_back(view);
  return view;
}

void memoryBarrier(VkCommandBuffer cmd, VkPipelineStageFlags srcStages, VkAccessFlags srcAccess,
                   VkPipelineStageFlags dstStages, VkAccessFlags dstAccess) {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = srcAccess;
  barrier.dstAccessMask = dstAccess;
  vkCmdPipelineBarrier(cmd, srcStages, dstStages, 0, 1, &barrier, 0, nullptr, 0, nullptr);
}

}  // namespace meshrt::vk
