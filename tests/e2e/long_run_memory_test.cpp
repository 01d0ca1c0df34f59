// The long-run check (issue 10 item 2): 2,000 frames of the sample source run headless with
// Vulkan validation on and no message, and resident memory (VmRSS) after frame 2,000 is within
// 5% of frame 100. PNGs are written every 500th frame only, to keep the run short on lavapipe.
// Also: --save-every and --memory-report on a short run, and their bad values.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "e2e/process.h"

namespace meshrt::test {
namespace {

namespace fs = std::filesystem;

class LongRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mDir = fs::temp_directory_path() / ("meshrt_long_run_" + std::to_string(::getpid()));
    fs::remove_all(mDir);
    fs::create_directories(mDir);
  }
  void TearDown() override { fs::remove_all(mDir); }

  static std::set<std::string> pngNames(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
      EXPECT_EQ(entry.path().extension(), ".png") << "left behind: " << entry.path();
      names.insert(entry.path().filename().string());
    }
    return names;
  }

  static nlohmann::json readJson(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json::parse(text.str(), nullptr, false);
  }

  fs::path mDir;
};

TEST_F(LongRunTest, TwoThousandFramesKeepResidentMemoryWithinFivePercent) {
#if defined(__SANITIZE_ADDRESS__)
  // The program is built like this test: AddressSanitizer's quarantine keeps freed memory
  // resident (up to 256 MiB) and its shadow grows with it, so VmRSS says nothing about leaks
  // there (LeakSanitizer checks those). The release build makes the measurement.
  GTEST_SKIP() << "resident memory is not comparable under AddressSanitizer (release build measures it)";
#endif
  const fs::path out = mDir / "frames";
  const fs::path report = mDir / "memory.json";
  const ProcessResult result = runMeshrt({"demo", "--headless", "--frames", "2000", "--save-every", "500", "--out",
                                          out.string(), "--memory-report", report.string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.err, "") << "no validation or other messages expected (MESHRT_VALIDATION=1)";
  EXPECT_EQ(pngNames(out), (std::set<std::string>{"frame_0000.png", "frame_0500.png", "frame_1000.png", "frame_1500.png"}));

  const nlohmann::json memory = readJson(report);
  ASSERT_FALSE(memory.is_discarded()) << report;
  EXPECT_EQ(memory["frames"], 2000);
  ASSERT_EQ(memory["samples"].size(), 20u);  // every 100 frames
  for (size_t i = 0; i < memory["samples"].size(); ++i) {
    EXPECT_EQ(memory["samples"][i]["frame"].get<int64_t>(), static_cast<int64_t>(100 * (i + 1)));
    EXPECT_GT(memory["samples"][i]["rss_kib"].get<uint64_t>(), 0u);
  }
  const double at100 = memory["rss_kib_frame_100"].get<double>();
  const double at2000 = memory["rss_kib_last_frame"].get<double>();
  EXPECT_EQ(at100, memory["samples"][0]["rss_kib"].get<double>());
  EXPECT_EQ(at2000, memory["samples"][19]["rss_kib"].get<double>());
  const double growthPercent = 100.0 * (at2000 / at100 - 1.0);
  EXPECT_NEAR(memory["growth_percent"].get<double>(), growthPercent, 1e-9);
  std::printf("resident memory (VmRSS): frame 100 %.0f KiB, frame 2000 %.0f KiB (%+.2f%%)\n", at100, at2000,
              growthPercent);
  ::testing::Test::RecordProperty("rss_kib_frame_100", std::to_string(static_cast<int64_t>(at100)));
  ::testing::Test::RecordProperty("rss_kib_frame_2000", std::to_string(static_cast<int64_t>(at2000)));
  EXPECT_LE(std::fabs(growthPercent), 5.0) << "VmRSS at frame 2000 vs frame 100";
  EXPECT_NE(result.out.find("resident memory: frame 100 "), std::string::npos) << result.out;
}

TEST_F(LongRunTest, SaveEveryZeroWritesNoPngsAndShortRunsReportNullGrowth) {
  const fs::path out = mDir / "frames";
  const fs::path report = mDir / "memory.json";
  const ProcessResult result = runMeshrt({"demo", "--headless", "--frames", "7", "--save-every", "0", "--out",
                                          out.string(), "--memory-report", report.string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_TRUE(pngNames(out).empty());
  EXPECT_NE(result.out.find("wrote 0 PNGs"), std::string::npos) << result.out;
  const nlohmann::json memory = readJson(report);
  ASSERT_FALSE(memory.is_discarded());
  ASSERT_EQ(memory["samples"].size(), 1u);  // the last frame only
  EXPECT_EQ(memory["samples"][0]["frame"], 7);
  EXPECT_TRUE(memory["rss_kib_frame_100"].is_null());
  EXPECT_TRUE(memory["growth_percent"].is_null());
  EXPECT_EQ(memory["rss_kib_last_frame"], memory["samples"][0]["rss_kib"]);
  EXPECT_FALSE(fs::exists(report.string() + ".tmp"));
}

TEST_F(LongRunTest, BadSaveEveryAndMemoryReportPathFailBeforeAnyWork) {
  const fs::path out = mDir / "frames";
  auto expectOneLine = [](const ProcessResult& result, const std::string& needle) {
    EXPECT_EQ(result.exitCode, 2) << result.err;
    const auto lines = result.errLines();
    ASSERT_EQ(lines.size(), 1u) << result.err;
    EXPECT_NE(lines[0].find(needle), std::string::npos) << lines[0];
  };
  expectOneLine(runMeshrt({"demo", "--headless", "--frames", "2", "--out", out.string(), "--save-every", "-1"}),
                "meshrt demo: --save-every: must be between 0 and");
  expectOneLine(runMeshrt({"demo", "--headless", "--frames", "2", "--out", out.string(), "--save-every", "x"}),
                "meshrt demo: --save-every: 'x' is not an integer");
  expectOneLine(runMeshrt({"demo", "--headless", "--frames", "2", "--out", out.string(), "--memory-report",
                           (mDir / "nope/m.json").string()}),
                "--memory-report");
  EXPECT_TRUE(fs::is_empty(out)) << "nothing may be written when the run is refused";
}

TEST_F(LongRunTest, HelpDocumentsTheFlags) {
  const ProcessResult help = runMeshrt({"help"});
  ASSERT_EQ(help.exitCode, 0) << help.err;
  for (const char* text : {"--save-every K", "--memory-report FILE", "VmRSS"}) {
    EXPECT_NE(help.out.find(text), std::string::npos) << text << " missing in:\n" << help.out;
  }
}

}  // namespace
}  // namespace meshrt::test
