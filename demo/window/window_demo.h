// The windowed live demo (`meshrt demo` with a display): a GLFW window with a Vulkan
// swapchain, the frame view and the ImGui panel (demo_panel.h). Only demo/ links GLFW and ImGui
// (DESIGN §9).
#pragma once

#include <cstdint>
#include <string>

#include "core/pack.h"
#include "meshrt/result.h"

namespace meshrt::demo {

struct WindowDemoParams {
  int64_t frames = 0;          // stop after this many frames; 0: run until the window is closed
  std::string screenshotPath;  // non-empty: after the last frame, write the swapchain image here (PNG)
  std::string outDir;          // where the panel's "Save screenshot" button writes
  std::string source = "sample";  // --source text; one that fails to open shows a message, then the sample
  bool vsync = true;
  bool fullscreen = false;
  const PackSpec* pack = nullptr;  // the pack to run on every frame; null = none
};

struct WindowDemoSummary {
  int64_t frames = 0;
  double wallSeconds = 0;
  int validationMessages = 0;  // Vulkan validation messages (MESHRT_VALIDATION=1)
};

// True when $DISPLAY or $WAYLAND_DISPLAY is set and GLFW can connect to it; GLFW then stays
// initialised for runWindowDemo().
bool displayAvailable();

Result<WindowDemoSummary> runWindowDemo(const WindowDemoParams& params);

}  // namespace meshrt::demo
