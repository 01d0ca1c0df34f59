// The batched CUDA TTP solver vs its CPU twin (ttpSolveBatchHost) on seeded synthetic
// problems. Both run ttpSolveBatchSample() compiled with --fmad=false / -ffp-contract=off,
// but device sqrt/sin/cos/acos may round differently from glibc, so the tolerance is 1e-4
// (rotation entries, scale, translation, coefficients). The CPU-side proof that batch and
// per-sample runs are the same code is TtpSolver.BatchHostRunEqualsPerSampleRunsBitForBit.
// Needs a CUDA device; elsewhere every test here reports SKIPPED with the reason.
#include <gtest/gtest.h>

#include <cmath>

#include "heads/ttp_solver.h"
#include "heads/ttp_solver_cuda.h"
#include "interop/cuda_device.h"
#include "support/ttp_synthetic.h"

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

TEST(TtpSolverCuda, MatchesCpuBatch) {
  SKIP_WITHOUT_CUDA_DEVICE();
  const testing::TtpSyntheticModel model = testing::makeTtpModel(16, 7);
  constexpr int SAMPLES = 100;
  const int count = static_cast<int>(model.vertices.size() / 3);
  std::vector<float> points, visibility;
  for (int s = 0; s < SAMPLES; ++s) {
    const auto sample = testing::makeTtpCase(model, {1.0f}, 500 + s);
    points.insert(points.end(), sample.points.begin(), sample.points.end());
    visibility.insert(visibility.end(), sample.visibility.begin(), sample.visibility.end());
  }
  std::vector<float> scratch(SAMPLES * static_cast<size_t>(ttpScratchSize(count)));
  std::vector<TtpState<float>> cpu(SAMPLES), gpu(SAMPLES);
  TtpBatchParams batch{points.data(), visibility.data(), model.vertices.data(), model.basis.data(), scratch.data(),
                       cpu.data(), SAMPLES, count, 16, {1e-3f, 4, 10, 0, 0.04f}};
  ttpSolveBatchHost(batch);
#if MESHRT_HAVE_CUDA
  batch.states = gpu.data();
  auto ran = ttpSolverCudaHost(batch);
  ASSERT_TRUE(ran.ok()) << ran.error().message;
#endif
  for (int s = 0; s < SAMPLES; ++s) {
    EXPECT_EQ(gpu[s].status, cpu[s].status);
    for (int i = 0; i < 9; ++i) EXPECT_NEAR(gpu[s].rotation[i], cpu[s].rotation[i], 1e-4f) << s;
    EXPECT_NEAR(gpu[s].scale, cpu[s].scale, 1e-4f) << s;
    for (int k = 0; k < 16; ++k) EXPECT_NEAR(gpu[s].coefficients[k], cpu[s].coefficients[k], 1e-4f) << s;
  }
}

}  // namespace
}  // namespace meshrt
