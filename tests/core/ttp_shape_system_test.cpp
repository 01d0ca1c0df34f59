// The TTP shape step on the gathered point set (core/ttp_shape_system.h, ttp_point_set.h), and
// the same step from the per-solve basis moments (core/ttp_shape_moments.h), against the
// direct computation: eq. 7's K×K system summed point by point in double and solved
// in double, on seeded random problems with a quarter of the weights 0 and K = 10 (not a whole
// block or chunk) and 16. Tolerance: 1e-4·(1 + max|c|) on the coefficients (float sums and a
// float Cholesky of a system with condition number below 1e3). The deformation V = T + B·c must
// equal the per-point float sum in input order bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "core/so3_math.h"
#include "core/ttp_shape_moments.h"
#include "core/ttp_shape_system.h"

namespace meshrt {
namespace {

struct RandomProblem {
  std::vector<float> points, visibility, vertices, basis;
  int count = 0;
  int basisCount = 0;
};

RandomProblem makeProblem(int count, int basisCount, uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  RandomProblem out;
  out.count = count;
  out.basisCount = basisCount;
  for (int i = 0; i < count; ++i) {
    for (int d = 0; d < 3; ++d) out.vertices.push_back(0.5f * uniform(random));
    for (int d = 0; d < 2; ++d) out.points.push_back(0.8f * uniform(random));
    out.visibility.push_back(unit(random) < 0.25f ? 0.0f : unit(random));
    for (int j = 0; j < 3 * basisCount; ++j) out.basis.push_back(0.1f * uniform(random));
  }
  return out;
}

// Eq. 7 summed point by point and solved in double.
std::vector<double> directShape(const RandomProblem& in, const float* rotation, float scale, const float* translation,
                                double gamma) {
  const int k = in.basisCount;
  std::vector<double> a(static_cast<size_t>(k * k), 0.0), b(static_cast<size_t>(k), 0.0);
  std::vector<double> omega(static_cast<size_t>(2 * k));
  for (int i = 0; i < in.count; ++i) {
    const double v = in.visibility[i];
    const float* rows = in.basis.data() + static_cast<size_t>(i) * 3 * k;
    for (int e = 0; e < 2; ++e)
      for (int j = 0; j < k; ++j)
        omega[e * k + j] = scale * (double(rotation[e * 3]) * rows[j] + double(rotation[e * 3 + 1]) * rows[k + j] +
                                    double(rotation[e * 3 + 2]) * rows[2 * k + j]);
    double upsilon[2];
    for (int e = 0; e < 2; ++e) {
      const float* t = in.vertices.data() + i * 3;
      upsilon[e] = in.points[i * 2 + e] -
                   scale * (double(rotation[e * 3]) * t[0] + double(rotation[e * 3 + 1]) * t[1] + double(rotation[e * 3 + 2]) * t[2]) -
                   translation[e];
    }
    for (int r = 0; r < k; ++r) {
      b[r] += v * (omega[r] * upsilon[0] + omega[k + r] * upsilon[1]);
      for (int c = 0; c < k; ++c) a[r * k + c] += v * (omega[r] * omega[c] + omega[k + r] * omega[k + c]);
    }
  }
  for (int r = 0; r < k; ++r) a[r * k + r] += gamma;
  EXPECT_TRUE(choleskySolve(a.data(), b.data(), k, k));
  return b;
}

TEST(TtpShapeSystem, ShapeStepEqualsTheDirectSolve) {
  std::mt19937 random(3);
  std::normal_distribution<float> gaussian(0.0f, 1.0f);
  for (const int k : {10, 16}) {
    for (uint32_t seed = 0; seed < 5; ++seed) {
      const RandomProblem in = makeProblem(157, k, 40 + seed);
      std::vector<float> scratch(static_cast<size_t>(ttpPointSetSize(in.count, k)));
      TtpPointSet<float> set;
      ttpGatherPoints(in.points.data(), in.visibility.data(), in.vertices.data(), in.basis.data(), in.count, k,
                      scratch.data(), &set);
      const float turn[3] = {gaussian(random), gaussian(random), gaussian(random)};
      float rotation[9];
      so3Exp(turn, rotation);
      const float scale = 1.5f, translation[2] = {0.1f * gaussian(random), 0.1f * gaussian(random)};
      const float gamma = 1e-2f;
      float coefficients[TTP_MAX_BASIS];
      ASSERT_TRUE(ttpShapeStep(rotation, scale, translation, gamma, &set, coefficients));
      const std::vector<double> expected = directShape(in, rotation, scale, translation, gamma);
      double largest = 0;
      for (const double c : expected) largest = std::max(largest, std::fabs(c));
      for (int j = 0; j < k; ++j) EXPECT_NEAR(coefficients[j], expected[j], 1e-4 * (1 + largest)) << k << " " << seed << " c" << j;
    }
  }
}

// The moments path on the same problems and tolerance. Three different poses per problem reuse
// one set of moments, as the alternations of a solve do.
TEST(TtpShapeSystem, ShapeStepFromMomentsEqualsTheDirectSolve) {
  std::mt19937 random(5);
  std::normal_distribution<float> gaussian(0.0f, 1.0f);
  for (const int k : {1, 10, 16}) {
    for (uint32_t seed = 0; seed < 5; ++seed) {
      const RandomProblem in = makeProblem(157, k, 60 + seed);
      const size_t setSize = static_cast<size_t>(ttpPointSetSize(in.count, k));
      std::vector<float> scratch(setSize + static_cast<size_t>(ttpShapeMomentsSize(k)));
      TtpPointSet<float> set;
      ttpGatherPoints(in.points.data(), in.visibility.data(), in.vertices.data(), in.basis.data(), in.count, k,
                      scratch.data(), &set);
      float* moments = scratch.data() + setSize;
      ttpShapeMomentsTake(&set, moments);
      for (int pose = 0; pose < 3; ++pose) {
        const float turn[3] = {gaussian(random), gaussian(random), gaussian(random)};
        float rotation[9];
        so3Exp(turn, rotation);
        const float scale = 1.5f + 0.2f * static_cast<float>(pose);
        const float translation[2] = {0.1f * gaussian(random), 0.1f * gaussian(random)};
        const float gamma = 1e-2f;
        float coefficients[TTP_MAX_BASIS];
        ASSERT_TRUE(ttpShapeStepFromMoments(rotation, scale, translation, gamma, moments, &set, coefficients));
        const std::vector<double> expected = directShape(in, rotation, scale, translation, gamma);
        double largest = 0;
        for (const double c : expected) largest = std::max(largest, std::fabs(c));
        for (int j = 0; j < k; ++j)
          EXPECT_NEAR(coefficients[j], expected[j], 1e-4 * (1 + largest)) << k << " " << seed << " pose " << pose << " c" << j;
      }
    }
  }
}

// The moments are symmetric matrices with zero rows and columns from K on (K = 10 < K₄ = 12).
TEST(TtpShapeSystem, ShapeMomentsAreSymmetricAndZeroPastK) {
  const RandomProblem in = makeProblem(61, 10, 9);
  const size_t setSize = static_cast<size_t>(ttpPointSetSize(in.count, in.basisCount));
  std::vector<float> scratch(setSize + static_cast<size_t>(ttpShapeMomentsSize(in.basisCount)), -1.0f);
  TtpPointSet<float> set;
  ttpGatherPoints(in.points.data(), in.visibility.data(), in.vertices.data(), in.basis.data(), in.count, in.basisCount,
                  scratch.data(), &set);
  const float* moments = scratch.data() + setSize;
  ttpShapeMomentsTake(&set, scratch.data() + setSize);
  const int blocked = ttpBlockedBasis(in.basisCount);
  ASSERT_EQ(blocked, 12);
  for (int m = 0; m < 6; ++m)
    for (int r = 0; r < blocked; ++r)
      for (int c = 0; c < blocked; ++c) {
        const float value = moments[(m * blocked + r) * blocked + c];
        if (r >= in.basisCount || c >= in.basisCount) {
          EXPECT_EQ(value, 0.0f) << m << " " << r << " " << c;
        } else {
          EXPECT_EQ(value, moments[(m * blocked + c) * blocked + r]) << m << " " << r << " " << c;
        }
      }
  // H_0's entry (1, 2) against the per-point double sum Σ v B_i0[1] B_i0[2].
  double expected = 0;
  for (int i = 0; i < in.count; ++i)
    expected += double(in.visibility[i]) * in.basis[static_cast<size_t>(i) * 30 + 1] * in.basis[static_cast<size_t>(i) * 30 + 2];
  EXPECT_NEAR(moments[1 * blocked + 2], expected, 1e-5 * (1 + std::fabs(expected)));
}

TEST(TtpShapeSystem, DeformationEqualsThePerPointSum) {
  const RandomProblem in = makeProblem(61, 10, 8);
  std::vector<float> scratch(static_cast<size_t>(ttpPointSetSize(in.count, in.basisCount)));
  TtpPointSet<float> set;
  ttpGatherPoints(in.points.data(), in.visibility.data(), in.vertices.data(), in.basis.data(), in.count, in.basisCount,
                  scratch.data(), &set);
  float coefficients[10];
  for (int j = 0; j < 10; ++j) coefficients[j] = 0.3f * static_cast<float>(j) - 1.2f;
  ttpDeformPoints(coefficients, &set);
  int used = 0;
  for (int i = 0; i < in.count; ++i) {
    if (in.visibility[i] == 0.0f) continue;
    for (int d = 0; d < 3; ++d) {
      float value = in.vertices[i * 3 + d];
      for (int j = 0; j < 10; ++j) value += in.basis[(static_cast<size_t>(i) * 3 + d) * 10 + j] * coefficients[j];
      EXPECT_EQ(set.deformed[d][used], value) << i << " " << d;
    }
    ++used;
  }
  EXPECT_EQ(set.used, used);
}

}  // namespace
}  // namespace meshrt
