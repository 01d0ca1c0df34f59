#include "heads/pack_vulkan_frame.h"

#include <cstring>

#include "vk/context.h"

namespace meshrt {

PackVulkanFrame::~PackVulkanFrame() {
  // Submits may still read the frame or the encoder buffers (an error path left them queued).
  if (mStream) (void)mStream->waitIdle();
}

Result<std::unique_ptr<PackVulkanFrame>> PackVulkanFrame::create(vk::Context& context) {
  std::unique_ptr<PackVulkanFrame> frame(new PackVulkanFrame(context));
  frame->mAllocator = std::make_unique<vk::GpuAllocator>(context);
  auto stream = vk::CommandStream::create(context, 2);
  if (!stream) return stream.error();
  frame->mStream = std::move(*stream);
  auto preprocess = PreprocessStage::create(context);
  if (!preprocess) return preprocess.error();
  frame->mPreprocess = std::move(*preprocess);
  return frame;
}

Result<void> PackVulkanFrame::upload(const Image& frame) {
  if (frame.width == 0 || frame.height == 0 || (frame.channels != 3 && frame.channels != 4) ||
      frame.pixels.size() != size_t{frame.width} * frame.height * frame.channels) {
    return makeError("pack frame upload: frame", "must be a non-empty RGB8 or RGBA8 image");
  }
  MESHRT_TRY(mStream->waitIdle());  // no earlier submit still reads the buffer
  const VkDeviceSize bytes = (VkDeviceSize(frame.pixels.size()) + 3) / 4 * 4;
  if (!mFrame || mFrame.size() < bytes) {
    mFrame = {};
    auto buffer = mAllocator->createBuffer(
        {bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, vk::MemoryUsage::Upload, false, "pack frame"});
    if (!buffer) return buffer.error();
    if (!buffer->mapped()) return makeError("pack frame upload", "host-visible buffer is not mapped");
    mFrame = std::move(*buffer);
  }
  std::memcpy(mFrame.mapped(), frame.pixels.data(), frame.pixels.size());
  mLayout = {};
  mLayout.width = frame.width;
  mLayout.height = frame.height;
  mLayout.channels = frame.channels;
  ++mUploads;
  return {};
}

}  // namespace meshrt
