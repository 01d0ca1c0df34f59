#include "capture/directory_source.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace meshrt {

bool hasImageExtension(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* known : {".png", ".jpg", ".jpeg", ".bmp", ".tga", ".ppm", ".pgm"}) {
    if (extension == known) return true;
  }
  return false;
}

Result<std::unique_ptr<DirectorySource>> DirectorySource::open(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code error;
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    if (it->is_regular_file() && hasImageExtension(it->path().string())) files.push_back(it->path().string());
  }
  if (error) return makeError(dir, "cannot list directory: " + error.message());
  if (files.empty()) return makeError(dir, "no image files (png, jpg, jpeg, bmp, tga, ppm, pgm)");
  std::sort(files.begin(), files.end());
  return std::unique_ptr<DirectorySource>(new DirectorySource(dir, std::move(files)));
}

Result<bool> DirectorySource::next(Frame& frame) {
  const std::string& path = mFiles[static_cast<size_t>(mNextIndex) % mFiles.size()];
  auto image = readImage(path);
  if (!image) return image.error();
  frame.image = std::move(*image);
  frame.index = mNextIndex++;
  frame.timestampNs = static_cast<int64_t>(static_cast<double>(frame.index) / FPS * 1e9);
  return true;
}

}  // namespace meshrt
