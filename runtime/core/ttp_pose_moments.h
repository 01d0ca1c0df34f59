// The TTP pose step's sufficient statistics (paper 002, eq. 5, weak perspective): with t
// eliminated by centring, the residual of point i at (R, s) is e_i(R, s) = d_i − s·P·R·q_i
// (d_i = u_i − ū, q_i = V_i − V̄, P = the first two rows). One pass over the points at an anchor
// A = s₀·P·R₀ gives e_i = d_i − A·q_i and three moments; after that the cost, the gradient and
// the Gauss–Newton matrix of every Levenberg–Marquardt iteration are O(1), not O(N):
//   e_i(R, s) = e_i − L·q_i with L = s·P·R − A (2×3), so
//   cost      = E − 2·tr(L·Q) + tr(L·S·Lᵀ),
//   Σ w_i (R q_i) e_i(R, s)ᵀ = R·(Q − S·Lᵀ),   Σ w_i (R q_i)(R q_i)ᵀ = R·S·Rᵀ.
// The moments are taken about the anchor's residuals (small once the fit is close), so the
// cost keeps its precision near the minimum instead of being a difference of large sums.
// MESHRT_HD and heap-free like core/ttp_solver_math.h, which uses it.
#pragma once

#include "core/hd.h"
#include "core/ttp_point_set.h"

