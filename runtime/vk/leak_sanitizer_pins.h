// Sanitizer builds only (a no-op otherwise). The Vulkan loader dlcloses the driver and the
// validation layer when the instance is destroyed, so LeakSanitizer would report their
// process-lifetime allocations from an "unknown module" that no suppression can match.
// Keeping them mapped lets tests/sanitizers/lsan.supp name them, while meshrt's own leaks
// are still reported. Call once at the start of main().
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#include <dlfcn.h>
#endif

namespace meshrt::vk {

inline void pinVulkanLibrariesForLeakSanitizer() {
#if defined(__SANITIZE_ADDRESS__)
  for (const char* library : {"libVkLayer_khronos_validation.so", "libvulkan_lvp.so"}) {
    (void)dlopen(library, RTLD_NOW | RTLD_NODELETE | RTLD_GLOBAL);  // absent libraries are fine
  }
#endif
}

}  // namespace meshrt::vk
