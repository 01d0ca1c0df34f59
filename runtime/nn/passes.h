// Graph passes run after import and before an executor is built. Each preserves the graph's
// outputs (up to fp32 rounding) and keeps nodes in topological order; each returns how many nodes
// it changed or removed. Run inferShapes() before them: they read shapes (simplifyGraph does).
#pragma once

#include "nn/graph.h"

namespace meshrt::nn {

// Float16 constants -> Float32 (exact). No DEQUANTIZE runs at inference time.
Result<int> widenFloat16Constants(Graph& graph);

// Constant folding: a Reshape's constant shape tensor moves into its attribute; a Reshape of a
// single-consumer Reshape collapses into one; any node whose inputs are all constants is evaluated
// (by the reference loops) and replaced by a constant fp32 tensor.
Result<int> foldConstants(Graph& graph);

// BatchNormalization after a Conv2D (whose output has no other consumer, no fused activation and
// no residual) folds into the conv's weights and bias: w' = w * s, b' = (b - mean) * s + beta with
// s = scale / sqrt(var + epsilon) per output channel. Other BatchNormalization nodes stay.
Result<int> foldBatchNorm(Graph& graph);

// Add(conv(x), r) -> Conv2D with residual inputs[3] = r, when the conv output feeds only the Add,
// the conv has no activation or residual yet, and r has the Add's output shape (no broadcast).
// The Add's fused activation moves to the conv.
Result<int> fuseResidualAdd(Graph& graph);

// A standalone Activation node whose input comes from a Conv2D, FullyConnected, Add or Mul with no
// activation yet (and no other consumer) becomes that producer's fused activation.
Result<int> fuseActivations(Graph& graph);

// All of the above, in the order that lets each enable the next, then inferShapes().
Result<void> simplifyGraph(Graph& graph);

}  // namespace meshrt::nn
