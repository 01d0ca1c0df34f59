// Renders dataset samples (dataset_sample.h) of a deformable template through the raster stage
// (stages/raster.h, weak perspective) and shades them on the host: textured Lambert + ambient
// over a procedural background. Also derives each sample's labels from the same camera.
//
// Batching: the raster stage draws one mesh in up to 1,024 views, but every sample has its own
// deformation. A batch of G samples is therefore one mesh holding the G deformed copies, copy j
// displaced by D_j = (0, j·L, 0) in the object frame; view j compensates with
// t'_j = t_j − s_j·(R_j D_j)_xy, which puts copy j where its sample wants it and every other
// copy at least s·L·|(R_j ŷ)_xy| ≥ 1.1·L·sin(15°) normalized units away, off the image (the view
// elevation is at most 75°). A pixel that still shows another copy is reported as an error.
// Every view still sets up all G·F triangles, so the setup work grows as G²; on lavapipe G = 1
// (one raster call per sample) measured fastest (docs/DATASET.md "Speed"), and it is the
// default. The offset changes float rounding, so the output depends on G in its last bits: G
// is recorded in dataset.json, and the same seed and G give the same bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/image.h"
#include "core/pack.h"
#include "dataset/dataset_sample.h"
#include "meshrt/result.h"

namespace meshrt {
class RasterStage;
namespace vk {
class CommandStream;
class Context;
class GpuAllocator;
}  // namespace vk
}  // namespace meshrt

namespace meshrt::dataset {

struct DeformableTemplate {
  std::vector<float> positions;     // N×3, object frame (+y up)
  std::vector<float> uvs;           // N×2, v down
  std::vector<uint32_t> triangles;  // F×3, counter-clockwise seen from outside
  std::vector<float> basis;         // N×3×K row-major: basis[(i·3 + d)·K + k]
  uint32_t basisCount = 0;          // K
  uint32_t vertexCount() const { return static_cast<uint32_t>(positions.size() / 3); }
  uint32_t triangleCount() const { return static_cast<uint32_t>(triangles.size() / 3); }
};

// The pack's template and basis (a ttp / regress pack: TemplateFit::Deform; the basis shape was
// checked by loadPack). `context` prefixes the error for another kind of pack.
Result<DeformableTemplate> loadDeformableTemplate(const PackSpec& pack, const std::string& context);

struct RenderedSample {
  Image image;                     // RGB8, size × size
  Image mask;                      // 1 channel, 255 where the object covers the pixel centre, else 0
  std::vector<float> points;       // N×2, p = s·(R X)_xy + t, normalized crop coordinates [-1, 1]
  std::vector<float> pixels;       // N×2, (p + 1)·size/2: pixels, origin top left, centres at i + 0.5
  std::vector<uint8_t> visibility; // N, 1 = the vertex is seen (see DatasetRenderer::render)
};

struct DatasetRenderParams {
  uint32_t size = 128;           // square image side, pixels
  uint32_t batch = 1;            // samples per raster call (G)
  float copySpacing = 20.0f;     // L, object units
  float visibilityDepthSlack = 0.02f;  // object units (the template spans 1)
};

class DatasetRenderer {
 public:
  static Result<std::unique_ptr<DatasetRenderer>> create(vk::Context& context, DeformableTemplate model,
                                                         const DatasetRenderParams& params);
  ~DatasetRenderer();

  // Renders up to params.batch samples. A vertex is visible when its pixel lies in the image and
  // the raster's triangle there is one of the vertex's own triangles, or lies no more than
  // visibilityDepthSlack in front of the vertex (weak-perspective depth (R X)_z).
  Result<std::vector<RenderedSample>> render(std::span<const DatasetSample> samples);

  // X = T + B·c (N×3, float).
  std::vector<float> deform(std::span<const float> coefficients) const;

 private:
  DatasetRenderer(vk::Context& context, DeformableTemplate model, const DatasetRenderParams& params);

  vk::Context& mContext;
  std::unique_ptr<vk::GpuAllocator> mAllocator;
  std::unique_ptr<vk::CommandStream> mStream;
  std::unique_ptr<RasterStage> mRaster;
  DeformableTemplate mModel;
  DatasetRenderParams mParams;
  std::vector<std::vector<uint32_t>> mVertexTriangles;  // per vertex: the triangles that use it
};

}  // namespace meshrt::dataset
