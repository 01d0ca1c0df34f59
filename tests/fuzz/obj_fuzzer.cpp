// libFuzzer target: bytes → parseObj, the OBJ parser behind readObj (core/mesh_io.h) that reads
// packs' template meshes (docs/TESTING.md "Fuzzing"). A mesh that parses must be consistent:
// triangle indices name existing vertices, one uv pair per vertex.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/mesh_io.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace meshrt;
  static const std::string SOURCE = "fuzz.obj";
  auto mesh = parseObj(std::string_view(reinterpret_cast<const char*>(data), size), SOURCE);
  if (!mesh.ok()) {
    fuzz::requireCleanError(mesh.error(), SOURCE);
    return 0;
  }
  const size_t vertices = mesh->positions.size() / 3;
  bool consistent = mesh->positions.size() % 3 == 0 && mesh->uvs.size() == 2 * vertices &&
                    mesh->triangles.size() % 3 == 0 && !mesh->triangles.empty();
  for (const uint32_t index : mesh->triangles) consistent = consistent && index < vertices;
  if (!consistent) {
    std::fprintf(stderr, "fuzz target: parseObj returned an inconsistent mesh\n");
    std::abort();
  }
  return 0;
}
