// Silhouette fit (docs/TRAINING.md, "Silhouette fit"): refines a ttp / regress result — the
// weak-perspective camera p = s·(R·X)_xy + t and the shape X = T + B·c — so that the mesh's
// outline matches an object mask the encoder predicts on a coarse grid over the frame.
//
// The mask is upsampled (bilinear, half-pixel centres) to a fine grid of "fit pixels" and
// thresholded. The cost, in fit pixels², is a two-sided chamfer between the mesh's projected
// surface samples (vertices, edge midpoints, triangle centroids) and the mask's boundary pixels:
//
//   E = 1/P · Σ_{samples p outside the mask} |u_p − b(p)|²   (the mesh stays inside the mask)
//     + 1/B · Σ_{boundary pixels b} |u_{p(b)} − b|²          (the mask is covered up to its edge)
//     + λ · Σ_k c_k²                                          (shape prior)
//     + μ / Σ_i a_i · Σ_i a_i |u_i − q_i|²                      (anchors, optional)
//
// b(p) the nearest boundary pixel centre, p(b) the nearest sample. The anchors keep vertex i near
// a 2D position q_i with weight a_i: the ttp head's points with their visibilities (the TTP
// loss, eq. 4, in fit pixels), the regress head's own projection. Without them an outline can be
// matched by a wrong rotation and a compensating shape. Levenberg–Marquardt over
// (δω, log s, t, c), δω a left (camera-frame) rotation update, correspondences re-found at every
// evaluation (ICP-style); a step is kept only when it lowers E. Deterministic (one thread, fixed
// order). The silhouette of a closed mesh is the union of its projected triangles, so no depth
// test is needed.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "meshrt/result.h"

namespace meshrt {

// The encoder's mask: a width × height grid of cells over the whole frame ([-1, 1]² normalized
// image coordinates, x right, y down), row-major, each the probability in [0, 1] that the cell
// shows the object.
struct SilhouetteMask {
  uint32_t width = 0, height = 0;
  std::span<const float> coverage;
};

struct SilhouetteFitParams {
  uint32_t iterations = 15;  // Levenberg–Marquardt evaluations (a rejected step counts too)
  uint32_t upsample = 8;     // fit pixels per mask cell along each axis
  float threshold = 0.5f;    // coverage above it is the object
  float shapePrior = 0.3f;   // λ, fit pixels² per unit Σ c_k²
  float anchorWeight = 0.3f; // μ: weight of the anchors' mean squared distance (fit pixels²)
  bool fitRotation = true;   // false: R stays as given (δω fixed at 0)
};

// Optional per-vertex anchors (empty spans: none).
struct SilhouetteAnchors {
  std::span<const float> points;   // N×2 normalized image coordinates q_i
  std::span<const float> weights;  // N weights a_i ≥ 0
};

// A weak-perspective pose and shape, refined in place.
struct DeformPose {
  std::array<float, 9> rotation{};     // R, object → camera (OpenCV axes), row-major
  float scale = 0;                     // s, normalized image units per object unit
  std::array<float, 2> translation{};  // t, normalized image coordinates
  std::vector<float> coefficients;     // c, K values
};

struct SilhouetteFitReport {
  float initialCost = 0, finalCost = 0;  // E before and after, fit pixels²
  float initialOutlineCost = 0, finalOutlineCost = 0;  // its two chamfer terms alone
  uint32_t acceptedSteps = 0;
  bool maskEmpty = false;  // no cell above the threshold: the pose is left as it was
};

class SilhouetteFitter {
 public:
  // `vertices` N×3 and `basis` N×3×K (basis[(i·3 + d)·K + k]) as heads/ttp_solver.h TtpModel;
  // `triangles` F×3 vertex indices. The spans must outlive the fitter.
  static Result<SilhouetteFitter> create(std::span<const float> vertices, std::span<const float> basis,
                                         uint32_t basisCount, std::span<const uint32_t> triangles);

  // Errors (mask sizes, non-finite coverage or pose, K mismatch) name the field; the pose is then
  // unchanged.
  Result<SilhouetteFitReport> fit(const SilhouetteMask& mask, const SilhouetteFitParams& params, DeformPose& pose,
                                  const SilhouetteAnchors& anchors = {}) const;

 private:
  struct Sample {  // a surface point Σ weight·vertex, weights summing to 1
    std::array<uint32_t, 3> vertex{};
    std::array<float, 3> weight{};
  };
  std::span<const float> mVertices, mBasis;
  uint32_t mBasisCount = 0;
  std::vector<Sample> mSamples;
};

}  // namespace meshrt
