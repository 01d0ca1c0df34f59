#include "mesh_export.h"

#include <cstdio>
#include <filesystem>

#include "core/mesh_io.h"
#include "heads/object_frame_mesh.h"

namespace meshrt::cli {
namespace {

constexpr int MAX_EXPORTS = 10000;  // export_0000 .. export_9999

// The first NNNN for which no export_NNNN.{obj,mtl,png,glb} exists in `dir`.
Result<std::string> nextExportStem(const std::string& dir) {
  namespace fs = std::filesystem;
  for (int index = 0; index < MAX_EXPORTS; ++index) {
    char stem[32];
    std::snprintf(stem, sizeof(stem), "export_%04d", index);
    bool used = false;
    for (const char* extension : {".obj", ".mtl", ".png", ".glb"}) {
      std::error_code error;
      used = used || fs::exists(fs::path(dir) / (std::string(stem) + extension), error);
    }
    if (!used) return std::string(stem);
  }
  return makeError(dir, "export_0000 .. export_9999 are all taken");
}

}  // namespace

Result<MeshExportFiles> exportObjectMesh(const ReconstructedObject& object, const Image& texture,
                                         const std::string& dir) {
  const std::string context = "export to " + dir;
  if (object.mesh.vertexCount() == 0 || object.mesh.triangleCount() == 0) return makeError(context, "the mesh is empty");
  if (texture.width == 0 || texture.height == 0 || texture.channels != 3) {
    return makeError(context, "no fused texture yet (RGB8 expected)");
  }
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) return makeError(context, "not a directory");
  auto stem = nextExportStem(dir);
  if (!stem) return stem.error();
  const TexturedMesh mesh = objectFrameMesh(object);

  MeshExportFiles files;
  files.obj = dir + "/" + *stem + ".obj";
  files.mtl = dir + "/" + *stem + ".mtl";
  files.texture = dir + "/" + *stem + ".png";
  files.glb = dir + "/" + *stem + ".glb";
  files.vertices = mesh.vertexCount();
  files.triangles = mesh.triangleCount();
  auto removeWritten = [&files] {
    for (const std::string* path : {&files.obj, &files.mtl, &files.texture, &files.glb}) std::remove(path->c_str());
  };
  Rgba8Image glbTexture;
  glbTexture.width = texture.width;
  glbTexture.height = texture.height;
  glbTexture.channels = 3;
  glbTexture.pixels = texture.pixels;
  Result<void> written = writePng(texture, files.texture);
  if (written) written = writeObjWithMaterial(mesh, files.obj, *stem + ".mtl", *stem + ".png");
  if (written) written = writeGlb(mesh, glbTexture, files.glb);
  if (!written) {
    removeWritten();
    return written.error();
  }
  return files;
}

}  // namespace meshrt::cli
