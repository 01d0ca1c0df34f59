#include "support/glb_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

namespace meshrt::test {
namespace {

uint32_t readU32(const std::vector<uint8_t>& bytes, size_t at) {
  return uint32_t{bytes[at]} | uint32_t{bytes[at + 1]} << 8 | uint32_t{bytes[at + 2]} << 16 | uint32_t{bytes[at + 3]} << 24;
}

size_t componentBytes(int componentType) {
  switch (componentType) {
    case 5120: case 5121: return 1;  // BYTE, UNSIGNED_BYTE
    case 5122: case 5123: return 2;  // SHORT, UNSIGNED_SHORT
    case 5125: case 5126: return 4;  // UNSIGNED_INT, FLOAT
    default: return 0;
  }
}

size_t componentCount(const std::string& type) {
  if (type == "SCALAR") return 1;
  if (type == "VEC2") return 2;
  if (type == "VEC3") return 3;
  if (type == "VEC4") return 4;
  return 0;
}

// The bytes of accessor `index` (tightly packed: no byteStride is written), after checking
// that they lie inside their bufferView and are aligned to their component size.
std::vector<uint8_t> accessorBytes(const GlbContents& glb, size_t index) {
  const auto& accessor = glb.json.at("accessors").at(index);
  const auto& view = glb.json.at("bufferViews").at(accessor.at("bufferView").get<size_t>());
  EXPECT_FALSE(view.contains("byteStride"));
  const size_t component = componentBytes(accessor.at("componentType").get<int>());
  const size_t components = componentCount(accessor.at("type").get<std::string>());
  EXPECT_GT(component, 0u);
  EXPECT_GT(components, 0u);
  const size_t accessorOffset = accessor.value("byteOffset", size_t{0});
  const size_t viewOffset = view.value("byteOffset", size_t{0});
  const size_t count = accessor.at("count").get<size_t>();
  EXPECT_GE(count, 1u);
  EXPECT_EQ((viewOffset + accessorOffset) % component, 0u) << "accessor " << index << " misaligned";
  EXPECT_LE(accessorOffset + count * component * components, view.at("byteLength").get<size_t>()) << "accessor " << index;
  const size_t begin = viewOffset + accessorOffset, end = begin + count * component * components;
  if (end > glb.bin.size()) {
    ADD_FAILURE() << "accessor " << index << " past the BIN chunk";
    return {};
  }
  return std::vector<uint8_t>(glb.bin.begin() + static_cast<std::ptrdiff_t>(begin), glb.bin.begin() + static_cast<std::ptrdiff_t>(end));
}

template <typename T>
std::vector<T> asArray(const std::vector<uint8_t>& bytes) {
  std::vector<T> values(bytes.size() / sizeof(T));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
  return values;
}

}  // namespace

GlbContents readGlb(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  GlbContents glb;
  if (bytes.size() < 12 + 8) {
    ADD_FAILURE() << path << ": " << bytes.size() << " bytes, too short for a header";
    return glb;
  }
  EXPECT_EQ(readU32(bytes, 0), 0x46546C67u) << "magic glTF";
  EXPECT_EQ(readU32(bytes, 4), 2u) << "container version";
  EXPECT_EQ(readU32(bytes, 8), bytes.size()) << "header length = file size";
  const size_t jsonLength = readU32(bytes, 12);
  EXPECT_EQ(readU32(bytes, 16), 0x4E4F534Au) << "first chunk is JSON";
  EXPECT_EQ(jsonLength % 4, 0u) << "JSON chunk length is a multiple of 4";
  const size_t binHeader = 20 + jsonLength;
  if (binHeader + 8 > bytes.size()) {
    ADD_FAILURE() << "no room for the BIN chunk header";
    return glb;
  }
  glb.json = nlohmann::json::parse(bytes.begin() + 20, bytes.begin() + static_cast<std::ptrdiff_t>(binHeader));
  const size_t binLength = readU32(bytes, binHeader);
  EXPECT_EQ(readU32(bytes, binHeader + 4), 0x004E4942u) << "second chunk is BIN";
  EXPECT_EQ(binLength % 4, 0u) << "BIN chunk length is a multiple of 4";
  EXPECT_EQ(binHeader + 8 + binLength, bytes.size()) << "chunks fill the file exactly";
  if (binHeader + 8 + binLength > bytes.size()) return glb;
  glb.bin.assign(bytes.begin() + static_cast<std::ptrdiff_t>(binHeader + 8),
                 bytes.begin() + static_cast<std::ptrdiff_t>(binHeader + 8 + binLength));
  return glb;
}


GlbMesh checkGlbMesh(const std::string& path) {
  GlbMesh mesh;
  const GlbContents glb = readGlb(path);
  if (::testing::Test::HasFailure()) return mesh;
  const auto& json = glb.json;
  EXPECT_EQ(json.at("asset").at("version"), "2.0");
  const auto& scene = json.at("scenes").at(json.at("scene").get<size_t>());
  const auto& node = json.at("nodes").at(scene.at("nodes").at(0).get<size_t>());
  const auto& primitive = json.at("meshes").at(node.at("mesh").get<size_t>()).at("primitives").at(0);
  EXPECT_EQ(primitive.value("mode", 4), 4);  // TRIANGLES

  // Buffers and views: one buffer, the BIN chunk, padded by at most 3 bytes; views inside it.
  EXPECT_EQ(json.at("buffers").size(), 1u);
  const size_t bufferLength = json.at("buffers").at(0).at("byteLength").get<size_t>();
  EXPECT_FALSE(json.at("buffers").at(0).contains("uri"));
  EXPECT_LE(bufferLength, glb.bin.size());
  EXPECT_LT(glb.bin.size() - bufferLength, 4u);
  for (const auto& view : json.at("bufferViews")) {
    EXPECT_EQ(view.at("buffer"), 0);
    EXPECT_LE(view.value("byteOffset", size_t{0}) + view.at("byteLength").get<size_t>(), bufferLength);
  }

  // Accessors: types as glTF requires for these attributes.
  const auto& attributes = primitive.at("attributes");
  const auto& positionAccessor = json.at("accessors").at(attributes.at("POSITION").get<size_t>());
  const auto& uvAccessor = json.at("accessors").at(attributes.at("TEXCOORD_0").get<size_t>());
  const auto& indexAccessor = json.at("accessors").at(primitive.at("indices").get<size_t>());
  EXPECT_EQ(positionAccessor.at("componentType"), 5126);
  EXPECT_EQ(positionAccessor.at("type"), "VEC3");
  EXPECT_EQ(uvAccessor.at("componentType"), 5126);
  EXPECT_EQ(uvAccessor.at("type"), "VEC2");
  EXPECT_EQ(indexAccessor.at("componentType"), 5125);  // UNSIGNED_INT
  EXPECT_EQ(indexAccessor.at("type"), "SCALAR");
  EXPECT_EQ(uvAccessor.at("count"), positionAccessor.at("count"));
  EXPECT_EQ(indexAccessor.at("count").get<size_t>() % 3, 0u);

  mesh.positions = asArray<float>(accessorBytes(glb, attributes.at("POSITION").get<size_t>()));
  mesh.uvs = asArray<float>(accessorBytes(glb, attributes.at("TEXCOORD_0").get<size_t>()));
  mesh.indices = asArray<uint32_t>(accessorBytes(glb, primitive.at("indices").get<size_t>()));
  for (uint32_t index : mesh.indices) {
    if (index >= positionAccessor.at("count").get<uint32_t>()) {
      ADD_FAILURE() << path << ": index " << index << " >= vertex count";
      break;
    }
  }
  for (int k = 0; k < 3 && !mesh.positions.empty(); ++k) {
    float low = mesh.positions[k], high = mesh.positions[k];
    for (size_t v = 0; v < mesh.positions.size() / 3; ++v) {
      low = std::min(low, mesh.positions[3 * v + k]);
      high = std::max(high, mesh.positions[3 * v + k]);
    }
    EXPECT_EQ(positionAccessor.at("min").at(k).get<float>(), low);
    EXPECT_EQ(positionAccessor.at("max").at(k).get<float>(), high);
  }

  // Material -> texture -> image (in a bufferView, PNG) and sampler.
  const auto& material = json.at("materials").at(primitive.at("material").get<size_t>());
  const auto& textureJson =
      json.at("textures").at(material.at("pbrMetallicRoughness").at("baseColorTexture").at("index").get<size_t>());
  EXPECT_LT(textureJson.at("sampler").get<size_t>(), json.at("samplers").size());
  const auto& image = json.at("images").at(textureJson.at("source").get<size_t>());
  EXPECT_EQ(image.at("mimeType"), "image/png");
  const auto& imageView = json.at("bufferViews").at(image.at("bufferView").get<size_t>());
  const size_t pngBegin = imageView.value("byteOffset", size_t{0});
  const size_t pngLength = imageView.at("byteLength").get<size_t>();
  if (pngBegin + pngLength > glb.bin.size() || pngLength < 8) {
    ADD_FAILURE() << path << ": the image's bufferView is outside the BIN chunk";
    return mesh;
  }
  const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  EXPECT_EQ(std::memcmp(glb.bin.data() + pngBegin, signature, 8), 0) << "PNG signature at the image's bufferView";
  mesh.png.assign(glb.bin.begin() + static_cast<std::ptrdiff_t>(pngBegin),
                  glb.bin.begin() + static_cast<std::ptrdiff_t>(pngBegin + pngLength));
  return mesh;
}

}  // namespace meshrt::test
