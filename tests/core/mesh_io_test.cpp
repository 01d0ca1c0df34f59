// Wavefront OBJ/MTL (core/mesh_io.h): write -> read round trips, hand-written OBJ files in the
// forms other tools write, every error with its message, and a seeded mutation loop over
// readObj (never a crash; either a consistent mesh or a one-line error naming the file).
#include "core/mesh_io.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/sample_textured_mesh.h"
#include "support/scratch_dir.h"
#include "support/splitmix.h"

namespace meshrt {
namespace {

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

Result<TexturedMesh> readObjText(const test::ScratchDir& dir, const std::string& text) {
  const std::string path = dir.file("in.obj");
  writeText(path, text);
  return readObj(path);
}

// Position and UV of output vertex `v`.
std::vector<float> vertexValues(const TexturedMesh& mesh, uint32_t v) {
  return {mesh.positions[3 * v], mesh.positions[3 * v + 1], mesh.positions[3 * v + 2], mesh.uvs[2 * v], mesh.uvs[2 * v + 1]};
}

// The readObj result's invariants: sizes agree, indices in range, values finite.
void expectConsistent(const TexturedMesh& mesh) {
  ASSERT_EQ(mesh.positions.size() % 3, 0u);
  ASSERT_EQ(mesh.uvs.size(), 2u * mesh.vertexCount());
  ASSERT_EQ(mesh.triangles.size() % 3, 0u);
  ASSERT_GT(mesh.triangles.size(), 0u);
  for (uint32_t index : mesh.triangles) ASSERT_LT(index, mesh.vertexCount());
  for (float value : mesh.positions) ASSERT_TRUE(std::isfinite(value));
  for (float value : mesh.uvs) ASSERT_TRUE(std::isfinite(value));
}

void expectError(const Result<TexturedMesh>& result, const std::string& expected) {
  ASSERT_FALSE(result.ok()) << "expected the error: " << expected;
  EXPECT_EQ(result.error().message, expected);
}

void expectErrorContains(const Result<void>& result, const std::vector<std::string>& parts) {
  ASSERT_FALSE(result.ok());
  for (const std::string& part : parts) EXPECT_NE(result.error().message.find(part), std::string::npos) << result.error().message;
  EXPECT_EQ(result.error().message.find('\n'), std::string::npos);
}

TEST(ObjIo, WriteThenReadGivesTheSameMesh) {
  test::ScratchDir dir;
  const TexturedMesh mesh = test::makeTexturedIcosphere(2);
  const std::string obj = dir.file("mesh_0.obj");
  auto written = writeObjWithMaterial(mesh, obj, "mesh_0.mtl", "texture_0.png");
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"mesh_0.mtl", "mesh_0.obj"}));  // no .tmp left

  auto read = readObj(obj);
  ASSERT_TRUE(read.ok()) << read.error().message;
  expectConsistent(*read);
  ASSERT_EQ(read->vertexCount(), mesh.vertexCount());
  ASSERT_EQ(read->triangleCount(), mesh.triangleCount());
  // Vertex order may differ (readObj numbers vertices by first use); corners must match.
  for (size_t i = 0; i < mesh.triangles.size(); ++i) {
    const auto expected = vertexValues(mesh, mesh.triangles[i]);
    const auto actual = vertexValues(*read, read->triangles[i]);
    for (int k = 0; k < 3; ++k) ASSERT_EQ(actual[k], expected[k]) << "corner " << i;  // shortest round-trip text
    for (int k = 3; k < 5; ++k) ASSERT_NEAR(actual[k], expected[k], 1e-6) << "corner " << i;  // 1 - (1 - v)
  }
}

