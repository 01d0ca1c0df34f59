// writeObjWithMaterial (core/mesh_io.h): OBJ + MTL text, numbers in shortest round-trip form.
#include <charconv>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/mesh_io.h"
#include "core/textured_mesh_check.h"

namespace meshrt {
namespace {

// The one material's name, in the OBJ's usemtl and the MTL's newmtl.
constexpr const char* MATERIAL_NAME = "meshrt_texture";

void appendFloat(std::string& out, float value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, result.ptr);
}

void appendUint(std::string& out, uint64_t value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, result.ptr);
}

// A name written on an OBJ/MTL statement line: one line, not empty.
Result<void> checkStatementName(const std::string& name, const std::string& field, const std::string& context) {
  if (name.empty()) return makeError(context, field + " is empty");
  if (name.find_first_of("\r\n") != std::string::npos) return makeError(context, field + " contains a line break");
  return {};
}

std::string objText(const TexturedMesh& mesh, const std::string& mtlName) {
  std::string out;
  out.reserve(size_t{mesh.vertexCount()} * 48 + size_t{mesh.triangleCount()} * 40 + 256);
  out += "# meshrt: ";
  appendUint(out, mesh.vertexCount());
  out += " vertices, ";
  appendUint(out, mesh.triangleCount());
  out += " triangles; vt v = 1 - meshrt v (OBJ's v points up)\n";
  out += "mtllib " + mtlName + "\n";
  for (uint32_t v = 0; v < mesh.vertexCount(); ++v) {
    out += "v ";
    appendFloat(out, mesh.positions[3 * v]);
    out += ' ';
    appendFloat(out, mesh.positions[3 * v + 1]);
    out += ' ';
    appendFloat(out, mesh.positions[3 * v + 2]);
    out += '\n';
  }
  for (uint32_t v = 0; v < mesh.vertexCount(); ++v) {
    out += "vt ";
    appendFloat(out, mesh.uvs[2 * v]);
    out += ' ';
    appendFloat(out, 1.0f - mesh.uvs[2 * v + 1]);
    out += '\n';
  }
  out += "usemtl ";
  out += MATERIAL_NAME;
  out += '\n';
  // One vt per v, so both indices of a corner are the same 1-based number.
  for (uint32_t t = 0; t < mesh.triangleCount(); ++t) {
    out += 'f';
    for (int k = 0; k < 3; ++k) {
      const uint64_t index = uint64_t{mesh.triangles[3 * t + k]} + 1;
      out += ' ';
      appendUint(out, index);
      out += '/';
      appendUint(out, index);
    }
    out += '\n';
  }
  return out;
}

std::string mtlText(const std::string& textureName) {
  std::string out = "# meshrt\nnewmtl ";
  out += MATERIAL_NAME;
  out += "\nKa 1 1 1\nKd 1 1 1\nKs 0 0 0\nd 1\nillum 1\nmap_Kd " + textureName + "\n";
  return out;
}

}  // namespace

Result<void> writeObjWithMaterial(const TexturedMesh& mesh, const std::string& objPath, const std::string& mtlName,
                                  const std::string& textureName) {
  // Everything that can be checked is checked before anything is written.
  MESHRT_TRY(checkTexturedMesh(mesh, objPath));
  MESHRT_TRY(checkStatementName(mtlName, "material file name", objPath));
  // mtllib lists several files separated by spaces, so one name cannot hold a space.
  if (mtlName.find_first_of(" \t") != std::string::npos) return makeError(objPath, "material file name contains a space");
  MESHRT_TRY(checkStatementName(textureName, "texture file name", objPath));
  const std::string mtlPath = (std::filesystem::path(objPath).parent_path() / mtlName).string();
  MESHRT_TRY(writeFileAtomically(mtlPath, mtlText(textureName)));
  return writeFileAtomically(objPath, objText(mesh, mtlName));
}

}  // namespace meshrt
