#include "capture/video_source.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

#include <cstring>

namespace meshrt {
namespace {

std::string avErrorText(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof(text));
  return text;
}

}  // namespace

struct VideoSource::Ffmpeg {
  AVFormatContext* format = nullptr;
  AVCodecContext* codec = nullptr;
  AVPacket* packet = nullptr;
  AVFrame* decoded = nullptr;
  SwsContext* scaler = nullptr;
  int stream = -1;
  bool draining = false;  // the demuxer hit the end; the decoder is being flushed
  ~Ffmpeg() {
    sws_freeContext(scaler);
    av_frame_free(&decoded);
    av_packet_free(&packet);
    avcodec_free_context(&codec);
    avformat_close_input(&format);
  }
};

VideoSource::VideoSource(std::string path, std::unique_ptr<Ffmpeg> ffmpeg)
    : mPath(std::move(path)), mFfmpeg(std::move(ffmpeg)) {}
VideoSource::~VideoSource() = default;

Result<std::unique_ptr<VideoSource>> VideoSource::open(const std::string& path) {
  auto ffmpeg = std::make_unique<Ffmpeg>();
  if (int code = avformat_open_input(&ffmpeg->format, path.c_str(), nullptr, nullptr); code < 0) {
    return makeError(path, "cannot open: " + avErrorText(code));
  }
  if (int code = avformat_find_stream_info(ffmpeg->format, nullptr); code < 0) {
    return makeError(path, "cannot read stream info: " + avErrorText(code));
  }
  const AVCodec* decoder = nullptr;
  ffmpeg->stream = av_find_best_stream(ffmpeg->format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
  if (ffmpeg->stream < 0) return makeError(path, "no video stream");
  const AVCodecParameters* parameters = ffmpeg->format->streams[ffmpeg->stream]->codecpar;
  if (!decoder) return makeError(path, std::string("no decoder for codec ") + avcodec_get_name(parameters->codec_id));
  ffmpeg->codec = avcodec_alloc_context3(decoder);
  ffmpeg->packet = av_packet_alloc();
  ffmpeg->decoded = av_frame_alloc();
  if (!ffmpeg->codec || !ffmpeg->packet || !ffmpeg->decoded) return makeError(path, "out of memory");
  if (int code = avcodec_parameters_to_context(ffmpeg->codec, parameters); code < 0) {
    return makeError(path, "bad codec parameters: " + avErrorText(code));
  }
  if (int code = avcodec_open2(ffmpeg->codec, decoder, nullptr); code < 0) {
    return makeError(path, "cannot open the decoder: " + avErrorText(code));
  }
  return std::unique_ptr<VideoSource>(new VideoSource(path, std::move(ffmpeg)));
}

Result<bool> VideoSource::decodeOne(Frame& frame) {
  Ffmpeg& ff = *mFfmpeg;
  while (true) {
    const int received = avcodec_receive_frame(ff.codec, ff.decoded);
    if (received == 0) break;
    if (received == AVERROR_EOF) return false;
    if (received != AVERROR(EAGAIN)) return makeError(mPath, "decoding failed: " + avErrorText(received));
    if (ff.draining) return false;
    const int read = av_read_frame(ff.format, ff.packet);
    if (read == AVERROR_EOF) {
      ff.draining = true;
      avcodec_send_packet(ff.codec, nullptr);  // flush: the decoder returns what it holds
      continue;
    }
    if (read < 0) return makeError(mPath, "reading failed: " + avErrorText(read));
    if (ff.packet->stream_index == ff.stream) {
      const int sent = avcodec_send_packet(ff.codec, ff.packet);
      if (sent < 0 && sent != AVERROR(EAGAIN)) {
        av_packet_unref(ff.packet);
        return makeError(mPath, "decoding failed: " + avErrorText(sent));
      }
    }
    av_packet_unref(ff.packet);
  }
  const AVFrame* decoded = ff.decoded;
  ff.scaler = sws_getCachedContext(ff.scaler, decoded->width, decoded->height, static_cast<AVPixelFormat>(decoded->format),
                                   decoded->width, decoded->height, AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr, nullptr,
                                   nullptr);
  if (!ff.scaler) return makeError(mPath, "no conversion from its pixel format to RGB");
  const auto width = static_cast<uint32_t>(decoded->width), height = static_cast<uint32_t>(decoded->height);
  if (frame.image.width != width || frame.image.height != height || frame.image.channels != 3) {
    frame.image = Image(width, height, 3);
  }
  uint8_t* planes[4] = {frame.image.pixels.data(), nullptr, nullptr, nullptr};
  const int strides[4] = {static_cast<int>(width * 3), 0, 0, 0};
  sws_scale(ff.scaler, decoded->data, decoded->linesize, 0, decoded->height, planes, strides);
  const AVRational timeBase = ff.format->streams[ff.stream]->time_base;
  const int64_t pts = decoded->best_effort_timestamp == AV_NOPTS_VALUE ? 0 : decoded->best_effort_timestamp;
  frame.timestampNs = av_rescale_q(pts, timeBase, AVRational{1, 1000000000});
  av_frame_unref(ff.decoded);
  return true;
}

Result<bool> VideoSource::next(Frame& frame) {
  auto decoded = decodeOne(frame);
  if (!decoded) return decoded.error();
  if (!*decoded) {  // end of the file: back to the start
    Ffmpeg& ff = *mFfmpeg;
    if (int code = av_seek_frame(ff.format, ff.stream, 0, AVSEEK_FLAG_BACKWARD); code < 0) {
      return makeError(mPath, "cannot loop (seek to start failed): " + avErrorText(code));
    }
    avcodec_flush_buffers(ff.codec);
    ff.draining = false;
    decoded = decodeOne(frame);
    if (!decoded) return decoded.error();
    if (!*decoded) return makeError(mPath, "no decodable video frames");
  }
  frame.index = mNextIndex++;
  return true;
}

}  // namespace meshrt
