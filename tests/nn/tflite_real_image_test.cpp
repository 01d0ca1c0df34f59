// The imported MediaPipe models on real photos (tests/data/README.md), run by the reference
// executor: decisions a wrong layout, padding or weight order would break. Face models find the
// astronaut's face; Objectron's cup model finds the coffee cup and its chair model does not; the
// SSD's best class over all anchors is "Coffee cup". Thresholds are loose on purpose (logits far
// from them were measured with tools/tflite_golden.py's NumPy ops on the same inputs).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/npy_file.h"
#include "nn/reference_executor.h"
#include "nn/tflite_importer.h"
#include "nn/tflite_layout.h"
#include "support/model_cache.h"

namespace meshrt::nn {
namespace {

const std::string DATA_DIRECTORY = MESHRT_TEST_DATA;

// Runs `model` on tests/data/`image` (uint8 HWC RGB) mapped to [low, high], NCHW.
std::vector<std::vector<float>> runOnImage(const std::string& modelPath, const std::string& image, float low,
                                           float high) {
  auto pixels = readNpy(DATA_DIRECTORY + "/" + image);
  EXPECT_TRUE(pixels.ok()) << pixels.error().message;
  if (!pixels.ok() || pixels->shape.size() != 3) return {};
  auto graph = importTflite(modelPath);
  EXPECT_TRUE(graph.ok()) << graph.error().message;
  if (!graph.ok()) return {};
  auto inferred = inferShapes(*graph);
  EXPECT_TRUE(inferred.ok()) << inferred.error().message;
  const Shape& input = graph->tensors[graph->inputs[0]].shape;  // [1][3][H][W]
  EXPECT_EQ(input, (Shape{1, 3, int64_t(pixels->shape[0]), int64_t(pixels->shape[1])}));
  std::vector<float> hwc(pixels->uint8s().size());
  for (size_t i = 0; i < hwc.size(); ++i) hwc[i] = low + (high - low) * float(pixels->uint8s()[i]) / 255.0f;
  auto outputs = runReference(*graph, {tflite_layout::lastAxisToSecond(hwc, 1, input[2], input[3], 3)});
  EXPECT_TRUE(outputs.ok()) << outputs.error().message;
  return outputs.ok() ? *outputs : std::vector<std::vector<float>>{};
}

TEST(TfliteRealImage, FaceLandmarksOnTheAstronaut) {
  MESHRT_REQUIRE_MODEL(path, "face_landmark.tflite");
  const auto outputs = runOnImage(path, "astronaut_face_192.npy", 0.0f, 1.0f);
  ASSERT_EQ(outputs.size(), 2u);
  ASSERT_EQ(outputs[0].size(), 1404u);  // 468 landmarks × (x, y, z), pixels of the 192 crop
  EXPECT_GT(outputs[1][0], 10.0f) << "face flag logit";  // measured 28.7
  // Landmark 1 (nose tip) lies near the crop's centre (measured (94.9, 113.1)); all landmarks inside.
  EXPECT_NEAR(outputs[0][3], 96.0f, 20.0f);
  EXPECT_NEAR(outputs[0][4], 110.0f, 20.0f);
  for (size_t i = 0; i < 468; ++i) {
    EXPECT_GE(outputs[0][3 * i], 0.0f);
    EXPECT_LE(outputs[0][3 * i], 192.0f);
    EXPECT_GE(outputs[0][3 * i + 1], 0.0f);
    EXPECT_LE(outputs[0][3 * i + 1], 192.0f);
  }
}

TEST(TfliteRealImage, BlazeFaceFindsTheAstronaut) {
  MESHRT_REQUIRE_MODEL(path, "face_detection_short_range.tflite");
  const auto outputs = runOnImage(path, "astronaut_128.npy", -1.0f, 1.0f);
  ASSERT_EQ(outputs.size(), 2u);
  ASSERT_EQ(outputs[1].size(), 896u);  // one logit per anchor
  EXPECT_GT(*std::max_element(outputs[1].begin(), outputs[1].end()), 0.0f);  // measured 2.45
}

TEST(TfliteRealImage, ObjectronCupSeesTheCupAndChairDoesNot) {
  MESHRT_REQUIRE_MODEL(cup, "object_detection_3d_cup.tflite");
  MESHRT_REQUIRE_MODEL(chair, "object_detection_3d_chair.tflite");
  const auto cupOutputs = runOnImage(cup, "coffee_cup_224.npy", 0.0f, 1.0f);
  ASSERT_EQ(cupOutputs.size(), 2u);
  EXPECT_GT(cupOutputs[1][0], 0.5f) << "cup presence";  // measured 0.80
  // Keypoint 0 (box centre) near the crop centre (measured (111, 100)), pixels of the 224 crop.
  EXPECT_NEAR(cupOutputs[0][0], 112.0f, 30.0f);
  EXPECT_NEAR(cupOutputs[0][1], 100.0f, 30.0f);
  const auto chairOutputs = runOnImage(chair, "coffee_cup_224.npy", 0.0f, 1.0f);
  ASSERT_EQ(chairOutputs.size(), 2u);
  EXPECT_LT(chairOutputs[1][0], 0.1f) << "chair presence";  // measured 0.003
}

TEST(TfliteRealImage, SsdBestClassIsCoffeeCup) {
  MESHRT_REQUIRE_MODEL(path, "object_detection_ssd_mobilenetv2_oidv4_fp16.tflite");
  const auto outputs = runOnImage(path, "coffee_300.npy", -1.0f, 1.0f);
  ASSERT_EQ(outputs.size(), 2u);
  ASSERT_EQ(outputs[1].size(), 1917u * 24u);  // [anchor][class] logits, class 0 = background
  size_t bestClass = 0;
  float bestLogit = -INFINITY;
  for (size_t anchor = 0; anchor < 1917; ++anchor) {
    for (size_t label = 1; label < 24; ++label) {
      if (outputs[1][anchor * 24 + label] > bestLogit) {
        bestLogit = outputs[1][anchor * 24 + label];
        bestClass = label;
      }
    }
  }
  EXPECT_EQ(bestClass, 13u) << "object_detection_oidv4_labelmap.txt line 14 is 'Coffee cup'";
}

}  // namespace
}  // namespace meshrt::nn
