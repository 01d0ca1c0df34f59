// The "oracle" check of `meshrt eval` (demo/dataset/eval_sample.h): rendered samples' own labels
// fed back as the prediction, through the same label reading (truthShape), mask rendering and
// metric code the command uses, give IoU ≥ 0.99, 0° rotation error, zero vertex error and PCK 1.
// No model: this proves the metric path. Vulkan (the dataset renderer), lavapipe here.
#include <gtest/gtest.h>

#include <cstring>

#include "core/mesh_io.h"
#include "core/npy_file.h"
#include "dataset/dataset_renderer.h"
#include "dataset/dataset_sample.h"
#include "dataset/eval_sample.h"
#include "support/vulkan_environment.h"

namespace meshrt::test {
namespace {

template <typename T>
NpyArray npyOf(NpyType type, std::vector<uint64_t> shape, const std::vector<T>& values) {
  NpyArray array;
  array.type = type;
  array.shape = std::move(shape);
  array.bytes.resize(values.size() * sizeof(T));
  std::memcpy(array.bytes.data(), values.data(), array.bytes.size());
  return array;
}

class EvalOracleTest : public VulkanTest {};

TEST_F(EvalOracleTest, GroundTruthThroughTheMetricPathIsPerfect) {
  const std::string templates = std::string(MESHRT_SOURCE_DIR) + "/assets/templates/";
  auto mesh = readObj(templates + "synthetic_bird.obj");
  ASSERT_TRUE(mesh.ok()) << mesh.error().message;
  auto basis = readNpy(templates + "synthetic_bird_basis.npy");
  ASSERT_TRUE(basis.ok()) << basis.error().message;
  dataset::DeformableTemplate model;
  model.positions = mesh->positions;
  model.uvs = mesh->uvs;
  model.triangles = mesh->triangles;
  model.basis.assign(basis->floats().begin(), basis->floats().end());
  model.basisCount = 16;
  const uint32_t n = model.vertexCount(), k = model.basisCount, count = 4, size = 128;
  dataset::DatasetRenderParams params;
  params.size = size;
  auto renderer = dataset::DatasetRenderer::create(context(), model, params);
  ASSERT_TRUE(renderer.ok()) << renderer.error().message;

  // Render the samples and keep their labels as render-dataset writes them (float32 cameras).
  const dataset::DatasetSampling sampling;
  std::vector<dataset::DatasetSample> samples;
  std::vector<dataset::RenderedSample> rendered;
  std::vector<float> cameras, coefficients, pixels;
  std::vector<uint8_t> visibility;
  for (uint32_t i = 0; i < count; ++i) {
    samples.push_back(dataset::drawSample(sampling, 11, i, k));
    auto one = (*renderer)->render(std::span<const dataset::DatasetSample>(&samples.back(), 1));
    ASSERT_TRUE(one.ok()) << one.error().message;
    rendered.push_back(std::move(one->front()));
    const dataset::DatasetSample& s = samples.back();
    for (double value : {s.scale, s.translation[0], s.translation[1], s.quaternion[0], s.quaternion[1],
                         s.quaternion[2], s.quaternion[3]})
      cameras.push_back(float(value));
    coefficients.insert(coefficients.end(), s.coefficients.begin(), s.coefficients.end());
    pixels.insert(pixels.end(), rendered.back().pixels.begin(), rendered.back().pixels.end());
    visibility.insert(visibility.end(), rendered.back().visibility.begin(), rendered.back().visibility.end());
  }
  dataset::DatasetLabels labels;
  labels.count = count, labels.imageSize = size, labels.vertices = n, labels.basisCount = k;
  labels.cameras = npyOf(NpyType::Float32, {count, 7}, cameras);
  labels.coefficients = npyOf(NpyType::Float32, {count, k}, coefficients);
  labels.pixels = npyOf(NpyType::Float32, {count, n, 2}, pixels);
  labels.visibility = npyOf(NpyType::Uint8, {count, n}, visibility);

  for (uint32_t i = 0; i < count; ++i) {
    const dataset::PosedShape truth = dataset::truthShape(labels, i, model);
    ASSERT_EQ(truth.vertices, (*renderer)->deform(samples[i].coefficients)) << "sample " << i;
    const std::span<const uint8_t> visible(visibility.data() + size_t{i} * n, n);
    // The shading comes from another draw: it must not change the mask.
    const dataset::DatasetSample shading = dataset::drawSample(sampling, 99, i, k);
    auto metrics = dataset::evaluateSample(**renderer, shading, truth, truth, visible, rendered[i].mask);
    ASSERT_TRUE(metrics.ok()) << metrics.error().message;
    EXPECT_GE(metrics->maskIou, 0.99) << "sample " << i;
    EXPECT_EQ(metrics->rotationErrorDeg, 0.0) << "sample " << i;
    EXPECT_EQ(metrics->vertexError, 0.0) << "sample " << i;
    EXPECT_EQ(metrics->pck, 1.0) << "sample " << i;

    // A wrong prediction is seen as one: the truth turned 90° about the camera axis.
    dataset::PosedShape turned = truth;
    const auto& r = truth.rotation;
    turned.rotation = {-r[3], -r[4], -r[5], r[0], r[1], r[2], r[6], r[7], r[8]};  // Rz(90°)·R
    auto wrong = dataset::evaluateSample(**renderer, shading, turned, truth, visible, rendered[i].mask);
    ASSERT_TRUE(wrong.ok()) << wrong.error().message;
    EXPECT_NEAR(wrong->rotationErrorDeg, 90.0, 1e-3);
    EXPECT_LT(wrong->maskIou, 0.9);
    EXPECT_GT(wrong->vertexError, 0.05);
  }
}

}  // namespace
}  // namespace meshrt::test
