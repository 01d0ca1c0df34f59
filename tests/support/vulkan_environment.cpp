#include "support/vulkan_environment.h"

#include <cstdio>

namespace meshrt::test {

VulkanEnvironment& VulkanEnvironment::instance() {
  static VulkanEnvironment* environment = new VulkanEnvironment();  // owned by gtest once registered
  return *environment;
}

void VulkanEnvironment::SetUp() {
  vk::ContextOptions options;
  options.validation = true;
  options.onValidationMessage = [this](const vk::ValidationMessage& message) { onMessage(message); };
  auto context = vk::Context::create(options);
  ASSERT_TRUE(context.ok()) << context.error().message;
  mContext = std::move(context.value());
  std::printf("[meshrt] Vulkan device: %s (%s), validation + synchronization validation on\n",
              mContext->info().name.c_str(), mContext->info().driverInfo.c_str());
}

void VulkanEnvironment::TearDown() {
  mContext.reset();  // messages from vkDestroyDevice/Instance still reach onMessage
  const auto late = takeMessages();
  for (const auto& message : late) ADD_FAILURE() << "validation message at teardown: " << message.text;
}

void VulkanEnvironment::onMessage(const vk::ValidationMessage& message) {
  std::lock_guard lock(mMutex);
  mMessages.push_back(message);
  if (!mExpecting) std::fprintf(stderr, "[meshrt] validation: %s\n", message.text.c_str());
}

std::vector<vk::ValidationMessage> VulkanEnvironment::takeMessages() {
  std::lock_guard lock(mMutex);
  return std::exchange(mMessages, {});
}

void VulkanEnvironment::setExpecting(bool expecting) {
  std::lock_guard lock(mMutex);
  mExpecting = expecting;
}

void VulkanTest::SetUp() {
  ASSERT_TRUE(VulkanEnvironment::instance().takeMessages().empty()) << "validation messages before the test";
  allocator = std::make_unique<vk::GpuAllocator>(context());
  auto created = vk::CommandStream::create(context(), 2);
  ASSERT_TRUE(created.ok()) << created.error().message;
  stream = std::move(created.value());
}

void VulkanTest::TearDown() {
  stream.reset();     // waits for outstanding work
  allocator.reset();  // buffers must be gone before this; a leak shows as a validation message
  for (const auto& message : VulkanEnvironment::instance().takeMessages()) {
    ADD_FAILURE() << "Vulkan validation " << (message.severity == vk::MessageSeverity::Error ? "error" : "warning")
                  << " [" << message.idName << "]: " << message.text;
  }
}

ExpectValidationMessages::ExpectValidationMessages() {
  (void)VulkanEnvironment::instance().takeMessages();
  VulkanEnvironment::instance().setExpecting(true);
}

ExpectValidationMessages::~ExpectValidationMessages() {
  (void)VulkanEnvironment::instance().takeMessages();
  VulkanEnvironment::instance().setExpecting(false);
}

std::vector<vk::ValidationMessage> ExpectValidationMessages::take() { return VulkanEnvironment::instance().takeMessages(); }

}  // namespace meshrt::test
