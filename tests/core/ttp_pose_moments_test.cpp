// The pose step's moments (core/ttp_pose_moments.h) against the direct per-point sums, in
// double, on seeded random points with random weights (a quarter of them 0): cost, gradient
// and Gauss–Newton matrix at poses near the anchor and far from it. Tolerance: 1e-4 relative
// to the size of the terms summed (float moments, cancellation included).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/so3_math.h"
#include "core/ttp_pose_moments.h"

namespace meshrt {
namespace {

struct RandomPoints {
  std::vector<float> points;      // N×2
  std::vector<float> visibility;  // N
  std::vector<float> vertices;    // N×3
};

RandomPoints makePoints(int count, uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> coordinate(-0.8f, 0.8f);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  RandomPoints out;
  for (int i = 0; i < count; ++i) {
    for (int d = 0; d < 3; ++d) out.vertices.push_back(coordinate(random) + 0.3f);  // off-centre on purpose
    out.points.push_back(coordinate(random));
    out.points.push_back(coordinate(random));
    out.visibility.push_back(unit(random) < 0.25f ? 0.0f : unit(random));
  }
  return out;
}

// Direct sums in double: cost, gradient and Gauss–Newton matrix (same Jacobian as the moments).
struct Direct {
  double cost = 0;
  double gradient[4] = {};
  double hessian[16] = {};
  double scale = 0;  // Σ v (|d|² + |s·P·R·q|²): the size of the terms behind the cost
};

Direct directSums(const RandomPoints& in, const double* pointMean, const double* vertexMean, const float* rotation,
                  float scale) {
  Direct out;
  const size_t count = in.visibility.size();
  for (size_t i = 0; i < count; ++i) {
    const double v = in.visibility[i];
    double q[3], w[3];
    for (int d = 0; d < 3; ++d) q[d] = in.vertices[i * 3 + d] - vertexMean[d];
    for (int r = 0; r < 3; ++r) w[r] = rotation[r * 3] * q[0] + rotation[r * 3 + 1] * q[1] + rotation[r * 3 + 2] * q[2];
    const double dx = in.points[i * 2] - pointMean[0], dy = in.points[i * 2 + 1] - pointMean[1];
    const double ex = dx - scale * w[0], ey = dy - scale * w[1];
    out.cost += v * (ex * ex + ey * ey);
    out.scale += v * (dx * dx + dy * dy + scale * scale * (w[0] * w[0] + w[1] * w[1]));
    const double s = scale;
    const double jx[4] = {0, s * w[2], -s * w[1], w[0]};
    const double jy[4] = {-s * w[2], 0, s * w[0], w[1]};
    for (int r = 0; r < 4; ++r) {
      out.gradient[r] += v * (jx[r] * ex + jy[r] * ey);
      for (int c = 0; c < 4; ++c) out.hessian[r * 4 + c] += v * (jx[r] * jx[c] + jy[r] * jy[c]);
    }
  }
  return out;
}

TEST(TtpPoseMoments, EqualTheDirectSumsNearAndFarFromTheAnchor) {
  std::mt19937 random(77);
  std::normal_distribution<float> gaussian(0.0f, 1.0f);
  for (uint32_t seed = 0; seed < 10; ++seed) {
    const RandomPoints in = makePoints(201, 500 + seed);
    std::vector<float> scratch(static_cast<size_t>(ttpPointSetSize(201, 0)));
    TtpPointSet<float> set;
    ttpGatherPoints(in.points.data(), in.visibility.data(), in.vertices.data(), static_cast<const float*>(nullptr), 201, 0, scratch.data(), &set);
    float pointMean[2], vertexMean[3];
    ASSERT_GT(ttpPointCentroids(set, pointMean, vertexMean), 0.0f);
    double weight = 0, directPointMean[2] = {}, directVertexMean[3] = {};
    for (size_t i = 0; i < in.visibility.size(); ++i) {
      weight += in.visibility[i];
      for (int d = 0; d < 2; ++d) directPointMean[d] += in.visibility[i] * in.points[i * 2 + d];
      for (int d = 0; d < 3; ++d) directVertexMean[d] += in.visibility[i] * in.vertices[i * 3 + d];
    }
    for (int d = 0; d < 2; ++d) EXPECT_NEAR(pointMean[d], directPointMean[d] / weight, 1e-5) << seed;
    for (int d = 0; d < 3; ++d) EXPECT_NEAR(vertexMean[d], directVertexMean[d] / weight, 1e-5) << seed;
    // Means as the solver uses them (float), so the comparison isolates the moments.
    const double usedPointMean[2] = {pointMean[0], pointMean[1]};
    const double usedVertexMean[3] = {vertexMean[0], vertexMean[1], vertexMean[2]};

    const float turn[3] = {gaussian(random), gaussian(random), gaussian(random)};
    float anchorRotation[9];
    so3Exp(turn, anchorRotation);
    const float anchorScale = 0.7f;
    float anchor[6];
    for (int j = 0; j < 6; ++j) anchor[j] = anchorScale * anchorRotation[j];
    TtpPoseMoments<float> moments;
    ttpPoseMomentsAt(set, pointMean, vertexMean, anchor, &moments);

    for (const float step : {0.0f, 1e-3f, 0.3f}) {  // at, near and far from the anchor
      const float delta[3] = {step * gaussian(random), step * gaussian(random), step * gaussian(random)};
      float rotation[9];
      for (int j = 0; j < 9; ++j) rotation[j] = anchorRotation[j];
      so3LeftUpdate(delta, rotation);
      const float scale = anchorScale * (1.0f + step * gaussian(random));
      const Direct direct = directSums(in, usedPointMean, usedVertexMean, rotation, scale);
      const double tolerance = 1e-4 * direct.scale;
      EXPECT_NEAR(ttpPoseCost(moments, rotation, scale), direct.cost, tolerance) << seed << " " << step;
      float hessian[16], gradient[4];
      ttpPoseNormalEquations(moments, rotation, scale, hessian, gradient);
      for (int r = 0; r < 4; ++r) {
        EXPECT_NEAR(gradient[r], direct.gradient[r], tolerance) << seed << " " << step << " g" << r;
        for (int c = 0; c < 4; ++c)
          EXPECT_NEAR(hessian[r * 4 + c], direct.hessian[r * 4 + c], tolerance) << seed << " " << step << " H" << r << c;
      }
    }
  }
}

TEST(TtpPoseMoments, GatherKeepsOnlyWeightedPointsAndPadsWithZeros) {
  const RandomPoints in = makePoints(37, 9);
  std::vector<float> scratch(static_cast<size_t>(ttpPointSetSize(37, 0)), -1.0f);
  TtpPointSet<float> set;
  ttpGatherPoints(in.points.data(), in.visibility.data(), in.vertices.data(), static_cast<const float*>(nullptr), 37, 0, scratch.data(), &set);
  int used = 0;
  for (int i = 0; i < 37; ++i) {
    if (in.visibility[i] == 0.0f) continue;
    EXPECT_EQ(set.index[used], static_cast<float>(i));
    EXPECT_EQ(set.pointX[used], in.points[i * 2]);
    EXPECT_EQ(set.pointY[used], in.points[i * 2 + 1]);
    EXPECT_EQ(set.weight[used], in.visibility[i]);
    for (int d = 0; d < 3; ++d) EXPECT_EQ(set.deformed[d][used], in.vertices[i * 3 + d]);
    ++used;
  }
  EXPECT_EQ(set.used, used);
  EXPECT_EQ(set.padded % TTP_LANES, 0);
  for (int j = used; j < set.padded; ++j) {
    EXPECT_EQ(set.weight[j], 0.0f);
    EXPECT_EQ(set.visibility[j], 0.0f);
    for (int d = 0; d < 3; ++d) EXPECT_EQ(set.templ[d][j], 0.0f);
  }
}

}  // namespace
}  // namespace meshrt
