// The TFLite reader on a real fetched model (BlazeFace short range, 229 KB): what it reads, and
// how it fails. Every corrupted, truncated or oversized input gives an error naming the file and
// the field; a seeded mutation loop (byte flips, truncations) never crashes (ASan preset too).
#include "nn/tflite_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "nn/graph.h"
#include "nn/tflite_importer.h"
#include "nn/tflite_test_bytes.h"
#include "support/model_cache.h"

namespace meshrt::nn {
namespace {

using test::fieldAt;
using test::firstSubgraph;
using test::loadAt;
using test::readFileBytes;
using test::rootTable;
using test::storeAt;
using test::tableElementAt;
using test::vectorAt;

constexpr const char* BLAZEFACE = "face_detection_short_range.tflite";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(TfliteReader, ReadsTheBlazeFaceModel) {
  MESHRT_REQUIRE_MODEL(path, BLAZEFACE);
  auto model = readTfliteFile(path);
  ASSERT_TRUE(model.ok()) << model.error().message;
  ASSERT_EQ(model->subgraphs.size(), 1u);
  const TfliteSubgraph& graph = model->subgraphs[0];
  EXPECT_EQ(model->version, 3u);
  EXPECT_EQ(graph.operators.size(), 164u);  // tools/tflite_golden.py --describe counts the same
  EXPECT_EQ(graph.tensors.size(), 250u);
  ASSERT_EQ(graph.inputs.size(), 1u);
  const TfliteTensor& input = graph.tensors[size_t(graph.inputs[0])];
  EXPECT_EQ(input.name, "input");
  EXPECT_EQ(input.shape, (std::vector<int32_t>{1, 128, 128, 3}));
  EXPECT_EQ(input.type, int8_t(TfliteType::Float32));
  ASSERT_EQ(graph.outputs.size(), 2u);
  EXPECT_EQ(graph.tensors[size_t(graph.outputs[0])].name, "regressors");
  EXPECT_EQ(graph.tensors[size_t(graph.outputs[1])].name, "classificators");

  int conv = 0, dequantize = 0;
  for (const TfliteOperator& op : graph.operators) {
    if (op.builtinCode == int32_t(TfliteOp::Conv2D)) {
      ++conv;
      EXPECT_EQ(op.options.type, uint8_t(TfliteOptionsType::Conv2D));
      EXPECT_GE(op.options.strideW, 1);
      EXPECT_LE(op.options.strideW, 2);
    }
    if (op.builtinCode == int32_t(TfliteOp::Dequantize)) {
      ++dequantize;
      const TfliteTensor& weights = graph.tensors[size_t(op.inputs[0])];
      EXPECT_EQ(weights.type, int8_t(TfliteType::Float16));
      EXPECT_FALSE(model->bufferData(weights.buffer).empty());
    }
  }
  EXPECT_EQ(conv, 21);
  EXPECT_EQ(dequantize, 74);
}

TEST(TfliteReader, MissingShortAndForeignFilesNameTheFile) {
  auto missing = readTfliteFile("/nonexistent/model.tflite");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "/nonexistent/model.tflite: cannot open the file");

  auto shortFile = parseTflite({1, 2, 3}, "short.tflite");
  ASSERT_FALSE(shortFile.ok());
  EXPECT_TRUE(contains(shortFile.error().message, "short.tflite: file of 3 bytes is too short")) << shortFile.error().message;

  auto foreign = parseTflite(std::vector<uint8_t>(64, 0), "zeros.tflite");
  ASSERT_FALSE(foreign.ok());
  EXPECT_TRUE(contains(foreign.error().message, "zeros.tflite: file identifier")) << foreign.error().message;
}

TEST(TfliteReader, OversizedFilesAreRefusedBeforeReading) {
  // A sparse 3 GiB file: no disk space used, never read.
  const auto path = std::filesystem::temp_directory_path() / "meshrt_oversized_test.tflite";
  { std::ofstream create(path, std::ios::binary); }
  std::filesystem::resize_file(path, uint64_t(3) << 30);
  auto model = readTfliteFile(path.string());
  std::filesystem::remove(path);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.error().message, path.string() + ": file of 3221225472 bytes exceeds the 2147483648-byte limit of "
                                                   "TFLite models read here");
}

