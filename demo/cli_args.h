// Command-line flags of the meshrt subcommands: --name value, --name=value, or bare --switch.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "meshrt/result.h"

namespace meshrt::cli {

struct FlagSpec {
  std::string_view name;  // without the leading "--"
  bool takesValue;
};

class ParsedArgs {
 public:
  bool has(std::string_view name) const { return mValues.count(std::string(name)) > 0; }
  std::optional<std::string> value(std::string_view name) const;
  // Parses an integer flag in [minValue, maxValue]; `fallback` when absent.
  Result<long long> integer(std::string_view command, std::string_view name, long long fallback, long long minValue,
                            long long maxValue) const;

 private:
  friend Result<ParsedArgs> parseArgs(std::string_view, std::span<const std::string>, std::span<const FlagSpec>);
  std::map<std::string, std::string> mValues;  // switches map to ""
};

// `command` prefixes errors: "meshrt demo: unknown flag '--fast'".
Result<ParsedArgs> parseArgs(std::string_view command, std::span<const std::string> args,
                             std::span<const FlagSpec> specs);

// Checks, before any work is done, that the directory of an output file given by `--flag path`
// exists: "<command>: --<flag> <path>: directory <parent> does not exist".
Result<void> checkOutputFileDir(std::string_view command, std::string_view flag, const std::string& path);

}  // namespace meshrt::cli
