// Opens a frame source from its `--source` text (DESIGN §7): "sample", "webcam" or "webcam:N",
// a directory of images, an image file (png, jpg, ...; looped as a still), or a video file.
#pragma once

#include "capture/frame_source.h"

namespace meshrt {

// Errors are one line naming the source and the reason, e.g.
// "/dev/video0: cannot open: No such file or directory" or "clip.mp4: cannot open: ...".
Result<std::unique_ptr<FrameSource>> openFrameSource(const std::string& spec);

}  // namespace meshrt
