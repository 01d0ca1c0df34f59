// glTF 2.0 binary (core/mesh_io.h writeGlb), checked by a reader written from the glTF 2.0
// specification, not from the writer (support/glb_reader.h: header, chunk lengths and
// alignment, the JSON's accessors/bufferViews/buffers, index range, POSITION min/max), and the
// embedded PNG decoded back to the texture. tools/check_glb.py makes the same checks from Python (ctest runs it).
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
#include "support/glb_reader.h"
#include "support/sample_textured_mesh.h"
#include "support/scratch_dir.h"

namespace meshrt {
namespace {

TEST(GlbWriter, WritesAValidGlbThatHoldsTheMeshAndTexture) {
  test::ScratchDir dir;
  const TexturedMesh mesh = test::makeTexturedIcosphere(2);
  const Rgba8Image texture = test::makeGradientTexture(37, 21, 4);  // odd sizes: the PNG's length is not a multiple of 4
  const std::string path = dir.file("mesh.glb");
  auto written = writeGlb(mesh, texture, path);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"mesh.glb"}));

  const test::GlbMesh glb = test::checkGlbMesh(path);
  ASSERT_FALSE(::testing::Test::HasFailure());
  EXPECT_EQ(glb.positions, mesh.positions);
  EXPECT_EQ(glb.uvs, mesh.uvs);  // glTF's UV origin is the top left, v down, as ours
  EXPECT_EQ(glb.indices, mesh.triangles);

  // The PNG decodes to the texture (readImage gives RGB: compare the colour channels).
  const std::string pngPath = dir.file("texture.png");
  std::ofstream(pngPath, std::ios::binary).write(reinterpret_cast<const char*>(glb.png.data()),
                                                static_cast<std::streamsize>(glb.png.size()));
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
  const test::GlbContents glb = test::readGlb(path);
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
