// TTP per-sample solver (paper 002, §3.2, eqs. 1–7), weak perspective, MESHRT_HD and heap-free:
// the CPU path (runtime/heads/ttp_solver.cpp) and the CUDA kernel (kernels/ttp_solver.cu) both
// call ttpSolveSample(). CUDA sources are C++17: no std::span or other C++20 here.
//
// Model (DESIGN §5): u_i ≈ s·(R·V_i)_xy + t, V_i = T_i + B_i·c, u in normalized crop
// coordinates [-1, 1] (x right, y down), V in the template's object frame.
// Loss (eq. 4): l = Σ_i v_i·|u_i − û_i|² + γ·|c|².
// Alternation (eqs. 5–6): pose step = Levenberg–Marquardt on (R, s) over SO(3)×R with
// analytic Jacobians and axis-angle left updates, t in closed form (weighted centroids);
// shape step = eq. 7 by Cholesky.
#pragma once

#include <math.h>

#include "core/hd.h"
#include "core/small_matrix.h"
#include "core/so3_math.h"

namespace meshrt {

constexpr int TTP_MAX_BASIS = 32;  // largest K the fixed-size per-sample solve supports

enum TtpStatus : int {
  TTP_STATUS_OK = 0,
  TTP_STATUS_NO_WEIGHT = 1,    // Σ v_i = 0: nothing to fit
  TTP_STATUS_DEGENERATE = 2,   // the visible points have no spread (all 2D or 3D points coincide)
  TTP_STATUS_SHAPE_FAILED = 3, // eq. 7's matrix was not positive definite (γ = 0 and too few points)
};

// One sample's inputs, pointers into caller memory (layouts in the comments).
template <typename Real>
struct TtpSampleView {
  const Real* points;      // N×2: u_i, normalized crop coordinates [-1, 1]
  const Real* visibility;  // N: v_i ≥ 0, the weight of point i
  const Real* vertices;    // N×3: template T, object frame
  const Real* basis;       // N×3×K row-major: B[(i·3 + d)·K + k]
  int count;               // N
  int basisCount;          // K ≤ TTP_MAX_BASIS (0: rigid)
};

// Solver settings (plain data; validated by runtime/heads/ttp_solver.cpp).
struct TtpSolveSettings {
  float gamma;         // γ of eq. 4, in the loss's units (normalized coordinates squared)
  int alternations;    // pose + shape rounds (paper: 1–4)
  int poseIterations;  // LM iterations per pose step (most converge in 3–5)
  int warmStart;       // 1: start from the state passed in (tracking); 0: closed-form start
  float robustScale;   // τ > 0: after each round, weights v_i/(1 + |e_i|²/τ²) (Cauchy IRLS,
                       // normalized units) damp points far from the fit; 0: plain eq. 4
};

// The solution of one sample (also the warm-start input).
template <typename Real>
struct TtpState {
  Real rotation[9];                    // R, object → camera, row-major
  Real scale;                          // s of eq. 1, normalized units per object unit
  Real translation[2];                 // t, normalized crop coordinates
  Real coefficients[TTP_MAX_BASIS];    // c (first K used)
  Real loss;                           // eq. 4 at the solution
  int status;                          // TtpStatus
};

// V_i = T_i + B_i·c for all i, into vertices (N×3).
template <typename Real>
MESHRT_HD inline void ttpDeform(const TtpSampleView<Real>& sample, const Real* coefficients, Real* vertices) {
  const int k = sample.basisCount;
  for (int i = 0; i < sample.count; ++i) {
    for (int d = 0; d < 3; ++d) {
      Real value = sample.vertices[i * 3 + d];
      const Real* row = sample.basis + (i * 3 + d) * k;
      for (int j = 0; j < k; ++j) value += row[j] * coefficients[j];
      vertices[i * 3 + d] = value;
    }
  }
}

// Weighted centroids ū (2) and V̄ (3); returns Σ v_i.
template <typename Real>
MESHRT_HD inline Real ttpCentroids(const TtpSampleView<Real>& sample, const Real* vertices, Real* pointMean,
                                   Real* vertexMean) {
  Real weight = 0;
  pointMean[0] = pointMean[1] = 0;
  vertexMean[0] = vertexMean[1] = vertexMean[2] = 0;
  for (int i = 0; i < sample.count; ++i) {
    const Real v = sample.visibility[i];
    weight += v;
    pointMean[0] += v * sample.points[i * 2];
    pointMean[1] += v * sample.points[i * 2 + 1];
    for (int d = 0; d < 3; ++d) vertexMean[d] += v * vertices[i * 3 + d];
  }
  if (weight > Real(0)) {
    pointMean[0] /= weight, pointMean[1] /= weight;
    for (int d = 0; d < 3; ++d) vertexMean[d] /= weight;
  }
  return weight;
}

// Σ v_i |(u_i − ū) − s·(R(V_i − V̄))_xy|²: the data term with t in closed form.
template <typename Real>
MESHRT_HD inline Real ttpCenteredCost(const TtpSampleView<Real>& sample, const Real* vertices, const Real* pointMean,
                                      const Real* vertexMean, const Real* rotation, Real scale) {
  Real cost = 0;
  for (int i = 0; i < sample.count; ++i) {
    const Real v = sample.visibility[i];
    if (v == Real(0)) continue;
    const Real q[3] = {vertices[i * 3] - vertexMean[0], vertices[i * 3 + 1] - vertexMean[1],
                       vertices[i * 3 + 2] - vertexMean[2]};
    const Real ex = sample.points[i * 2] - pointMean[0] - scale * (rotation[0] * q[0] + rotation[1] * q[1] + rotation[2] * q[2]);
    const Real ey = sample.points[i * 2 + 1] - pointMean[1] - scale * (rotation[3] * q[0] + rotation[4] * q[1] + rotation[5] * q[2]);
    cost += v * (ex * ex + ey * ey);
  }
  return cost;
}

// Eq. 1: s = spread of the 2D points / spread of the projected shape (weighted RMS about the
// centroids), so the pose is invariant to similarity transforms of either frame.
template <typename Real>
MESHRT_HD inline Real ttpSpreadScale(const TtpSampleView<Real>& sample, const Real* vertices, const Real* pointMean,
                                     const Real* vertexMean, const Real* rotation) {
  Real spread2d = 0;
  Real spread3d = 0;
  for (int i = 0; i < sample.count; ++i) {
    const Real v = sample.visibility[i];
    const Real dx = sample.points[i * 2] - pointMean[0];
    const Real dy = sample.points[i * 2 + 1] - pointMean[1];
    const Real q[3] = {vertices[i * 3] - vertexMean[0], vertices[i * 3 + 1] - vertexMean[1],
                       vertices[i * 3 + 2] - vertexMean[2]};
    const Real px = rotation[0] * q[0] + rotation[1] * q[1] + rotation[2] * q[2];
    const Real py = rotation[3] * q[0] + rotation[4] * q[1] + rotation[5] * q[2];
    spread2d += v * (dx * dx + dy * dy);
    spread3d += v * (px * px + py * py);
  }
  return spread3d > Real(0) ? sqrt(spread2d / spread3d) : Real(0);
}

// Closed-form start for R: the weighted affine camera M (2×3) with (u_i − ū) ≈ M(V_i − V̄),
// then its nearest scaled pair of orthonormal rows (polar factor of M), third row r1 × r2.
// Returns false when the 3D points are degenerate (flat or coincident).
template <typename Real>
MESHRT_HD inline bool ttpAffineStart(const TtpSampleView<Real>& sample, const Real* vertices, const Real* pointMean,
                                     const Real* vertexMean, Real* rotation) {
  Real a[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
  Real bx[3] = {0, 0, 0};
  Real by[3] = {0, 0, 0};
  for (int i = 0; i < sample.count; ++i) {
    const Real v = sample.visibility[i];
    if (v == Real(0)) continue;
    const Real q[3] = {vertices[i * 3] - vertexMean[0], vertices[i * 3 + 1] - vertexMean[1],
                       vertices[i * 3 + 2] - vertexMean[2]};
    const Real dx = sample.points[i * 2] - pointMean[0];
    const Real dy = sample.points[i * 2 + 1] - pointMean[1];
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) a[r * 3 + c] += v * q[r] * q[c];
      bx[r] += v * q[r] * dx;
      by[r] += v * q[r] * dy;
    }
  }
  Real a2[9];
  for (int i = 0; i < 9; ++i) a2[i] = a[i];
  if (!choleskySolve(a, bx, 3, 3) || !choleskySolve(a2, by, 3, 3)) return false;
  // Polar factor of the 2×3 M (rows bx, by): Q = (M M^T)^(-1/2) M, with the closed-form
  // square root of a 2×2 SPD matrix: sqrt(S) = (S + √det·I) / √(tr + 2√det).
  const Real s00 = dot3(bx, bx), s01 = dot3(bx, by), s11 = dot3(by, by);
  const Real det = s00 * s11 - s01 * s01;
  if (!(det > Real(0))) return false;
  const Real rootDet = sqrt(det);
  const Real norm = sqrt(s00 + s11 + Real(2) * rootDet);
  const Real r00 = (s00 + rootDet) / norm, r01 = s01 / norm, r11 = (s11 + rootDet) / norm;
  const Real rdet = r00 * r11 - r01 * r01;
  const Real i00 = r11 / rdet, i01 = -r01 / rdet, i11 = r00 / rdet;
  for (int c = 0; c < 3; ++c) {
    rotation[c] = i00 * bx[c] + i01 * by[c];
    rotation[3 + c] = i01 * bx[c] + i11 * by[c];
  }
  cross3(rotation, rotation + 3, rotation + 6);
  return true;
}

