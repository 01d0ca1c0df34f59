// chooseEncoderIoPath: CUDA zero-copy only with the CUDA backend, a UUID-matched device, and
// fd-exportable memory and timeline semaphores; otherwise host-visible, with the first
// missing piece as the reason.
#include <gtest/gtest.h>

#include "interop/encoder_io_factory.h"

namespace meshrt::interop {
namespace {

CudaDeviceReport matchedCuda() {
  CudaDeviceReport cuda;
  cuda.compiled = cuda.deviceFound = cuda.uuidMatchesVulkan = true;
  cuda.deviceIndex = 0;
  return cuda;
}

ExternalSupport fullSupport() {
  ExternalSupport support;
  support.memoryFd = support.timelineFd = true;
  return support;
}

TEST(EncoderIoChoice, AllPresentGivesCudaZeroCopy) {
  const EncoderIoChoice choice = chooseEncoderIoPath(fullSupport(), matchedCuda());
  EXPECT_EQ(choice.path, EncoderIoPath::CudaZeroCopy);
  EXPECT_TRUE(choice.reason.empty());
}

TEST(EncoderIoChoice, EachMissingPieceFallsBackWithItsReason) {
  CudaDeviceReport noMatch = matchedCuda();
  noMatch.uuidMatchesVulkan = false;
  noMatch.reason = "no CUDA device has the Vulkan device's UUID";
  EXPECT_EQ(chooseEncoderIoPath(fullSupport(), noMatch).reason, noMatch.reason);

  CudaDeviceReport notCompiled;
  notCompiled.reason = "CUDA backend not compiled";
  EXPECT_EQ(chooseEncoderIoPath(fullSupport(), notCompiled).path, EncoderIoPath::HostVisible);

  ExternalSupport noMemory = fullSupport();
  noMemory.memoryFd = false;
  noMemory.memoryReason = "no VK_KHR_external_memory_fd";
  EXPECT_EQ(chooseEncoderIoPath(noMemory, matchedCuda()).reason, "no VK_KHR_external_memory_fd");

  ExternalSupport noTimeline = fullSupport();
  noTimeline.timelineFd = false;
  noTimeline.timelineReason = "no VK_KHR_external_semaphore_fd";
  const EncoderIoChoice choice = chooseEncoderIoPath(noTimeline, matchedCuda());
  EXPECT_EQ(choice.path, EncoderIoPath::HostVisible);
  EXPECT_EQ(choice.reason, "no VK_KHR_external_semaphore_fd");
}

}  // namespace
}  // namespace meshrt::interop
