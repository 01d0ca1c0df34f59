#include "core/image.h"

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace meshrt {

Result<void> writePng(const Image& image, const std::string& path) {
  if (image.width == 0 || image.height == 0 || image.channels < 1 || image.channels > 4 ||
      image.pixels.size() != size_t{image.width} * image.height * image.channels) {
    return makeError(path, "cannot write PNG: image has inconsistent size or channel count");
  }
  const std::string temporary = path + ".tmp";
  errno = 0;
  const int ok = stbi_write_png(temporary.c_str(), static_cast<int>(image.width), static_cast<int>(image.height),
                                static_cast<int>(image.channels), image.pixels.data(),
                                static_cast<int>(image.width * image.channels));
  if (!ok) {
    const int error = errno;
    std::remove(temporary.c_str());
    return makeError(path, std::string("cannot write PNG: ") + (error ? std::strerror(error) : "encoder failed"));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary.c_str());
    return makeError(path, std::string("cannot write PNG: ") + std::strerror(error));
  }
  return {};
}

Result<std::vector<uint8_t>> encodePng(const Image& image, const std::string& context) {
  if (image.width == 0 || image.height == 0 || image.channels < 1 || image.channels > 4 ||
      image.pixels.size() != size_t{image.width} * image.height * image.channels) {
    return makeError(context, "cannot encode PNG: image has inconsistent size or channel count");
  }
  std::vector<uint8_t> bytes;
  const auto append = [](void* target, void* data, int size) {
    auto* out = static_cast<std::vector<uint8_t>*>(target);
    const auto* begin = static_cast<const uint8_t*>(data);
    out->insert(out->end(), begin, begin + size);
  };
  const int ok = stbi_write_png_to_func(append, &bytes, static_cast<int>(image.width), static_cast<int>(image.height),
                                        static_cast<int>(image.channels), image.pixels.data(),
                                        static_cast<int>(image.width * image.channels));
  if (!ok || bytes.empty()) return makeError(context, "cannot encode PNG: encoder failed");
  return bytes;
}

Result<Image> readImage(const std::string& path) {
  int width = 0, height = 0, channels = 0;
  stbi_uc* pixels = stbi_load(path.c_str(), &width, &height, &channels, 3);
  if (!pixels) return makeError(path, std::string("cannot read image: ") + stbi_failure_reason());
  Image image(static_cast<uint32_t>(width), static_cast<uint32_t>(height), 3);
  std::memcpy(image.pixels.data(), pixels, image.pixels.size());
  stbi_image_free(pixels);
  return image;
}

Result<Image> decodeImage(const uint8_t* bytes, size_t size, const std::string& name) {
  if (size > static_cast<size_t>(INT32_MAX)) return makeError(name, "cannot read image: larger than 2 GiB");
  int width = 0, height = 0, channels = 0;
  stbi_uc* pixels = stbi_load_from_memory(bytes, static_cast<int>(size), &width, &height, &channels, 3);
  if (!pixels) return makeError(name, std::string("cannot read image: ") + stbi_failure_reason());
  Image image(static_cast<uint32_t>(width), static_cast<uint32_t>(height), 3);
  std::memcpy(image.pixels.data(), pixels, image.pixels.size());
  stbi_image_free(pixels);
  return image;
}

}  // namespace meshrt
