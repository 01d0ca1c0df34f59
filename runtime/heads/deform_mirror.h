// Test-time mirroring for the ttp and regress heads (pack.json `test_time_mirror`, docs/PACKS.md).
// The encoder runs on the frame and on the frame mirrored left-right, and the second prediction is
// mirrored back. regress averages the two; ttp solves its own points, the mirrored-back ones and
// their average, and keeps the solve with the lowest loss (heads/deform_pipeline.cpp).
//
// Why mirrored back this way: for a template and basis mirror-symmetric about the object's
// x = 0 plane, M = diag(−1, 1, 1), the left-right mirrored image of the pose (R, s, t, c) (weak
// perspective p = s·(R·X)_xy + t, normalized image coordinates, x right) is the image of the pose
// (M·R·M, s, (−t_x, t_y), c): the same shape, vertex i seen where its mirror partner m(i) is, at
// x → −x. M·R·M is the quaternion (w, x, y, z) → (w, x, −y, −z).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "meshrt/result.h"

namespace meshrt {

// partner[i] = the vertex at vertex i's position mirrored in x (itself on the plane). Error
// (naming `what`) when a vertex has no partner within 1e-5 of the template's extent, or a basis
// field is not mirror-symmetric (B[m(i)] = M·B[i] within 1e-5 of the basis's largest value).
// `positions` N×3, `basis` N×3×K row-major.
Result<std::vector<uint32_t>> findMirrorPartners(std::span<const float> positions, std::span<const float> basis,
                                                 uint32_t basisCount, const std::string& what);

// regress [7 + K] = s, t_x, t_y, q (w, x, y, z; any norm), c ← the average of itself and
// `mirrored` (the encoder's regress output on the mirrored frame) mirrored back. The quaternions
// are normalized and sign-aligned before they are summed; a zero one is left out.
void averageMirroredRegress(std::span<float> regress, std::span<const float> mirrored);

// The mirrored frame's points [2N] (x0, y0, …, normalized image coordinates) and visibility [N]
// mirrored back through `partner`: vertex i takes its partner's prediction with x → −x.
void mirrorBackPoints(std::span<const float> mirroredPoints, std::span<const float> mirroredVisibility,
                      std::span<const uint32_t> partner, std::vector<float>& points, std::vector<float>& visibility);

// mask [height × width] (row-major, y down) ← the average of itself and `mirrored` (the encoder's
// mask on the mirrored frame) flipped back left-right: cell (x, y) takes (width − 1 − x, y).
void averageMirroredMask(std::span<float> mask, std::span<const float> mirrored, uint32_t width, uint32_t height);

}  // namespace meshrt
