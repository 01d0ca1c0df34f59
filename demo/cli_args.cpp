#include "cli_args.h"

#include <charconv>
#include <filesystem>

namespace meshrt::cli {

std::optional<std::string> ParsedArgs::value(std::string_view name) const {
  auto it = mValues.find(std::string(name));
  if (it == mValues.end()) return std::nullopt;
  return it->second;
}

Result<long long> ParsedArgs::integer(std::string_view command, std::string_view name, long long fallback,
                                      long long minValue, long long maxValue) const {
  auto text = value(name);
  if (!text) return fallback;
  long long parsed = 0;
  const char* end = text->data() + text->size();
  auto [ptr, error] = std::from_chars(text->data(), end, parsed);
  const std::string context = std::string(command) + ": --" + std::string(name);
  if (error != std::errc() || ptr != end) return makeError(context, "'" + *text + "' is not an integer");
  if (parsed < minValue || parsed > maxValue) {
    return makeError(context, "must be between " + std::to_string(minValue) + " and " + std::to_string(maxValue));
  }
  return parsed;
}

Result<ParsedArgs> parseArgs(std::string_view command, std::span<const std::string> args,
                             std::span<const FlagSpec> specs) {
  ParsedArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      return makeError(command, "unexpected argument '" + arg + "' (flags start with --)");
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inlineValue;
    if (auto equals = name.find('='); equals != std::string::npos) {
      inlineValue = name.substr(equals + 1);
      name.resize(equals);
    }
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& candidate : specs) {
      if (candidate.name == name) spec = &candidate;
    }
    if (!spec) return makeError(command, "unknown flag '--" + name + "' (see 'meshrt help')");
    if (!spec->takesValue) {
      if (inlineValue) return makeError(command, "--" + name + " takes no value");
      parsed.mValues[name] = "";
      continue;
    }
    if (inlineValue) {
      parsed.mValues[name] = *inlineValue;
    } else if (i + 1 < args.size()) {
      parsed.mValues[name] = args[++i];
    } else {
      return makeError(command, "--" + name + " needs a value");
    }
    if (parsed.mValues[name].empty()) return makeError(command, "--" + name + " needs a non-empty value");
  }
  return parsed;
}

Result<void> checkOutputFileDir(std::string_view command, std::string_view flag, const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path parent = fs::path(path).parent_path();
  std::error_code error;
  if (!parent.empty() && !fs::is_directory(parent, error)) {
    return makeError(std::string(command) + ": --" + std::string(flag) + " " + path,
                     "directory " + parent.string() + " does not exist");
  }
  return {};
}

}  // namespace meshrt::cli
