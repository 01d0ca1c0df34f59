// The silhouette fit (heads/silhouette_fit.h). Units: "fit pixels" of the upsampled mask grid,
// u = (p + 1)/2 · (Gx, Gy) for normalized p, pixel (x, y) centred at (x + 0.5, y + 0.5).
#include "heads/silhouette_fit.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/small_matrix.h"
#include "core/so3_math.h"
#include "heads/nearest_point_grid.h"

namespace meshrt {
namespace {

constexpr uint32_t MAX_FIT_BASIS = 64;
constexpr uint32_t MAX_PARAMS = 6 + MAX_FIT_BASIS;  // δω (3), log s, t (2), c (K)
constexpr double MAX_DAMPING = 1e6;

// The upsampled, thresholded mask and its boundary pixels (object pixels with a 4-neighbour
// outside the object or outside the grid).
struct FitMask {
  uint32_t width = 0, height = 0;  // fit pixels
  std::vector<uint8_t> inside;     // row-major
  std::vector<Point2> boundary;    // pixel centres

  bool contains(const Point2& u) const {
    const double x = std::floor(u.x), y = std::floor(u.y);
    if (!(x >= 0 && y >= 0 && x < width && y < height)) return false;
    return inside[size_t(y) * width + size_t(x)] != 0;
  }
};

// Bilinear with half-pixel centres, edges clamped (PyTorch's interpolate, align_corners=False).
FitMask upsampleMask(const SilhouetteMask& mask, const SilhouetteFitParams& params) {
  FitMask fit;
  fit.width = mask.width * params.upsample;
  fit.height = mask.height * params.upsample;
  fit.inside.assign(size_t(fit.width) * fit.height, 0);
  const auto source = [&](uint32_t pixel, uint32_t cells, uint32_t& low, uint32_t& high, float& weight) {
    const float position = std::max(0.0f, (float(pixel) + 0.5f) / float(params.upsample) - 0.5f);
    low = std::min(uint32_t(position), cells - 1);
    high = std::min(low + 1, cells - 1);
    weight = position - float(low);
  };
  for (uint32_t y = 0; y < fit.height; ++y) {
    uint32_t y0, y1;
    float wy;
    source(y, mask.height, y0, y1, wy);
    for (uint32_t x = 0; x < fit.width; ++x) {
      uint32_t x0, x1;
      float wx;
      source(x, mask.width, x0, x1, wx);
      const auto at = [&](uint32_t cx, uint32_t cy) { return mask.coverage[size_t(cy) * mask.width + cx]; };
      const float top = at(x0, y0) + wx * (at(x1, y0) - at(x0, y0));
      const float bottom = at(x0, y1) + wx * (at(x1, y1) - at(x0, y1));
      fit.inside[size_t(y) * fit.width + x] = (top + wy * (bottom - top)) > params.threshold ? 1 : 0;
    }
  }
  for (uint32_t y = 0; y < fit.height; ++y) {
    for (uint32_t x = 0; x < fit.width; ++x) {
      if (!fit.inside[size_t(y) * fit.width + x]) continue;
      const bool edge = x == 0 || y == 0 || x + 1 == fit.width || y + 1 == fit.height ||
                        !fit.inside[size_t(y) * fit.width + x - 1] || !fit.inside[size_t(y) * fit.width + x + 1] ||
                        !fit.inside[size_t(y - 1) * fit.width + x] || !fit.inside[size_t(y + 1) * fit.width + x];
      if (edge) fit.boundary.push_back({x + 0.5, y + 0.5});
    }
  }
  return fit;
}

// The pose in the solver's working form.
struct PoseState {
  double rotation[9] = {};
  double scale = 0;
  double translation[2] = {};
  std::vector<double> coefficients;
};

// One residual pair: surface sample `sample` at u_p against the fixed target point, weighted.
struct Correspondence {
  uint32_t sample = 0;
  Point2 target;
  double weight = 0;  // residual = weight · (u_p − target)
};

}  // namespace

Result<SilhouetteFitter> SilhouetteFitter::create(std::span<const float> vertices, std::span<const float> basis,
                                                  uint32_t basisCount, std::span<const uint32_t> triangles) {
  const size_t n = vertices.size() / 3;
  if (n == 0 || vertices.size() % 3 != 0) return makeError("silhouette fit: vertices", "expected N×3 values, N > 0");
  if (basisCount > MAX_FIT_BASIS) {
    return makeError("silhouette fit: basis", "K = " + std::to_string(basisCount) + " exceeds " +
                                                  std::to_string(MAX_FIT_BASIS));
  }
  if (basis.size() != n * 3 * basisCount) {
    return makeError("silhouette fit: basis", "expected N×3×K = " + std::to_string(n * 3 * basisCount) + " values");
  }
  if (triangles.empty() || triangles.size() % 3 != 0) {
    return makeError("silhouette fit: triangles", "expected F×3 indices, F > 0");
  }
  for (const uint32_t index : triangles) {
    if (index >= n) return makeError("silhouette fit: triangles", "index " + std::to_string(index) + " ≥ N");
  }
  SilhouetteFitter fitter;
  fitter.mVertices = vertices;
  fitter.mBasis = basis;
  fitter.mBasisCount = basisCount;
  for (uint32_t i = 0; i < n; ++i) fitter.mSamples.push_back({{i, i, i}, {1.0f, 0.0f, 0.0f}});
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  for (size_t f = 0; f < triangles.size(); f += 3) {
    for (int e = 0; e < 3; ++e) {
      const uint32_t a = triangles[f + e], b = triangles[f + (e + 1) % 3];
      edges.emplace_back(std::min(a, b), std::max(a, b));
    }
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  for (const auto& [a, b] : edges) fitter.mSamples.push_back({{a, b, b}, {0.5f, 0.5f, 0.0f}});
  for (size_t f = 0; f < triangles.size(); f += 3) {
    fitter.mSamples.push_back(
        {{triangles[f], triangles[f + 1], triangles[f + 2]}, {1.0f / 3.0f, 1.0f / 3.0f, 1.0f / 3.0f}});
  }
  return fitter;
}

Result<SilhouetteFitReport> SilhouetteFitter::fit(const SilhouetteMask& mask, const SilhouetteFitParams& params,
                                                  DeformPose& pose, const SilhouetteAnchors& anchors) const {
  if (mask.width == 0 || mask.height == 0 || mask.coverage.size() != size_t(mask.width) * mask.height) {
    return makeError("silhouette fit: mask", "expected width × height > 0 coverage values, got " +
                                                 std::to_string(mask.coverage.size()) + " for " +
                                                 std::to_string(mask.width) + "×" + std::to_string(mask.height));
  }
  for (const float value : mask.coverage) {
    if (!std::isfinite(value)) return makeError("silhouette fit: mask", "a coverage value is not finite");
  }
  if (params.upsample == 0 || params.iterations == 0) {
    return makeError("silhouette fit: params", "iterations and upsample must be ≥ 1");
  }
  const size_t vertexCount = mVertices.size() / 3;
  const bool anchored = !anchors.points.empty() || !anchors.weights.empty();
  double anchorTotal = 0;
  if (anchored) {
    if (anchors.points.size() != 2 * vertexCount || anchors.weights.size() != vertexCount) {
      return makeError("silhouette fit: anchors", "expected 2N points and N weights, N = " +
                                                      std::to_string(vertexCount));
    }
    for (size_t i = 0; i < vertexCount; ++i) {
      if (!std::isfinite(anchors.points[2 * i]) || !std::isfinite(anchors.points[2 * i + 1]) ||
          !std::isfinite(anchors.weights[i]) || anchors.weights[i] < 0.0f) {
        return makeError("silhouette fit: anchors", "vertex " + std::to_string(i) + ": not finite or negative weight");
      }
      anchorTotal += anchors.weights[i];
    }
  }
  if (pose.coefficients.size() != mBasisCount) {
    return makeError("silhouette fit: pose", "expected " + std::to_string(mBasisCount) + " coefficients, got " +
                                                 std::to_string(pose.coefficients.size()));
  }
  bool finite = std::isfinite(pose.scale) && std::isfinite(pose.translation[0]) && std::isfinite(pose.translation[1]);
  for (const float value : pose.rotation) finite = finite && std::isfinite(value);
  for (const float value : pose.coefficients) finite = finite && std::isfinite(value);
  if (!finite) return makeError("silhouette fit: pose", "a value is not finite");

  SilhouetteFitReport report;
  const FitMask fitMask = upsampleMask(mask, params);
  if (fitMask.boundary.empty()) {
    report.maskEmpty = true;
    return report;
  }
  const size_t n = mVertices.size() / 3, k = mBasisCount, parameterCount = 6 + k;
  const double halfWidth = 0.5 * fitMask.width, halfHeight = 0.5 * fitMask.height;
  const double lambda = params.shapePrior;
  const double sampleWeight = 1.0 / std::sqrt(double(mSamples.size()));
  const double boundaryWeight = 1.0 / std::sqrt(double(fitMask.boundary.size()));
  constexpr uint32_t BUCKET = 4;  // fit pixels per nearest-point grid cell
  NearestPointGrid boundaryGrid(fitMask.width, fitMask.height, BUCKET);
  boundaryGrid.build(fitMask.boundary);
  NearestPointGrid sampleGrid(fitMask.width, fitMask.height, BUCKET);

  // One evaluation of E: what the Jacobian at that pose needs. Two are kept, the accepted pose's
  // and a trial's, swapped when a step is accepted.
  struct Evaluation {
    std::vector<double> object, camera;  // X = T + B·c, Y = R·X, N×3
    std::vector<Point2> vertexPixels, samplePixels;
    std::vector<Correspondence> correspondences;
    double outline = 0;  // the chamfer terms of E
  };
  Evaluation current, trial;
  for (Evaluation* evaluation : {&current, &trial}) {
    evaluation->object.resize(3 * n);
    evaluation->camera.resize(3 * n);
    evaluation->vertexPixels.resize(n);
    evaluation->samplePixels.resize(mSamples.size());
  }

  // E at `state`, filling `out`.
  const auto evaluate = [&](const PoseState& state, Evaluation& out) {
    std::vector<double>& object = out.object;
    std::vector<double>& camera = out.camera;
    std::vector<Point2>& vertexPixels = out.vertexPixels;
    std::vector<Point2>& samplePixels = out.samplePixels;
    std::vector<Correspondence>& correspondences = out.correspondences;
    for (size_t i = 0; i < n; ++i) {
      for (int d = 0; d < 3; ++d) {
        double value = mVertices[3 * i + d];
        const float* row = &mBasis[(3 * i + d) * k];
        for (size_t j = 0; j < k; ++j) value += double{row[j]} * state.coefficients[j];
        object[3 * i + d] = value;
      }
      mul33x3(state.rotation, &object[3 * i], &camera[3 * i]);
      vertexPixels[i] = {(state.scale * camera[3 * i] + state.translation[0] + 1.0) * halfWidth,
                         (state.scale * camera[3 * i + 1] + state.translation[1] + 1.0) * halfHeight};
    }
    for (size_t p = 0; p < mSamples.size(); ++p) {
      const Sample& sample = mSamples[p];
      Point2 u;
      for (int c = 0; c < 3; ++c) {
        u.x += sample.weight[c] * vertexPixels[sample.vertex[c]].x;
        u.y += sample.weight[c] * vertexPixels[sample.vertex[c]].y;
      }
      samplePixels[p] = u;
    }
    sampleGrid.build(samplePixels);
    correspondences.clear();
    double cost = 0;
    for (uint32_t p = 0; p < samplePixels.size(); ++p) {
      if (fitMask.contains(samplePixels[p])) continue;
      const auto [index, d] = boundaryGrid.nearest(samplePixels[p]);
      correspondences.push_back({p, fitMask.boundary[index], sampleWeight});
      cost += sampleWeight * sampleWeight * d;
    }
    for (const Point2& b : fitMask.boundary) {
      const auto [index, d] = sampleGrid.nearest(b);
      correspondences.push_back({index, b, boundaryWeight});
      cost += boundaryWeight * boundaryWeight * d;
    }
    out.outline = cost;
    if (anchorTotal > 0) {  // sample i is vertex i
      for (uint32_t i = 0; i < n; ++i) {
        if (anchors.weights[i] == 0.0f) continue;
        const double weight = std::sqrt(params.anchorWeight * anchors.weights[i] / anchorTotal);
        const Point2 target{(anchors.points[2 * i] + 1.0) * halfWidth, (anchors.points[2 * i + 1] + 1.0) * halfHeight};
        correspondences.push_back({i, target, weight});
        cost += weight * weight * distance2(samplePixels[i], target);
      }
    }
    for (const double c : state.coefficients) cost += lambda * c * c;
    return cost;
  };

  PoseState state;
  for (int i = 0; i < 9; ++i) state.rotation[i] = pose.rotation[i];
  state.scale = pose.scale;
  state.translation[0] = pose.translation[0];
  state.translation[1] = pose.translation[1];
  state.coefficients.assign(pose.coefficients.begin(), pose.coefficients.end());
  double cost = evaluate(state, current);
  report.initialCost = report.finalCost = float(cost);
  report.initialOutlineCost = float(current.outline);

  std::vector<double> vertexJacobian(n * 2 * parameterCount);  // ∂u_i/∂θ, rows x then y
  double normal[MAX_PARAMS * MAX_PARAMS], gradient[MAX_PARAMS];
  double damped[MAX_PARAMS * MAX_PARAMS], step[MAX_PARAMS];
  double damping = 1e-3;
  bool linearize = true;
  for (uint32_t iteration = 0; iteration < params.iterations; ++iteration) {
    if (linearize) {
      // ∂u/∂θ per vertex at `state` (current.camera holds its Y = R·X).
      for (size_t i = 0; i < n; ++i) {
        double* jx = &vertexJacobian[(2 * i) * parameterCount];
        double* jy = jx + parameterCount;
        const double* y = &current.camera[3 * i];
        const double sx = state.scale * halfWidth, sy = state.scale * halfHeight;
        // δω: ∂(R·X)/∂ω_j = e_j × Y (left update).
        jx[0] = 0;
        jx[1] = sx * y[2];
        jx[2] = -sx * y[1];
        jy[0] = -sy * y[2];
        jy[1] = 0;
        jy[2] = sy * y[0];
        if (!params.fitRotation) jx[0] = jx[1] = jx[2] = jy[0] = jy[1] = jy[2] = 0;  // no rotation column
        jx[3] = sx * y[0];  // log s
        jy[3] = sy * y[1];
        jx[4] = halfWidth;
        jx[5] = 0;
        jy[4] = 0;
        jy[5] = halfHeight;
        for (size_t j = 0; j < k; ++j) {
          const double b[3] = {mBasis[(3 * i) * k + j], mBasis[(3 * i + 1) * k + j], mBasis[(3 * i + 2) * k + j]};
          const double* r = state.rotation;
          jx[6 + j] = sx * (r[0] * b[0] + r[1] * b[1] + r[2] * b[2]);
          jy[6 + j] = sy * (r[3] * b[0] + r[4] * b[1] + r[5] * b[2]);
        }
      }
      std::fill(normal, normal + parameterCount * parameterCount, 0.0);
      std::fill(gradient, gradient + parameterCount, 0.0);
      double rowX[MAX_PARAMS], rowY[MAX_PARAMS];
      for (const Correspondence& match : current.correspondences) {
        const Sample& sample = mSamples[match.sample];
        std::fill(rowX, rowX + parameterCount, 0.0);
        std::fill(rowY, rowY + parameterCount, 0.0);
        for (int c = 0; c < 3; ++c) {
          if (sample.weight[c] == 0.0f) continue;
          const double w = match.weight * sample.weight[c];
          const double* jx = &vertexJacobian[(2 * size_t(sample.vertex[c])) * parameterCount];
          const double* jy = jx + parameterCount;
          for (size_t a = 0; a < parameterCount; ++a) {
            rowX[a] += w * jx[a];
            rowY[a] += w * jy[a];
          }
        }
        const Point2& u = current.samplePixels[match.sample];
        const double rx = match.weight * (u.x - match.target.x), ry = match.weight * (u.y - match.target.y);
        for (size_t a = 0; a < parameterCount; ++a) {
          gradient[a] += rowX[a] * rx + rowY[a] * ry;
          for (size_t b = 0; b <= a; ++b) normal[a * parameterCount + b] += rowX[a] * rowX[b] + rowY[a] * rowY[b];
        }
      }
      for (size_t j = 0; j < k; ++j) {  // prior residual sqrt(λ)·c_j
        normal[(6 + j) * parameterCount + 6 + j] += lambda;
        gradient[6 + j] += lambda * state.coefficients[j];
      }
      for (size_t a = 0; a < parameterCount; ++a) {
        for (size_t b = a + 1; b < parameterCount; ++b) normal[a * parameterCount + b] = normal[b * parameterCount + a];
      }
    }
    std::copy(normal, normal + parameterCount * parameterCount, damped);
    for (size_t a = 0; a < parameterCount; ++a) {
      damped[a * parameterCount + a] += damping * normal[a * parameterCount + a] + 1e-9;
      step[a] = -gradient[a];
    }
    if (!choleskySolve(damped, step, int(parameterCount), int(parameterCount))) {
      damping *= 4;
      linearize = false;
      if (damping > MAX_DAMPING) break;
      continue;
    }
    PoseState candidate = state;
    so3LeftUpdate(step, candidate.rotation);
    candidate.scale = state.scale * std::exp(step[3]);
    candidate.translation[0] += step[4];  // t in normalized units (its Jacobian carries the half size)
    candidate.translation[1] += step[5];
    for (size_t j = 0; j < k; ++j) candidate.coefficients[j] += step[6 + j];
    const double candidateCost = evaluate(candidate, trial);
    if (std::isfinite(candidateCost) && candidateCost < cost) {
      state = std::move(candidate);
      std::swap(current, trial);
      cost = candidateCost;
      damping = std::max(damping / 3, 1e-7);
      linearize = true;
      ++report.acceptedSteps;
    } else {  // keep `state` and its linearization
      damping *= 4;
      linearize = false;
      if (damping > MAX_DAMPING) break;
    }
  }

  for (int i = 0; i < 9; ++i) pose.rotation[i] = float(state.rotation[i]);
  pose.scale = float(state.scale);
  pose.translation = {float(state.translation[0]), float(state.translation[1])};
  for (size_t j = 0; j < k; ++j) pose.coefficients[j] = float(state.coefficients[j]);
  report.finalCost = float(cost);
  report.finalOutlineCost = float(current.outline);
  return report;
}

}  // namespace meshrt
