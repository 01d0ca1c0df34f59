// readObj (core/mesh_io.h): a parser for untrusted Wavefront OBJ files.
// Reads v, vt, vn (counted and checked, values unused) and f; every other statement, comments
// and blank lines are ignored. Limits: files up to OBJ_MAX_FILE_BYTES; indices are 32-bit.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/mesh_io.h"

namespace meshrt {
namespace {

// Files larger than this are refused before they are read (256 MiB).
constexpr uint64_t OBJ_MAX_FILE_BYTES = uint64_t{256} << 20;

struct ObjCounts {
  int64_t positions = 0;  // v statements so far
  int64_t uvs = 0;        // vt statements so far
  int64_t normals = 0;    // vn statements so far
};

// Splits `line` at spaces and tabs.
void splitWords(std::string_view line, std::vector<std::string_view>& words) {
  words.clear();
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
}

// Shows a word in an error message: printable ASCII only, at most 32 characters.
std::string quoted(std::string_view word) {
  std::string out = "'";
  for (size_t i = 0; i < word.size() && i < 32; ++i) {
    const unsigned char c = static_cast<unsigned char>(word[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (word.size() > 32) out += "...";
  return out + "'";
}

class ObjParser {
 public:
  explicit ObjParser(const std::string& path) : mPath(path) {}

  Result<TexturedMesh> parse(std::string_view text) {
    std::vector<std::string_view> words;
    size_t begin = 0;
    while (begin < text.size()) {
      size_t end = text.find('\n', begin);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(begin, end - begin);
      begin = end + 1;
      ++mLine;
      if (const size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      splitWords(line, words);
      if (words.empty()) continue;
      MESHRT_TRY(statement(words));
    }
    if (mMesh.triangles.empty()) return makeError(mPath, "no faces");
    return std::move(mMesh);
  }

 private:
  Error lineError(const std::string& reason) const { return makeError(mPath, "line " + std::to_string(mLine) + ": " + reason); }

  Result<void> statement(const std::vector<std::string_view>& words) {
    const std::string_view keyword = words[0];
    if (keyword == "v") {
      float xyz[3];
      MESHRT_TRY(numbers(words, 3, xyz, "v needs 3 coordinates"));
      mPositions.insert(mPositions.end(), xyz, xyz + 3);
      ++mCounts.positions;
    } else if (keyword == "vt") {
      float uv[2] = {0.0f, 0.0f};
      MESHRT_TRY(numbers(words, 1, uv, "vt needs a u coordinate"));
      if (words.size() >= 3) MESHRT_TRY(number(words[2], uv[1]));
      if (words.size() >= 4) {
        float w = 0.0f;
        MESHRT_TRY(number(words[3], w));
      }
      mUvs.push_back(uv[0]);
      mUvs.push_back(1.0f - uv[1]);  // OBJ's v points up, ours down
      ++mCounts.uvs;
    } else if (keyword == "vn") {
      float normal[3];
      MESHRT_TRY(numbers(words, 3, normal, "vn needs 3 coordinates"));
      ++mCounts.normals;
    } else if (keyword == "f") {
      return face(words);
    }
    return {};
  }

  // Parses words[1 .. count] into `out`; fewer words is the error `missing`.
  Result<void> numbers(const std::vector<std::string_view>& words, size_t count, float* out, const char* missing) const {
    if (words.size() < count + 1) return lineError(missing);
    for (size_t i = 0; i < count; ++i) MESHRT_TRY(number(words[i + 1], out[i]));
    return {};
  }

  // Parsed as double, so values below float's range round to 0 instead of failing.
  Result<void> number(std::string_view word, float& out) const {
    std::string_view digits = word;
    if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
    double value = 0.0;
    const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (result.ec == std::errc::result_out_of_range) return lineError("number " + quoted(word) + " is out of range");
    if (result.ec != std::errc() || result.ptr != digits.data() + digits.size()) {
      return lineError("bad number " + quoted(word));
    }
    if (!std::isfinite(value)) return lineError("number " + quoted(word) + " is not finite");
    if (std::fabs(value) > static_cast<double>(std::numeric_limits<float>::max())) {
      return lineError("number " + quoted(word) + " is out of float range");
    }
    out = static_cast<float>(value);
    return {};
  }

  // A 1-based (or negative, relative) OBJ index into a list of `count` items; -1 when `word` is empty.
  Result<int64_t> index(std::string_view word, int64_t count, const char* what) const {
    if (word.empty()) return int64_t{-1};
    int64_t value = 0;
    const auto result = std::from_chars(word.data(), word.data() + word.size(), value);
    if (result.ec != std::errc() || result.ptr != word.data() + word.size()) {
      return lineError(std::string("bad ") + what + " index " + quoted(word));
    }
    const int64_t zeroBased = value > 0 ? value - 1 : count + value;
    if (value == 0 || zeroBased < 0 || zeroBased >= count) {
      return lineError(std::string(what) + " index " + std::to_string(value) + " out of range (" + std::to_string(count) +
                       " defined so far)");
    }
    return zeroBased;
  }

  // One corner "v", "v/vt", "v//vn" or "v/vt/vn" -> the output vertex, added if new.
  Result<uint32_t> corner(std::string_view word) {
    std::string_view parts[3];
    size_t partCount = 0;
    size_t start = 0;
    while (true) {
      const size_t slash = word.find('/', start);
      if (partCount == 3) return lineError("face corner " + quoted(word) + " has more than 3 parts");
      parts[partCount++] = word.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
      if (slash == std::string_view::npos) break;
      start = slash + 1;
    }
    if (parts[0].empty()) return lineError("face corner " + quoted(word) + " has no vertex index");
    auto position = index(parts[0], mCounts.positions, "vertex");
    if (!position.ok()) return position.error();
    auto uv = index(parts[1], mCounts.uvs, "texture coordinate");
    if (!uv.ok()) return uv.error();
    if (partCount == 3) {
      if (parts[2].empty()) return lineError("face corner " + quoted(word) + " has an empty normal index");
      auto normal = index(parts[2], mCounts.normals, "normal");
      if (!normal.ok()) return normal.error();
    }
    // Sizes are below 2^32 (the file limit), so (position, uv + 1) packs into 64 bits.
    const uint64_t key = (static_cast<uint64_t>(*position) << 32) | static_cast<uint64_t>(*uv + 1);
    const auto [found, inserted] = mVertexOfCorner.try_emplace(key, static_cast<uint32_t>(mMesh.positions.size() / 3));
    if (inserted) {
      const float* xyz = &mPositions[static_cast<size_t>(*position) * 3];
      mMesh.positions.insert(mMesh.positions.end(), xyz, xyz + 3);
      if (*uv >= 0) {
        mMesh.uvs.push_back(mUvs[static_cast<size_t>(*uv) * 2]);
        mMesh.uvs.push_back(mUvs[static_cast<size_t>(*uv) * 2 + 1]);
      } else {
        mMesh.uvs.push_back(0.0f);
        mMesh.uvs.push_back(0.0f);
      }
    }
    return found->second;
  }

  // A polygon, fanned from its first corner: (c0, c1, c2), (c0, c2, c3), ...
  Result<void> face(const std::vector<std::string_view>& words) {
    if (words.size() < 4) return lineError("face has " + std::to_string(words.size() - 1) + " corners, needs at least 3");
    mFaceVertices.clear();
    for (size_t i = 1; i < words.size(); ++i) {
      auto vertex = corner(words[i]);
      if (!vertex.ok()) return vertex.error();
      mFaceVertices.push_back(*vertex);
    }
    for (size_t i = 1; i + 1 < mFaceVertices.size(); ++i) {
      mMesh.triangles.push_back(mFaceVertices[0]);
      mMesh.triangles.push_back(mFaceVertices[i]);
      mMesh.triangles.push_back(mFaceVertices[i + 1]);
    }
    return {};
  }

  const std::string& mPath;
  uint64_t mLine = 0;
  ObjCounts mCounts;
  std::vector<float> mPositions;  // float3 per v statement
  std::vector<float> mUvs;        // float2 per vt statement, already in our v-down convention
  std::unordered_map<uint64_t, uint32_t> mVertexOfCorner;  // (position, uv + 1) -> output vertex
  std::vector<uint32_t> mFaceVertices;
  TexturedMesh mMesh;
};

}  // namespace

Result<TexturedMesh> readObj(const std::string& objPath) {
  std::error_code error;
  const uint64_t size = std::filesystem::file_size(objPath, error);
  if (error) return makeError(objPath, "cannot read: " + error.message());
  if (size > OBJ_MAX_FILE_BYTES) {
    return makeError(objPath, "file is " + std::to_string(size) + " bytes, over the " +
                                  std::to_string(OBJ_MAX_FILE_BYTES >> 20) + " MiB limit");
  }
  std::ifstream in(objPath, std::ios::binary);
  if (!in) return makeError(objPath, "cannot open for reading");
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(in.gcount()) != size) return makeError(objPath, "cannot read: file changed while reading");
  return parseObj(text, objPath);
}

Result<TexturedMesh> parseObj(std::string_view text, const std::string& source) {
  if (text.size() > OBJ_MAX_FILE_BYTES) {
    return makeError(source, "file is " + std::to_string(text.size()) + " bytes, over the " +
                                 std::to_string(OBJ_MAX_FILE_BYTES >> 20) + " MiB limit");
  }
  return ObjParser(source).parse(text);
}

}  // namespace meshrt
