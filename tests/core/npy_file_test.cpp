// .npy reading and writing: round trips, headers as NumPy writes them, and malformed files
// (every error names the file and the field; random corruptions never crash).
#include "core/npy_file.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace meshrt {
namespace {

std::vector<uint8_t> npyBytes(const std::string& header, const std::vector<uint8_t>& payload, uint8_t major = 1) {
  std::vector<uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
  if (major == 1) {
    bytes.push_back(uint8_t(header.size() & 0xff));
    bytes.push_back(uint8_t(header.size() >> 8));
  } else {
    for (int i = 0; i < 4; ++i) bytes.push_back(uint8_t(header.size() >> (8 * i)));
  }
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  return bytes;
}

std::vector<uint8_t> floatPayload(const std::vector<float>& values) {
  std::vector<uint8_t> bytes(values.size() * 4);
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

TEST(NpyFile, WriteThenReadRoundTripsEveryType) {
  const auto dir = std::filesystem::temp_directory_path() / "meshrt_npy_test";
  std::filesystem::create_directories(dir);
  const std::vector<float> floats = {1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, 7.0f};
  const std::vector<uint64_t> shape = {2, 3};
  ASSERT_TRUE(writeNpy((dir / "f.npy").string(), shape, floats).ok());
  auto read = readNpy((dir / "f.npy").string());
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->shape, shape);
  ASSERT_EQ(read->floats().size(), floats.size());
  for (size_t i = 0; i < floats.size(); ++i) EXPECT_EQ(read->floats()[i], floats[i]);

  const std::vector<uint32_t> ids = {0u, 7u, 0xFFFFFFFFu};
  const std::vector<uint64_t> idShape = {3};
  ASSERT_TRUE(writeNpy((dir / "u.npy").string(), NpyType::Uint32, idShape, ids.data()).ok());
  auto readIds = readNpy((dir / "u.npy").string());
  ASSERT_TRUE(readIds.ok()) << readIds.error().message;
  EXPECT_EQ(std::vector<uint32_t>(readIds->uint32s().begin(), readIds->uint32s().end()), ids);
  EXPECT_TRUE(readIds->floats().empty());  // typed views refuse the wrong type

  const uint8_t scalar = 9;
  ASSERT_TRUE(writeNpy((dir / "s.npy").string(), NpyType::Uint8, {}, &scalar).ok());
  auto readScalar = readNpy((dir / "s.npy").string());
  ASSERT_TRUE(readScalar.ok()) << readScalar.error().message;
  EXPECT_TRUE(readScalar->shape.empty());
  ASSERT_EQ(readScalar->uint8s().size(), 1u);
  EXPECT_EQ(readScalar->uint8s()[0], 9);
  EXPECT_FALSE(std::filesystem::exists(dir / "f.npy.tmp"));
  std::filesystem::remove_all(dir);
}

TEST(NpyFile, ReadsHeadersAsNumPyWritesThem) {
  // NumPy 1.x header of np.float64 array of shape (3,), version 1.0 and 2.0; float64 narrows.
  const std::vector<double> doubles = {0.5, -1.25, 3.0};
  std::vector<uint8_t> payload(doubles.size() * 8);
  std::memcpy(payload.data(), doubles.data(), payload.size());
  for (uint8_t major : {1, 2}) {
    auto parsed = parseNpy(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }          \n", payload,
                                    major),
                           "d.npy");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->floats().size(), 3u);
    EXPECT_EQ(parsed->floats()[1], -1.25f);
  }
  auto empty = parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }\n", {}), "e.npy");
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(empty->elementCount(), 0u);
}

TEST(NpyFile, MalformedFilesNameTheFieldAndTheReason) {
  const auto payload = floatPayload({1, 2});
  struct Case {
    std::vector<uint8_t> bytes;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{'N', 'O', 'T', 'N', 'P', 'Y', 1, 0, 0, 0}, "x.npy: not a .npy file"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", payload), "x.npy: data size 8 bytes"},
      {npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", payload),
       "x.npy: npy header: descr: element type '>f4' is not supported"},
      {npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }\n", payload),
       "x.npy: npy header: fortran_order: Fortran order is not supported"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, }\n", payload), "x.npy: npy header: shape: missing"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }\n", payload),
       "x.npy: npy header: shape: expected a non-negative integer"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n", payload),
       "x.npy: npy header: shape: more than 16 GiB of data"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}\n", payload),
       "x.npy: npy header: extra: unknown key"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", payload, 4),
       "x.npy: npy version 4 is not supported"},
  };
  for (const auto& testCase : cases) {
    auto parsed = parseNpy(testCase.bytes, "x.npy");
    ASSERT_FALSE(parsed.ok()) << testCase.expected;
    EXPECT_EQ(parsed.error().message.rfind(testCase.expected, 0), 0u) << parsed.error().message;
    EXPECT_EQ(parsed.error().message.find('\n'), std::string::npos);
  }
  auto header = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", payload);
  header[8] = 0xff;  // header length past the end of the file
  auto truncated = parseNpy(header, "x.npy");
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().message, "x.npy: npy header runs past the end of the file");
  EXPECT_FALSE(readNpy("/nonexistent/dir/missing.npy").ok());
}

// Seeded mutation fuzzing: flipped, truncated and spliced bytes of a valid file either parse to
// an array whose byte count matches its shape or give an error; nothing crashes (run under
// ASan in the sanitizer preset).
TEST(NpyFile, RandomCorruptionsNeverCrash) {
  const auto valid = npyBytes("{'descr': '<u4', 'fortran_order': False, 'shape': (2, 2), }\n",
                              std::vector<uint8_t>(16, 0x5a));
  std::mt19937 random(1234);
  int parsedCount = 0;
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::vector<uint8_t> bytes = valid;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      switch (random() % 3) {
        case 0: bytes[random() % bytes.size()] = uint8_t(random()); break;
        case 1: bytes.resize(random() % (bytes.size() + 1)); break;
        case 2: bytes.insert(bytes.begin() + static_cast<long>(random() % (bytes.size() + 1)), uint8_t(random())); break;
      }
      if (bytes.empty()) bytes.push_back(0);
    }
    auto parsed = parseNpy(bytes, "fuzz.npy");
    if (parsed.ok()) {
      ++parsedCount;
      size_t elementSize = parsed->type == NpyType::Uint8 ? 1 : 4;
      EXPECT_EQ(parsed->bytes.size(), parsed->elementCount() * elementSize);
    } else {
      EXPECT_EQ(parsed.error().message.rfind("fuzz.npy", 0), 0u);
    }
  }
  EXPECT_GT(parsedCount, 0);  // some payload-only corruptions still parse
}

}  // namespace
}  // namespace meshrt
