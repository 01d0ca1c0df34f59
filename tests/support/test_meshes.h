// Meshes and poses for raster tests and benchmarks.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "stages/raster.h"

namespace meshrt::test {

struct TestMesh {
  std::vector<float> positions;     // float3 per vertex
  std::vector<uint32_t> triangles;  // uint3, counter-clockwise seen from outside
  std::vector<float> uvs;           // float2 per vertex
  std::vector<float> normals;       // float3 per vertex
  std::vector<float> extra;         // extraCount floats per vertex
  uint32_t extraCount = 0;
  RasterMesh view() const { return {positions, triangles, uvs, normals, extra, extraCount}; }
  uint32_t triangleCount() const { return static_cast<uint32_t>(triangles.size() / 3); }
};

// Unit icosphere by loop subdivision of an icosahedron: subdivisions 3 -> 642 vertices,
// 1,280 triangles. UVs are spherical (u = longitude, v = latitude, v down); normals = positions;
// extra = the unit-sphere coordinates (3 floats, paper 001 Fig. 7 style).
TestMesh makeIcosphere(int subdivisions);

// `count` independent random triangles in [-1, 1]^2 x [zMin, zMax], with every case the rules
// must handle mixed in: slivers, degenerate (repeated vertex, collinear), off-screen,
// straddling and behind the near plane, huge, and pairs sharing an edge. Random attributes
// (extraCount floats).
TestMesh makeTriangleSoup(uint32_t count, uint32_t seed, uint32_t extraCount);

// A grid of `cells` x `cells` quads, 2 triangles each, covering [-1, 1]^2 at z = 0.
TestMesh makeGrid(uint32_t cells);

// Rotation matrix (row-major) from an axis-angle vector (radians).
std::array<float, 9> rotationFromAxisAngle(float ax, float ay, float az);
// A uniformly random rotation.
std::array<float, 9> randomRotation(std::mt19937& random);

}  // namespace meshrt::test
