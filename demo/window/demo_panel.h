// The windowed demo's ImGui panel: what is shown, device and backends, FPS, per-stage timings
// (table and scrolling plot of p50/p99), and the controls (vsync, fullscreen, screenshot).
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "core/stage_stats.h"

namespace meshrt::demo {

// What the panel shows; refreshed by the frame loop.
struct PanelInfo {
  std::string device;        // Vulkan device name
  std::string driver;        // driver name and info
  std::string source;        // frame source name, e.g. "sample"
  std::string status;        // last one-line status (screenshot written, errors)
  std::string pack;          // the pack running, "" = none
  std::vector<std::string> packChoices;  // installed packs the window can switch to
  size_t objects = 0;        // objects the pack found in the last frame
  float textureCoverage = 0; // fraction of the fused texture seen so far (object 0)
  std::string orbit;         // the orbit camera, e.g. "yaw 12°, pitch -5°, distance 3.0", "" = none
  double fps = 0;            // frames per second over the last stats window
  std::map<std::string, StageStats> cpuStages;  // per stage, ms, last stats window
  std::map<std::string, StageStats> gpuStages;
};

// Frame-time history for the scrolling plot, ms; one entry per stats window.
struct TimingHistory {
  static constexpr size_t LENGTH = 120;
  std::array<float, LENGTH> p50{};
  std::array<float, LENGTH> p99{};
  size_t next = 0;    // ring position of the oldest entry once full
  size_t filled = 0;  // entries written so far, up to LENGTH
  void push(float p50Ms, float p99Ms);
};

// What the user asked for this frame.
struct PanelActions {
  bool vsync = true;        // current state of the checkbox (in and out)
  bool fullscreen = false;  // current state of the checkbox (in and out)
  bool saveScreenshot = false;
  std::array<char, 512> sourceText{};  // the source text field (in and out)
  std::string openSource;              // non-empty: the user asked to switch to this source
  bool resetFusion = false;            // the user asked to forget the track and the fused texture
  bool exportMesh = false;  // the user asked to export object 0's mesh and texture to --out
  int insetView = 0;  // window/orbit_view.h InsetView: 0 orbit, 1 correspondence, 2 off (in and out)
  std::string selectPack;  // non-empty: the user picked this pack ("none": run without one)
};

// Draws the panel in the strip of PANEL_WIDTH pixels on the right of a window of the given size.
void drawPanel(const PanelInfo& info, const TimingHistory& history, float windowWidth, float windowHeight,
               PanelActions& actions);

// Sets the dark style with the panel colours of window_layout.h.
void applyPanelStyle();

}  // namespace meshrt::demo
