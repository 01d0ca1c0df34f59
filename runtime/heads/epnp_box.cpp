#include "heads/epnp_box.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/small_matrix.h"
#include "core/so3_math.h"

namespace meshrt {
namespace {

constexpr const char* CONTEXT = "epnp_box";

struct BoxState {
  double rotation[9];
  double center[3];
  double size[3];
};

// Camera-frame position of keypoint i of the box.
void boxPoint(const BoxState& box, int index, double* out) {
  const auto unit = unitBoxKeypoint(index);
  const double local[3] = {unit[0] * box.size[0], unit[1] * box.size[1], unit[2] * box.size[2]};
  mul33x3(box.rotation, local, out);
  for (int d = 0; d < 3; ++d) out[d] += box.center[d];
}

// Σ |x_n,i − π(X_i)|² in normalized image coordinates (x/z, y/z); +inf if a point is behind.
double boxCost(const BoxState& box, const double* observed) {
  double cost = 0;
  for (int i = 0; i < BOX_KEYPOINTS; ++i) {
    double x[3];
    boxPoint(box, i, x);
    if (!(x[2] > 0)) return INFINITY;
    const double ex = observed[i * 2] - x[0] / x[2];
    const double ey = observed[i * 2 + 1] - x[1] / x[2];
    cost += ex * ex + ey * ey;
  }
  return cost;
}

// Keeps |centre| = 1 (EPnP's free scale), scaling the size with it.
void normalizeScale(BoxState& box) {
  const double norm = std::sqrt(dot3(box.center, box.center));
  for (int d = 0; d < 3; ++d) box.center[d] /= norm, box.size[d] /= norm;
}

// LM on (δr, centre, log size): left axis-angle updates, analytic Jacobians.
void refineBox(BoxState& box, const double* observed, int iterations) {
  double lambda = 1e-3;
  double cost = boxCost(box, observed);
  for (int iteration = 0; iteration < iterations; ++iteration) {
    double h[81] = {};
    double g[9] = {};
    for (int i = 0; i < BOX_KEYPOINTS; ++i) {
      const auto unit = unitBoxKeypoint(i);
      double local[3] = {unit[0] * box.size[0], unit[1] * box.size[1], unit[2] * box.size[2]};
      double w[3];
      mul33x3(box.rotation, local, w);
      const double x[3] = {w[0] + box.center[0], w[1] + box.center[1], w[2] + box.center[2]};
      const double iz = 1.0 / x[2];
      const double e[2] = {observed[i * 2] - x[0] * iz, observed[i * 2 + 1] - x[1] * iz};
      // dX/dθ columns (3 × 9).
      double dx[3][9] = {};
      for (int j = 0; j < 3; ++j) {
        double axis[3] = {0, 0, 0}, turned[3];
        axis[j] = 1;
        cross3(axis, w, turned);
        for (int d = 0; d < 3; ++d) dx[d][j] = turned[d];
        dx[j][3 + j] = 1;
        for (int d = 0; d < 3; ++d) dx[d][6 + j] = box.rotation[d * 3 + j] * local[j];
      }
      double jac[2][9];
      for (int k = 0; k < 9; ++k) {
        jac[0][k] = iz * dx[0][k] - x[0] * iz * iz * dx[2][k];
        jac[1][k] = iz * dx[1][k] - x[1] * iz * iz * dx[2][k];
      }
      for (int r = 0; r < 9; ++r) {
        g[r] += jac[0][r] * e[0] + jac[1][r] * e[1];
        for (int c = 0; c < 9; ++c) h[r * 9 + c] += jac[0][r] * jac[0][c] + jac[1][r] * jac[1][c];
      }
    }
    bool improved = false;
    for (int attempt = 0; attempt < 8 && !improved; ++attempt) {
      double damped[81];
      double delta[9];
      std::copy(h, h + 81, damped);
      std::copy(g, g + 9, delta);
      for (int d = 0; d < 9; ++d) damped[d * 9 + d] += lambda * (h[d * 9 + d] + 1e-12);
      if (!choleskySolve(damped, delta, 9, 9)) {
        lambda *= 10;
        continue;
      }
      BoxState candidate = box;
      so3LeftUpdate(delta, candidate.rotation);
      for (int d = 0; d < 3; ++d) {
        candidate.center[d] += delta[3 + d];
        candidate.size[d] *= std::exp(delta[6 + d]);
      }
      normalizeScale(candidate);
      const double candidateCost = boxCost(candidate, observed);
      if (candidateCost <= cost) {
        const double decrease = cost - candidateCost;
        box = candidate;
        cost = candidateCost;
        lambda = std::max(lambda * 0.1, 1e-9);
        improved = true;
        if (decrease <= 1e-14 * (cost + 1e-30)) return;
      } else {
        lambda *= 10;
      }
    }
    if (!improved) return;
  }
}

}  // namespace

std::array<float, 3> unitBoxKeypoint(int index) {
  if (index == 0) return {0, 0, 0};
  const int bits = index - 1;
  return {(bits & 4) ? 0.5f : -0.5f, (bits & 2) ? 0.5f : -0.5f, (bits & 1) ? 0.5f : -0.5f};
}

void objectronFromOpencv(std::array<float, 9>& rotation, std::array<float, 3>& translation) {
  for (int c = 0; c < 3; ++c) rotation[3 + c] = -rotation[3 + c], rotation[6 + c] = -rotation[6 + c];
  translation[1] = -translation[1];
  translation[2] = -translation[2];
}

Result<Box3d> liftBoxEpnp(std::span<const float> keypoints, const EpnpBoxParams& params) {
  if (keypoints.size() != 2 * BOX_KEYPOINTS) {
    return makeError(std::string(CONTEXT) + ": keypoints", std::to_string(keypoints.size()) + " values, expected 18");
  }
  for (size_t i = 0; i < keypoints.size(); ++i) {
    if (!std::isfinite(keypoints[i])) {
      return makeError(std::string(CONTEXT) + ": keypoints[" + std::to_string(i / 2) + "]", "not finite");
    }
  }
  const PinholeIntrinsics& k = params.intrinsics;
  if (!(k.fx > 0) || !(k.fy > 0) || !std::isfinite(k.fx) || !std::isfinite(k.fy) || !std::isfinite(k.cx) ||
      !std::isfinite(k.cy)) {
    return makeError(std::string(CONTEXT) + ": intrinsics", "fx, fy must be finite and > 0; cx, cy finite");
  }
  double observed[2 * BOX_KEYPOINTS];  // normalized image coordinates
  for (int i = 0; i < BOX_KEYPOINTS; ++i) {
    observed[i * 2] = (keypoints[i * 2] - k.cx) / k.fx;
    observed[i * 2 + 1] = (keypoints[i * 2 + 1] - k.cy) / k.fy;
  }

  // EPnP with the box as its own control points: X_i = C + A·b_i (b_i the unit-box corner,
  // A = R·diag(size)); each keypoint gives x_n·Z − X = 0 and y_n·Z − Y = 0, linear and
  // homogeneous in the 12 unknowns (C, A's columns). The solution is the null vector.
  double normal[144] = {};
  for (int i = 0; i < BOX_KEYPOINTS; ++i) {
    const auto b = unitBoxKeypoint(i);
    const double basis[4] = {1.0, b[0], b[1], b[2]};
    for (int axis = 0; axis < 2; ++axis) {
      double row[12] = {};
      for (int block = 0; block < 4; ++block) {
        row[block * 3 + axis] = -basis[block];
        row[block * 3 + 2] = observed[i * 2 + axis] * basis[block];
      }
      for (int r = 0; r < 12; ++r)
        for (int c = 0; c < 12; ++c) normal[r * 12 + c] += row[r] * row[c];
    }
  }
  double vectors[144];
  jacobiEigenSymmetric(normal, vectors, 12, 60);
  int order[12];
  for (int i = 0; i < 12; ++i) order[i] = i;
  std::sort(order, order + 12, [&](int a, int b) { return normal[a * 13] < normal[b * 13]; });
  const double largest = normal[order[11] * 13];
  if (!(largest > 0) || normal[order[1] * 13] < 1e-9 * largest) {
    return makeError(std::string(CONTEXT) + ": keypoints", "degenerate (coincident or collinear): the box is not determined");
  }
  double solution[12];
  for (int r = 0; r < 12; ++r) solution[r] = vectors[r * 12 + order[0]];
  if (solution[2] < 0)
    for (double& value : solution) value = -value;

  BoxState box;
  for (int d = 0; d < 3; ++d) box.center[d] = solution[d];
  double axes[9];  // A, columns = box axes
  for (int axis = 0; axis < 3; ++axis) {
    const double* column = solution + 3 + axis * 3;
    box.size[axis] = std::sqrt(dot3(column, column));
    if (!(box.size[axis] > 1e-9 * std::sqrt(dot3(box.center, box.center)))) {
      return makeError(std::string(CONTEXT) + ": keypoints", "degenerate: a box axis has zero length");
    }
    for (int d = 0; d < 3; ++d) axes[d * 3 + axis] = column[d] / box.size[axis];
  }
  // The affine EPnP solution is a parallelepiped; a box needs R ∈ SO(3). Re-orthonormalize
  // (nearest proper rotation, never a reflection), then refine on the reprojection error.
  nearestRotation(axes, box.rotation);
  normalizeScale(box);
  if (!std::isfinite(boxCost(box, observed))) {
    return makeError(std::string(CONTEXT) + ": keypoints", "the lifted box is not in front of the camera");
  }
  refineBox(box, observed, params.refineIterations);

  Box3d out;
  double spreadMean[2] = {0, 0}, spread = 0, error = 0;
  for (int i = 0; i < BOX_KEYPOINTS; ++i) spreadMean[0] += keypoints[i * 2] / 9.0, spreadMean[1] += keypoints[i * 2 + 1] / 9.0;
  for (int i = 0; i < BOX_KEYPOINTS; ++i) {
    double x[3];
    boxPoint(box, i, x);
    if (!(x[2] > 0)) return makeError(std::string(CONTEXT) + ": keypoints", "the fitted box is behind the camera");
    const double u = k.fx * x[0] / x[2] + k.cx, v = k.fy * x[1] / x[2] + k.cy;
    out.reprojected[i * 2] = static_cast<float>(u);
    out.reprojected[i * 2 + 1] = static_cast<float>(v);
    error += (u - keypoints[i * 2]) * (u - keypoints[i * 2]) + (v - keypoints[i * 2 + 1]) * (v - keypoints[i * 2 + 1]);
    spread += (keypoints[i * 2] - spreadMean[0]) * (keypoints[i * 2] - spreadMean[0]) +
              (keypoints[i * 2 + 1] - spreadMean[1]) * (keypoints[i * 2 + 1] - spreadMean[1]);
  }
  out.rmsErrorPixels = static_cast<float>(std::sqrt(error / 9.0));
  const double relative = std::sqrt(error / std::max(spread, 1e-30));
  if (!(relative <= params.maxRelativeError)) {
    return makeError(std::string(CONTEXT) + ": keypoints",
                     "not consistent with a box (reprojection error " + std::to_string(relative) +
                         " of the keypoint spread, limit " + std::to_string(params.maxRelativeError) +
                         "; reordered or wrong keypoints?)");
  }
  for (int i = 0; i < 9; ++i) out.rotation[i] = static_cast<float>(box.rotation[i]);
  for (int d = 0; d < 3; ++d) {
    out.translation[d] = static_cast<float>(box.center[d]);
    out.size[d] = static_cast<float>(box.size[d]);
  }
  return out;
}

}  // namespace meshrt
