// ONNX → encoder IR (issue 5; docs/NN.md "ONNX importer"). Reads a ModelProto (Debian's libonnx
// protobuf schema), opsets 11-17 of the default domain, and returns a validated graph with every
// shape inferred, ready for runReference() or an executor.
//
// - Layout: ONNX is NCHW like the IR, so tensors, weights (OIHW) and axes pass through unchanged.
// - Graph inputs must be fp32 with static dimensions; a symbolic batch dimension becomes 1.
// - Import-time constants (initializers, Constant nodes, Shape→Gather→Unsqueeze→Concat chains over
//   the now-static shapes) are folded; only constants an IR op consumes become graph tensors.
// - Ops the IR lacks are mapped: Gemm/MatMul → FullyConnected ([out][in] weights, alpha and beta
//   folded), Flatten/Squeeze/Unsqueeze → Reshape, ReduceMean over H,W → GlobalAveragePool,
//   HardSigmoid → Mul + Add with a fused Clip(0, 1), Sub/Div by a constant → Add/Mul.
// - Errors name the file, the node (name and op type) or field, and the reason:
//   "enc.onnx: node 'conv1' (Conv): attribute 'strides': expected 2 values, got 3".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "nn/graph.h"

namespace meshrt::nn {

// Reads and imports the .onnx file at `path`. External tensor data is rejected.
Result<Graph> importOnnx(const std::string& path);

// Imports a serialized ModelProto held in memory; `source` names it in errors (and Graph::source).
Result<Graph> importOnnxBytes(const uint8_t* data, size_t size, const std::string& source);

}  // namespace meshrt::nn