TEST(ObjIo, WrittenFilesNameTheMaterialAndFlipV) {
  test::ScratchDir dir;
  TexturedMesh mesh;
  mesh.positions = {0, 0, 0, 1, 0, 0, 0, 1, 0};
  mesh.uvs = {0.25f, 0.125f, 1, 0, 0, 1};
  mesh.triangles = {0, 1, 2};
  ASSERT_TRUE(writeObjWithMaterial(mesh, dir.file("m.obj"), "m.mtl", "tex.png").ok());
  const std::string obj = readText(dir.file("m.obj"));
  EXPECT_NE(obj.find("mtllib m.mtl\n"), std::string::npos) << obj;
  EXPECT_NE(obj.find("usemtl meshrt_texture\n"), std::string::npos) << obj;
  EXPECT_NE(obj.find("\nvt 0.25 0.875\n"), std::string::npos) << obj;  // v flipped: OBJ's v is up
  EXPECT_NE(obj.find("\nv 1 0 0\n"), std::string::npos) << obj;
  EXPECT_NE(obj.find("\nf 1/1 2/2 3/3\n"), std::string::npos) << obj;
  const std::string mtl = readText(dir.file("m.mtl"));
  for (const char* line : {"newmtl meshrt_texture\n", "Ka 1 1 1\n", "Kd 1 1 1\n", "Ks 0 0 0\n", "map_Kd tex.png\n"}) {
    EXPECT_NE(mtl.find(line), std::string::npos) << line << " missing in\n" << mtl;
  }
}

TEST(ObjIo, ReadsQuadsAsFannedTriangles) {
  test::ScratchDir dir;
  auto mesh = readObjText(dir, "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv 2 2 0\n"
                               "vt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\nvt 0.5 0.5\n"
                               "f 1/1 2/2 3/3 4/4\nf 1/1 2/2 3/3 4/4 5/5\n");
  ASSERT_TRUE(mesh.ok()) << mesh.error().message;
  expectConsistent(*mesh);
  EXPECT_EQ(mesh->vertexCount(), 5u);
  EXPECT_EQ(mesh->triangles, (std::vector<uint32_t>{0, 1, 2, 0, 2, 3, 0, 1, 2, 0, 2, 3, 0, 3, 4}));
  EXPECT_EQ(vertexValues(*mesh, 2), (std::vector<float>{1, 1, 0, 1, 0}));  // vt (1, 1) -> our (1, 0)
  EXPECT_EQ(vertexValues(*mesh, 3), (std::vector<float>{0, 1, 0, 0, 0}));
}

TEST(ObjIo, ReadsNegativeIndicesRelativeToTheLinesSoFar) {
  test::ScratchDir dir;
  auto mesh = readObjText(dir, "v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 0 1\nf -3/-3 -2/-2 -1/-1\n"
                               "v 5 5 5\nvt 0.5 0.25\nf -4/1 -1/-1 3/3\n");
  ASSERT_TRUE(mesh.ok()) << mesh.error().message;
  expectConsistent(*mesh);
  EXPECT_EQ(mesh->triangles, (std::vector<uint32_t>{0, 1, 2, 0, 3, 2}));
  EXPECT_EQ(vertexValues(*mesh, 3), (std::vector<float>{5, 5, 5, 0.5f, 0.75f}));
}

TEST(ObjIo, ReadsCornersWithNormalsAndWithoutUvs) {
  test::ScratchDir dir;
  auto mesh = readObjText(dir, "v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0.5 0.5\nvn 0 0 1\n"
                               "f 1//1 2//1 3//1\nf 1/1/1 2/1/1 3/1/1\nf 1 2 3\n");
  ASSERT_TRUE(mesh.ok()) << mesh.error().message;
  expectConsistent(*mesh);
  // Without a vt the corner gets uv (0, 0); "1//1" and "1" are the same vertex, "1/1/1" is not.
  EXPECT_EQ(mesh->vertexCount(), 6u);
  EXPECT_EQ(mesh->triangles, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 0, 1, 2}));
  EXPECT_EQ(vertexValues(*mesh, 0), (std::vector<float>{0, 0, 0, 0, 0}));
  EXPECT_EQ(vertexValues(*mesh, 4), (std::vector<float>{1, 0, 0, 0.5f, 0.5f}));
}

