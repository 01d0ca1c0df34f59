#include "vk/compute_pipeline.h"

#include "vk/command_stream.h"
#include "vk/context.h"
#include "vk/gpu_allocator.h"
#include "vk/vk_check.h"

namespace meshrt::vk {
namespace {

VkDescriptorType descriptorType(BindingType type) {
  switch (type) {
    case BindingType::UniformBuffer: return VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
    case BindingType::FloatTexels:
    case BindingType::Float4Texels:
    case BindingType::UintTexels:
    case BindingType::Uint2Texels: return VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
    case BindingType::StorageBuffer: break;
  }
  return VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
}

bool isTexelBinding(BindingType type) {
  return type == BindingType::FloatTexels || type == BindingType::Float4Texels || type == BindingType::UintTexels ||
         type == BindingType::Uint2Texels;
}

VkFormat texelFormat(BindingType type) {
  switch (type) {
    case BindingType::Float4Texels: return VK_FORMAT_R32G32B32A32_SFLOAT;
    case BindingType::UintTexels: return VK_FORMAT_R32_UINT;
    case BindingType::Uint2Texels: return VK_FORMAT_R32G32_UINT;
    default: return VK_FORMAT_R32_SFLOAT;
  }
}

VkDeviceSize texelBytes(BindingType type) {
  if (type == BindingType::Float4Texels) return 16;
  return type == BindingType::Uint2Texels ? 8 : 4;
}

}  // namespace

Result<std::unique_ptr<ComputePipeline>> ComputePipeline::create(Context& context, const ComputePipelineDesc& desc) {
  const std::string name = std::string("shader '") + shaderName(desc.shader) + "'";
  if (desc.pushConstantBytes > 128 || desc.pushConstantBytes % 4 != 0) {
    return makeError(name, "push constants must be a multiple of 4 bytes and at most 128");
  }
  std::unique_ptr<ComputePipeline> pipeline(new ComputePipeline(context));
  pipeline->mDesc = desc;
  const VkDevice device = context.device();

  const std::span<const uint32_t> spirv = shaderSpirv(desc.shader);
  VkShaderModuleCreateInfo moduleInfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  moduleInfo.codeSize = spirv.size_bytes();
  moduleInfo.pCode = spirv.data();
  MESHRT_VK_TRY(vkCreateShaderModule(device, &moduleInfo, nullptr, &pipeline->mModule));

  std::vector<VkDescriptorSetLayoutBinding> bindings;
  for (uint32_t i = 0; i < desc.bindings.size(); ++i) {
    bindings.push_back({i, descriptorType(desc.bindings[i]), 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr});
  }
  VkDescriptorSetLayoutCreateInfo setInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  setInfo.bindingCount = static_cast<uint32_t>(bindings.size());
  setInfo.pBindings = bindings.data();
  MESHRT_VK_TRY(vkCreateDescriptorSetLayout(device, &setInfo, nullptr, &pipeline->mSetLayout));

  VkPushConstantRange pushRange{VK_SHADER_STAGE_COMPUTE_BIT, 0, desc.pushConstantBytes};
  VkPipelineLayoutCreateInfo layoutInfo{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layoutInfo.setLayoutCount = 1;
  layoutInfo.pSetLayouts = &pipeline->mSetLayout;
  layoutInfo.pushConstantRangeCount = desc.pushConstantBytes > 0 ? 1 : 0;
  layoutInfo.pPushConstantRanges = &pushRange;
  MESHRT_VK_TRY(vkCreatePipelineLayout(device, &layoutInfo, nullptr, &pipeline->mLayout));

  std::vector<VkSpecializationMapEntry> entries;
  for (uint32_t i = 0; i < desc.specializationConstants.size(); ++i) {
    entries.push_back({i, static_cast<uint32_t>(i * sizeof(uint32_t)), sizeof(uint32_t)});
  }
  VkSpecializationInfo specialization{};
  specialization.mapEntryCount = static_cast<uint32_t>(entries.size());
  specialization.pMapEntries = entries.data();
  specialization.dataSize = desc.specializationConstants.size() * sizeof(uint32_t);
  specialization.pData = desc.specializationConstants.data();

  VkComputePipelineCreateInfo pipelineInfo{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  pipelineInfo.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  pipelineInfo.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  pipelineInfo.stage.module = pipeline->mModule;
  pipelineInfo.stage.pName = "main";
  pipelineInfo.stage.pSpecializationInfo = entries.empty() ? nullptr : &specialization;
  pipelineInfo.layout = pipeline->mLayout;
  MESHRT_VK_TRY(vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &pipelineInfo, nullptr, &pipeline->mPipeline));
  return pipeline;
}

ComputePipeline::~ComputePipeline() {
  const VkDevice device = mContext.device();
  if (mPipeline) vkDestroyPipeline(device, mPipeline, nullptr);
  if (mLayout) vkDestroyPipelineLayout(device, mLayout, nullptr);
  if (mSetLayout) vkDestroyDescriptorSetLayout(device, mSetLayout, nullptr);
  if (mModule) vkDestroyShaderModule(device, mModule, nullptr);
}

Result<void> ComputePipeline::dispatch(CommandStream& stream, std::span<const BufferBinding> buffers,
                                       const void* pushConstants, uint32_t pushBytes, uint32_t groupsX,
                                       uint32_t groupsY, uint32_t groupsZ) {
  MESHRT_TRY(bind(stream, buffers, pushConstants, pushBytes));
  vkCmdDispatch(stream.current(), groupsX, groupsY, groupsZ);
  return {};
}

Result<void> ComputePipeline::dispatchIndirect(CommandStream& stream, std::span<const BufferBinding> buffers,
                                               const void* pushConstants, uint32_t pushBytes, const Buffer& arguments,
                                               VkDeviceSize offset) {
  if (!arguments || offset % 4 != 0 || offset + sizeof(VkDispatchIndirectCommand) > arguments.size()) {
    return makeError(std::string("shader '") + shaderName(mDesc.shader) + "'",
                     "indirect dispatch arguments outside their buffer or misaligned");
  }
  MESHRT_TRY(bind(stream, buffers, pushConstants, pushBytes));
  vkCmdDispatchIndirect(stream.current(), arguments.handle(), offset);
  return {};
}

Result<void> ComputePipeline::bind(CommandStream& stream, std::span<const BufferBinding> buffers,
                                   const void* pushConstants, uint32_t pushBytes) {
  const std::string name = std::string("shader '") + shaderName(mDesc.shader) + "'";
  if (buffers.size() != mDesc.bindings.size()) {
    return makeError(name, "dispatch got " + std::to_string(buffers.size()) + " buffers, the pipeline has " +
                               std::to_string(mDesc.bindings.size()) + " bindings");
  }
  if (pushBytes != mDesc.pushConstantBytes) {
    return makeError(name, "dispatch got " + std::to_string(pushBytes) + " push-constant bytes, expected " +
                               std::to_string(mDesc.pushConstantBytes));
  }
  auto set = stream.allocateDescriptorSet(mSetLayout);
  if (!set) return set.error();

  std::vector<VkDescriptorBufferInfo> infos(buffers.size());
  std::vector<VkBufferView> views(buffers.size(), VK_NULL_HANDLE);
  std::vector<VkWriteDescriptorSet> writes(buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i) {
    if (!buffers[i].buffer || !*buffers[i].buffer) {
      return makeError(name, "binding " + std::to_string(i) + " has no buffer");
    }
    infos[i] = {buffers[i].buffer->handle(), buffers[i].offset, buffers[i].range};
    if (isTexelBinding(mDesc.bindings[i])) {
      // Whole texels from the offset to the range's (or the buffer's) end.
      const VkDeviceSize end = buffers[i].range == VK_WHOLE_SIZE ? buffers[i].buffer->size() : buffers[i].offset + buffers[i].range;
      const VkDeviceSize texel = texelBytes(mDesc.bindings[i]);
      const VkDeviceSize range = (end - buffers[i].offset) / texel * texel;
      const VkFormat format = texelFormat(mDesc.bindings[i]);
      auto view = stream.createBufferView(buffers[i].buffer->handle(), format, buffers[i].offset, range);
      if (!view) return view.error();
      views[i] = *view;
    }
    writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    writes[i].dstSet = *set;
    writes[i].dstBinding = static_cast<uint32_t>(i);
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = descriptorType(mDesc.bindings[i]);
    if (views[i]) {
      writes[i].pTexelBufferView = &views[i];
    } else {
      writes[i].pBufferInfo = &infos[i];
    }
  }
  vkUpdateDescriptorSets(mContext.device(), static_cast<uint32_t>(writes.size()), writes.data(), 0, nullptr);

  const VkCommandBuffer cmd = stream.current();
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, mPipeline);
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, mLayout, 0, 1, &*set, 0, nullptr);
  if (pushBytes > 0) vkCmdPushConstants(cmd, mLayout, VK_SHADER_STAGE_COMPUTE_BIT, 0, pushBytes, pushConstants);
  return {};
}

}  // namespace meshrt::vk
