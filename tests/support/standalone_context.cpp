#include "support/standalone_context.h"

namespace meshrt::test {

std::unique_ptr<StandaloneContext> StandaloneContext::create() {
  auto device = std::make_unique<StandaloneContext>();
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

void StandaloneContext::destroyAndCheckNoMessages() {
  mContext.reset();
  std::lock_guard lock(mMessages->mutex);
  for (const auto& message : mMessages->list) {
    ADD_FAILURE() << "validation message on the standalone context [" << message.idName << "]: " << message.text;
  }
  mMessages->list.clear();
}

}  // namespace meshrt::test
