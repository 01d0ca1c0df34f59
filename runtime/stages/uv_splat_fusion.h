// Temporal texture fusion of one tracked object (DESIGN §1 "splat+fuse"): a running texture
// T [C][Ht][Wt] and confidence A [Ht][Wt] on the device, updated from each frame's UV splat.
// The frame's splat carries C feature channels plus, as its last channel, a per-pixel
// confidence image (e.g. |n_cam . view direction| from the raster normals) splatted with the
// same weights: k-hat, 0 where the texel is invisible. Where k-hat > 0:
//   T <- (A T + k-hat F-hat) / (A + k-hat),  A <- min(A + k-hat, maxConfidence)
// so the texture keeps adapting once A saturates. shaders/uv_splat_fuse.comp; CPU reference
// uvSplatFuseReference (stages/uv_splat.h).
#pragma once

#include <cstdint>
#include <memory>

#include "meshrt/result.h"
#include "stages/uv_splat.h"
#include "vk/gpu_allocator.h"

namespace meshrt {

class UvTextureFusion {
 public:
  // `channels` = C fused channels; the splats fed to fuse() have C + 1 channels.
  static Result<std::unique_ptr<UvTextureFusion>> create(vk::Context& context, vk::GpuAllocator& allocator,
                                                         uint32_t channels, uint32_t textureWidth,
                                                         uint32_t textureHeight, float maxConfidence);
  ~UvTextureFusion();

  // The next fuse() starts from T = 0, A = 0 (a new or re-acquired object).
  void reset() { mResetPending = true; }
  // Fuses the last forward()/run() of `splat` (channels + 1 channels, same texture size), waits.
  // GPU span "uv_splat_fuse".
  Result<void> fuse(vk::CommandStream& stream, const UvSplatStage& splat, vk::GpuTimestamps* timestamps = nullptr);
  Result<UvSplatFusionState> download(vk::CommandStream& stream);

  const vk::Buffer& texture() const { return mTexture; }        // fp32 [C][Ht][Wt]
  const vk::Buffer& confidence() const { return mConfidence; }  // fp32 [Ht][Wt]

 private:
  UvTextureFusion(vk::Context& context, vk::GpuAllocator& allocator) : mContext(context), mAllocator(allocator) {}

  vk::Context& mContext;
  vk::GpuAllocator& mAllocator;
  std::unique_ptr<vk::ComputePipeline> mFuse;
  vk::Buffer mTexture, mConfidence;
  uint32_t mChannels = 0, mTextureWidth = 0, mTextureHeight = 0;
  float mMaxConfidence = 0;
  bool mResetPending = true;
};

}  // namespace meshrt
