// A textured mesh rendered from a virtual camera (the demo's novel-view orbit and
// correspondence map, issue 10 "Views"; paper 001 Fig. 7): the mesh is rasterized
// (stages/raster.h, attributes = UVs and vertex normals), the texture sampled bilinearly at each
// covered pixel's UV (stages/uv_splat.h sample: texel centres at (i + 0.5)/Wt, clamp to edge)
// and shaded by the interpolated normal under a headlight:
//   colour = texture(u, v) · (ambient + (1 − ambient) · |n_camera · z|)
// (two-sided, so the inside of an open mesh is lit too). The correspondence map shows the UV
// instead: R = round(255 u), G = round(255 v), B = 0.
//
// With a vk::Context the Vulkan RasterStage and UvSplatStage run; without one, their CPU
// references (rasterReference, uvSplatSampleReference), which compute the same values, so the
// two give the same image (tests/render/novel_view_test.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "core/image.h"
#include "core/textured_mesh.h"
#include "meshrt/result.h"
#include "render/orbit_camera.h"

namespace meshrt {

namespace vk {
class CommandStream;
class Context;
class GpuAllocator;
}  // namespace vk
class RasterStage;
class UvSplatStage;

enum class NovelViewMode {
  Textured,        // the texture, shaded by the normals
  Correspondence,  // per-pixel UV as colour
};

struct NovelViewParams {
  uint32_t width = 256, height = 256;  // target, pixels
  OrbitCamera camera;                  // around the mesh's bounding-box centre, distance in bounding radii
  NovelViewMode mode = NovelViewMode::Textured;
  float ambient = 0.35f;                      // shading floor, 0..1
  std::array<uint8_t, 3> background = {30, 30, 36};  // RGB of pixels off the mesh
};

struct NovelView {
  Image image;                 // RGB8 width × height
  uint32_t coveredPixels = 0;  // pixels on the mesh
  OrbitPose pose;              // the camera used (object → camera, pinhole)
};

// The mesh's bounding-box centre and the radius of the sphere around it holding every vertex.
void meshBounds(const TexturedMesh& mesh, std::array<float, 3>& center, float& radius);

// Per-vertex normals: the sum of the adjacent triangles' area-weighted normals, normalized
// (counter-clockwise triangles: outward). A vertex on no triangle gets (0, 0, 0).
std::vector<float> vertexNormals(const TexturedMesh& mesh);

class NovelViewRenderer {
 public:
  // context == nullptr: the CPU references. Otherwise the Vulkan stages on `context`.
  static Result<std::unique_ptr<NovelViewRenderer>> create(vk::Context* context);
  ~NovelViewRenderer();

  // `mesh`: object frame with UVs (heads/object_frame_mesh.h); `texture`: RGB8, row 0 = v 0.
  Result<NovelView> render(const TexturedMesh& mesh, const Image& texture, const NovelViewParams& params);
  bool usesVulkan() const { return mRaster != nullptr; }

 private:
  NovelViewRenderer() = default;
  std::unique_ptr<vk::GpuAllocator> mAllocator;
  std::unique_ptr<vk::CommandStream> mStream;
  std::unique_ptr<RasterStage> mRaster;
  std::unique_ptr<UvSplatStage> mSplat;
};

}  // namespace meshrt
