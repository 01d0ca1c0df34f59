// main() of the Vulkan suite: registers the shared validated context before the tests run.
#include <gtest/gtest.h>

#include "support/vulkan_environment.h"
#include "vk/leak_sanitizer_pins.h"

int main(int argc, char** argv) {
  meshrt::vk::pinVulkanLibrariesForLeakSanitizer();
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(&meshrt::test::VulkanEnvironment::instance());
  return RUN_ALL_TESTS();
}
