#include "capture/sample_source.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace meshrt {

// The photo's bytes, linked in by the assembler (.incbin of MESHRT_SAMPLE_PHOTO, an absolute path
// given by runtime/CMakeLists.txt, which also makes this file depend on the photo).
extern "C" const uint8_t meshrt_sample_photo[];
extern "C" const uint8_t meshrt_sample_photo_end[];
asm(".section .rodata\n"
    ".balign 16\n"
    ".global meshrt_sample_photo\n"
    "meshrt_sample_photo:\n"
    ".incbin \"" MESHRT_SAMPLE_PHOTO "\"\n"
    ".global meshrt_sample_photo_end\n"
    "meshrt_sample_photo_end:\n"
    ".byte 0\n"
    ".previous\n");

Result<std::unique_ptr<SampleSource>> SampleSource::create() {
  const size_t size = static_cast<size_t>(meshrt_sample_photo_end - meshrt_sample_photo);
  auto photo = decodeImage(meshrt_sample_photo, size, "sample (assets/sample/coffee.jpg)");
  if (!photo) return photo.error();
  if (photo->width < WIDTH || photo->height < HEIGHT) {
    return makeError("sample", "the embedded photo is smaller than the " + std::to_string(WIDTH) + "x" +
                                   std::to_string(HEIGHT) + " frame");
  }
  return std::unique_ptr<SampleSource>(new SampleSource(std::move(*photo)));
}

Result<bool> SampleSource::next(Frame& frame) {
  const int64_t index = mNextIndex++;
  const double t = static_cast<double>(index) / FPS;  // seconds
  // The window's top-left corner: centred, plus a Lissajous drift (periods 9.0 s and 6.3 s).
  const double slackX = 0.5 * (mPhoto.width - WIDTH), slackY = 0.5 * (mPhoto.height - HEIGHT);
  const auto left = static_cast<uint32_t>(std::lround(slackX * (1.0 + std::sin(0.7 * t))));
  const auto top = static_cast<uint32_t>(std::lround(slackY * (1.0 + std::sin(1.0 * t + 0.5))));
  Image& image = frame.image;
  if (image.width != WIDTH || image.height != HEIGHT || image.channels != 3) image = Image(WIDTH, HEIGHT, 3);
  for (uint32_t y = 0; y < HEIGHT; ++y) {
    std::memcpy(image.at(0, y), mPhoto.at(std::min(left, mPhoto.width - WIDTH), std::min(top + y, mPhoto.height - 1)),
                size_t{WIDTH} * 3);
  }
  frame.index = index;
  frame.timestampNs = static_cast<int64_t>(t * 1e9);
  return true;
}

}  // namespace meshrt
