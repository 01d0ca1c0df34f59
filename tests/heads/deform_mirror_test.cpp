// Test-time mirroring (heads/deform_mirror.h) on the committed bird template and basis: the mirror
// pairs, the claim the averaging rests on (the left-right mirrored image of pose (R, s, t, c) is
// the image of (M·R·M, s, (−t_x, t_y), c), vertex i where its partner is), the quaternion form of
// M·R·M, and one-line errors for a template or basis that is not mirror-symmetric.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "core/so3_math.h"
#include "heads/deform_mirror.h"
#include "heads/deform_pipeline.h"
#include "support/bird_template.h"
#include "support/splitmix.h"

namespace meshrt {
namespace {

constexpr uint32_t K = 16;

class DeformMirrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::BirdTemplate bird;
    ASSERT_EQ(test::loadBirdTemplate(bird, K), "");
    mPositions = std::move(bird.positions);
    mBasis = std::move(bird.basis);
  }
  std::vector<float> mPositions, mBasis;
};

TEST_F(DeformMirrorTest, PartnersAreTheMirroredVerticesAndPairUp) {
  auto partners = findMirrorPartners(mPositions, mBasis, K, "bird");
  ASSERT_TRUE(partners.ok()) << partners.error().message;
  const size_t n = mPositions.size() / 3;
  ASSERT_EQ(partners->size(), n);
  size_t onPlane = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t j = (*partners)[i];
    EXPECT_EQ((*partners)[j], i) << "partners pair up";
    EXPECT_EQ(mPositions[3 * j], -mPositions[3 * i]) << i;
    EXPECT_EQ(mPositions[3 * j + 1], mPositions[3 * i + 1]) << i;
    EXPECT_EQ(mPositions[3 * j + 2], mPositions[3 * i + 2]) << i;
    onPlane += j == i;
  }
  EXPECT_GT(onPlane, 0u);  // the vertices on x = 0 are their own partners
  EXPECT_LT(onPlane, n / 4);
}

