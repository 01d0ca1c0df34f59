// Zero-copy CUDA <-> Vulkan round trip (acceptance test 2 of the interop issue): Vulkan writes
// each frame's input into exported memory, a CUDA kernel (out = 2 * in + frame) reads it
// through cudaExternalMemoryGetMappedBuffer and writes the output into exported memory, and
// Vulkan reads it back -- 100 double-buffered frames, ordered only by exported timeline
// semaphores waited and signalled on both GPUs sides. Then the start-up self-check runs the
// same kernel against its CPU twin. Expected: exact equality (small integers in fp32).
// Needs a CUDA device whose UUID equals the Vulkan device's, and a Vulkan driver that exports
// memory and timeline semaphores as fds; elsewhere it reports SKIPPED with the reason.
#include <gtest/gtest.h>

#include "interop/cuda_device.h"
#include "interop/cuda_encoder_io.h"
#include "interop/encoder_self_check.h"
#include "interop/external_support.h"
#include "support/standalone_context.h"
#include "vk/staging.h"

#if MESHRT_HAVE_CUDA
#include "cuda/interop_test_kernel.h"
#endif

namespace meshrt::test {
namespace {

constexpr uint32_t FRAMES = 100;
constexpr uint32_t FLOATS = 3 * 32 * 32;  // NCHW 1x3x32x32, fp32, input and output alike
constexpr VkDeviceSize BYTES = FLOATS * sizeof(float);
constexpr uint64_t TIMEOUT_NS = 30'000'000'000ull;

float inputValue(uint32_t frame, uint32_t index) { return static_cast<float>((frame * 13 + index) % 2048); }

interop::EncoderFn cudaScaleEncoder() {
  return [](const interop::EncoderCall& call) -> Result<void> {
#if MESHRT_HAVE_CUDA
    if (call.path != interop::EncoderIoPath::CudaZeroCopy) return makeError("cudaScaleEncoder", "needs CUDA memory");
    const int status = launchScaleOffsetKernel(static_cast<const float*>(call.inputs[0].data),
                                               static_cast<float*>(call.outputs[0].data),
                                               call.outputs[0].bytes / sizeof(float), static_cast<float>(call.frame),
                                               call.cudaStream);
    if (status != 0) return makeError("scaleOffsetKernel", "launch failed (cudaError_t " + std::to_string(status) + ")");
    return {};
#else
    (void)call;
    return makeError("cudaScaleEncoder", "CUDA backend not compiled");
#endif
  };
}

Result<void> cpuScaleEncoder(const interop::EncoderCall& call) {
  const auto* in = static_cast<const float*>(call.inputs[0].data);
  auto* out = static_cast<float*>(call.outputs[0].data);
  for (size_t i = 0; i < call.outputs[0].bytes / sizeof(float); ++i) out[i] = 2.0f * in[i] + static_cast<float>(call.frame);
  return {};
}

class CudaInterop : public ::testing::Test {
 protected:
  void SetUp() override {
#if !MESHRT_HAVE_CUDA
    GTEST_SKIP() << "CUDA backend not compiled (no CUDA toolkit at build time)";
#else
    vulkan = StandaloneContext::create();
    ASSERT_TRUE(vulkan);
    cuda = probeCudaDevice(vulkan->context().info().deviceUuid);
    if (!cuda.deviceFound) GTEST_SKIP() << "no CUDA device on this machine: " << cuda.reason;
    if (!cuda.uuidMatchesVulkan) {
      GTEST_SKIP() << "no CUDA device is the Vulkan device (" << vulkan->context().info().name << "): " << cuda.reason;
    }
    const interop::ExternalSupport support = interop::queryExternalSupport(vulkan->context());
    if (!support.memoryFd) GTEST_SKIP() << "Vulkan cannot export memory as fds: " << support.memoryReason;
    if (!support.timelineFd) GTEST_SKIP() << "Vulkan cannot export timeline semaphores: " << support.timelineReason;
#endif
  }
  void TearDown() override {
    if (vulkan) vulkan->destroyAndCheckNoMessages();
  }

