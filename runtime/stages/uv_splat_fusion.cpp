#include "stages/uv_splat_fusion.h"

#include <cmath>
#include <cstring>
#include <string>

#include "vk/command_stream.h"
#include "vk/compute_pipeline.h"
#include "vk/context.h"
#include "vk/gpu_timestamps.h"
#include "vk/staging.h"

namespace meshrt {

Result<std::unique_ptr<UvTextureFusion>> UvTextureFusion::create(vk::Context& context, vk::GpuAllocator& allocator,
                                                                 uint32_t channels, uint32_t textureWidth,
                                                                 uint32_t textureHeight, float maxConfidence) {
  if (channels == 0 || channels + 1 > UV_SPLAT_MAX_CHANNELS) {
    return makeError("uv_splat fusion: channels", "must be 1..127 (the splat adds the confidence channel)");
  }
  if (textureWidth == 0 || textureHeight == 0 || textureWidth > UV_SPLAT_MAX_SIZE || textureHeight > UV_SPLAT_MAX_SIZE) {
    return makeError("uv_splat fusion: textureWidth/textureHeight", "must be 1..8192");
  }
  if (!std::isfinite(maxConfidence) || !(maxConfidence > 0)) {
    return makeError("uv_splat fusion: maxConfidence", "must be finite and > 0");
  }
  const uint64_t texels = uint64_t{textureWidth} * textureHeight;
  if (texels * (channels + 1) * 4 > context.info().maxStorageBufferRange) {
    return makeError("uv_splat fusion", "the frame texture exceeds one storage binding on this device");
  }
  std::unique_ptr<UvTextureFusion> fusion(new UvTextureFusion(context, allocator));
  vk::ComputePipelineDesc desc;
  desc.shader = ShaderId::UvSplatFuse;
  desc.bindings.assign(3, vk::BindingType::StorageBuffer);
  desc.pushConstantBytes = sizeof(gpu::UvSplatPush);
  auto pipeline = vk::ComputePipeline::create(context, desc);
  if (!pipeline) return pipeline.error();
  fusion->mFuse = std::move(pipeline.value());
  constexpr VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                       VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  auto texture = allocator.createBuffer({texels * channels * 4, usage, vk::MemoryUsage::DeviceLocal, false, "fusion texture"});
  if (!texture) return texture.error();
  auto confidence = allocator.createBuffer({texels * 4, usage, vk::MemoryUsage::DeviceLocal, false, "fusion confidence"});
  if (!confidence) return confidence.error();
  fusion->mTexture = std::move(*texture);
  fusion->mConfidence = std::move(*confidence);
  fusion->mChannels = channels;
  fusion->mTextureWidth = textureWidth;
  fusion->mTextureHeight = textureHeight;
  fusion->mMaxConfidence = maxConfidence;
  return fusion;
}

UvTextureFusion::~UvTextureFusion() = default;

Result<void> UvTextureFusion::fuse(vk::CommandStream& stream, const UvSplatStage& splat, vk::GpuTimestamps* timestamps) {
  if (!splat.hasForward()) return makeError("uv_splat fusion", "the splat stage has no forward result to fuse");
  const UvSplatConfig& config = splat.lastConfig();
  if (config.channels != mChannels + 1 || config.textureWidth != mTextureWidth || config.textureHeight != mTextureHeight) {
    return makeError("uv_splat fusion", "the splat has " + std::to_string(config.channels) + " channels at " +
                                            std::to_string(config.textureWidth) + "x" + std::to_string(config.textureHeight) +
                                            "; expected " + std::to_string(mChannels + 1) + " (features + confidence) at " +
                                            std::to_string(mTextureWidth) + "x" + std::to_string(mTextureHeight));
  }
  auto cmd = stream.begin();
  if (!cmd) return cmd.error();
  if (timestamps) timestamps->reset(*cmd);
  vk::memoryBarrier(*cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                    VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
  const int span = timestamps ? timestamps->beginSpan(*cmd, "uv_splat_fuse") : -1;
  gpu::UvSplatPush push{};
  push.channels = mChannels;
  push.textureWidth = mTextureWidth;
  push.textureHeight = mTextureHeight;
  push.maxConfidence = mMaxConfidence;
  push.flags = mResetPending ? 1u : 0u;
  const uint64_t frameBytes = uint64_t{mTextureWidth} * mTextureHeight * config.channels * 4;
  const vk::BufferBinding bindings[] = {{&splat.texture(), 0, frameBytes}, {&mTexture}, {&mConfidence}};
  MESHRT_TRY(mFuse->dispatch(stream, bindings, &push, sizeof(push), vk::groupCount(mTextureWidth, 8),
                             vk::groupCount(mTextureHeight, 8)));
  if (timestamps) timestamps->endSpan(*cmd, span);
  auto value = stream.submit();
  if (!value) return value.error();
  MESHRT_TRY(stream.wait(*value));
  mResetPending = false;
  return {};
}

Result<UvSplatFusionState> UvTextureFusion::download(vk::CommandStream& stream) {
  const size_t texels = size_t{mTextureWidth} * mTextureHeight;
  UvSplatFusionState state;
  if (mResetPending) {  // nothing fused since the reset: the state is T = 0, A = 0
    state.texture.assign(texels * mChannels, 0.0f);
    state.confidence.assign(texels, 0.0f);
    return state;
  }
  auto texture = vk::downloadNow(stream, mAllocator, mTexture, 0, texels * mChannels * 4);
  if (!texture) return texture.error();
  auto confidence = vk::downloadNow(stream, mAllocator, mConfidence, 0, texels * 4);
  if (!confidence) return confidence.error();
  state.texture.resize(texels * mChannels);
  state.confidence.resize(texels);
  std::memcpy(state.texture.data(), texture->data(), texture->size());
  std::memcpy(state.confidence.data(), confidence->data(), confidence->size());
  return state;
}

}  // namespace meshrt
