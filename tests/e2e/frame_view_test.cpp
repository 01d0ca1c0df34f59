// composeFrameView(): the frame is scaled into the view area with its aspect kept, centred,
// over the backdrop, in the swapchain's channel order.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "window/frame_view.h"
#include "window/window_layout.h"

namespace meshrt::demo {
namespace {

TEST(FrameViewTest, FitsTheFrameLeftOfThePanelInBgraOrder) {
  Image frame(4, 2, 3);  // left half red, right half blue
  for (uint32_t y = 0; y < 2; ++y) {
    for (uint32_t x = 0; x < 4; ++x) {
      frame.at(x, y)[0] = x < 2 ? 255 : 0;
      frame.at(x, y)[2] = x < 2 ? 0 : 255;
    }
  }
  // A 12x8 target with an 8-column view: scale 2, the frame covers rows 2..5, columns 0..7.
  std::vector<uint8_t> target(12 * 8 * 4);
  composeFrameView(frame, target.data(), 12, 8, 8, /*bgra=*/true);
  auto pixel = [&](uint32_t x, uint32_t y) { return &target[(y * 12 + x) * 4]; };
  EXPECT_EQ(pixel(1, 3)[2], 255);  // red lands in the R byte of BGRA
  EXPECT_EQ(pixel(1, 3)[0], 0);
  EXPECT_EQ(pixel(6, 4)[0], 255);  // blue in the B byte
  EXPECT_EQ(pixel(6, 4)[2], 0);
  EXPECT_EQ(pixel(1, 3)[3], 255);
  for (const auto& [x, y] : {std::pair{0u, 0u}, std::pair{5u, 7u}, std::pair{10u, 4u}}) {
    EXPECT_EQ(pixel(x, y)[2], BACKDROP_RGB[0]) << x << "," << y;  // above, below, and under the panel
    EXPECT_EQ(pixel(x, y)[1], BACKDROP_RGB[1]);
    EXPECT_EQ(pixel(x, y)[0], BACKDROP_RGB[2]);
  }
}

TEST(FrameViewTest, RgbaOrderAndANarrowView) {
  Image frame(2, 2, 3);
  for (uint8_t& byte : frame.pixels) byte = 0;
  frame.at(0, 0)[0] = 200;
  std::vector<uint8_t> target(4 * 4 * 4);
  composeFrameView(frame, target.data(), 4, 4, 2, /*bgra=*/false);  // scale 1, centred vertically
  EXPECT_EQ(target[(1 * 4 + 0) * 4 + 0], 200);                       // (0,1): the frame's (0,0), R first
  EXPECT_EQ(target[(0 * 4 + 0) * 4 + 0], BACKDROP_RGB[0]);
}

}  // namespace
}  // namespace meshrt::demo
