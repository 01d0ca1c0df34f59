// A compute pipeline built from an embedded shader plus a description of its interface:
// storage/uniform buffers at set 0, bindings 0..n-1, push constants, specialization constants.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "meshrt/result.h"
#include "shaders/shader_ids.h"

namespace meshrt::vk {

class Buffer;
class CommandStream;
class Context;

// FloatTexels / UintTexels: a uniform texel buffer of R32_SFLOAT / R32_UINT texels over the
// binding's range (GLSL samplerBuffer / usamplerBuffer, read with texelFetch); the buffer needs
// VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT. On lavapipe a texel fetch is a vector gather, while a
// storage-buffer read loops over the 8 lanes of an invocation group: read-only data that is
// fetched at scattered indices is several times cheaper this way. Float4Texels: the same with
// R32G32B32A32_SFLOAT texels (16 bytes; GLSL texelFetch(...) as a vec4); Uint2Texels with
// R32G32_UINT texels (8 bytes; a usamplerBuffer's .xy).
enum class BindingType { StorageBuffer, UniformBuffer, FloatTexels, Float4Texels, UintTexels, Uint2Texels };

struct ComputePipelineDesc {
  ShaderId shader;
  std::vector<BindingType> bindings;             // set 0, binding i = bindings[i]
  uint32_t pushConstantBytes = 0;                // 0 = none; at most 128 (the guaranteed minimum)
  std::vector<uint32_t> specializationConstants; // constant_id i = value i (32-bit; floats via std::bit_cast)
};

// A range of a buffer bound to one binding.
struct BufferBinding {
  const Buffer* buffer = nullptr;
  VkDeviceSize offset = 0;
  VkDeviceSize range = VK_WHOLE_SIZE;
};

class ComputePipeline {
 public:
  static Result<std::unique_ptr<ComputePipeline>> create(Context& context, const ComputePipelineDesc& desc);
  ~ComputePipeline();
  ComputePipeline(const ComputePipeline&) = delete;
  ComputePipeline& operator=(const ComputePipeline&) = delete;

  // Records bind + push constants + vkCmdDispatch(groups) into the stream's current command
  // buffer. `buffers` must match the description's bindings one to one.
  Result<void> dispatch(CommandStream& stream, std::span<const BufferBinding> buffers, const void* pushConstants,
                        uint32_t pushBytes, uint32_t groupsX, uint32_t groupsY = 1, uint32_t groupsZ = 1);
  // The same with the group counts read by the device from `arguments` at `offset` (a
  // VkDispatchIndirectCommand; the buffer needs VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT, and earlier
  // shader writes to it need a barrier to VK_PIPELINE_STAGE_DRAW_INDIRECT_BIT).
  Result<void> dispatchIndirect(CommandStream& stream, std::span<const BufferBinding> buffers, const void* pushConstants,
                                uint32_t pushBytes, const Buffer& arguments, VkDeviceSize offset = 0);

  VkPipeline pipeline() const { return mPipeline; }
  VkPipelineLayout layout() const { return mLayout; }

 private:
  explicit ComputePipeline(Context& context) : mContext(context) {}
  // Checks `buffers` and the push constants against the description, writes a descriptor set
  // and records bind + push constants.
  Result<void> bind(CommandStream& stream, std::span<const BufferBinding> buffers, const void* pushConstants,
                    uint32_t pushBytes);

  Context& mContext;
  ComputePipelineDesc mDesc;
  VkShaderModule mModule = VK_NULL_HANDLE;
  VkDescriptorSetLayout mSetLayout = VK_NULL_HANDLE;
  VkPipelineLayout mLayout = VK_NULL_HANDLE;
  VkPipeline mPipeline = VK_NULL_HANDLE;
};

// ceil(total / groupSize): work groups needed to cover `total` items.
inline uint32_t groupCount(uint32_t total, uint32_t groupSize) { return (total + groupSize - 1) / groupSize; }

}  // namespace meshrt::vk
