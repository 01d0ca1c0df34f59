#include "core/image.h"

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
#include <turbojpeg.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <vector>

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

namespace {

// JPEG through libjpeg-turbo (accurate integer IDCT, fancy chroma upsampling: the defaults of
// libjpeg and so of PIL, OpenCV and most tools), so a photo's pixels equal what other tools
// decode. stb's own JPEG decoder differs by up to 2 levels on about 1 % of pixels, enough to
// move the Objectron keypoints by over a pixel (issue 8 parity). nullopt: not a JPEG file.
std::optional<Result<Image>> readJpeg(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return std::nullopt;
  unsigned char magic[3] = {0, 0, 0};
  stream.read(reinterpret_cast<char*>(magic), 3);
  if (stream.gcount() != 3 || magic[0] != 0xFF || magic[1] != 0xD8 || magic[2] != 0xFF) return std::nullopt;
  stream.seekg(0, std::ios::end);
  const std::streamoff size = stream.tellg();
  if (size <= 0 || size > (std::streamoff{1} << 31)) return makeError(path, "cannot read image: bad JPEG file size");
  std::vector<unsigned char> bytes(static_cast<size_t>(size));
  stream.seekg(0);
  stream.read(reinterpret_cast<char*>(bytes.data()), size);
  if (stream.gcount() != size) return makeError(path, "cannot read image: short read");
  tjhandle decoder = tjInitDecompress();
  if (decoder == nullptr) return makeError(path, "cannot read image: libjpeg-turbo failed to start");
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  Result<Image> result = Error{};
  if (tjDecompressHeader3(decoder, bytes.data(), static_cast<unsigned long>(bytes.size()), &width, &height, &subsampling,
                          &colorspace) != 0 || width <= 0 || height <= 0) {
    result = makeError(path, std::string("cannot read image: ") + tjGetErrorStr2(decoder));
  } else {
    Image image(static_cast<uint32_t>(width), static_cast<uint32_t>(height), 3);
    if (tjDecompress2(decoder, bytes.data(), static_cast<unsigned long>(bytes.size()), image.pixels.data(), width, 0,
                      height, TJPF_RGB, 0) != 0 && tjGetErrorCode(decoder) == TJERR_FATAL) {
      result = makeError(path, std::string("cannot read image: ") + tjGetErrorStr2(decoder));
    } else {
      result = std::move(image);  // TJERR_WARNING (e.g. a truncated file): decoded what was there, as stb does
    }
  }
  tjDestroy(decoder);
  return result;
}

}  // namespace

Result<Image> readImage(const std::string& path) {
  if (auto jpeg = readJpeg(path)) return std::move(*jpeg);
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

Result<ImageSize> readImageSize(const std::string& path) {
  int width = 0, height = 0, channels = 0;
  if (!stbi_info(path.c_str(), &width, &height, &channels)) {
    return makeError(path, std::string("cannot read image: ") + stbi_failure_reason());
  }
  return ImageSize{static_cast<uint32_t>(width), static_cast<uint32_t>(height)};
}

}  // namespace meshrt
