// core/small_matrix.h: the right-looking Cholesky solve against the left-looking one. Both
// subtract every entry's products in the same order, so on the same SPD systems they must agree
// bit for bit (sizes 1–32, leading dimensions n and n + 3), and both must solve the system.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/small_matrix.h"

namespace meshrt {
namespace {

// A = MᵀM + n·I (row-major, leading dimension lda, the upper triangle filled too).
std::vector<float> randomSpd(int n, int lda, std::mt19937& random) {
  std::normal_distribution<float> gaussian(0.0f, 1.0f);
  std::vector<float> m(static_cast<size_t>(n * n));
  for (float& value : m) value = gaussian(random);
  std::vector<float> a(static_cast<size_t>(n * lda), 0.0f);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      float sum = r == c ? static_cast<float>(n) : 0.0f;
      for (int k = 0; k < n; ++k) sum += m[k * n + r] * m[k * n + c];
      a[r * lda + c] = sum;
    }
  return a;
}

TEST(SmallMatrix, RightLookingCholeskyEqualsLeftLookingBitForBit) {
  std::mt19937 random(11);
  std::normal_distribution<float> gaussian(0.0f, 1.0f);
  for (int n = 1; n <= 32; ++n) {
    for (const int lda : {n, n + 3}) {
      const std::vector<float> a = randomSpd(n, lda, random);
      std::vector<float> b(static_cast<size_t>(n));
      for (float& value : b) value = gaussian(random);
      std::vector<float> left = a, right = a, xLeft = b, xRight = b;
      ASSERT_TRUE(choleskySolve(left.data(), xLeft.data(), n, lda));
      ASSERT_TRUE(choleskySolveRightLooking(right.data(), xRight.data(), n, lda));
      EXPECT_EQ(std::memcmp(xLeft.data(), xRight.data(), sizeof(float) * n), 0) << n << " " << lda;
      for (int r = 0; r < n; ++r)  // L itself, lower triangle
        for (int c = 0; c <= r; ++c) EXPECT_EQ(left[r * lda + c], right[r * lda + c]) << n << " " << r << " " << c;
      for (int r = 0; r < n; ++r) {  // and it solves A x = b
        double residual = -b[r];
        for (int c = 0; c < n; ++c) residual += double(a[r * lda + c]) * xRight[c];
        EXPECT_NEAR(residual, 0.0, 1e-4 * n) << n << " row " << r;
      }
    }
  }
}

TEST(SmallMatrix, RightLookingCholeskyRejectsANonPositivePivot) {
  float a[4] = {1.0f, 2.0f, 2.0f, 1.0f};  // eigenvalues 3 and −1
  float b[2] = {1.0f, 1.0f};
  EXPECT_FALSE(choleskySolveRightLooking(a, b, 2, 2));
  float zero[1] = {0.0f};
  float c[1] = {1.0f};
  EXPECT_FALSE(choleskySolveRightLooking(zero, c, 1, 1));
}

}  // namespace
}  // namespace meshrt
