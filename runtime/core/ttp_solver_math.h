// TTP per-sample solver (paper 002, §3.2, eqs. 1–7), weak perspective, MESHRT_HD and heap-free:
// the CPU path (runtime/heads/ttp_solver.cpp) and the CUDA kernel (kernels/ttp_solver.cu) both
// call ttpSolveSample(). CUDA sources are C++17: no std::span or other C++20 here.
//
// Model (DESIGN §5): u_i ≈ s·(R·V_i)_xy + t, V_i = T_i + B_i·c, u in normalized crop
// coordinates [-1, 1] (x right, y down), V in the template's object frame.
// Loss (eq. 4): l = Σ_i v_i·|u_i − û_i|² + γ·|c|².
// Alternation (eqs. 5–6): pose step = Levenberg–Marquardt on (R, s) over SO(3)×R with
// analytic Jacobians and axis-angle left updates, t in closed form (weighted centroids), each
// iteration O(1) on the step's moments (core/ttp_pose_moments.h); shape step = eq. 7 by
// Cholesky (core/ttp_shape_system.h). All O(N) passes run on the gathered points of non-zero
// weight (core/ttp_point_set.h).
#pragma once

#include <math.h>

#include "core/hd.h"
#include "core/small_matrix.h"
#include "core/so3_math.h"
#include "core/ttp_point_set.h"
#include "core/ttp_pose_moments.h"
#include "core/ttp_shape_moments.h"
#include "core/ttp_shape_system.h"