TEST(ObjIo, SplitsSharedPositionsWithDifferentUvs) {
  test::ScratchDir dir;
  // Position 1 is used with vt 1 and vt 4 (a UV seam): two vertices. (3, 3) repeats: one vertex.
  auto mesh = readObjText(dir, "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\n"
                               "vt 0 0\nvt 0.5 0\nvt 0.5 0.5\nvt 1 0\nvt 1 1\n"
                               "f 1/1 2/2 3/3\nf 1/4 3/3 4/5\n");
  ASSERT_TRUE(mesh.ok()) << mesh.error().message;
  expectConsistent(*mesh);
  EXPECT_EQ(mesh->vertexCount(), 5u);
  EXPECT_EQ(mesh->triangles, (std::vector<uint32_t>{0, 1, 2, 3, 2, 4}));
  EXPECT_EQ(vertexValues(*mesh, 0), (std::vector<float>{0, 0, 0, 0, 1}));
  EXPECT_EQ(vertexValues(*mesh, 3), (std::vector<float>{0, 0, 0, 1, 1}));
}

TEST(ObjIo, IgnoresCommentsBlankLinesAndOtherStatements) {
  test::ScratchDir dir;
  auto mesh = readObjText(dir, "# exported by a tool\r\n\r\nmtllib a.mtl\no thing\ng group\ns 1\nusemtl mat\n"
                               "v 0 0 0 1\t# w\nv\t+1.0 0 0 0.5 0.5 0.5\nv 0 1e0 0\nvp 0.5\nvt 0 1 0\nvt 1 1\nvt 0\n"
                               "l 1 2\np 1\ncurv 0 1 1 2\n  f 1/1 2/2 3/3  # trailing\r\n");
  ASSERT_TRUE(mesh.ok()) << mesh.error().message;
  expectConsistent(*mesh);
  EXPECT_EQ(mesh->vertexCount(), 3u);
  EXPECT_EQ(vertexValues(*mesh, 1), (std::vector<float>{1, 0, 0, 1, 0}));
  EXPECT_EQ(vertexValues(*mesh, 2), (std::vector<float>{0, 1, 0, 0, 1}));  // "vt 0": v defaults to 0
}

TEST(ObjIo, ReadErrorsNameTheFileLineAndReason) {
  test::ScratchDir dir;
  const std::string p = dir.file("in.obj");
  const std::string tri = "v 0 0 0\nv 1 0 0\nv 0 1 0\n";
  expectError(readObjText(dir, "v 0 abc 0\n"), p + ": line 1: bad number 'abc'");
  expectError(readObjText(dir, "v 0 1.5.2 0\n"), p + ": line 1: bad number '1.5.2'");
  expectError(readObjText(dir, "\n\nv 0 1\n"), p + ": line 3: v needs 3 coordinates");
  expectError(readObjText(dir, "vt\n"), p + ": line 1: vt needs a u coordinate");
  expectError(readObjText(dir, "vn 0 0\n"), p + ": line 1: vn needs 3 coordinates");
  expectError(readObjText(dir, "v nan 0 0\n"), p + ": line 1: number 'nan' is not finite");
  expectError(readObjText(dir, "v 0 -inf 0\n"), p + ": line 1: number '-inf' is not finite");
  expectError(readObjText(dir, "vt 0 1e39\n"), p + ": line 1: number '1e39' is out of float range");
  expectError(readObjText(dir, "v 0 0 1e999\n"), p + ": line 1: number '1e999' is out of range");
  expectError(readObjText(dir, tri + "f 1 2 4\n"), p + ": line 4: vertex index 4 out of range (3 defined so far)");
  expectError(readObjText(dir, tri + "f 0 1 2\n"), p + ": line 4: vertex index 0 out of range (3 defined so far)");
  expectError(readObjText(dir, tri + "f -1 -2 -4\n"), p + ": line 4: vertex index -4 out of range (3 defined so far)");
  expectError(readObjText(dir, tri + "f 1 2 3 99999999999999999999\n"), p + ": line 4: bad vertex index '99999999999999999999'");
  expectError(readObjText(dir, tri + "vt 0 0\nf 1/1 2/2 3/1\n"),
              p + ": line 5: texture coordinate index 2 out of range (1 defined so far)");
  expectError(readObjText(dir, tri + "f 1//1 2//1 3//1\n"), p + ": line 4: normal index 1 out of range (0 defined so far)");
  expectError(readObjText(dir, tri + "f 1 2\n"), p + ": line 4: face has 2 corners, needs at least 3");
  expectError(readObjText(dir, tri + "f\n"), p + ": line 4: face has 0 corners, needs at least 3");
  expectError(readObjText(dir, tri + "f 1 x 3\n"), p + ": line 4: bad vertex index 'x'");
  expectError(readObjText(dir, tri + "f 1 2 3/1/1/1\n"), p + ": line 4: face corner '3/1/1/1' has more than 3 parts");
  expectError(readObjText(dir, tri + "f /1 2 3\n"), p + ": line 4: face corner '/1' has no vertex index");
  expectError(readObjText(dir, tri + "vn 0 0 1\nf 1/ 2 3//\n"), p + ": line 5: face corner '3//' has an empty normal index");
  expectError(readObjText(dir, tri + "f 1 2 3\xff\n"), p + ": line 4: bad vertex index '3?'");
  expectError(readObjText(dir, tri), p + ": no faces");
  expectError(readObjText(dir, ""), p + ": no faces");
  expectError(readObj(dir.file("missing.obj")), dir.file("missing.obj") + ": cannot read: No such file or directory");
  auto directory = readObj(dir.path().string());
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().message.rfind(dir.path().string() + ": ", 0), 0u) << directory.error().message;
}

