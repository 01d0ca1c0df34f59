// An 8-bit image in host memory and PNG output.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "meshrt/result.h"

namespace meshrt {

// Row-major, top row first, tightly packed: pixel (x, y) channel c at (y*width + x)*channels + c.
// Colour is sRGB; channel order R, G, B(, A).
struct Image {
  uint32_t width = 0;
  uint32_t height = 0;
  uint32_t channels = 3;
  std::vector<uint8_t> pixels;

  Image() = default;
  Image(uint32_t w, uint32_t h, uint32_t c) : width(w), height(h), channels(c), pixels(size_t{w} * h * c, 0) {}
  uint8_t* at(uint32_t x, uint32_t y) { return pixels.data() + (size_t{y} * width + x) * channels; }
  const uint8_t* at(uint32_t x, uint32_t y) const { return pixels.data() + (size_t{y} * width + x) * channels; }
};

// Writes `path` atomically: to "<path>.tmp" first, then renamed, so a reader never sees a
// half-written file. Error: "<path>: cannot write PNG: <reason>".
Result<void> writePng(const Image& image, const std::string& path);

// Encodes `image` as PNG bytes in memory (for files that embed images, e.g. .glb).
// Error: "<context>: cannot encode PNG: <reason>".
Result<std::vector<uint8_t>> encodePng(const Image& image, const std::string& context);

// Reads a PNG, JPEG, BMP, TGA, GIF (first frame) or PNM file as RGB8 (alpha dropped, grey
// expanded). Error: "<path>: cannot read image: <reason>".
Result<Image> readImage(const std::string& path);

// The same from encoded bytes in memory; `name` labels errors.
Result<Image> decodeImage(const uint8_t* bytes, size_t size, const std::string& name);

}  // namespace meshrt
