// Proves the validation hook works: deliberately invalid Vulkan usage must be reported.
// Everything else in this suite runs with the same hook, and any message fails its test.
#include <gtest/gtest.h>

#include "support/vulkan_environment.h"
#include "vk/gpu_allocator.h"

namespace meshrt::test {
namespace {

using ValidationHookTest = VulkanTest;

bool anyIdContains(const std::vector<vk::ValidationMessage>& messages, const std::string& needle) {
  for (const auto& message : messages) {
    if (message.idName.find(needle) != std::string::npos || message.text.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST_F(ValidationHookTest, InvalidCreateInfoIsCaught) {
  ExpectValidationMessages expect;
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = 256;
  info.usage = 0;  // invalid: usage must not be 0 (VUID-VkBufferCreateInfo-usage-requiredbitmask)
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer buffer = VK_NULL_HANDLE;
  const VkResult result = vkCreateBuffer(context().device(), &info, nullptr, &buffer);
  if (result == VK_SUCCESS) vkDestroyBuffer(context().device(), buffer, nullptr);
  const auto messages = expect.take();
  ASSERT_FALSE(messages.empty()) << "the validation layer did not report an invalid VkBufferCreateInfo";
  EXPECT_TRUE(anyIdContains(messages, "VkBufferCreateInfo-usage")) << messages.front().text;
  EXPECT_EQ(messages.front().severity, vk::MessageSeverity::Error);
}

TEST_F(ValidationHookTest, SynchronizationHazardIsCaught) {
  auto src = allocator->createBuffer({1024, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, vk::MemoryUsage::DeviceLocal});
  auto dst = allocator->createBuffer({1024, VK_BUFFER_USAGE_TRANSFER_DST_BIT, vk::MemoryUsage::DeviceLocal});
  ASSERT_TRUE(src.ok() && dst.ok());
  ExpectValidationMessages expect;
  auto cmd = stream->begin();
  ASSERT_TRUE(cmd.ok());
  const VkBufferCopy region{0, 0, 1024};
  // Two writes of the same range with no barrier between them: a write-after-write hazard.
  vkCmdFillBuffer(*cmd, src->handle(), 0, 1024, 0);
  vkCmdCopyBuffer(*cmd, src->handle(), dst->handle(), 1, &region);
  vkCmdCopyBuffer(*cmd, src->handle(), dst->handle(), 1, &region);
  auto value = stream->submit();
  ASSERT_TRUE(value.ok());
  ASSERT_TRUE(stream->wait(*value).ok());
  const auto messages = expect.take();
  EXPECT_TRUE(anyIdContains(messages, "SYNC-HAZARD")) << "synchronization validation is not active";
}

}  // namespace
}  // namespace meshrt::test
