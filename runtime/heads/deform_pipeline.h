// The ttp and regress heads at run time (DESIGN §2; docs/PACKS.md "ttp and regress packs"): one
// encoder on the whole frame (stretched to its input, no detector: one object per image), then
//
//   regress  the encoder's `regress` vector [7 + K] = s, t_x, t_y, q_w, q_x, q_y, q_z, c_1..c_K
//            (q normalized here) is the camera and the shape;
//   ttp      the encoder's `points` [2N] (x0, y0, x1, y1, … normalized image coordinates) and
//            `visibility` [N] (probabilities) go to solveTtp (heads/ttp_solver.h) → R, s, t, c.
//
// With the pack's test_time_mirror the encoder also runs on the left-right mirrored frame and its
// prediction is mirrored back (heads/deform_mirror.h): regress averages the two; ttp solves the
// frame's points, the mirrored-back ones and their average and keeps the lowest-loss solve.
//
// Both give a weak-perspective camera p = s·(R·X)_xy + t (ObjectCameraModel::WeakPerspective,
// normalized image coordinates over the whole frame, OpenCV axes) and the deformed template
// X = T + B·c with the template's UVs and triangles. The object's keypoints2d are the N vertex
// positions in input-image pixels: the encoder's points (ttp) or the projected vertices
// (regress). CPU spans: "preprocess" and "encoder" (PackModelRunner), "decode", "solve" (ttp),
// "mesh".
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/pack.h"
#include "heads/object_pipeline.h"
#include "meshrt/result.h"

namespace meshrt {

// X = T + B·c: `vertices` N×3, `basis` N×3×K row-major (basis[(i·3 + d)·K + k]), c K values.
std::vector<float> deformTemplate(std::span<const float> vertices, std::span<const float> basis, uint32_t basisCount,
                                  std::span<const float> coefficients);

// The weak-perspective projection p_i = s·(R·X_i)_xy + t of N×3 vertices: N×2 normalized
// image coordinates. `rotation` row-major, object → camera.
std::vector<float> projectWeakPerspective(std::span<const float> vertices, const std::array<float, 9>& rotation,
                                          float scale, const std::array<float, 2>& translation);

// A pack with templateFit Deform and models (PackSpec::hasModels); options.head "" = the pack's
// head. Errors name the file and reason (a model without the head's outputs, a template or basis
// that does not match the outputs' sizes).
Result<std::unique_ptr<ObjectPipeline>> createDeformPipeline(const PackSpec& pack, const ObjectPipelineOptions& options);

}  // namespace meshrt
