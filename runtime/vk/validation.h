// Routing of VK_LAYER_KHRONOS_validation messages (VK_EXT_debug_utils).
#pragma once

#include <vulkan/vulkan.h>

#include <functional>
#include <string>

namespace meshrt::vk {

enum class MessageSeverity { Verbose, Info, Warning, Error };

struct ValidationMessage {
  MessageSeverity severity;
  std::string idName;   // e.g. "VUID-VkBufferCreateInfo-size-00912" or "SYNC-HAZARD-WRITE-AFTER-READ"
  std::string text;     // the layer's full message
};

// Receives every message of warning or error severity (info and verbose are dropped).
// Called from whichever thread made the Vulkan call; must be thread-safe.
using ValidationHandler = std::function<void(const ValidationMessage&)>;

// The default handler: one line per message on stderr.
void printValidationMessage(const ValidationMessage& message);

// Fills a create-info whose callback forwards to `*handler` (which must outlive the messenger).
VkDebugUtilsMessengerCreateInfoEXT makeMessengerCreateInfo(const ValidationHandler* handler);

}  // namespace meshrt::vk
