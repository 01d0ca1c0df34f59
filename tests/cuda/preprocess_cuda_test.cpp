// The CUDA preprocess kernel vs the CPU reference (tolerance 1e-5 max abs: the kernel runs
// the same MESHRT_HD function, compiled with --fmad=false). Needs a CUDA device; elsewhere
// every test here reports SKIPPED with the reason.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "interop/cuda_device.h"
#include "stages/preprocess.h"
#include "stages/preprocess_cuda.h"

namespace meshrt {
namespace {

#if MESHRT_HAVE_CUDA
#define SKIP_WITHOUT_CUDA_DEVICE()                                                          \
  do {                                                                                      \
    const CudaDeviceReport report = probeCudaDevice({});                                    \
    if (!report.deviceFound) GTEST_SKIP() << "no CUDA device on this machine: " << report.reason; \
  } while (0)
#else
#define SKIP_WITHOUT_CUDA_DEVICE() \
  GTEST_SKIP() << "CUDA backend not compiled (no CUDA toolkit at build time)"
#endif

float maxAbsDifference(const PreprocessConfig& config, const FrameLayout& frame, uint32_t seed) {
  auto params = makePreprocessParams(config, frame);
  EXPECT_TRUE(params.ok());
  std::mt19937 random(seed);
  std::vector<uint8_t> pixels(size_t{params->srcRowStride} * frame.height);
  for (auto& value : pixels) value = static_cast<uint8_t>(random());
  std::vector<float> expected(params->dstOffset + preprocessOutputFloats(*params));
  std::vector<float> actual(expected.size());
  preprocessReference(*params, pixels.data(), expected.data());
#if MESHRT_HAVE_CUDA
  auto ran = preprocessCudaHost(*params, pixels.data(), pixels.size(), actual.data());
  EXPECT_TRUE(ran.ok()) << ran.error().message;
#endif
  float maxAbs = 0;
  for (size_t i = 0; i < expected.size(); ++i) maxAbs = std::fmax(maxAbs, std::fabs(expected[i] - actual[i]));
  return maxAbs;
}

TEST(PreprocessCuda, MatchesCpuReferenceOnOddSizes) {
  SKIP_WITHOUT_CUDA_DEVICE();
  PreprocessConfig config;
  config.crop = {8.5f, 16.5f, 17, 33, 0};
  config.outWidth = config.outHeight = 224;
  EXPECT_LE(maxAbsDifference(config, {17, 33, 3, 0}, 1), 1e-5f);
  config.crop = {320.5f, 239.5f, 641, 479, 0};
  config.outWidth = config.outHeight = 256;
  config.normalization = Normalization::MeanStd;
  EXPECT_LE(maxAbsDifference(config, {641, 479, 3, 0}, 2), 1e-5f);
}

TEST(PreprocessCuda, MatchesCpuReferenceOnRotatedLetterboxedCrops) {
  SKIP_WITHOUT_CUDA_DEVICE();
  PreprocessConfig config;
  config.crop = {200, 300, 400, 250, 0.7f};
  config.outWidth = config.outHeight = 192;
  config.letterbox = true;
  config.border = BorderMode::Zero;
  EXPECT_LE(maxAbsDifference(config, {641, 479, 3, 0}, 3), 1e-5f);
}

}  // namespace
}  // namespace meshrt
