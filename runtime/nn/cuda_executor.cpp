// CudaExecutor: planning (liveness-planned arena, constants upload), run() on caller buffers and
// stream, CUDA graph capture after the first run. Per-op builders: cuda_executor_ops.cpp.
// Without the CUDA backend only create()'s "not compiled" error is real (the rest is unreachable).
#include "nn/cuda_executor.h"

#if MESHRT_HAVE_CUDA

#include <algorithm>

#include "nn/arena_plan.h"
#include "nn/cuda_executor_impl.h"
#include "nn/cuda_kernels.h"
#include "nn/passes.h"

namespace meshrt::nn {

std::string cudaFailure(const char* call, cudaError_t status) {
  return status == cudaSuccess ? std::string() : std::string(call) + ": " + cudaGetErrorString(status);
}
std::string cudnnFailure(const char* call, cudnnStatus_t status) {
  return status == CUDNN_STATUS_SUCCESS ? std::string() : std::string(call) + ": " + cudnnGetErrorString(status);
}
std::string cublasFailure(const char* call, cublasStatus_t status) {
  return status == CUBLAS_STATUS_SUCCESS ? std::string() : std::string(call) + ": " + cublasGetStatusString(status);
}

CudnnConv::~CudnnConv() {
  if (x) cudnnDestroyTensorDescriptor(x);
  if (y) cudnnDestroyTensorDescriptor(y);
  if (bias) cudnnDestroyTensorDescriptor(bias);
  if (w) cudnnDestroyFilterDescriptor(w);
  if (conv) cudnnDestroyConvolutionDescriptor(conv);
  if (activation) cudnnDestroyActivationDescriptor(activation);
}

CudaExecutor::Impl::~Impl() {
  cudaSetDevice(options.deviceIndex);
  if (ownStream) cudaStreamSynchronize(ownStream);
  if (graphExec) cudaGraphExecDestroy(graphExec);
  if (cudaGraph) cudaGraphDestroy(cudaGraph);
  convs.clear();
  if (cudnn) cudnnDestroy(cudnn);
  if (cublas) cublasDestroy(cublas);
  for (void* allocation : allocations) cudaFree(allocation);
  for (float* p : hostStagingInputs) cudaFree(p);
  for (float* p : hostStagingOutputs) cudaFree(p);
  if (ownStream) cudaStreamDestroy(ownStream);
}

int32_t CudaExecutor::Impl::newBuffer(int64_t elements) {
  buffers.push_back({static_cast<size_t>(elements) * elementBytes, stepIndex(), stepIndex(), 0});
  return static_cast<int32_t>(buffers.size() - 1);
}

void CudaExecutor::Impl::markRead(TensorId tensor) {
  const int32_t buffer = tensorBuffer[tensor];
  if (buffer < 0) return;
  CudaBuffer& b = buffers[static_cast<size_t>(buffer)];
  if (b.lastStep != KEEP_ALIVE) b.lastStep = std::max(b.lastStep, stepIndex());
}

void CudaExecutor::Impl::bindOutput(TensorId tensor, int32_t buffer) { tensorBuffer[tensor] = buffer; }

void* CudaExecutor::Impl::pointer(TensorId tensor) const {
  if (constantPointers[tensor]) return constantPointers[tensor];
  return bufferPointer(tensorBuffer[tensor]);
}

Result<void*> CudaExecutor::Impl::uploadConstant(const std::string& context, const std::vector<float>& values) {
  const size_t count = std::max<size_t>(values.size(), 1);
  void* device = nullptr;
  std::string failure = cudaFailure("cudaMalloc", cudaMalloc(&device, count * elementBytes));
  if (!failure.empty()) return makeError(context, failure);
  allocations.push_back(device);
  stats.constantBytes += count * elementBytes;
  if (values.empty()) return device;
  // Copies are ordered on the executor's stream and waited for: a pageable cudaMemcpy may return
  // before its DMA lands, and later work runs on other (possibly non-blocking) streams.
  const size_t fp32Bytes = values.size() * 4;
  float* staging = nullptr;  // fp16: fp32 values land here, then are narrowed on the device (round to nearest even)
  if (half) failure = cudaFailure("cudaMalloc", cudaMalloc(&staging, fp32Bytes));
  if (failure.empty())
    failure = cudaFailure("cudaMemcpyAsync", cudaMemcpyAsync(half ? staging : device, values.data(), fp32Bytes, cudaMemcpyHostToDevice, ownStream));
  if (failure.empty() && half)
    failure = cudaFailure("launchFloatToHalf",
                          static_cast<cudaError_t>(cuda::launchFloatToHalf(static_cast<int64_t>(values.size()), staging, device, ownStream)));
  if (failure.empty()) failure = cudaFailure("cudaStreamSynchronize", cudaStreamSynchronize(ownStream));
  if (staging) cudaFree(staging);
  if (!failure.empty()) return makeError(context, failure);
  return device;
}

// Every constant a node reads (weights, slopes, operands) goes to the device once, in the
// storage type. Shape tensors are folded away by the passes and never read here.
Result<void> CudaExecutor::Impl::uploadGraphConstants() {
  for (const Node& node : graph.nodes) {
    if (node.op == OpType::BatchNormalization || node.op == OpType::Reshape) continue;  // read on the host
    for (TensorId id : node.inputs) {
      if (id == NO_TENSOR || !graph.tensors[id].isConstant() || constantPointers[id]) continue;
      auto device = uploadConstant(describeNode(node) + ": constant '" + graph.tensors[id].name + "'",
                                   constantAsFloats(graph.tensors[id]));
      if (!device.ok()) return device.error();
      constantPointers[id] = *device;
    }
  }
  return {};
}

Result<void> CudaExecutor::Impl::finalize() {
  std::vector<ArenaRequest> requests;
  for (const CudaBuffer& b : buffers) {
    requests.push_back({b.bytes, b.firstStep, b.lastStep});
    stats.activationBytes += b.bytes;
  }
  const ArenaPlan plan = planArena(requests, 256);  // 256 B: cuDNN/cuBLAS-friendly alignment
  for (size_t i = 0; i < buffers.size(); ++i) buffers[i].offset = plan.offsets[i];
  stats.arenaBytes = plan.totalBytes;
  void* device = nullptr;
  std::string failure = cudaFailure("cudaMalloc (arena)", cudaMalloc(&device, std::max<size_t>(plan.totalBytes, 256)));
  if (!failure.empty()) return makeError("CudaExecutor::create", failure);
  allocations.push_back(device);
  arena = static_cast<std::byte*>(device);
  if (workspaceBytes > 0) {
    failure = cudaFailure("cudaMalloc (cuDNN workspace)", cudaMalloc(&workspace, workspaceBytes));
    if (!failure.empty()) return makeError("CudaExecutor::create", failure);
    allocations.push_back(workspace);
  }
  stats.workspaceBytes = workspaceBytes;
  stats.steps = steps.size();
  return {};
}

// Binds cuDNN and cuBLAS to `stream` (host-side calls; done before a capture begins).
std::string CudaExecutor::Impl::bindHandles(cudaStream_t stream) {
  std::string failure = cudnnFailure("cudnnSetStream", cudnnSetStream(cudnn, stream));
  if (failure.empty()) failure = cublasFailure("cublasSetStream", cublasSetStream(cublas, stream));
  if (failure.empty()) failure = cublasFailure("cublasSetWorkspace", cublasSetWorkspace(cublas, cublasWorkspace, CUBLAS_WORKSPACE_BYTES));
  return failure;
}

// Enqueues every step on `stream` (the handles already bound to it); stops at the first failure.
std::string CudaExecutor::Impl::enqueueSteps(cudaStream_t stream, std::string* failedStep) {
  for (const CudaStep& step : steps) {
    const std::string failure = step.launch(stream);
    if (!failure.empty()) {
      *failedStep = step.name;
      return failure;
    }
  }
  return {};
}

// Records the steps on the executor's own stream (nothing executes) and instantiates the graph;
// replays then launch it on the caller's stream.
Result<void> CudaExecutor::Impl::captureGraph() {
  std::string failure = bindHandles(ownStream);
  if (failure.empty())
    failure = cudaFailure("cudaStreamBeginCapture", cudaStreamBeginCapture(ownStream, cudaStreamCaptureModeThreadLocal));
  std::string failedStep;
  if (failure.empty()) {
    failure = enqueueSteps(ownStream, &failedStep);
    cudaGraph_t captured = nullptr;
    const std::string endFailure = cudaFailure("cudaStreamEndCapture", cudaStreamEndCapture(ownStream, &captured));
    if (failure.empty()) failure = endFailure;
    cudaGraph = captured;
  }
  if (failure.empty()) failure = cudaFailure("cudaGraphInstantiate", cudaGraphInstantiate(&graphExec, cudaGraph, 0));
  if (!failure.empty()) {
    return makeError("CudaExecutor: CUDA graph capture" + (failedStep.empty() ? std::string() : " at '" + failedStep + "'"), failure);
  }
  return {};
}

Result<std::unique_ptr<CudaExecutor>> CudaExecutor::create(const Graph& source, const CudaExecutorOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->half = options.precision == CudaPrecision::Float16;
  impl->elementBytes = impl->half ? 2 : 4;
  impl->graph = source;
  if (auto valid = validateGraph(impl->graph); !valid.ok()) return valid.error();
  if (auto simplified = simplifyGraph(impl->graph); !simplified.ok()) return simplified.error();
  const Graph& graph = impl->graph;

  const std::string context = "CudaExecutor::create: device " + std::to_string(options.deviceIndex);
  std::string failure = cudaFailure("cudaSetDevice", cudaSetDevice(options.deviceIndex));
  if (failure.empty()) failure = cudaFailure("cudaStreamCreate", cudaStreamCreateWithFlags(&impl->ownStream, cudaStreamNonBlocking));
  if (failure.empty()) failure = cudnnFailure("cudnnCreate", cudnnCreate(&impl->cudnn));
  if (failure.empty()) failure = cublasFailure("cublasCreate", cublasCreate(&impl->cublas));
  // fp32: no TF32 anywhere (parity with the CPU reference at 1e-5); fp16: tensor cores allowed.
  if (failure.empty())
    failure = cublasFailure("cublasSetMathMode",
                            cublasSetMathMode(impl->cublas, impl->half ? CUBLAS_DEFAULT_MATH : CUBLAS_PEDANTIC_MATH));
  if (failure.empty()) failure = cudaFailure("cudaMalloc (cuBLAS workspace)", cudaMalloc(&impl->cublasWorkspace, Impl::CUBLAS_WORKSPACE_BYTES));
  if (!failure.empty()) return makeError(context, failure);
  impl->allocations.push_back(impl->cublasWorkspace);

  impl->tensorBuffer.assign(graph.tensors.size(), -1);
  impl->constantPointers.assign(graph.tensors.size(), nullptr);
  if (auto uploaded = impl->uploadGraphConstants(); !uploaded.ok()) return uploaded.error();
  for (TensorId input : graph.inputs) {
    const int32_t buffer = impl->newBuffer(elementCount(graph.tensors[input].shape));
    impl->bindOutput(input, buffer);
  }
  for (const Node& node : graph.nodes) {
    if (auto added = impl->addNode(node); !added.ok()) return added.error();
  }
  for (TensorId output : graph.outputs) {
    if (graph.tensors[output].isConstant())
      return makeError(context, "output '" + graph.tensors[output].name + "' is a constant after folding");
    impl->buffers[static_cast<size_t>(impl->tensorBuffer[output])].lastStep = Impl::KEEP_ALIVE;
    impl->outputShapes.push_back(graph.tensors[output].shape);
  }
  if (auto finalized = impl->finalize(); !finalized.ok()) return finalized.error();
  return std::unique_ptr<CudaExecutor>(new CudaExecutor(std::move(impl)));
}

Result<void> CudaExecutor::run(std::span<const float* const> deviceInputs, std::span<float* const> deviceOutputs, void* streamHandle) {
  Impl& m = *mImpl;
  const Graph& graph = m.graph;
  if (deviceInputs.size() != graph.inputs.size() || deviceOutputs.size() != graph.outputs.size()) {
    return makeError("CudaExecutor::run", "expected " + std::to_string(graph.inputs.size()) + " inputs and " +
                                              std::to_string(graph.outputs.size()) + " outputs, got " +
                                              std::to_string(deviceInputs.size()) + " and " + std::to_string(deviceOutputs.size()));
  }
  auto stream = static_cast<cudaStream_t>(streamHandle);
  std::string failure = cudaFailure("cudaSetDevice", cudaSetDevice(m.options.deviceIndex));
  // Inputs: caller fp32 -> arena (copied, or narrowed to fp16).
  for (size_t i = 0; i < graph.inputs.size() && failure.empty(); ++i) {
    const auto count = elementCount(graph.tensors[graph.inputs[i]].shape);
    void* arenaInput = m.pointer(graph.inputs[i]);
    failure = m.half ? cudaFailure("launchFloatToHalf", static_cast<cudaError_t>(cuda::launchFloatToHalf(count, deviceInputs[i], arenaInput, stream)))
                     : cudaFailure("cudaMemcpyAsync", cudaMemcpyAsync(arenaInput, deviceInputs[i], static_cast<size_t>(count) * 4,
                                                                      cudaMemcpyDeviceToDevice, stream));
    if (!failure.empty()) return makeError("CudaExecutor::run: input " + std::to_string(i), failure);
  }
  std::string failedStep;
  if (failure.empty()) {
    if (m.graphExec) {
      failure = cudaFailure("cudaGraphLaunch", cudaGraphLaunch(m.graphExec, stream));
    } else {
      failure = m.bindHandles(stream);
      if (failure.empty()) failure = m.enqueueSteps(stream, &failedStep);
    }
  }
  if (!failure.empty()) return makeError("CudaExecutor::run" + (failedStep.empty() ? std::string() : ": " + failedStep), failure);
  // Outputs: arena -> caller fp32.
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    const auto count = elementCount(graph.tensors[graph.outputs[i]].shape);
    const void* arenaOutput = m.pointer(graph.outputs[i]);
    failure = m.half ? cudaFailure("launchHalfToFloat", static_cast<cudaError_t>(cuda::launchHalfToFloat(count, arenaOutput, deviceOutputs[i], stream)))
                     : cudaFailure("cudaMemcpyAsync", cudaMemcpyAsync(deviceOutputs[i], arenaOutput, static_cast<size_t>(count) * 4,
                                                                      cudaMemcpyDeviceToDevice, stream));
    if (!failure.empty()) return makeError("CudaExecutor::run: output " + std::to_string(i), failure);
  }
  if (!m.firstRunDone) {
    m.firstRunDone = true;
    if (m.options.useCudaGraph) return m.captureGraph();
  }
  return {};
}

