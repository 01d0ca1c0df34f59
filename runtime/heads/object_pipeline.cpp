#include "heads/object_pipeline.h"

#include <algorithm>
#include <cmath>

#include "core/mesh_io.h"
#include "heads/head_pipelines.h"

namespace meshrt {

PinholeIntrinsics assumedIntrinsics(const PackSpec& pack, uint32_t width, uint32_t height) {
  PinholeIntrinsics k;
  k.fx = k.fy = pack.focalPerLongSide * float(std::max(width, height));
  k.cx = 0.5f * float(width);
  k.cy = 0.5f * float(height);
  return k;
}

Result<TexturedMesh> loadPackTemplate(const PackSpec& pack) {
  auto mesh = readObj(pack.templatePath);
  if (!mesh) return mesh.error();
  if (mesh->vertexCount() == 0 || mesh->triangleCount() == 0) {
    return makeError(pack.templatePath, "template has no vertices or no triangles");
  }
  if (mesh->uvs.size() != size_t{2} * mesh->vertexCount()) {
    return makeError(pack.templatePath, "template needs one UV per vertex (vt on every face corner)");
  }
  return mesh;
}

Result<std::unique_ptr<ObjectPipeline>> createObjectPipeline(const PackSpec& pack, const ObjectPipelineOptions& options) {
  if (pack.head == "objectron") return createObjectronPipeline(pack, options);
  if (pack.head == "face") return createFacePipeline(pack, options);
  return makeError(pack.directory + "/pack.json: head", "'" + pack.head + "' has no pipeline (expected objectron or face)");
}

}  // namespace meshrt
