// Rotations: axis-angle <-> 3×3 row-major matrices (DESIGN §5), and the nearest rotation to a
// matrix. MESHRT_HD and heap-free, shared by the CPU solvers and the CUDA kernels.
#pragma once

#include <math.h>

#include "core/hd.h"
#include "core/small_matrix.h"

namespace meshrt {

// R = exp([r]x) (Rodrigues); r is axis × angle in radians. Uses the Taylor series near 0.
template <typename Real>
MESHRT_HD inline void so3Exp(const Real* r, Real* rotation) {
  const Real theta2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
  Real a;  // sin(θ)/θ
  Real b;  // (1 - cos θ)/θ²
  if (theta2 < Real(1e-8)) {
    a = Real(1) - theta2 / Real(6);
    b = Real(0.5) - theta2 / Real(24);
  } else {
    const Real theta = sqrt(theta2);
    a = sin(theta) / theta;
    b = (Real(1) - cos(theta)) / theta2;
  }
  const Real x = r[0], y = r[1], z = r[2];
  rotation[0] = Real(1) - b * (y * y + z * z);
  rotation[1] = b * x * y - a * z;
  rotation[2] = b * x * z + a * y;
  rotation[3] = b * x * y + a * z;
  rotation[4] = Real(1) - b * (x * x + z * z);
  rotation[5] = b * y * z - a * x;
  rotation[6] = b * x * z - a * y;
  rotation[7] = b * y * z + a * x;
  rotation[8] = Real(1) - b * (x * x + y * y);
}

// Angle in radians of the rotation a^T·b (the geodesic distance between a and b).
template <typename Real>
MESHRT_HD inline Real so3AngleBetween(const Real* a, const Real* b) {
  Real trace = 0;
  for (int i = 0; i < 9; ++i) trace += a[i] * b[i];
  Real cosine = (trace - Real(1)) / Real(2);
  cosine = cosine > Real(1) ? Real(1) : (cosine < Real(-1) ? Real(-1) : cosine);
  return acos(cosine);
}

// R (row-major) of the quaternion q = (w, x, y, z), normalized first. Returns |q| (the
// regressed quaternions are not unit); R is left untouched when |q| is 0 or not finite.
template <typename Real>
MESHRT_HD inline Real rotationFromQuaternion(const Real* q, Real* rotation) {
  const Real norm = sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  if (!(norm > Real(0)) || !(norm < Real(1e30))) return norm;
  const Real w = q[0] / norm, x = q[1] / norm, y = q[2] / norm, z = q[3] / norm;
  rotation[0] = w * w + x * x - y * y - z * z;
  rotation[1] = Real(2) * (x * y - w * z);
  rotation[2] = Real(2) * (x * z + w * y);
  rotation[3] = Real(2) * (x * y + w * z);
  rotation[4] = w * w - x * x + y * y - z * z;
  rotation[5] = Real(2) * (y * z - w * x);
  rotation[6] = Real(2) * (x * z - w * y);
  rotation[7] = Real(2) * (y * z + w * x);
  rotation[8] = w * w - x * x - y * y + z * z;
  return norm;
}

// The unit quaternion (w, x, y, z), w ≥ 0, of a rotation matrix (row-major). Shepperd's
// method: the largest of w², x², y², z² first, for accuracy.
template <typename Real>
MESHRT_HD inline void quaternionFromRotation(const Real* r, Real* q) {
  const Real trace = r[0] + r[4] + r[8];
  if (trace > Real(0)) {
    const Real s = Real(2) * sqrt(Real(1) + trace);
    q[0] = Real(0.25) * s, q[1] = (r[7] - r[5]) / s, q[2] = (r[2] - r[6]) / s, q[3] = (r[3] - r[1]) / s;
  } else if (r[0] > r[4] && r[0] > r[8]) {
    const Real s = Real(2) * sqrt(Real(1) + r[0] - r[4] - r[8]);
    q[0] = (r[7] - r[5]) / s, q[1] = Real(0.25) * s, q[2] = (r[1] + r[3]) / s, q[3] = (r[2] + r[6]) / s;
  } else if (r[4] > r[8]) {
    const Real s = Real(2) * sqrt(Real(1) + r[4] - r[0] - r[8]);
    q[0] = (r[2] - r[6]) / s, q[1] = (r[1] + r[3]) / s, q[2] = Real(0.25) * s, q[3] = (r[5] + r[7]) / s;
  } else {
    const Real s = Real(2) * sqrt(Real(1) + r[8] - r[0] - r[4]);
    q[0] = (r[3] - r[1]) / s, q[1] = (r[2] + r[6]) / s, q[2] = (r[5] + r[7]) / s, q[3] = Real(0.25) * s;
  }
  if (q[0] < Real(0))
    for (int i = 0; i < 4; ++i) q[i] = -q[i];
}

// Rotation R (det +1) maximizing trace(R^T m) for any 3×3 m: the orthogonal Procrustes
// solution, by Horn's quaternion method (largest eigenvector of a symmetric 4×4). Unlike
// U·V^T from an SVD it never returns a reflection. Returns the largest eigenvalue.
template <typename Real>
MESHRT_HD inline Real nearestRotation(const Real* m, Real* rotation) {
  const Real sxx = m[0], sxy = m[1], sxz = m[2];
  const Real syx = m[3], syy = m[4], syz = m[5];
  const Real szx = m[6], szy = m[7], szz = m[8];
  // m plays the role of Σ y x^T; trace(R^T m) = q^T N q for the unit quaternion q of R.
  Real n[16] = {sxx + syy + szz, szy - syz,        sxz - szx,         syx - sxy,
                szy - syz,       sxx - syy - szz,  sxy + syx,         szx + sxz,
                sxz - szx,       sxy + syx,        -sxx + syy - szz,  syz + szy,
                syx - sxy,       szx + sxz,        syz + szy,         -sxx - syy + szz};
  Real vectors[16];
  jacobiEigenSymmetric(n, vectors, 4);
  int best = 0;
  for (int j = 1; j < 4; ++j)
    if (n[j * 4 + j] > n[best * 4 + best]) best = j;
  const Real q[4] = {vectors[0 * 4 + best], vectors[1 * 4 + best], vectors[2 * 4 + best], vectors[3 * 4 + best]};
  rotationFromQuaternion(q, rotation);
  return n[best * 4 + best];
}

// rotation <- exp([delta]x) · rotation (a left, camera-frame update).
template <typename Real>
MESHRT_HD inline void so3LeftUpdate(const Real* delta, Real* rotation) {
  Real step[9];
  Real product[9];
  so3Exp(delta, step);
  mul33(step, rotation, product);
  for (int i = 0; i < 9; ++i) rotation[i] = product[i];
}

}  // namespace meshrt