TEST_F(DeformMirrorTest, MirroredImageIsTheMirroredPoseAndMirrorsBack) {
  auto partners = findMirrorPartners(mPositions, mBasis, K, "bird");
  ASSERT_TRUE(partners.ok()) << partners.error().message;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const std::vector<float> random = test::splitmixSigned(seed, 7 + K);
    float q[4] = {random[0], random[1], random[2], random[3]};
    std::array<float, 9> r{};
    rotationFromQuaternion(q, r.data());
    const float scale = 1.3f + 0.2f * random[4];
    const std::array<float, 2> t = {0.15f * random[5], 0.15f * random[6]};
    const std::vector<float> c(random.begin() + 7, random.end());
    const std::vector<float> shape = deformTemplate(mPositions, mBasis, K, c);
    const std::vector<float> points = projectWeakPerspective(shape, r, scale, t);
    // The mirrored frame: every projected point at x → −x. Its pose, M·R·M, from the quaternion
    // (w, x, −y, −z), equals M·R·M entry by entry.
    float qMirrored[4] = {q[0], q[1], -q[2], -q[3]};
    std::array<float, 9> rMirrored{};
    rotationFromQuaternion(qMirrored, rMirrored.data());
    for (int row = 0; row < 3; ++row) {
      for (int col = 0; col < 3; ++col) {
        const float sign = (row == 0) != (col == 0) ? -1.0f : 1.0f;  // M·R·M flips row 0 and column 0
        EXPECT_NEAR(rMirrored[3 * row + col], sign * r[3 * row + col], 1e-6f);
      }
    }
    const std::vector<float> mirroredPoints = projectWeakPerspective(shape, rMirrored, scale, {-t[0], t[1]});
    std::vector<float> visibility(points.size() / 2), mirroredVisibility(visibility.size());
    for (size_t i = 0; i < visibility.size(); ++i) {
      visibility[i] = 0.25f + 0.5f * test::splitmixUniform(seed + 100, i);
      mirroredVisibility[(*partners)[i]] = visibility[i];
    }
    // The pose (M·R·M, (−t_x, t_y)) puts vertex partner[i] where vertex i's point is mirrored.
    for (size_t i = 0; i < visibility.size(); ++i) {
      const uint32_t j = (*partners)[i];
      ASSERT_NEAR(mirroredPoints[2 * j], -points[2 * i], 2e-6f) << "seed " << seed << " vertex " << i;
      ASSERT_NEAR(mirroredPoints[2 * j + 1], points[2 * i + 1], 2e-6f) << "seed " << seed << " vertex " << i;
    }
    std::vector<float> back, backVisibility;
    mirrorBackPoints(mirroredPoints, mirroredVisibility, *partners, back, backVisibility);
    for (size_t i = 0; i < points.size(); ++i) ASSERT_NEAR(back[i], points[i], 2e-6f) << i;
    EXPECT_EQ(backVisibility, visibility);

    // regress: a prediction and its mirror image (quaternion negated and scaled: any sign and
    // norm) average back to the prediction.
    std::vector<float> regress = {scale, t[0], t[1], q[0], q[1], q[2], q[3]};
    regress.insert(regress.end(), c.begin(), c.end());
    std::vector<float> mirrored = {scale, -t[0], t[1], -3 * q[0], -3 * q[1], 3 * q[2], 3 * q[3]};
    mirrored.insert(mirrored.end(), c.begin(), c.end());
    std::vector<float> averaged = regress;
    averageMirroredRegress(averaged, mirrored);
    std::array<float, 9> rAveraged{};
    rotationFromQuaternion(&averaged[3], rAveraged.data());
    for (int i = 0; i < 9; ++i) EXPECT_NEAR(rAveraged[i], r[i], 1e-6f) << i;
    for (size_t i : {size_t{0}, size_t{1}, size_t{2}}) EXPECT_NEAR(averaged[i], regress[i], 1e-7f);
    for (size_t k = 7; k < averaged.size(); ++k) EXPECT_NEAR(averaged[k], regress[k], 1e-7f);
  }
}

TEST_F(DeformMirrorTest, AZeroQuaternionIsLeftOut) {
  std::vector<float> regress = {1.3f, 0.1f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  const std::vector<float> mirrored = {1.3f, -0.1f, 0.0f, 0.5f, 0.5f, 0.5f, 0.5f};
  averageMirroredRegress(regress, mirrored);
  EXPECT_FLOAT_EQ(regress[3], 0.5f);  // only the mirrored one, mirrored back
  EXPECT_FLOAT_EQ(regress[4], 0.5f);
  EXPECT_FLOAT_EQ(regress[5], -0.5f);
  EXPECT_FLOAT_EQ(regress[6], -0.5f);
}

TEST_F(DeformMirrorTest, AsymmetricTemplateOrBasisIsAOneLineError) {
  std::vector<float> positions = mPositions;
  positions[3 * 5] += 0.01f;  // vertex 5 moved off its mirror image
  auto partners = findMirrorPartners(positions, mBasis, K, "pack.json: test_time_mirror");
  ASSERT_FALSE(partners.ok());
  EXPECT_EQ(partners.error().message.rfind("pack.json: test_time_mirror: vertex ", 0), 0u) << partners.error().message;
  EXPECT_EQ(partners.error().message.find('\n'), std::string::npos);

  std::vector<float> basis = mBasis;
  basis[(7 * 3 + 1) * K + 3] += 0.01f;  // field 3, vertex 7, y
  partners = findMirrorPartners(mPositions, basis, K, "pack.json: test_time_mirror");
  ASSERT_FALSE(partners.ok());
  EXPECT_NE(partners.error().message.find("basis field 3"), std::string::npos) << partners.error().message;
}

}  // namespace
}  // namespace meshrt