// Pose step (eq. 5): LM on (R, s) with t eliminated by centring. Left axis-angle updates
// R ← exp([δ]x)·R; the model m_i = s·P·R·q_i has ∂m/∂δ = −s·P·[R q_i]x and ∂m/∂s = P·R·q_i.
template <typename Real>
MESHRT_HD inline void ttpPoseStep(const TtpSampleView<Real>& sample, const Real* vertices, const Real* pointMean,
                                  const Real* vertexMean, int iterations, Real* rotation, Real* scale) {
  Real lambda = Real(1e-3);
  Real cost = ttpCenteredCost(sample, vertices, pointMean, vertexMean, rotation, *scale);
  for (int iteration = 0; iteration < iterations; ++iteration) {
    Real h[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    Real g[4] = {0, 0, 0, 0};
    const Real s = *scale;
    for (int i = 0; i < sample.count; ++i) {
      const Real v = sample.visibility[i];
      if (v == Real(0)) continue;
      const Real q[3] = {vertices[i * 3] - vertexMean[0], vertices[i * 3 + 1] - vertexMean[1],
                         vertices[i * 3 + 2] - vertexMean[2]};
      Real w[3];
      mul33x3(rotation, q, w);
      const Real ex = sample.points[i * 2] - pointMean[0] - s * w[0];
      const Real ey = sample.points[i * 2 + 1] - pointMean[1] - s * w[1];
      const Real jx[4] = {0, s * w[2], -s * w[1], w[0]};
      const Real jy[4] = {-s * w[2], 0, s * w[0], w[1]};
      for (int r = 0; r < 4; ++r) {
        g[r] += v * (jx[r] * ex + jy[r] * ey);
        for (int c = 0; c <= r; ++c) h[r * 4 + c] += v * (jx[r] * jx[c] + jy[r] * jy[c]);
      }
    }
    for (int r = 0; r < 4; ++r)
      for (int c = r + 1; c < 4; ++c) h[r * 4 + c] = h[c * 4 + r];
    bool improved = false;
    for (int attempt = 0; attempt < 6 && !improved; ++attempt) {
      Real damped[16];
      Real delta[4] = {g[0], g[1], g[2], g[3]};
      for (int j = 0; j < 16; ++j) damped[j] = h[j];
      for (int d = 0; d < 4; ++d) damped[d * 4 + d] += lambda * (h[d * 4 + d] + Real(1e-12));
      if (!choleskySolve(damped, delta, 4, 4)) {
        lambda *= Real(10);
        continue;
      }
      Real candidate[9];
      for (int j = 0; j < 9; ++j) candidate[j] = rotation[j];
      so3LeftUpdate(delta, candidate);
      const Real candidateScale = s + delta[3];
      const Real candidateCost = ttpCenteredCost(sample, vertices, pointMean, vertexMean, candidate, candidateScale);
      if (candidateCost <= cost) {
        for (int j = 0; j < 9; ++j) rotation[j] = candidate[j];
        *scale = candidateScale;
        const Real decrease = cost - candidateCost;
        cost = candidateCost;
        lambda = lambda * Real(0.1) > Real(1e-7) ? lambda * Real(0.1) : Real(1e-7);
        improved = true;
        const Real step = delta[0] * delta[0] + delta[1] * delta[1] + delta[2] * delta[2];
        if (step < Real(1e-14) || decrease <= Real(1e-12) * cost) return;
      } else {
        lambda *= Real(10);
      }
    }
    if (!improved) return;  // no decrease in 6 dampings: at a minimum to working precision
  }
}

// Shape step, eq. 7: c = (Ωᵀ X Ω + γI)⁻¹ Ωᵀ X Υ with Ω_i = s·P·R·B_i (2×K) and
// Υ_i = u_i − s·P·R·T_i − t. Returns false when the K×K matrix is not positive definite.
template <typename Real>
MESHRT_HD inline bool ttpShapeStep(const TtpSampleView<Real>& sample, Real gamma, const Real* rotation, Real scale,
                                   const Real* translation, Real* coefficients) {
  const int k = sample.basisCount;
  Real a[TTP_MAX_BASIS * TTP_MAX_BASIS];
  Real b[TTP_MAX_BASIS];
  for (int r = 0; r < k; ++r) {
    b[r] = 0;
    for (int c = 0; c <= r; ++c) a[r * k + c] = 0;
  }
  Real omega[2 * TTP_MAX_BASIS];
  for (int i = 0; i < sample.count; ++i) {
    const Real v = sample.visibility[i];
    if (v == Real(0)) continue;
    const Real* basisRows = sample.basis + i * 3 * k;
    for (int j = 0; j < k; ++j) {
      omega[j] = scale * (rotation[0] * basisRows[j] + rotation[1] * basisRows[k + j] + rotation[2] * basisRows[2 * k + j]);
      omega[k + j] = scale * (rotation[3] * basisRows[j] + rotation[4] * basisRows[k + j] + rotation[5] * basisRows[2 * k + j]);
    }
    const Real* t = sample.vertices + i * 3;
    const Real yx = sample.points[i * 2] - scale * (rotation[0] * t[0] + rotation[1] * t[1] + rotation[2] * t[2]) - translation[0];
    const Real yy = sample.points[i * 2 + 1] - scale * (rotation[3] * t[0] + rotation[4] * t[1] + rotation[5] * t[2]) - translation[1];
    for (int r = 0; r < k; ++r) {
      const Real ox = v * omega[r];
      const Real oy = v * omega[k + r];
      b[r] += ox * yx + oy * yy;
      for (int c = 0; c <= r; ++c) a[r * k + c] += ox * omega[c] + oy * omega[k + c];
    }
  }
  for (int r = 0; r < k; ++r) {
    a[r * k + r] += gamma;
    for (int c = r + 1; c < k; ++c) a[r * k + c] = a[c * k + r];
  }
  if (!choleskySolve(a, b, k, k)) return false;
  for (int r = 0; r < k; ++r) coefficients[r] = b[r];
  return true;
}

// Eq. 4 at (R, s, t, c), with vertices = T + B·c already computed.
template <typename Real>
MESHRT_HD inline Real ttpLoss(const TtpSampleView<Real>& sample, Real gamma, const Real* vertices, const Real* rotation,
                              Real scale, const Real* translation, const Real* coefficients) {
  Real loss = 0;
  for (int i = 0; i < sample.count; ++i) {
    const Real* q = vertices + i * 3;
    const Real ex = sample.points[i * 2] - scale * (rotation[0] * q[0] + rotation[1] * q[1] + rotation[2] * q[2]) - translation[0];
    const Real ey = sample.points[i * 2 + 1] - scale * (rotation[3] * q[0] + rotation[4] * q[1] + rotation[5] * q[2]) - translation[1];
    loss += sample.visibility[i] * (ex * ex + ey * ey);
  }
  for (int j = 0; j < sample.basisCount; ++j) loss += gamma * coefficients[j] * coefficients[j];
  return loss;
}

// Cauchy IRLS weights w_i = v_i / (1 + |e_i|²/τ²) at the current fit, into weights (N).
template <typename Real>
MESHRT_HD inline void ttpRobustWeights(const TtpSampleView<Real>& sample, const Real* vertices, const Real* rotation,
                                       Real scale, const Real* translation, Real tau, Real* weights) {
  for (int i = 0; i < sample.count; ++i) {
    const Real* q = vertices + i * 3;
    const Real ex = sample.points[i * 2] - scale * (rotation[0] * q[0] + rotation[1] * q[1] + rotation[2] * q[2]) - translation[0];
    const Real ey = sample.points[i * 2 + 1] - scale * (rotation[3] * q[0] + rotation[4] * q[1] + rotation[5] * q[2]) - translation[1];
    weights[i] = sample.visibility[i] / (Real(1) + (ex * ex + ey * ey) / (tau * tau));
  }
}

// Scratch Reals the per-sample solve needs for N points.
MESHRT_HD inline int ttpScratchSize(int count) { return count * 4; }

// The whole per-sample solve. `state` is the warm start when settings.warmStart is 1 and the
// output always. `scratch` holds ttpScratchSize(N) Reals (deformed vertices N×3, then the
// robust weights N); no other memory is used.
template <typename Real>
MESHRT_HD inline void ttpSolveSample(const TtpSampleView<Real>& sample, const TtpSolveSettings& settings,
                                     Real* scratch, TtpState<Real>* state) {
  const int k = sample.basisCount;
  const Real gamma = Real(settings.gamma);
  if (!settings.warmStart) {
    for (int j = 0; j < k; ++j) state->coefficients[j] = 0;
  }
  for (int j = k; j < TTP_MAX_BASIS; ++j) state->coefficients[j] = 0;
  ttpDeform(sample, state->coefficients, scratch);
  Real pointMean[2];
  Real vertexMean[3];
  if (!(ttpCentroids(sample, scratch, pointMean, vertexMean) > Real(0))) {
    state->status = TTP_STATUS_NO_WEIGHT;
    return;
  }
  if (!settings.warmStart) {
    if (!ttpAffineStart(sample, scratch, pointMean, vertexMean, state->rotation)) {
      state->status = TTP_STATUS_DEGENERATE;
      return;
    }
    state->scale = ttpSpreadScale(sample, scratch, pointMean, vertexMean, state->rotation);
    if (!(state->scale > Real(0))) {
      state->status = TTP_STATUS_DEGENERATE;
      return;
    }
  }
  state->status = TTP_STATUS_OK;
  // `weighted` is the sample with the weights in use: v itself, or v times the IRLS factors.
  TtpSampleView<Real> weighted = sample;
  Real* weights = scratch + 3 * sample.count;
  const Real tau = Real(settings.robustScale);
  for (int round = 0; round < settings.alternations; ++round) {
    if (round > 0) ttpCentroids(weighted, scratch, pointMean, vertexMean);
    ttpPoseStep(weighted, scratch, pointMean, vertexMean, settings.poseIterations, state->rotation, &state->scale);
    Real projectedMean[3];
    mul33x3(state->rotation, vertexMean, projectedMean);
    state->translation[0] = pointMean[0] - state->scale * projectedMean[0];
    state->translation[1] = pointMean[1] - state->scale * projectedMean[1];
    if (tau > Real(0)) {
      ttpRobustWeights(sample, scratch, state->rotation, state->scale, state->translation, tau, weights);
      weighted.visibility = weights;
    }
    if (k > 0) {
      if (!ttpShapeStep(weighted, gamma, state->rotation, state->scale, state->translation, state->coefficients)) {
        state->status = TTP_STATUS_SHAPE_FAILED;
        break;
      }
      ttpDeform(sample, state->coefficients, scratch);
    }
  }
  if (tau > Real(0) && state->status == TTP_STATUS_OK) {
    // A final pose step at the last weights, so R, s, t and c all answer the same weights.
    ttpCentroids(weighted, scratch, pointMean, vertexMean);
    ttpPoseStep(weighted, scratch, pointMean, vertexMean, settings.poseIterations, state->rotation, &state->scale);
    Real projectedMean[3];
    mul33x3(state->rotation, vertexMean, projectedMean);
    state->translation[0] = pointMean[0] - state->scale * projectedMean[0];
    state->translation[1] = pointMean[1] - state->scale * projectedMean[1];
  }
  state->loss = ttpLoss(sample, gamma, scratch, state->rotation, state->scale, state->translation, state->coefficients);
}

// A batch for the CUDA kernel and its host twin: S samples sharing one template and basis.
// Plain data passed by value; every pointer is in the memory space of the code that runs it.
struct TtpBatchParams {
  const float* points;      // S×N×2, normalized crop coordinates
  const float* visibility;  // S×N
  const float* vertices;    // N×3, template (shared)
  const float* basis;       // N×3×K (shared)
  float* scratch;           // S × ttpScratchSize(N) working memory
  TtpState<float>* states;  // S: warm starts in (if settings.warmStart), solutions out
  int sampleCount;          // S
  int count;                // N
  int basisCount;           // K
  TtpSolveSettings settings;
};

// Sample `index` of a batch: exactly what one CUDA thread runs.
MESHRT_HD inline void ttpSolveBatchSample(const TtpBatchParams& batch, int index) {
  TtpSampleView<float> sample;
  sample.points = batch.points + index * batch.count * 2;
  sample.visibility = batch.visibility + index * batch.count;
  sample.vertices = batch.vertices;
  sample.basis = batch.basis;
  sample.count = batch.count;
  sample.basisCount = batch.basisCount;
  ttpSolveSample(sample, batch.settings, batch.scratch + index * ttpScratchSize(batch.count), batch.states + index);
}

}  // namespace meshrt
