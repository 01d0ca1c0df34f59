// The face pipeline (heads/object_pipeline.h) on the astronaut photo (tests/data/README.md) with
// the installed face pack: one face, 468 landmarks on it in the model's index order (landmark 1,
// the nose tip, where tests/nn/tflite_real_image_test.cpp's crop measured it), a Procrustes pose
// that turns the canonical face (+y up, looking toward +z) to face the camera upright, the mesh
// = the landmarks, and tracking on a looped frame.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/image.h"
#include "heads/image_texturing.h"
#include "heads/object_pipeline.h"
#include "support/installed_pack.h"

namespace meshrt {
namespace {

float determinant(const std::array<float, 9>& r) {
  return r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);
}

TEST(FacePipeline, AstronautFace) {
  MESHRT_REQUIRE_PACK(pack, "face");
  MESHRT_REQUIRE_PHOTO(path, "astronaut.jpg");
  auto image = readImage(path);
  ASSERT_TRUE(image.ok()) << image.error().message;
  auto pipeline = createObjectPipeline(pack, {});
  ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
  auto frame = (*pipeline)->process(*image);
  ASSERT_TRUE(frame.ok()) << frame.error().message;
  ASSERT_EQ(frame->objects.size(), 1u) << "one face";
  const ReconstructedObject& face = frame->objects[0];
  EXPECT_GT(face.score, 0.9f) << "face flag, after the sigmoid";
  EXPECT_GE(face.detectionScore, pack.detection.minScore);
  ASSERT_EQ(face.keypoints2d.size(), 936u);
  ASSERT_EQ(face.landmarkDepth.size(), 468u);
  EXPECT_FALSE(face.hasBox);
  // Nose tip: (94.9, 113.1) in the 192 crop of (130, 20)-(320, 210) → about (224, 132).
  EXPECT_NEAR(face.keypoints2d[2], 224.0f, 15.0f);
  EXPECT_NEAR(face.keypoints2d[3], 132.0f, 15.0f);
  for (size_t i = 0; i < 468; ++i) {  // all on the face region of the photo
    EXPECT_GT(face.keypoints2d[2 * i], 120.0f) << "landmark " << i;
    EXPECT_LT(face.keypoints2d[2 * i], 330.0f) << "landmark " << i;
    EXPECT_GT(face.keypoints2d[2 * i + 1], 10.0f) << "landmark " << i;
    EXPECT_LT(face.keypoints2d[2 * i + 1], 230.0f) << "landmark " << i;
  }
  // Mesh vertices are the landmarks (x, y pixels, z = depth), with the template's UVs.
  ASSERT_EQ(face.mesh.vertexCount(), 468u);
  EXPECT_EQ(face.mesh.uvs.size(), 936u);
  EXPECT_GT(face.mesh.triangleCount(), 800u);
  for (size_t i = 0; i < 468; ++i) {
    EXPECT_EQ(face.mesh.positions[3 * i], face.keypoints2d[2 * i]);
    EXPECT_EQ(face.mesh.positions[3 * i + 1], face.keypoints2d[2 * i + 1]);
    EXPECT_EQ(face.mesh.positions[3 * i + 2], face.landmarkDepth[i]);
  }
  // Pose: canonical +y (up) → image −y (up on screen), canonical +z (toward the viewer) → −z
  // (nearer the camera); the astronaut faces the camera almost frontally.
  EXPECT_EQ(face.camera.model, ObjectCameraModel::OrthographicPixels);
  EXPECT_NEAR(determinant(face.camera.rotation), 1.0f, 1e-4f);
  EXPECT_LT(face.camera.rotation[4], -0.8f) << "R_yy";
  EXPECT_LT(face.camera.rotation[8], -0.8f) << "R_zz";
  EXPECT_GT(face.camera.rotation[0], 0.8f) << "R_xx";
  EXPECT_GT(face.camera.scale, 0.0f);
}

TEST(FacePipeline, TracksOnALoopedFrame) {
  MESHRT_REQUIRE_PACK(pack, "face");
  MESHRT_REQUIRE_PHOTO(path, "astronaut.jpg");
  auto image = readImage(path);
  ASSERT_TRUE(image.ok()) << image.error().message;
  ObjectPipelineOptions options;
  options.tracking = true;
  auto pipeline = createObjectPipeline(pack, options);
  ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
  auto first = (*pipeline)->process(*image);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_EQ(first->objects.size(), 1u);
  auto second = (*pipeline)->process(*image);
  ASSERT_TRUE(second.ok()) << second.error().message;
  ASSERT_EQ(second->objects.size(), 1u);
  EXPECT_FALSE(second->ranDetector);
  float worst = 0;
  for (size_t i = 0; i < 936; ++i) {
    worst = std::max(worst, std::fabs(second->objects[0].keypoints2d[i] - first->objects[0].keypoints2d[i]));
  }
  EXPECT_LT(worst, 10.0f) << "landmarks from the tracked crop stay on the same face";
}

TEST(FacePipeline, TextureFromThePhoto) {
  MESHRT_REQUIRE_PACK(pack, "face");
  MESHRT_REQUIRE_PHOTO(path, "astronaut.jpg");
  auto image = readImage(path);
  ASSERT_TRUE(image.ok()) << image.error().message;
  auto pipeline = createObjectPipeline(pack, {});
  ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
  auto frame = (*pipeline)->process(*image);
  ASSERT_TRUE(frame.ok()) << frame.error().message;
  ASSERT_EQ(frame->objects.size(), 1u);
  auto texturer = ImageTexturer::create(nullptr);
  ASSERT_TRUE(texturer.ok()) << texturer.error().message;
  ImageTexturingParams params;
  params.projection = TexturingProjection::OrthographicPixels;
  params.textureSize = 256;
  auto texture = (*texturer)->texture(*image, frame->objects[0].mesh, params);
  ASSERT_TRUE(texture.ok()) << texture.error().message;
  // A frontal face: most of the face mesh is visible, so most of its UV chart is filled.
  EXPECT_GT(texture->coveredPixels, 5000u);  // the face is about 90×100 px (measured 7,824)
  EXPECT_GT(texture->filledTexels, 256u * 256u / 4);
}

}  // namespace
}  // namespace meshrt
