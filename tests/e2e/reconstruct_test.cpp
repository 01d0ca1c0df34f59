// `meshrt reconstruct` end to end (DESIGN §7, issue 8 items 2, 4, 5): every installed pack on a
// real photo (tests/data/README.md) writes result.json valid against
// docs/schemas/result.schema.json (checked by tools/check_result.py with Debian's
// python3-jsonschema, which also checks the OBJ → MTL → texture names), the meshes and textures
// it names, and overlay.png; a photo without the category gives `objects: []`; bad input gives
// one line on stderr, a non-zero exit and nothing in the output directory.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <regex>
#include <fstream>
#include <sstream>

#include "core/image.h"
#include "core/mesh_io.h"
#include "core/pack_discovery.h"
#include "e2e/process.h"
#include "support/installed_pack.h"
#include "support/scratch_dir.h"
#include "support/synthetic_bird_pack.h"

namespace meshrt::test {
namespace {

namespace fs = std::filesystem;

void expectOneLineError(const ProcessResult& result, const std::string& needle) {
  EXPECT_NE(result.exitCode, 0) << result.err;
  const auto lines = result.errLines();
  ASSERT_EQ(lines.size(), 1u) << "stderr must be exactly one line:\n" << result.err;
  EXPECT_NE(lines[0].find(needle), std::string::npos) << lines[0];
}

// Nothing at `out`, and no staging directory left beside it.
void expectNothingWritten(const fs::path& out) {
  EXPECT_FALSE(fs::exists(out)) << out;
  if (!fs::is_directory(out.parent_path())) return;
  for (const auto& entry : fs::directory_iterator(out.parent_path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
  }
}

nlohmann::json readJson(const fs::path& path) {
  std::ifstream stream(path);
  std::stringstream text;
  text << stream.rdbuf();
  return nlohmann::json::parse(text.str(), nullptr, false);
}

// tools/check_result.py on an output directory: "" when valid, "SKIP" without jsonschema,
// else its message.
std::string checkResult(const fs::path& out) {
  const std::string command = "/usr/bin/python3 " + std::string(MESHRT_SOURCE_DIR) + "/tools/check_result.py '" +
                              out.string() + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "cannot run python3";
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = pclose(pipe);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 0) return "";
  if (code == 77) return "SKIP";
  return output.empty() ? "check_result.py exit " + std::to_string(code) : output;
}

std::string photoFor(const std::string& packName) { return packName == "face" ? "astronaut.jpg" : "coffee.jpg"; }

// The installed packs `reconstruct` runs: those with models (the objectron and face heads; a
// dataset-only pack such as synthetic-bird has no trained models yet and is refused, tested below).
std::vector<PackEntry> installedPacks() {
  std::vector<PackEntry> packs;
  for (const PackEntry& pack : discoverPacks(packSearchPath(bundledPackDirectory()))) {
    if (pack.error.empty() && (pack.head == "objectron" || pack.head == "face")) packs.push_back(pack);
  }
  return packs;
}

TEST(Reconstruct, EveryInstalledPackWritesAValidResult) {
  const auto packs = installedPacks();
  if (packs.empty()) GTEST_SKIP() << "no pack installed: run ./meshrt.sh fetch";
  MESHRT_REQUIRE_PHOTO(coffee, "coffee.jpg");
  MESHRT_REQUIRE_PHOTO(astronaut, "astronaut.jpg");
  ScratchDir scratch;
  for (const PackEntry& pack : packs) {
    SCOPED_TRACE(pack.name);
    const fs::path out = scratch.path() / pack.name;
    const std::string photo = testPhotoPath(photoFor(pack.name));
    const ProcessResult run = runMeshrt({"reconstruct", "--pack", pack.name, "--input", photo, "--out", out.string()});
    ASSERT_EQ(run.exitCode, 0) << run.err;
    const auto result = readJson(out / "result.json");
    ASSERT_FALSE(result.is_discarded());
    EXPECT_EQ(result["pack"], pack.name);
    EXPECT_EQ(result["head"], pack.head);
    EXPECT_EQ(result["image"]["width"], pack.name == "face" ? 512 : 600);
    const std::string check = checkResult(out);
    if (check == "SKIP") {
      ADD_FAILURE() << "python3-jsonschema missing (meshrt.sh PACKAGES installs it)";
    } else {
      EXPECT_EQ(check, "") << "schema / file check failed";
    }
    // Texturing ran on the Vulkan stages (with validation on) whenever there was an object.
    if (!result["objects"].empty()) {
      EXPECT_EQ(result["backends"]["texturing"], "vulkan");
    }
    // Every OBJ opens with the project's reader (a standard OBJ parser) and has UVs.
    for (const auto& object : result["objects"]) {
      auto mesh = readObj((out / object["mesh"].get<std::string>()).string());
      ASSERT_TRUE(mesh.ok()) << mesh.error().message;
      EXPECT_GT(mesh->triangleCount(), 0u);
      EXPECT_EQ(mesh->uvs.size(), size_t{2} * mesh->vertexCount());
      // And with a third-party reader: the assimp program (Debian assimp-utils, in PACKAGES)
      // finds the faces and the material that names the texture.
      const ProcessResult assimp = runProgram({"assimp", "info", (out / object["mesh"].get<std::string>()).string()});
      if (assimp.exitCode == 127) {
        ADD_FAILURE() << "the assimp program is missing (meshrt.sh PACKAGES installs assimp-utils)";
      } else {
        EXPECT_EQ(assimp.exitCode, 0) << assimp.out << assimp.err;
        EXPECT_TRUE(std::regex_search(assimp.out, std::regex("Materials: +1\\n"))) << assimp.out;
        EXPECT_NE(assimp.out.find("Faces:"), std::string::npos) << assimp.out;
        EXPECT_NE(assimp.out.find("'" + object["texture"].get<std::string>() + "'"), std::string::npos)
            << "the material's diffuse texture, as assimp reads it:\n" << assimp.out;
      }
      auto texture = readImage((out / object["texture"].get<std::string>()).string());
      ASSERT_TRUE(texture.ok()) << texture.error().message;
      EXPECT_EQ(texture->width, 512u);
    }
    auto overlay = readImage((out / "overlay.png").string());
    ASSERT_TRUE(overlay.ok()) << overlay.error().message;
    EXPECT_EQ(overlay->width, result["image"]["width"].get<uint32_t>());
    // The category photos hold their object: the cup and the face are found.
    if (pack.name == "objectron-cup" || pack.name == "face") {
      EXPECT_EQ(result["objects"].size(), 1u);
    }
  }
}

TEST(Reconstruct, NoCupInACatPhotoGivesNoObjects) {
  MESHRT_REQUIRE_PACK(pack, "objectron-cup");
  MESHRT_REQUIRE_PHOTO(cat, "chelsea.jpg");
  ScratchDir scratch;
  const fs::path out = scratch.path() / "out";
  const ProcessResult run = runMeshrt({"reconstruct", "--pack", pack.name, "--input", cat, "--out", out.string()});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  const auto result = readJson(out / "result.json");
  ASSERT_TRUE(result["objects"].is_array());
  EXPECT_TRUE(result["objects"].empty()) << result.dump();
  EXPECT_TRUE(fs::exists(out / "overlay.png"));
  EXPECT_FALSE(fs::exists(out / "mesh_0.obj"));
  const std::string check = checkResult(out);
  if (check == "SKIP") {
    ADD_FAILURE() << "python3-jsonschema missing (meshrt.sh PACKAGES installs it)";
  } else {
    EXPECT_EQ(check, "");
  }
}

TEST(Reconstruct, ReplacesAnExistingOutputDirectoryWhole) {
  MESHRT_REQUIRE_PACK(pack, "objectron-cup");
  MESHRT_REQUIRE_PHOTO(cat, "chelsea.jpg");
  ScratchDir scratch;
  const fs::path out = scratch.path() / "out";
  fs::create_directories(out);
  std::ofstream(out / "stale.txt") << "old run";
  const ProcessResult run = runMeshrt({"reconstruct", "--pack", pack.name, "--input", cat, "--out", out.string()});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  EXPECT_TRUE(fs::exists(out / "result.json"));
  EXPECT_FALSE(fs::exists(out / "stale.txt"));
  EXPECT_EQ(std::distance(fs::directory_iterator(scratch.path()), fs::directory_iterator()), 1) << "no leftovers";
}

// Bad input that needs no pack: checked before any pack is loaded.
TEST(Reconstruct, BadImagesAreOneLineErrorsAndWriteNothing) {
  ScratchDir scratch;
  const fs::path out = scratch.path() / "out";
  const std::string pack = "objectron-cup";
  {
    std::ofstream(scratch.file("notes.jpg")) << "this is text, not a JPEG\n";
    const auto run = runMeshrt({"reconstruct", "--pack", pack, "--input", scratch.file("notes.jpg"), "--out", out.string()});
    expectOneLineError(run, "notes.jpg: cannot read image");
    expectNothingWritten(out);
  }
  {
    Image tiny(1, 1, 3);
    ASSERT_TRUE(writePng(tiny, scratch.file("tiny.png")).ok());
    const auto run = runMeshrt({"reconstruct", "--pack", pack, "--input", scratch.file("tiny.png"), "--out", out.string()});
    expectOneLineError(run, "image is 1x1, smaller than the minimum 32 px per side");
    expectNothingWritten(out);
  }
  {
    // A binary PPM whose header says 20000×20000 (1.2 GB of pixels) but holds 3 bytes: refused
    // from the header, before anything is allocated or decoded.
    std::ofstream(scratch.file("huge.ppm"), std::ios::binary) << "P6\n20000 20000\n255\n" << std::string(3, '\0');
    const auto run = runMeshrt({"reconstruct", "--pack", pack, "--input", scratch.file("huge.ppm"), "--out", out.string()});
    expectOneLineError(run, "image is 20000x20000, larger than the maximum 8192 px per side");
    expectNothingWritten(out);
  }
  {
    const auto run = runMeshrt({"reconstruct", "--pack", pack, "--input", scratch.file("absent.png"), "--out", out.string()});
    expectOneLineError(run, "absent.png: cannot read image");
    expectNothingWritten(out);
  }
}

// A dataset-only pack (no trained models) is refused with one line naming the missing models. The
// pack is assembled here from the committed sources without its encoder (the installed
// synthetic-bird gets one once assets/models/synthetic_bird.onnx is committed).
TEST(Reconstruct, DatasetOnlyPackIsAOneLineError) {
  MESHRT_REQUIRE_PHOTO(coffee, "coffee.jpg");
  ScratchDir scratch;
  ASSERT_EQ(assembleSyntheticBirdPack(scratch.path() / "packs" / "synthetic-bird"), "");
  const fs::path out = scratch.path() / "out";
  const ProcessResult run = runMeshrt({"reconstruct", "--pack", "synthetic-bird", "--input", coffee, "--out", out.string()},
                                      {"MESHRT_PACK_PATH=" + (scratch.path() / "packs").string()});
  EXPECT_NE(run.exitCode, 0);
  const auto lines = run.errLines();
  ASSERT_EQ(lines.size(), 1u) << run.err;
  EXPECT_NE(lines[0].find("models"), std::string::npos) << lines[0];
  EXPECT_FALSE(fs::exists(out));
}

TEST(Reconstruct, MissingPackAndArgumentsAreOneLineErrors) {
  MESHRT_REQUIRE_PHOTO(coffee, "coffee.jpg");
  ScratchDir scratch;
  const fs::path out = scratch.path() / "out";
  const auto missing = runMeshrt({"reconstruct", "--pack", "no-such-pack", "--input", coffee, "--out", out.string()});
  expectOneLineError(missing, "pack 'no-such-pack': not found");
  expectNothingWritten(out);
  const auto wrongHead =
      runMeshrt({"reconstruct", "--pack", "objectron-cup", "--head", "face", "--input", coffee, "--out", out.string()});
  if (wrongHead.err.find("not found (searched") == std::string::npos) {  // the pack is installed
    EXPECT_EQ(wrongHead.exitCode, 2);  // a bad argument
    expectOneLineError(wrongHead, "--head face: pack 'objectron-cup' cannot run it (its heads: objectron)");
    expectNothingWritten(out);
  }
  const auto noInput = runMeshrt({"reconstruct", "--pack", "objectron-cup", "--out", out.string()});
  EXPECT_EQ(noInput.exitCode, 2);
  expectOneLineError(noInput, "--input is required");
  expectNothingWritten(out);
}

TEST(Reconstruct, UnwritableOutputDirectoryIsAOneLineError) {
  MESHRT_REQUIRE_PHOTO(coffee, "coffee.jpg");
  // /proc refuses new entries even to root (permission bits would not stop a root test run).
  const auto run = runMeshrt({"reconstruct", "--pack", "objectron-cup", "--input", coffee, "--out", "/proc/meshrt-out"});
  expectOneLineError(run, "/proc/meshrt-out");
  EXPECT_FALSE(fs::exists("/proc/meshrt-out"));
  const auto noParent = runMeshrt(
      {"reconstruct", "--pack", "objectron-cup", "--input", coffee, "--out", "/nonexistent-meshrt-dir/out"});
  expectOneLineError(noParent, "does not exist");
}

TEST(Reconstruct, CorruptModelIsAOneLineError) {
  MESHRT_REQUIRE_PACK(pack, "objectron-cup");
  MESHRT_REQUIRE_PHOTO(coffee, "coffee.jpg");
  ScratchDir scratch;
  // A copy of the pack whose landmark model has one byte changed, found first on MESHRT_PACK_PATH.
  const fs::path packs = scratch.path() / "packs";
  const fs::path copy = packs / pack.name;
  fs::create_directories(packs);
  fs::copy(pack.directory, copy, fs::copy_options::recursive);
  const fs::path model = copy / fs::path(pack.landmarks.path).filename();
  ASSERT_TRUE(fs::exists(model));
  fs::permissions(model, fs::perms::owner_write, fs::perm_options::add);
  {
    std::fstream stream(model, std::ios::in | std::ios::out | std::ios::binary);
    stream.seekp(1000);
    stream.put('\x5a');
  }
  const fs::path out = scratch.path() / "out";
  const auto run = runMeshrt({"reconstruct", "--pack", pack.name, "--input", coffee, "--out", out.string()},
                             {"MESHRT_PACK_PATH=" + packs.string()});
  expectOneLineError(run, fs::path(pack.landmarks.path).filename().string());
  expectNothingWritten(out);
}

}  // namespace
}  // namespace meshrt::test
