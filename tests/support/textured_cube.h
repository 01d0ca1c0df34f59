// A textured cube for the novel-view tests (render/novel_view.h): [-1, 1]³ in the object frame,
// 4 vertices per face (24), counter-clockwise seen from outside, each face's UVs inside its own
// uniformly coloured block of a 6-block texture atlas, so bilinear sampling anywhere on a face
// gives exactly that face's colour.
#pragma once

#include <array>
#include <cstdint>

#include "core/image.h"
#include "core/textured_mesh.h"

namespace meshrt::test {

// Faces in this order: +x, −x, +y, −y, +z, −z.
enum CubeFace { CUBE_PLUS_X, CUBE_MINUS_X, CUBE_PLUS_Y, CUBE_MINUS_Y, CUBE_PLUS_Z, CUBE_MINUS_Z };
inline constexpr uint32_t CUBE_BLOCK = 8;  // texels per side of a face's block; atlas 48 × 8

// RGB8 colour of each face's block.
inline constexpr std::array<std::array<uint8_t, 3>, 6> CUBE_FACE_RGB = {{
    {220, 40, 40}, {40, 200, 60}, {50, 80, 230}, {230, 210, 40}, {200, 60, 210}, {40, 210, 210}}};

TexturedMesh makeTexturedCube();
Image makeCubeAtlas();  // 48 × 8 RGB8

// The UV at the centre of `face` (the block's centre).
std::array<float, 2> cubeFaceCenterUv(CubeFace face);

}  // namespace meshrt::test
