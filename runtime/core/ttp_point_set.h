// The TTP solve's working copy of one sample: only the points of non-zero weight (a weight of
// 0 adds exactly nothing to any sum of the solve), gathered once per solve into caller scratch
// as a structure of arrays (their basis rows too, point index innermost) and padded with zero
// points to whole TTP_LANES chunks. The O(N) passes run chunk by chunk with one partial sum per
// lane, so each chunk is a vector operation on the CPU. MESHRT_HD and heap-free (CUDA sources
// are C++17).
#pragma once

#include "core/hd.h"
#include "core/ttp_lanes.h"

namespace meshrt {

constexpr int TTP_MAX_BASIS = 32;  // largest K the fixed-size per-sample solve supports

// Largest N: point indices are kept in the Real scratch, exact up to 2^24 in float.
constexpr int TTP_MAX_POINTS = 1 << 24;

// The shape step's K×K matrix is built in square blocks of this size (core/ttp_shape_system.h).
constexpr int TTP_BLOCK = 4;

// n rounded up to whole chunks.
MESHRT_HD inline int ttpPadded(int n) { return (n + TTP_LANES - 1) / TTP_LANES * TTP_LANES; }

// K rounded up to whole blocks.
MESHRT_HD inline int ttpBlockedBasis(int basisCount) { return (basisCount + TTP_BLOCK - 1) / TTP_BLOCK * TTP_BLOCK; }

// Rows of one point array in the scratch: 11 per-point arrays, the basis (3·K rows) and the
// shape step's projected rows (2 × (blocked K + 1)).
MESHRT_HD inline int ttpPointSetRows(int basisCount) { return 11 + 3 * basisCount + 2 * (ttpBlockedBasis(basisCount) + 1); }

// Scratch Reals of a point set for N points and K basis fields.
MESHRT_HD inline int ttpPointSetSize(int count, int basisCount) { return ttpPointSetRows(basisCount) * ttpPadded(count); }

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
  Real* basis;        // 3·K rows: row d·K + k holds B[(i·3 + d)·K + k] of each point
  Real* projectedX;   // blocked K + 1 rows for the shape step (core/ttp_shape_system.h)
  Real* projectedY;
  int stride;         // Reals between consecutive rows of every array above (ttpPadded(N))
  int basisCount;     // K
  int used;           // points of non-zero weight
  int padded;         // ttpPadded(used): the points every chunked pass runs over
};

