#include "capture/webcam_source.h"

#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <turbojpeg.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <time.h>

namespace meshrt {
namespace {

int xioctl(int fd, unsigned long request, void* argument) {
  int result;
  do result = ::ioctl(fd, request, argument);
  while (result == -1 && errno == EINTR);
  return result;
}

uint8_t clampByte(int value) { return static_cast<uint8_t>(std::clamp(value, 0, 255)); }

// BT.601 limited range, as webcams send YUYV.
void yuyvToRgb(const uint8_t* yuyv, uint32_t width, uint32_t height, uint32_t bytesPerLine, Image& image) {
  for (uint32_t y = 0; y < height; ++y) {
    const uint8_t* row = yuyv + size_t{y} * bytesPerLine;
    for (uint32_t x = 0; x < width; ++x) {
      const uint8_t* pair = row + (x / 2) * 4;
      const int luma = (x % 2 == 0 ? pair[0] : pair[2]) - 16, u = pair[1] - 128, v = pair[3] - 128;
      uint8_t* out = image.at(x, y);
      out[0] = clampByte((298 * luma + 409 * v + 128) >> 8);
      out[1] = clampByte((298 * luma - 100 * u - 208 * v + 128) >> 8);
      out[2] = clampByte((298 * luma + 516 * u + 128) >> 8);
    }
  }
}

}  // namespace

Result<std::unique_ptr<WebcamSource>> WebcamSource::open(int index) {
  const std::string device = "/dev/video" + std::to_string(index);
  const int fd = ::open(device.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return makeError(device, std::string("cannot open: ") + std::strerror(errno));
  std::unique_ptr<WebcamSource> source(new WebcamSource(index, device, fd));
  MESHRT_TRY(source->configure());
  return source;
}

WebcamSource::~WebcamSource() {
  if (mStreaming) {
    v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    xioctl(mFd, VIDIOC_STREAMOFF, &type);
  }
  for (const Mapping& mapping : mBuffers) ::munmap(mapping.start, mapping.length);
  if (mJpeg) tjDestroy(mJpeg);
  ::close(mFd);
}

Result<void> WebcamSource::configure() {
  v4l2_capability capability{};
  if (xioctl(mFd, VIDIOC_QUERYCAP, &capability) != 0) return makeError(mDevice, "not a V4L2 device");
  const uint32_t caps = capability.capabilities & V4L2_CAP_DEVICE_CAPS ? capability.device_caps : capability.capabilities;
  if (!(caps & V4L2_CAP_VIDEO_CAPTURE)) return makeError(mDevice, "not a capture device");
  if (!(caps & V4L2_CAP_STREAMING)) return makeError(mDevice, "does not support streaming I/O");
  v4l2_format format{};
  for (uint32_t pixelFormat : {V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_MJPEG}) {
    format = {};
    format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    format.fmt.pix.width = 640;
    format.fmt.pix.height = 480;
    format.fmt.pix.pixelformat = pixelFormat;
    format.fmt.pix.field = V4L2_FIELD_NONE;
    if (xioctl(mFd, VIDIOC_S_FMT, &format) == 0 && format.fmt.pix.pixelformat == pixelFormat) break;
    format.fmt.pix.pixelformat = 0;
  }
  if (format.fmt.pix.pixelformat == 0) return makeError(mDevice, "offers neither YUYV nor MJPEG");
  mWidth = format.fmt.pix.width;
  mHeight = format.fmt.pix.height;
  mPixelFormat = format.fmt.pix.pixelformat;
  mBytesPerLine = std::max(format.fmt.pix.bytesperline, mWidth * 2);
  if (mPixelFormat == V4L2_PIX_FMT_MJPEG) {
    mJpeg = tjInitDecompress();
    if (!mJpeg) return makeError(mDevice, "cannot create the JPEG decoder");
  }
  v4l2_requestbuffers request{};
  request.count = 4;
  request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  request.memory = V4L2_MEMORY_MMAP;
  if (xioctl(mFd, VIDIOC_REQBUFS, &request) != 0 || request.count == 0) {
    return makeError(mDevice, std::string("cannot get capture buffers: ") + std::strerror(errno));
  }
  for (uint32_t i = 0; i < request.count; ++i) {
    v4l2_buffer buffer{};
    buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    buffer.memory = V4L2_MEMORY_MMAP;
    buffer.index = i;
    if (xioctl(mFd, VIDIOC_QUERYBUF, &buffer) != 0) return makeError(mDevice, "cannot query a capture buffer");
    void* start = ::mmap(nullptr, buffer.length, PROT_READ | PROT_WRITE, MAP_SHARED, mFd, buffer.m.offset);
    if (start == MAP_FAILED) return makeError(mDevice, std::string("cannot map a capture buffer: ") + std::strerror(errno));
    mBuffers.push_back({start, buffer.length});
    if (xioctl(mFd, VIDIOC_QBUF, &buffer) != 0) return makeError(mDevice, "cannot queue a capture buffer");
  }
  v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  if (xioctl(mFd, VIDIOC_STREAMON, &type) != 0) {
    return makeError(mDevice, std::string("cannot start streaming: ") + std::strerror(errno));
  }
  mStreaming = true;
  return {};
}

Result<void> WebcamSource::convert(const uint8_t* bytes, size_t size, Image& image) {
  if (mPixelFormat == V4L2_PIX_FMT_YUYV) {
    if (size < size_t{mBytesPerLine} * mHeight) return makeError(mDevice, "short YUYV frame");
    if (image.width != mWidth || image.height != mHeight || image.channels != 3) image = Image(mWidth, mHeight, 3);
    yuyvToRgb(bytes, mWidth, mHeight, mBytesPerLine, image);
    return {};
  }
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(mJpeg, bytes, static_cast<unsigned long>(size), &width, &height, &subsampling, &colorspace) != 0) {
    return makeError(mDevice, std::string("bad MJPEG frame: ") + tjGetErrorStr2(mJpeg));
  }
  const auto w = static_cast<uint32_t>(width), h = static_cast<uint32_t>(height);
  if (image.width != w || image.height != h || image.channels != 3) image = Image(w, h, 3);
  if (tjDecompress2(mJpeg, bytes, static_cast<unsigned long>(size), image.pixels.data(), width, 0, height, TJPF_RGB, 0) != 0) {
    return makeError(mDevice, std::string("bad MJPEG frame: ") + tjGetErrorStr2(mJpeg));
  }
  return {};
}

Result<bool> WebcamSource::next(Frame& frame) {
  pollfd readable{mFd, POLLIN, 0};
  const int ready = ::poll(&readable, 1, 2000);
  if (ready == 0) return makeError(mDevice, "no frame within 2 s");
  if (ready < 0) return makeError(mDevice, std::string("poll failed: ") + std::strerror(errno));
  v4l2_buffer buffer{};
  buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  buffer.memory = V4L2_MEMORY_MMAP;
  if (xioctl(mFd, VIDIOC_DQBUF, &buffer) != 0) return makeError(mDevice, std::string("cannot dequeue a frame: ") + std::strerror(errno));
  auto converted = convert(static_cast<const uint8_t*>(mBuffers[buffer.index].start), buffer.bytesused, frame.image);
  xioctl(mFd, VIDIOC_QBUF, &buffer);
  if (!converted) return converted.error();
  frame.index = mNextIndex++;
  frame.timestampNs = int64_t{buffer.timestamp.tv_sec} * 1000000000 + int64_t{buffer.timestamp.tv_usec} * 1000;
  return true;
}

}  // namespace meshrt