namespace meshrt {

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

// Eq. 1: s = spread of the 2D points / spread of the projected shape (weighted RMS about the
// centroids), so the pose is invariant to similarity transforms of either frame. `centred` are
// the moments at anchor 0: their residual is Σ v_i |u_i − ū|², and Σ v_i |P·R·q_i|² = tr(P·R·S·Rᵀ·Pᵀ).
template <typename Real>
MESHRT_HD inline Real ttpSpreadScale(const TtpPoseMoments<Real>& centred, const Real* rotation) {
  Real spread3d = 0;
  for (int e = 0; e < 2; ++e) {
    const Real* r = rotation + e * 3;
    for (int a = 0; a < 3; ++a) {
      const Real* s = centred.second + a * 3;
      spread3d += r[a] * (s[0] * r[0] + s[1] * r[1] + s[2] * r[2]);
    }
  }
  return spread3d > Real(0) ? sqrt(centred.residual / spread3d) : Real(0);
}

// Closed-form start for R: the weighted affine camera M (2×3) with (u_i − ū) ≈ M(V_i − V̄),
// then its nearest scaled pair of orthonormal rows (polar factor of M), third row r1 × r2.
// `centred` are the moments at anchor 0 (second = Σ v q qᵀ, cross = Σ v q (u − ū)ᵀ).
// Returns false when the 3D points are degenerate (flat or coincident).
template <typename Real>
MESHRT_HD inline bool ttpAffineStart(const TtpPoseMoments<Real>& centred, Real* rotation) {
  Real a[9];
  Real a2[9];
  Real bx[3];
  Real by[3];
  for (int j = 0; j < 9; ++j) a[j] = a2[j] = centred.second[j];
  for (int r = 0; r < 3; ++r) bx[r] = centred.cross[r * 2], by[r] = centred.cross[r * 2 + 1];
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
// One pass over the points takes the moments at the starting (R, s); every iteration and
// every trial step then costs O(1) (core/ttp_pose_moments.h).
template <typename Real>
MESHRT_HD inline void ttpPoseStep(const TtpPointSet<Real>& set, const Real* pointMean, const Real* vertexMean,
                                  int iterations, Real* rotation, Real* scale) {
  TtpPoseMoments<Real> moments;
  Real anchor[6];
  for (int j = 0; j < 6; ++j) anchor[j] = *scale * rotation[j];
  ttpPoseMomentsAt(set, pointMean, vertexMean, anchor, &moments);
  Real lambda = Real(1e-3);
  Real cost = ttpPoseCost(moments, rotation, *scale);
  for (int iteration = 0; iteration < iterations; ++iteration) {
    Real h[16];
    Real g[4];
    const Real s = *scale;
    ttpPoseNormalEquations(moments, rotation, s, h, g);
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
      const Real candidateCost = ttpPoseCost(moments, candidate, candidateScale);
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

// t in closed form after a pose step: t = ū − s·P·R·V̄.
template <typename Real>
MESHRT_HD inline void ttpCentredTranslation(const Real* pointMean, const Real* vertexMean, TtpState<Real>* state) {
  Real projectedMean[3];
  mul33x3(state->rotation, vertexMean, projectedMean);
  state->translation[0] = pointMean[0] - state->scale * projectedMean[0];
  state->translation[1] = pointMean[1] - state->scale * projectedMean[1];
}

// Scratch Reals the per-sample solve needs for N points and K basis fields (the point set,
// core/ttp_point_set.h, then the shape moments, core/ttp_shape_moments.h); without K, enough
// for any K ≤ TTP_MAX_BASIS.
MESHRT_HD inline int ttpScratchSize(int count, int basisCount = TTP_MAX_BASIS) {
  return ttpPointSetSize(count, basisCount) + ttpShapeMomentsSize(basisCount);
}

// The whole per-sample solve. `state` is the warm start when settings.warmStart is 1 and the
// output always. `scratch` holds ttpScratchSize(N, K) Reals (the point set and the shape
// moments); no other memory is used.
template <typename Real>
MESHRT_HD inline void ttpSolveSample(const TtpSampleView<Real>& sample, const TtpSolveSettings& settings,
                                     Real* scratch, TtpState<Real>* state) {
  const int k = sample.basisCount;
  const Real gamma = Real(settings.gamma);
  if (!settings.warmStart) {
    for (int j = 0; j < k; ++j) state->coefficients[j] = 0;
  }
  for (int j = k; j < TTP_MAX_BASIS; ++j) state->coefficients[j] = 0;
  TtpPointSet<Real> set;
  ttpGatherPoints(sample.points, sample.visibility, sample.vertices, sample.basis, sample.count, k, scratch, &set);
  if (settings.warmStart && k > 0) ttpDeformPoints(state->coefficients, &set);
  Real pointMean[2];
  Real vertexMean[3];
  if (!(ttpPointCentroids(set, pointMean, vertexMean) > Real(0))) {
    state->status = TTP_STATUS_NO_WEIGHT;
    return;
  }
  if (!settings.warmStart) {
    const Real noAnchor[6] = {0, 0, 0, 0, 0, 0};
    TtpPoseMoments<Real> centred;
    ttpPoseMomentsAt(set, pointMean, vertexMean, noAnchor, &centred);
    if (!ttpAffineStart(centred, state->rotation)) {
      state->status = TTP_STATUS_DEGENERATE;
      return;
    }
    state->scale = ttpSpreadScale(centred, state->rotation);
    if (!(state->scale > Real(0))) {
      state->status = TTP_STATUS_DEGENERATE;
      return;
    }
  }
  state->status = TTP_STATUS_OK;
  const Real tau = Real(settings.robustScale);
  // Constant weights (no IRLS) and enough rounds: eq. 7's matrix from moments taken once.
  Real* shapeMoments = scratch + ttpPointSetSize(sample.count, k);
  const bool momentsShape = k > 0 && !(tau > Real(0)) && settings.alternations >= TTP_SHAPE_MOMENTS_MIN_ALTERNATIONS;
  if (momentsShape) ttpShapeMomentsTake(&set, shapeMoments);
  for (int round = 0; round < settings.alternations; ++round) {
    if (round > 0) ttpPointCentroids(set, pointMean, vertexMean);
    ttpPoseStep(set, pointMean, vertexMean, settings.poseIterations, state->rotation, &state->scale);
    ttpCentredTranslation(pointMean, vertexMean, state);
    if (tau > Real(0)) ttpRobustWeights(state->rotation, state->scale, state->translation, tau, &set);
    if (k > 0) {
      const bool solved =
          momentsShape ? ttpShapeStepFromMoments(state->rotation, state->scale, state->translation, gamma, shapeMoments, &set,
                                                 state->coefficients)
                       : ttpShapeStep(state->rotation, state->scale, state->translation, gamma, &set, state->coefficients);
      if (!solved) {
        state->status = TTP_STATUS_SHAPE_FAILED;
        break;
      }
      ttpDeformPoints(state->coefficients, &set);
    }
  }
  if (tau > Real(0) && state->status == TTP_STATUS_OK) {
    // A final pose step at the last weights, so R, s, t and c all answer the same weights.
    ttpPointCentroids(set, pointMean, vertexMean);
    ttpPoseStep(set, pointMean, vertexMean, settings.poseIterations, state->rotation, &state->scale);
    ttpCentredTranslation(pointMean, vertexMean, state);
  }
  Real loss = ttpDataLoss(set, state->rotation, state->scale, state->translation);
  for (int j = 0; j < k; ++j) loss += gamma * state->coefficients[j] * state->coefficients[j];
  state->loss = loss;
}

// A batch for the CUDA kernel and its host twin: S samples sharing one template and basis.
// Plain data passed by value; every pointer is in the memory space of the code that runs it.
struct TtpBatchParams {
  const float* points;      // S×N×2, normalized crop coordinates
  const float* visibility;  // S×N
  const float* vertices;    // N×3, template (shared)
  const float* basis;       // N×3×K (shared)
  float* scratch;           // S × ttpScratchSize(N, K) working memory
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
  ttpSolveSample(sample, batch.settings, batch.scratch + index * ttpScratchSize(batch.count, batch.basisCount),
                 batch.states + index);
}

}  // namespace meshrt
