// Writes sample mesh files for the ctest checks that read them from outside C++
// (tools/check_glb.py): <dir>/sample.glb, <dir>/sample.obj (+ sample.mtl).
// Usage: meshrt_write_sample_meshes DIR
#include <cstdio>
#include <filesystem>

#include "core/mesh_io.h"
#include "support/sample_textured_mesh.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  const meshrt::TexturedMesh mesh = meshrt::test::makeTexturedIcosphere(2);
  const meshrt::Rgba8Image texture = meshrt::test::makeGradientTexture(64, 48, 4);
  for (const auto& result : {meshrt::writeGlb(mesh, texture, (dir / "sample.glb").string()),
                             meshrt::writeObjWithMaterial(mesh, (dir / "sample.obj").string(), "sample.mtl", "sample.png")}) {
    if (!result.ok()) {
      std::fprintf(stderr, "%s\n", result.error().message.c_str());
      return 1;
    }
  }
  std::printf("wrote %s/sample.glb and sample.obj (%u vertices, %u triangles)\n", dir.c_str(), mesh.vertexCount(),
              mesh.triangleCount());
  return 0;
}
