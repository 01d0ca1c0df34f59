// The meshrt program end to end: `info --json`, the headless demo with its PNGs and trace,
// and bad input (one line on stderr, non-zero exit, nothing half-written).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/chrome_trace.h"
#include "core/image.h"
#include "e2e/process.h"

namespace meshrt::test {
namespace {

namespace fs = std::filesystem;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mDir = fs::temp_directory_path() / ("meshrt_cli_" + std::to_string(::getpid()));
    fs::remove_all(mDir);
    fs::create_directories(mDir);
  }
  void TearDown() override { fs::remove_all(mDir); }
  fs::path mDir;
};

void expectOneLineError(const ProcessResult& result, int exitCode, const std::string& needle) {
  EXPECT_EQ(result.exitCode, exitCode) << result.err;
  const auto lines = result.errLines();
  ASSERT_EQ(lines.size(), 1u) << "stderr must be exactly one line:\n" << result.err;
  EXPECT_NE(lines[0].find(needle), std::string::npos) << lines[0];
}

TEST_F(CliTest, InfoJsonHasTheDocumentedFields) {
  const ProcessResult result = runMeshrt({"info", "--json"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto info = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(info.is_discarded()) << result.out;
  const auto& vulkan = info["vulkan"];
  EXPECT_FALSE(vulkan["device"].get<std::string>().empty());
  EXPECT_TRUE(vulkan["api_version"].is_string());
  EXPECT_TRUE(vulkan["driver"].is_string());
  EXPECT_TRUE(vulkan["driver_version"].is_number());
  for (const char* feature : {"int64_atomics", "float32_atomics", "external_memory_fd", "timeline_semaphore"}) {
    EXPECT_TRUE(vulkan["features"][feature].is_boolean()) << feature;
  }
  EXPECT_TRUE(vulkan["features"]["timeline_semaphore"].get<bool>());
  EXPECT_EQ(info["cuda"]["compiled"].get<bool>(), MESHRT_HAVE_CUDA == 1);
  EXPECT_TRUE(info["cuda"]["device_found"].is_boolean());
  EXPECT_TRUE(info["cuda"]["uuid_matches_vulkan"].is_boolean());
  EXPECT_FALSE(info["onednn"]["version"].get<std::string>().empty());
  EXPECT_TRUE(info["packs"].is_array());
  // Encoder I/O: zero-copy exactly when CUDA is used; otherwise a reason is given.
  const auto& interop = info["interop"];
  EXPECT_EQ(interop["zero_copy"].get<bool>(), info["cuda"]["used"].get<bool>());
  EXPECT_EQ(interop["zero_copy"].get<bool>(), interop["encoder_io"] == "cuda-zero-copy");
  EXPECT_EQ(interop["zero_copy"].get<bool>(), interop["reason"].get<std::string>().empty());
  EXPECT_TRUE(interop["external_memory_fd"].is_boolean());
  EXPECT_TRUE(interop["external_timeline_semaphore_fd"].is_boolean());
  EXPECT_TRUE(vulkan["validation"].get<bool>()) << "e2e runs set MESHRT_VALIDATION=1";
}

// An installed pack is listed with its head; a broken one (here: required fields missing) with
// loadPack's one-line error.
TEST_F(CliTest, InfoJsonListsPacksAndTheirLoadErrors) {
  const fs::path broken = mDir / "packs" / "broken-cup";
  fs::create_directories(broken);
  std::ofstream(broken / "detector.tflite") << "not the recorded model";
  std::ofstream(broken / "pack.json") << R"({"format": 1, "name": "broken-cup", "head": "objectron",
      "models": {"detector": {"path": "detector.tflite"}}})";
  const ProcessResult result = runMeshrt({"info", "--json"}, {"MESHRT_PACK_PATH=" + (mDir / "packs").string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto info = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(info.is_discarded()) << result.out;
  bool sawBroken = false;
  for (const auto& pack : info["packs"]) {
    const std::string name = pack["name"].get<std::string>();
    if (name == "broken-cup") {
      sawBroken = true;
      EXPECT_EQ(pack["head"], "objectron");
      ASSERT_TRUE(pack.contains("error")) << pack.dump();
      EXPECT_NE(pack["error"].get<std::string>().find("broken-cup/pack.json: category: missing"), std::string::npos)
          << pack.dump();
    } else if (name == "objectron-cup" || name == "face") {
      // Installed by ./meshrt.sh fetch (tools/install_packs.py) on machines that fetched the models.
      EXPECT_EQ(pack["head"], name == "face" ? "face" : "objectron");
      EXPECT_FALSE(pack.contains("error")) << pack.dump();
    }
  }
  EXPECT_TRUE(sawBroken) << result.out;
}

// `--pack`: a missing pack and a pack whose model is not the recorded one (a copy of an installed
// pack with one byte changed) each give one line and exit status 2, before any output is written.
TEST_F(CliTest, DemoRejectsMissingAndCorruptPacks) {
  const fs::path out = mDir / "out";
  const std::string packPath = "MESHRT_PACK_PATH=" + (mDir / "packs").string();
  expectOneLineError(runMeshrt({"demo", "--headless", "--pack", "no-such-pack", "--out", out.string()}, {packPath}), 2,
                     "pack 'no-such-pack': not found (searched: " + (mDir / "packs").string());
  const char* cache = std::getenv("MESHRT_CACHE");
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const fs::path installed = (cache && *cache)   ? fs::path(cache) / "packs" / "objectron-chair"
                             : (xdg && *xdg)     ? fs::path(xdg) / "meshrt" / "packs" / "objectron-chair"
                                                 : fs::path(std::getenv("HOME")) / ".cache/meshrt/packs/objectron-chair";
  if (!fs::exists(installed / "pack.json")) {
    GTEST_SKIP() << "packs not installed: run ./meshrt.sh fetch (" << installed.string() << " is missing)";
  }
  const fs::path copy = mDir / "packs" / "objectron-chair";
  fs::create_directories(copy);
  for (const auto& entry : fs::directory_iterator(installed)) {
    fs::copy_file(entry.path(), copy / entry.path().filename());  // a copy, never a hard link
  }
  const fs::path model = copy / "object_detection_3d_chair.tflite";
  {
    std::fstream stream(model, std::ios::in | std::ios::out | std::ios::binary);
    stream.seekg(5000);
    const int byte = stream.get();
    stream.seekp(5000);
    stream.put(static_cast<char>(byte ^ 0xFF));
  }
  const ProcessResult result = runMeshrt({"demo", "--headless", "--pack", "objectron-chair", "--out", out.string()}, {packPath});
  expectOneLineError(result, 2, "objectron-chair/pack.json: models.landmarks.sha256: file hash ");
  EXPECT_NE(result.err.find(model.string()), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(out)) << "nothing written for a rejected pack";
}

TEST_F(CliTest, HeadlessDemoWritesFramesAndTrace) {
  const fs::path out = mDir / "frames";
  const fs::path trace = mDir / "t.json";
  const ProcessResult result =
      runMeshrt({"demo", "--headless", "--frames", "10", "--out", out.string(), "--trace", trace.string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.err, "") << "no validation or other messages expected";
  size_t pngs = 0;
  for (const auto& entry : fs::directory_iterator(out)) {
    EXPECT_EQ(entry.path().extension(), ".png") << "left behind: " << entry.path();
    pngs += entry.path().extension() == ".png";
  }
  EXPECT_EQ(pngs, 10u);
  for (int i = 0; i < 10; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "frame_%04d.png", i);
    const fs::path png = out / name;
    ASSERT_TRUE(fs::exists(png)) << png;
    std::ifstream in(png, std::ios::binary);
    char magic[8] = {};
    in.read(magic, 8);
    EXPECT_EQ(std::string(magic + 1, 3), "PNG") << png;
  }

  std::ifstream in(trace);
  std::stringstream text;
  text << in.rdbuf();
  auto summary = parseChromeTrace(text.str(), trace.string());
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_TRUE(summary->tracks.count("cpu:main"));
  EXPECT_TRUE(summary->tracks.count("gpu:queue0"));
  for (const char* stage : {"capture", "upload", "preprocess", "download", "write_png"}) {
    EXPECT_TRUE(summary->names.count(stage)) << stage;
  }
  std::set<int64_t> allFrames;
  for (int64_t i = 0; i < 10; ++i) allFrames.insert(i);
  EXPECT_EQ(summary->framesByName["preprocess"], allFrames) << "a GPU preprocess span for every frame";
  EXPECT_EQ(summary->framesByName["capture"], allFrames) << "a CPU capture span for every frame";
}

TEST_F(CliTest, UnknownSubcommandAndFlag) {
  expectOneLineError(runMeshrt({"reconstrut"}), 2, "unknown subcommand 'reconstrut'");
  expectOneLineError(runMeshrt({"demo", "--fast"}), 2, "unknown flag '--fast'");
  expectOneLineError(runMeshrt({"info", "--jsn"}), 2, "unknown flag '--jsn'");
  expectOneLineError(runMeshrt({"demo", "--frames", "-3"}), 2, "--frames");
  expectOneLineError(runMeshrt({"demo", "--headless", "--source", "webcam:97"}), 2,
                     "--source webcam:97: /dev/video97: cannot open");
  expectOneLineError(runMeshrt({"demo", "--headless", "--source", (mDir / "none.mp4").string()}), 2, "none.mp4");
}

TEST_F(CliTest, HeadlessDemoRunsOnAnImageSource) {
  Image still(320, 240, 3);
  for (size_t i = 0; i < still.pixels.size(); ++i) still.pixels[i] = static_cast<uint8_t>(i * 7);
  const std::string image = (mDir / "still.png").string();
  ASSERT_TRUE(writePng(still, image));
  const fs::path out = mDir / "frames";
  const ProcessResult result = runMeshrt({"demo", "--headless", "--source", image, "--frames", "3", "--out", out.string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  for (const char* name : {"frame_0000.png", "frame_0001.png", "frame_0002.png"}) {
    auto written = readImage((out / name).string());
    ASSERT_TRUE(written) << written.error().message;
    EXPECT_EQ(written->width, 320u);
    EXPECT_EQ(written->height, 240u);
  }
}

TEST_F(CliTest, UnwritableOutputDirectory) {
  const fs::path file = mDir / "a_file";
  std::ofstream(file) << "x";
  // A directory cannot be made under a regular file, even by root.
  const ProcessResult result = runMeshrt({"demo", "--headless", "--frames", "2", "--out", (file / "out").string()});
  expectOneLineError(result, 2, "--out");
  EXPECT_FALSE(fs::exists(file / "out"));
}

TEST_F(CliTest, TraceIntoMissingDirectoryFailsBeforeAnyWork) {
  const fs::path out = mDir / "frames";
  const ProcessResult result = runMeshrt(
      {"demo", "--headless", "--frames", "2", "--out", out.string(), "--trace", (mDir / "nope/t.json").string()});
  expectOneLineError(result, 2, "--trace");
  EXPECT_TRUE(fs::is_empty(out)) << "nothing may be written when the run is refused";
}

TEST_F(CliTest, DeviceSelectorMatchingNothing) {
  expectOneLineError(runMeshrt({"info"}, {"MESHRT_DEVICE=no-such-gpu"}), 1, "MESHRT_DEVICE='no-such-gpu'");
  expectOneLineError(runMeshrt({"demo", "--headless", "--frames", "1", "--out", (mDir / "o").string()},
                               {"MESHRT_DEVICE=42"}),
                     1, "MESHRT_DEVICE='42'");
}

}  // namespace
}  // namespace meshrt::test
