// The Vulkan context as the meshrt program makes it: device from MESHRT_DEVICE, validation
// layers on when MESHRT_VALIDATION=1 (the e2e tests set it), every message counted.
#pragma once

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "vk/context.h"

namespace meshrt::cli {

struct ValidationCount {
  std::atomic<int> messages{0};
};

inline bool validationRequested() {
  const char* env = std::getenv("MESHRT_VALIDATION");
  return env && std::string(env) == "1";
}

// instanceExtensions/deviceExtensions: what a window needs (surface, swapchain); none headless.
inline Result<std::unique_ptr<vk::Context>> createProgramContext(ValidationCount& count,
                                                                 std::vector<std::string> instanceExtensions = {},
                                                                 std::vector<std::string> deviceExtensions = {}) {
  vk::ContextOptions options;
  options.instanceExtensions = std::move(instanceExtensions);
  options.deviceExtensions = std::move(deviceExtensions);
  options.validation = validationRequested();
  options.onValidationMessage = [&count](const vk::ValidationMessage& message) {
    ++count.messages;
    vk::printValidationMessage(message);
  };
  return vk::Context::create(options);
}

}  // namespace meshrt::cli
