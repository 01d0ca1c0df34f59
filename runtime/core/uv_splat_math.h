// Per-element math of the UV splat stage (paper 000, A.1), written once for float (the CPU
// reference, operation by operation what shaders/include/uv_splat_math.glsl does) and double
// (the finite-difference tests). Compile with -ffp-contract=off: no fused multiply-add.
//
// Texel space: q = (u * Wt - 0.5, v * Ht - 0.5), so texel (i, j) has its centre at (i, j).
// Quad Q = y * (W - 1) + x has corners, in ring order, p1 = (x, y), p2 = (x + 1, y),
// p3 = (x + 1, y + 1), p4 = (x, y + 1) (pixels).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/hd.h"
#include "uv_splat_params.h"

namespace meshrt::uvsplat {

// The four corners of one pixel quad in texel space, ring order.
template <typename T>
struct Quad {
  T x[4];
  T y[4];
};

// Where a texel point lies in a quad: P(s, t) = (1-s)(1-t) q1 + s(1-t) q2 + s t q3 + (1-s) t q4.
template <typename T>
struct QuadPoint {
  T s;
  T t;
};

template <typename T>
MESHRT_HD inline T cross2(T ax, T ay, T bx, T by) {
  return ax * by - ay * bx;
}

// Inverse bilinear map: finds (s, t) in [0, 1]^2 with P(s, t) = (px, py). Returns false when
// the point is outside the quad. Candidate order and tests as in docs (issue 4): t = k0 / qq
// first, then t = qq / k2; a zero denominator fails the candidate.
template <typename T>
MESHRT_HD inline bool inverseBilinear(const Quad<T>& q, T px, T py, QuadPoint<T>& out) {
  const T ex = q.x[1] - q.x[0], ey = q.y[1] - q.y[0];
  const T fx = q.x[3] - q.x[0], fy = q.y[3] - q.y[0];
  const T gx = q.x[0] - q.x[1] + q.x[2] - q.x[3], gy = q.y[0] - q.y[1] + q.y[2] - q.y[3];
  const T hx = px - q.x[0], hy = py - q.y[0];
  const T k2 = cross2(gx, gy, fx, fy);
  const T k1 = cross2(ex, ey, fx, fy) + cross2(hx, hy, gx, gy);
  const T k0 = cross2(hx, hy, ex, ey);
  const T disc = k1 * k1 - T(4) * k0 * k2;
  if (!(disc >= T(0))) return false;
  const T sq = std::sqrt(disc);
  const T qq = T(-0.5) * (k1 + (k1 >= T(0) ? sq : -sq));
  for (int candidate = 0; candidate < 2; ++candidate) {
    const T denominator = candidate == 0 ? qq : k2;
    if (denominator == T(0)) continue;
    const T t = candidate == 0 ? k0 / qq : qq / k2;
    if (!(t >= T(0) && t <= T(1))) continue;
    const T dx = ex + t * gx, dy = ey + t * gy;
    const bool useX = std::fabs(dx) >= std::fabs(dy);
    const T sDenominator = useX ? dx : dy;
    if (sDenominator == T(0)) continue;
    const T s = useX ? (hx - t * fx) / dx : (hy - t * fy) / dy;
    if (!(s >= T(0) && s <= T(1))) continue;
    out.s = s;
    out.t = t;
    return true;
  }
  return false;
}

// Bilinear weights of the corners p1..p4 at (s, t); they sum to 1.
template <typename T>
MESHRT_HD inline void cornerWeights(QuadPoint<T> point, T w[4]) {
  const T s = point.s, t = point.t;
  w[0] = (T(1) - s) * (T(1) - t);
  w[1] = s * (T(1) - t);
  w[2] = s * t;
  w[3] = (T(1) - s) * t;
}

// Pixel index (y * W + x) of corner k (0..3) of quad (qx, qy).
MESHRT_HD inline uint32_t cornerPixel(uint32_t qx, uint32_t qy, uint32_t width, int k) {
  const uint32_t dx = (k == 1 || k == 2) ? 1u : 0u;
  const uint32_t dy = (k >= 2) ? 1u : 0u;
  return (qy + dy) * width + qx + dx;
}

// Texel-space position of a UV coordinate on an axis with `size` texels.
template <typename T>
MESHRT_HD inline T toTexel(T uv, uint32_t size) {
  return uv * T(size) - T(0.5);
}

// Candidate texels of a quad: [i0, i1] x [j0, j1], empty when i0 > i1 or j0 > j1.
struct TexelRange {
  int32_t i0, i1, j0, j1;
};

template <typename T>
MESHRT_HD inline TexelRange candidateTexels(const Quad<T>& q, uint32_t textureWidth, uint32_t textureHeight) {
  T minX = q.x[0], maxX = q.x[0], minY = q.y[0], maxY = q.y[0];
  for (int k = 1; k < 4; ++k) {
    minX = std::min(minX, q.x[k]);
    maxX = std::max(maxX, q.x[k]);
    minY = std::min(minY, q.y[k]);
    maxY = std::max(maxY, q.y[k]);
  }
  // Clamp in floating point first, so far-away (finite) UVs never overflow the integer conversion.
  const T lowX = std::max(T(0), std::ceil(minX)), highX = std::min(T(textureWidth - 1), std::floor(maxX));
  const T lowY = std::max(T(0), std::ceil(minY)), highY = std::min(T(textureHeight - 1), std::floor(maxY));
  if (!(lowX <= highX) || !(lowY <= highY)) return {1, 0, 1, 0};
  return {int32_t(lowX), int32_t(highX), int32_t(lowY), int32_t(highY)};
}

// Whether quad (qx, qy) is used, and its corners in texel space. `uvs` holds u, v at
// uvs[pixel * uvStride + uvOffset + {0, 1}]; onObject(pixel) says whether the pixel is masked in.
template <typename T, typename OnObject>
MESHRT_HD inline bool loadQuad(const T* uvs, uint32_t uvStride, uint32_t uvOffset, OnObject onObject, uint32_t qx,
                               uint32_t qy, uint32_t width, uint32_t textureWidth, uint32_t textureHeight,
                               T maxQuadExtent, Quad<T>& quad) {
  T u[4], v[4];
  for (int k = 0; k < 4; ++k) {
    const uint32_t pixel = cornerPixel(qx, qy, width, k);
    if (!onObject(pixel)) return false;
    u[k] = uvs[size_t{pixel} * uvStride + uvOffset];
    v[k] = uvs[size_t{pixel} * uvStride + uvOffset + 1];
    if (!std::isfinite(u[k]) || !std::isfinite(v[k])) return false;
  }
  T minU = u[0], maxU = u[0], minV = v[0], maxV = v[0];
  for (int k = 1; k < 4; ++k) {
    minU = std::min(minU, u[k]);
    maxU = std::max(maxU, u[k]);
    minV = std::min(minV, v[k]);
    maxV = std::max(maxV, v[k]);
  }
  if (!(maxU - minU <= maxQuadExtent) || !(maxV - minV <= maxQuadExtent)) return false;
  for (int k = 0; k < 4; ++k) {
    quad.x[k] = toTexel(u[k], textureWidth);
    quad.y[k] = toTexel(v[k], textureHeight);
  }
  return true;
}

// Inserts quad index `key` into a texel's `capacity` ascending slots (UV_SPLAT_NO_QUAD = empty),
// the way the GPU's chain of atomicMin does. Returns false when a key fell off the end.
MESHRT_HD inline bool lutInsert(uint32_t* slots, uint32_t capacity, uint32_t key) {
  uint32_t carry = key;
  for (uint32_t slot = 0; slot < capacity; ++slot) {
    const uint32_t old = slots[slot];
    slots[slot] = std::min(old, carry);
    carry = std::max(old, carry);
    if (carry == 0xFFFFFFFFu) return true;
  }
  return false;
}

// d(loss)/d(corner texel positions) of one (texel, quad) entry. dw[k] = dL/dw_k; returns false
// (no UV gradient) when the Jacobian [e + t g | f + s g] is singular. lambda = -J^{-T} (gs, gt);
// dL/dq_k = w_k * lambda.
template <typename T>
MESHRT_HD inline bool positionGradient(const Quad<T>& q, QuadPoint<T> point, const T dw[4], T& lambdaX, T& lambdaY) {
  const T s = point.s, t = point.t;
  const T gs = dw[0] * -(T(1) - t) + dw[1] * (T(1) - t) + dw[2] * t + dw[3] * -t;
  // Terms paired so that equal dw cancel exactly (the weights' derivatives sum to 0): a constant
  // image gives a UV gradient of exactly 0 (docs/UV_SPLAT.md "The texture term cancels").
  const T gt = dw[0] * -(T(1) - s) + dw[3] * (T(1) - s) + dw[1] * -s + dw[2] * s;
  const T ex = q.x[1] - q.x[0], ey = q.y[1] - q.y[0];
  const T fx = q.x[3] - q.x[0], fy = q.y[3] - q.y[0];
  const T gx = q.x[0] - q.x[1] + q.x[2] - q.x[3], gy = q.y[0] - q.y[1] + q.y[2] - q.y[3];
  const T j00 = ex + t * gx, j10 = ey + t * gy;  // column dP/ds
  const T j01 = fx + s * gx, j11 = fy + s * gy;  // column dP/dt
  const T det = j00 * j11 - j01 * j10;
  if (det == T(0)) return false;
  lambdaX = -(j11 * gs - j10 * gt) / det;
  lambdaY = -(j00 * gt - j01 * gs) / det;
  return true;
}

// Backward contributions in 64-bit fixed point (UV_SPLAT_GRAD_SCALE): integer sums do not
// depend on the order of the atomics. NaN contributes 0.
MESHRT_HD inline int64_t toFixedPoint(float value) {
  if (!(value == value)) return 0;
  const float scaled = std::min(std::max(value * float(UV_SPLAT_GRAD_SCALE), -float(UV_SPLAT_GRAD_LIMIT)),
                                float(UV_SPLAT_GRAD_LIMIT));
  return int64_t(std::nearbyint(scaled));
}

MESHRT_HD inline float fromFixedPoint(int64_t value) { return float(double(value) / UV_SPLAT_GRAD_SCALE); }

// Bilinear texture lookup for rendering: texel (i, j) has its centre at ((i + 0.5) / Wt,
// (j + 0.5) / Ht) in UV; clamp to edge. Taps index one [Ht][Wt] plane.
struct BilinearTaps {
  uint32_t index[4];  // (i0, j0), (i1, j0), (i0, j1), (i1, j1)
  float fx, fy;       // fractions towards i1 and j1
};

MESHRT_HD inline BilinearTaps bilinearTaps(float u, float v, uint32_t textureWidth, uint32_t textureHeight) {
  // Clamp before flooring so far-away UVs cannot overflow; beyond [-1, size] every tap is an edge texel.
  const float x = std::min(std::max(u * float(textureWidth) - 0.5f, -1.0f), float(textureWidth));
  const float y = std::min(std::max(v * float(textureHeight) - 0.5f, -1.0f), float(textureHeight));
  const float x0 = std::floor(x), y0 = std::floor(y);
  const int32_t maxI = int32_t(textureWidth) - 1, maxJ = int32_t(textureHeight) - 1;
  const uint32_t i0 = uint32_t(std::min(std::max(int32_t(x0), 0), maxI));
  const uint32_t i1 = uint32_t(std::min(std::max(int32_t(x0) + 1, 0), maxI));
  const uint32_t j0 = uint32_t(std::min(std::max(int32_t(y0), 0), maxJ));
  const uint32_t j1 = uint32_t(std::min(std::max(int32_t(y0) + 1, 0), maxJ));
  return {{j0 * textureWidth + i0, j0 * textureWidth + i1, j1 * textureWidth + i0, j1 * textureWidth + i1}, x - x0, y - y0};
}

MESHRT_HD inline float bilinearSample(const float* plane, const BilinearTaps& taps) {
  const float top = plane[taps.index[0]] * (1.0f - taps.fx) + plane[taps.index[1]] * taps.fx;
  const float bottom = plane[taps.index[2]] * (1.0f - taps.fx) + plane[taps.index[3]] * taps.fx;
  return top * (1.0f - taps.fy) + bottom * taps.fy;
}

}  // namespace meshrt::uvsplat
