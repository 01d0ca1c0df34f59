#include "core/chrome_trace.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace meshrt {
namespace {

namespace fs = std::filesystem;

// Two CPU tracks (one nested span) and one GPU queue over frames 3 and 4; ns clock.
std::vector<SpanRecord> sampleSpans() {
  const int64_t base = 5'000'000'000;
  return {
      {"decode", "cpu:main", 3, 1, base + 100, base + 2'600},
      {"frame", "cpu:main", 3, 0, base, base + 10'000},
      {"infer", "cpu:worker", 4, 1, base + 12'000, base + 13'500},
      {"uv_splat", "gpu:queue0", 3, 0, base + 3'000, base + 3'250},
      {"uv_splat", "gpu:queue0", 4, 0, base + 13'000, base + 13'125},
  };
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "meshrt_trace_XXXXXX").string();
    mPath = mkdtemp(pattern.data()) ? pattern : "";
  }
  ~TempDir() {
    std::error_code ignored;
    if (!mPath.empty()) fs::remove_all(mPath, ignored);
  }
  const std::string& path() const { return mPath; }

 private:
  std::string mPath;
};

TEST(ChromeTrace, RoundTripKeepsNamesTracksFramesAndCount) {
  const std::string text = chromeTraceJson(sampleSpans());
  const Result<TraceSummary> summary = parseChromeTrace(text, "mem");
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->completeEvents, 5u);
  EXPECT_EQ(summary->names, (std::set<std::string>{"decode", "frame", "infer", "uv_splat"}));
  EXPECT_EQ(summary->tracks, (std::set<std::string>{"cpu:main", "cpu:worker", "gpu:queue0"}));
  EXPECT_EQ(summary->framesByName.at("uv_splat"), (std::set<int64_t>{3, 4}));
  EXPECT_EQ(summary->framesByName.at("infer"), (std::set<int64_t>{4}));
}

TEST(ChromeTrace, TimesAreMicrosecondsFromEarliestStart) {
  const std::string text = chromeTraceJson(sampleSpans());
  // decode starts 100 ns after the earliest span and lasts 2500 ns; the GPU span 250 ns.
  EXPECT_NE(text.find("\"ts\":0.1"), std::string::npos) << text;
  EXPECT_NE(text.find("\"dur\":2.5"), std::string::npos) << text;
  EXPECT_NE(text.find("\"dur\":0.25"), std::string::npos) << text;
  EXPECT_NE(text.find("\"cat\":\"gpu\""), std::string::npos);
  EXPECT_NE(text.find("\"displayTimeUnit\":\"ms\""), std::string::npos);
  EXPECT_NE(text.find("\"process_name\""), std::string::npos);
  EXPECT_NE(text.find("\"thread_sort_index\""), std::string::npos);
}

TEST(ChromeTrace, EmptySpanListIsStillAValidTrace) {
  const Result<TraceSummary> summary = parseChromeTrace(chromeTraceJson({}), "empty");
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->completeEvents, 0u);
}

TEST(ChromeTrace, WriteThenReadBack) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.path() + "/trace.json";
  const Result<void> written = writeChromeTrace(sampleSpans(), path);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_FALSE(fs::exists(path + ".tmp"));

  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const Result<TraceSummary> summary = parseChromeTrace(buffer.str(), path);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->completeEvents, 5u);
}

TEST(ChromeTrace, WriteIntoMissingDirectoryFailsAndLeavesNothing) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.path() + "/no_such_dir/trace.json";
  const Result<void> written = writeChromeTrace(sampleSpans(), path);
  ASSERT_FALSE(written.ok());
  const std::string& message = written.error().message;
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST(ChromeTrace, BareArrayIsAccepted) {
  const char* text = R"([{"name":"a","ph":"X","ts":0,"dur":1.5,"pid":1,"tid":7}])";
  const Result<TraceSummary> summary = parseChromeTrace(text, "bare");
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->tracks, (std::set<std::string>{"tid:7"}));
}

// Returns the error message, or "" when the text unexpectedly parses.
std::string parseError(const std::string& text) {
  const Result<TraceSummary> summary = parseChromeTrace(text, "t.json");
  return summary.ok() ? std::string() : summary.error().message;
}

TEST(ChromeTrace, RejectsNotJson) {
  const std::string message = parseError("{\"traceEvents\": [");
  EXPECT_EQ(message.rfind("t.json: not JSON: ", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(ChromeTrace, RejectsMissingTraceEvents) {
  const std::string message = parseError(R"({"displayTimeUnit":"ms"})");
  EXPECT_NE(message.find("t.json: traceEvents: missing or not an array"), std::string::npos)
      << message;
}

TEST(ChromeTrace, RejectsCompleteEventWithoutDur) {
  const std::string message = parseError(R"({"traceEvents":[
      {"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"meshrt"}},
      {"name":"a","ph":"X","ts":0,"pid":1,"tid":1}]})");
  EXPECT_NE(message.find("t.json: traceEvents[1].dur: missing or not a number"),
            std::string::npos)
      << message;
}

TEST(ChromeTrace, RejectsNegativeDur) {
  const std::string message =
      parseError(R"({"traceEvents":[{"name":"a","ph":"X","ts":0,"dur":-2,"pid":1,"tid":1}]})");
  EXPECT_NE(message.find("traceEvents[0].dur: negative"), std::string::npos) << message;
}

TEST(ChromeTrace, RejectsUnknownPhase) {
  const std::string message = parseError(R"({"traceEvents":[{"name":"a","ph":"Q"}]})");
  EXPECT_NE(message.find("traceEvents[0].ph: unsupported phase \"Q\""), std::string::npos)
      << message;
}

TEST(ChromeTrace, RejectsOtherMalformedEvents) {
  EXPECT_NE(parseError(R"([{"ph":"X"}])").find("traceEvents[0].name:"), std::string::npos);
  EXPECT_NE(parseError(R"([3])").find("traceEvents[0]: not an object"), std::string::npos);
  EXPECT_NE(parseError(R"([{"name":"a","ph":"X","ts":0,"dur":1,"pid":1,"tid":"x"}])")
                .find("traceEvents[0].tid: missing or not an integer"),
            std::string::npos);
  EXPECT_NE(parseError(R"([{"name":"thread_name","ph":"M","tid":1,"args":{}}])")
                .find("traceEvents[0].args.name: missing or not a string"),
            std::string::npos);
  EXPECT_NE(parseError(R"([{"name":"thread_sort_index","ph":"M","tid":1,"args":{}}])")
                .find("traceEvents[0].args.sort_index: missing or not an integer"),
            std::string::npos);
  EXPECT_NE(parseError(R"([{"name":"process_labels","ph":"M","args":{"labels":"x"}}])")
                .find("traceEvents[0].name: unsupported metadata"),
            std::string::npos);
  EXPECT_NE(parseError("42").find("t.json: top level:"), std::string::npos);
}

}  // namespace
}  // namespace meshrt
