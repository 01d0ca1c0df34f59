#include "capture/image_source.h"

namespace meshrt {

Result<std::unique_ptr<ImageSource>> ImageSource::open(const std::string& path) {
  auto image = readImage(path);
  if (!image) return image.error();
  return std::unique_ptr<ImageSource>(new ImageSource(path, std::move(*image)));
}

Result<bool> ImageSource::next(Frame& frame) {
  frame.image = mImage;
  frame.index = mNextIndex++;
  frame.timestampNs = static_cast<int64_t>(static_cast<double>(frame.index) / FPS * 1e9);
  return true;
}

}  // namespace meshrt
