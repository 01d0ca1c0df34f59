// Command recording and submission paced by the timeline semaphore.
#include <gtest/gtest.h>

#include "support/vulkan_environment.h"
#include "vk/staging.h"

namespace meshrt::test {
namespace {

using CommandStreamTest = VulkanTest;

TEST_F(CommandStreamTest, TimelineValuesIncreaseAndCompleteInOrder) {
  auto readback = allocator->createBuffer({4 * 8, VK_BUFFER_USAGE_TRANSFER_DST_BIT, vk::MemoryUsage::Readback});
  ASSERT_TRUE(readback.ok());
  uint64_t previous = 0;
  for (uint32_t i = 0; i < 8; ++i) {  // more submissions than slots: begin() must recycle them
    auto cmd = stream->begin();
    ASSERT_TRUE(cmd.ok()) << cmd.error().message;
    vkCmdFillBuffer(*cmd, readback->handle(), 4 * i, 4, 0xA0000000u + i);
    vk::memoryBarrier(*cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
                      VK_ACCESS_HOST_READ_BIT);
    auto value = stream->submit();
    ASSERT_TRUE(value.ok());
    EXPECT_EQ(*value, previous + 1);
    previous = *value;
  }
  ASSERT_TRUE(stream->waitIdle().ok());
  EXPECT_GE(stream->completedValue(), 8u);
  const auto* words = static_cast<const uint32_t*>(readback->mapped());
  for (uint32_t i = 0; i < 8; ++i) EXPECT_EQ(words[i], 0xA0000000u + i);
}

TEST_F(CommandStreamTest, MisuseIsReportedNotCrashed) {
  auto submitted = stream->submit();
  ASSERT_FALSE(submitted.ok());
  EXPECT_NE(submitted.error().message.find("begin() first"), std::string::npos);
  ASSERT_TRUE(stream->begin().ok());
  auto again = stream->begin();
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("already recording"), std::string::npos);
  ASSERT_TRUE(stream->submit().ok());
  ASSERT_TRUE(stream->waitIdle().ok());
}

TEST_F(CommandStreamTest, WaitsOnAnotherTimelineBeforeRunning) {
  // A second timeline stands for another API (CUDA) or the application signalling a frame.
  VkSemaphoreTypeCreateInfo typeInfo{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
  typeInfo.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
  VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  info.pNext = &typeInfo;
  VkSemaphore external = VK_NULL_HANDLE;
  ASSERT_EQ(vkCreateSemaphore(context().device(), &info, nullptr, &external), VK_SUCCESS);

  ASSERT_TRUE(stream->begin().ok());
  const vk::SemaphoreSync wait{external, 5, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT};
  auto value = stream->submit(std::span(&wait, 1));
  ASSERT_TRUE(value.ok());
  // Not signalled yet: the submission cannot have completed.
  EXPECT_FALSE(stream->wait(*value, 20'000'000).ok());
  VkSemaphoreSignalInfo signal{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO};
  signal.semaphore = external;
  signal.value = 5;
  ASSERT_EQ(vkSignalSemaphore(context().device(), &signal), VK_SUCCESS);
  EXPECT_TRUE(stream->wait(*value).ok());
  vkDestroySemaphore(context().device(), external, nullptr);
}

}  // namespace
}  // namespace meshrt::test
