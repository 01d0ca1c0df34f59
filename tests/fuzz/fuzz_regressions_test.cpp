// The fuzz targets' crash regressions (tests/fuzz/regressions/, docs/TESTING.md "Fuzzing") give
// the error that names the file, the operator or field, and the limit. The replay tests
// (Fuzz.Replay_*) only check that they no longer crash; these pin the messages.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nn/graph.h"
#include "nn/tflite_importer.h"
#include "nn/tflite_test_bytes.h"

namespace meshrt::nn {
namespace {

std::string regression(const std::string& name) {
  return std::string(MESHRT_SOURCE_DIR) + "/tests/fuzz/regressions/tflite/" + name;
}

void expectTfliteError(const std::string& name, const std::vector<std::string>& fragments) {
  std::vector<uint8_t> bytes = test::readFileBytes(regression(name));
  ASSERT_FALSE(bytes.empty()) << regression(name);
  auto graph = importTfliteFromMemory(std::move(bytes), name);
  ASSERT_FALSE(graph.ok()) << name << " imported";
  const std::string& message = graph.error().message;
  EXPECT_EQ(message.rfind(name + ": ", 0), 0u) << message;
  for (const std::string& fragment : fragments)
    EXPECT_NE(message.find(fragment), std::string::npos) << "'" << message << "' lacks '" << fragment << "'";
  for (const char character : message) EXPECT_GE(static_cast<unsigned char>(character), 0x20) << message;
}

// Found by tflite_fuzzer: a tensor "name" running 9 KB through the file, newlines included,
// made a two-line error of 9 KB. Control bytes are escaped and the middle is elided.
TEST(FuzzRegressions, ControlCharactersInNamesAreEscapedAndLongNamesElided) {
  std::vector<uint8_t> bytes = test::readFileBytes(regression("newline-in-tensor-name"));
  auto graph = importTfliteFromMemory(std::move(bytes), "m.tflite");
  ASSERT_FALSE(graph.ok());
  const std::string& message = graph.error().message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_NE(message.find("\\x"), std::string::npos) << message;
  EXPECT_LE(message.size(), MAX_ERROR_CHARACTERS + 64) << message;
  EXPECT_EQ(message.rfind("m.tflite: operator 2 (DEPTHWISE_CONV_2D, output '", 0), 0u) << message;
  EXPECT_NE(message.find("characters elided"), std::string::npos) << message;
  EXPECT_NE(message.find("does not fit its buffer of 576 bytes"), std::string::npos) << message;
}

// An absent optional input (-1) where the op needs one indexed the tensor list at -1 (UBSan:
// pointer overflow in std::vector::operator[]).
TEST(FuzzRegressions, AbsentRequiredInputsAreErrors) {
  expectTfliteError("absent-second-input-of-mul", {"operator 6 (MUL", "input 1 is absent"});
  expectTfliteError("absent-axes-of-mean", {"operator 14 (MEAN", "input 1 is absent"});
}

// Graph input [2^31-1]^4: rejected before any shape arithmetic can overflow.
TEST(FuzzRegressions, OversizedInputShapeIsAnError) {
  expectTfliteError("huge-input-shape", {"input 'input'", "exceeds 2147483648 elements"});
}

// 40 000 tensors naming one 60 KB string (a 230 KB file) decoded to 2.4 GB of names before the
// reader's decoding budget.
TEST(FuzzRegressions, SharedVectorsHitTheDecodingBudget) {
  expectTfliteError("shared-tensor-name-40000-times", {"subgraphs[0].tensors[", ".name", "decoding budget"});
}

}  // namespace
}  // namespace meshrt::nn
