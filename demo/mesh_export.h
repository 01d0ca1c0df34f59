// The demo's "Export mesh" (panel button; `meshrt demo --headless --export DIR` after the last
// frame): object 0's mesh with the fused texture as export_NNNN.obj + .mtl + .png and
// export_NNNN.glb, NNNN the first counter no existing export_NNNN.* in the directory uses.
// The mesh is written in the object's own frame (heads/object_frame_mesh.h: +y up, as glTF
// and OBJ viewers expect; boxes in relative units, the face in canonical template units), not
// in the camera or image frame the pipeline poses it in (docs/API.md "Exported meshes").
#pragma once

#include <string>

#include "core/image.h"
#include "heads/object_pipeline.h"
#include "meshrt/result.h"

namespace meshrt::cli {

struct MeshExportFiles {
  std::string obj, mtl, texture, glb;  // paths as written (dir + "/" + name)
  uint32_t vertices = 0, triangles = 0;
};

// `texture`: RGB8, row 0 = v 0 (PackFrameOutput::fusedTexture). Every file goes through a
// temporary name; on an error the files of this export already written are removed.
Result<MeshExportFiles> exportObjectMesh(const ReconstructedObject& object, const Image& texture,
                                         const std::string& dir);

}  // namespace meshrt::cli
