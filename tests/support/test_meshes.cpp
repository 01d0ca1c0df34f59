#include "support/test_meshes.h"

#include <cmath>
#include <algorithm>
#include <map>

namespace meshrt::test {

std::array<float, 9> rotationFromAxisAngle(float ax, float ay, float az) {
  const double angle = std::sqrt(double(ax) * ax + double(ay) * ay + double(az) * az);
  if (angle < 1e-12) return {1, 0, 0, 0, 1, 0, 0, 0, 1};
  const double x = ax / angle, y = ay / angle, z = az / angle;
  const double c = std::cos(angle), s = std::sin(angle), t = 1 - c;
  return {float(t * x * x + c),     float(t * x * y - s * z), float(t * x * z + s * y),
          float(t * x * y + s * z), float(t * y * y + c),     float(t * y * z - s * x),
          float(t * x * z - s * y), float(t * y * z + s * x), float(t * z * z + c)};
}

std::array<float, 9> randomRotation(std::mt19937& random) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<float> angle(0.0f, 3.14159265f);
  float x = normal(random), y = normal(random), z = normal(random);
  const float norm = std::sqrt(x * x + y * y + z * z) + 1e-12f;
  const float a = angle(random);
  return rotationFromAxisAngle(x / norm * a, y / norm * a, z / norm * a);
}

TestMesh makeIcosphere(int subdivisions) {
  const float phi = (1.0f + std::sqrt(5.0f)) / 2.0f;
  std::vector<std::array<float, 3>> vertices = {
      {-1, phi, 0}, {1, phi, 0}, {-1, -phi, 0}, {1, -phi, 0}, {0, -1, phi}, {0, 1, phi},
      {0, -1, -phi}, {0, 1, -phi}, {phi, 0, -1}, {phi, 0, 1}, {-phi, 0, -1}, {-phi, 0, 1}};
  std::vector<std::array<uint32_t, 3>> faces = {
      {0, 11, 5}, {0, 5, 1}, {0, 1, 7}, {0, 7, 10}, {0, 10, 11}, {1, 5, 9}, {5, 11, 4}, {11, 10, 2}, {10, 7, 6}, {7, 1, 8},
      {3, 9, 4}, {3, 4, 2}, {3, 2, 6}, {3, 6, 8}, {3, 8, 9}, {4, 9, 5}, {2, 4, 11}, {6, 2, 10}, {8, 6, 7}, {9, 8, 1}};
  for (auto& v : vertices) {
    const float n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    for (float& c : v) c /= n;
  }
  for (int level = 0; level < subdivisions; ++level) {
    std::map<std::pair<uint32_t, uint32_t>, uint32_t> midpoints;
    auto midpoint = [&](uint32_t a, uint32_t b) {
      const std::pair<uint32_t, uint32_t> key(std::min(a, b), std::max(a, b));
      auto it = midpoints.find(key);
      if (it != midpoints.end()) return it->second;
      std::array<float, 3> m;
      for (int k = 0; k < 3; ++k) m[k] = 0.5f * (vertices[a][k] + vertices[b][k]);
      const float n = std::sqrt(m[0] * m[0] + m[1] * m[1] + m[2] * m[2]);
      for (float& c : m) c /= n;
      vertices.push_back(m);
      return midpoints[key] = static_cast<uint32_t>(vertices.size() - 1);
    };
    std::vector<std::array<uint32_t, 3>> next;
    for (const auto& f : faces) {
      const uint32_t ab = midpoint(f[0], f[1]), bc = midpoint(f[1], f[2]), ca = midpoint(f[2], f[0]);
      next.push_back({f[0], ab, ca});
      next.push_back({f[1], bc, ab});
      next.push_back({f[2], ca, bc});
      next.push_back({ab, bc, ca});
    }
    faces = std::move(next);
  }
  TestMesh mesh;
  mesh.extraCount = 3;
  for (const auto& v : vertices) {
    mesh.positions.insert(mesh.positions.end(), v.begin(), v.end());
    mesh.normals.insert(mesh.normals.end(), v.begin(), v.end());
    mesh.extra.insert(mesh.extra.end(), v.begin(), v.end());
    mesh.uvs.push_back(0.5f + std::atan2(v[0], v[2]) / (2.0f * 3.14159265f));
    mesh.uvs.push_back(0.5f + std::asin(std::fmax(-1.0f, std::fmin(1.0f, v[1]))) / 3.14159265f);
  }
  for (const auto& f : faces) {
    // The base icosahedron above is listed counter-clockwise seen from outside.
    mesh.triangles.insert(mesh.triangles.end(), f.begin(), f.end());
  }
  return mesh;
}