Result<void> CudaExecutor::runHost(std::span<const std::span<const float>> inputs, std::span<const std::span<float>> outputs) {
  Impl& m = *mImpl;
  const Graph& graph = m.graph;
  if (inputs.size() != graph.inputs.size() || outputs.size() != graph.outputs.size())
    return makeError("CudaExecutor::runHost", "expected " + std::to_string(graph.inputs.size()) + " inputs and " +
                                                  std::to_string(graph.outputs.size()) + " outputs");
  auto expectSize = [](const char* what, size_t index, size_t expected, size_t got) -> Result<void> {
    if (expected == got) return {};
    return makeError(std::string("CudaExecutor::runHost: ") + what + " " + std::to_string(index),
                     "expected " + std::to_string(expected) + " floats, got " + std::to_string(got));
  };
  std::string failure = cudaFailure("cudaSetDevice", cudaSetDevice(m.options.deviceIndex));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto count = static_cast<size_t>(elementCount(graph.tensors[graph.inputs[i]].shape));
    if (auto sized = expectSize("input", i, count, inputs[i].size()); !sized.ok()) return sized;
    if (m.hostStagingInputs.size() <= i) {
      float* device = nullptr;
      if (failure.empty()) failure = cudaFailure("cudaMalloc", cudaMalloc(&device, count * 4));
      m.hostStagingInputs.push_back(device);
    }
    if (failure.empty())
      failure = cudaFailure("cudaMemcpyAsync", cudaMemcpyAsync(m.hostStagingInputs[i], inputs[i].data(), count * 4,
                                                               cudaMemcpyHostToDevice, m.ownStream));
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    const auto count = static_cast<size_t>(elementCount(m.outputShapes[i]));
    if (auto sized = expectSize("output", i, count, outputs[i].size()); !sized.ok()) return sized;
    if (m.hostStagingOutputs.size() <= i) {
      float* device = nullptr;
      if (failure.empty()) failure = cudaFailure("cudaMalloc", cudaMalloc(&device, count * 4));
      m.hostStagingOutputs.push_back(device);
    }
  }
  if (!failure.empty()) return makeError("CudaExecutor::runHost", failure);
  std::vector<const float*> inputPointers(m.hostStagingInputs.begin(), m.hostStagingInputs.end());
  if (auto ran = run(inputPointers, m.hostStagingOutputs, m.ownStream); !ran.ok()) return ran;
  for (size_t i = 0; i < outputs.size() && failure.empty(); ++i)
    failure = cudaFailure("cudaMemcpyAsync", cudaMemcpyAsync(outputs[i].data(), m.hostStagingOutputs[i], outputs[i].size() * 4,
                                                             cudaMemcpyDeviceToHost, m.ownStream));
  if (failure.empty()) failure = cudaFailure("cudaStreamSynchronize", cudaStreamSynchronize(m.ownStream));
  if (!failure.empty()) return makeError("CudaExecutor::runHost", failure);
  return {};
}

