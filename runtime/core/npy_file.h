// .npy tensors (NumPy format 1.0/2.0/3.0): the small tensors packs ship (DESIGN §6) and the
// goldens tests compare against (DESIGN §8). Read and write, little-endian, C order only.
// Supported element types: float32 ("<f4"), float64 ("<f8", converted to float32 on read),
// uint8 ("|u1"), int32 ("<i4"), uint32 ("<u4"). Anything else is an error naming the file and
// the header field, never a crash: files may come from untrusted packs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "meshrt/result.h"

namespace meshrt {

enum class NpyType : uint8_t { Float32, Uint8, Int32, Uint32 };

struct NpyArray {
  NpyType type = NpyType::Float32;
  std::vector<uint64_t> shape;  // C order; empty = a scalar (one element)
  std::vector<uint8_t> bytes;   // elementCount() * size of type, little-endian, C order

  uint64_t elementCount() const;
  // Typed views; empty when the type differs.
  std::span<const float> floats() const;
  std::span<const uint8_t> uint8s() const;
  std::span<const int32_t> int32s() const;
  std::span<const uint32_t> uint32s() const;
};

// Parses a whole .npy file held in memory; `name` is used in error messages.
Result<NpyArray> parseNpy(std::span<const uint8_t> data, const std::string& name);
// Reads and parses a file. Errors: "path: npy header: shape: ...".
Result<NpyArray> readNpy(const std::string& path);

// Writes to `path` through a temporary file renamed into place (never half-written).
Result<void> writeNpy(const std::string& path, NpyType type, std::span<const uint64_t> shape, const void* data);
Result<void> writeNpy(const std::string& path, std::span<const uint64_t> shape, std::span<const float> values);

}  // namespace meshrt
