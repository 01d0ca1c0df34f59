// writeGlb (core/mesh_io.h): glTF 2.0 binary container.
// Layout: 12-byte header (magic "glTF", version 2, total length), JSON chunk (padded with
// spaces to 4 bytes), BIN chunk (padded with zeros). The BIN buffer holds, in order:
// positions (float3, bytes 12*n), UVs (float2, 8*n), indices (uint32, 12*m), the PNG.
// Positions are written as given (glTF is y up, right-handed: our object frame, DESIGN §5);
// glTF's UV convention (origin top left, v down) is ours, so UVs are written unchanged.
#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/image.h"
#include "core/mesh_io.h"
#include "core/textured_mesh_check.h"

namespace meshrt {
namespace {

constexpr uint32_t GLB_MAGIC = 0x46546C67;       // "glTF" little-endian
constexpr uint32_t GLB_CHUNK_JSON = 0x4E4F534A;  // "JSON"
constexpr uint32_t GLB_CHUNK_BIN = 0x004E4942;   // "BIN\0"
constexpr int GL_FLOAT = 5126;
constexpr int GL_UNSIGNED_INT = 5125;
constexpr int GL_ARRAY_BUFFER = 34962;
constexpr int GL_ELEMENT_ARRAY_BUFFER = 34963;
constexpr int GL_LINEAR = 9729;
constexpr int GL_CLAMP_TO_EDGE = 33071;

size_t alignTo4(size_t size) { return (size + 3) & ~size_t{3}; }

void appendUint32(std::string& out, uint32_t value) {
  const char bytes[4] = {static_cast<char>(value & 0xff), static_cast<char>((value >> 8) & 0xff),
                         static_cast<char>((value >> 16) & 0xff), static_cast<char>(value >> 24)};
  out.append(bytes, 4);
}

// Appends `size` bytes (host order; glTF is little-endian, as are the hosts meshrt builds for).
void appendBytes(std::string& out, const void* data, size_t size) { out.append(static_cast<const char*>(data), size); }

nlohmann::json bufferView(size_t offset, size_t length, int target) {
  nlohmann::json view = {{"buffer", 0}, {"byteOffset", offset}, {"byteLength", length}};
  if (target != 0) view["target"] = target;
  return view;
}

nlohmann::json gltfJson(const TexturedMesh& mesh, size_t pngBytes, size_t binBytes) {
  const size_t vertexCount = mesh.vertexCount();
  std::array<float, 3> minimum{}, maximum{};
  for (int k = 0; k < 3; ++k) {
    minimum[k] = std::numeric_limits<float>::max();
    maximum[k] = std::numeric_limits<float>::lowest();
  }
  for (size_t v = 0; v < vertexCount; ++v) {
    for (int k = 0; k < 3; ++k) {
      minimum[k] = std::min(minimum[k], mesh.positions[3 * v + k]);
      maximum[k] = std::max(maximum[k], mesh.positions[3 * v + k]);
    }
  }
  const size_t positionBytes = 12 * vertexCount, uvBytes = 8 * vertexCount, indexBytes = 4 * mesh.triangles.size();
  nlohmann::json gltf;
  gltf["asset"] = {{"version", "2.0"}, {"generator", "meshrt"}};
  gltf["scene"] = 0;
  gltf["scenes"] = nlohmann::json::array({{{"nodes", {0}}}});
  gltf["nodes"] = nlohmann::json::array({{{"mesh", 0}}});
  gltf["meshes"] = nlohmann::json::array(
      {{{"primitives", nlohmann::json::array({{{"attributes", {{"POSITION", 0}, {"TEXCOORD_0", 1}}},
                                               {"indices", 2},
                                               {"material", 0},
                                               {"mode", 4}}})}}});
  gltf["materials"] = nlohmann::json::array(
      {{{"name", "meshrt_texture"},
        {"pbrMetallicRoughness", {{"baseColorTexture", {{"index", 0}}}, {"metallicFactor", 0.0}, {"roughnessFactor", 1.0}}}}});
  gltf["textures"] = nlohmann::json::array({{{"sampler", 0}, {"source", 0}}});
  gltf["images"] = nlohmann::json::array({{{"bufferView", 3}, {"mimeType", "image/png"}}});
  gltf["samplers"] = nlohmann::json::array({{{"magFilter", GL_LINEAR},
                                             {"minFilter", GL_LINEAR},
                                             {"wrapS", GL_CLAMP_TO_EDGE},
                                             {"wrapT", GL_CLAMP_TO_EDGE}}});
  gltf["buffers"] = nlohmann::json::array({{{"byteLength", binBytes}}});
  gltf["bufferViews"] = nlohmann::json::array({bufferView(0, positionBytes, GL_ARRAY_BUFFER),
                                               bufferView(positionBytes, uvBytes, GL_ARRAY_BUFFER),
                                               bufferView(positionBytes + uvBytes, indexBytes, GL_ELEMENT_ARRAY_BUFFER),
                                               bufferView(positionBytes + uvBytes + indexBytes, pngBytes, 0)});
  gltf["accessors"] = nlohmann::json::array(
      {{{"bufferView", 0}, {"byteOffset", 0}, {"componentType", GL_FLOAT}, {"count", vertexCount}, {"type", "VEC3"},
        {"min", minimum}, {"max", maximum}},
       {{"bufferView", 1}, {"byteOffset", 0}, {"componentType", GL_FLOAT}, {"count", vertexCount}, {"type", "VEC2"}},
       {{"bufferView", 2}, {"byteOffset", 0}, {"componentType", GL_UNSIGNED_INT}, {"count", mesh.triangles.size()},
        {"type", "SCALAR"}}});
  return gltf;
}

}  // namespace

Result<void> writeGlb(const TexturedMesh& mesh, const Rgba8Image& texture, const std::string& glbPath) {
  MESHRT_TRY(checkTexturedMesh(mesh, glbPath));
  MESHRT_TRY(checkRgba8Image(texture, glbPath));
  Image image(texture.width, texture.height, texture.channels);
  image.pixels = texture.pixels;
  auto png = encodePng(image, glbPath);
  if (!png.ok()) return png.error();

  std::string bin;
  appendBytes(bin, mesh.positions.data(), mesh.positions.size() * sizeof(float));
  appendBytes(bin, mesh.uvs.data(), mesh.uvs.size() * sizeof(float));
  appendBytes(bin, mesh.triangles.data(), mesh.triangles.size() * sizeof(uint32_t));
  appendBytes(bin, png->data(), png->size());
  const size_t binBytes = bin.size();
  bin.resize(alignTo4(bin.size()), '\0');

  std::string json = gltfJson(mesh, png->size(), binBytes).dump();
  json.resize(alignTo4(json.size()), ' ');

  const size_t totalBytes = 12 + 8 + json.size() + 8 + bin.size();
  if (totalBytes > std::numeric_limits<uint32_t>::max()) {
    return makeError(glbPath, "cannot write: " + std::to_string(totalBytes) + " bytes exceed the 4 GiB .glb limit");
  }
  std::string glb;
  glb.reserve(totalBytes);
  appendUint32(glb, GLB_MAGIC);
  appendUint32(glb, 2);
  appendUint32(glb, static_cast<uint32_t>(totalBytes));
  appendUint32(glb, static_cast<uint32_t>(json.size()));
  appendUint32(glb, GLB_CHUNK_JSON);
  glb += json;
  appendUint32(glb, static_cast<uint32_t>(bin.size()));
  appendUint32(glb, GLB_CHUNK_BIN);
  glb += bin;
  return writeFileAtomically(glbPath, glb);
}

}  // namespace meshrt
