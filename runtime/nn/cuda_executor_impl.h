// CudaExecutor's internals, shared by cuda_executor.cpp (planning, arena, run, graph capture) and
// cuda_executor_ops.cpp (one builder per op). Compiled only with the CUDA backend; not part of
// the library's interface.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "nn/cuda_executor.h"

namespace meshrt::nn {

// "" on success, else "<call>: <reason>" (run() prefixes the node).
std::string cudaFailure(const char* call, cudaError_t status);
std::string cudnnFailure(const char* call, cudnnStatus_t status);
std::string cublasFailure(const char* call, cublasStatus_t status);

// One activation buffer in the arena. Reshape outputs share their input's buffer.
struct CudaBuffer {
  size_t bytes = 0;
  int32_t firstStep = 0;  // the step that first writes it (graph inputs: 0, written before step 0)
  int32_t lastStep = 0;   // the last step that reads it (KEEP_ALIVE: graph outputs)
  size_t offset = 0;      // bytes into the arena
};

// One thing run() enqueues: a library call, kernel launches or copies, on the given stream.
struct CudaStep {
  std::string name;                            // the node's name ("<node>/pad" for explicit padding)
  std::function<std::string(cudaStream_t)> launch;  // "" on success, else "<call>: <reason>"
};

// cuDNN descriptors of one convolution, destroyed with it.
struct CudnnConv {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnnActivationDescriptor_t activation = nullptr;  // fused path only
  cudnnConvolutionFwdAlgo_t algorithm = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  size_t workspaceBytes = 0;
  ~CudnnConv();
};

struct CudaExecutor::Impl {
  static constexpr int32_t KEEP_ALIVE = std::numeric_limits<int32_t>::max();
  static constexpr size_t CUBLAS_WORKSPACE_BYTES = size_t{32} << 20;  // cuBLAS's advice for Hopper

  CudaExecutorOptions options;
  Graph graph;                 // simplified copy
  bool half = false;           // storage type: fp16 (true) or fp32
  size_t elementBytes = 4;     // of the storage type
  cudnnHandle_t cudnn = nullptr;
  cublasHandle_t cublas = nullptr;
  cudaStream_t ownStream = nullptr;  // graph capture and runHost()

  std::vector<int32_t> tensorBuffer;       // per tensor: arena buffer, or -1 (constant / unused)
  std::vector<void*> constantPointers;     // per tensor: device copy in the storage type, or null
  std::vector<void*> allocations;          // owned device memory (constants, arena, workspace)
  std::vector<CudaBuffer> buffers;
  std::vector<CudaStep> steps;
  std::vector<std::unique_ptr<CudnnConv>> convs;
  std::byte* arena = nullptr;
  void* workspace = nullptr;   // cuDNN, shared by every convolution
  size_t workspaceBytes = 0;
  void* cublasWorkspace = nullptr;  // set with cublasSetWorkspace so capture never allocates
  std::vector<Shape> outputShapes;
  CudaExecutorStats stats;

  cudaGraph_t cudaGraph = nullptr;
  cudaGraphExec_t graphExec = nullptr;
  bool firstRunDone = false;
  std::vector<float*> hostStagingInputs, hostStagingOutputs;  // runHost()'s device buffers

  ~Impl();

  // Planning (cuda_executor.cpp).
  int32_t stepIndex() const { return static_cast<int32_t>(steps.size()); }
  int32_t newBuffer(int64_t elements);          // first written by the current step
  void markRead(TensorId tensor);               // read by the current step
  void bindOutput(TensorId tensor, int32_t buffer);
  void* pointer(TensorId tensor) const;         // device address (valid after the arena exists)
  void* bufferPointer(int32_t buffer) const { return arena + buffers[static_cast<size_t>(buffer)].offset; }
  Result<void*> uploadConstant(const std::string& context, const std::vector<float>& values);
  Result<void> uploadGraphConstants();
  Result<void> finalize();
  std::string bindHandles(cudaStream_t stream);
  std::string enqueueSteps(cudaStream_t stream, std::string* failedStep);
  Result<void> captureGraph();

  // One builder per op (cuda_executor_ops.cpp); each adds its steps and binds the node's output.
  Result<void> addNode(const Node& node);
  Result<void> addConv(const Node& node);
  Result<void> addFullyConnected(const Node& node);
  Result<void> addBatchNorm(const Node& node);
  void addBinary(const Node& node);
  Result<void> addLayoutOrWindowOp(const Node& node);
  void addConcat(const Node& node);
  // A step with one output tensor (a new buffer) reading `reads`.
  void addStep(const Node& node, const std::vector<TensorId>& reads, std::function<std::string(cudaStream_t)> launch,
               const std::string& suffix = "");
};

}  // namespace meshrt::nn
