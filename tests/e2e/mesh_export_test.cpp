// `meshrt demo --headless --export DIR` (issue 10 acceptance 4): after the last frame, object 0's
// mesh and fused texture as export_NNNN.obj/.mtl/.png and .glb. The .glb passes tools/check_glb.py
// and the independent C++ reader (support/glb_reader.h); the .obj re-imports with readObj with
// the vertex and face counts the program printed; the mesh is in the object's own frame
// (heads/object_frame_mesh.h): the cup's box template, centred at the origin.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "core/image.h"
#include "core/mesh_io.h"
#include "e2e/process.h"
#include "support/glb_reader.h"

namespace meshrt::test {
namespace {

namespace fs = std::filesystem;

class MeshExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mDir = fs::temp_directory_path() / ("meshrt_export_" + std::to_string(::getpid()));
    fs::remove_all(mDir);
    fs::create_directories(mDir);
  }
  void TearDown() override { fs::remove_all(mDir); }
  fs::path mDir;
};

// The counts in "exported object 0 (V vertices, F triangles, ...".
bool parseExportCounts(const std::string& out, unsigned& vertices, unsigned& triangles) {
  const size_t at = out.find("exported object 0 (");
  if (at == std::string::npos) return false;
  return std::sscanf(out.c_str() + at, "exported object 0 (%u vertices, %u triangles", &vertices, &triangles) == 2;
}

