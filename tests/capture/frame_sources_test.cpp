// The frame sources of capture/: image (looped still), directory (sorted, looped), video file
// (FFmpeg; a clip made by the ffmpeg program), webcam (V4L2; SKIPPED without /dev/video*),
// and the --source parser's errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <array>
#include <fstream>

#include "capture/directory_source.h"
#include "capture/frame_source_factory.h"
#include "capture/image_source.h"
#include "capture/sample_source.h"
#include "capture/video_source.h"
#include "capture/webcam_source.h"

namespace meshrt {
namespace {

namespace fs = std::filesystem;

class FrameSourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mDir = fs::temp_directory_path() / ("meshrt_sources_" + std::to_string(::getpid()));
    fs::remove_all(mDir);
    fs::create_directories(mDir);
  }
  void TearDown() override { fs::remove_all(mDir); }
  fs::path mDir;
};

Image solid(uint32_t width, uint32_t height, uint8_t r, uint8_t g, uint8_t b) {
  Image image(width, height, 3);
  for (size_t i = 0; i < size_t{width} * height; ++i) {
    image.pixels[i * 3] = r;
    image.pixels[i * 3 + 1] = g;
    image.pixels[i * 3 + 2] = b;
  }
  return image;
}

std::array<double, 3> meanColour(const Image& image) {
  std::array<double, 3> sum{};
  for (size_t i = 0; i < image.pixels.size(); ++i) sum[i % 3] += image.pixels[i];
  const double count = static_cast<double>(image.pixels.size() / 3);
  return {sum[0] / count, sum[1] / count, sum[2] / count};
}

TEST_F(FrameSourcesTest, ImageIsLoopedAsAStill) {
  Image picture = solid(33, 17, 10, 20, 30);
  picture.at(5, 6)[0] = 250;
  const std::string path = (mDir / "still.png").string();
  ASSERT_TRUE(writePng(picture, path));
  auto source = openFrameSource(path);
  ASSERT_TRUE(source) << source.error().message;
  EXPECT_NE(dynamic_cast<ImageSource*>(source->get()), nullptr);
  for (int64_t i = 0; i < 3; ++i) {
    Frame frame;
    auto got = (*source)->next(frame);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ(frame.index, i);
    ASSERT_EQ(frame.image.width, 33u);
    ASSERT_EQ(frame.image.height, 17u);
    EXPECT_EQ(frame.image.pixels, picture.pixels);
  }
}

TEST_F(FrameSourcesTest, DirectoryGoesThroughItsImagesInNameOrderAndLoops) {
  ASSERT_TRUE(writePng(solid(8, 8, 200, 0, 0), (mDir / "b.png").string()));
  ASSERT_TRUE(writePng(solid(8, 8, 0, 200, 0), (mDir / "a.png").string()));
  ASSERT_TRUE(writePng(solid(8, 8, 0, 0, 200), (mDir / "c.PNG").string()));
  std::ofstream(mDir / "notes.txt") << "not an image";
  auto source = openFrameSource(mDir.string());
  ASSERT_TRUE(source) << source.error().message;
  auto* directory = dynamic_cast<DirectorySource*>(source->get());
  ASSERT_NE(directory, nullptr);
  EXPECT_EQ(directory->files().size(), 3u);
  const uint8_t expected[4][3] = {{0, 200, 0}, {200, 0, 0}, {0, 0, 200}, {0, 200, 0}};  // a, b, c, a
  for (const auto& rgb : expected) {
    Frame frame;
    auto got = (*source)->next(frame);
    ASSERT_TRUE(got && *got) << (got ? "" : got.error().message);
    EXPECT_EQ(frame.image.at(3, 3)[0], rgb[0]);
    EXPECT_EQ(frame.image.at(3, 3)[1], rgb[1]);
    EXPECT_EQ(frame.image.at(3, 3)[2], rgb[2]);
  }
}

TEST_F(FrameSourcesTest, DirectoryWithoutImagesIsAnError) {
  auto source = openFrameSource(mDir.string());
  ASSERT_FALSE(source);
  EXPECT_NE(source.error().message.find("no image files"), std::string::npos) << source.error().message;
}

