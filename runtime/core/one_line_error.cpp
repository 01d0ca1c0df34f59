#include "core/one_line_error.h"

#include <string>
#include <utility>

namespace meshrt {

Error oneLineError(const Error& error) {
  static const char* HEX = "0123456789abcdef";
  std::string text;
  text.reserve(error.message.size());
  for (const char character : error.message) {
    const auto byte = static_cast<unsigned char>(character);
    if (byte >= 0x20 && byte != 0x7F) {
      text.push_back(character);
    } else {
      text += "\\x";
      text.push_back(HEX[byte >> 4]);
      text.push_back(HEX[byte & 0xF]);
    }
  }
  if (text.size() > MAX_ERROR_CHARACTERS) {
    const size_t head = MAX_ERROR_CHARACTERS / 2, tail = MAX_ERROR_CHARACTERS / 2 - 64;
    const size_t elided = text.size() - head - tail;
    text = text.substr(0, head) + " [... " + std::to_string(elided) + " characters elided ...] " +
           text.substr(text.size() - tail);
  }
  return Error{std::move(text)};
}

}  // namespace meshrt