TEST(TfliteReader, CorruptedOffsetsNameTheField) {
  MESHRT_REQUIRE_MODEL(path, BLAZEFACE);
  const std::vector<uint8_t> original = readFileBytes(path);
  ASSERT_GT(original.size(), 1000u);

  {  // Root offset past the end.
    std::vector<uint8_t> bytes = original;
    storeAt<uint32_t>(bytes, 0, 0xFFFFFF00u);
    auto result = parseTflite(bytes, "root.tflite");
    ASSERT_FALSE(result.ok());
    EXPECT_TRUE(contains(result.error().message, "root.tflite: model: offset")) << result.error().message;
  }
  {  // A tensor's shape vector claims 2^31-1 elements.
    std::vector<uint8_t> bytes = original;
    const size_t tensor = tableElementAt(bytes, firstSubgraph(bytes), 0, 0);
    storeAt<uint32_t>(bytes, vectorAt(bytes, tensor, 0), 0x7FFFFFFFu);
    auto result = parseTflite(bytes, "shape.tflite");
    ASSERT_FALSE(result.ok());
    EXPECT_TRUE(contains(result.error().message,
                         "shape.tflite: subgraphs[0].tensors[0].shape: vector of 2147483647 elements runs past the end "
                         "of the file"))
        << result.error().message;
  }
  {  // An operator's opcode_index beyond the operator codes.
    std::vector<uint8_t> bytes = original;
    const size_t op = tableElementAt(bytes, firstSubgraph(bytes), 3, 5);
    const size_t opcodeField = fieldAt(bytes, op, 0);
    ASSERT_NE(opcodeField, 0u);
    storeAt<uint32_t>(bytes, opcodeField, 9999u);
    auto result = parseTflite(bytes, "opcode.tflite");
    ASSERT_FALSE(result.ok());
    EXPECT_TRUE(contains(result.error().message, "opcode.tflite: subgraphs[0].operators[5].opcode_index: 9999 is out of range"))
        << result.error().message;
  }
  {  // An operator input naming a tensor that does not exist.
    std::vector<uint8_t> bytes = original;
    const size_t op = tableElementAt(bytes, firstSubgraph(bytes), 3, 7);
    storeAt<int32_t>(bytes, vectorAt(bytes, op, 1) + 4, 100000);
    auto result = parseTflite(bytes, "input.tflite");
    ASSERT_FALSE(result.ok());
    EXPECT_TRUE(contains(result.error().message, "input.tflite: subgraphs[0].operators[7].inputs[0]: tensor index 100000"))
        << result.error().message;
  }
  {  // A tensor's buffer index beyond the buffers.
    std::vector<uint8_t> bytes = original;
    size_t index = 0, bufferField = 0;  // the first tensor that stores its buffer field
    for (; bufferField == 0; ++index) bufferField = fieldAt(bytes, tableElementAt(bytes, firstSubgraph(bytes), 0, index), 2);
    --index;
    storeAt<uint32_t>(bytes, bufferField, 0x10000000u);
    auto result = parseTflite(bytes, "buffer.tflite");
    ASSERT_FALSE(result.ok());
    EXPECT_TRUE(contains(result.error().message, "buffer.tflite: subgraphs[0].tensors[" + std::to_string(index) +
                                                     "].buffer: 268435456 is out of range"))
        << result.error().message;
  }
  {  // A vtable pointer outside the file.
    std::vector<uint8_t> bytes = original;
    const size_t root = rootTable(bytes);
    storeAt<int32_t>(bytes, root, int32_t(root) + 100);
    auto result = parseTflite(bytes, "vtable.tflite");
    ASSERT_FALSE(result.ok());
    EXPECT_TRUE(contains(result.error().message, "vtable.tflite: model: vtable offset -100")) << result.error().message;
  }
}

