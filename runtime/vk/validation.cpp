#include "vk/validation.h"

#include <cstdio>

namespace meshrt::vk {
namespace {

VKAPI_ATTR VkBool32 VKAPI_CALL forwardMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                              VkDebugUtilsMessageTypeFlagsEXT /*types*/,
                                              const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
  if (severity < VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) return VK_FALSE;
  ValidationMessage message;
  message.severity = severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT ? MessageSeverity::Error
                                                                               : MessageSeverity::Warning;
  message.idName = data->pMessageIdName ? data->pMessageIdName : "";
  message.text = data->pMessage ? data->pMessage : "";
  const auto* handler = static_cast<const ValidationHandler*>(user);
  if (handler && *handler) {
    (*handler)(message);
  } else {
    printValidationMessage(message);
  }
  return VK_FALSE;  // never abort the call: the handler decides what a message means
}

}  // namespace

void printValidationMessage(const ValidationMessage& message) {
  std::fprintf(stderr, "meshrt: Vulkan validation %s: %s\n",
               message.severity == MessageSeverity::Error ? "error" : "warning", message.text.c_str());
}

VkDebugUtilsMessengerCreateInfoEXT makeMessengerCreateInfo(const ValidationHandler* handler) {
  VkDebugUtilsMessengerCreateInfoEXT info{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  info.pfnUserCallback = forwardMessage;
  info.pUserData = const_cast<ValidationHandler*>(handler);
  return info;
}

}  // namespace meshrt::vk