  std::unique_ptr<StandaloneContext> vulkan;
  CudaDeviceReport cuda;
};

TEST_F(CudaInterop, VulkanToCudaToVulkanRoundTripOver100Frames) {
  vk::Context& context = vulkan->context();
  {
    vk::GpuAllocator allocator(context);
    interop::EncoderIoParams params;
    params.inputs = {{"image", BYTES}};
    params.outputs = {{"features", BYTES}};
    params.slots = 2;
    auto created = interop::CudaEncoderIo::create(context, allocator, params, cuda.deviceIndex);
    ASSERT_TRUE(created.ok()) << created.error().message;
    interop::EncoderIo& io = **created;
    ASSERT_EQ(io.path(), interop::EncoderIoPath::CudaZeroCopy);

    auto upload = allocator.createBuffer(
        {BYTES * FRAMES, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, vk::MemoryUsage::Upload, false, "upload"});
    ASSERT_TRUE(upload.ok());
    auto readback = allocator.createBuffer(
        {BYTES * FRAMES, VK_BUFFER_USAGE_TRANSFER_DST_BIT, vk::MemoryUsage::Readback, false, "readback"});
    ASSERT_TRUE(readback.ok());
    auto* uploadFloats = static_cast<float*>(upload->mapped());
    for (uint32_t f = 0; f < FRAMES; ++f) {
      for (uint32_t i = 0; i < FLOATS; ++i) uploadFloats[f * FLOATS + i] = inputValue(f, i);
    }
    auto producerStream = vk::CommandStream::create(context, 2);
    auto consumerStream = vk::CommandStream::create(context, 2);
    ASSERT_TRUE(producerStream.ok() && consumerStream.ok());

    const interop::EncoderFn encoder = cudaScaleEncoder();
    for (uint32_t f = 0; f < FRAMES; ++f) {
      // Preprocess (Vulkan) -> inputReady -> encoder (CUDA stream) -> outputReady -> head (Vulkan).
      auto producer = (*producerStream)->begin();
      ASSERT_TRUE(producer.ok()) << producer.error().message;
      io.recordBeforeInputWrites(*producer, f);
      const VkBufferCopy in{f * BYTES, 0, BYTES};
      vkCmdCopyBuffer(*producer, upload->handle(), io.inputBuffer(f, 0), 1, &in);
      io.recordAfterInputWrites(*producer, f);
      const interop::FrameSyncs producerSyncs = io.producerSyncs(f);
      ASSERT_TRUE((*producerStream)->submit(producerSyncs.waits, producerSyncs.signals).ok());

      auto encoded = io.runEncoder(f, encoder, TIMEOUT_NS);
      ASSERT_TRUE(encoded.ok()) << encoded.error().message;

      auto consumer = (*consumerStream)->begin();
      ASSERT_TRUE(consumer.ok()) << consumer.error().message;
      io.recordBeforeOutputReads(*consumer, f);
      const VkBufferCopy out{0, f * BYTES, BYTES};
      vkCmdCopyBuffer(*consumer, io.outputBuffer(f, 0), readback->handle(), 1, &out);
      io.recordAfterOutputReads(*consumer, f);
      vk::memoryBarrier(*consumer, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                        VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
      const interop::FrameSyncs consumerSyncs = io.consumerSyncs(f);
      ASSERT_TRUE((*consumerStream)->submit(consumerSyncs.waits, consumerSyncs.signals).ok());
    }
    ASSERT_TRUE((*consumerStream)->wait((*consumerStream)->lastSubmitted(), TIMEOUT_NS).ok());
    ASSERT_TRUE((*producerStream)->wait((*producerStream)->lastSubmitted(), TIMEOUT_NS).ok());

    const auto* received = static_cast<const float*>(readback->mapped());
    uint32_t wrong = 0;
    for (uint32_t f = 0; f < FRAMES; ++f) {
      for (uint32_t i = 0; i < FLOATS; ++i) {
        wrong += received[f * FLOATS + i] != 2.0f * inputValue(f, i) + static_cast<float>(f);
      }
    }
    EXPECT_EQ(wrong, 0u) << "output floats that differ from 2 * input + frame";
    consumerStream->reset();
    producerStream->reset();
    created->reset();  // CUDA lets go of the memory before Vulkan frees it
  }
}

TEST_F(CudaInterop, SelfCheckAcceptsTheKernelAgainstItsCpuTwin) {
  interop::EncoderSelfCheckParams params;
  params.candidatePath = interop::EncoderIoPath::CudaZeroCopy;
  params.outputBytes = {BYTES};
  params.relativeL2Tolerance = 1e-6;
  std::vector<float> input(FLOATS);
  for (uint32_t i = 0; i < FLOATS; ++i) input[i] = inputValue(3, i);
  const auto report = interop::runEncoderSelfCheck(params, {input}, cudaScaleEncoder(), cpuScaleEncoder);
  EXPECT_EQ(report.choice, interop::EncoderChoice::Candidate) << report.warning;
  ASSERT_EQ(report.relativeL2.size(), 1u);
  EXPECT_EQ(report.relativeL2[0], 0.0);
}

}  // namespace
}  // namespace meshrt::test
