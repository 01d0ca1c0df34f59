// A textured mesh and texture for the mesh file tests (core/mesh_io.h) and the sample writer.
#pragma once

#include <cstdint>

#include "core/textured_mesh.h"

namespace meshrt::test {

// makeIcosphere(subdivisions) (support/test_meshes.h) as a TexturedMesh: unit sphere, spherical
// UVs (v down). subdivisions 2 -> 162 vertices, 320 triangles.
TexturedMesh makeTexturedIcosphere(int subdivisions);

// A `width` x `height` texture with `channels` (3 or 4) whose every pixel differs from its
// neighbours: (x * 7 + y * 13 + c * 31) mod 256 per channel c (alpha included).
Rgba8Image makeGradientTexture(uint32_t width, uint32_t height, uint32_t channels);

}  // namespace meshrt::test
