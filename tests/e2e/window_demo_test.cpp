// The windowed demo end to end under a private virtual X display (Xvfb) on lavapipe: it runs 60
// frames with validation on, reads the swapchain image back as a screenshot, and the
// screenshot must show the ImGui panel and the rendered scene. The screenshot is kept in
// <build>/test-artifacts/window_demo.png. Without Xvfb the test reports SKIPPED.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "core/image.h"
#include "e2e/process.h"
#include "e2e/virtual_display.h"
#include "window/window_layout.h"

namespace meshrt::test {
namespace {

namespace fs = std::filesystem;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

TEST(WindowDemoTest, ScreenshotShowsThePanelAndTheScene) {
  std::string whyNot;
  const auto display = VirtualDisplay::start(whyNot);
  if (!display) GTEST_SKIP() << whyNot;
  const fs::path artifacts = MESHRT_TEST_ARTIFACT_DIR;
  fs::create_directories(artifacts);
  const fs::path shot = artifacts / "window_demo.png";
  fs::remove(shot);
  const fs::path out = fs::temp_directory_path() / ("meshrt_window_" + std::to_string(::getpid()));
  const ProcessResult result = runMeshrt(
      {"demo", "--frames", "60", "--screenshot", shot.string(), "--out", out.string()},
      {"DISPLAY=" + display->name(), "WAYLAND_DISPLAY="});
  fs::remove_all(out);
  ASSERT_EQ(result.exitCode, 0) << result.out << result.err;
  EXPECT_EQ(lower(result.err).find("validation"), std::string::npos) << result.err;
  EXPECT_NE(result.out.find("wrote screenshot"), std::string::npos) << result.out;

  auto image = readImage(shot.string());
  ASSERT_TRUE(image) << image.error().message;
  ASSERT_EQ(image->width, demo::DEFAULT_WINDOW_WIDTH);
  ASSERT_EQ(image->height, demo::DEFAULT_WINDOW_HEIGHT);
  const auto panelLeft = static_cast<uint32_t>(image->width - demo::PANEL_WIDTH);

  // The panel: its title bar colour (exact up to 6 levels) in the panel strip, and nowhere near
  // that much of it in the view (the scene does not use that colour).
  size_t titleInPanel = 0, titleInView = 0;
  // The view: the frame's colours vary (the coffee photo of the built-in sample).
  std::set<uint32_t> viewColours;
  // The reconstruction: the default pack's box edges, drawn in saturated green (0, 255, 64;
  // demo/reconstruct_output.cpp), a colour the photo does not have; tolerance for the view's scaling.
  size_t edgePixels = 0;
  double sum = 0, sumSquares = 0;
  size_t viewPixels = 0;
  for (uint32_t y = 0; y < image->height; ++y) {
    for (uint32_t x = 0; x < image->width; ++x) {
      const uint8_t* p = image->at(x, y);
      bool title = true;
      for (int c = 0; c < 3; ++c) title &= std::abs(int{p[c]} - int{demo::PANEL_TITLE_RGB[c]}) <= 6;
      if (x >= panelLeft) {
        titleInPanel += title;
      } else {
        titleInView += title;
        edgePixels += p[1] > 200 && p[0] < 80 && p[2] < 120 && p[1] > p[0] + 120;
        viewColours.insert(uint32_t{p[0]} << 16 | uint32_t{p[1]} << 8 | p[2]);
        const double luma = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
        sum += luma;
        sumSquares += luma * luma;
        ++viewPixels;
      }
    }
  }
  const double mean = sum / viewPixels;
  const double deviation = std::sqrt(std::max(0.0, sumSquares / viewPixels - mean * mean));
  std::printf("panel title pixels: %zu in the panel, %zu in the view; view luma std-dev %.1f, %zu colours\n",
              titleInPanel, titleInView, deviation, viewColours.size());
  // A title bar is about PANEL_WIDTH x 19 px (7,000 px); checkbox and button frames add more.
  EXPECT_GT(titleInPanel, 3000u) << "no ImGui panel in " << shot;
  EXPECT_LT(titleInView, 200u) << shot;
  EXPECT_GT(deviation, 20.0) << "the view is nearly one colour in " << shot;
  EXPECT_GT(viewColours.size(), 500u) << shot;
  std::printf("box-edge pixels in the view: %zu\n", edgePixels);
  if (packInstalled("objectron-cup")) {
    EXPECT_NE(result.out.find("pack: objectron-cup"), std::string::npos) << result.out;
    EXPECT_GT(edgePixels, 400u) << "no reconstruction (box edges) in " << shot;
  } else {
    EXPECT_LT(edgePixels, 50u) << shot;
    std::printf("pack objectron-cup not installed: the reconstruction part of this test did not run\n");
  }
}

TEST(WindowDemoTest, MissingWebcamShowsAMessageAndTheSampleGoesOn) {
  std::string whyNot;
  const auto display = VirtualDisplay::start(whyNot);
  if (!display) GTEST_SKIP() << whyNot;
  const fs::path out = fs::temp_directory_path() / ("meshrt_window_cam_" + std::to_string(::getpid()));
  const ProcessResult result = runMeshrt({"demo", "--source", "webcam:97", "--frames", "5", "--out", out.string()},
                                         {"DISPLAY=" + display->name(), "WAYLAND_DISPLAY="});
  fs::remove_all(out);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.err.find("/dev/video97: cannot open"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("showing sample"), std::string::npos) << result.err;
  EXPECT_EQ(lower(result.err).find("validation"), std::string::npos) << result.err;
  EXPECT_NE(result.out.find("5 frames"), std::string::npos) << result.out;
}

TEST(WindowDemoTest, WithoutADisplayItRunsHeadlessAndSaysWhere) {
  const fs::path out = fs::temp_directory_path() / ("meshrt_nodisplay_" + std::to_string(::getpid()));
  fs::remove_all(out);
  const ProcessResult result =
      runMeshrt({"demo", "--frames", "2", "--out", out.string()}, {"DISPLAY=", "WAYLAND_DISPLAY="});
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.err.find("no display"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(out.string()), std::string::npos) << result.err;
  EXPECT_TRUE(fs::exists(out / "frame_0000.png"));
  EXPECT_TRUE(fs::exists(out / "frame_0001.png"));
  fs::remove_all(out);
}

}  // namespace
}  // namespace meshrt::test