std::vector<std::string> CudaExecutor::stepNames() const {
  std::vector<std::string> names;
  for (const CudaStep& step : mImpl->steps) names.push_back(step.name);
  return names;
}

bool CudaExecutor::graphCaptured() const { return mImpl->graphExec != nullptr; }

}  // namespace meshrt::nn

#else  // no CUDA backend

namespace meshrt::nn {

struct CudaExecutor::Impl {
  std::vector<Shape> outputShapes;
  CudaExecutorStats stats;
};

Result<std::unique_ptr<CudaExecutor>> CudaExecutor::create(const Graph&, const CudaExecutorOptions&) {
  return makeError("CudaExecutor::create", "CUDA backend not compiled (no CUDA toolkit at build time)");
}

Result<void> CudaExecutor::run(std::span<const float* const>, std::span<float* const>, void*) {
  return makeError("CudaExecutor::run", "CUDA backend not compiled (no CUDA toolkit at build time)");
}

Result<void> CudaExecutor::runHost(std::span<const std::span<const float>>, std::span<const std::span<float>>) {
  return makeError("CudaExecutor::runHost", "CUDA backend not compiled (no CUDA toolkit at build time)");
}

std::vector<std::string> CudaExecutor::stepNames() const { return {}; }
bool CudaExecutor::graphCaptured() const { return false; }

}  // namespace meshrt::nn

#endif

namespace meshrt::nn {

CudaExecutor::CudaExecutor(std::unique_ptr<Impl> impl) : mImpl(std::move(impl)) {}
CudaExecutor::~CudaExecutor() = default;
const CudaExecutorStats& CudaExecutor::stats() const { return mImpl->stats; }
const std::vector<Shape>& CudaExecutor::outputShapes() const { return mImpl->outputShapes; }

}  // namespace meshrt::nn
