// Acceptance test 1 of the interop issue, on any Vulkan driver (lavapipe here): device A
// exports a buffer and a timeline semaphore as opaque fds, device B (a second VkDevice, own
// instance) imports both -- the mechanism CUDA's cudaImportExternalMemory and
// cudaImportExternalSemaphore use. Over 100 frames A writes frame-specific words into the
// shared buffer and signals; B waits, reads them into its own readback buffer and signals back.
// Expected result: exact equality of every 32-bit word (a copy, no arithmetic).
#include <fcntl.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "interop/cuda_external.h"
#include "interop/external_support.h"
#include "interop/queue_family_transfer.h"
#include "support/standalone_context.h"
#include "interop/shared_buffer.h"
#include "interop/timeline_semaphore.h"
#include "support/splitmix.h"
#include "support/vulkan_environment.h"
#include "vk/vk_check.h"

namespace meshrt::test {
namespace {

constexpr uint32_t FRAMES = 100;
constexpr uint32_t WORDS = 256;  // per frame: 256 x uint32 = 1 KiB
constexpr VkDeviceSize FRAME_BYTES = WORDS * sizeof(uint32_t);
constexpr uint64_t TIMEOUT_NS = 30'000'000'000ull;

uint32_t frameWord(uint32_t frame, uint32_t index) {
  return static_cast<uint32_t>(splitmixUniform(frame + 1, index) * 16777216.0f) ^ (frame << 24);
}

// How the two devices order their work: GPU semaphores both ways (the interop path), or host
// waits between submissions (when the driver cannot share semaphores).
enum class Ordering { Semaphores, HostWaits };

class TwoDeviceInterop : public VulkanTest {
 protected:
  std::string missingSupport(Ordering ordering) {
    const interop::ExternalSupport support = interop::queryExternalSupport(context());
    if (!support.memoryFd) return "external memory: " + support.memoryReason;
    if (ordering == Ordering::Semaphores && !support.timelineFd) {
      return "external timeline semaphores: " + support.timelineReason + " (driver: " + context().info().driverInfo + ")";
    }
    return {};
  }

