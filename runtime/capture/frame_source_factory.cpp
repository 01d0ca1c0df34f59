#include "capture/frame_source_factory.h"

#include <charconv>
#include <filesystem>

#include "capture/directory_source.h"
#include "capture/image_source.h"
#include "capture/sample_source.h"
#include "capture/video_source.h"
#include "capture/webcam_source.h"

namespace meshrt {
namespace {

template <typename T>
Result<std::unique_ptr<FrameSource>> upcast(Result<std::unique_ptr<T>> opened) {
  if (!opened) return opened.error();
  return std::unique_ptr<FrameSource>(std::move(*opened));
}

}  // namespace

Result<std::unique_ptr<FrameSource>> openFrameSource(const std::string& spec) {
  if (spec == "sample") return upcast(SampleSource::create());
  if (spec == "webcam" || spec.rfind("webcam:", 0) == 0) {
    int index = 0;
    if (spec.size() > 7) {
      const char* first = spec.data() + 7;
      const char* last = spec.data() + spec.size();
      const auto parsed = std::from_chars(first, last, index);
      if (parsed.ec != std::errc() || parsed.ptr != last || index < 0) {
        return makeError(spec, "expected webcam or webcam:N with N a device number >= 0");
      }
    }
    return upcast(WebcamSource::open(index));
  }
  std::error_code error;
  if (std::filesystem::is_directory(spec, error)) return upcast(DirectorySource::open(spec));
  if (!std::filesystem::exists(spec, error)) return makeError(spec, "no such file, directory or source (expected sample, webcam[:N], an image, a directory or a video)");
  if (hasImageExtension(spec)) return upcast(ImageSource::open(spec));
  return upcast(VideoSource::open(spec));
}

}  // namespace meshrt
