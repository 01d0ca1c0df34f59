#include "heads/object_frame_mesh.h"

namespace meshrt {

TexturedMesh objectFrameMesh(const ReconstructedObject& object) {
  TexturedMesh mesh = object.mesh;
  const auto& r = object.camera.rotation;
  const auto& t = object.camera.translation;
  const bool orthographic = object.camera.model != ObjectCameraModel::Pinhole;  // face, ttp, regress
  const float inverseScale = orthographic && object.camera.scale != 0.0f ? 1.0f / object.camera.scale : 1.0f;
  for (uint32_t v = 0; v < mesh.vertexCount(); ++v) {
    const float* p = &object.mesh.positions[3 * v];
    const float d[3] = {p[0] - t[0], p[1] - t[1], p[2] - t[2]};
    for (int column = 0; column < 3; ++column) {  // row `column` of Rᵀ is column `column` of R
      mesh.positions[3 * v + column] =
          (r[column] * d[0] + r[3 + column] * d[1] + r[6 + column] * d[2]) * inverseScale;
    }
  }
  return mesh;
}

}  // namespace meshrt
