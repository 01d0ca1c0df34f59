#include "core/npy_file.h"

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>

namespace meshrt {
namespace {

constexpr std::array<uint8_t, 6> NPY_MAGIC = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr uint64_t NPY_MAX_BYTES = uint64_t(1) << 34;  // 16 GiB: far above any pack tensor

size_t typeSize(NpyType type) {
  switch (type) {
    case NpyType::Float32: return 4;
    case NpyType::Uint8: return 1;
    case NpyType::Int32: return 4;
    case NpyType::Uint32: return 4;
  }
  return 0;
}

const char* typeDescr(NpyType type) {
  switch (type) {
    case NpyType::Float32: return "<f4";
    case NpyType::Uint8: return "|u1";
    case NpyType::Int32: return "<i4";
    case NpyType::Uint32: return "<u4";
  }
  return "";
}

// The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
 public:
  explicit HeaderParser(std::string_view text) : mText(text) {}

  void skipSpace() {
    while (mPos < mText.size() && (mText[mPos] == ' ' || mText[mPos] == '\n' || mText[mPos] == '\t')) ++mPos;
  }
  bool consume(char c) {
    skipSpace();
    if (mPos < mText.size() && mText[mPos] == c) {
      ++mPos;
      return true;
    }
    return false;
  }
  bool peek(char c) {
    skipSpace();
    return mPos < mText.size() && mText[mPos] == c;
  }
  std::optional<std::string> quoted() {
    skipSpace();
    if (mPos >= mText.size() || (mText[mPos] != '\'' && mText[mPos] != '"')) return std::nullopt;
    char quote = mText[mPos++];
    size_t end = mText.find(quote, mPos);
    if (end == std::string_view::npos) return std::nullopt;
    std::string value(mText.substr(mPos, end - mPos));
    mPos = end + 1;
    return value;
  }
  std::optional<bool> boolean() {
    skipSpace();
    if (mText.substr(mPos, 4) == "True") {
      mPos += 4;
      return true;
    }
    if (mText.substr(mPos, 5) == "False") {
      mPos += 5;
      return false;
    }
    return std::nullopt;
  }
  std::optional<uint64_t> integer() {
    skipSpace();
    uint64_t value = 0;
    size_t start = mPos;
    while (mPos < mText.size() && mText[mPos] >= '0' && mText[mPos] <= '9') {
      uint64_t digit = static_cast<uint64_t>(mText[mPos] - '0');
      if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
      value = value * 10 + digit;
      ++mPos;
    }
    if (mPos == start) return std::nullopt;
    if (mPos < mText.size() && mText[mPos] == 'L') ++mPos;  // Python 2 long suffix
    return value;
  }
  bool atEnd() {
    skipSpace();
    return mPos == mText.size();
  }

 private:
  std::string_view mText;
  size_t mPos = 0;
};

struct Header {
  std::string descr;
  bool fortranOrder = false;
  std::vector<uint64_t> shape;
};

Result<Header> parseHeader(std::string_view text, const std::string& name) {
  const std::string context = name + ": npy header";
  HeaderParser parser(text);
  Header header;
  bool haveDescr = false, haveOrder = false, haveShape = false;
  if (!parser.consume('{')) return makeError(context, "not a dict literal");
  while (!parser.consume('}')) {
    auto key = parser.quoted();
    if (!key) return makeError(context, "expected a quoted key");
    if (!parser.consume(':')) return makeError(context + ": " + *key, "expected ':'");
    if (*key == "descr") {
      auto value = parser.quoted();
      if (!value) return makeError(context + ": descr", "expected a quoted type string");
      header.descr = *value;
      haveDescr = true;
    } else if (*key == "fortran_order") {
      auto value = parser.boolean();
      if (!value) return makeError(context + ": fortran_order", "expected True or False");
      header.fortranOrder = *value;
      haveOrder = true;
    } else if (*key == "shape") {
      if (!parser.consume('(')) return makeError(context + ": shape", "expected a tuple");
      while (!parser.consume(')')) {
        auto dim = parser.integer();
        if (!dim) return makeError(context + ": shape", "expected a non-negative integer");
        if (header.shape.size() >= 32) return makeError(context + ": shape", "more than 32 dimensions");
        header.shape.push_back(*dim);
        if (!parser.consume(',') && !parser.peek(')')) return makeError(context + ": shape", "expected ',' or ')'");
      }
      haveShape = true;
    } else {
      return makeError(context + ": " + *key, "unknown key");
    }
    if (!parser.consume(',') && !parser.peek('}')) return makeError(context, "expected ',' or '}'");
  }
  if (!parser.atEnd()) return makeError(context, "text after the closing '}'");
  if (!haveDescr) return makeError(context + ": descr", "missing");
  if (!haveOrder) return makeError(context + ": fortran_order", "missing");
  if (!haveShape) return makeError(context + ": shape", "missing");
  return header;
}

}  // namespace

uint64_t NpyArray::elementCount() const {
  uint64_t count = 1;
  for (uint64_t dim : shape) count *= dim;
  return count;
}

