#include "dataset/dataset_renderer.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/mesh_io.h"
#include "core/npy_file.h"
#include "dataset/dataset_shading.h"
#include "heads/deform_pipeline.h"
#include "stages/raster.h"
#include "vk/command_stream.h"
#include "vk/context.h"
#include "vk/gpu_allocator.h"

namespace meshrt::dataset {
namespace {

// Area-weighted vertex normals (object frame) of a counter-clockwise mesh: outward.
void accumulateNormals(std::span<const float> positions, std::span<const uint32_t> triangles, float* normals) {
  const size_t vertexCount = positions.size() / 3;
  std::fill(normals, normals + 3 * vertexCount, 0.0f);
  for (size_t t = 0; t < triangles.size(); t += 3) {
    const float* a = &positions[3 * triangles[t]];
    const float* b = &positions[3 * triangles[t + 1]];
    const float* c = &positions[3 * triangles[t + 2]];
    const float e1[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    const float e2[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
    const float n[3] = {e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]};
    for (int k = 0; k < 3; ++k)
      for (int d = 0; d < 3; ++d) normals[3 * triangles[t + k] + d] += n[d];
  }
}

}  // namespace

DatasetRenderer::DatasetRenderer(vk::Context& context, DeformableTemplate model, const DatasetRenderParams& params)
    : mContext(context), mModel(std::move(model)), mParams(params) {}

DatasetRenderer::~DatasetRenderer() = default;

Result<std::unique_ptr<DatasetRenderer>> DatasetRenderer::create(vk::Context& context, DeformableTemplate model,
                                                                 const DatasetRenderParams& params) {
  if (params.size == 0 || params.size > RASTER_MAX_SIZE || params.batch == 0 || params.batch > RASTER_MAX_VIEWS) {
    return makeError("render-dataset", "image size or batch out of range");
  }
  std::unique_ptr<DatasetRenderer> renderer(new DatasetRenderer(context, std::move(model), params));
  renderer->mAllocator = std::make_unique<vk::GpuAllocator>(context);
  auto stream = vk::CommandStream::create(context);
  if (!stream) return stream.error();
  renderer->mStream = std::move(*stream);
  auto raster = RasterStage::create(context, *renderer->mAllocator);
  if (!raster) return raster.error();
  renderer->mRaster = std::move(*raster);
  const DeformableTemplate& m = renderer->mModel;
  renderer->mVertexTriangles.resize(m.vertexCount());
  for (uint32_t t = 0; t < m.triangleCount(); ++t)
    for (int k = 0; k < 3; ++k) renderer->mVertexTriangles[m.triangles[3 * t + k]].push_back(t);
  return renderer;
}

Result<DeformableTemplate> loadDeformableTemplate(const PackSpec& pack, const std::string& context) {
  if (pack.templateFit != TemplateFit::Deform) {
    return makeError(context, "head '" + pack.head + "' has no deformation basis (a ttp or regress pack is needed)");
  }
  auto mesh = readObj(pack.templatePath);
  if (!mesh) return mesh.error();
  DeformableTemplate model;
  model.positions = std::move(mesh->positions);
  model.uvs = std::move(mesh->uvs);
  model.triangles = std::move(mesh->triangles);
  auto basis = readNpy(pack.basisPath);  // shape checked by loadPack
  if (!basis) return basis.error();
  model.basis.assign(basis->floats().begin(), basis->floats().end());
  model.basisCount = pack.basisCount;
  return model;
}

std::vector<float> DatasetRenderer::deform(std::span<const float> coefficients) const {
  return deformTemplate(mModel.positions, mModel.basis, mModel.basisCount, coefficients);
}

Result<std::vector<RenderedSample>> DatasetRenderer::render(std::span<const DatasetSample> samples) {
  if (samples.empty() || samples.size() > mParams.batch) return makeError("render-dataset", "batch size out of range");
  const uint32_t n = mModel.vertexCount(), f = mModel.triangleCount(), size = mParams.size;
  const auto g = static_cast<uint32_t>(samples.size());
  std::vector<float> positions(size_t{g} * n * 3), uvs(size_t{g} * n * 2), normals(size_t{g} * n * 3);
  std::vector<uint32_t> triangles(size_t{g} * f * 3);
  std::vector<std::vector<float>> deformed(g);
  std::vector<gpu::RasterView> views(g);
  for (uint32_t j = 0; j < g; ++j) {
    const DatasetSample& sample = samples[j];
    deformed[j] = deform(sample.coefficients);
    const double offsetY = double{mParams.copySpacing} * j;  // D_j = (0, j·L, 0)
    for (uint32_t i = 0; i < n; ++i) {
      positions[(size_t{j} * n + i) * 3 + 0] = deformed[j][3 * i];
      positions[(size_t{j} * n + i) * 3 + 1] = static_cast<float>(deformed[j][3 * i + 1] + offsetY);
      positions[(size_t{j} * n + i) * 3 + 2] = deformed[j][3 * i + 2];
    }
    std::copy(mModel.uvs.begin(), mModel.uvs.end(), uvs.begin() + size_t{j} * n * 2);
    accumulateNormals(deformed[j], mModel.triangles, normals.data() + size_t{j} * n * 3);
    for (size_t t = 0; t < mModel.triangles.size(); ++t) triangles[size_t{j} * f * 3 + t] = mModel.triangles[t] + j * n;
    float rotation[9];
    for (int k = 0; k < 9; ++k) rotation[k] = static_cast<float>(sample.rotation[k]);
    const double tx = sample.translation[0] - sample.scale * sample.rotation[1] * offsetY;
    const double ty = sample.translation[1] - sample.scale * sample.rotation[4] * offsetY;
    views[j] = weakPerspectiveView(rotation, static_cast<float>(sample.scale), static_cast<float>(tx),
                                   static_cast<float>(ty));
  }
  RasterMesh mesh;
  mesh.positions = positions;
  mesh.triangles = triangles;
  mesh.uvs = uvs;
  mesh.normals = normals;
  const RasterConfig config{size, size, false};
  MESHRT_TRY(mRaster->run(*mStream, mesh, views, config));
  auto downloaded = mRaster->download(*mStream);
  if (!downloaded) return downloaded.error();
  const RasterImage& raster = *downloaded;

  std::vector<RenderedSample> out(g);
  const size_t pixelCount = size_t{size} * size;
  for (uint32_t j = 0; j < g; ++j) {
    const DatasetSample& sample = samples[j];
    const std::array<double, 9>& r = sample.rotation;
    RenderedSample& result = out[j];
    result.image = Image(size, size, 3);
    result.mask = Image(size, size, 1);
    for (uint32_t y = 0; y < size; ++y) {
      for (uint32_t x = 0; x < size; ++x) {
        const size_t pixel = size_t{j} * pixelCount + size_t{y} * size + x;
        const uint32_t id = raster.triangleIds[pixel];
        std::array<float, 3> colour;
        if (id == RASTER_NO_TRIANGLE) {
          colour = backgroundColour(sample.background, (x + 0.5) / size, (y + 0.5) / size);
        } else {
          if (id / f != j) {
            return makeError("render-dataset", "sample " + std::to_string(j) + " of a batch shows another sample's copy "
                                               "(copy spacing too small for this camera)");
          }
          const float* attribute = &raster.attributes[pixel * raster.attributeStride];
          const double nObject[3] = {attribute[2], attribute[3], attribute[4]};
          const double nCamera[3] = {r[0] * nObject[0] + r[1] * nObject[1] + r[2] * nObject[2],
                                     r[3] * nObject[0] + r[4] * nObject[1] + r[5] * nObject[2],
                                     r[6] * nObject[0] + r[7] * nObject[1] + r[8] * nObject[2]};
          const float shade = lambertAmbient(sample.light, nCamera);
          colour = textureColour(sample.texture, attribute[0], attribute[1]);
          for (float& c : colour) c *= shade;
          *result.mask.at(x, y) = 255;
        }
        uint8_t* rgb = result.image.at(x, y);
        for (int c = 0; c < 3; ++c) rgb[c] = toByte(colour[c]);
      }
    }

    // Labels from the nominal camera (no copy offset), double precision.
    result.points.resize(size_t{n} * 2);
    result.pixels.resize(size_t{n} * 2);
    result.visibility.assign(n, 0);
    const double offsetDepth = r[7] * double{mParams.copySpacing} * j;  // (R D_j)_z, in the raster's depths
    for (uint32_t i = 0; i < n; ++i) {
      const double X = deformed[j][3 * i], Y = deformed[j][3 * i + 1], Z = deformed[j][3 * i + 2];
      const double px = sample.scale * (r[0] * X + r[1] * Y + r[2] * Z) + sample.translation[0];
      const double py = sample.scale * (r[3] * X + r[4] * Y + r[5] * Z) + sample.translation[1];
      const double depth = r[6] * X + r[7] * Y + r[8] * Z + offsetDepth;
      result.points[2 * i] = static_cast<float>(px);
      result.points[2 * i + 1] = static_cast<float>(py);
      const double sx = (px + 1.0) * 0.5 * size, sy = (py + 1.0) * 0.5 * size;
      result.pixels[2 * i] = static_cast<float>(sx);
      result.pixels[2 * i + 1] = static_cast<float>(sy);
      if (!(sx >= 0 && sy >= 0 && sx < size && sy < size)) continue;
      const size_t pixel = size_t{j} * pixelCount + static_cast<size_t>(sy) * size + static_cast<size_t>(sx);
      const uint32_t id = raster.triangleIds[pixel];
      if (id == RASTER_NO_TRIANGLE) continue;
      const uint32_t local = id - j * f;
      const auto& own = mVertexTriangles[i];
      const bool ownTriangle = std::find(own.begin(), own.end(), local) != own.end();
      const double surfaceDepth = raster.surface[pixel * 4 + 2];
      result.visibility[i] = ownTriangle || surfaceDepth >= depth - mParams.visibilityDepthSlack ? 1 : 0;
    }
  }
  return out;
}

}  // namespace meshrt::dataset
