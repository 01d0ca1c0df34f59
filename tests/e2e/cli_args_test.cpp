// Flag parsing of the meshrt program.
#include <gtest/gtest.h>

#include "cli_args.h"

namespace meshrt::cli {
namespace {

constexpr FlagSpec FLAGS[] = {{"frames", true}, {"out", true}, {"headless", false}};

Result<ParsedArgs> parse(std::vector<std::string> args) { return parseArgs("meshrt demo", args, FLAGS); }

TEST(CliArgs, ParsesValuesSwitchesAndEqualsForm) {
  auto parsed = parse({"--frames", "10", "--headless", "--out=/tmp/x"});
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_TRUE(parsed->has("headless"));
  EXPECT_EQ(parsed->value("out"), "/tmp/x");
  EXPECT_EQ(*parsed->integer("meshrt demo", "frames", 1, 1, 100), 10);
  EXPECT_EQ(*parsed->integer("meshrt demo", "missing", 7, 1, 100), 7);
}

TEST(CliArgs, RejectsWithOneLineErrors) {
  EXPECT_EQ(parse({"--fast"}).error().message, "meshrt demo: unknown flag '--fast' (see 'meshrt help')");
  EXPECT_EQ(parse({"--frames"}).error().message, "meshrt demo: --frames needs a value");
  EXPECT_EQ(parse({"frames"}).error().message, "meshrt demo: unexpected argument 'frames' (flags start with --)");
  EXPECT_EQ(parse({"--headless=yes"}).error().message, "meshrt demo: --headless takes no value");
  EXPECT_EQ(parse({"--out="}).error().message, "meshrt demo: --out needs a non-empty value");
  auto parsed = parse({"--frames", "ten"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->integer("meshrt demo", "frames", 1, 1, 100).error().message,
            "meshrt demo: --frames: 'ten' is not an integer");
  parsed = parse({"--frames", "0"});
  EXPECT_EQ(parsed->integer("meshrt demo", "frames", 1, 1, 100).error().message,
            "meshrt demo: --frames: must be between 1 and 100");
}

}  // namespace
}  // namespace meshrt::cli
