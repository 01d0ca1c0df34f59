// Mesh files: Wavefront OBJ/MTL (read and write) and glTF 2.0 binary (.glb, write).
// OBJ v coordinates are flipped on write/read (OBJ's v points up, ours down, DESIGN §5).
// Writers go through a temporary name and rename, so a failure leaves nothing half-written.
#pragma once

#include <string>
#include <string_view>

#include "core/textured_mesh.h"
#include "meshrt/result.h"

namespace meshrt {

// Writes `objPath` (v, vt, f with v/vt indices, `mtllib` and `usemtl`) and `mtlPath` (one
// material whose map_Kd names `texturePath`). `mtlPath` and `texturePath` are written into the
// files as given (use names relative to the OBJ's directory).
Result<void> writeObjWithMaterial(const TexturedMesh& mesh, const std::string& objPath, const std::string& mtlName,
                                  const std::string& textureName);

// Reads positions, UVs and triangles; faces with more than three corners are fanned; a vertex
// whose (position, uv) index pair repeats is shared. Errors name the file, the line and the reason.
Result<TexturedMesh> readObj(const std::string& objPath);
// The parser behind readObj for OBJ text held in memory; `source` names it in errors.
Result<TexturedMesh> parseObj(std::string_view text, const std::string& source);

// Writes a .glb: one mesh, POSITION/TEXCOORD_0/indices accessors, one material whose base
// colour texture is `texture` embedded as PNG.
Result<void> writeGlb(const TexturedMesh& mesh, const Rgba8Image& texture, const std::string& glbPath);

}  // namespace meshrt
