#include "heads/ttp_solver.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <memory>
#include <string>

namespace meshrt {
namespace {

constexpr const char* CONTEXT = "ttp_solver";

// True when no value is NaN or infinite. Branch-free (an exponent of all ones marks both, and
// only those have |bits| ≥ 0x7f800000), so the compiler vectorizes it: one AND and one unsigned
// max per value, in ALL_FINITE_MAXIMA independent maxima (it runs on every solve's observation,
// and on the model once, in validateTtpModel()); the per-value loop below runs only to name the bad entry.
bool allFinite(std::span<const float> values) {
  constexpr size_t ALL_FINITE_MAXIMA = 64;
  uint32_t largest[ALL_FINITE_MAXIMA] = {};
  const size_t whole = values.size() - values.size() % ALL_FINITE_MAXIMA;
  for (size_t i = 0; i < whole; i += ALL_FINITE_MAXIMA)
    for (size_t j = 0; j < ALL_FINITE_MAXIMA; ++j)
      largest[j] = std::max(largest[j], std::bit_cast<uint32_t>(values[i + j]) & 0x7fffffffu);
  for (size_t i = whole; i < values.size(); ++i)
    largest[0] = std::max(largest[0], std::bit_cast<uint32_t>(values[i]) & 0x7fffffffu);
  uint32_t all = 0;
  for (const uint32_t value : largest) all = std::max(all, value);
  return all < 0x7f800000u;
}

Result<void> checkFinite(std::span<const float> values, const char* field) {
  if (allFinite(values)) return {};
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return makeError(std::string(CONTEXT) + ": " + field + "[" + std::to_string(i) + "]",
                       std::isnan(values[i]) ? "NaN" : "infinite");
    }
  }
  return {};
}

Error sizeError(const char* field, size_t got, size_t want) {
  return makeError(std::string(CONTEXT) + ": " + field,
                   std::to_string(got) + " values, expected " + std::to_string(want));
}

// Sizes and K only; validateTtpModel() adds the values.
Result<void> checkModelSizes(const TtpModel& model) {
  if (model.vertices.empty() || model.vertices.size() % 3 != 0) {
    return makeError(std::string(CONTEXT) + ": vertices", "size " + std::to_string(model.vertices.size()) +
                                                              " is not a positive multiple of 3");
  }
  if (model.basisCount > TTP_MAX_BASIS) {
    return makeError(std::string(CONTEXT) + ": basisCount",
                     std::to_string(model.basisCount) + " exceeds TTP_MAX_BASIS = " + std::to_string(TTP_MAX_BASIS));
  }
  const size_t count = model.vertices.size() / 3;
  if (count > static_cast<size_t>(TTP_MAX_POINTS)) {
    return makeError(std::string(CONTEXT) + ": vertices",
                     std::to_string(count) + " points exceed TTP_MAX_POINTS = " + std::to_string(TTP_MAX_POINTS));
  }
  if (model.basis.size() != count * 3 * model.basisCount) {
    return sizeError("basis", model.basis.size(), count * 3 * model.basisCount);
  }
  return {};
}

bool solutionFinite(const TtpState<float>& state, uint32_t basisCount) {
  bool finite = std::isfinite(state.scale) && std::isfinite(state.loss) && std::isfinite(state.translation[0]) &&
                std::isfinite(state.translation[1]);
  for (int i = 0; i < 9; ++i) finite = finite && std::isfinite(state.rotation[i]);
  for (uint32_t k = 0; k < basisCount; ++k) finite = finite && std::isfinite(state.coefficients[k]);
  return finite;
}

}  // namespace

Result<void> validateTtpModel(const TtpModel& model) {
  MESHRT_TRY(checkModelSizes(model));
  MESHRT_TRY(checkFinite(model.vertices, "vertices"));
  MESHRT_TRY(checkFinite(model.basis, "basis"));
  return {};
}

