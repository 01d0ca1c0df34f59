// The naive reference executor: plain loops over the IR, fp32, no fusion beyond what the graph
// says, no allocation tricks. Test-only in spirit (parity checks of importers and executors);
// it lives in the library so every test suite and tool can use it.
#pragma once

#include <vector>

#include "nn/graph.h"

namespace meshrt::nn {

// Runs `graph` (validated, shapes inferred) on `inputs` (one fp32 buffer per graph input, C order
// in the IR layout) and returns one fp32 buffer per graph output. Errors name the node.
Result<std::vector<std::vector<float>>> runReference(const Graph& graph, const std::vector<std::vector<float>>& inputs);

}  // namespace meshrt::nn