TEST(ObjIo, RefusesFilesOverTheSizeLimit) {
  test::ScratchDir dir;
  const std::string path = dir.file("huge.obj");
  writeText(path, "v 0 0 0\n");
  std::filesystem::resize_file(path, (uint64_t{256} << 20) + 1);  // sparse: no disk used
  expectError(readObj(path), path + ": file is 268435457 bytes, over the 256 MiB limit");
}

TEST(ObjIo, WriteErrorsNameTheFileAndLeaveNothingBehind) {
  test::ScratchDir dir;
  const TexturedMesh good = test::makeTexturedIcosphere(0);
  const std::string obj = dir.file("m.obj");

  expectErrorContains(writeObjWithMaterial(good, dir.file("no/such/dir/m.obj"), "m.mtl", "t.png"),
                      {dir.file("no/such/dir/m.mtl"), "cannot write", "No such file or directory"});

  TexturedMesh nan = good;
  nan.positions[3 * 5 + 1] = std::nanf("");
  expectErrorContains(writeObjWithMaterial(nan, obj, "m.mtl", "t.png"), {obj + ": vertex 5: position is not finite"});

  TexturedMesh badUv = good;
  badUv.uvs[2 * 7] = INFINITY;
  expectErrorContains(writeObjWithMaterial(badUv, obj, "m.mtl", "t.png"), {obj + ": vertex 7: uv is not finite"});

  TexturedMesh outOfRange = good;
  outOfRange.triangles[3 * 4 + 2] = good.vertexCount();
  expectErrorContains(writeObjWithMaterial(outOfRange, obj, "m.mtl", "t.png"),
                      {obj + ": triangle 4: vertex index " + std::to_string(good.vertexCount()) + " out of range"});

  TexturedMesh shortUvs = good;
  shortUvs.uvs.pop_back();
  expectErrorContains(writeObjWithMaterial(shortUvs, obj, "m.mtl", "t.png"), {obj + ": uvs has", "expected 2 per vertex"});

  TexturedMesh empty;
  expectErrorContains(writeObjWithMaterial(empty, obj, "m.mtl", "t.png"), {obj + ": mesh has no triangles"});
  expectErrorContains(writeObjWithMaterial(good, obj, "", "t.png"), {obj + ": material file name is empty"});
  expectErrorContains(writeObjWithMaterial(good, obj, "my mesh.mtl", "t.png"), {obj + ": material file name contains a space"});
  expectErrorContains(writeObjWithMaterial(good, obj, "m.mtl", "t\n.png"), {obj + ": texture file name contains a line break"});
  EXPECT_TRUE(dir.entries().empty());

  // A failed write leaves an existing file as it was.
  writeText(obj, "previous");
  ASSERT_FALSE(writeObjWithMaterial(nan, obj, "m.mtl", "t.png").ok());
  EXPECT_EQ(readText(obj), "previous");
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"m.obj"}));
}

