// Texture for a reconstructed object from the photo it came from (DESIGN §1 "splat"): the posed
// mesh is rasterized into the image (stages/raster.h) to get each covered pixel's UV, and the
// image's RGB is UV-splatted into the template's texture space (stages/uv_splat.h, docs/UV_SPLAT.md).
// Only the visible surface is covered (the raster keeps the nearest triangle per pixel); texels
// nothing visible maps to get a neutral fill. Only the window of the photo the mesh projects
// into (its bounding box + 1 px) is rasterized and splatted, so a small object in a big photo
// costs little.
//
// With a vk::Context the Vulkan RasterStage and UvSplatStage run; without one, their CPU
// references (rasterReference, uvSplatForwardReference), which compute the same values.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/image.h"
#include "core/textured_mesh.h"
#include "heads/epnp_box.h"
#include "meshrt/result.h"

namespace meshrt {

namespace vk {
class CommandStream;
class Context;
class GpuAllocator;
}  // namespace vk
class Profiler;
class RasterStage;
class UvSplatStage;
struct UvSplatForward;

enum class TexturingProjection {
  Perspective,        // mesh in the OpenCV camera frame, projected with `intrinsics`
  OrthographicPixels, // mesh x, y in image pixels, z depth (smaller = nearer), any unit
  NormalizedImage,    // mesh x, y in normalized image coordinates [-1, 1] over the frame (pixel
                      // x = (x + 1)·W/2), z depth (smaller = nearer): the weak-perspective heads
};

struct ImageTexturingParams {
  TexturingProjection projection = TexturingProjection::Perspective;
  PinholeIntrinsics intrinsics;      // Perspective only, pixels
  uint32_t textureSize = 512;        // square texture, texels
  uint8_t neutralFill[3] = {128, 128, 128};  // RGB of texels no visible pixel maps to
};

struct ImageTexture {
  Image texture;               // RGB8, textureSize², row 0 = v 0 (DESIGN §5)
  std::vector<float> weight;   // textureSize², the splat's total weight per texel (0 = not seen)
  uint32_t coveredPixels = 0;  // image pixels on the visible mesh
  uint32_t filledTexels = 0;   // texels with splat weight > 0
};

class ImageTexturer {
 public:
  // context == nullptr: CPU references. Otherwise the Vulkan stages on `context`.
  static Result<std::unique_ptr<ImageTexturer>> create(vk::Context* context);
  ~ImageTexturer();

  // With a profiler: CPU spans "raster" (rasterize + read back) and "splat" on the calling thread.
  Result<ImageTexture> texture(const Image& frame, const TexturedMesh& mesh, const ImageTexturingParams& params,
                               Profiler* profiler = nullptr);
  bool usesVulkan() const { return mRaster != nullptr; }

 private:
  ImageTexturer() = default;
  std::unique_ptr<vk::GpuAllocator> mAllocator;
  std::unique_ptr<vk::CommandStream> mStream;
  std::unique_ptr<RasterStage> mRaster;
  std::unique_ptr<UvSplatStage> mSplat;
  std::unique_ptr<UvSplatForward> mSplatOutput;  // the splat's outputs, reused from frame to frame
};

}  // namespace meshrt
