#include "heads/face_template.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/mesh_io.h"

namespace meshrt {
namespace {

// The positions of the `v` statements in file order (x y z; parsed like readObj: as double,
// then rounded to float, so equal text gives equal floats). Other lines are skipped; readObj
// has already validated the file.
std::vector<float> vertexStatements(const std::string& path) {
  std::vector<float> positions;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 2 || line[0] != 'v' || (line[1] != ' ' && line[1] != '\t')) continue;
    std::istringstream words(line.substr(2));
    std::string word;
    for (int i = 0; i < 3 && words >> word; ++i) {
      std::string_view digits = word;
      if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
      double value = NAN;
      std::from_chars(digits.data(), digits.data() + digits.size(), value);
      positions.push_back(static_cast<float>(value));
    }
  }
  return positions;
}

}  // namespace

Result<TexturedMesh> loadLandmarkOrderedTemplate(const std::string& objPath, uint32_t expectedVertices) {
  auto mesh = readObj(objPath);
  if (!mesh) return mesh.error();
  const std::vector<float> statements = vertexStatements(objPath);
  if (statements.size() != size_t{3} * expectedVertices) {
    return makeError(objPath, "expected " + std::to_string(expectedVertices) + " v statements (one per landmark), got " +
                                  std::to_string(statements.size() / 3));
  }
  if (mesh->vertexCount() != expectedVertices || mesh->uvs.size() != size_t{2} * expectedVertices) {
    return makeError(objPath, "every landmark vertex needs exactly one UV (" + std::to_string(mesh->vertexCount()) +
                                  " (position, uv) pairs for " + std::to_string(expectedVertices) + " positions)");
  }
  // statement index of each readObj vertex: the statement with the same position.
  std::vector<uint32_t> statementOf(expectedVertices);
  std::vector<int> used(expectedVertices, 0);
  for (uint32_t v = 0; v < expectedVertices; ++v) {
    const float* p = &mesh->positions[3 * v];
    int match = -1;
    for (uint32_t s = 0; s < expectedVertices && match < 0; ++s) {
      const float* q = &statements[3 * s];
      if (p[0] == q[0] && p[1] == q[1] && p[2] == q[2] && used[s] == 0) match = int(s);
    }
    if (match < 0) return makeError(objPath, "vertex " + std::to_string(v) + " matches no unused v statement");
    used[match] = 1;
    statementOf[v] = uint32_t(match);
  }
  TexturedMesh ordered;
  ordered.positions.resize(mesh->positions.size());
  ordered.uvs.resize(mesh->uvs.size());
  for (uint32_t v = 0; v < expectedVertices; ++v) {
    const uint32_t s = statementOf[v];
    for (int c = 0; c < 3; ++c) ordered.positions[3 * s + c] = mesh->positions[3 * v + c];
    for (int c = 0; c < 2; ++c) ordered.uvs[2 * s + c] = mesh->uvs[2 * v + c];
  }
  ordered.triangles.reserve(mesh->triangles.size());
  for (uint32_t index : mesh->triangles) ordered.triangles.push_back(statementOf[index]);
  return ordered;
}

}  // namespace meshrt
