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
