// glTF 2.0 binary (core/mesh_io.h writeGlb), checked by a reader written from the glTF 2.0
// specification, not from the writer: header, chunk lengths and alignment, the JSON's
// accessors/bufferViews/buffers, index range, POSITION min/max, and the embedded PNG decoded
// back to the texture. tools/check_glb.py makes the same checks from Python (ctest runs it).
#include "core/mesh_io.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/image.h"
#include "support/sample_textured_mesh.h"
#include "support/scratch_dir.h"

namespace meshrt {
namespace {

uint32_t readU32(const std::vector<uint8_t>& bytes, size_t at) {
  return uint32_t{bytes[at]} | uint32_t{bytes[at + 1]} << 8 | uint32_t{bytes[at + 2]} << 16 | uint32_t{bytes[at + 3]} << 24;
}

// What the reader found: the JSON and the BIN chunk's bytes.
struct GlbContents {
  nlohmann::json json;
  std::vector<uint8_t> bin;
};

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

// Parses and checks the container; JSON-level checks follow in the tests.
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

TEST(GlbWriter, WritesAValidGlbThatHoldsTheMeshAndTexture) {
  test::ScratchDir dir;
  const TexturedMesh mesh = test::makeTexturedIcosphere(2);
  const Rgba8Image texture = test::makeGradientTexture(37, 21, 4);  // odd sizes: the PNG's length is not a multiple of 4
  const std::string path = dir.file("mesh.glb");
  auto written = writeGlb(mesh, texture, path);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"mesh.glb"}));

  const GlbContents glb = readGlb(path);
  ASSERT_FALSE(::testing::Test::HasFailure());
  const auto& json = glb.json;
  EXPECT_EQ(json.at("asset").at("version"), "2.0");
  const auto& scene = json.at("scenes").at(json.at("scene").get<size_t>());
  const auto& node = json.at("nodes").at(scene.at("nodes").at(0).get<size_t>());
  const auto& primitive = json.at("meshes").at(node.at("mesh").get<size_t>()).at("primitives").at(0);
  EXPECT_EQ(primitive.value("mode", 4), 4);  // TRIANGLES

  // Buffers and views: one buffer, the BIN chunk, padded by at most 3 bytes; views inside it.
  ASSERT_EQ(json.at("buffers").size(), 1u);
  const size_t bufferLength = json.at("buffers").at(0).at("byteLength").get<size_t>();
  EXPECT_FALSE(json.at("buffers").at(0).contains("uri"));
  EXPECT_LE(bufferLength, glb.bin.size());
  EXPECT_LT(glb.bin.size() - bufferLength, 4u);
  for (const auto& view : json.at("bufferViews")) {
    EXPECT_EQ(view.at("buffer"), 0);
    EXPECT_LE(view.value("byteOffset", size_t{0}) + view.at("byteLength").get<size_t>(), bufferLength);
  }

  // Accessors: types as glTF requires for these attributes, values as written.
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
  EXPECT_EQ(positionAccessor.at("count").get<size_t>(), mesh.vertexCount());
  EXPECT_EQ(uvAccessor.at("count").get<size_t>(), mesh.vertexCount());
  EXPECT_EQ(indexAccessor.at("count").get<size_t>(), mesh.triangles.size());

  const auto positions = asArray<float>(accessorBytes(glb, attributes.at("POSITION").get<size_t>()));
  const auto uvs = asArray<float>(accessorBytes(glb, attributes.at("TEXCOORD_0").get<size_t>()));
  const auto indices = asArray<uint32_t>(accessorBytes(glb, primitive.at("indices").get<size_t>()));
  EXPECT_EQ(positions, mesh.positions);
  EXPECT_EQ(uvs, mesh.uvs);  // glTF's UV origin is the top left, v down, as ours
  EXPECT_EQ(indices, mesh.triangles);
  for (uint32_t index : indices) ASSERT_LT(index, positionAccessor.at("count").get<uint32_t>());
  for (int k = 0; k < 3; ++k) {
    float low = positions[k], high = positions[k];
    for (size_t v = 0; v < positions.size() / 3; ++v) {
      low = std::min(low, positions[3 * v + k]);
      high = std::max(high, positions[3 * v + k]);
    }
    EXPECT_EQ(positionAccessor.at("min").at(k).get<float>(), low);
    EXPECT_EQ(positionAccessor.at("max").at(k).get<float>(), high);
  }

  // Material -> texture -> image (in a bufferView, PNG) and sampler.
  const auto& material = json.at("materials").at(primitive.at("material").get<size_t>());
  const auto& textureJson = json.at("textures").at(material.at("pbrMetallicRoughness").at("baseColorTexture").at("index").get<size_t>());
  ASSERT_LT(textureJson.at("sampler").get<size_t>(), json.at("samplers").size());
  const auto& image = json.at("images").at(textureJson.at("source").get<size_t>());
  EXPECT_EQ(image.at("mimeType"), "image/png");
  const auto& imageView = json.at("bufferViews").at(image.at("bufferView").get<size_t>());
  const size_t pngBegin = imageView.value("byteOffset", size_t{0});
  const size_t pngLength = imageView.at("byteLength").get<size_t>();
  ASSERT_LE(pngBegin + pngLength, glb.bin.size());
  const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  ASSERT_EQ(std::memcmp(glb.bin.data() + pngBegin, signature, 8), 0) << "PNG signature at the image's bufferView";

  // The PNG decodes to the texture (readImage gives RGB: compare the colour channels).
  const std::string pngPath = dir.file("texture.png");
  std::ofstream(pngPath, std::ios::binary).write(reinterpret_cast<const char*>(glb.bin.data() + pngBegin),
                                                static_cast<std::streamsize>(pngLength));
  auto decoded = readImage(pngPath);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ASSERT_EQ(decoded->width, texture.width);
  ASSERT_EQ(decoded->height, texture.height);
  for (size_t p = 0; p < size_t{texture.width} * texture.height; ++p) {
    for (int c = 0; c < 3; ++c) ASSERT_EQ(decoded->pixels[3 * p + c], texture.pixels[4 * p + c]) << "pixel " << p;
  }
}

