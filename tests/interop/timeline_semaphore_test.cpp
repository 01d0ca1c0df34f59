// TimelineSemaphore on its own: host signal and wait, and errors that name the semaphore.
// (Export and import across devices: two_device_interop_test.cpp.)
#include <gtest/gtest.h>

#include "interop/external_support.h"
#include "interop/timeline_semaphore.h"
#include "support/vulkan_environment.h"

namespace meshrt::test {
namespace {

using TimelineSemaphoreTest = VulkanTest;

TEST_F(TimelineSemaphoreTest, HostSignalAndWait) {
  auto semaphore = interop::TimelineSemaphore::create(context(), false, "test timeline");
  ASSERT_TRUE(semaphore.ok()) << semaphore.error().message;
  ASSERT_TRUE(semaphore->signalHost(5).ok());
  auto counter = semaphore->counter();
  ASSERT_TRUE(counter.ok());
  EXPECT_EQ(*counter, 5u);
  EXPECT_TRUE(semaphore->waitHost(5, 0).ok());
  // Nothing will signal 6: a zero timeout reports it at once, naming the semaphore and value.
  auto waited = semaphore->waitHost(6, 0);
  ASSERT_FALSE(waited.ok());
  EXPECT_NE(waited.error().message.find("test timeline"), std::string::npos) << waited.error().message;
  EXPECT_NE(waited.error().message.find("value 6"), std::string::npos) << waited.error().message;
}

TEST_F(TimelineSemaphoreTest, ExportNeedsAnExportableSemaphoreAndTheExtension) {
  auto plain = interop::TimelineSemaphore::create(context(), false, "plain timeline");
  ASSERT_TRUE(plain.ok());
  auto fd = plain->exportFd();
  ASSERT_FALSE(fd.ok());
  EXPECT_NE(fd.error().message.find("not created exportable"), std::string::npos) << fd.error().message;

  auto exportable = interop::TimelineSemaphore::create(context(), true, "exportable timeline");
  if (context().info().features.externalSemaphoreFd) {
    ASSERT_TRUE(exportable.ok()) << exportable.error().message;
  } else {
    ASSERT_FALSE(exportable.ok());
    EXPECT_NE(exportable.error().message.find("VK_KHR_external_semaphore_fd"), std::string::npos)
        << exportable.error().message;
  }
}

}  // namespace
}  // namespace meshrt::test
