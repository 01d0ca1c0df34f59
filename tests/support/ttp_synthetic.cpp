#include "support/ttp_synthetic.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <utility>

#include "core/so3_math.h"

namespace meshrt::testing {

std::vector<float> icosphere(int subdivisions, std::array<float, 3> axes) {
  const double phi = (1.0 + std::sqrt(5.0)) / 2.0;
  std::vector<std::array<double, 3>> points = {{-1, phi, 0}, {1, phi, 0}, {-1, -phi, 0}, {1, -phi, 0},
                                               {0, -1, phi}, {0, 1, phi}, {0, -1, -phi}, {0, 1, -phi},
                                               {phi, 0, -1}, {phi, 0, 1}, {-phi, 0, -1}, {-phi, 0, 1}};
  std::vector<std::array<int, 3>> faces = {{0, 11, 5}, {0, 5, 1},  {0, 1, 7},   {0, 7, 10}, {0, 10, 11},
                                           {1, 5, 9},  {5, 11, 4}, {11, 10, 2}, {10, 7, 6}, {7, 1, 8},
                                           {3, 9, 4},  {3, 4, 2},  {3, 2, 6},   {3, 6, 8},  {3, 8, 9},
                                           {4, 9, 5},  {2, 4, 11}, {6, 2, 10},  {8, 6, 7},  {9, 8, 1}};
  auto normalize = [](std::array<double, 3> p) {
    const double n = std::sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
    return std::array<double, 3>{p[0] / n, p[1] / n, p[2] / n};
  };
  for (auto& p : points) p = normalize(p);
  for (int level = 0; level < subdivisions; ++level) {
    std::map<std::pair<int, int>, int> midpoints;
    auto midpoint = [&](int a, int b) {
      const auto key = std::minmax(a, b);
      const auto found = midpoints.find(key);
      if (found != midpoints.end()) return found->second;
      const auto& pa = points[a];
      const auto& pb = points[b];
      points.push_back(normalize({pa[0] + pb[0], pa[1] + pb[1], pa[2] + pb[2]}));
      midpoints[key] = static_cast<int>(points.size() - 1);
      return static_cast<int>(points.size() - 1);
    };
    std::vector<std::array<int, 3>> next;
    for (const auto& f : faces) {
      const int ab = midpoint(f[0], f[1]), bc = midpoint(f[1], f[2]), ca = midpoint(f[2], f[0]);
      next.push_back({f[0], ab, ca});
      next.push_back({f[1], bc, ab});
      next.push_back({f[2], ca, bc});
      next.push_back({ab, bc, ca});
    }
    faces = std::move(next);
  }
  std::vector<float> out;
  out.reserve(points.size() * 3);
  for (const auto& p : points)
    for (int d = 0; d < 3; ++d) out.push_back(static_cast<float>(p[d] * axes[d]));
  return out;
}

namespace {

// Makes every basis field orthogonal (over the vertices) to the 12 affine motions of the
// template, X → A·X + b. Under weak perspective an affine field can mimic the pose: besides
// translation, rotation and scale, a shear dx ∝ z projects exactly like a turn about y. Such a
// basis would make (R, s, t) versus c ambiguous, and the test would measure γ, not the solver.
void removeAffineModes(TtpSyntheticModel& model) {
  const size_t count = model.vertices.size() / 3;
  const uint32_t k = model.basisCount;
  std::vector<std::vector<double>> modes;
  for (int axis = 0; axis < 3; ++axis) {
    for (int source = 0; source < 4; ++source) {
      std::vector<double> mode(count * 3, 0.0);
      for (size_t i = 0; i < count; ++i) mode[i * 3 + axis] = source == 3 ? 1.0 : model.vertices[i * 3 + source];
      modes.push_back(mode);
    }
  }
  // Gram-Schmidt on the modes, then project them out of each field.
  for (size_t a = 0; a < modes.size(); ++a) {
    for (size_t b = 0; b < a; ++b) {
      double projection = 0;
      for (size_t j = 0; j < modes[a].size(); ++j) projection += modes[a][j] * modes[b][j];
      for (size_t j = 0; j < modes[a].size(); ++j) modes[a][j] -= projection * modes[b][j];
    }
    double norm = 0;
    for (double value : modes[a]) norm += value * value;
    norm = std::sqrt(norm);
    for (double& value : modes[a]) value /= norm;
  }
  for (uint32_t field = 0; field < k; ++field) {
    for (const auto& mode : modes) {
      double projection = 0;
      for (size_t j = 0; j < count * 3; ++j) projection += model.basis[j * k + field] * mode[j];
      for (size_t j = 0; j < count * 3; ++j) model.basis[j * k + field] -= static_cast<float>(projection * mode[j]);
    }
  }
}

}  // namespace

TtpSyntheticModel makeTtpModel(uint32_t basisCount, uint32_t seed) {
  TtpSyntheticModel model;
  model.vertices = icosphere(3, {1.0f, 0.7f, 0.5f});
  model.basisCount = basisCount;
  const size_t count = model.vertices.size() / 3;
  model.basis.assign(count * 3 * basisCount, 0.0f);
  std::mt19937 random(seed);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::uniform_real_distribution<float> phase(0.0f, 6.2831853f);
  for (uint32_t k = 0; k < basisCount; ++k) {
    float direction[3] = {gauss(random), gauss(random), gauss(random)};
    const float norm = std::sqrt(direction[0] * direction[0] + direction[1] * direction[1] + direction[2] * direction[2]);
    float frequency[3] = {2.5f * gauss(random), 2.5f * gauss(random), 2.5f * gauss(random)};
    const float offset = phase(random);
    for (size_t i = 0; i < count; ++i) {
      const float* x = &model.vertices[i * 3];
      const float field = 0.1f * std::sin(frequency[0] * x[0] + frequency[1] * x[1] + frequency[2] * x[2] + offset);
      for (int d = 0; d < 3; ++d) model.basis[(i * 3 + d) * basisCount + k] = field * direction[d] / norm;
    }
  }
  removeAffineModes(model);
  return model;
}

TtpSyntheticCase makeTtpCase(const TtpSyntheticModel& model, const TtpSyntheticOptions& options, uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  TtpSyntheticCase out;
  // Uniform random rotation: a normalized 4D Gaussian is a uniform unit quaternion.
  float q[4] = {gauss(random), gauss(random), gauss(random), gauss(random)};
  const float qn = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  const float angle = 2.0f * std::acos(std::fabs(q[0]) / qn);
  const float axisNorm = std::sqrt(q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  const float sign = q[0] < 0 ? -1.0f : 1.0f;
  const float axisAngle[3] = {sign * q[1] / axisNorm * angle, sign * q[2] / axisNorm * angle, sign * q[3] / axisNorm * angle};
  so3Exp(axisAngle, out.rotation.data());
  out.scale = 0.5f + 0.2f * uniform(random);
  out.translation = {0.3f * (uniform(random) - 0.5f), 0.3f * (uniform(random) - 0.5f)};
  const uint32_t k = model.basisCount;
  out.coefficients.resize(k);
  for (auto& c : out.coefficients) c = options.coefficientSigma * gauss(random);
  const size_t count = model.vertices.size() / 3;
  out.points.resize(count * 2);
  out.cleanPoints.resize(count * 2);
  out.visibility.resize(count);
  const float noise = options.noisePixels / PIXELS_PER_UNIT;
  for (size_t i = 0; i < count; ++i) {
    float vertex[3];
    for (int d = 0; d < 3; ++d) {
      vertex[d] = model.vertices[i * 3 + d];
      for (uint32_t j = 0; j < k; ++j) vertex[d] += model.basis[(i * 3 + d) * k + j] * out.coefficients[j];
    }
    float camera[3];
    mul33x3(out.rotation.data(), vertex, camera);
    out.cleanPoints[i * 2] = out.scale * camera[0] + out.translation[0];
    out.cleanPoints[i * 2 + 1] = out.scale * camera[1] + out.translation[1];
    const float draw = uniform(random);
    const float noiseX = gauss(random), noiseY = gauss(random);
    const float outlierX = uniform(random), outlierY = uniform(random);
    if (draw < options.invisibleFraction) {
      out.visibility[i] = 0.0f;  // an occluded point: the network's guess is wherever
      out.points[i * 2] = 2.0f * outlierX - 1.0f;
      out.points[i * 2 + 1] = 2.0f * outlierY - 1.0f;
    } else if (draw < options.invisibleFraction + options.outlierFraction) {
      out.visibility[i] = 0.1f;
      out.points[i * 2] = 2.0f * outlierX - 1.0f;
      out.points[i * 2 + 1] = 2.0f * outlierY - 1.0f;
    } else {
      out.visibility[i] = 1.0f;
      out.points[i * 2] = out.cleanPoints[i * 2] + noise * noiseX;
      out.points[i * 2 + 1] = out.cleanPoints[i * 2 + 1] + noise * noiseY;
    }
  }
  return out;
}

}  // namespace meshrt::testing
