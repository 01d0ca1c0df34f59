// The template meshes as the heads read them (readObj, core/mesh_io.h): object frame +y up,
// triangles counter-clockwise seen from outside, UVs in [0,1]² with v down (DESIGN §5).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>

#include "core/mesh_io.h"

namespace meshrt {
namespace {

namespace fs = std::filesystem;

using Vec3 = std::array<double, 3>;

Vec3 vertex(const TexturedMesh& mesh, uint32_t i) {
  return {mesh.positions[3 * i], mesh.positions[3 * i + 1], mesh.positions[3 * i + 2]};
}

Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

Vec3 sub(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }

// Divergence theorem: Σ a·(b×c)/6 over the triangles; the enclosed volume when they are CCW
// seen from outside, its negative when they are clockwise.
double signedVolume(const TexturedMesh& mesh) {
  double volume = 0;
  for (uint32_t t = 0; t < mesh.triangleCount(); ++t) {
    const Vec3 a = vertex(mesh, mesh.triangles[3 * t]), b = vertex(mesh, mesh.triangles[3 * t + 1]),
               c = vertex(mesh, mesh.triangles[3 * t + 2]);
    const Vec3 bc = cross(b, c);
    volume += (a[0] * bc[0] + a[1] * bc[1] + a[2] * bc[2]) / 6.0;
  }
  return volume;
}

void expectInUnitBox(const TexturedMesh& mesh) {
  for (int axis = 0; axis < 3; ++axis) {
    float lo = 1e9f, hi = -1e9f;
    for (uint32_t i = 0; i < mesh.vertexCount(); ++i) {
      lo = std::min(lo, mesh.positions[3 * i + axis]);
      hi = std::max(hi, mesh.positions[3 * i + axis]);
    }
    EXPECT_NEAR(lo, -0.5f, 1e-6f) << "axis " << axis << ": the template fills the box ±0.5";
    EXPECT_NEAR(hi, 0.5f, 1e-6f) << "axis " << axis;
  }
  ASSERT_EQ(mesh.uvs.size(), 2u * mesh.vertexCount()) << "one UV per vertex";
  for (const float uv : mesh.uvs) {
    EXPECT_GE(uv, 0.0f);
    EXPECT_LE(uv, 1.0f);
  }
}

std::string templatePath(const char* name) { return std::string(MESHRT_SOURCE_DIR) + "/assets/templates/" + name; }

TEST(PackTemplates, CuboidIsTheOutwardUnitCubeWithACrossAtlas) {
  const auto mesh = readObj(templatePath("cuboid.obj"));
  ASSERT_TRUE(mesh.ok()) << mesh.error().message;
  EXPECT_EQ(mesh->vertexCount(), 24u);
  EXPECT_EQ(mesh->triangleCount(), 12u);
  expectInUnitBox(*mesh);
  EXPECT_NEAR(signedVolume(*mesh), 1.0, 1e-9) << "CCW seen from outside";
  for (uint32_t t = 0; t < mesh->triangleCount(); ++t) {
    const Vec3 a = vertex(*mesh, mesh->triangles[3 * t]), b = vertex(*mesh, mesh->triangles[3 * t + 1]),
               c = vertex(*mesh, mesh->triangles[3 * t + 2]);
    const Vec3 normal = cross(sub(b, a), sub(c, a));
    const Vec3 centroid = {(a[0] + b[0] + c[0]) / 3, (a[1] + b[1] + c[1]) / 3, (a[2] + b[2] + c[2]) / 3};
    EXPECT_GT(normal[0] * centroid[0] + normal[1] * centroid[1] + normal[2] * centroid[2], 0.0) << "triangle " << t;
    // Atlas rows, v down: the top face (+y) in row 0, the bottom face (−y) in row 2, the sides in row 1.
    for (int k = 0; k < 3; ++k) {
      const float v = mesh->uvs[2 * mesh->triangles[3 * t + k] + 1];
      const int row = centroid[1] > 0.49 ? 0 : centroid[1] < -0.49 ? 2 : 1;
      EXPECT_GE(v, row / 3.0f - 1e-6f) << "triangle " << t;
      EXPECT_LE(v, (row + 1) / 3.0f + 1e-6f) << "triangle " << t;
    }
  }
}

TEST(PackTemplates, CupIsAClosedOutwardBodyWithAHandleInTheSymmetryPlane) {
  const auto mesh = readObj(templatePath("cup.obj"));
  ASSERT_TRUE(mesh.ok()) << mesh.error().message;
  expectInUnitBox(*mesh);
  // Elliptic body π·0.5·0.4·1 ≈ 0.628 (0.626 as a 48-gon) plus the handle tube (~0.003).
  const double volume = signedVolume(*mesh);
  EXPECT_GT(volume, 0.62) << "CCW seen from outside";
  EXPECT_LT(volume, 0.64);
  // Symmetric about x = 0 (DESIGN §5): every vertex has a mirror vertex.
  for (uint32_t i = 0; i < mesh->vertexCount(); ++i) {
    const Vec3 p = vertex(*mesh, i);
    bool mirrored = false;
    for (uint32_t j = 0; j < mesh->vertexCount() && !mirrored; ++j) {
      const Vec3 q = vertex(*mesh, j);
      mirrored = std::abs(p[0] + q[0]) < 1e-6 && std::abs(p[1] - q[1]) < 1e-6 && std::abs(p[2] - q[2]) < 1e-6;
    }
    ASSERT_TRUE(mirrored) << "vertex " << i << " has no mirror image across x = 0";
  }
  EXPECT_LT(std::filesystem::file_size(templatePath("cup.obj")), 100u * 1024u);
}

TEST(PackTemplates, InstalledFaceTemplateIsTheCanonicalMeshInMetresFacingPlusZ) {
  const char* cache = std::getenv("MESHRT_CACHE");
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const fs::path packs = (cache && *cache) ? fs::path(cache) / "packs"
                         : (xdg && *xdg)   ? fs::path(xdg) / "meshrt" / "packs"
                                           : fs::path(std::getenv("HOME")) / ".cache/meshrt/packs";
  const fs::path path = packs / "face" / "face_canonical.obj";
  if (!fs::exists(path)) GTEST_SKIP() << "packs not installed: run ./meshrt.sh fetch (" << path.string() << " is missing)";
  const auto mesh = readObj(path.string());
  ASSERT_TRUE(mesh.ok()) << mesh.error().message;
  EXPECT_EQ(mesh->vertexCount(), 468u);
  EXPECT_EQ(mesh->triangleCount(), 898u);
  float xMin = 1e9f, xMax = -1e9f;
  uint32_t top = 0;  // the highest vertex (the forehead)
  for (uint32_t i = 0; i < mesh->vertexCount(); ++i) {
    xMin = std::min(xMin, mesh->positions[3 * i]);
    xMax = std::max(xMax, mesh->positions[3 * i]);
    if (mesh->positions[3 * i + 1] > mesh->positions[3 * top + 1]) top = i;
  }
  EXPECT_GT(xMax - xMin, 0.10f) << "metres: a face is ~15 cm wide";
  EXPECT_LT(xMax - xMin, 0.20f);
  EXPECT_LT(mesh->uvs[2 * top + 1], 0.2f) << "+y up and v down: the forehead is near the texture's top";
  uint32_t facingViewer = 0;
  for (uint32_t t = 0; t < mesh->triangleCount(); ++t) {
    const Vec3 a = vertex(*mesh, mesh->triangles[3 * t]), b = vertex(*mesh, mesh->triangles[3 * t + 1]),
               c = vertex(*mesh, mesh->triangles[3 * t + 2]);
    facingViewer += cross(sub(b, a), sub(c, a))[2] > 0 ? 1 : 0;
  }
  EXPECT_GT(facingViewer, 0.95 * mesh->triangleCount()) << "CCW seen from +z, where the face looks";
}

}  // namespace
}  // namespace meshrt
