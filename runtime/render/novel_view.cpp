#include "render/novel_view.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "stages/raster.h"
#include "stages/uv_splat.h"
#include "vk/command_stream.h"
#include "vk/context.h"
#include "vk/gpu_allocator.h"

namespace meshrt {

NovelViewRenderer::~NovelViewRenderer() = default;

void meshBounds(const TexturedMesh& mesh, std::array<float, 3>& center, float& radius) {
  std::array<float, 3> low = {INFINITY, INFINITY, INFINITY}, high = {-INFINITY, -INFINITY, -INFINITY};
  for (uint32_t v = 0; v < mesh.vertexCount(); ++v) {
    for (int k = 0; k < 3; ++k) {
      low[k] = std::min(low[k], mesh.positions[3 * v + k]);
      high[k] = std::max(high[k], mesh.positions[3 * v + k]);
    }
  }
  radius = 0;
  for (int k = 0; k < 3; ++k) center[k] = mesh.vertexCount() > 0 ? 0.5f * (low[k] + high[k]) : 0.0f;
  for (uint32_t v = 0; v < mesh.vertexCount(); ++v) {
    const float dx = mesh.positions[3 * v] - center[0], dy = mesh.positions[3 * v + 1] - center[1],
                dz = mesh.positions[3 * v + 2] - center[2];
    radius = std::max(radius, std::sqrt(dx * dx + dy * dy + dz * dz));
  }
}

std::vector<float> vertexNormals(const TexturedMesh& mesh) {
  std::vector<float> normals(mesh.positions.size(), 0.0f);
  for (uint32_t t = 0; t < mesh.triangleCount(); ++t) {
    const uint32_t* corner = &mesh.triangles[3 * t];
    const float* a = &mesh.positions[3 * corner[0]];
    const float* b = &mesh.positions[3 * corner[1]];
    const float* c = &mesh.positions[3 * corner[2]];
    const float e1[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    const float e2[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
    // The cross product's length is twice the area: area weighting for free.
    const float n[3] = {e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]};
    for (int i = 0; i < 3; ++i) {
      for (int k = 0; k < 3; ++k) normals[3 * corner[i] + k] += n[k];
    }
  }
  for (size_t v = 0; v < normals.size() / 3; ++v) {
    float* n = &normals[3 * v];
    const float length = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    if (length > 0) for (int k = 0; k < 3; ++k) n[k] /= length;
  }
  return normals;
}

Result<std::unique_ptr<NovelViewRenderer>> NovelViewRenderer::create(vk::Context* context) {
  std::unique_ptr<NovelViewRenderer> renderer(new NovelViewRenderer());
  if (context == nullptr) return renderer;
  renderer->mAllocator = std::make_unique<vk::GpuAllocator>(*context);
  auto stream = vk::CommandStream::create(*context);
  if (!stream) return stream.error();
  renderer->mStream = std::move(*stream);
  auto raster = RasterStage::create(*context, *renderer->mAllocator);
  if (!raster) return raster.error();
  renderer->mRaster = std::move(*raster);
  auto splat = UvSplatStage::create(*context, *renderer->mAllocator);
  if (!splat) return splat.error();
  renderer->mSplat = std::move(*splat);
  return renderer;
}

Result<NovelView> NovelViewRenderer::render(const TexturedMesh& mesh, const Image& texture,
                                            const NovelViewParams& params) {
  constexpr const char* CONTEXT = "novel view";
  if (params.width == 0 || params.height == 0 || params.width > RASTER_MAX_SIZE || params.height > RASTER_MAX_SIZE) {
    return makeError(CONTEXT, "target size must be in 1.." + std::to_string(RASTER_MAX_SIZE));
  }
  if (mesh.vertexCount() == 0 || mesh.uvs.size() != size_t{2} * mesh.vertexCount()) {
    return makeError(CONTEXT, "mesh is empty or has no UVs");
  }
  const bool textured = params.mode == NovelViewMode::Textured;
  if (textured && (texture.width == 0 || texture.height == 0 || texture.channels != 3)) {
    return makeError(CONTEXT, "texture must be RGB8 and not empty");
  }
  std::array<float, 3> center{};
  float radius = 0;
  meshBounds(mesh, center, radius);
  if (!(radius > 0) || !std::isfinite(radius)) return makeError(CONTEXT, "mesh has no extent or a non-finite vertex");

  NovelView result;
  result.pose = orbitPose(params.camera, center, radius, params.width, params.height);
  const OrbitPose& pose = result.pose;
  const std::vector<float> normals = vertexNormals(mesh);
  RasterMesh rasterMesh;
  rasterMesh.positions = mesh.positions;
  rasterMesh.triangles = mesh.triangles;
  rasterMesh.uvs = mesh.uvs;
  rasterMesh.normals = normals;
  RasterConfig config;
  config.width = params.width;
  config.height = params.height;
  const gpu::RasterView views[1] = {
      perspectiveView(pose.rotation.data(), pose.translation.data(), pose.fx, pose.fy, pose.cx, pose.cy)};
  Result<RasterImage> raster = Error{};
  if (mRaster) {
    auto ran = mRaster->run(*mStream, rasterMesh, views, config);
    if (!ran) return ran.error();
    raster = mRaster->download(*mStream);
  } else {
    raster = rasterReference(rasterMesh, views, config);
  }
  if (!raster) return raster.error();

  const size_t pixels = size_t{params.width} * params.height;
  std::vector<float> uvs(2 * pixels, 0.0f);
  std::vector<uint8_t> mask(pixels, 0);
  for (size_t p = 0; p < pixels; ++p) {
    if (raster->triangleIds[p] == RASTER_NO_TRIANGLE) continue;
    mask[p] = 1;
    uvs[2 * p] = raster->attributes[p * raster->attributeStride];
    uvs[2 * p + 1] = raster->attributes[p * raster->attributeStride + 1];
    ++result.coveredPixels;
  }

  std::vector<float> sampled;  // [3][H][W], 0..255
  if (textured) {
    const size_t texels = size_t{texture.width} * texture.height;
    std::vector<float> planar(3 * texels);  // [3][Ht][Wt]
    for (size_t t = 0; t < texels; ++t) {
      for (size_t c = 0; c < 3; ++c) planar[c * texels + t] = float(texture.pixels[t * 3 + c]);
    }
    UvSplatConfig sampleConfig;
    sampleConfig.imageWidth = params.width;
    sampleConfig.imageHeight = params.height;
    sampleConfig.channels = 3;
    sampleConfig.textureWidth = texture.width;
    sampleConfig.textureHeight = texture.height;
    auto samples = mSplat ? mSplat->sample(*mStream, sampleConfig, planar, uvs, mask)
                          : uvSplatSampleReference(sampleConfig, planar, uvs, mask);
    if (!samples) return samples.error();
    sampled = std::move(*samples);
  }

  result.image = Image(params.width, params.height, 3);
  const auto toByte = [](float value) { return uint8_t(std::clamp(std::lround(value), 0L, 255L)); };
  for (size_t p = 0; p < pixels; ++p) {
    uint8_t* out = &result.image.pixels[3 * p];
    if (!mask[p]) {
      std::copy(params.background.begin(), params.background.end(), out);
      continue;
    }
    if (!textured) {
      out[0] = toByte(255.0f * uvs[2 * p]);
      out[1] = toByte(255.0f * uvs[2 * p + 1]);
      out[2] = 0;
      continue;
    }
    // The interpolated normal (object frame) into the camera frame; the headlight looks along +z.
    const float* n = &raster->attributes[p * raster->attributeStride + 2];
    const float* r = pose.rotation.data();
    const float nz = r[6] * n[0] + r[7] * n[1] + r[8] * n[2];
    const float length = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    const float lambert = length > 0 ? std::min(1.0f, std::fabs(nz) / length) : 1.0f;
    const float shade = params.ambient + (1.0f - params.ambient) * lambert;
    for (size_t c = 0; c < 3; ++c) out[c] = toByte(sampled[c * pixels + p] * shade);
  }
  return result;
}

}  // namespace meshrt
