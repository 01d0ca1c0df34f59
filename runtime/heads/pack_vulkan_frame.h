// The Vulkan side a pack pipeline's model runs share on the encoder-I/O path (pack_model.h,
// DESIGN §1, §3): the device's allocator and command stream, the PreprocessStage (the same
// stage the GPU frame path records), and the frame, uploaded once per frame and read by every
// model run of that frame (detector and landmarks).
//
// The frame buffer is host-visible (MemoryUsage::Upload): the host copies the frame's bytes in
// and the preprocess shader reads them in place, so the one upload is that copy. Model runs
// are synchronous (PackModelRunner::run returns after its outputs are read back), so when the
// next frame is uploaded no submit still reads the buffer; upload() also waits for the stream.
#pragma once

#include <memory>

#include "core/image.h"
#include "meshrt/result.h"
#include "stages/preprocess.h"
#include "vk/command_stream.h"
#include "vk/gpu_allocator.h"

namespace meshrt {

class PackVulkanFrame {
 public:
  static Result<std::unique_ptr<PackVulkanFrame>> create(vk::Context& context);
  ~PackVulkanFrame();

  // Copies `frame` (RGB8 or RGBA8, rows packed) into the frame buffer, growing it when needed.
  Result<void> upload(const Image& frame);
  // Frames uploaded so far (the tests check one upload per frame, not one per model run).
  uint64_t uploadCount() const { return mUploads; }
  // The layout of the last upload (width, height, channels; rows packed).
  const FrameLayout& layout() const { return mLayout; }
  bool hasFrame() const { return mUploads > 0; }

  vk::Context& context() const { return mContext; }
  vk::GpuAllocator& allocator() const { return *mAllocator; }
  vk::CommandStream& stream() const { return *mStream; }
  PreprocessStage& preprocess() const { return *mPreprocess; }
  const vk::Buffer& frameBuffer() const { return mFrame; }

 private:
  explicit PackVulkanFrame(vk::Context& context) : mContext(context) {}
  vk::Context& mContext;
  std::unique_ptr<vk::GpuAllocator> mAllocator;
  std::unique_ptr<vk::CommandStream> mStream;
  std::unique_ptr<PreprocessStage> mPreprocess;
  vk::Buffer mFrame;  // frame bytes, rows packed, size rounded up to 4 (the shader reads words)
  FrameLayout mLayout;
  uint64_t mUploads = 0;
};

}  // namespace meshrt