// Lays the set out in scratch (ttpPointSetSize(N, K) Reals) and gathers the points
// of non-zero visibility (branch-free: every point is written, and the slot advances only when
// v_i ≠ 0) with their basis rows. V starts equal to T. points N×2, visibility N, vertices N×3,
// basis N×3×K row-major (B[(i·3 + d)·K + k]).
template <typename Real>
MESHRT_HD inline void ttpGatherPoints(const Real* points, const Real* visibility, const Real* vertices,
                                      const Real* basis, int count, int basisCount, Real* scratch,
                                      TtpPointSet<Real>* set) {
  const int stride = ttpPadded(count);
  Real* arrays[11];
  for (int a = 0; a < 11; ++a) arrays[a] = scratch + a * stride;
  set->index = arrays[0], set->pointX = arrays[1], set->pointY = arrays[2];
  set->visibility = arrays[3], set->weight = arrays[4];
  for (int d = 0; d < 3; ++d) set->templ[d] = arrays[5 + d], set->deformed[d] = arrays[8 + d];
  set->basis = scratch + 11 * stride;
  set->projectedX = set->basis + 3 * basisCount * stride;
  set->projectedY = set->projectedX + (ttpBlockedBasis(basisCount) + 1) * stride;
  set->stride = stride;
  set->basisCount = basisCount;
  // Local copies of the row pointers: the lanes' memcpy stores may alias *set, so reading
  // set->… in the loops would reload them after every store.
  Real* index = set->index;
  Real* pointX = set->pointX;
  Real* pointY = set->pointY;
  Real* weights = set->visibility;
  Real* templ[3] = {set->templ[0], set->templ[1], set->templ[2]};
  Real* rowsOut = set->basis;
  int used = 0;
  for (int i = 0; i < count; ++i) {
    const Real v = visibility[i];
    index[used] = Real(i);
    pointX[used] = points[i * 2];
    pointY[used] = points[i * 2 + 1];
    weights[used] = v;
    for (int d = 0; d < 3; ++d) templ[d][used] = vertices[i * 3 + d];
    used += v != Real(0) ? 1 : 0;
  }
  set->used = used;
  set->padded = ttpPadded(used);
  // The weights in use start as v, and V as T: whole-chunk copies (the tails are zeroed below).
  for (int p = 0; p + TTP_LANES <= used; p += TTP_LANES) {
    ttpStoreLanes(ttpLoadLanes(weights + p), set->weight + p);
    for (int d = 0; d < 3; ++d) ttpStoreLanes(ttpLoadLanes(templ[d] + p), set->deformed[d] + p);
  }
  for (int p = used - used % TTP_LANES; p < used; ++p) {
    set->weight[p] = weights[p];
    for (int d = 0; d < 3; ++d) set->deformed[d][p] = templ[d][p];
  }
  // The basis rows of TTP_LANES points at a time: whole chunks of values as TTP_LANES × TTP_LANES
  // transposes, the values left over one by one.
  const int values = 3 * basisCount;
  const int wholeValues = values - values % TTP_LANES;
  for (int p0 = 0; p0 < used; p0 += TTP_LANES) {
    const Real* rows[TTP_LANES];
    for (int l = 0; l < TTP_LANES; ++l)
      rows[l] = p0 + l < used ? basis + static_cast<int>(index[p0 + l]) * values : nullptr;
    for (int j0 = 0; j0 < wholeValues; j0 += TTP_LANES) {
      TtpLanes<Real> tile[TTP_LANES];
      for (int l = 0; l < TTP_LANES; ++l) tile[l] = rows[l] ? ttpLoadLanes(rows[l] + j0) : ttpBroadcastLanes(Real(0));
      ttpTransposeLanes(tile);
      for (int j = 0; j < TTP_LANES; ++j) ttpStoreLanes(tile[j], rowsOut + (j0 + j) * stride + p0);
    }
    for (int j = wholeValues; j < values; ++j)
      for (int l = 0; l < TTP_LANES; ++l) rowsOut[j * stride + p0 + l] = rows[l] ? rows[l][j] : Real(0);
  }
  // Zero points fill [used, padded) of every row; the shape step's rows K … blocked K − 1 are 0.
  const int blocked = ttpBlockedBasis(basisCount);
  for (int row = 0; row < ttpPointSetRows(basisCount); ++row)
    for (int p = used; p < set->padded; ++p) scratch[row * stride + p] = 0;
  for (int row = basisCount; row < blocked; ++row)
    for (int p = 0; p < used; ++p) set->projectedX[row * stride + p] = set->projectedY[row * stride + p] = 0;
}

// V = T + B·c for the gathered points: per point the same sum, in the same order, as
// T_i[d] + Σ_k B[(i·3 + d)·K + k]·c_k; chunked over points, TTP_DEFORM_CHUNKS chunks of all three
// coordinates at a time with their sums in registers over k (independent chains of additions).
constexpr int TTP_DEFORM_CHUNKS = 4;

template <typename Real>
MESHRT_HD inline void ttpDeformPoints(const Real* coefficients, TtpPointSet<Real>* set) {
  const int k = set->basisCount;
  const int stride = set->stride;
  TtpLanes<Real> factors[TTP_MAX_BASIS];
  for (int j = 0; j < k; ++j) factors[j] = ttpBroadcastLanes(coefficients[j]);
  const int wholeEnd = set->padded - set->padded % (TTP_DEFORM_CHUNKS * TTP_LANES);
  for (int p = 0; p < wholeEnd; p += TTP_DEFORM_CHUNKS * TTP_LANES) {
    TtpLanes<Real> sums[3][TTP_DEFORM_CHUNKS];
    for (int d = 0; d < 3; ++d)
      for (int c = 0; c < TTP_DEFORM_CHUNKS; ++c) sums[d][c] = ttpLoadLanes(set->templ[d] + p + c * TTP_LANES);
    for (int j = 0; j < k; ++j)
      for (int d = 0; d < 3; ++d) {
        const Real* row = set->basis + (d * k + j) * stride + p;
        for (int c = 0; c < TTP_DEFORM_CHUNKS; ++c) sums[d][c] = sums[d][c] + ttpLoadLanes(row + c * TTP_LANES) * factors[j];
      }
    for (int d = 0; d < 3; ++d)
      for (int c = 0; c < TTP_DEFORM_CHUNKS; ++c) ttpStoreLanes(sums[d][c], set->deformed[d] + p + c * TTP_LANES);
  }
  for (int d = 0; d < 3; ++d) {
    const Real* rows = set->basis + d * k * stride;
    for (int p = wholeEnd; p < set->padded; p += TTP_LANES) {
      TtpLanes<Real> sum = ttpLoadLanes(set->templ[d] + p);
      for (int j = 0; j < k; ++j) sum = sum + ttpLoadLanes(rows + j * stride + p) * factors[j];
      ttpStoreLanes(sum, set->deformed[d] + p);
    }
  }
}

