// Command recording and submission on the context's queue, paced by one timeline semaphore.
// The stream owns `slots` command buffers (frames in flight). begin() takes the next slot,
// first waiting until that slot's previous submission has finished, and resets its
// command pool and descriptor pool; submit() signals the timeline with a new value.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "meshrt/result.h"

namespace meshrt::vk {

class Context;

// A semaphore wait or signal of another API or stream (e.g. CUDA interop, the app's frame).
struct SemaphoreSync {
  VkSemaphore semaphore = VK_NULL_HANDLE;
  uint64_t value = 0;                  // timeline value; ignored for binary semaphores
  VkPipelineStageFlags stages = VK_PIPELINE_STAGE_ALL_COMMANDS_BIT;  // for waits
};

class CommandStream {
 public:
  static Result<std::unique_ptr<CommandStream>> create(Context& context, uint32_t slots = 2);
  ~CommandStream();
  CommandStream(const CommandStream&) = delete;
  CommandStream& operator=(const CommandStream&) = delete;

  // Starts recording into the next slot's command buffer.
  Result<VkCommandBuffer> begin();
  // Ends recording and submits. Returns the timeline value that signals completion.
  Result<uint64_t> submit(std::span<const SemaphoreSync> waits = {}, std::span<const SemaphoreSync> signals = {});
  // Blocks until the timeline reaches `value` (or timeoutNs passes: an error then).
  Result<void> wait(uint64_t value, uint64_t timeoutNs = UINT64_MAX);
  Result<void> waitIdle() { return wait(mLastSubmitted); }
  uint64_t completedValue() const;
  uint64_t lastSubmitted() const { return mLastSubmitted; }

  // A descriptor set from the current slot's pool; valid until that slot is begun again.
  Result<VkDescriptorSet> allocateDescriptorSet(VkDescriptorSetLayout layout);
  // A view of `range` bytes of `buffer` from `offset` as `format` texels (for texel-buffer
  // descriptors); owned by the current slot, destroyed when that slot is begun again.
  Result<VkBufferView> createBufferView(VkBuffer buffer, VkFormat format, VkDeviceSize offset, VkDeviceSize range);

  VkSemaphore timeline() const { return mTimeline; }
  VkCommandBuffer current() const { return mSlots[mCurrent].commandBuffer; }
  Context& context() const { return mContext; }

 private:
  struct Slot {
    VkCommandPool pool = VK_NULL_HANDLE;
    VkCommandBuffer commandBuffer = VK_NULL_HANDLE;
    VkDescriptorPool descriptors = VK_NULL_HANDLE;
    std::vector<VkBufferView> views;  // createBufferView(); destroyed when the slot is begun again
    uint64_t submittedValue = 0;  // timeline value of this slot's last submission
  };
  explicit CommandStream(Context& context) : mContext(context) {}

  Context& mContext;
  VkSemaphore mTimeline = VK_NULL_HANDLE;
  std::vector<Slot> mSlots;
  size_t mCurrent = 0;
  bool mRecording = false;
  uint64_t mLastSubmitted = 0;
};

// Execution + memory dependency between two pipeline stages (global memory barrier).
void memoryBarrier(VkCommandBuffer cmd, VkPipelineStageFlags srcStages, VkAccessFlags srcAccess,
                   VkPipelineStageFlags dstStages, VkAccessFlags dstAccess);

}  // namespace meshrt::vk
