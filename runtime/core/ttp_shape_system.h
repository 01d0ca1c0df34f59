// The TTP shape step (paper 002, eq. 7) on the gathered point set (core/ttp_point_set.h):
//   c = (Σ_i w_i Ω_iᵀ Ω_i + γI)⁻¹ Σ_i w_i Ω_iᵀ Υ_i,  Ω_i = s·P·R·B_i (2×K),  Υ_i = u_i − s·P·R·T_i − t.
// Ω's two rows are written per basis field with the point index innermost (projectedX/Y row k,
// Υ in row blocked K), so the K×K matrix is a weighted Gram matrix of those rows: built in
// TTP_BLOCK × TTP_BLOCK blocks of the lower triangle (two rows at a time; on the diagonal only
// the entries c ≤ r rounded up to pairs), each summed over all points in TTP_LANES partial sums
// (vector operations), then Cholesky (which reads only c ≤ r). The same Gram kernel, on one row
// set, takes the basis moments of core/ttp_shape_moments.h. MESHRT_HD and heap-free.
#pragma once

#include "core/hd.h"
#include "core/small_matrix.h"
#include "core/ttp_point_set.h"

namespace meshrt {

// Which rows ttpWeightedGramBlock() multiplies, from two row arrays x and y.
enum TtpGramRows : int {
  TTP_GRAM_X = 1,           // x_r·x_c (y is not read)
  TTP_GRAM_X_AND_Y = 2,     // x_r·x_c + y_r·y_c (Ω's two rows)
  TTP_GRAM_X_PLUS_Y = 3,    // (x_r + y_r)·(x_c + y_c): the sum of two row sets, formed on the fly
};

// out (ROWS × COLS, row-major) = Σ_p w_p·(the ROWS product of row r and row c) for the rows
// r = row0 … row0 + ROWS − 1 and c = col0 … col0 + COLS − 1 of x and y (row stride `stride`),
// over the points p < padded. ROWS × COLS partial sums of TTP_LANES each (8 AVX registers for
// 2 × 4, 16 for 4 × 4).
template <int ROWS, int COLS, TtpGramRows MODE, typename Real>
MESHRT_HD inline void ttpWeightedGramBlock(const Real* weight, const Real* x, const Real* y, int stride, int padded,
                                           int row0, int col0, Real* out) {
  TtpLanes<Real> sums[ROWS][COLS];
  for (int r = 0; r < ROWS; ++r)
    for (int c = 0; c < COLS; ++c) sums[r][c] = ttpBroadcastLanes(Real(0));
  for (int p = 0; p < padded; p += TTP_LANES) {
    const TtpLanes<Real> w = ttpLoadLanes(weight + p);
    TtpLanes<Real> weightedX[ROWS];
    TtpLanes<Real> weightedY[ROWS];
    for (int r = 0; r < ROWS; ++r) {
      const TtpLanes<Real> xr = ttpLoadLanes(x + (row0 + r) * stride + p);
      if constexpr (MODE == TTP_GRAM_X_PLUS_Y) {
        weightedX[r] = w * (xr + ttpLoadLanes(y + (row0 + r) * stride + p));
      } else {
        weightedX[r] = w * xr;
        if constexpr (MODE == TTP_GRAM_X_AND_Y) weightedY[r] = w * ttpLoadLanes(y + (row0 + r) * stride + p);
      }
    }
    for (int c = 0; c < COLS; ++c) {
      const TtpLanes<Real> xc = ttpLoadLanes(x + (col0 + c) * stride + p);
      if constexpr (MODE == TTP_GRAM_X_AND_Y) {
        const TtpLanes<Real> yc = ttpLoadLanes(y + (col0 + c) * stride + p);
        for (int r = 0; r < ROWS; ++r) sums[r][c] = sums[r][c] + (weightedX[r] * xc + weightedY[r] * yc);
      } else if constexpr (MODE == TTP_GRAM_X_PLUS_Y) {
        const TtpLanes<Real> sc = xc + ttpLoadLanes(y + (col0 + c) * stride + p);
        for (int r = 0; r < ROWS; ++r) sums[r][c] = sums[r][c] + weightedX[r] * sc;
      } else {
        for (int r = 0; r < ROWS; ++r) sums[r][c] = sums[r][c] + weightedX[r] * xc;
      }
    }
  }
  for (int r = 0; r < ROWS; ++r)
    for (int c = 0; c < COLS; ++c) out[r * COLS + c] = ttpSumLanes(sums[r][c]);
}

// The lower triangle of the weighted Gram matrix of rows 0 … blocked − 1 (MODE as above) into a
// (leading dimension `blocked`, a multiple of TTP_BLOCK), in TTP_BLOCK × TTP_BLOCK blocks. Below
// the diagonal, one 4 × 4 call per block for one row set, two 2 × 4 halves for two (Ω's x and y
// rows need twice the registers per entry); on the diagonal rows 0–1 × columns 0–1, then rows
// 2–3 × columns 0–3 (the entries c ≤ r rounded up to pairs). Entries above the diagonal are
// not written.
template <TtpGramRows MODE, typename Real>
MESHRT_HD inline void ttpWeightedGramLower(const Real* weight, const Real* x, const Real* y, int stride, int padded,
                                           int blocked, Real* a) {
  constexpr int ROWS = MODE == TTP_GRAM_X_AND_Y ? 2 : TTP_BLOCK;
  Real block[TTP_BLOCK * TTP_BLOCK];
  for (int row0 = 0; row0 < blocked; row0 += TTP_BLOCK) {
    for (int col0 = 0; col0 < row0; col0 += TTP_BLOCK) {
      for (int part = 0; part < TTP_BLOCK; part += ROWS) {
        ttpWeightedGramBlock<ROWS, TTP_BLOCK, MODE>(weight, x, y, stride, padded, row0 + part, col0, block);
        for (int r = 0; r < ROWS; ++r)
          for (int c = 0; c < TTP_BLOCK; ++c) a[(row0 + part + r) * blocked + col0 + c] = block[r * TTP_BLOCK + c];
      }
    }
    ttpWeightedGramBlock<2, 2, MODE>(weight, x, y, stride, padded, row0, row0, block);
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 2; ++c) a[(row0 + r) * blocked + row0 + c] = block[r * 2 + c];
    ttpWeightedGramBlock<2, TTP_BLOCK, MODE>(weight, x, y, stride, padded, row0 + 2, row0, block);
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < TTP_BLOCK; ++c) a[(row0 + 2 + r) * blocked + row0 + c] = block[r * TTP_BLOCK + c];
  }
}

