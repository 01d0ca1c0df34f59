// TTP head solver (paper 002, §3.2): from per-vertex 2D points and visibilities to rotation,
// scale, translation and deformation coefficients (weak perspective, DESIGN §5), and its
// implicit-function backward for the training tools. The per-sample math lives in
// core/ttp_solver_math.h; kernels/ttp_solver.cu runs the same function per CUDA thread.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/ttp_solver_math.h"
#include "meshrt/result.h"

namespace meshrt {

// The template and its deformation basis, shared by every sample of a category.
struct TtpModel {
  std::span<const float> vertices;  // N×3, object frame (+y up, DESIGN §5)
  std::span<const float> basis;     // N×3×K row-major: basis[(i·3 + d)·K + k]
  uint32_t basisCount = 0;          // K ≤ TTP_MAX_BASIS
};

// One sample's network outputs.
struct TtpObservation {
  std::span<const float> points;      // N×2, normalized crop coordinates [-1, 1], x right, y down
  std::span<const float> visibility;  // N, weights v_i ≥ 0 (the paper's visibility in [0, 1])
};

struct TtpSolverParams {
  float gamma = 1e-3f;          // γ of eq. 4 (normalized coordinates squared per unit |c|²)
  uint32_t alternations = 4;    // pose + shape rounds, 1–4 in the paper
  uint32_t poseIterations = 10; // Levenberg–Marquardt iterations per pose step
  // Cauchy IRLS scale τ in normalized crop units (0.04 ≈ 2.5 px on a 256 crop): the weights
  // become v_i/(1 + |e_i|²/τ²) after each round. 0 = the paper's plain weighted loss (eq. 4).
  float robustScale = 0.0f;
};

struct TtpSolution {
  std::array<float, 9> rotation{};    // R, object → camera (OpenCV frame), row-major
  float scale = 0;                    // s, normalized crop units per object unit
  std::array<float, 2> translation{}; // t, normalized crop coordinates
  std::vector<float> coefficients;    // c, K values
  float loss = 0;                     // eq. 4 at the solution
};

// Checks the model: sizes, K range, finite values. Names the field at fault.
Result<void> validateTtpModel(const TtpModel& model);

// Solves one sample. Checks the model's sizes on every call but its values only when the solve
// fails or its result is not finite (then the first non-finite model value is named): validate a
// model with validateTtpModel() once, when it is loaded. `previous` (optional) warm-starts R, s
// and c from the last frame's solution when tracking; otherwise R starts from the closed-form
// affine fit.
Result<TtpSolution> solveTtp(const TtpModel& model, const TtpObservation& observation, const TtpSolverParams& params,
                             const TtpSolution* previous = nullptr);

// The CPU twin of the CUDA kernel: runs ttpSolveBatchSample() for each sample of `batch`
// (layout in TtpBatchParams). The caller owns all memory; no validation here.
void ttpSolveBatchHost(const TtpBatchParams& batch);

}  // namespace meshrt
