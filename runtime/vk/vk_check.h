// Turning VkResult codes into meshrt Errors.
#pragma once

#include <vulkan/vulkan.h>

#include "meshrt/result.h"

namespace meshrt::vk {

// "VK_ERROR_OUT_OF_DEVICE_MEMORY" etc.; "VkResult(<n>)" for codes it does not know.
const char* resultName(VkResult result);

// Error "<call>: <VkResult name>".
inline Error vkError(std::string_view call, VkResult result) { return makeError(call, resultName(result)); }

}  // namespace meshrt::vk

// Evaluates a Vulkan call; on failure returns an Error naming the call from the enclosing function.
#define MESHRT_VK_TRY(call)                                                 \
  do {                                                                      \
    VkResult meshrtVkResult_ = (call);                                      \
    if (meshrtVkResult_ != VK_SUCCESS) return ::meshrt::vk::vkError(#call, meshrtVkResult_); \
  } while (0)
