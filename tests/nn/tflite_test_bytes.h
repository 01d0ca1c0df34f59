// Byte-level access to a (valid) TFLite file for tests that corrupt one chosen field: a few
// FlatBuffer hops without checks (the file is a known-good fetched model). See
// runtime/nn/tflite_reader.cpp for the format.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace meshrt::test {

inline std::vector<uint8_t> readFileBytes(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
}

template <typename T>
T loadAt(const std::vector<uint8_t>& bytes, size_t at) {
  T value{};
  std::memcpy(&value, bytes.data() + at, sizeof(T));
  return value;
}

template <typename T>
void storeAt(std::vector<uint8_t>& bytes, size_t at, T value) {
  std::memcpy(bytes.data() + at, &value, sizeof(T));
}

// The table a uoffset at `at` points to.
inline size_t tableAt(const std::vector<uint8_t>& bytes, size_t at) { return at + loadAt<uint32_t>(bytes, at); }

// Position of field `index` of the table at `table` (0 when absent).
inline size_t fieldAt(const std::vector<uint8_t>& bytes, size_t table, int index) {
  const size_t vtable = size_t(int64_t(table) - loadAt<int32_t>(bytes, table));
  const uint16_t vtableSize = loadAt<uint16_t>(bytes, vtable);
  const size_t slot = 4 + 2 * size_t(index);
  if (slot + 2 > vtableSize) return 0;
  const uint16_t offset = loadAt<uint16_t>(bytes, vtable + slot);
  return offset == 0 ? 0 : table + offset;
}

// Position of the u32 element count of vector field `index`.
inline size_t vectorAt(const std::vector<uint8_t>& bytes, size_t table, int index) {
  return tableAt(bytes, fieldAt(bytes, table, index));
}

// Element `element` of a vector of tables (field `index` of `table`).
inline size_t tableElementAt(const std::vector<uint8_t>& bytes, size_t table, int index, size_t element) {
  return tableAt(bytes, vectorAt(bytes, table, index) + 4 + 4 * element);
}

// Root table, first subgraph (Model.subgraphs = field 2).
inline size_t rootTable(const std::vector<uint8_t>& bytes) { return tableAt(bytes, 0); }
inline size_t firstSubgraph(const std::vector<uint8_t>& bytes) { return tableElementAt(bytes, rootTable(bytes), 2, 0); }

}  // namespace meshrt::test