// Weighted centroids ū (2) and V̄ (3) under the weights in use; returns their sum.
template <typename Real>
MESHRT_HD inline Real ttpPointCentroids(const TtpPointSet<Real>& set, Real* pointMean, Real* vertexMean) {
  TtpLanes<Real> sums[6];  // Σw, Σw·u_x, Σw·u_y, Σw·V_x, Σw·V_y, Σw·V_z
  for (int s = 0; s < 6; ++s) sums[s] = ttpBroadcastLanes(Real(0));
  for (int p = 0; p < set.padded; p += TTP_LANES) {
    const TtpLanes<Real> w = ttpLoadLanes(set.weight + p);
    sums[0] = sums[0] + w;
    sums[1] = sums[1] + w * ttpLoadLanes(set.pointX + p);
    sums[2] = sums[2] + w * ttpLoadLanes(set.pointY + p);
    for (int d = 0; d < 3; ++d) sums[3 + d] = sums[3 + d] + w * ttpLoadLanes(set.deformed[d] + p);
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

// The residuals u − (s·P·R·V + t) of the chunk at p (x into ex, y into ey).
template <typename Real>
MESHRT_HD inline void ttpChunkResiduals(const TtpPointSet<Real>& set, int p, const TtpLanes<Real>* projection,
                                        const TtpLanes<Real>* translation, TtpLanes<Real>* ex, TtpLanes<Real>* ey) {
  const TtpLanes<Real> v0 = ttpLoadLanes(set.deformed[0] + p);
  const TtpLanes<Real> v1 = ttpLoadLanes(set.deformed[1] + p);
  const TtpLanes<Real> v2 = ttpLoadLanes(set.deformed[2] + p);
  *ex = ttpLoadLanes(set.pointX + p) - (projection[0] * v0 + projection[1] * v1 + projection[2] * v2) - translation[0];
  *ey = ttpLoadLanes(set.pointY + p) - (projection[3] * v0 + projection[4] * v1 + projection[5] * v2) - translation[1];
}

// s·P·R (6) and t (2), each value in every lane.
template <typename Real>
MESHRT_HD inline void ttpBroadcastPose(const Real* rotation, Real scale, const Real* translation,
                                       TtpLanes<Real>* projection, TtpLanes<Real>* shift) {
  for (int j = 0; j < 6; ++j) projection[j] = ttpBroadcastLanes(scale * rotation[j]);
  for (int e = 0; e < 2; ++e) shift[e] = ttpBroadcastLanes(translation[e]);
}

// Σ v_i |u_i − (s·P·R·V_i + t)|²: the data term of eq. 4 (original weights v).
template <typename Real>
MESHRT_HD inline Real ttpDataLoss(const TtpPointSet<Real>& set, const Real* rotation, Real scale, const Real* translation) {
  TtpLanes<Real> projection[6], shift[2];
  ttpBroadcastPose(rotation, scale, translation, projection, shift);
  TtpLanes<Real> sum = ttpBroadcastLanes(Real(0));
  for (int p = 0; p < set.padded; p += TTP_LANES) {
    TtpLanes<Real> ex, ey;
    ttpChunkResiduals(set, p, projection, shift, &ex, &ey);
    sum = sum + ttpLoadLanes(set.visibility + p) * (ex * ex + ey * ey);
  }
  return ttpSumLanes(sum);
}

// Cauchy IRLS: weight_i = v_i / (1 + |e_i|²/τ²) at the current fit (τ in normalized units).
template <typename Real>
MESHRT_HD inline void ttpRobustWeights(const Real* rotation, Real scale, const Real* translation, Real tau,
                                       TtpPointSet<Real>* set) {
  TtpLanes<Real> projection[6], shift[2];
  ttpBroadcastPose(rotation, scale, translation, projection, shift);
  const Real tau2 = tau * tau;
  for (int p = 0; p < set->padded; p += TTP_LANES) {
    TtpLanes<Real> ex, ey;
    ttpChunkResiduals(*set, p, projection, shift, &ex, &ey);
    Real squared[TTP_LANES];
    ttpStoreLanes(ex * ex + ey * ey, squared);
    for (int l = 0; l < TTP_LANES; ++l) set->weight[p + l] = set->visibility[p + l] / (Real(1) + squared[l] / tau2);
  }
}

}  // namespace meshrt