std::span<const float> NpyArray::floats() const {
  if (type != NpyType::Float32) return {};
  return {reinterpret_cast<const float*>(bytes.data()), bytes.size() / sizeof(float)};
}
std::span<const uint8_t> NpyArray::uint8s() const {
  if (type != NpyType::Uint8) return {};
  return {bytes.data(), bytes.size()};
}
std::span<const int32_t> NpyArray::int32s() const {
  if (type != NpyType::Int32) return {};
  return {reinterpret_cast<const int32_t*>(bytes.data()), bytes.size() / sizeof(int32_t)};
}
std::span<const uint32_t> NpyArray::uint32s() const {
  if (type != NpyType::Uint32) return {};
  return {reinterpret_cast<const uint32_t*>(bytes.data()), bytes.size() / sizeof(uint32_t)};
}

Result<NpyArray> parseNpy(std::span<const uint8_t> data, const std::string& name) {
  if (data.size() < 10 || std::memcmp(data.data(), NPY_MAGIC.data(), NPY_MAGIC.size()) != 0) {
    return makeError(name, "not a .npy file (missing the \\x93NUMPY magic)");
  }
  const uint8_t major = data[6];
  size_t headerLength = 0, headerStart = 0;
  if (major == 1) {
    headerLength = size_t(data[8]) | (size_t(data[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (data.size() < 12) return makeError(name, "truncated npy preamble");
    headerLength = size_t(data[8]) | (size_t(data[9]) << 8) | (size_t(data[10]) << 16) | (size_t(data[11]) << 24);
    headerStart = 12;
  } else {
    return makeError(name, "npy version " + std::to_string(major) + " is not supported (1, 2 or 3)");
  }
  if (headerLength > data.size() - headerStart) return makeError(name, "npy header runs past the end of the file");
  std::string_view text(reinterpret_cast<const char*>(data.data() + headerStart), headerLength);
  auto header = parseHeader(text, name);
  if (!header.ok()) return header.error();

  NpyArray array;
  array.shape = header->shape;
  bool fromFloat64 = false;
  if (header->descr == "<f4") {
    array.type = NpyType::Float32;
  } else if (header->descr == "<f8") {
    array.type = NpyType::Float32;
    fromFloat64 = true;
  } else if (header->descr == "|u1" || header->descr == "<u1") {
    array.type = NpyType::Uint8;
  } else if (header->descr == "<i4") {
    array.type = NpyType::Int32;
  } else if (header->descr == "<u4") {
    array.type = NpyType::Uint32;
  } else {
    return makeError(name + ": npy header: descr", "element type '" + header->descr +
                                                       "' is not supported (<f4, <f8, |u1, <i4, <u4)");
  }
  if (header->fortranOrder) return makeError(name + ": npy header: fortran_order", "Fortran order is not supported");

  const uint64_t storedSize = fromFloat64 ? 8 : typeSize(array.type);
  uint64_t count = 1;
  for (uint64_t dim : array.shape) {
    if (dim != 0 && count > NPY_MAX_BYTES / storedSize / dim) {
      return makeError(name + ": npy header: shape", "more than 16 GiB of data");
    }
    count *= dim;
  }
  const size_t payloadStart = headerStart + headerLength;
  const uint64_t payloadSize = count * storedSize;
  if (data.size() - payloadStart != payloadSize) {
    return makeError(name, "data size " + std::to_string(data.size() - payloadStart) + " bytes, but the shape needs " +
                               std::to_string(payloadSize));
  }
  const uint8_t* payload = data.data() + payloadStart;
  if (fromFloat64) {
    array.bytes.resize(count * sizeof(float));
    for (uint64_t i = 0; i < count; ++i) {
      double value;
      std::memcpy(&value, payload + i * 8, 8);
      const float narrowed = static_cast<float>(value);
      std::memcpy(array.bytes.data() + i * 4, &narrowed, 4);
    }
  } else {
    array.bytes.assign(payload, payload + payloadSize);
  }
  return array;
}

Result<NpyArray> readNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(path, "cannot open");
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return makeError(path, "read error");
  return parseNpy(data, path);
}

Result<void> writeNpy(const std::string& path, NpyType type, std::span<const uint64_t> shape, const void* data) {
  // Python tuple syntax: "()", "(5,)", "(2, 3)".
  std::string tuple = "(";
  uint64_t count = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    tuple += (i ? ", " : "") + std::to_string(shape[i]);
    count *= shape[i];
  }
  tuple += shape.size() == 1 ? ",)" : ")";
  std::string header = std::string("{'descr': '") + typeDescr(type) + "', 'fortran_order': False, 'shape': " + tuple;
  header += ", }";
  // Pad so that the data starts at a multiple of 64 bytes; the header ends with '\n'.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';

  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return makeError(path, "cannot open for writing");
    out.write(reinterpret_cast<const char*>(NPY_MAGIC.data()), NPY_MAGIC.size());
    const uint8_t version[2] = {1, 0};
    out.write(reinterpret_cast<const char*>(version), 2);
    const uint8_t length[2] = {uint8_t(header.size() & 0xff), uint8_t(header.size() >> 8)};
    out.write(reinterpret_cast<const char*>(length), 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(count * typeSize(type)));
    if (!out) {
      out.close();
      std::filesystem::remove(temporary);
      return makeError(path, "write failed");
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary);
    return makeError(path, "rename failed: " + error.message());
  }
  return {};
}

Result<void> writeNpy(const std::string& path, std::span<const uint64_t> shape, std::span<const float> values) {
  uint64_t count = 1;
  for (uint64_t dim : shape) count *= dim;
  if (count != values.size()) return makeError(path, "shape does not match the number of values");
  return writeNpy(path, NpyType::Float32, shape, values.data());
}

}  // namespace meshrt
