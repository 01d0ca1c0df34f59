// Issue 6 item 3, through the program: `meshrt bench --pack P --encoder-io vulkan` runs the pack
// frame loop (demo/pack_frame_processor.h: head pipeline with tracking, texturing, fusion,
// render) with the models on the encoder-I/O path — the Vulkan preprocess writes each encoder
// input into interop::EncoderIo buffers, the CPU executor runs through EncoderIo::runEncoder —
// with validation and synchronization validation on (MESHRT_VALIDATION=1: any message is a
// non-zero exit). The report validates, names the path (host-visible: no CUDA here), and has
// the preprocess, encoder and solve spans on every measured frame. The keypoints against the
// host path: tests/heads/pack_encoder_io_test.cpp.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "e2e/process.h"
#include "support/installed_pack.h"

namespace meshrt::test {
namespace {

namespace fs = std::filesystem;

class EncoderIoBenchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mDir = fs::temp_directory_path() / ("meshrt_encoder_io_bench_" + std::to_string(::getpid()));
    fs::remove_all(mDir);
    fs::create_directories(mDir);
  }
  void TearDown() override { fs::remove_all(mDir); }

  void runPack(const std::string& packName, const std::string& photoPath, const std::string& encoderIo,
               const std::string& expectedPath) {
    const fs::path json = mDir / (packName + "_" + encoderIo + ".json");
    const ProcessResult result = runMeshrt({"bench", "--pack", packName, "--encoder-io", encoderIo, "--source",
                                            photoPath, "--frames", "20", "--warmup", "2", "--json", json.string()});
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(jsonSchemaErrors("bench.schema.json", json.string()), "");
    std::ifstream in(json);
    std::stringstream text;
    text << in.rdbuf();
    const auto report = nlohmann::json::parse(text.str());
    EXPECT_EQ(report["encoder_io"], expectedPath);
    EXPECT_EQ(report["encoder_backend"], "cpu-onednn");
    for (const char* stage : {"preprocess", "encoder", "solve"}) {
      ASSERT_TRUE(report["stages"].contains(stage)) << stage;
      // Tracking a still photo: the landmark model every frame, the detector at least once.
      EXPECT_GE(report["stages"][stage]["count"].get<int64_t>(), 18) << stage;
    }
  }
  fs::path mDir;
};

TEST_F(EncoderIoBenchTest, ObjectronCupRunsThroughEncoderIo) {
  MESHRT_REQUIRE_PACK(pack, "objectron-cup");
  MESHRT_REQUIRE_PHOTO(photo, "coffee.jpg");
  runPack(pack.name, photo, "vulkan", "host-visible");
}

TEST_F(EncoderIoBenchTest, FaceRunsThroughEncoderIoAndTheHostPathIsReported) {
  MESHRT_REQUIRE_PACK(pack, "face");
  MESHRT_REQUIRE_PHOTO(photo, "astronaut.jpg");
  runPack(pack.name, photo, "vulkan", "host-visible");
  runPack(pack.name, photo, "host", "host");
}

// `meshrt info --json` reports the device's encoder I/O path and the pack loop's, with reasons.
TEST_F(EncoderIoBenchTest, InfoReportsTheEncoderIoPaths) {
  const ProcessResult result = runMeshrt({"info", "--json"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto info = nlohmann::json::parse(result.out);
  const auto& interop = info["interop"];
  EXPECT_TRUE(interop["encoder_io"] == "host-visible" || interop["encoder_io"] == "cuda-zero-copy") << interop.dump();
  EXPECT_EQ(interop["pack_encoder_io"], "host-visible");
  EXPECT_NE(interop["pack_encoder_io_reason"].get<std::string>().find("CPU executor"), std::string::npos);
}

TEST_F(EncoderIoBenchTest, BadEncoderIoGivesOneLine) {
  const fs::path json = mDir / "bench.json";
  for (const auto& [args, needle] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"bench", "--encoder-io", "vulkan", "--json", json.string()}, "--encoder-io needs --pack"},
           {{"bench", "--encoder-io", "cuda", "--json", json.string()}, "expected host or vulkan"}}) {
    const ProcessResult result = runMeshrt(args);
    EXPECT_EQ(result.exitCode, 2) << needle << ": " << result.err;
    const auto lines = result.errLines();
    ASSERT_EQ(lines.size(), 1u) << result.err;
    EXPECT_NE(lines[0].find(needle), std::string::npos) << lines[0];
    EXPECT_FALSE(fs::exists(json));
  }
}

}  // namespace
}  // namespace meshrt::test
