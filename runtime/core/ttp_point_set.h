// The TTP solve's working copy of one sample: only the points of non-zero weight (a weight of
// 0 adds exactly nothing to any sum of the solve), gathered once per solve into caller scratch
// as a structure of arrays and padded with zero points to whole TTP_LANES chunks. The O(N)
// passes below run chunk by chunk with one partial sum per lane, so each chunk is a vector
// operation on the CPU. MESHRT_HD and heap-free (CUDA sources are C++17).
#pragma once

#include "core/hd.h"

namespace meshrt {

// Inner loops run over chunks of this fixed length, so the compiler turns each chunk into one
// vector operation (8 floats = one AVX register, two SSE registers).
constexpr int TTP_LANES = 8;

// Largest N: point indices are kept in the Real scratch, exact up to 2^24 in float.
constexpr int TTP_MAX_POINTS = 1 << 24;

// n rounded up to whole chunks.
MESHRT_HD inline int ttpPadded(int n) { return (n + TTP_LANES - 1) / TTP_LANES * TTP_LANES; }

// Scratch Reals of a point set for N points: 11 arrays of ttpPadded(N).
MESHRT_HD inline int ttpPointSetSize(int count) { return 11 * ttpPadded(count); }

// Structure of arrays over the points of non-zero weight, in input order; entries
// [used, padded) are zero points (weight 0, coordinates 0).
template <typename Real>
struct TtpPointSet {
  Real* index;        // the point's input index i, an exact integer value
  Real* pointX;       // u_i, normalized crop coordinates
  Real* pointY;
  Real* visibility;   // v_i of eq. 4
  Real* weight;       // the weight in use: v_i, or v_i times the Cauchy IRLS factor
  Real* templ[3];     // T_i, object frame
  Real* deformed[3];  // V_i = T_i + B_i·c
  int used;           // points of non-zero weight
  int padded;         // ttpPadded(used)
};

// Lays the set out in scratch (ttpPointSetSize(N) Reals) and gathers the points of non-zero
// visibility (branch-free: every point is written, and the slot advances only when v_i ≠ 0).
// V starts equal to T. points N×2, visibility N, vertices N×3.
template <typename Real>
MESHRT_HD inline void ttpGatherPoints(const Real* points, const Real* visibility, const Real* vertices, int count,
                                      Real* scratch, TtpPointSet<Real>* set) {
  const int capacity = ttpPadded(count);
  Real* arrays[11];
  for (int a = 0; a < 11; ++a) arrays[a] = scratch + a * capacity;
  set->index = arrays[0], set->pointX = arrays[1], set->pointY = arrays[2];
  set->visibility = arrays[3], set->weight = arrays[4];
  for (int d = 0; d < 3; ++d) set->templ[d] = arrays[5 + d], set->deformed[d] = arrays[8 + d];
  int used = 0;
  for (int i = 0; i < count; ++i) {
    const Real v = visibility[i];
    set->index[used] = Real(i);
    set->pointX[used] = points[i * 2];
    set->pointY[used] = points[i * 2 + 1];
    set->visibility[used] = set->weight[used] = v;
    for (int d = 0; d < 3; ++d) set->templ[d][used] = set->deformed[d][used] = vertices[i * 3 + d];
    used += v != Real(0) ? 1 : 0;
  }
  set->used = used;
  set->padded = ttpPadded(used);
  for (int j = used; j < set->padded; ++j)
    for (int a = 0; a < 11; ++a) arrays[a][j] = 0;
}

// Sums the TTP_LANES partial sums in a fixed tree order.
template <typename Real>
MESHRT_HD inline Real ttpSumLanes(Real* lanes) {
  for (int width = TTP_LANES / 2; width > 0; width /= 2)
    for (int l = 0; l < width; ++l) lanes[l] += lanes[l + width];
  return lanes[0];
}

// Σ_j row[j]·coefficients[j] over j < k in TTP_LANES interleaved partial sums (each chunk's
// products are one vector multiply), then the remainder.
template <typename Real>
MESHRT_HD inline Real ttpBasisDot(const Real* row, const Real* coefficients, int k) {
  Real lanes[TTP_LANES];
  for (int l = 0; l < TTP_LANES; ++l) lanes[l] = 0;
  const int whole = k - k % TTP_LANES;
  for (int j = 0; j < whole; j += TTP_LANES)
    for (int l = 0; l < TTP_LANES; ++l) lanes[l] += row[j + l] * coefficients[j + l];
  Real rest = 0;
  for (int j = whole; j < k; ++j) rest += row[j] * coefficients[j];
  return ttpSumLanes(lanes) + rest;
}

// V_i = T_i + B_i·c for the used points. basis N×3×K row-major (B[(i·3 + d)·K + k]).
template <typename Real>
MESHRT_HD inline void ttpDeformPoints(const Real* basis, int basisCount, const Real* coefficients, TtpPointSet<Real>* set) {
  for (int j = 0; j < set->used; ++j) {
    const Real* rows = basis + static_cast<int>(set->index[j]) * 3 * basisCount;
    for (int d = 0; d < 3; ++d) set->deformed[d][j] = set->templ[d][j] + ttpBasisDot(rows + d * basisCount, coefficients, basisCount);
  }
}

// Weighted centroids ū (2) and V̄ (3) under the weights in use; returns their sum.
template <typename Real>
MESHRT_HD inline Real ttpPointCentroids(const TtpPointSet<Real>& set, Real* pointMean, Real* vertexMean) {
  Real sums[6][TTP_LANES];  // Σw, Σw·u_x, Σw·u_y, Σw·V_x, Σw·V_y, Σw·V_z
  for (int s = 0; s < 6; ++s)
    for (int l = 0; l < TTP_LANES; ++l) sums[s][l] = 0;
  for (int p = 0; p < set.padded; p += TTP_LANES) {
    for (int l = 0; l < TTP_LANES; ++l) {
      const Real w = set.weight[p + l];
      sums[0][l] += w;
      sums[1][l] += w * set.pointX[p + l];
      sums[2][l] += w * set.pointY[p + l];
      sums[3][l] += w * set.deformed[0][p + l];
      sums[4][l] += w * set.deformed[1][p + l];
      sums[5][l] += w * set.deformed[2][p + l];
    }
  }
  const Real weight = ttpSumLanes(sums[0]);
  pointMean[0] = ttpSumLanes(sums[1]), pointMean[1] = ttpSumLanes(sums[2]);
  for (int d = 0; d < 3; ++d) vertexMean[d] = ttpSumLanes(sums[3 + d]);
  if (weight > Real(0)) {
    pointMean[0] /= weight, pointMean[1] /= weight;
    for (int d = 0; d < 3; ++d) vertexMean[d] /= weight;
  }
  return weight;
}

// Σ v_i |u_i − (s·P·R·V_i + t)|²: the data term of eq. 4 (original weights v).
template <typename Real>
MESHRT_HD inline Real ttpDataLoss(const TtpPointSet<Real>& set, const Real* rotation, Real scale, const Real* translation) {
  Real lanes[TTP_LANES];
  for (int l = 0; l < TTP_LANES; ++l) lanes[l] = 0;
  for (int p = 0; p < set.padded; p += TTP_LANES) {
    for (int l = 0; l < TTP_LANES; ++l) {
      const Real q0 = set.deformed[0][p + l], q1 = set.deformed[1][p + l], q2 = set.deformed[2][p + l];
      const Real ex = set.pointX[p + l] - scale * (rotation[0] * q0 + rotation[1] * q1 + rotation[2] * q2) - translation[0];
      const Real ey = set.pointY[p + l] - scale * (rotation[3] * q0 + rotation[4] * q1 + rotation[5] * q2) - translation[1];
      lanes[l] += set.visibility[p + l] * (ex * ex + ey * ey);
    }
  }
  return ttpSumLanes(lanes);
}

// Cauchy IRLS: weight_i = v_i / (1 + |e_i|²/τ²) at the current fit (τ in normalized units).
template <typename Real>
MESHRT_HD inline void ttpRobustWeights(const Real* rotation, Real scale, const Real* translation, Real tau,
                                       TtpPointSet<Real>* set) {
  const Real tau2 = tau * tau;
  for (int p = 0; p < set->padded; p += TTP_LANES) {
    for (int l = 0; l < TTP_LANES; ++l) {
      const Real q0 = set->deformed[0][p + l], q1 = set->deformed[1][p + l], q2 = set->deformed[2][p + l];
      const Real ex = set->pointX[p + l] - scale * (rotation[0] * q0 + rotation[1] * q1 + rotation[2] * q2) - translation[0];
      const Real ey = set->pointY[p + l] - scale * (rotation[3] * q0 + rotation[4] * q1 + rotation[5] * q2) - translation[1];
      set->weight[p + l] = set->visibility[p + l] / (Real(1) + (ex * ex + ey * ey) / tau2);
    }
  }
}

}  // namespace meshrt
