// The Vulkan context: device info, device selection errors, adopting an application's device.
#include <gtest/gtest.h>

#include "support/vulkan_environment.h"
#include "vk/staging.h"

namespace meshrt::test {
namespace {

using ContextTest = VulkanTest;

TEST_F(ContextTest, ReportsDeviceAndRequiredFeatures) {
  const vk::DeviceInfo& info = context().info();
  EXPECT_FALSE(info.name.empty());
  EXPECT_GE(info.apiVersion, VK_API_VERSION_1_2);
  EXPECT_TRUE(info.features.timelineSemaphore);
  EXPECT_GT(info.timestampValidBits, 0u);
  EXPECT_GT(info.timestampPeriodNs, 0.0);
  EXPECT_TRUE(context().validationEnabled());
  EXPECT_TRUE(context().ownsDevice());
  EXPECT_FALSE(context().allDevices().empty());
}

TEST_F(ContextTest, SelectorThatMatchesNoDeviceIsAnError) {
  vk::ContextOptions options;
  options.deviceSelector = "no-such-gpu-xyz";
  auto created = vk::Context::create(options);
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.error().message.find("no Vulkan device matches"), std::string::npos) << created.error().message;
  EXPECT_NE(created.error().message.find("no-such-gpu-xyz"), std::string::npos);
  EXPECT_EQ(created.error().message.find('\n'), std::string::npos) << "errors are one line";
}

TEST_F(ContextTest, SelectorByNameSubstringAndIndex) {
  const std::string name = context().allDevices().front().name;
  for (const std::string& selector : {std::string("0"), name.substr(0, 4)}) {
    vk::ContextOptions options;
    options.deviceSelector = selector;
    auto created = vk::Context::create(options);
    ASSERT_TRUE(created.ok()) << selector << ": " << created.error().message;
    EXPECT_EQ((*created)->info().name, name);
  }
}

TEST_F(ContextTest, AdoptsApplicationHandlesWithoutOwningThem) {
  vk::ExternalHandles handles;
  handles.instance = context().instance();
  handles.physicalDevice = context().physicalDevice();
  handles.device = context().device();
  handles.queue = context().queue();
  handles.queueFamilyIndex = context().queueFamilyIndex();
  handles.enabledFeatures = context().info().features;
  {
    auto adopted = vk::Context::adopt(handles);
    ASSERT_TRUE(adopted.ok()) << adopted.error().message;
    EXPECT_FALSE((*adopted)->ownsDevice());
    EXPECT_EQ((*adopted)->info().deviceUuid, context().info().deviceUuid);
    // Work submitted through the adopted context runs on the application's queue.
    vk::GpuAllocator adoptedAllocator(**adopted);
    auto adoptedStream = vk::CommandStream::create(**adopted);
    ASSERT_TRUE(adoptedStream.ok());
    auto buffer = adoptedAllocator.createBuffer(
        {64, VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT, vk::MemoryUsage::DeviceLocal});
    ASSERT_TRUE(buffer.ok());
    std::vector<std::byte> bytes(64, std::byte{0x5a});
    auto uploaded = vk::uploadNow(**adoptedStream, adoptedAllocator, *buffer, bytes);
    ASSERT_TRUE(uploaded.ok()) << uploaded.error().message;
    auto back = vk::downloadNow(**adoptedStream, adoptedAllocator, *buffer, 0, 64);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, bytes);
  }
  // The adopted context is gone; the application's device must still work.
  auto buffer = allocator->createBuffer({16, VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT});
  ASSERT_TRUE(buffer.ok());
  std::vector<std::byte> bytes(16, std::byte{7});
  EXPECT_TRUE(vk::uploadNow(*stream, *allocator, *buffer, bytes).ok());
}

TEST_F(ContextTest, AdoptRejectsMissingHandles) {
  vk::ExternalHandles handles;
  auto adopted = vk::Context::adopt(handles);
  ASSERT_FALSE(adopted.ok());
  EXPECT_NE(adopted.error().message.find("must all be set"), std::string::npos);
}

}  // namespace
}  // namespace meshrt::test
