// One Vulkan context per test process, created with VK_LAYER_KHRONOS_validation and
// synchronization validation. Every warning or error message the layer sends fails the
// running test (VulkanTest::TearDown), unless a test expects it (ExpectValidationMessages).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vk/command_stream.h"
#include "vk/context.h"
#include "vk/gpu_allocator.h"

namespace meshrt::test {

class VulkanEnvironment : public ::testing::Environment {
 public:
  static VulkanEnvironment& instance();

  void SetUp() override;
  void TearDown() override;

  vk::Context& context() { return *mContext; }
  // Messages received since the last take; clears the list.
  std::vector<vk::ValidationMessage> takeMessages();
  void setExpecting(bool expecting);

 private:
  void onMessage(const vk::ValidationMessage& message);

  std::unique_ptr<vk::Context> mContext;
  std::mutex mMutex;
  std::vector<vk::ValidationMessage> mMessages;
  bool mExpecting = false;
};

// Fixture for every Vulkan test: a stream and an allocator on the shared context, and a
// check after the test that the validation layer said nothing.
class VulkanTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  vk::Context& context() { return VulkanEnvironment::instance().context(); }

  std::unique_ptr<vk::GpuAllocator> allocator;
  std::unique_ptr<vk::CommandStream> stream;
};

// While alive, validation messages are collected instead of failing the test.
class ExpectValidationMessages {
 public:
  ExpectValidationMessages();
  ~ExpectValidationMessages();
  std::vector<vk::ValidationMessage> take();
};

}  // namespace meshrt::test