  void runFrames(Ordering ordering);
};

void TwoDeviceInterop::runFrames(Ordering ordering) {
  auto second = StandaloneContext::create();
  ASSERT_TRUE(second);
  vk::Context& contextB = second->context();
  {
    vk::GpuAllocator allocatorB(contextB);
    auto createdStream = vk::CommandStream::create(contextB, 2);
    ASSERT_TRUE(createdStream.ok()) << createdStream.error().message;
    std::unique_ptr<vk::CommandStream> streamB = std::move(*createdStream);

    // A: the shared buffer and an upload ring holding every frame's words.
    auto shared = allocator->createBuffer(
        {FRAME_BYTES, interop::SHARED_BUFFER_USAGE, vk::MemoryUsage::DeviceLocal, true, "shared"});
    ASSERT_TRUE(shared.ok()) << shared.error().message;
    auto upload = allocator->createBuffer(
        {FRAME_BYTES * FRAMES, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, vk::MemoryUsage::Upload, false, "upload"});
    ASSERT_TRUE(upload.ok()) << upload.error().message;
    auto* words = static_cast<uint32_t*>(upload->mapped());
    for (uint32_t f = 0; f < FRAMES; ++f) {
      for (uint32_t i = 0; i < WORDS; ++i) words[f * WORDS + i] = frameWord(f, i);
    }

    // B: the imported buffer and a readback region per frame.
    auto fd = interop::exportMemoryFd(context(), *shared);
    ASSERT_TRUE(fd.ok()) << fd.error().message;
    auto memory = interop::sharedMemoryInfo(*shared);
    ASSERT_TRUE(memory.ok()) << memory.error().message;
    interop::ImportBufferParams importParams;
    importParams.size = FRAME_BYTES;
    importParams.allocationSize = memory->allocationSize;
    importParams.memoryTypeIndex = memory->memoryTypeIndex;
    importParams.debugName = "shared (device B)";
    auto imported = interop::ImportedBuffer::import(contextB, *fd, importParams);
    ASSERT_TRUE(imported.ok()) << imported.error().message;
    EXPECT_FALSE(fd->valid()) << "a successful import takes the fd";
    auto readback = allocatorB.createBuffer(
        {FRAME_BYTES * FRAMES, VK_BUFFER_USAGE_TRANSFER_DST_BIT, vk::MemoryUsage::Readback, false, "readback"});
    ASSERT_TRUE(readback.ok()) << readback.error().message;

    // written: A -> B (exported by A); consumed: B -> A (exported by B).
    interop::TimelineSemaphore writtenA, writtenB, consumedA, consumedB;
    if (ordering == Ordering::Semaphores) {
      auto written = interop::TimelineSemaphore::create(context(), true, "written (A)");
      ASSERT_TRUE(written.ok()) << written.error().message;
      auto consumed = interop::TimelineSemaphore::create(contextB, true, "consumed (B)");
      ASSERT_TRUE(consumed.ok()) << consumed.error().message;
      auto writtenFd = written->exportFd();
      ASSERT_TRUE(writtenFd.ok()) << writtenFd.error().message;
      auto consumedFd = consumed->exportFd();
      ASSERT_TRUE(consumedFd.ok()) << consumedFd.error().message;
      auto writtenImport = interop::TimelineSemaphore::import(contextB, *writtenFd, "written (imported by B)");
      ASSERT_TRUE(writtenImport.ok()) << writtenImport.error().message;
      auto consumedImport = interop::TimelineSemaphore::import(context(), *consumedFd, "consumed (imported by A)");
      ASSERT_TRUE(consumedImport.ok()) << consumedImport.error().message;
      writtenA = std::move(*written);
      consumedB = std::move(*consumed);
      writtenB = std::move(*writtenImport);
      consumedA = std::move(*consumedImport);
    }

    const VkBuffer sharedA = shared->handle();
    const VkBuffer sharedB = imported->handle();
    for (uint32_t f = 0; f < FRAMES; ++f) {
      // A: take the buffer back from the external owner, write frame f, hand it over.
      auto cmdA = stream->begin();
      ASSERT_TRUE(cmdA.ok()) << cmdA.error().message;
      if (f > 0) {
        interop::recordAcquireFromExternal(*cmdA, context().queueFamilyIndex(), VK_PIPELINE_STAGE_TRANSFER_BIT,
                                           VK_ACCESS_TRANSFER_WRITE_BIT, {&sharedA, 1});
      }
      const VkBufferCopy copyA{f * FRAME_BYTES, 0, FRAME_BYTES};
      vkCmdCopyBuffer(*cmdA, upload->handle(), sharedA, 1, &copyA);
      interop::recordReleaseToExternal(*cmdA, context().queueFamilyIndex(), VK_PIPELINE_STAGE_TRANSFER_BIT,
                                       VK_ACCESS_TRANSFER_WRITE_BIT, {&sharedA, 1});
      std::vector<vk::SemaphoreSync> waitsA, signalsA;
      if (ordering == Ordering::Semaphores) {
        if (f > 0) waitsA.push_back({consumedA.handle(), f, VK_PIPELINE_STAGE_TRANSFER_BIT});
        signalsA.push_back({writtenA.handle(), f + 1, 0});
      }
      auto submittedA = stream->submit(waitsA, signalsA);
      ASSERT_TRUE(submittedA.ok()) << submittedA.error().message;
      if (ordering == Ordering::HostWaits) {
        ASSERT_TRUE(stream->wait(*submittedA, TIMEOUT_NS).ok());
      }

      // B: acquire, copy frame f out, release for A's next write.
      auto cmdB = streamB->begin();
      ASSERT_TRUE(cmdB.ok()) << cmdB.error().message;
      interop::recordAcquireFromExternal(*cmdB, contextB.queueFamilyIndex(), VK_PIPELINE_STAGE_TRANSFER_BIT,
                                         VK_ACCESS_TRANSFER_READ_BIT, {&sharedB, 1});
      const VkBufferCopy copyB{0, f * FRAME_BYTES, FRAME_BYTES};
      vkCmdCopyBuffer(*cmdB, sharedB, readback->handle(), 1, &copyB);
      interop::recordReleaseToExternal(*cmdB, contextB.queueFamilyIndex(), VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                                       {&sharedB, 1});
      vk::memoryBarrier(*cmdB, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                        VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
      std::vector<vk::SemaphoreSync> waitsB, signalsB;
      if (ordering == Ordering::Semaphores) {
        waitsB.push_back({writtenB.handle(), f + 1, VK_PIPELINE_STAGE_TRANSFER_BIT});
        signalsB.push_back({consumedB.handle(), f + 1, 0});
      }
      auto submittedB = streamB->submit(waitsB, signalsB);
      ASSERT_TRUE(submittedB.ok()) << submittedB.error().message;
      if (ordering == Ordering::HostWaits) {
        ASSERT_TRUE(streamB->wait(*submittedB, TIMEOUT_NS).ok());
      }
    }
    ASSERT_TRUE(streamB->wait(streamB->lastSubmitted(), TIMEOUT_NS).ok());
    ASSERT_TRUE(stream->wait(stream->lastSubmitted(), TIMEOUT_NS).ok());
    if (ordering == Ordering::Semaphores) {
      auto consumed = consumedA.counter();  // read through A's import of B's semaphore
      ASSERT_TRUE(consumed.ok());
      EXPECT_EQ(*consumed, FRAMES);
    }

    const auto* received = static_cast<const uint32_t*>(readback->mapped());
    uint32_t wrongFrames = 0;
    for (uint32_t f = 0; f < FRAMES; ++f) {
      if (std::memcmp(received + f * WORDS, words + f * WORDS, FRAME_BYTES) != 0) ++wrongFrames;
    }
    EXPECT_EQ(wrongFrames, 0u) << "frames whose words B did not read exactly as A wrote them";
    streamB.reset();
  }
  second->destroyAndCheckNoMessages();
}

TEST_F(TwoDeviceInterop, BufferAndTimelineSemaphoresCarry100Frames) {
  if (const std::string missing = missingSupport(Ordering::Semaphores); !missing.empty()) {
    GTEST_SKIP() << "this Vulkan device cannot share timeline semaphores through fds: " << missing;
  }
  runFrames(Ordering::Semaphores);
}

TEST_F(TwoDeviceInterop, BufferCarries100FramesWithHostOrdering) {
  if (const std::string missing = missingSupport(Ordering::HostWaits); !missing.empty()) {
    GTEST_SKIP() << "this Vulkan device cannot share memory through fds: " << missing;
  }
  runFrames(Ordering::HostWaits);
}

// CUDA (or a second VkDevice) takes the fd only when its import succeeds: a refused import
// leaves it open and owned by the caller.
TEST_F(TwoDeviceInterop, RefusedImportLeavesTheFdWithTheCaller) {
  if (const std::string missing = missingSupport(Ordering::HostWaits); !missing.empty()) {
    GTEST_SKIP() << "this Vulkan device cannot share memory through fds: " << missing;
  }
  auto shared = allocator->createBuffer(
      {FRAME_BYTES, interop::SHARED_BUFFER_USAGE, vk::MemoryUsage::DeviceLocal, true, "shared"});
  ASSERT_TRUE(shared.ok()) << shared.error().message;
  auto fd = interop::exportMemoryFd(context(), *shared);
  ASSERT_TRUE(fd.ok()) << fd.error().message;
  interop::ImportBufferParams params;
  params.size = FRAME_BYTES;
  params.allocationSize = FRAME_BYTES / 2;  // smaller than the buffer: rejected before Vulkan sees it
  auto imported = interop::ImportedBuffer::import(context(), *fd, params);
  ASSERT_FALSE(imported.ok());
  EXPECT_NE(imported.error().message.find("allocationSize"), std::string::npos) << imported.error().message;
  EXPECT_TRUE(fd->valid());
  EXPECT_NE(fcntl(fd->get(), F_GETFD), -1) << "the fd must still be open";
}

// The same rule for CUDA: cudaImportExternalMemory owns the fd only on success. Here (no
// CUDA device, or a Vulkan device CUDA cannot import from) the import is refused.
TEST_F(TwoDeviceInterop, CudaTakesTheFdOnlyWhenItsImportSucceeds) {
  if (const std::string missing = missingSupport(Ordering::HostWaits); !missing.empty()) {
    GTEST_SKIP() << "this Vulkan device cannot share memory through fds: " << missing;
  }
  auto shared = allocator->createBuffer(
      {FRAME_BYTES, interop::SHARED_BUFFER_USAGE, vk::MemoryUsage::DeviceLocal, true, "shared"});
  ASSERT_TRUE(shared.ok()) << shared.error().message;
  auto fd = interop::exportMemoryFd(context(), *shared);
  ASSERT_TRUE(fd.ok()) << fd.error().message;
  interop::CudaMemoryImportParams params;
  params.allocationSize = shared->allocationSize();
  params.mappedBytes = FRAME_BYTES;
  auto imported = interop::CudaExternalBuffer::import(*fd, params);
  EXPECT_EQ(imported.ok(), !fd->valid()) << (imported.ok() ? "" : imported.error().message);
  if (!imported.ok()) {
    EXPECT_NE(fcntl(fd->get(), F_GETFD), -1) << "a refused import must leave the fd open";
  }
}

// Exporting memory that was not created exportable is an error naming the field.
TEST_F(TwoDeviceInterop, ExportingANonExportableBufferIsAnError) {
  auto plain = allocator->createBuffer({FRAME_BYTES, interop::SHARED_BUFFER_USAGE});
  ASSERT_TRUE(plain.ok());
  auto fd = interop::exportMemoryFd(context(), *plain);
  ASSERT_FALSE(fd.ok());
  EXPECT_NE(fd.error().message.find("exportable"), std::string::npos) << fd.error().message;
}

}  // namespace
}  // namespace meshrt::test
