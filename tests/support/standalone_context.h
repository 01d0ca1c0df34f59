// A Vulkan context of its own (own instance, validation + synchronization validation on) for
// tests outside the shared VulkanEnvironment: the importing second VkDevice of the interop
// tests (it stands in for CUDA and uses the same opaque-fd mechanism), and the CUDA suite.
// Its validation messages are collected; destroyAndCheckNoMessages fails the test on any.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <vector>

#include "vk/context.h"

namespace meshrt::test {

class StandaloneContext {
 public:
  // Same device selection as the test environment (MESHRT_DEVICE, else the preferred one).
  static std::unique_ptr<StandaloneContext> create();
  vk::Context& context() { return *mContext; }
  // Destroys the context first so messages from vkDestroyDevice count too.
  void destroyAndCheckNoMessages();

 private:
  struct Messages {
    std::mutex mutex;
    std::vector<vk::ValidationMessage> list;
  };
  std::shared_ptr<Messages> mMessages = std::make_shared<Messages>();
  std::unique_ptr<vk::Context> mContext;
};

}  // namespace meshrt::test
