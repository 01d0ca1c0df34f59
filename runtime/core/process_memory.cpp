#include "core/process_memory.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace meshrt {

Result<uint64_t> parseVmRssKib(std::string_view statusText, std::string_view context) {
  // The line reads "VmRSS:\t   123456 kB".
  constexpr std::string_view KEY = "\nVmRSS:";
  size_t at = statusText.rfind(KEY.substr(1), 0) == 0 ? 0 : statusText.find(KEY);
  if (at == std::string_view::npos) return makeError(context, "no VmRSS line");
  at = statusText.find(':', at) + 1;
  while (at < statusText.size() && (statusText[at] == ' ' || statusText[at] == '\t')) ++at;
  uint64_t kib = 0;
  const auto result = std::from_chars(statusText.data() + at, statusText.data() + statusText.size(), kib);
  if (result.ec != std::errc()) return makeError(context, "VmRSS: not a number");
  if (std::string_view(result.ptr, statusText.data() + statusText.size()).substr(0, 3) != " kB") {
    return makeError(context, "VmRSS: unit is not kB");
  }
  return kib;
}

Result<uint64_t> residentSetKib() {
  constexpr const char* PATH = "/proc/self/status";
  std::ifstream in(PATH);
  if (!in) return makeError(PATH, "cannot open");
  std::stringstream text;
  text << in.rdbuf();
  return parseVmRssKib(text.str(), PATH);
}

}  // namespace meshrt