TEST(TfliteReader, TruncatedFilesFailWithTheFileName) {
  MESHRT_REQUIRE_MODEL(path, BLAZEFACE);
  const std::vector<uint8_t> original = readFileBytes(path);
  for (size_t size : {size_t(8), size_t(64), original.size() / 3, original.size() / 2, original.size() - 4}) {
    std::vector<uint8_t> bytes(original.begin(), original.begin() + ptrdiff_t(size));
    auto model = parseTflite(bytes, "cut.tflite");
    if (model.ok()) {
      // Tables may all sit before the cut; then buffers past it must be caught by the importer.
      auto graph = importTfliteModel(*model);
      ASSERT_FALSE(graph.ok()) << "truncated to " << size << " bytes, still imported";
      EXPECT_EQ(graph.error().message.rfind("cut.tflite", 0), 0u) << graph.error().message;
      continue;
    }
    EXPECT_EQ(model.error().message.rfind("cut.tflite: ", 0), 0u) << model.error().message;
  }
}

// Seeded mutations of a model: random byte writes (mostly in the FlatBuffer tables, where they
// matter) and truncations. Parsing and importing must return (ok, or an error naming the file);
// graphs that import are validated and shape-inferred. Crashes show up here and in ASan.
void mutateAndImport(const std::vector<uint8_t>& original, uint64_t seed, int iterations) {
  auto parsed = parseTflite(original, "original");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  // Byte ranges outside every buffer: the tables, vectors and strings.
  std::vector<bool> inBuffer(original.size(), false);
  for (const TfliteBufferRange& range : parsed->buffers) {
    for (uint64_t i = range.offset; i < range.offset + range.size; ++i) inBuffer[i] = true;
  }
  std::vector<size_t> structure;
  for (size_t i = 0; i < original.size(); ++i) {
    if (!inBuffer[i]) structure.push_back(i);
  }
  ASSERT_FALSE(structure.empty());

  std::mt19937_64 random(seed);
  int parsedCount = 0, importedCount = 0, validCount = 0;
  for (int iteration = 0; iteration < iterations; ++iteration) {
    std::vector<uint8_t> bytes = original;
    const int writes = 1 + int(random() % 8);
    for (int w = 0; w < writes; ++w) {
      const size_t at = random() % 5 == 0 ? random() % bytes.size() : structure[random() % structure.size()];
      switch (random() % 3) {
        case 0: bytes[at] = uint8_t(random()); break;
        case 1: bytes[at] ^= uint8_t(1u << (random() % 8)); break;
        default: bytes[at] = random() % 2 ? 0xFF : 0x00; break;
      }
    }
    if (random() % 4 == 0) bytes.resize(random() % bytes.size());
    const std::string name = "mutant" + std::to_string(iteration);
    auto model = parseTflite(bytes, name);
    if (!model.ok()) {
      EXPECT_EQ(model.error().message.rfind(name + ": ", 0), 0u) << model.error().message;
      continue;
    }
    ++parsedCount;
    auto graph = importTfliteModel(*model);
    if (!graph.ok()) {
      EXPECT_EQ(graph.error().message.rfind(name, 0), 0u) << graph.error().message;
      continue;
    }
    ++importedCount;
    if (validateGraph(*graph).ok() && inferShapes(*graph).ok()) ++validCount;
  }
  // Not every mutation is fatal (many land in names or unused fields), and not all pass.
  EXPECT_GT(parsedCount, 0);
  EXPECT_LT(validCount, iterations);
  std::printf("mutations: %d parsed, %d imported, %d validated and shape-inferred of %d\n", parsedCount,
              importedCount, validCount, iterations);
}

TEST(TfliteReader, SeededMutationsOfBlazeFaceNeverCrash) {
  MESHRT_REQUIRE_MODEL(path, BLAZEFACE);
  mutateAndImport(readFileBytes(path), 0x7F11E5EEDull, 400);
}

// The synthetic model (tools/tflite_synthetic.py, 10 KB, committed: never skips) reaches every op
// mapping of the importer, so its mutants exercise the importer's checks more than BlazeFace's.
TEST(TfliteReader, SeededMutationsOfTheSyntheticModelNeverCrash) {
  const std::vector<uint8_t> bytes = readFileBytes(std::string(MESHRT_TFLITE_GOLDENS) + "/synthetic_layout_ops.tflite");
  ASSERT_FALSE(bytes.empty());
  mutateAndImport(bytes, 0x5EED5EEDull, 1000);
}

}  // namespace
}  // namespace meshrt::nn
