#include "interop/second_device.h"

namespace meshrt::test {

std::unique_ptr<SecondDevice> SecondDevice::create() {
  auto device = std::make_unique<SecondDevice>();
  vk::ContextOptions options;
  options.validation = true;
  options.onValidationMessage = [messages = device->mMessages](const vk::ValidationMessage& message) {
    std::lock_guard lock(messages->mutex);
    messages->list.push_back(message);
  };
  auto context = vk::Context::create(options);
  if (!context) {
    ADD_FAILURE() << "second Vulkan context: " << context.error().message;
    return nullptr;
  }
  device->mContext = std::move(*context);
  return device;
}

void SecondDevice::destroyAndCheckNoMessages() {
  mContext.reset();
  std::lock_guard lock(mMessages->mutex);
  for (const auto& message : mMessages->list) {
    ADD_FAILURE() << "validation message on the second device [" << message.idName << "]: " << message.text;
  }
  mMessages->list.clear();
}

}  // namespace meshrt::test
