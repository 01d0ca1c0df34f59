// `--source webcam[:N]`: /dev/videoN through V4L2 (memory-mapped streaming), asking for
// 640x480 YUYV, else MJPEG (decoded with libturbojpeg); converted to RGB8.
#pragma once

#include <vector>

#include "capture/frame_source.h"

namespace meshrt {

class WebcamSource final : public FrameSource {
 public:
  // Errors name the device and the step: "/dev/video0: cannot open: No such file or directory",
  // "/dev/video0: not a capture device", "/dev/video0: offers neither YUYV nor MJPEG".
  static Result<std::unique_ptr<WebcamSource>> open(int index);
  ~WebcamSource() override;
  WebcamSource(const WebcamSource&) = delete;
  WebcamSource& operator=(const WebcamSource&) = delete;

  // Waits up to 2 s for the next frame; a timeout is an error naming the device.
  Result<bool> next(Frame& frame) override;
  std::string name() const override { return "webcam:" + std::to_string(mIndex); }

 private:
  struct Mapping {
    void* start = nullptr;
    size_t length = 0;
  };
  WebcamSource(int index, std::string device, int fd) : mIndex(index), mDevice(std::move(device)), mFd(fd) {}
  Result<void> configure();
  Result<void> convert(const uint8_t* bytes, size_t size, Image& image);

  int mIndex;
  std::string mDevice;  // "/dev/videoN"
  int mFd;
  uint32_t mWidth = 0, mHeight = 0, mPixelFormat = 0, mBytesPerLine = 0;
  std::vector<Mapping> mBuffers;
  void* mJpeg = nullptr;  // tjhandle, created for MJPEG
  bool mStreaming = false;
  int64_t mNextIndex = 0;
};

}  // namespace meshrt
