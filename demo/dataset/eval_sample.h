// One sample of `meshrt eval` (docs/TRAINING.md "Evaluation"): the labels of a render-dataset
// directory (docs/DATASET.md "Format"), and the metrics of a prediction against them. The
// predicted mask is rendered through the dataset's own raster path (DatasetRenderer, the same
// call render-dataset makes), so feeding the ground truth back in gives IoU 1 and 0° (the
// "oracle" test, tests/e2e/eval_oracle_test.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/image.h"
#include "core/npy_file.h"
#include "dataset/dataset_renderer.h"
#include "dataset/dataset_sample.h"
#include "meshrt/result.h"

namespace meshrt::dataset {

// A weak-perspective camera p = s·(R X)_xy + t (normalized image coordinates, OpenCV axes) and a
// shape X = T + B·c.
struct PosedShape {
  std::array<float, 9> rotation{};      // R, object → camera, row-major
  float scale = 0;                      // s
  std::array<float, 2> translation{};   // t, normalized image coordinates
  std::vector<float> coefficients;      // c, K
  std::vector<float> vertices;          // X, N×3 object frame
  std::vector<float> pixels;            // the 2D vertex positions, N×2 image pixels
};

// The label files of a render-dataset directory, shapes checked against dataset.json.
struct DatasetLabels {
  std::string directory;
  std::string pack;
  uint32_t count = 0, imageSize = 0, vertices = 0, basisCount = 0;
  NpyArray cameras;       // float32 [count][7]: s, tx, ty, qw, qx, qy, qz
  NpyArray coefficients;  // float32 [count][K]
  NpyArray pixels;        // float32 [count][N][2]
  NpyArray visibility;    // uint8 [count][N]
  std::string imagePath(uint32_t index) const;  // DIR/images/NNNNNN.png
  std::string maskPath(uint32_t index) const;   // DIR/masks/NNNNNN.png
};

// Reads dataset.json and the .npy labels. Errors: one line naming the file and the field.
Result<DatasetLabels> readDatasetLabels(const std::string& directory);

// Sample `index`'s ground truth (X from the template and basis of `model`).
PosedShape truthShape(const DatasetLabels& labels, uint32_t index, const DeformableTemplate& model);

struct SampleMetrics {
  double maskIou = 0;            // [0, 1]
  double rotationErrorDeg = 0;   // [0, 180]
  double vertexError = 0;        // object units
  double pck = 0;                // [0, 1]; NaN when no vertex is visible
};

struct SampleEvalParams {
  double pckFraction = 0.05;  // PCK threshold as a fraction of the image side
};

// The metrics of `predicted` against `truth`: the predicted mesh is rendered by `renderer` (its
// size = the dataset's image size, batch 1) with the predicted camera and compared with
// `truthMask`; `shading` supplies the texture, background and light the render needs (they do not
// change the mask).
Result<SampleMetrics> evaluateSample(DatasetRenderer& renderer, const DatasetSample& shading, const PosedShape& predicted,
                                     const PosedShape& truth, std::span<const uint8_t> truthVisibility,
                                     const Image& truthMask, const SampleEvalParams& params = {});

}  // namespace meshrt::dataset
