// `meshrt bench` end to end (issue 11): the JSON validates against docs/schemas/bench.schema.json,
// the trace loads as Trace Event Format with the image stages' spans for every frame, and bad
// arguments give one line and a non-zero exit with nothing written.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/chrome_trace.h"
#include "e2e/process.h"

namespace meshrt::test {
namespace {

namespace fs = std::filesystem;

class BenchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mDir = fs::temp_directory_path() / ("meshrt_bench_" + std::to_string(::getpid()));
    fs::remove_all(mDir);
    fs::create_directories(mDir);
  }
  void TearDown() override { fs::remove_all(mDir); }
  fs::path mDir;
};

std::string readText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(BenchTest, ImageStagesReportValidatesAndTraceHasEveryFrame) {
  const fs::path json = mDir / "bench.json";
  const fs::path trace = mDir / "trace.json";
  const ProcessResult result = runMeshrt({"bench", "--frames", "24", "--warmup", "4", "--json", json.string(),
                                          "--trace", trace.string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(jsonSchemaErrors("bench.schema.json", json.string()), "");
  const auto report = nlohmann::json::parse(readText(json));
  EXPECT_EQ(report["frames"].get<int64_t>(), 20);
  EXPECT_EQ(report["config"]["warmup"].get<int64_t>(), 4);
  EXPECT_GT(report["fps"].get<double>(), 0.0);
  EXPECT_EQ(report["encoder_backend"], "none");
  for (const char* stage : {"capture", "frame", "upload", "preprocess", "download"}) {
    ASSERT_TRUE(report["stages"].contains(stage)) << stage;
    EXPECT_EQ(report["stages"][stage]["count"].get<int64_t>(), 20) << stage;
    EXPECT_LE(report["stages"][stage]["p50"].get<double>(), report["stages"][stage]["p99"].get<double>()) << stage;
  }
  EXPECT_EQ(report["stages"]["preprocess"]["clock"], "gpu");
  EXPECT_EQ(report["stages"]["capture"]["clock"], "cpu");
  EXPECT_EQ(report["pipelining"]["frame_pairs"].get<int64_t>(), 19);
  EXPECT_GT(report["profiling_overhead"]["span_cost_ns"].get<double>(), 0.0);

  auto summary = parseChromeTrace(readText(trace), trace.string());
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  for (const char* stage : {"capture", "upload", "preprocess"}) {
    ASSERT_TRUE(summary->framesByName.count(stage)) << stage;
    EXPECT_EQ(summary->framesByName.at(stage).size(), 24u) << stage << ": one span per frame";
  }
  EXPECT_TRUE(summary->tracks.count("gpu:queue0"));
}

TEST_F(BenchTest, BadArgumentsGiveOneLineAndWriteNothing) {
  const fs::path json = mDir / "bench.json";
  struct Case {
    std::vector<std::string> args;
    std::string needle;
  };
  const Case cases[] = {
      {{"bench", "--frames", "10"}, "--json FILE is required"},
      {{"bench", "--frames", "1", "--json", json.string()}, "--frames"},
      {{"bench", "--frames", "10", "--warmup", "9", "--json", json.string()}, "--warmup"},
      {{"bench", "--json", (mDir / "missing" / "b.json").string()}, "does not exist"},
      {{"bench", "--pack", "no-such-pack", "--json", json.string()}, "no-such-pack"},
      {{"bench", "--head", "ttp", "--json", json.string()}, "--head needs --pack"},
      {{"bench", "--source", (mDir / "none.png").string(), "--json", json.string()}, "none.png"},
  };
  for (const Case& c : cases) {
    const ProcessResult result = runMeshrt(c.args);
    EXPECT_EQ(result.exitCode, 2) << c.needle << ": " << result.err;
    const auto lines = result.errLines();
    ASSERT_EQ(lines.size(), 1u) << c.needle << ":\n" << result.err;
    EXPECT_NE(lines[0].find(c.needle), std::string::npos) << lines[0];
    EXPECT_FALSE(fs::exists(json)) << c.needle;
  }
}

}  // namespace
}  // namespace meshrt::test
