// heads/object_frame_mesh.h: a mesh posed by a known camera (box: R X + t; face: s R X + t)
// comes back to the object frame (max abs error 1e-5), and the triangles are kept.
#include "heads/object_frame_mesh.h"

#include <gtest/gtest.h>

#include <cmath>

#include "support/sample_textured_mesh.h"

namespace meshrt {
namespace {

// A rotation about the axis (1, 2, 2)/3 by 0.7 rad (Rodrigues), row-major.
std::array<float, 9> testRotation() {
  const float k[3] = {1.0f / 3, 2.0f / 3, 2.0f / 3}, angle = 0.7f;
  const float c = std::cos(angle), s = std::sin(angle);
  std::array<float, 9> r{};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) r[3 * i + j] = (i == j ? c : 0.0f) + (1 - c) * k[i] * k[j];
  }
  r[1] -= s * k[2], r[2] += s * k[1], r[3] += s * k[2], r[5] -= s * k[0], r[6] -= s * k[1], r[7] += s * k[0];
  return r;
}

void expectRoundTrip(ObjectCameraModel model, float scale) {
  const TexturedMesh original = test::makeTexturedIcosphere(1);
  ReconstructedObject object;
  object.camera.model = model;
  object.camera.rotation = testRotation();
  object.camera.translation = {0.2f, -0.3f, 1.5f};
  object.camera.scale = scale;
  object.mesh = original;
  const auto& r = object.camera.rotation;
  for (uint32_t v = 0; v < original.vertexCount(); ++v) {
    const float* x = &original.positions[3 * v];
    for (int row = 0; row < 3; ++row) {
      object.mesh.positions[3 * v + row] =
          scale * (r[3 * row] * x[0] + r[3 * row + 1] * x[1] + r[3 * row + 2] * x[2]) + object.camera.translation[row];
    }
  }
  const TexturedMesh back = objectFrameMesh(object);
  ASSERT_EQ(back.positions.size(), original.positions.size());
  for (size_t i = 0; i < back.positions.size(); ++i) EXPECT_NEAR(back.positions[i], original.positions[i], 1e-5f) << i;
  EXPECT_EQ(back.triangles, original.triangles);
  EXPECT_EQ(back.uvs, original.uvs);
}

TEST(ObjectFrameMesh, BoxPoseIsUndone) { expectRoundTrip(ObjectCameraModel::Pinhole, 1.0f); }

TEST(ObjectFrameMesh, FacePoseWithScaleIsUndone) { expectRoundTrip(ObjectCameraModel::OrthographicPixels, 37.5f); }

}  // namespace
}  // namespace meshrt
