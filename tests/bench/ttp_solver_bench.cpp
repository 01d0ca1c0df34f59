// TTP solver speed: one sample, N = 642, K = 16, 4 alternations (the synthetic problems of
// tests/support/ttp_synthetic.h at σ = 1 px). Arg 0: plain eq. 4; arg 1: Cauchy IRLS τ = 0.04.
#include <benchmark/benchmark.h>

#include "heads/ttp_solver.h"
#include "support/ttp_synthetic.h"

namespace meshrt {
namespace {

void ttpSolve(benchmark::State& state) {
  const auto model = testing::makeTtpModel(16, 7);
  std::vector<testing::TtpSyntheticCase> cases;
  for (uint32_t seed = 0; seed < 16; ++seed) cases.push_back(testing::makeTtpCase(model, {1.0f}, 900 + seed));
  TtpSolverParams params;
  params.robustScale = state.range(0) ? 0.04f : 0.0f;
  const TtpModel view{model.vertices, model.basis, model.basisCount};
  size_t index = 0;
  for (auto _ : state) {
    const auto& sample = cases[index++ % cases.size()];
    auto solution = solveTtp(view, {sample.points, sample.visibility}, params);
    benchmark::DoNotOptimize(solution);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(ttpSolve)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace meshrt
