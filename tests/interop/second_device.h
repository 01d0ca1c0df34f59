// A second VkDevice (its own instance, validation on) for interop tests: it stands in for the
// importing API (CUDA on NVIDIA) and uses the same opaque-fd mechanism. Its validation
// messages are collected here; the test fails on any of them (checkNoMessages).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <vector>

#include "vk/context.h"

namespace meshrt::test {

class SecondDevice {
 public:
  // Same device selection as the test environment (MESHRT_DEVICE, else the preferred one).
  static std::unique_ptr<SecondDevice> create();
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
