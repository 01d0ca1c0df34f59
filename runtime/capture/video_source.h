// `--source FILE`: a video file decoded with FFmpeg (libavformat + libavcodec), converted to
// RGB8 with libswscale, looped at the end.
#pragma once

#include "capture/frame_source.h"

namespace meshrt {

class VideoSource final : public FrameSource {
 public:
  // Errors name the file and the failing step: "<path>: cannot open: <FFmpeg reason>",
  // "<path>: no video stream", "<path>: no decoder for codec <name>".
  static Result<std::unique_ptr<VideoSource>> open(const std::string& path);
  ~VideoSource() override;
  VideoSource(const VideoSource&) = delete;
  VideoSource& operator=(const VideoSource&) = delete;

  // Decodes the next frame; at the end of the file seeks back to the start (never ends).
  Result<bool> next(Frame& frame) override;
  std::string name() const override { return mPath; }

 private:
  struct Ffmpeg;  // the libav* handles (video_source.cpp)
  VideoSource(std::string path, std::unique_ptr<Ffmpeg> ffmpeg);
  Result<bool> decodeOne(Frame& frame);  // false at the end of the file
  std::string mPath;
  std::unique_ptr<Ffmpeg> mFfmpeg;
  int64_t mNextIndex = 0;
};

}  // namespace meshrt
