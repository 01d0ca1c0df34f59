// The consistency check every mesh writer runs before it writes anything.
#pragma once

#include <string>

#include "core/textured_mesh.h"
#include "meshrt/result.h"

namespace meshrt {

// Checks array sizes (positions a multiple of 3, 2 UV floats per vertex, triangles a multiple
// of 3), at least one triangle, finite positions and UVs, and every index < vertexCount().
// Errors: "<context>: <reason>", e.g. "mesh.obj: vertex 4: position is not finite (nan)".
Result<void> checkTexturedMesh(const TexturedMesh& mesh, const std::string& context);

// Checks width/height > 0, 3 or 4 channels and the pixel byte count.
Result<void> checkRgba8Image(const Rgba8Image& image, const std::string& context);

}  // namespace meshrt