TEST_F(MeshExportTest, HeadlessExportWritesObjAndGlbThatReadBack) {
  if (!packInstalled("objectron-cup")) GTEST_SKIP() << "pack objectron-cup not installed (./meshrt.sh fetch)";
  const fs::path exportDir = mDir / "export";
  const ProcessResult result = runMeshrt({"demo", "--headless", "--frames", "4", "--save-every", "0", "--out",
                                          (mDir / "frames").string(), "--export", exportDir.string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.err, "") << "no validation or other messages expected";
  unsigned vertices = 0, triangles = 0;
  ASSERT_TRUE(parseExportCounts(result.out, vertices, triangles)) << result.out;
  ASSERT_GT(vertices, 0u);
  ASSERT_GT(triangles, 0u);
  for (const char* name : {"export_0000.obj", "export_0000.mtl", "export_0000.png", "export_0000.glb"}) {
    EXPECT_TRUE(fs::is_regular_file(exportDir / name)) << name;
  }
  const std::string glbPath = (exportDir / "export_0000.glb").string();

  // tools/check_glb.py (the Python structural check).
  const ProcessResult python = runProgram({"/usr/bin/python3", std::string(MESHRT_SOURCE_DIR) + "/tools/check_glb.py", glbPath});
  EXPECT_EQ(python.exitCode, 0) << python.out << python.err;

  // The C++ reader: structure, then the counts.
  const GlbMesh glb = checkGlbMesh(glbPath);
  ASSERT_FALSE(::testing::Test::HasFailure());
  EXPECT_EQ(glb.positions.size(), size_t{3} * vertices);
  EXPECT_EQ(glb.indices.size(), size_t{3} * triangles);
  auto texture = readImage((exportDir / "export_0000.png").string());
  ASSERT_TRUE(texture.ok()) << texture.error().message;
  EXPECT_EQ(texture->width, 256u);

  // The OBJ re-imports with the same counts.
  auto obj = readObj((exportDir / "export_0000.obj").string());
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  std::printf("exported: %u vertices, %u triangles; .glb: %zu vertices, %zu triangles; .obj re-imported: %u vertices, "
              "%u triangles\n",
              vertices, triangles, glb.positions.size() / 3, glb.indices.size() / 3, obj->vertexCount(),
              obj->triangleCount());
  EXPECT_EQ(obj->vertexCount(), vertices);
  EXPECT_EQ(obj->triangleCount(), triangles);

  // The object frame: the cup template's bounding box is centred at the origin (the unit box
  // scaled by the box size), where the camera frame would put it near z = 1 (|t| = 1).
  float low[3] = {INFINITY, INFINITY, INFINITY}, high[3] = {-INFINITY, -INFINITY, -INFINITY};
  for (size_t v = 0; v < glb.positions.size() / 3; ++v) {
    for (int k = 0; k < 3; ++k) {
      low[k] = std::min(low[k], glb.positions[3 * v + k]);
      high[k] = std::max(high[k], glb.positions[3 * v + k]);
    }
  }
  for (int k = 0; k < 3; ++k) {
    EXPECT_GT(high[k] - low[k], 0.0f) << "axis " << k;
    EXPECT_NEAR(0.5f * (low[k] + high[k]), 0.0f, 0.05f * (high[k] - low[k])) << "axis " << k << ": centred at the origin";
  }

  // A second export into the same directory takes the next counter.
  const ProcessResult again = runMeshrt({"demo", "--headless", "--frames", "2", "--save-every", "0", "--out",
                                         (mDir / "frames").string(), "--export", exportDir.string()});
  ASSERT_EQ(again.exitCode, 0) << again.err;
  EXPECT_TRUE(fs::is_regular_file(exportDir / "export_0001.glb"));
  EXPECT_TRUE(fs::is_regular_file(exportDir / "export_0001.obj"));
}

// The face (image pixels, y down, in the pipeline) is exported in the canonical face frame: +y
// up (the forehead above the chin) and the face looking toward +z (the nose tip in front).
TEST_F(MeshExportTest, FaceExportIsYUpAndLooksTowardPlusZ) {
  if (!packInstalled("face")) GTEST_SKIP() << "pack face not installed (./meshrt.sh fetch)";
  const std::string photo = std::string(MESHRT_SOURCE_DIR) + "/tests/data/photos/astronaut.jpg";
  if (!fs::exists(photo)) GTEST_SKIP() << "test photo missing: " << photo;
  const fs::path exportDir = mDir / "face";
  const ProcessResult result = runMeshrt({"demo", "--headless", "--pack", "face", "--source", photo, "--frames", "2",
                                          "--save-every", "0", "--out", (mDir / "frames").string(), "--export",
                                          exportDir.string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const GlbMesh glb = checkGlbMesh((exportDir / "export_0000.glb").string());
  ASSERT_FALSE(::testing::Test::HasFailure());
  ASSERT_EQ(glb.positions.size(), 3u * 468u) << "vertex i = Face Mesh landmark i";
  // MediaPipe Face Mesh landmarks: 1 nose tip, 10 forehead (top of the face), 152 chin.
  const float* nose = &glb.positions[3 * 1];
  const float* forehead = &glb.positions[3 * 10];
  const float* chin = &glb.positions[3 * 152];
  float meanZ = 0;
  for (size_t v = 0; v < 468; ++v) meanZ += glb.positions[3 * v + 2] / 468.0f;
  std::printf("face export: forehead y %.4f, chin y %.4f, nose z %.4f, mean z %.4f\n", forehead[1], chin[1], nose[2], meanZ);
  EXPECT_GT(forehead[1], chin[1] + 0.05f) << "+y up";
  EXPECT_GT(nose[2], meanZ + 0.02f) << "looking toward +z";
  EXPECT_NEAR(forehead[0], 0.0f, 0.01f) << "the midline is x = 0";
}

TEST_F(MeshExportTest, ExportNeedsAPackAndIsForHeadlessRuns) {
  const ProcessResult result = runMeshrt({"demo", "--headless", "--pack", "none", "--frames", "1", "--out",
                                          (mDir / "o").string(), "--export", (mDir / "e").string()});
  EXPECT_EQ(result.exitCode, 2) << result.err;
  ASSERT_EQ(result.errLines().size(), 1u) << result.err;
  EXPECT_NE(result.err.find("--export"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("needs a pack"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(mDir / "e")) << "nothing written";
}

}  // namespace
}  // namespace meshrt::test
