// The face head's template: the canonical face mesh OBJ of the face pack, with vertex k =
// landmark k of the face landmark model. readObj (core/mesh_io.h) numbers vertices in the
// order faces first use them, so the landmark order — the order of the file's `v` statements —
// is restored here: each vertex is matched to the `v` statement with its position (the
// canonical positions are distinct) and the mesh is renumbered.
#pragma once

#include <string>

#include "core/textured_mesh.h"
#include "meshrt/result.h"

namespace meshrt {

// Reads `objPath` with readObj and renumbers its vertices into `v` statement order. Errors: the
// file's own, a `v` statement used with two different UVs or never used, a count other than
// `expectedVertices`.
Result<TexturedMesh> loadLandmarkOrderedTemplate(const std::string& objPath, uint32_t expectedVertices);

}  // namespace meshrt
