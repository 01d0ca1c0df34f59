// The TTP shape step (eq. 7) from per-solve moments of the basis, for solves whose weights do
// not change between alternations (plain eq. 4, no IRLS). Under weak perspective
// Ω_i = s·P·R·B_i, so Ω_iᵀΩ_i = s²·B_iᵀ M B_i with M = r₁r₁ᵀ + r₂r₂ᵀ (3×3, r_d the rows of R):
//   Σ w_i Ω_iᵀΩ_i = s²·(Σ_d M_dd·H_d + Σ_{d<e} M_de·C_de),
//   H_d = Σ w_i B_idᵀ B_id,  C_de = Σ w_i (B_idᵀ B_ie + B_ieᵀ B_id)   (K×K, B_id = row d of B_i),
// which depend on the weights only. They are taken once per solve (C_de as the Gram matrix of
// B_id + B_ie, summed on the fly, minus H_d and H_e: one row set per matrix), and each
// alternation then builds the matrix in O(K²) instead of O(N·K²). The right-hand side stays a
// pass over the points:
//   Σ w_i Ω_iᵀΥ_i = s·Σ_i Σ_d w_i z_id B_idᵀ,  z_i = Rᵀ Pᵀ Υ_i = r₁·Υ_ix + r₂·Υ_iy (O(N·K)).
// Same system as core/ttp_shape_system.h, other rounding. MESHRT_HD and heap-free.
#pragma once

#include "core/hd.h"
#include "core/small_matrix.h"
#include "core/ttp_point_set.h"
#include "core/ttp_shape_system.h"

