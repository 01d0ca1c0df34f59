// Buffers: suballocation, dedicated and exportable allocations, host round trips.
#include <gtest/gtest.h>

#include <random>

#include "support/vulkan_environment.h"
#include "vk/staging.h"

namespace meshrt::test {
namespace {

using GpuAllocatorTest = VulkanTest;

constexpr VkBufferUsageFlags COPY_USAGE =
    VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;

TEST_F(GpuAllocatorTest, SmallBuffersShareOneBlockAndDoNotOverlap) {
  std::vector<vk::Buffer> buffers;
  for (int i = 0; i < 32; ++i) {
    auto buffer = allocator->createBuffer({4096 + 16u * i, COPY_USAGE, vk::MemoryUsage::DeviceLocal});
    ASSERT_TRUE(buffer.ok()) << buffer.error().message;
    EXPECT_FALSE(buffer->dedicated());
    buffers.push_back(std::move(*buffer));
  }
  EXPECT_EQ(allocator->blockCount(), 1u);
  EXPECT_EQ(allocator->dedicatedCount(), 0u);
  for (size_t i = 0; i < buffers.size(); ++i) {
    for (size_t j = i + 1; j < buffers.size(); ++j) {
      if (buffers[i].memory() != buffers[j].memory()) continue;
      const bool disjoint = buffers[i].memoryOffset() + buffers[i].size() <= buffers[j].memoryOffset() ||
                            buffers[j].memoryOffset() + buffers[j].size() <= buffers[i].memoryOffset();
      EXPECT_TRUE(disjoint) << "buffers " << i << " and " << j << " overlap";
    }
  }
}

TEST_F(GpuAllocatorTest, LargeAndExportableBuffersAreDedicated) {
  auto large = allocator->createBuffer({vk::GpuAllocator::BLOCK_SIZE, COPY_USAGE, vk::MemoryUsage::DeviceLocal});
  ASSERT_TRUE(large.ok()) << large.error().message;
  EXPECT_TRUE(large->dedicated());
  if (!context().info().features.externalMemoryFd) GTEST_SKIP() << "VK_KHR_external_memory_fd not supported";
  vk::BufferDesc desc{1 << 16, COPY_USAGE, vk::MemoryUsage::DeviceLocal};
  desc.exportable = true;
  auto exportable = allocator->createBuffer(desc);
  ASSERT_TRUE(exportable.ok()) << exportable.error().message;
  EXPECT_TRUE(exportable->dedicated());
  EXPECT_EQ(allocator->dedicatedCount(), 2u);
}

TEST_F(GpuAllocatorTest, HostVisibleBuffersAreMappedDeviceLocalRoundTrips) {
  auto upload = allocator->createBuffer({256, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, vk::MemoryUsage::Upload});
  auto readback = allocator->createBuffer({256, VK_BUFFER_USAGE_TRANSFER_DST_BIT, vk::MemoryUsage::Readback});
  ASSERT_TRUE(upload.ok() && readback.ok());
  EXPECT_NE(upload->mapped(), nullptr);
  EXPECT_NE(readback->mapped(), nullptr);

  std::mt19937 random(1234);
  std::vector<std::byte> bytes(100003);  // odd size: no alignment assumptions
  for (auto& b : bytes) b = static_cast<std::byte>(random());
  auto device = allocator->createBuffer({bytes.size() + 64, COPY_USAGE, vk::MemoryUsage::DeviceLocal});
  ASSERT_TRUE(device.ok());
  ASSERT_TRUE(vk::uploadNow(*stream, *allocator, *device, bytes, 64).ok());
  auto back = vk::downloadNow(*stream, *allocator, *device, 64, bytes.size());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, bytes);
}

TEST_F(GpuAllocatorTest, FreedRangesAreReused) {
  for (int round = 0; round < 200; ++round) {
    auto buffer = allocator->createBuffer({1 << 20, COPY_USAGE, vk::MemoryUsage::DeviceLocal});
    ASSERT_TRUE(buffer.ok());
  }
  EXPECT_EQ(allocator->blockCount(), 1u) << "200 x 1 MiB allocated and freed in turn must fit one 64 MiB block";
}

TEST_F(GpuAllocatorTest, ZeroSizeIsAnErrorNamingTheBuffer) {
  vk::BufferDesc desc{0, COPY_USAGE, vk::MemoryUsage::DeviceLocal};
  desc.debugName = "weights";
  auto buffer = allocator->createBuffer(desc);
  ASSERT_FALSE(buffer.ok());
  EXPECT_EQ(buffer.error().message, "weights: buffer size must be > 0");
}

}  // namespace
}  // namespace meshrt::test