// Ω's rows and Υ at (R, s, t) into the set's projected rows.
template <typename Real>
MESHRT_HD inline void ttpProjectBasis(const Real* rotation, Real scale, const Real* translation, TtpPointSet<Real>* set) {
  const int k = set->basisCount;
  const int stride = set->stride;
  Real projection[6];  // s·P·R
  TtpLanes<Real> m[6];  // the same, in every lane
  for (int j = 0; j < 6; ++j) projection[j] = scale * rotation[j], m[j] = ttpBroadcastLanes(projection[j]);
  for (int j = 0; j < k; ++j) {
    const Real* b0 = set->basis + j * stride;  // B_i[0][j] of every point
    const Real* b1 = b0 + k * stride;
    const Real* b2 = b1 + k * stride;
    Real* ox = set->projectedX + j * stride;
    Real* oy = set->projectedY + j * stride;
    for (int p = 0; p < set->padded; p += TTP_LANES) {
      const TtpLanes<Real> c0 = ttpLoadLanes(b0 + p), c1 = ttpLoadLanes(b1 + p), c2 = ttpLoadLanes(b2 + p);
      ttpStoreLanes(m[0] * c0 + m[1] * c1 + m[2] * c2, ox + p);
      ttpStoreLanes(m[3] * c0 + m[4] * c1 + m[5] * c2, oy + p);
    }
  }
  Real* upsilonX = set->projectedX + ttpBlockedBasis(k) * stride;
  Real* upsilonY = set->projectedY + ttpBlockedBasis(k) * stride;
  for (int p = 0; p < set->padded; p += TTP_LANES) {
    Real t0[TTP_LANES], t1[TTP_LANES], t2[TTP_LANES], ux[TTP_LANES], uy[TTP_LANES];
    for (int l = 0; l < TTP_LANES; ++l) {
      t0[l] = set->templ[0][p + l], t1[l] = set->templ[1][p + l], t2[l] = set->templ[2][p + l];
      ux[l] = set->pointX[p + l], uy[l] = set->pointY[p + l];
    }
    for (int l = 0; l < TTP_LANES; ++l)
      upsilonX[p + l] = ux[l] - (projection[0] * t0[l] + projection[1] * t1[l] + projection[2] * t2[l]) - translation[0];
    for (int l = 0; l < TTP_LANES; ++l)
      upsilonY[p + l] = uy[l] - (projection[3] * t0[l] + projection[4] * t1[l] + projection[5] * t2[l]) - translation[1];
  }
}

// Shape step, eq. 7, under the weights in use. Returns false when the K×K matrix is not
// positive definite.
template <typename Real>
MESHRT_HD inline bool ttpShapeStep(const Real* rotation, Real scale, const Real* translation, Real gamma,
                                   TtpPointSet<Real>* set, Real* coefficients) {
  const int k = set->basisCount;
  const int blocked = ttpBlockedBasis(k);  // leading dimension of a
  ttpProjectBasis(rotation, scale, translation, set);
  Real a[TTP_MAX_BASIS * TTP_MAX_BASIS];  // lower triangle, leading dimension `blocked`
  Real b[TTP_MAX_BASIS];
  Real block[TTP_BLOCK];
  const Real* x = set->projectedX;
  const Real* y = set->projectedY;
  ttpWeightedGramLower<TTP_GRAM_X_AND_Y>(set->weight, x, y, set->stride, set->padded, blocked, a);
  for (int col0 = 0; col0 < blocked; col0 += TTP_BLOCK) {  // b: Υ's row against Ω's
    ttpWeightedGramBlock<1, TTP_BLOCK, TTP_GRAM_X_AND_Y>(set->weight, x, y, set->stride, set->padded, blocked, col0, block);
    for (int c = 0; c < TTP_BLOCK; ++c) b[col0 + c] = block[c];
  }
  for (int r = 0; r < k; ++r) a[r * blocked + r] += gamma;
  if (!choleskySolve(a, b, k, blocked)) return false;
  for (int r = 0; r < k; ++r) coefficients[r] = b[r];
  return true;
}

}  // namespace meshrt
