// The start-up encoder self-check, exercised with two CPU callables standing in for the CUDA
// and CPU encoders (candidatePath = HostVisible): agreeing encoders keep the candidate;
// disagreeing, failing or non-finite ones fall back to the reference with a warning.
// Tolerance under test: relative L2 1e-3.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "interop/encoder_self_check.h"
#include "support/splitmix.h"

namespace meshrt::interop {
namespace {

constexpr size_t INPUT_FLOATS = 3 * 8 * 8;  // NCHW 1x3x8x8
constexpr size_t OUTPUT_FLOATS = 10;

// out[k] = sum_i in[i] * w(k, i) + offset, accumulated in the given precision.
template <typename Accumulator>
EncoderFn linearEncoder(float offset) {
  return [offset](const EncoderCall& call) -> Result<void> {
    const auto* in = static_cast<const float*>(call.inputs[0].data);
    auto* out = static_cast<float*>(call.outputs[0].data);
    const size_t count = call.inputs[0].bytes / sizeof(float);
    for (size_t k = 0; k < call.outputs[0].bytes / sizeof(float); ++k) {
      Accumulator sum = 0;
      for (size_t i = 0; i < count; ++i) sum += Accumulator(in[i]) * Accumulator(test::splitmixUniform(k, i));
      out[k] = static_cast<float>(sum) + offset;
    }
    return {};
  };
}

EncoderSelfCheckParams checkParams() {
  EncoderSelfCheckParams params;
  params.candidatePath = EncoderIoPath::HostVisible;
  params.candidateName = "candidate";
  params.referenceName = "reference";
  params.outputBytes = {OUTPUT_FLOATS * sizeof(float)};
  params.relativeL2Tolerance = 1e-3;
  return params;
}

const std::vector<std::vector<float>> INPUTS = {test::splitmixSigned(42, INPUT_FLOATS)};

TEST(EncoderSelfCheck, AgreeingEncodersKeepTheCandidate) {
  // float vs double accumulation: differs by rounding only (~1e-7 relative).
  const auto report = runEncoderSelfCheck(checkParams(), INPUTS, linearEncoder<float>(0), linearEncoder<double>(0));
  EXPECT_EQ(report.choice, EncoderChoice::Candidate);
  ASSERT_EQ(report.relativeL2.size(), 1u);
  EXPECT_GT(report.relativeL2[0], 0.0) << "the two accumulations should not be bit-identical";
  EXPECT_LE(report.relativeL2[0], 1e-5);
  EXPECT_TRUE(report.warning.empty()) << report.warning;
}

TEST(EncoderSelfCheck, DisagreeingEncodersFallBackToTheReferenceWithAWarning) {
  const auto report = runEncoderSelfCheck(checkParams(), INPUTS, linearEncoder<float>(0.5f), linearEncoder<double>(0));
  EXPECT_EQ(report.choice, EncoderChoice::Reference);
  ASSERT_EQ(report.relativeL2.size(), 1u);
  EXPECT_GT(report.relativeL2[0], 1e-3);
  EXPECT_NE(report.warning.find("candidate vs reference"), std::string::npos) << report.warning;
  EXPECT_NE(report.warning.find("using the reference encoder"), std::string::npos) << report.warning;
}

TEST(EncoderSelfCheck, AFailingCandidateFallsBack) {
  const EncoderFn failing = [](const EncoderCall&) -> Result<void> { return makeError("candidate", "no device"); };
  const auto report = runEncoderSelfCheck(checkParams(), INPUTS, failing, linearEncoder<double>(0));
  EXPECT_EQ(report.choice, EncoderChoice::Reference);
  EXPECT_NE(report.warning.find("no device"), std::string::npos) << report.warning;
}

TEST(EncoderSelfCheck, NonFiniteOutputsDisagree) {
  const EncoderFn nan = [](const EncoderCall& call) -> Result<void> {
    auto* out = static_cast<float*>(call.outputs[0].data);
    for (size_t k = 0; k < OUTPUT_FLOATS; ++k) out[k] = std::numeric_limits<float>::quiet_NaN();
    return {};
  };
  const auto report = runEncoderSelfCheck(checkParams(), INPUTS, nan, linearEncoder<double>(0));
  EXPECT_EQ(report.choice, EncoderChoice::Reference);
  EXPECT_FALSE(report.warning.empty());
}

TEST(EncoderSelfCheck, RelativeL2Error) {
  EXPECT_DOUBLE_EQ(relativeL2Error({3, 4}, {3, 4}), 0.0);
  EXPECT_NEAR(relativeL2Error({3, 5}, {3, 4}), 1.0 / 5.0, 1e-12);
  EXPECT_TRUE(std::isinf(relativeL2Error({1}, {1, 2})));
}

}  // namespace
}  // namespace meshrt::interop
