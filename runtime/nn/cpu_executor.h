// The CPU encoder executor (DESIGN §3): oneDNN primitives for convolution, inner product,
// pooling, eltwise, binary, PReLU and concat, plain loops (reference_ops.h) for Pad, Transpose,
// Resize, Softmax and unfolded BatchNormalization.
//
// At create(): the graph is simplified (passes.h), every primitive is created once, weights are
// reordered once into the layouts oneDNN picks (format_tag::any, usually channel-blocked such as
// nChw8c/nChw16c), reorders are inserted only where a consumer needs another layout (plain NCHW
// for the loop ops and graph outputs), and every activation buffer gets an offset in one arena
// planned by liveness (arena_plan.h). run() copies inputs in, executes the steps and copies the
// outputs out; it allocates nothing itself (oneDNN 2.6's execute() builds a small argument map
// per primitive inside libdnnl: tests/nn/cpu_executor_allocation_test.cpp counts both).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nn/graph.h"

namespace meshrt::nn {

struct CpuExecutorOptions {
  // OpenMP threads for oneDNN; 0 = the OpenMP default (all cores). When > 0, create() and run()
  // set it with omp_set_num_threads on the calling thread (OpenMP's per-thread setting).
  int threads = 0;
};

// What create() planned, for logs, tests and benchmarks.
struct CpuExecutorStats {
  size_t steps = 0;            // executed per run: primitives + loops + reorders
  size_t primitiveSteps = 0;   // oneDNN primitives (reorders included)
  size_t reorderSteps = 0;     // layout changes between steps
  size_t loopSteps = 0;        // plain-loop ops
  size_t arenaBytes = 0;       // the planned activation arena
  size_t activationBytes = 0;  // sum of all activation buffers (what no reuse would need)
  size_t scratchpadBytes = 0;  // oneDNN's shared scratchpad
};

class CpuExecutor {
 public:
  // `graph` must validate and have its input shapes; create() works on a simplified copy.
  static Result<std::unique_ptr<CpuExecutor>> create(const Graph& graph, const CpuExecutorOptions& options);
  ~CpuExecutor();
  CpuExecutor(const CpuExecutor&) = delete;
  CpuExecutor& operator=(const CpuExecutor&) = delete;

  // inputs: one fp32 span per graph input, C order in the IR layout (NCHW), exactly the input's
  // element count; outputs likewise per graph output. Not thread-safe (one arena per executor).
  Result<void> run(std::span<const std::span<const float>> inputs, std::span<const std::span<float>> outputs);

  const CpuExecutorStats& stats() const;
  // What run() executes, in order: node names, "<tensor>/reorder" for layout changes (profiling, logs).
  std::vector<std::string> stepNames() const;
  // Output shapes after simplification, in the graph's output order.
  const std::vector<Shape>& outputShapes() const;

  struct Impl;

 private:
  explicit CpuExecutor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> mImpl;
};

}  // namespace meshrt::nn