Result<TtpSolution> solveTtp(const TtpModel& model, const TtpObservation& observation, const TtpSolverParams& params,
                             const TtpSolution* previous) {
  // The model's values (3·K·N + 3·N floats, ~5% of a solve to scan) are not checked on every
  // solve: callers validate a model once (DeformPipeline does at load). A non-finite value of a
  // vertex that carries weight reaches the result, so a failed or non-finite solve scans the
  // model then and names the value.
  MESHRT_TRY(checkModelSizes(model));
  const size_t count = model.vertices.size() / 3;
  if (observation.points.size() != count * 2) return sizeError("points", observation.points.size(), count * 2);
  if (observation.visibility.size() != count) return sizeError("visibility", observation.visibility.size(), count);
  MESHRT_TRY(checkFinite(observation.points, "points"));
  MESHRT_TRY(checkFinite(observation.visibility, "visibility"));
  bool anyNegative = false;  // branch-free scan first, as in allFinite()
  for (const float v : observation.visibility) anyNegative |= v < 0;
  for (size_t i = 0; anyNegative && i < count; ++i) {
    if (observation.visibility[i] < 0) {
      return makeError(std::string(CONTEXT) + ": visibility[" + std::to_string(i) + "]", "negative weight");
    }
  }
  if (!(params.gamma >= 0) || !std::isfinite(params.gamma)) return makeError(std::string(CONTEXT) + ": gamma", "must be finite and >= 0");
  if (!(params.robustScale >= 0) || !std::isfinite(params.robustScale)) {
    return makeError(std::string(CONTEXT) + ": robustScale", "must be finite and >= 0");
  }
  if (params.alternations < 1 || params.alternations > 64) {
    return makeError(std::string(CONTEXT) + ": alternations", "must be in 1..64");
  }
  if (params.poseIterations < 1 || params.poseIterations > 1000) {
    return makeError(std::string(CONTEXT) + ": poseIterations", "must be in 1..1000");
  }
  if (previous && previous->coefficients.size() != model.basisCount) {
    return sizeError("previous.coefficients", previous->coefficients.size(), model.basisCount);
  }

  TtpSampleView<float> sample{observation.points.data(), observation.visibility.data(), model.vertices.data(),
                              model.basis.data(), static_cast<int>(count), static_cast<int>(model.basisCount)};
  TtpSolveSettings settings{params.gamma, static_cast<int>(params.alternations), static_cast<int>(params.poseIterations),
                            previous ? 1 : 0, params.robustScale};
  TtpState<float> state{};
  if (previous) {
    for (int i = 0; i < 9; ++i) state.rotation[i] = previous->rotation[i];
    state.scale = previous->scale;
    for (uint32_t k = 0; k < model.basisCount; ++k) state.coefficients[k] = previous->coefficients[k];
  }
  // Not value-initialized: the solve writes every entry it reads.
  const auto scratch = std::make_unique_for_overwrite<float[]>(
      static_cast<size_t>(ttpScratchSize(static_cast<int>(count), static_cast<int>(model.basisCount))));
  ttpSolveSample(sample, settings, scratch.get(), &state);
  const bool finite = solutionFinite(state, model.basisCount);
  if (state.status != TTP_STATUS_OK || !finite) MESHRT_TRY(validateTtpModel(model));
  switch (state.status) {
    case TTP_STATUS_OK:
      break;
    case TTP_STATUS_NO_WEIGHT:
      return makeError(std::string(CONTEXT) + ": visibility", "all weights are zero");
    case TTP_STATUS_DEGENERATE:
      return makeError(std::string(CONTEXT) + ": points", "the weighted points have no 2D or 3D spread");
    default:
      return makeError(std::string(CONTEXT) + ": gamma", "shape system not positive definite (raise gamma)");
  }
  if (!finite) return makeError(std::string(CONTEXT) + ": solution", "not finite (the inputs are)");
  TtpSolution solution;
  for (int i = 0; i < 9; ++i) solution.rotation[i] = state.rotation[i];
  solution.scale = state.scale;
  solution.translation = {state.translation[0], state.translation[1]};
  solution.coefficients.assign(state.coefficients, state.coefficients + model.basisCount);
  solution.loss = state.loss;
  return solution;
}

void ttpSolveBatchHost(const TtpBatchParams& batch) {
  for (int index = 0; index < batch.sampleCount; ++index) ttpSolveBatchSample(batch, index);
}

}  // namespace meshrt
