// The CUDA encoder executor (DESIGN §3, issue 5): cuDNN 9 for convolutions (the legacy
// cudnnConvolutionForward / cudnnConvolutionBiasActivationForward calls in cudnn_cnn.h), cuBLAS
// for FullyConnected, kernels/nn_*.cu (nn/cuda_kernels.h) for every other op.
//
// At create(): the graph is simplified (passes.h); constants are uploaded once in the storage
// type; every convolution's cuDNN algorithm is chosen once by cuDNN's heuristics and one shared
// workspace sized for the largest; every activation buffer gets an offset in one device arena
// planned by liveness (arena_plan.h). Reshape is free (the output aliases its input's bytes).
//
// run(): copies (fp32) or converts (fp16 mode) the caller's fp32 inputs into the arena, executes
// the steps, copies or converts the outputs into the caller's fp32 buffers, all enqueued on the
// caller's stream. The first run executes the steps directly; it then captures them into a CUDA
// graph (on the executor's own stream) which later runs replay. The graph reads and writes only
// the arena, so caller buffers may change between runs.
//
// This header includes no CUDA header (device pointers are plain pointers, the stream is void*)
// so builds without CUDA can include it; there create() returns "CUDA backend not compiled".
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nn/graph.h"

namespace meshrt::nn {

enum class CudaPrecision : uint8_t {
  Float32,  // fp32 storage and math; cuDNN FMA math and cuBLAS pedantic math (no TF32)
  Float16,  // fp16 activations and weights, fp32 accumulation; tensor-core math allowed
};

struct CudaExecutorOptions {
  int deviceIndex = 0;  // CUDA device ordinal (the one whose UUID matches Vulkan: interop/cuda_device.h)
  CudaPrecision precision = CudaPrecision::Float32;
  bool useCudaGraph = true;  // capture the steps into a CUDA graph after the first run
};

// What create() planned, for logs, tests and benchmarks.
struct CudaExecutorStats {
  size_t steps = 0;            // executed per run
  size_t cudnnConvSteps = 0;   // convolutions through cuDNN
  size_t fusedConvSteps = 0;   // of which bias + activation (+ residual) fused by cuDNN
  size_t cublasSteps = 0;      // FullyConnected through cuBLAS
  size_t kernelSteps = 0;      // launches of kernels/nn_*.cu
  size_t arenaBytes = 0;       // the planned activation arena (device)
  size_t activationBytes = 0;  // sum of all activation buffers (what no reuse would need)
  size_t workspaceBytes = 0;   // cuDNN workspace shared by every convolution
  size_t constantBytes = 0;    // weights and other constants on the device
};

class CudaExecutor {
 public:
  // `graph` must validate and have its input shapes; create() works on a simplified copy.
  // Errors name the node ("node 'conv_3' (Conv2D): cudnnGetConvolutionForwardAlgorithm_v7: ...").
  static Result<std::unique_ptr<CudaExecutor>> create(const Graph& graph, const CudaExecutorOptions& options);
  ~CudaExecutor();
  CudaExecutor(const CudaExecutor&) = delete;
  CudaExecutor& operator=(const CudaExecutor&) = delete;

  // deviceInputs: one device pointer per graph input, fp32 NCHW (C order in the IR layout), the
  // input's element count; deviceOutputs likewise per graph output. `stream` is a cudaStream_t
  // (nullptr = the legacy default stream). Enqueues only: the caller synchronizes the stream.
  // Not thread-safe (one arena per executor).
  Result<void> run(std::span<const float* const> deviceInputs, std::span<float* const> deviceOutputs, void* stream);

  // Host convenience for tests and the start-up self-check: copies host fp32 inputs to device
  // buffers owned by the executor, runs on the executor's stream, copies outputs back, waits.
  Result<void> runHost(std::span<const std::span<const float>> inputs, std::span<const std::span<float>> outputs);

  const CudaExecutorStats& stats() const;
  // What run() executes, in order: node names, "<node>/pad" for explicit convolution padding.
  std::vector<std::string> stepNames() const;
  // Output shapes after simplification, in the graph's output order.
  const std::vector<Shape>& outputShapes() const;
  // True once a CUDA graph has been captured (after the first run, when useCudaGraph).
  bool graphCaptured() const;

  struct Impl;

 private:
  explicit CudaExecutor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> mImpl;
};

}  // namespace meshrt::nn