TEST(GlbWriter, WritesRgbTextures) {
  test::ScratchDir dir;
  const std::string path = dir.file("rgb.glb");
  auto written = writeGlb(test::makeTexturedIcosphere(0), test::makeGradientTexture(8, 8, 3), path);
  ASSERT_TRUE(written.ok()) << written.error().message;
  const GlbContents glb = readGlb(path);
  EXPECT_EQ(glb.json.at("accessors").at(0).at("count"), 12);
}

TEST(GlbWriter, ErrorsNameTheFileAndLeaveNothingBehind) {
  test::ScratchDir dir;
  const TexturedMesh good = test::makeTexturedIcosphere(0);
  const Rgba8Image texture = test::makeGradientTexture(4, 4, 4);
  const std::string path = dir.file("m.glb");
  auto expectError = [&](const Result<void>& result, const std::string& expected) {
    ASSERT_FALSE(result.ok()) << expected;
    EXPECT_EQ(result.error().message.rfind(expected, 0), 0u) << result.error().message;
  };
  expectError(writeGlb(good, texture, dir.file("missing/m.glb")), dir.file("missing/m.glb") + ": cannot write: No such file or directory");
  TexturedMesh nan = good;
  nan.positions[4] = std::nanf("");
  expectError(writeGlb(nan, texture, path), path + ": vertex 1: position is not finite");
  TexturedMesh outOfRange = good;
  outOfRange.triangles[0] = 12;
  expectError(writeGlb(outOfRange, texture, path), path + ": triangle 0: vertex index 12 out of range (12 vertices)");
  Rgba8Image twoChannels = texture;
  twoChannels.channels = 2;
  expectError(writeGlb(good, twoChannels, path), path + ": texture has 2 channels, expected 3 or 4");
  Rgba8Image shortPixels = texture;
  shortPixels.pixels.pop_back();
  expectError(writeGlb(good, shortPixels, path), path + ": texture has 63 bytes, expected 64 (4x4x4)");
  expectError(writeGlb(good, Rgba8Image{}, path), path + ": texture is empty");
  EXPECT_TRUE(dir.entries().empty());
}

}  // namespace
}  // namespace meshrt
