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
  // The content's shift (Lissajous, periods 9.0 s and 6.3 s): frame pixel (x, y) shows photo
  // pixel (x - shiftX, y - shiftY), clamped to the photo's edges.
  const int shiftX = static_cast<int>(std::lround(MAX_SHIFT_X * std::sin(0.7 * t)));
  const int shiftY = static_cast<int>(std::lround(MAX_SHIFT_Y * std::sin(1.0 * t + 0.5)));
  Image& image = frame.image;
  if (image.width != WIDTH || image.height != HEIGHT || image.channels != 3) image = Image(WIDTH, HEIGHT, 3);
  const int photoWidth = static_cast<int>(mPhoto.width), photoHeight = static_cast<int>(mPhoto.height);
  for (uint32_t y = 0; y < HEIGHT; ++y) {
    const int sourceY = std::clamp(static_cast<int>(y) - shiftY, 0, photoHeight - 1);
    const uint8_t* row = mPhoto.at(0, static_cast<uint32_t>(sourceY));
    uint8_t* out = image.at(0, y);
    for (uint32_t x = 0; x < WIDTH; ++x) {
      const int sourceX = std::clamp(static_cast<int>(x) - shiftX, 0, photoWidth - 1);
      std::memcpy(out + 3 * x, row + 3 * sourceX, 3);
    }
  }
  frame.index = index;
  frame.timestampNs = static_cast<int64_t>(t * 1e9);
  return true;
}

}  // namespace meshrt
