// `--source IMAGE`: one still image, returned again and again (a still video at 30 fps).
#pragma once

#include "capture/frame_source.h"

namespace meshrt {

class ImageSource final : public FrameSource {
 public:
  static constexpr double FPS = 30.0;  // synthetic timestamps
  // Error: "<path>: cannot read image: <reason>".
  static Result<std::unique_ptr<ImageSource>> open(const std::string& path);
  Result<bool> next(Frame& frame) override;  // never ends
  std::string name() const override { return mPath; }

 private:
  ImageSource(std::string path, Image image) : mPath(std::move(path)), mImage(std::move(image)) {}
  std::string mPath;
  Image mImage;  // RGB8
  int64_t mNextIndex = 0;
};

}  // namespace meshrt
