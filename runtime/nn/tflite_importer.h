// TFLite → IR (graph.h). Subgraph 0 of a float model (fp32 activations, fp32 or fp16 weights).
//
// Conversions at the boundary (DESIGN §5), and only here:
// - 4-D activations NHWC → NCHW: graph inputs and outputs, every intermediate; weights
//   OHWI → OIHW; depthwise [1][KH][KW][C*M] → OIHW [C*M][1][KH][KW] with groups = C.
// - Axis attributes (CONCATENATION, MEAN, PAD, SOFTMAX) remapped to NCHW; a RESHAPE or
//   FULLY_CONNECTED that flattens a 4-D tensor gets a Transpose to NHWC first, so the element
//   order matches TFLite's (and one back to NCHW when a RESHAPE yields a 4-D tensor).
// - DEQUANTIZE of fp16 constants is folded at load (fp32 constants); SAME padding is resolved
//   to explicit pixels with TFLite's rule (the odd pixel after); fused activations become the
//   node's Activation (or an Activation node after ops that have none); LOGISTIC → Sigmoid.
// - Graph outputs keep the model's order and tensor names.
// An operator the importer does not map is an error naming its output tensor, type and index:
// "m.tflite: node 'x' (TANH at operator 12): unsupported op"; other errors name the operator the
// same way: "m.tflite: operator 12 (CONV_2D, output 'x'): weights must be constant".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/graph.h"
#include "nn/tflite_reader.h"

namespace meshrt::nn {

Result<Graph> importTflite(const std::string& path);
// `name` labels errors and Graph::source.
Result<Graph> importTfliteFromMemory(std::vector<uint8_t> bytes, const std::string& name);
Result<Graph> importTfliteModel(const TfliteModel& model);

}  // namespace meshrt::nn
