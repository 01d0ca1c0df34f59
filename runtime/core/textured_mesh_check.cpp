#include "core/textured_mesh_check.h"

#include <cmath>

namespace meshrt {

Result<void> checkTexturedMesh(const TexturedMesh& mesh, const std::string& context) {
  if (mesh.positions.size() % 3 != 0) {
    return makeError(context, "positions has " + std::to_string(mesh.positions.size()) + " floats, not a multiple of 3");
  }
  const size_t vertexCount = mesh.positions.size() / 3;
  if (mesh.uvs.size() != 2 * vertexCount) {
    return makeError(context, "uvs has " + std::to_string(mesh.uvs.size()) + " floats, expected 2 per vertex (" +
                                  std::to_string(2 * vertexCount) + ")");
  }
  if (mesh.triangles.size() % 3 != 0) {
    return makeError(context, "triangles has " + std::to_string(mesh.triangles.size()) + " indices, not a multiple of 3");
  }
  if (mesh.triangles.empty()) return makeError(context, "mesh has no triangles");
  if (vertexCount > 0xffffffffu) return makeError(context, "more than 2^32 - 1 vertices");
  for (size_t v = 0; v < vertexCount; ++v) {
    for (int k = 0; k < 3; ++k) {
      const float value = mesh.positions[3 * v + k];
      if (!std::isfinite(value)) {
        return makeError(context, "vertex " + std::to_string(v) + ": position is not finite (" + std::to_string(value) + ")");
      }
    }
    for (int k = 0; k < 2; ++k) {
      const float value = mesh.uvs[2 * v + k];
      if (!std::isfinite(value)) {
        return makeError(context, "vertex " + std::to_string(v) + ": uv is not finite (" + std::to_string(value) + ")");
      }
    }
  }
  for (size_t i = 0; i < mesh.triangles.size(); ++i) {
    if (mesh.triangles[i] >= vertexCount) {
      return makeError(context, "triangle " + std::to_string(i / 3) + ": vertex index " + std::to_string(mesh.triangles[i]) +
                                    " out of range (" + std::to_string(vertexCount) + " vertices)");
    }
  }
  return {};
}

Result<void> checkRgba8Image(const Rgba8Image& image, const std::string& context) {
  if (image.width == 0 || image.height == 0) return makeError(context, "texture is empty (0 pixels wide or high)");
  if (image.channels != 3 && image.channels != 4) {
    return makeError(context, "texture has " + std::to_string(image.channels) + " channels, expected 3 or 4");
  }
  const size_t expected = size_t{image.width} * image.height * image.channels;
  if (image.pixels.size() != expected) {
    return makeError(context, "texture has " + std::to_string(image.pixels.size()) + " bytes, expected " +
                                  std::to_string(expected) + " (" + std::to_string(image.width) + "x" +
                                  std::to_string(image.height) + "x" + std::to_string(image.channels) + ")");
  }
  return {};
}

}  // namespace meshrt
