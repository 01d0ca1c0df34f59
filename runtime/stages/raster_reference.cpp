// Input validation, camera helpers and the CPU reference of the raster stage.
#include <cmath>
#include <cstring>
#include <string>

#include "core/raster_math.h"
#include "stages/raster.h"

namespace meshrt {
namespace {

Error fieldError(const std::string& field, const std::string& reason) { return makeError("raster: " + field, reason); }

bool allFinite(const float* values, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (!std::isfinite(values[i])) return false;
  }
  return true;
}

}  // namespace

Result<void> validateRasterInputs(const RasterMesh& mesh, std::span<const gpu::RasterView> views,
                                  const RasterConfig& config) {
  if (config.width == 0 || config.height == 0) return fieldError("config.width/height", "target size must be > 0");
  if (config.width > RASTER_MAX_SIZE || config.height > RASTER_MAX_SIZE) {
    return fieldError("config.width/height", "target size must be <= " + std::to_string(RASTER_MAX_SIZE));
  }
  if (views.empty()) return fieldError("views", "batch is empty (B = 0)");
  if (views.size() > RASTER_MAX_VIEWS) return fieldError("views", "batch larger than " + std::to_string(RASTER_MAX_VIEWS));
  const uint64_t tiles = uint64_t{views.size()} * ((config.width + RASTER_TILE_SIZE - 1) / RASTER_TILE_SIZE) *
                         ((config.height + RASTER_TILE_SIZE - 1) / RASTER_TILE_SIZE);
  if (tiles > uint64_t{RASTER_SCAN_BLOCK} * RASTER_SCAN_BLOCK) {
    return fieldError("views", "B x tiles exceeds " + std::to_string(RASTER_SCAN_BLOCK * RASTER_SCAN_BLOCK) +
                                   " (split the batch)");
  }
  if (mesh.positions.size() % 3 != 0 || mesh.positions.empty()) {
    return fieldError("positions", "needs 3 floats per vertex and at least one vertex");
  }
  const size_t vertexCount = mesh.positions.size() / 3;
  if (mesh.triangles.size() % 3 != 0) return fieldError("triangles", "needs 3 indices per triangle");
  if (mesh.triangles.size() / 3 > 0x7fffffffu) return fieldError("triangles", "too many triangles");
  for (size_t i = 0; i < vertexCount; ++i) {
    if (!allFinite(&mesh.positions[3 * i], 3)) return fieldError("positions[" + std::to_string(i) + "]", "not finite");
  }
  for (size_t i = 0; i < mesh.triangles.size(); ++i) {
    if (mesh.triangles[i] >= vertexCount) {
      return fieldError("triangles[" + std::to_string(i / 3) + "]", "vertex index " + std::to_string(mesh.triangles[i]) +
                                                                        " >= vertex count " + std::to_string(vertexCount));
    }
  }
  if (!mesh.uvs.empty() && mesh.uvs.size() != vertexCount * 2) return fieldError("uvs", "needs 2 floats per vertex");
  if (!mesh.normals.empty() && mesh.normals.size() != vertexCount * 3) return fieldError("normals", "needs 3 floats per vertex");
  if (mesh.extraCount > RASTER_MAX_EXTRA) return fieldError("extraCount", "at most 16 floats per vertex");
  if (mesh.extra.size() != vertexCount * mesh.extraCount && !(mesh.extra.empty())) {
    return fieldError("extra", "needs extraCount floats per vertex");
  }
  for (size_t b = 0; b < views.size(); ++b) {
    const gpu::RasterView& view = views[b];
    const std::string field = "views[" + std::to_string(b) + "]";
    if (!allFinite(view.rotation, 9) || !allFinite(view.translation, 3)) return fieldError(field, "pose is not finite");
    if (view.model == RASTER_CAMERA_PERSPECTIVE) {
      if (!std::isfinite(view.fx) || !std::isfinite(view.fy) || !std::isfinite(view.cx) || !std::isfinite(view.cy) ||
          view.fx == 0 || view.fy == 0) {
        return fieldError(field, "intrinsics must be finite with fx, fy != 0");
      }
      if (!(view.nearZ > 0) || !(view.farZ > view.nearZ)) return fieldError(field, "needs 0 < nearZ < farZ");
    } else if (view.model == RASTER_CAMERA_WEAK) {
      if (!std::isfinite(view.weakScale)) return fieldError(field, "weak-perspective scale is not finite");
    } else {
      return fieldError(field + ".model", "unknown camera model " + std::to_string(view.model));
    }
  }
  return {};
}

gpu::RasterView perspectiveView(const float rotation[9], const float translation[3], float fx, float fy, float cx,
                                float cy, float nearZ, float farZ) {
  gpu::RasterView view{};
  std::memcpy(view.rotation, rotation, sizeof(view.rotation));
  std::memcpy(view.translation, translation, sizeof(view.translation));
  view.fx = fx;
  view.fy = fy;
  view.cx = cx;
  view.cy = cy;
  view.nearZ = nearZ;
  view.farZ = farZ;
  view.model = RASTER_CAMERA_PERSPECTIVE;
  return view;
}

