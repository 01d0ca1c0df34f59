// The posed mesh of a reconstructed object moved back into the object's own frame (DESIGN §5:
// right-handed, +y up), for exporters and viewers: glTF 2.0 is +y up with the viewer looking
// down −z, which the object frame is and the producers' frames (OpenCV camera, y down; image
// pixels, y down) are not. The inverse of the object's camera pose (heads/object_pipeline.h):
//   boxes (Pinhole):            X = Rᵀ (p − t)       the template scaled by the box size, box
//                                                     frame, relative units (|t| = 1)
//   face (OrthographicPixels):  X = Rᵀ (p − t) / s   the canonical face frame (looking toward +z),
//                                                     template units (metres for the bundled face)
//   ttp / regress (WeakPerspective): X = Rᵀ (p − t) / s   the deformed template, object units
// A rotation keeps the triangles' winding, so they stay counter-clockwise seen from outside.
#pragma once

#include "core/textured_mesh.h"
#include "heads/object_pipeline.h"

namespace meshrt {

TexturedMesh objectFrameMesh(const ReconstructedObject& object);

}  // namespace meshrt