TestMesh makeTriangleSoup(uint32_t count, uint32_t seed, uint32_t extraCount) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::uniform_real_distribution<float> depth(1.5f, 4.0f);
  TestMesh mesh;
  mesh.extraCount = extraCount;
  auto addVertex = [&](float x, float y, float z) {
    mesh.positions.insert(mesh.positions.end(), {x, y, z});
    mesh.uvs.insert(mesh.uvs.end(), {0.5f + 0.5f * unit(random), 0.5f + 0.5f * unit(random)});
    mesh.normals.insert(mesh.normals.end(), {unit(random), unit(random), unit(random)});
    for (uint32_t e = 0; e < extraCount; ++e) mesh.extra.push_back(unit(random));
    return static_cast<uint32_t>(mesh.positions.size() / 3 - 1);
  };
  for (uint32_t i = 0; i < count; ++i) {
    const float cx = unit(random), cy = unit(random), cz = depth(random), size = 0.02f + 0.3f * std::fabs(unit(random));
    float p[3][3];
    for (auto& v : p) {
      v[0] = cx + size * unit(random);
      v[1] = cy + size * unit(random);
      v[2] = cz + 0.3f * unit(random);
    }
    switch (i % 10) {
      case 1:  // sliver: third vertex almost on the first edge
        for (int k = 0; k < 3; ++k) p[2][k] = 0.5f * (p[0][k] + p[1][k]) + 1e-3f * unit(random);
        break;
      case 2:  // degenerate: repeated vertex
        for (int k = 0; k < 3; ++k) p[2][k] = p[0][k];
        break;
      case 3:  // off-screen
        for (auto& v : p) v[0] += 40.0f;
        break;
      case 4:  // straddles the near plane (perspective: rejected)
        p[0][2] = -0.5f;
        break;
      case 5:  // entirely behind the camera
        for (auto& v : p) v[2] = -v[2];
        break;
      case 6:  // huge: covers much of the target
        for (auto& v : p) { v[0] *= 4.0f; v[1] *= 4.0f; }
        break;
      default:
        break;
    }
    const uint32_t a = addVertex(p[0][0], p[0][1], p[0][2]);
    const uint32_t b = addVertex(p[1][0], p[1][1], p[1][2]);
    const uint32_t c = addVertex(p[2][0], p[2][1], p[2][2]);
    mesh.triangles.insert(mesh.triangles.end(), {a, b, c});
    if (i % 10 == 7) {  // a neighbour sharing edge (b, c), wound consistently
      const uint32_t d = addVertex(p[1][0] + p[2][0] - p[0][0], p[1][1] + p[2][1] - p[0][1], p[1][2]);
      mesh.triangles.insert(mesh.triangles.end(), {c, b, d});
    }
  }
  return mesh;
}

TestMesh makeGrid(uint32_t cells) {
  TestMesh mesh;
  for (uint32_t y = 0; y <= cells; ++y) {
    for (uint32_t x = 0; x <= cells; ++x) {
      const float px = -1.0f + 2.0f * x / cells, py = -1.0f + 2.0f * y / cells;
      mesh.positions.insert(mesh.positions.end(), {px, py, 0.0f});
      mesh.uvs.insert(mesh.uvs.end(), {float(x) / cells, float(y) / cells});
      mesh.normals.insert(mesh.normals.end(), {0.0f, 0.0f, -1.0f});
    }
  }
  for (uint32_t y = 0; y < cells; ++y) {
    for (uint32_t x = 0; x < cells; ++x) {
      const uint32_t i = y * (cells + 1) + x;
      // Counter-clockwise on screen (y down) seen from a camera looking along +z.
      mesh.triangles.insert(mesh.triangles.end(), {i, i + cells + 1, i + 1});
      mesh.triangles.insert(mesh.triangles.end(), {i + 1, i + cells + 1, i + cells + 2});
    }
  }
  return mesh;
}

}  // namespace meshrt::test
