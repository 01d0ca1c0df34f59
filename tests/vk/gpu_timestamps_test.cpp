// GPU timestamp spans land on the CPU clock, inside the CPU interval that brackets them.
#include <gtest/gtest.h>

#include "core/clock.h"
#include "support/vulkan_environment.h"
#include "vk/gpu_timestamps.h"

namespace meshrt::test {
namespace {

using GpuTimestampsTest = VulkanTest;

TEST_F(GpuTimestampsTest, SpansAreOrderedAndInsideTheSubmission) {
  auto timestamps = vk::GpuTimestamps::create(context(), 4);
  ASSERT_TRUE(timestamps.ok()) << timestamps.error().message;
  auto buffer = allocator->createBuffer({1 << 22, VK_BUFFER_USAGE_TRANSFER_DST_BIT, vk::MemoryUsage::DeviceLocal});
  ASSERT_TRUE(buffer.ok());

  auto cmd = stream->begin();
  ASSERT_TRUE(cmd.ok());
  (*timestamps)->reset(*cmd);
  const int first = (*timestamps)->beginSpan(*cmd, "fill_a");
  vkCmdFillBuffer(*cmd, buffer->handle(), 0, VK_WHOLE_SIZE, 1);
  (*timestamps)->endSpan(*cmd, first);
  vk::memoryBarrier(*cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_ACCESS_TRANSFER_WRITE_BIT);
  const int second = (*timestamps)->beginSpan(*cmd, "fill_b");
  vkCmdFillBuffer(*cmd, buffer->handle(), 0, VK_WHOLE_SIZE, 2);
  (*timestamps)->endSpan(*cmd, second);
  const int64_t cpuBefore = nowNs();
  auto value = stream->submit();
  ASSERT_TRUE(value.ok());
  ASSERT_TRUE(stream->wait(*value).ok());
  const int64_t cpuAfter = nowNs();

  auto spans = (*timestamps)->resolve();
  ASSERT_TRUE(spans.ok()) << spans.error().message;
  ASSERT_EQ(spans->size(), 2u);
  EXPECT_EQ((*spans)[0].name, "fill_a");
  EXPECT_EQ((*spans)[1].name, "fill_b");
  // Calibration error allowance: 2 ms for the "submit" fallback, which brackets one
  // submission; the calibrated path is exact to the driver's reported deviation.
  const int64_t slackNs = 2'000'000;
  for (const vk::GpuSpan& span : *spans) {
    EXPECT_LE(span.startNs, span.endNs) << span.name;
    EXPECT_GE(span.startNs, cpuBefore - slackNs) << span.name << " (" << (*timestamps)->calibrationMethod() << ")";
    EXPECT_LE(span.endNs, cpuAfter + slackNs) << span.name;
  }
  EXPECT_LE((*spans)[0].endNs, (*spans)[1].startNs + slackNs) << "fill_b runs after the barrier";
}

TEST_F(GpuTimestampsTest, SpansBeyondCapacityAreDroppedNotWritten) {
  auto timestamps = vk::GpuTimestamps::create(context(), 1);
  ASSERT_TRUE(timestamps.ok());
  auto cmd = stream->begin();
  ASSERT_TRUE(cmd.ok());
  (*timestamps)->reset(*cmd);
  EXPECT_EQ((*timestamps)->beginSpan(*cmd, "kept"), 0);
  (*timestamps)->endSpan(*cmd, 0);
  EXPECT_EQ((*timestamps)->beginSpan(*cmd, "dropped"), -1);
  (*timestamps)->endSpan(*cmd, -1);
  auto value = stream->submit();
  ASSERT_TRUE(value.ok() && stream->wait(*value).ok());
  auto spans = (*timestamps)->resolve();
  ASSERT_TRUE(spans.ok());
  ASSERT_EQ(spans->size(), 1u);
  EXPECT_EQ((*spans)[0].name, "kept");
}

}  // namespace
}  // namespace meshrt::test