gpu::RasterView weakPerspectiveView(const float rotation[9], float scale, float tx, float ty) {
  gpu::RasterView view{};
  std::memcpy(view.rotation, rotation, sizeof(view.rotation));
  view.translation[0] = tx;
  view.translation[1] = ty;
  view.weakScale = scale;
  view.model = RASTER_CAMERA_WEAK;
  return view;
}

Result<RasterImage> rasterReference(const RasterMesh& mesh, std::span<const gpu::RasterView> views,
                                    const RasterConfig& config) {
  MESHRT_TRY(validateRasterInputs(mesh, views, config));
  const uint32_t W = config.width, H = config.height, B = static_cast<uint32_t>(views.size());
  const uint32_t T = static_cast<uint32_t>(mesh.triangles.size() / 3);
  const uint32_t stride = rasterAttributeStride(mesh.extraCount);
  const uint32_t flags = config.cullBackFaces ? RASTER_FLAG_CULL_BACK : 0u;
  const size_t pixels = size_t{B} * W * H;
  RasterImage image;
  image.width = W;
  image.height = H;
  image.views = B;
  image.attributeStride = stride;
  image.triangleIds.assign(pixels, RASTER_NO_TRIANGLE);
  image.surface.assign(pixels * 4, 0.0f);
  image.attributes.assign(pixels * stride, 0.0f);

  std::vector<gpu::RasterTriangle> setup(T);
  std::vector<uint64_t> best(size_t{W} * H);
  for (uint32_t b = 0; b < B; ++b) {
    std::fill(best.begin(), best.end(), ~uint64_t{0});
    for (uint32_t t = 0; t < T; ++t) {
      setup[t] = rasterSetupTriangle(views[b], mesh.positions.data(), mesh.triangles[3 * t], mesh.triangles[3 * t + 1],
                                     mesh.triangles[3 * t + 2], W, H, flags);
      const gpu::RasterTriangle& tri = setup[t];
      if (!(tri.flags & RASTER_TRI_VALID)) continue;
      const uint32_t x0 = (tri.tileMin & 0xffffu) * RASTER_TILE_SIZE, y0 = (tri.tileMin >> 16) * RASTER_TILE_SIZE;
      const uint32_t x1 = std::min(W, ((tri.tileMax & 0xffffu) + 1) * RASTER_TILE_SIZE);
      const uint32_t y1 = std::min(H, ((tri.tileMax >> 16) + 1) * RASTER_TILE_SIZE);
      for (uint32_t y = y0; y < y1; ++y) {
        for (uint32_t x = x0; x < x1; ++x) {
          int64_t e[3];
          if (!rasterCovers(tri, x, y, e)) continue;
          const uint64_t key = rasterKey(rasterKeyDepth(tri, x, y), t);
          uint64_t& slot = best[size_t{y} * W + x];
          if (key < slot) slot = key;
        }
      }
    }
    for (uint32_t y = 0; y < H; ++y) {
      for (uint32_t x = 0; x < W; ++x) {
        const uint64_t key = best[size_t{y} * W + x];
        if (key == ~uint64_t{0}) continue;
        const uint32_t id = static_cast<uint32_t>(key & 0xffffffffu);
        const gpu::RasterTriangle& tri = setup[id];
        int64_t e[3];
        rasterCovers(tri, x, y, e);
        float bary[3];
        const float depth = rasterInterpolate(tri, e, bary);
        if (tri.flags & RASTER_TRI_FLIPPED) std::swap(bary[1], bary[2]);
        const size_t pixel = (size_t{b} * H + y) * W + x;
        image.triangleIds[pixel] = id;
        float* surface = &image.surface[pixel * 4];
        surface[0] = bary[1];
        surface[1] = bary[2];
        surface[2] = depth;
        surface[3] = 1.0f;
        const uint32_t corner[3] = {mesh.triangles[3 * id], mesh.triangles[3 * id + 1], mesh.triangles[3 * id + 2]};
        float* out = &image.attributes[pixel * stride];
        for (uint32_t a = 0; a < stride; ++a) {
          float values[3];
          for (int k = 0; k < 3; ++k) {
            const uint32_t v = corner[k];
            values[k] = a < 2   ? (mesh.uvs.empty() ? 0.0f : mesh.uvs[2 * v + a])
                        : a < 5 ? (mesh.normals.empty() ? 0.0f : mesh.normals[3 * v + a - 2])
                                : (mesh.extra.empty() ? 0.0f : mesh.extra[size_t{v} * mesh.extraCount + a - 5]);
          }
          out[a] = bary[0] * values[0] + bary[1] * values[1] + bary[2] * values[2];
        }
      }
    }
  }
  return image;
}

}  // namespace meshrt
