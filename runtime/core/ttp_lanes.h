// TtpLanes<Real>: TTP_LANES Reals with element-wise + and ×, the unit of the TTP solver's
// chunked loops. In host code built by GCC or Clang it is a compiler vector (one AVX register, or
// two SSE registers), which the compiler keeps in registers; in CUDA sources it is a plain
// array. Either way each operation is the same IEEE operation per lane, in the same order, so
// both give the same bits.
#pragma once

#include <string.h>

#include "core/hd.h"

namespace meshrt {

// Inner loops run over chunks of this fixed length (8 floats = one AVX register).
constexpr int TTP_LANES = 8;

#if defined(__GNUC__) && !defined(__CUDACC__)
#define MESHRT_TTP_COMPILER_VECTORS 1
#else
#define MESHRT_TTP_COMPILER_VECTORS 0
#endif

template <typename Real>
struct TtpLanes {
#if MESHRT_TTP_COMPILER_VECTORS
  typedef Real Vector __attribute__((vector_size(TTP_LANES * sizeof(Real))));
  Vector v;
#else
  Real v[TTP_LANES];
#endif
};

template <typename Real>
MESHRT_HD inline TtpLanes<Real> ttpLoadLanes(const Real* values) {
  TtpLanes<Real> out;
  memcpy(&out.v, values, sizeof(out.v));
  return out;
}

template <typename Real>
MESHRT_HD inline void ttpStoreLanes(const TtpLanes<Real>& lanes, Real* values) {
  memcpy(values, &lanes.v, sizeof(lanes.v));
}

template <typename Real>
MESHRT_HD inline TtpLanes<Real> ttpBroadcastLanes(Real value) {
  TtpLanes<Real> out;
  for (int l = 0; l < TTP_LANES; ++l) out.v[l] = value;
  return out;
}

template <typename Real>
MESHRT_HD inline TtpLanes<Real> operator+(const TtpLanes<Real>& a, const TtpLanes<Real>& b) {
#if MESHRT_TTP_COMPILER_VECTORS
  return {a.v + b.v};
#else
  TtpLanes<Real> out;
  for (int l = 0; l < TTP_LANES; ++l) out.v[l] = a.v[l] + b.v[l];
  return out;
#endif
}

template <typename Real>
MESHRT_HD inline TtpLanes<Real> operator-(const TtpLanes<Real>& a, const TtpLanes<Real>& b) {
#if MESHRT_TTP_COMPILER_VECTORS
  return {a.v - b.v};
#else
  TtpLanes<Real> out;
  for (int l = 0; l < TTP_LANES; ++l) out.v[l] = a.v[l] - b.v[l];
  return out;
#endif
}

template <typename Real>
MESHRT_HD inline TtpLanes<Real> operator*(const TtpLanes<Real>& a, const TtpLanes<Real>& b) {
#if MESHRT_TTP_COMPILER_VECTORS
  return {a.v * b.v};
#else
  TtpLanes<Real> out;
  for (int l = 0; l < TTP_LANES; ++l) out.v[l] = a.v[l] * b.v[l];
  return out;
#endif
}

// Transposes TTP_LANES rows of TTP_LANES values in place: rows[r].v[c] ↔ rows[c].v[r]. Pure data
// movement (three shuffle stages on compiler vectors, a swap loop otherwise).
template <typename Real>
MESHRT_HD inline void ttpTransposeLanes(TtpLanes<Real>* rows) {
#if MESHRT_TTP_COMPILER_VECTORS
  static_assert(TTP_LANES == 8, "the shuffle stages below are written for 8 lanes");
  typedef typename TtpLanes<Real>::Vector V;
  V t[8], u[8];
  for (int i = 0; i < 8; i += 2) {  // t: rows 2i, 2i+1 interleaved (within each half)
    t[i] = __builtin_shufflevector(rows[i].v, rows[i + 1].v, 0, 8, 1, 9, 4, 12, 5, 13);
    t[i + 1] = __builtin_shufflevector(rows[i].v, rows[i + 1].v, 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int i = 0; i < 8; i += 4) {  // u: four rows' values of one column per half
    u[i] = __builtin_shufflevector(t[i], t[i + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    u[i + 1] = __builtin_shufflevector(t[i], t[i + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    u[i + 2] = __builtin_shufflevector(t[i + 1], t[i + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    u[i + 3] = __builtin_shufflevector(t[i + 1], t[i + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  for (int c = 0; c < 4; ++c) {  // columns c and c + 4 from rows 0–3 and 4–7
    rows[c].v = __builtin_shufflevector(u[c], u[c + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    rows[c + 4].v = __builtin_shufflevector(u[c], u[c + 4], 4, 5, 6, 7, 12, 13, 14, 15);
  }
#else
  for (int r = 0; r < TTP_LANES; ++r)
    for (int c = r + 1; c < TTP_LANES; ++c) {
      const Real value = rows[r].v[c];
      rows[r].v[c] = rows[c].v[r];
      rows[c].v[r] = value;
    }
#endif
}

// The lanes' sum in a fixed tree order (lane l + lane l + width, halving the width).
template <typename Real>
MESHRT_HD inline Real ttpSumLanes(const TtpLanes<Real>& lanes) {
  Real values[TTP_LANES];
  memcpy(values, &lanes.v, sizeof(values));
  for (int width = TTP_LANES / 2; width > 0; width /= 2)
    for (int l = 0; l < width; ++l) values[l] += values[l + width];
  return values[0];
}

}  // namespace meshrt
