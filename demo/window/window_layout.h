// Where the windowed demo puts things, shared with the e2e test that checks its screenshot.
#pragma once

#include <cstdint>

namespace meshrt::demo {

inline constexpr uint32_t DEFAULT_WINDOW_WIDTH = 1280;   // pixels
inline constexpr uint32_t DEFAULT_WINDOW_HEIGHT = 720;   // pixels
inline constexpr float PANEL_WIDTH = 380.0f;              // the ImGui panel fills this strip on the right
// The panel's title bar colour (RGB8, focused or not), a colour the sample scene does not use.
inline constexpr uint8_t PANEL_TITLE_RGB[3] = {41, 74, 122};
// The novel-view inset (window/orbit_view.h): ORBIT_INSET_SIZE² pixels at the bottom left of the
// frame view, ORBIT_INSET_MARGIN pixels from the window's left and bottom edges.
inline constexpr uint32_t ORBIT_INSET_SIZE = 256;
inline constexpr uint32_t ORBIT_INSET_MARGIN = 8;
// Backdrop of the window area the frame view does not cover (RGB8).
inline constexpr uint8_t BACKDROP_RGB[3] = {24, 24, 28};

}  // namespace meshrt::demo
