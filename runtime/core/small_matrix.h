// Small dense linear algebra for per-sample solvers: row-major fixed-size arrays on the stack,
// no heap, no exceptions, so CUDA kernels (C++17, MESHRT_HD) and the CPU run the same code.
#pragma once

#include <math.h>

#include "core/hd.h"

namespace meshrt {

// Solves A x = b for symmetric positive definite A (n×n, row-major, leading dimension lda)
// by Cholesky. A's lower triangle is overwritten with L; b is overwritten with x.
// Returns false (A and b then hold partial results) when a pivot is not positive.
template <typename Real>
MESHRT_HD inline bool choleskySolve(Real* a, Real* b, int n, int lda) {
  for (int j = 0; j < n; ++j) {
    Real diagonal = a[j * lda + j];
    for (int k = 0; k < j; ++k) diagonal -= a[j * lda + k] * a[j * lda + k];
    if (!(diagonal > Real(0))) return false;
    const Real pivot = sqrt(diagonal);
    a[j * lda + j] = pivot;
    for (int i = j + 1; i < n; ++i) {
      Real value = a[i * lda + j];
      for (int k = 0; k < j; ++k) value -= a[i * lda + k] * a[j * lda + k];
      a[i * lda + j] = value / pivot;
    }
  }
  for (int i = 0; i < n; ++i) {  // L y = b
    Real value = b[i];
    for (int k = 0; k < i; ++k) value -= a[i * lda + k] * b[k];
    b[i] = value / a[i * lda + i];
  }
  for (int i = n - 1; i >= 0; --i) {  // L^T x = y
    Real value = b[i];
    for (int k = i + 1; k < n; ++k) value -= a[k * lda + i] * b[k];
    b[i] = value / a[i * lda + i];
  }
  return true;
}

// Cyclic Jacobi eigen-decomposition of a symmetric n×n matrix (row-major, lda = n).
// On return a's diagonal holds the eigenvalues and column j of vectors (n×n, row-major)
// the eigenvector of a[j][j]. a's off-diagonal entries are destroyed.
template <typename Real>
MESHRT_HD inline void jacobiEigenSymmetric(Real* a, Real* vectors, int n, int sweeps = 30) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) vectors[i * n + j] = i == j ? Real(1) : Real(0);
  for (int sweep = 0; sweep < sweeps; ++sweep) {
    Real offDiagonal = 0;
    Real diagonal = 0;
    for (int i = 0; i < n; ++i) {
      diagonal += a[i * n + i] * a[i * n + i];
      for (int j = i + 1; j < n; ++j) offDiagonal += a[i * n + j] * a[i * n + j];
    }
    if (offDiagonal <= Real(1e-30) * diagonal || offDiagonal == Real(0)) return;
    for (int p = 0; p < n; ++p) {
      for (int q = p + 1; q < n; ++q) {
        const Real apq = a[p * n + q];
        if (apq == Real(0)) continue;
        const Real theta = (a[q * n + q] - a[p * n + p]) / (Real(2) * apq);
        const Real t = (theta >= Real(0) ? Real(1) : Real(-1)) / (fabs(theta) + sqrt(theta * theta + Real(1)));
        const Real c = Real(1) / sqrt(t * t + Real(1));
        const Real s = t * c;
        for (int k = 0; k < n; ++k) {  // columns p, q
          const Real akp = a[k * n + p];
          const Real akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; ++k) {  // rows p, q
          const Real apk = a[p * n + k];
          const Real aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; ++k) {
          const Real vkp = vectors[k * n + p];
          const Real vkq = vectors[k * n + q];
          vectors[k * n + p] = c * vkp - s * vkq;
          vectors[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
}

template <typename Real>
MESHRT_HD inline Real dot3(const Real* a, const Real* b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

template <typename Real>
MESHRT_HD inline void cross3(const Real* a, const Real* b, Real* out) {
  out[0] = a[1] * b[2] - a[2] * b[1];
  out[1] = a[2] * b[0] - a[0] * b[2];
  out[2] = a[0] * b[1] - a[1] * b[0];
}

// out = m · v, m 3×3 row-major.
template <typename Real>
MESHRT_HD inline void mul33x3(const Real* m, const Real* v, Real* out) {
  out[0] = m[0] * v[0] + m[1] * v[1] + m[2] * v[2];
  out[1] = m[3] * v[0] + m[4] * v[1] + m[5] * v[2];
  out[2] = m[6] * v[0] + m[7] * v[1] + m[8] * v[2];
}

// out = a · b, all 3×3 row-major; out must not alias a or b.
template <typename Real>
MESHRT_HD inline void mul33(const Real* a, const Real* b, Real* out) {
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) out[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
}

}  // namespace meshrt