TEST_F(FrameSourcesTest, VideoFileIsDecodedToRgbAndLooped) {
  if (std::system("command -v ffmpeg >/dev/null 2>&1") != 0) GTEST_SKIP() << "ffmpeg not found on PATH (Debian: ffmpeg)";
  // 12 frames of pure red at 10 fps, 96x64, MPEG-4 part 2 (an encoder every FFmpeg build has).
  const std::string clip = (mDir / "red.mkv").string();
  const std::string command = "ffmpeg -v error -y -f lavfi -i color=c=0xff0000:size=96x64:rate=10 -frames:v 12 "
                              "-c:v mpeg4 -q:v 2 -pix_fmt yuv420p '" + clip + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  auto source = openFrameSource(clip);
  ASSERT_TRUE(source) << source.error().message;
  EXPECT_NE(dynamic_cast<VideoSource*>(source->get()), nullptr);
  Frame first;
  int64_t previousTimestamp = -1;
  for (int64_t i = 0; i < 12; ++i) {
    Frame frame;
    auto got = (*source)->next(frame);
    ASSERT_TRUE(got && *got) << (got ? "" : got.error().message);
    ASSERT_EQ(frame.image.width, 96u);
    ASSERT_EQ(frame.image.height, 64u);
    EXPECT_EQ(frame.index, i);
    EXPECT_GT(frame.timestampNs, previousTimestamp);  // 100 ms apart at 10 fps
    previousTimestamp = frame.timestampNs;
    const auto mean = meanColour(frame.image);
    EXPECT_GT(mean[0], 230.0);  // red survives YUV 4:2:0 and the RGB conversion
    EXPECT_LT(mean[1], 25.0);
    EXPECT_LT(mean[2], 25.0);
    if (i == 0) first = frame;
  }
  EXPECT_NEAR(static_cast<double>(previousTimestamp), 1.1e9, 1e6);
  Frame again;  // the 13th frame is the first one again
  auto got = (*source)->next(again);
  ASSERT_TRUE(got && *got) << (got ? "" : got.error().message);
  EXPECT_EQ(again.index, 12);
  EXPECT_EQ(again.timestampNs, first.timestampNs);
  EXPECT_EQ(again.image.pixels, first.image.pixels);
}

TEST_F(FrameSourcesTest, NotAVideoIsAnErrorNamingTheFile) {
  const std::string path = (mDir / "junk.mp4").string();
  std::ofstream(path) << "this is not a video";
  auto source = openFrameSource(path);
  ASSERT_FALSE(source);
  EXPECT_EQ(source.error().message.find(path), 0u) << source.error().message;
}

TEST(FrameSourceSpecTest, UnknownPathsAndBadWebcamNumbersAreErrors) {
  auto missing = openFrameSource("/nonexistent/clip.mp4");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no such file"), std::string::npos) << missing.error().message;
  auto bad = openFrameSource("webcam:x");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("webcam:N"), std::string::npos) << bad.error().message;
}

TEST(WebcamSourceTest, AbsentDeviceIsAnErrorNamingIt) {
  auto source = openFrameSource("webcam:97");
  ASSERT_FALSE(source);
  EXPECT_NE(source.error().message.find("/dev/video97"), std::string::npos) << source.error().message;
}

TEST(WebcamSourceTest, CapturesAFrameFromTheFirstCamera) {
  int index = -1;
  for (int i = 0; i < 64 && index < 0; ++i) {
    if (fs::exists("/dev/video" + std::to_string(i))) index = i;
  }
  if (index < 0) GTEST_SKIP() << "no /dev/video* device on this machine";
  auto source = WebcamSource::open(index);
  ASSERT_TRUE(source) << source.error().message;
  Frame frame;
  auto got = (*source)->next(frame);
  ASSERT_TRUE(got && *got) << (got ? "" : got.error().message);
  EXPECT_GT(frame.image.width, 0u);
  EXPECT_GT(frame.image.height, 0u);
  EXPECT_EQ(frame.image.pixels.size(), size_t{frame.image.width} * frame.image.height * 3);
}

}  // namespace
}  // namespace meshrt

namespace meshrt {
namespace {

// The built-in sample: the embedded coffee photo, a window that drifts, the same on every run.
TEST(SampleSourceTest, FramesAreWindowsOfThePhotoThatDriftAndRepeatAcrossRuns) {
  auto first = openFrameSource("sample");
  auto second = openFrameSource("sample");
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(second.ok()) << second.error().message;
  Frame a, b, later;
  ASSERT_TRUE((*first)->next(a).ok());
  ASSERT_TRUE((*second)->next(b).ok());
  EXPECT_EQ(a.image.width, SampleSource::WIDTH);
  EXPECT_EQ(a.image.height, SampleSource::HEIGHT);
  EXPECT_EQ(a.image.pixels, b.image.pixels) << "frame 0 differs between two runs";
  for (int i = 0; i < 45; ++i) ASSERT_TRUE((*first)->next(later).ok());  // 1.5 s later
  EXPECT_EQ(later.index, 45);
  EXPECT_NE(later.image.pixels, a.image.pixels) << "the window must drift";
  // A photo, not a flat fill: the channel values spread widely.
  const auto [low, high] = std::minmax_element(a.image.pixels.begin(), a.image.pixels.end());
  EXPECT_LT(*low, 40);
  EXPECT_GT(*high, 215);
}

}  // namespace
}  // namespace meshrt