namespace meshrt {

// Fewest alternations for which the moments pay. Measured (N = 642, K = 16, docs/PERF.md): a
// direct alternation costs about 8.6 µs, one from moments about 3.1 µs, and taking the 6
// one-row-set Gram matrices about 13 µs: a loss at 2 alternations, a gain from 3 on.
constexpr int TTP_SHAPE_MOMENTS_MIN_ALTERNATIONS = 3;

// Reals of the moments for K basis fields: 6 K₄ × K₄ matrices (K₄ = K rounded up to TTP_BLOCK).
MESHRT_HD inline int ttpShapeMomentsSize(int basisCount) {
  const int blocked = ttpBlockedBasis(basisCount);
  return 6 * blocked * blocked;
}

// Which of the six K₄ × K₄ moment matrices (row-major, leading dimension K₄) holds M_de's
// factor: 0–2 = H_0, H_1, H_2, then 3 = C_01, 4 = C_02, 5 = C_12.
MESHRT_HD inline int ttpShapeMomentIndex(int d, int e) { return d == e ? d : d + e + 2; }

// The six moments of the set's basis under its weights in use, into `moments`
// (ttpShapeMomentsSize(K) Reals), each matrix in full (upper triangle mirrored, rows and
// columns ≥ K zero) so that a step combines whole rows.
template <typename Real>
MESHRT_HD inline void ttpShapeMomentsTake(TtpPointSet<Real>* set, Real* moments) {
  const int k = set->basisCount;
  const int blocked = ttpBlockedBasis(k);
  const int stride = set->stride;
  const int size = blocked * blocked;
  // Blocks read rows up to K₄ − 1 of each d: for K < K₄ those are the next d's rows, for d = 2
  // the first K₄ − K projected rows, zeroed here (nothing else uses them in this solve before
  // the right-hand side overwrites them). They only fill entries ≥ K, cleared below.
  for (int j = 0; j < blocked - k; ++j)
    for (int p = 0; p < set->padded; ++p) set->projectedX[j * stride + p] = 0;
  const Real* rows[3];
  for (int d = 0; d < 3; ++d) rows[d] = set->basis + d * k * stride;
  for (int d = 0; d < 3; ++d)
    ttpWeightedGramLower<TTP_GRAM_X>(set->weight, rows[d], rows[d], stride, set->padded, blocked, moments + d * size);
  for (int d = 0; d < 3; ++d)
    for (int e = d + 1; e < 3; ++e) {  // C_de = Gram(B_d + B_e) − H_d − H_e
      Real* cross = moments + ttpShapeMomentIndex(d, e) * size;
      ttpWeightedGramLower<TTP_GRAM_X_PLUS_Y>(set->weight, rows[d], rows[e], stride, set->padded, blocked, cross);
      const Real* hd = moments + d * size;
      const Real* he = moments + e * size;
      for (int r = 0; r < k; ++r)
        for (int c = 0; c <= r; ++c) cross[r * blocked + c] = cross[r * blocked + c] - hd[r * blocked + c] - he[r * blocked + c];
    }
  for (int m = 0; m < 6; ++m) {
    Real* matrix = moments + m * size;
    for (int r = 0; r < blocked; ++r)
      for (int c = r; c < blocked; ++c)
        matrix[r * blocked + c] = matrix[c * blocked + r] = r < k && c < k ? matrix[c * blocked + r] : Real(0);
  }
}

// Basis fields per pass of the right-hand side below.
constexpr int TTP_RHS_FIELDS = 4;

// out_j = s·Σ_i w_i Σ_d z_id B_idj (K values) with z_i = r₁·Υ_ix + r₂·Υ_iy and
// Υ_i = u_i − s·P·R·T_i − t: eq. 7's right-hand side. The three rows w·z_d go to the set's
// projectedX rows 0–2 first.
template <typename Real>
MESHRT_HD inline void ttpShapeRightHandSide(const Real* rotation, Real scale, const Real* translation,
                                            TtpPointSet<Real>* set, Real* out) {
  const int k = set->basisCount;
  const int stride = set->stride;
  TtpLanes<Real> m[6], r[6], shift[2];  // s·P·R, P·R and t in every lane
  ttpBroadcastPose(rotation, scale, translation, m, shift);
  for (int j = 0; j < 6; ++j) r[j] = ttpBroadcastLanes(rotation[j]);
  Real* weighted[3];
  for (int d = 0; d < 3; ++d) weighted[d] = set->projectedX + d * stride;
  for (int p = 0; p < set->padded; p += TTP_LANES) {
    const TtpLanes<Real> t0 = ttpLoadLanes(set->templ[0] + p);
    const TtpLanes<Real> t1 = ttpLoadLanes(set->templ[1] + p);
    const TtpLanes<Real> t2 = ttpLoadLanes(set->templ[2] + p);
    const TtpLanes<Real> w = ttpLoadLanes(set->weight + p);
    const TtpLanes<Real> ux = ttpLoadLanes(set->pointX + p) - (m[0] * t0 + m[1] * t1 + m[2] * t2) - shift[0];
    const TtpLanes<Real> uy = ttpLoadLanes(set->pointY + p) - (m[3] * t0 + m[4] * t1 + m[5] * t2) - shift[1];
    const TtpLanes<Real> wx = w * ux, wy = w * uy;
    for (int d = 0; d < 3; ++d) ttpStoreLanes(r[d] * wx + r[3 + d] * wy, weighted[d] + p);
  }
  // TTP_RHS_FIELDS fields at a time (3 × TTP_RHS_FIELDS row pointers; 2 or 8 were slower): the
  // three weighted rows against B_i0, B_i1, B_i2 of each. A last partial block repeats field j0.
  for (int j0 = 0; j0 < k; j0 += TTP_RHS_FIELDS) {
    TtpLanes<Real> sums[TTP_RHS_FIELDS];
    for (int j = 0; j < TTP_RHS_FIELDS; ++j) sums[j] = ttpBroadcastLanes(Real(0));
    const Real* rows[3][TTP_RHS_FIELDS];
    for (int d = 0; d < 3; ++d)
      for (int j = 0; j < TTP_RHS_FIELDS; ++j) rows[d][j] = set->basis + (d * k + (j0 + j < k ? j0 + j : j0)) * stride;
    for (int p = 0; p < set->padded; p += TTP_LANES) {
      const TtpLanes<Real> z0 = ttpLoadLanes(weighted[0] + p);
      const TtpLanes<Real> z1 = ttpLoadLanes(weighted[1] + p);
      const TtpLanes<Real> z2 = ttpLoadLanes(weighted[2] + p);
      for (int j = 0; j < TTP_RHS_FIELDS; ++j)
        sums[j] = sums[j] + (z0 * ttpLoadLanes(rows[0][j] + p) + z1 * ttpLoadLanes(rows[1][j] + p) +
                             z2 * ttpLoadLanes(rows[2][j] + p));
    }
    for (int j = 0; j < TTP_RHS_FIELDS && j0 + j < k; ++j) out[j0 + j] = scale * ttpSumLanes(sums[j]);
  }
}

// Shape step, eq. 7, from the moments of ttpShapeMomentsTake() (taken under the weights in
// use). Returns false when the K×K matrix is not positive definite.
template <typename Real>
MESHRT_HD inline bool ttpShapeStepFromMoments(const Real* rotation, Real scale, const Real* translation, Real gamma,
                                              const Real* moments, TtpPointSet<Real>* set, Real* coefficients) {
  const int k = set->basisCount;
  const int blocked = ttpBlockedBasis(k);
  const int size = blocked * blocked;
  Real factor[6];  // s²·M_de for the six moments, M = r₁r₁ᵀ + r₂r₂ᵀ
  for (int d = 0; d < 3; ++d)
    for (int e = d; e < 3; ++e)
      factor[ttpShapeMomentIndex(d, e)] = scale * scale * (rotation[d] * rotation[e] + rotation[3 + d] * rotation[3 + e]);
  Real a[TTP_MAX_BASIS * TTP_MAX_BASIS];  // lower triangle, leading dimension `blocked`
  Real b[TTP_MAX_BASIS];
  // Every entry (Cholesky reads only the lower triangle), TTP_LANES at a time (K₄² is a
  // multiple of 16).
  static_assert(TTP_BLOCK * TTP_BLOCK % TTP_LANES == 0, "whole chunks of every K₄ × K₄ matrix");
  TtpLanes<Real> factors[6];
  for (int m = 0; m < 6; ++m) factors[m] = ttpBroadcastLanes(factor[m]);
  for (int at = 0; at < size; at += TTP_LANES) {
    TtpLanes<Real> value = factors[0] * ttpLoadLanes(moments + at);
    for (int m = 1; m < 6; ++m) value = value + factors[m] * ttpLoadLanes(moments + m * size + at);
    ttpStoreLanes(value, a + at);
  }
  ttpShapeRightHandSide(rotation, scale, translation, set, b);
  for (int r = 0; r < k; ++r) a[r * blocked + r] += gamma;
  if (!choleskySolve(a, b, k, blocked)) return false;
  for (int r = 0; r < k; ++r) coefficients[r] = b[r];
  return true;
}

}  // namespace meshrt
