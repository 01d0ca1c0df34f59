// A triangle mesh with one UV per vertex and its texture, as the heads produce it and the
// exporters (core/mesh_io.h) write it. Object or camera frame as the producer states.
#pragma once

#include <cstdint>
#include <vector>

namespace meshrt {

struct TexturedMesh {
  std::vector<float> positions;     // float3 per vertex (x, y, z)
  std::vector<float> uvs;           // float2 per vertex, DESIGN §5: [0,1]², origin top left, v down
  std::vector<uint32_t> triangles;  // uint3 per triangle, counter-clockwise seen from outside
  uint32_t vertexCount() const { return static_cast<uint32_t>(positions.size() / 3); }
  uint32_t triangleCount() const { return static_cast<uint32_t>(triangles.size() / 3); }
};

// An RGBA8 or RGB8 image, rows top to bottom (the texture: row 0 is v = 0).
struct Rgba8Image {
  uint32_t width = 0, height = 0, channels = 4;
  std::vector<uint8_t> pixels;  // width * height * channels bytes
};

}  // namespace meshrt