namespace meshrt {

template <typename Real>
struct TtpPoseMoments {
  Real anchor[6];    // A = s₀·P·R₀, 2×3 row-major (normalized units per object unit)
  Real residual;     // E = Σ w_i |e_i|² at the anchor (normalized units²)
  Real cross[6];     // Q = Σ w_i q_i e_iᵀ, 3×2 row-major
  Real second[9];    // S = Σ w_i q_i q_iᵀ, 3×3 row-major, symmetric
};

// One pass over the points: the moments of the centred residuals at anchor = s·P·R (2×3),
// under the weights in use; pointMean ū (2), vertexMean V̄ (3).
template <typename Real>
MESHRT_HD inline void ttpPoseMomentsAt(const TtpPointSet<Real>& set, const Real* pointMean, const Real* vertexMean,
                                       const Real* anchor, TtpPoseMoments<Real>* moments) {
  // Per lane: E, Q (6, row-major 3×2), S's lower triangle S00, S10, S11, S20, S21, S22.
  TtpLanes<Real> sums[13];
  for (int s = 0; s < 13; ++s) sums[s] = ttpBroadcastLanes(Real(0));
  TtpLanes<Real> a[6], mean[5];
  for (int j = 0; j < 6; ++j) a[j] = ttpBroadcastLanes(anchor[j]);
  for (int d = 0; d < 3; ++d) mean[d] = ttpBroadcastLanes(vertexMean[d]);
  mean[3] = ttpBroadcastLanes(pointMean[0]), mean[4] = ttpBroadcastLanes(pointMean[1]);
  for (int p = 0; p < set.padded; p += TTP_LANES) {
    const TtpLanes<Real> w = ttpLoadLanes(set.weight + p);
    const TtpLanes<Real> q0 = ttpLoadLanes(set.deformed[0] + p) - mean[0];
    const TtpLanes<Real> q1 = ttpLoadLanes(set.deformed[1] + p) - mean[1];
    const TtpLanes<Real> q2 = ttpLoadLanes(set.deformed[2] + p) - mean[2];
    const TtpLanes<Real> ex = ttpLoadLanes(set.pointX + p) - mean[3] - (a[0] * q0 + a[1] * q1 + a[2] * q2);
    const TtpLanes<Real> ey = ttpLoadLanes(set.pointY + p) - mean[4] - (a[3] * q0 + a[4] * q1 + a[5] * q2);
    const TtpLanes<Real> wq0 = w * q0, wq1 = w * q1, wq2 = w * q2;
    sums[0] = sums[0] + w * (ex * ex + ey * ey);
    sums[1] = sums[1] + wq0 * ex, sums[2] = sums[2] + wq0 * ey;
    sums[3] = sums[3] + wq1 * ex, sums[4] = sums[4] + wq1 * ey;
    sums[5] = sums[5] + wq2 * ex, sums[6] = sums[6] + wq2 * ey;
    sums[7] = sums[7] + wq0 * q0;
    sums[8] = sums[8] + wq1 * q0, sums[9] = sums[9] + wq1 * q1;
    sums[10] = sums[10] + wq2 * q0, sums[11] = sums[11] + wq2 * q1, sums[12] = sums[12] + wq2 * q2;
  }
  Real total[13];
  for (int s = 0; s < 13; ++s) total[s] = ttpSumLanes(sums[s]);
  for (int j = 0; j < 6; ++j) moments->anchor[j] = anchor[j];
  moments->residual = total[0];
  for (int j = 0; j < 6; ++j) moments->cross[j] = total[1 + j];
  const Real second[9] = {total[7], total[8], total[10], total[8], total[9], total[11], total[10], total[11], total[12]};
  for (int j = 0; j < 9; ++j) moments->second[j] = second[j];
}

// L = s·P·R − A (2×3 row-major): how far (R, s) has moved the projection from the anchor.
template <typename Real>
MESHRT_HD inline void ttpPoseOffset(const TtpPoseMoments<Real>& moments, const Real* rotation, Real scale, Real* offset) {
  for (int j = 0; j < 6; ++j) offset[j] = scale * rotation[j] - moments.anchor[j];
}

// Σ w_i |e_i(R, s)|²: the centred data term of eq. 4 at (R, s).
template <typename Real>
MESHRT_HD inline Real ttpPoseCost(const TtpPoseMoments<Real>& moments, const Real* rotation, Real scale) {
  Real offset[6];
  ttpPoseOffset(moments, rotation, scale, offset);
  Real linear = 0;     // tr(L·Q)
  Real quadratic = 0;  // tr(L·S·Lᵀ)
  for (int e = 0; e < 2; ++e) {
    const Real* l = offset + e * 3;
    for (int a = 0; a < 3; ++a) {
      linear += l[a] * moments.cross[a * 2 + e];
      const Real* s = moments.second + a * 3;
      quadratic += l[a] * (s[0] * l[0] + s[1] * l[1] + s[2] * l[2]);
    }
  }
  return moments.residual - Real(2) * linear + quadratic;
}

// The Gauss–Newton system of the pose step at (R, s): hessian = Σ w_i J_iᵀ J_i (4×4
// row-major) and gradient = Σ w_i J_iᵀ e_i(R, s) (4), with J_i = ∂(s·P·R·q_i)/∂(δ, s) for the
// left update R ← exp([δ]x)·R: rows (0, s·w_z, −s·w_y, w_x) and (−s·w_z, 0, s·w_x, w_y), w = R·q_i.
template <typename Real>
MESHRT_HD inline void ttpPoseNormalEquations(const TtpPoseMoments<Real>& moments, const Real* rotation, Real scale,
                                             Real* hessian, Real* gradient) {
  Real offset[6];
  ttpPoseOffset(moments, rotation, scale, offset);
  Real centred[6];  // Q − S·Lᵀ = Σ w_i q_i e_i(R, s)ᵀ, 3×2
  for (int a = 0; a < 3; ++a) {
    const Real* s = moments.second + a * 3;
    for (int e = 0; e < 2; ++e) {
      const Real* l = offset + e * 3;
      centred[a * 2 + e] = moments.cross[a * 2 + e] - (s[0] * l[0] + s[1] * l[1] + s[2] * l[2]);
    }
  }
  Real rs[9];   // R·S
  Real sw[9];   // R·S·Rᵀ = Σ w_i w_i w_iᵀ
  Real cw[6];   // R·(Q − S·Lᵀ) = Σ w_i w_i e_iᵀ, 3×2
  for (int r = 0; r < 3; ++r) {
    const Real* row = rotation + r * 3;
    for (int c = 0; c < 3; ++c) rs[r * 3 + c] = row[0] * moments.second[c] + row[1] * moments.second[3 + c] + row[2] * moments.second[6 + c];
    for (int e = 0; e < 2; ++e) cw[r * 2 + e] = row[0] * centred[e] + row[1] * centred[2 + e] + row[2] * centred[4 + e];
  }
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) {
      const Real* other = rotation + c * 3;
      sw[r * 3 + c] = rs[r * 3] * other[0] + rs[r * 3 + 1] * other[1] + rs[r * 3 + 2] * other[2];
    }
  const Real s = scale, s2 = scale * scale;
  const Real h[16] = {s2 * sw[8],  Real(0),     -s2 * sw[2],            -s * sw[5],
                      Real(0),     s2 * sw[8],  -s2 * sw[5],            s * sw[2],
                      -s2 * sw[2], -s2 * sw[5], s2 * (sw[0] + sw[4]),   Real(0),
                      -s * sw[5],  s * sw[2],   Real(0),                sw[0] + sw[4]};
  for (int j = 0; j < 16; ++j) hessian[j] = h[j];
  gradient[0] = -s * cw[5];
  gradient[1] = s * cw[4];
  gradient[2] = s * (cw[1] - cw[2]);
  gradient[3] = cw[0] + cw[3];
}

}  // namespace meshrt
