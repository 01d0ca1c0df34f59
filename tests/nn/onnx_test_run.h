// Imports an OnnxModelBuilder model, runs it with the reference executor and compares one output
// with expected values (relative L2) and an expected shape (exact). Failures are reported through
// GoogleTest, naming the importer's or executor's error.
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "nn/onnx_model_builder.h"
#include "nn/reference_executor.h"
#include "support/tensor_compare.h"

namespace meshrt::test {

inline void expectOutput(const OnnxModelBuilder& model, const std::vector<std::vector<float>>& inputs,
                         const std::vector<float>& expected, const nn::Shape& expectedShape, double tolerance,
                         size_t outputIndex = 0) {
  auto graph = model.import();
  ASSERT_TRUE(graph.ok()) << graph.error().message;
  ASSERT_LT(outputIndex, graph->outputs.size());
  EXPECT_EQ(nn::shapeString(graph->tensors[graph->outputs[outputIndex]].shape), nn::shapeString(expectedShape));
  auto outputs = nn::runReference(*graph, inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.error().message;
  const std::vector<float>& actual = (*outputs)[outputIndex];
  ASSERT_EQ(actual.size(), expected.size());
  EXPECT_LE(relativeL2(actual, expected), tolerance);
}

}  // namespace meshrt::test
