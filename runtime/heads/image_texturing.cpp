#include "heads/image_texturing.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/profiler.h"
#include "stages/raster.h"
#include "stages/uv_splat.h"
#include "vk/command_stream.h"
#include "vk/context.h"
#include "vk/gpu_allocator.h"
#include "vk/staging.h"

namespace meshrt {

ImageTexturer::~ImageTexturer() = default;

Result<std::unique_ptr<ImageTexturer>> ImageTexturer::create(vk::Context* context) {
  std::unique_ptr<ImageTexturer> texturer(new ImageTexturer());
  if (context == nullptr) return texturer;
  texturer->mAllocator = std::make_unique<vk::GpuAllocator>(*context);
  auto stream = vk::CommandStream::create(*context);
  if (!stream) return stream.error();
  texturer->mStream = std::move(*stream);
  auto raster = RasterStage::create(*context, *texturer->mAllocator);
  if (!raster) return raster.error();
  texturer->mRaster = std::move(*raster);
  auto splat = UvSplatStage::create(*context, *texturer->mAllocator);
  if (!splat) return splat.error();
  texturer->mSplat = std::move(*splat);
  return texturer;
}

Result<ImageTexture> ImageTexturer::texture(const Image& frame, const TexturedMesh& mesh,
                                            const ImageTexturingParams& params, Profiler* profiler) {
  constexpr const char* CONTEXT = "texturing";
  if (frame.width == 0 || frame.height == 0 || frame.channels < 3) {
    return makeError(CONTEXT, "frame must be RGB8 or RGBA8 and not empty");
  }
  if (frame.width > RASTER_MAX_SIZE || frame.height > RASTER_MAX_SIZE) {
    return makeError(CONTEXT, "frame larger than the raster limit " + std::to_string(RASTER_MAX_SIZE));
  }
  if (mesh.uvs.size() != size_t{2} * mesh.vertexCount()) return makeError(CONTEXT, "mesh has no UVs");
  if (params.projection == TexturingProjection::NormalizedImage) {
    // Normalized image coordinates → pixels; then the orthographic path.
    TexturedMesh pixels = mesh;
    for (uint32_t v = 0; v < mesh.vertexCount(); ++v) {
      pixels.positions[3 * v] = (mesh.positions[3 * v] + 1.0f) * 0.5f * float(frame.width);
      pixels.positions[3 * v + 1] = (mesh.positions[3 * v + 1] + 1.0f) * 0.5f * float(frame.height);
    }
    ImageTexturingParams orthographic = params;
    orthographic.projection = TexturingProjection::OrthographicPixels;
    return texture(frame, pixels, orthographic, profiler);
  }
  // Only the window of the photo the mesh projects into is rasterized and splatted (pixel
  // [x0, x0 + width) × [y0, y0 + height), one pixel of margin); the whole photo when a vertex
  // lies behind the camera.
  std::vector<float> projected(size_t{2} * mesh.vertexCount());
  bool projectable = true;
  for (uint32_t v = 0; v < mesh.vertexCount() && projectable; ++v) {
    const float* p = &mesh.positions[3 * v];
    if (params.projection == TexturingProjection::OrthographicPixels) {
      projected[2 * v] = p[0], projected[2 * v + 1] = p[1];
    } else if (p[2] > 0.0f) {
      projected[2 * v] = params.intrinsics.fx * p[0] / p[2] + params.intrinsics.cx;
      projected[2 * v + 1] = params.intrinsics.fy * p[1] / p[2] + params.intrinsics.cy;
    } else {
      projectable = false;
    }
  }
  uint32_t x0 = 0, y0 = 0, width = frame.width, height = frame.height;
  if (projectable && mesh.vertexCount() > 0) {
    float minX = INFINITY, minY = INFINITY, maxX = -INFINITY, maxY = -INFINITY;
    for (uint32_t v = 0; v < mesh.vertexCount(); ++v) {
      minX = std::min(minX, projected[2 * v]), maxX = std::max(maxX, projected[2 * v]);
      minY = std::min(minY, projected[2 * v + 1]), maxY = std::max(maxY, projected[2 * v + 1]);
    }
    const auto clampTo = [](float value, uint32_t size) {
      return uint32_t(std::clamp(value, 0.0f, float(size)));
    };
    x0 = clampTo(std::floor(minX) - 1.0f, frame.width), y0 = clampTo(std::floor(minY) - 1.0f, frame.height);
    const uint32_t x1 = clampTo(std::ceil(maxX) + 1.0f, frame.width), y1 = clampTo(std::ceil(maxY) + 1.0f, frame.height);
    if (x1 <= x0 + 1 || y1 <= y0 + 1) {  // entirely outside the photo: nothing to see
      ImageTexture empty;
      empty.texture = Image(params.textureSize, params.textureSize, 3);
      for (size_t t = 0; t < size_t{params.textureSize} * params.textureSize; ++t) {
        std::copy(params.neutralFill, params.neutralFill + 3, &empty.texture.pixels[3 * t]);
      }
      return empty;
    }
    width = x1 - x0, height = y1 - y0;
  }

  // The view of the window: perspective in the camera frame (identity pose, principal point
  // moved into the window), or window pixels → [-1, 1] per axis.
  std::vector<float> positions = mesh.positions;
  const float identity[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  const float zero[3] = {0, 0, 0};
  gpu::RasterView view{};
  if (params.projection == TexturingProjection::Perspective) {
    const PinholeIntrinsics& k = params.intrinsics;
    view = perspectiveView(identity, zero, k.fx, k.fy, k.cx - float(x0), k.cy - float(y0));
  } else {
    for (uint32_t v = 0; v < mesh.vertexCount(); ++v) {
      positions[3 * v] = 2.0f * (positions[3 * v] - float(x0)) / float(width) - 1.0f;
      positions[3 * v + 1] = 2.0f * (positions[3 * v + 1] - float(y0)) / float(height) - 1.0f;
    }
    view = weakPerspectiveView(identity, 1.0f, 0.0f, 0.0f);
  }
  RasterMesh rasterMesh;
  rasterMesh.positions = positions;
  rasterMesh.triangles = mesh.triangles;
  rasterMesh.uvs = mesh.uvs;
  RasterConfig rasterConfig;
  rasterConfig.width = width;
  rasterConfig.height = height;
  const gpu::RasterView views[1] = {view};
  const size_t pixels = size_t{width} * height;
  UvSplatConfig splatConfig;
  splatConfig.imageWidth = width;
  splatConfig.imageHeight = height;
  splatConfig.channels = 3;
  splatConfig.textureWidth = splatConfig.textureHeight = params.textureSize;
  splatConfig.returnLookupTable = false;  // forward only: the table is not read back
  // Splat features: RGB [3][H][W] in 0..255, the window of the frame.
  std::vector<float> features(3 * pixels);
  for (size_t p = 0; p < pixels; ++p) {
    const size_t framePixel = (size_t{y0} + p / width) * frame.width + x0 + p % width;
    for (uint32_t c = 0; c < 3; ++c) features[c * pixels + p] = float(frame.pixels[framePixel * frame.channels + c]);
  }
  ImageTexture result;
  const UvSplatForward* splat = nullptr;
  UvSplatForward referenceSplat;
  if (mRaster) {
    // The splat reads the raster's UVs and triangle ids on the device; only the ids come back
    // (to count covered pixels), and the frame's features go up with the splat's own submission.
    ScopedSpan rasterSpan = profiler ? profiler->span("raster") : ScopedSpan{};
    auto ran = mRaster->run(*mStream, rasterMesh, views, rasterConfig);
    if (!ran) return ran.error();
    auto ids = vk::downloadNow(*mStream, *mAllocator, mRaster->triangleIds(), 0, pixels * 4);
    if (!ids) return ids.error();
    rasterSpan = ScopedSpan{};
    for (size_t p = 0; p < pixels; ++p) {
      uint32_t id;
      std::memcpy(&id, ids->data() + p * 4, 4);
      result.coveredPixels += id != RASTER_NO_TRIANGLE ? 1 : 0;
    }
    UvSplatDeviceInputs deviceInputs;
    deviceInputs.hostFeatures = features;
    deviceInputs.uvs = &mRaster->attributes();
    deviceInputs.uvStride = rasterAttributeStride(rasterMesh.extraCount);
    deviceInputs.uvOffset = 0;
    deviceInputs.pixelIds = &mRaster->triangleIds();
    ScopedSpan splatSpan = profiler ? profiler->span("splat") : ScopedSpan{};
    auto splatRan = mSplat->run(*mStream, splatConfig, deviceInputs);
    if (!splatRan) return splatRan.error();
    if (!mSplatOutput) mSplatOutput = std::make_unique<UvSplatForward>();
    MESHRT_TRY(mSplat->downloadForward(*mStream, *mSplatOutput));  // kept across frames: no per-frame allocation
    splat = mSplatOutput.get();
  } else {
    ScopedSpan rasterSpan = profiler ? profiler->span("raster") : ScopedSpan{};
    auto raster = rasterReference(rasterMesh, views, rasterConfig);
    rasterSpan = ScopedSpan{};
    if (!raster) return raster.error();
    // Splat inputs: UVs [H][W][2], mask = covered.
    std::vector<float> uvs(2 * pixels, 0.0f);
    std::vector<uint8_t> mask(pixels, 0);
    for (size_t p = 0; p < pixels; ++p) {
      if (raster->triangleIds[p] == RASTER_NO_TRIANGLE) continue;
      mask[p] = 1;
      uvs[2 * p] = raster->attributes[p * raster->attributeStride];
      uvs[2 * p + 1] = raster->attributes[p * raster->attributeStride + 1];
      ++result.coveredPixels;
    }
    const UvSplatInputs inputs{features, uvs, mask};
    ScopedSpan splatSpan = profiler ? profiler->span("splat") : ScopedSpan{};
    auto reference = uvSplatForwardReference(splatConfig, inputs);
    if (!reference) return reference.error();
    referenceSplat = std::move(*reference);
    splat = &referenceSplat;
  }

  const size_t texels = size_t{params.textureSize} * params.textureSize;
  result.weight.assign(splat->weight.begin(), splat->weight.begin() + std::ptrdiff_t(texels));
  result.texture = Image(params.textureSize, params.textureSize, 3);
  for (size_t t = 0; t < texels; ++t) {
    const bool filled = splat->weight[t] > 0.0f;
    result.filledTexels += filled ? 1 : 0;
    for (uint32_t c = 0; c < 3; ++c) {
      const float value = filled ? splat->texture[c * texels + t] : float(params.neutralFill[c]);
      result.texture.pixels[t * 3 + c] = uint8_t(std::clamp(std::lround(value), 0L, 255L));
    }
  }
  return result;
}

}  // namespace meshrt
