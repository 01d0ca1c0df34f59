#include "vk/device_selection.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace meshrt::vk {
namespace {

int preferenceRank(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::Discrete: return 0;
    case DeviceKind::Integrated: return 1;
    case DeviceKind::Virtual: return 2;
    case DeviceKind::Other: return 3;
    case DeviceKind::Cpu: return 4;
  }
  return 5;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string listDevices(const std::vector<DeviceCandidate>& candidates) {
  if (candidates.empty()) return "no Vulkan devices at all";
  std::string text = "devices:";
  for (size_t i = 0; i < candidates.size(); ++i) {
    text += " " + std::to_string(i) + " '" + candidates[i].name + "'";
    if (!candidates[i].meetsRequirements || !candidates[i].hasComputeQueue) text += " (unusable)";
    if (i + 1 < candidates.size()) text += ",";
  }
  return text;
}

bool usable(const DeviceCandidate& candidate) { return candidate.hasComputeQueue && candidate.meetsRequirements; }

}  // namespace

Result<size_t> selectDevice(const std::vector<DeviceCandidate>& candidates, std::string_view selector,
                            std::string_view selectorSource) {
  const std::string context = std::string(selectorSource) + "='" + std::string(selector) + "'";
  if (selector.empty()) {
    std::optional<size_t> best;
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (!usable(candidates[i])) continue;
      if (!best || preferenceRank(candidates[i].kind) < preferenceRank(candidates[*best].kind)) best = i;
    }
    if (!best) return makeError("Vulkan", "no usable device (needs Vulkan 1.2, timeline semaphores and a compute queue; " +
                                              listDevices(candidates) + ")");
    return *best;
  }
  if (std::all_of(selector.begin(), selector.end(), [](unsigned char c) { return std::isdigit(c); })) {
    const size_t index = std::stoul(std::string(selector));
    if (index >= candidates.size()) return makeError(context, "no Vulkan device with that index (" + listDevices(candidates) + ")");
    if (!usable(candidates[index])) return makeError(context, "device '" + candidates[index].name + "' is unusable (needs Vulkan 1.2, timeline semaphores and a compute queue)");
    return index;
  }
  const std::string needle = lower(selector);
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (usable(candidates[i]) && lower(candidates[i].name).find(needle) != std::string::npos) return i;
  }
  return makeError(context, "no Vulkan device matches (" + listDevices(candidates) + ")");
}

}  // namespace meshrt::vk
