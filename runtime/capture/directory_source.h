// `--source DIR`: the images in a directory (by file-name order), looped; a slide show at 30 fps.
#pragma once

#include <vector>

#include "capture/frame_source.h"

namespace meshrt {

class DirectorySource final : public FrameSource {
 public:
  static constexpr double FPS = 30.0;  // synthetic timestamps
  // Lists the directory's .png/.jpg/.jpeg/.bmp/.tga/.ppm/.pgm files. Errors:
  // "<dir>: cannot list directory: <reason>", "<dir>: no image files (png, jpg, ...)".
  static Result<std::unique_ptr<DirectorySource>> open(const std::string& dir);
  // Reads the next file; a file that fails to read is an error naming it.
  Result<bool> next(Frame& frame) override;  // never ends (loops)
  std::string name() const override { return mDir; }
  const std::vector<std::string>& files() const { return mFiles; }

 private:
  DirectorySource(std::string dir, std::vector<std::string> files) : mDir(std::move(dir)), mFiles(std::move(files)) {}
  std::string mDir;
  std::vector<std::string> mFiles;  // full paths, sorted
  int64_t mNextIndex = 0;
};

// True when the file name ends in an image extension DirectorySource and ImageSource read.
bool hasImageExtension(const std::string& path);

}  // namespace meshrt