// Seeded mutations of two valid files: bit flips, byte overwrites, insertions of OBJ tokens
// and truncations. Each read either returns a consistent mesh or a one-line error that starts
// with the file name. Crashes and sanitizer reports fail the test.
TEST(ObjIo, MutationFuzzNeverCrashes) {
  test::ScratchDir dir;
  const std::string handWritten =
      "# quad and triangle\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\nvn 0 0 1\n"
      "f 1/1/1 2/2/1 3/3/1 4/4/1\nf -4//1 -3//1 -1//1\nf 1 2 3\n";
  ASSERT_TRUE(writeObjWithMaterial(test::makeTexturedIcosphere(0), dir.file("sphere.obj"), "sphere.mtl", "t.png").ok());
  const std::string originals[] = {handWritten, readText(dir.file("sphere.obj"))};
  const char* tokens[] = {"/", "//", "-", "-1", "0", " ", "\n", "\r", "#", "f ", "v ", "vt ", "vn ", "1e39", "nan", "inf",
                          "99999999999", "-99999999999", ".", "+", "e", "\t", "\0", "/-2/"};
  const std::string path = dir.file("fuzz.obj");
  constexpr uint64_t ITERATIONS = 2000;  // over both originals
  int readOk = 0;
  for (uint64_t iteration = 0; iteration < ITERATIONS; ++iteration) {
    std::string bytes = originals[iteration % 2];
    const uint64_t seed = 7000 + iteration;
    auto draw = [&](uint64_t k) { return test::splitmixUniform(seed, k); };
    const int kind = static_cast<int>(draw(0) * 4.0f);
    const int edits = 1 + static_cast<int>(draw(1) * 6.0f);
    for (int e = 0; e < edits && !bytes.empty(); ++e) {
      const size_t at = std::min(static_cast<size_t>(draw(2 + 3 * e) * static_cast<float>(bytes.size())), bytes.size() - 1);
      const uint8_t value = static_cast<uint8_t>(draw(3 + 3 * e) * 256.0f);
      if (kind == 0) bytes[at] = static_cast<char>(bytes[at] ^ (1u << (value % 8)));  // bit flip
      else if (kind == 1) bytes[at] = static_cast<char>(value);                      // overwrite
      else if (kind == 2) {                                                           // insert a token
        const char* token = tokens[value % (sizeof(tokens) / sizeof(tokens[0]))];
        bytes.insert(at, token, std::max<size_t>(std::strlen(token), 1));
      } else bytes.resize(at);  // truncate
    }
    writeText(path, bytes);
    auto mesh = readObj(path);
    if (mesh.ok()) {
      ++readOk;
      expectConsistent(*mesh);
      if (::testing::Test::HasFatalFailure()) FAIL() << "iteration " << iteration << ":\n" << bytes;
    } else {
      ASSERT_EQ(mesh.error().message.rfind(path + ": ", 0), 0u) << mesh.error().message;
      ASSERT_EQ(mesh.error().message.find('\n'), std::string::npos) << mesh.error().message;
    }
  }
  std::printf("mutation fuzz: %d of %llu mutated OBJ files read\n", readOk, static_cast<unsigned long long>(ITERATIONS));
  EXPECT_GT(readOk, 0);  // the loop also exercises the success path
}

}  // namespace
}  // namespace meshrt
