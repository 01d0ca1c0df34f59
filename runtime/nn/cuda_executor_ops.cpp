// CudaExecutor's per-op builders: each turns one IR node into steps (library calls or kernel
// launches on device pointers resolved at launch time, so the same steps serve direct runs and
// CUDA graph capture) and binds the node's output tensor to an arena buffer.
#include <algorithm>
#include <cmath>

#include "nn/cuda_executor_impl.h"
#include "nn/cuda_kernels.h"
#include "nn/reference_ops.h"

namespace meshrt::nn {
namespace {

using cuda::KernelActivation;
using cuda::KernelActivationType;

static_assert(static_cast<int>(KernelActivationType::Relu) == static_cast<int>(ActivationType::Relu));
static_assert(static_cast<int>(KernelActivationType::Relu6) == static_cast<int>(ActivationType::Relu6));
static_assert(static_cast<int>(KernelActivationType::Clip) == static_cast<int>(ActivationType::Clip));
static_assert(static_cast<int>(KernelActivationType::LeakyRelu) == static_cast<int>(ActivationType::LeakyRelu));
static_assert(static_cast<int>(KernelActivationType::Sigmoid) == static_cast<int>(ActivationType::Sigmoid));
static_assert(static_cast<int>(KernelActivationType::HardSwish) == static_cast<int>(ActivationType::HardSwish));

KernelActivation toKernelActivation(const Activation& a) {
  return {static_cast<KernelActivationType>(a.type), a.alpha, a.minimum, a.maximum};
}

std::string kernelFailure(const char* kernel, int status) { return cudaFailure(kernel, static_cast<cudaError_t>(status)); }

// C-order element strides of `shape`.
std::vector<int64_t> stridesOf(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

// NumPy broadcasting of `shape` onto `outShape` (right-aligned; stride 0 on size-1 axes).
void broadcastStrides(const Shape& shape, const Shape& outShape, int64_t* strides) {
  const std::vector<int64_t> own = stridesOf(shape);
  const size_t offset = outShape.size() - shape.size();
  for (size_t i = 0; i < outShape.size(); ++i) strides[i] = 0;
  for (size_t i = 0; i < shape.size(); ++i) strides[offset + i] = shape[i] == 1 ? 0 : own[i];
}

// fp32 parity with the reference (1e-5) allows direct and GEMM-family algorithms on FMA math only:
// FFT and Winograd transforms add rounding error of their own, TF32 tensor ops drop mantissa bits.
bool isExactFp32Algorithm(const cudnnConvolutionFwdAlgoPerf_t& perf) {
  const bool gemmFamily = perf.algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM ||
                          perf.algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM ||
                          perf.algo == CUDNN_CONVOLUTION_FWD_ALGO_GEMM || perf.algo == CUDNN_CONVOLUTION_FWD_ALGO_DIRECT;
  const bool tensorOps = perf.mathType == CUDNN_TENSOR_OP_MATH || perf.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
  return gemmFamily && !tensorOps;
}

bool hasInput(const Node& node, size_t index) { return node.inputs.size() > index && node.inputs[index] != NO_TENSOR; }

}  // namespace

void CudaExecutor::Impl::addStep(const Node& node, const std::vector<TensorId>& reads,
                                 std::function<std::string(cudaStream_t)> launch, const std::string& suffix) {
  for (TensorId id : reads) markRead(id);
  bindOutput(node.outputs[0], newBuffer(elementCount(graph.tensors[node.outputs[0]].shape)));
  steps.push_back({node.name + suffix, std::move(launch)});
}

Result<void> CudaExecutor::Impl::addNode(const Node& node) {
  switch (node.op) {
    case OpType::Conv2D: return addConv(node);
    case OpType::FullyConnected: return addFullyConnected(node);
    case OpType::BatchNormalization: return addBatchNorm(node);
    case OpType::Add:
    case OpType::Mul:
    case OpType::PRelu: addBinary(node); return {};
    case OpType::Concat: addConcat(node); return {};
    case OpType::Reshape: {
      // Same bytes, new shape: the output shares the input's buffer (C order is unchanged).
      const TensorId input = node.inputs[0];
      if (tensorBuffer[input] < 0) return makeError(describeNode(node), "input 0: a constant reshape was not folded");
      bindOutput(node.outputs[0], tensorBuffer[input]);
      return {};
    }
    default: return addLayoutOrWindowOp(node);
  }
}

Result<void> CudaExecutor::Impl::addConv(const Node& node) {
  const auto& a = std::get<Conv2DAttributes>(node.attributes);
  const Shape& xShape = graph.tensors[node.inputs[0]].shape;
  const Shape& wShape = graph.tensors[node.inputs[1]].shape;
  const Shape& yShape = graph.tensors[node.outputs[0]].shape;
  const Conv2DParams p = makeConv2DParams(xShape, wShape, yShape, a);
  const std::string context = describeNode(node);

  // cuDNN pads symmetrically; asymmetric pads (SAME with an odd total) go through an explicit
  // zero-padded copy and a pad-free convolution.
  const bool explicitPad = a.padding.top != a.padding.bottom || a.padding.left != a.padding.right;
  const int64_t paddedH = explicitPad ? p.inHeight + a.padding.top + a.padding.bottom : p.inHeight;
  const int64_t paddedW = explicitPad ? p.inWidth + a.padding.left + a.padding.right : p.inWidth;
  int32_t padded = -1;
  if (explicitPad) {
    cuda::GatherParams g{};
    g.rank = 4;
    g.count = p.batch * p.inChannels * paddedH * paddedW;
    const int64_t out[4] = {p.batch, p.inChannels, paddedH, paddedW}, in[4] = {p.batch, p.inChannels, p.inHeight, p.inWidth};
    const int64_t begins[4] = {0, 0, a.padding.top, a.padding.left};
    const int64_t strides[4] = {p.inChannels * p.inHeight * p.inWidth, p.inHeight * p.inWidth, p.inWidth, 1};
    for (int i = 0; i < 4; ++i) g.outDims[i] = out[i], g.inDims[i] = in[i], g.begins[i] = begins[i], g.srcStrides[i] = strides[i];
    markRead(node.inputs[0]);
    padded = newBuffer(g.count);
    const TensorId x = node.inputs[0];
    steps.push_back({node.name + "/pad", [this, g, x, padded](cudaStream_t s) {
                       return kernelFailure("launchGather", cuda::launchGather(g, pointer(x), bufferPointer(padded), half, s));
                     }});
    ++stats.kernelSteps;
  }

  auto conv = std::make_unique<CudnnConv>();
  CudnnConv* c = conv.get();
  convs.push_back(std::move(conv));
  const cudnnDataType_t dataType = half ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
  const auto i32 = [](int64_t v) { return static_cast<int>(v); };
  std::string failure = cudnnFailure("cudnnCreateTensorDescriptor", cudnnCreateTensorDescriptor(&c->x));
  if (failure.empty()) failure = cudnnFailure("cudnnCreateTensorDescriptor", cudnnCreateTensorDescriptor(&c->y));
  if (failure.empty()) failure = cudnnFailure("cudnnCreateFilterDescriptor", cudnnCreateFilterDescriptor(&c->w));
  if (failure.empty()) failure = cudnnFailure("cudnnCreateConvolutionDescriptor", cudnnCreateConvolutionDescriptor(&c->conv));
  if (failure.empty())
    failure = cudnnFailure("cudnnSetTensor4dDescriptor (x)", cudnnSetTensor4dDescriptor(c->x, CUDNN_TENSOR_NCHW, dataType, i32(p.batch),
                                                                                         i32(p.inChannels), i32(paddedH), i32(paddedW)));
  if (failure.empty())
    failure = cudnnFailure("cudnnSetFilter4dDescriptor", cudnnSetFilter4dDescriptor(c->w, dataType, CUDNN_TENSOR_NCHW, i32(p.outChannels),
                                                                                     i32(p.inChannels / p.groups), i32(p.kernelH), i32(p.kernelW)));
  if (failure.empty())
    failure = cudnnFailure("cudnnSetConvolution2dDescriptor",
                           cudnnSetConvolution2dDescriptor(c->conv, explicitPad ? 0 : i32(p.padTop), explicitPad ? 0 : i32(p.padLeft),
                                                           i32(p.strideH), i32(p.strideW), i32(p.dilationH), i32(p.dilationW),
                                                           CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
  if (failure.empty()) failure = cudnnFailure("cudnnSetConvolutionGroupCount", cudnnSetConvolutionGroupCount(c->conv, i32(p.groups)));
  // fp32: FMA kernels only (no TF32), for parity with the fp32 reference; fp16: tensor cores.
  const cudnnMathType_t mathType = half ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH;
  if (failure.empty()) failure = cudnnFailure("cudnnSetConvolutionMathType", cudnnSetConvolutionMathType(c->conv, mathType));
  int dims[4] = {};
  if (failure.empty())
    failure = cudnnFailure("cudnnGetConvolution2dForwardOutputDim",
                           cudnnGetConvolution2dForwardOutputDim(c->conv, c->x, c->w, &dims[0], &dims[1], &dims[2], &dims[3]));
  if (!failure.empty()) return makeError(context, failure);
  if (dims[0] != p.batch || dims[1] != p.outChannels || dims[2] != p.outHeight || dims[3] != p.outWidth) {
    return makeError(context, "cuDNN output [" + std::to_string(dims[0]) + ", " + std::to_string(dims[1]) + ", " + std::to_string(dims[2]) +
                                  ", " + std::to_string(dims[3]) + "] differs from the inferred " + shapeString(yShape));
  }
  failure = cudnnFailure("cudnnSetTensor4dDescriptor (y)", cudnnSetTensor4dDescriptor(c->y, CUDNN_TENSOR_NCHW, dataType, dims[0], dims[1],
                                                                                         dims[2], dims[3]));

  // The algorithm: cuDNN's heuristic ranking, first one that is supported (and, in fp32, a direct
  // or GEMM-family one without tensor-op math), chosen once here.
  cudnnConvolutionFwdAlgoPerf_t ranked[CUDNN_CONVOLUTION_FWD_ALGO_COUNT] = {};
  int returned = 0;
  if (failure.empty())
    failure = cudnnFailure("cudnnGetConvolutionForwardAlgorithm_v7",
                           cudnnGetConvolutionForwardAlgorithm_v7(cudnn, c->x, c->w, c->conv, c->y, CUDNN_CONVOLUTION_FWD_ALGO_COUNT,
                                                                  &returned, ranked));
  if (!failure.empty()) return makeError(context, failure);
  const cudnnConvolutionFwdAlgoPerf_t* chosen = nullptr;
  for (int i = 0; i < returned && !chosen; ++i) {
    if (ranked[i].status == CUDNN_STATUS_SUCCESS && (half || isExactFp32Algorithm(ranked[i]))) chosen = &ranked[i];
  }
  if (!chosen) return makeError(context, "cuDNN offers no forward algorithm for this convolution");
  c->algorithm = chosen->algo;
  if (half) failure = cudnnFailure("cudnnSetConvolutionMathType", cudnnSetConvolutionMathType(c->conv, chosen->mathType));
  if (failure.empty())
    failure = cudnnFailure("cudnnGetConvolutionForwardWorkspaceSize",
                           cudnnGetConvolutionForwardWorkspaceSize(cudnn, c->x, c->w, c->conv, c->y, c->algorithm, &c->workspaceBytes));
  if (!failure.empty()) return makeError(context, failure);
  workspaceBytes = std::max(workspaceBytes, c->workspaceBytes);

  const TensorId x = node.inputs[0], w = node.inputs[1];
  const TensorId bias = hasInput(node, 2) ? node.inputs[2] : NO_TENSOR;
  const TensorId residual = hasInput(node, 3) ? node.inputs[3] : NO_TENSOR;
  // cuDNN fuses bias + residual (z) + ReLU into the convolution (cudnnConvolutionBiasActivationForward);
  // used for ReLU in fp32 only (the documented all-float configuration). Everything else runs
  // cudnnConvolutionForward and one channel-affine epilogue kernel.
  const bool fused = !half && a.activation.type == ActivationType::Relu;
  void* fusedBias = nullptr;
  if (fused) {
    if (bias == NO_TENSOR) {
      auto zeros = uploadConstant(context + ": zero bias", std::vector<float>(static_cast<size_t>(p.outChannels), 0.0f));
      if (!zeros.ok()) return zeros.error();
      fusedBias = *zeros;
    }
    failure = cudnnFailure("cudnnCreateTensorDescriptor", cudnnCreateTensorDescriptor(&c->bias));
    if (failure.empty())
      failure = cudnnFailure("cudnnSetTensor4dDescriptor (bias)",
                             cudnnSetTensor4dDescriptor(c->bias, CUDNN_TENSOR_NCHW, dataType, 1, i32(p.outChannels), 1, 1));
    if (failure.empty()) failure = cudnnFailure("cudnnCreateActivationDescriptor", cudnnCreateActivationDescriptor(&c->activation));
    if (failure.empty())
      failure = cudnnFailure("cudnnSetActivationDescriptor",
                             cudnnSetActivationDescriptor(c->activation, CUDNN_ACTIVATION_RELU, CUDNN_NOT_PROPAGATE_NAN, 0.0));
    if (!failure.empty()) return makeError(context, failure);
    ++stats.fusedConvSteps;
  }
  const bool epilogue = !fused && (bias != NO_TENSOR || residual != NO_TENSOR || a.activation.type != ActivationType::None);
  cuda::ChannelAffineParams affine{p.batch, p.outChannels, p.outHeight * p.outWidth, toKernelActivation(a.activation)};
  const TensorId y = node.outputs[0];

  std::vector<TensorId> reads{w};
  if (!explicitPad) reads.push_back(x);
  if (bias != NO_TENSOR) reads.push_back(bias);
  if (residual != NO_TENSOR) reads.push_back(residual);
  if (padded >= 0) buffers[static_cast<size_t>(padded)].lastStep = stepIndex();
  addStep(node, reads, [=, this](cudaStream_t s) -> std::string {
    const void* input = padded >= 0 ? bufferPointer(padded) : pointer(x);
    void* output = pointer(y);
    const float one = 1.0f, zero = 0.0f;
    if (fused) {
      const float residualScale = residual != NO_TENSOR ? 1.0f : 0.0f;  // alpha2 * z, z = y when there is none
      return cudnnFailure("cudnnConvolutionBiasActivationForward",
                          cudnnConvolutionBiasActivationForward(cudnn, &one, c->x, input, c->w, pointer(w), c->conv, c->algorithm, workspace,
                                                                workspaceBytes, &residualScale, c->y,
                                                                residual != NO_TENSOR ? pointer(residual) : output, c->bias,
                                                                bias != NO_TENSOR ? pointer(bias) : fusedBias, c->activation, c->y, output));
    }
    std::string status = cudnnFailure("cudnnConvolutionForward",
                                      cudnnConvolutionForward(cudnn, &one, c->x, input, c->w, pointer(w), c->conv, c->algorithm, workspace,
                                                              workspaceBytes, &zero, c->y, output));
    if (!status.empty() || !epilogue) return status;
    return kernelFailure("launchChannelAffine",
                         cuda::launchChannelAffine(affine, output, nullptr, bias != NO_TENSOR ? pointer(bias) : nullptr,
                                                   residual != NO_TENSOR ? pointer(residual) : nullptr, output, half, s));
  });
  ++stats.cudnnConvSteps;
  if (epilogue) ++stats.kernelSteps;
  return {};
}

Result<void> CudaExecutor::Impl::addFullyConnected(const Node& node) {
  const auto& a = std::get<FullyConnectedAttributes>(node.attributes);
  const Shape& xShape = graph.tensors[node.inputs[0]].shape;
  const Shape& wShape = graph.tensors[node.inputs[1]].shape;
  const int64_t batch = xShape[0], outFeatures = wShape[0], inFeatures = wShape[1];
  if (elementCount(xShape) != batch * inFeatures)
    return makeError(describeNode(node), "input 0: " + shapeString(xShape) + " does not flatten to [" + std::to_string(batch) + ", " +
                                             std::to_string(inFeatures) + "]");
  const TensorId x = node.inputs[0], w = node.inputs[1], y = node.outputs[0];
  const TensorId bias = hasInput(node, 2) ? node.inputs[2] : NO_TENSOR;
  const bool epilogue = bias != NO_TENSOR || a.activation.type != ActivationType::None;
  const cuda::ChannelAffineParams affine{batch, outFeatures, 1, toKernelActivation(a.activation)};
  const cudaDataType_t dataType = half ? CUDA_R_16F : CUDA_R_32F;
  std::vector<TensorId> reads{x, w};
  if (bias != NO_TENSOR) reads.push_back(bias);
  addStep(node, reads, [=, this](cudaStream_t s) -> std::string {
    // Row-major y[N][O] = x[N][K] W[O][K]^T is column-major y^T (O x N) = W^T-view (O x K) * x^T-view (K x N).
    const float one = 1.0f, zero = 0.0f;
    const auto m = static_cast<int>(outFeatures), n = static_cast<int>(batch), k = static_cast<int>(inFeatures);
    std::string status = cublasFailure("cublasGemmEx", cublasGemmEx(cublas, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one, pointer(w), dataType, k,
                                                                    pointer(x), dataType, k, &zero, pointer(y), dataType, m,
                                                                    CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    if (!status.empty() || !epilogue) return status;
    return kernelFailure("launchChannelAffine", cuda::launchChannelAffine(affine, pointer(y), nullptr,
                                                                          bias != NO_TENSOR ? pointer(bias) : nullptr, nullptr,
                                                                          pointer(y), half, s));
  });
  ++stats.cublasSteps;
  if (epilogue) ++stats.kernelSteps;
  return {};
}

Result<void> CudaExecutor::Impl::addBatchNorm(const Node& node) {
  // y = x * s + t per channel, s = scale / sqrt(var + epsilon), t = bias - mean * s (host, fp32).
  const auto& a = std::get<BatchNormAttributes>(node.attributes);
  const Shape& xShape = graph.tensors[node.inputs[0]].shape;
  const std::vector<float> scale = constantAsFloats(graph.tensors[node.inputs[1]]), bias = constantAsFloats(graph.tensors[node.inputs[2]]);
  const std::vector<float> mean = constantAsFloats(graph.tensors[node.inputs[3]]), variance = constantAsFloats(graph.tensors[node.inputs[4]]);
  std::vector<float> multiplier(scale.size()), shift(scale.size());
  for (size_t c = 0; c < scale.size(); ++c) {
    multiplier[c] = scale[c] / std::sqrt(variance[c] + a.epsilon);
    shift[c] = bias[c] - mean[c] * multiplier[c];
  }
  auto multiplierDevice = uploadConstant(describeNode(node) + ": folded scale", multiplier);
  if (!multiplierDevice.ok()) return multiplierDevice.error();
  auto shiftDevice = uploadConstant(describeNode(node) + ": folded shift", shift);
  if (!shiftDevice.ok()) return shiftDevice.error();
  const int64_t channels = xShape[1];
  const cuda::ChannelAffineParams affine{xShape[0], channels, elementCount(xShape) / (xShape[0] * channels), {}};
  const TensorId x = node.inputs[0], y = node.outputs[0];
  void* s = *multiplierDevice;
  void* t = *shiftDevice;
  addStep(node, {x}, [=, this](cudaStream_t stream) {
    return kernelFailure("launchChannelAffine", cuda::launchChannelAffine(affine, pointer(x), s, t, nullptr, pointer(y), half, stream));
  });
  ++stats.kernelSteps;
  return {};
}

void CudaExecutor::Impl::addBinary(const Node& node) {
  const TensorId aId = node.inputs[0], bId = node.inputs[1], y = node.outputs[0];
  const Shape& aShape = graph.tensors[aId].shape;
  const Shape& bShape = graph.tensors[bId].shape;
  const Shape& yShape = graph.tensors[y].shape;
  cuda::BinaryParams p{};
  p.rank = static_cast<int32_t>(yShape.size());
  p.count = elementCount(yShape);
  for (size_t i = 0; i < yShape.size(); ++i) p.outDims[i] = yShape[i];
  broadcastStrides(aShape, yShape, p.aStrides);
  if (node.op == OpType::PRelu) {
    p.kind = cuda::BinaryKind::PRelu;
    if (bShape.size() == 1 && yShape.size() >= 2) {  // per-channel slope [C] on axis 1 (reference_ops.cpp)
      for (size_t i = 0; i < yShape.size(); ++i) p.bStrides[i] = 0;
      p.bStrides[1] = bShape[0] == 1 ? 0 : 1;
    } else {
      broadcastStrides(bShape, yShape, p.bStrides);
    }
  } else {
    p.kind = node.op == OpType::Add ? cuda::BinaryKind::Add : cuda::BinaryKind::Mul;
    p.activation = toKernelActivation(std::get<BinaryAttributes>(node.attributes).activation);
    broadcastStrides(bShape, yShape, p.bStrides);
  }
  addStep(node, {aId, bId}, [=, this](cudaStream_t s) {
    return kernelFailure("launchBinary", cuda::launchBinary(p, pointer(aId), pointer(bId), pointer(y), half, s));
  });
  ++stats.kernelSteps;
}

void CudaExecutor::Impl::addConcat(const Node& node) {
  // Seen as [outer][axis * inner] rows, each input is a block of columns: one strided 2-D copy each.
  const Shape& yShape = graph.tensors[node.outputs[0]].shape;
  const auto rank = static_cast<int64_t>(yShape.size());
  int64_t axis = std::get<ConcatAttributes>(node.attributes).axis;
  if (axis < 0) axis += rank;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= yShape[static_cast<size_t>(i)];
  for (int64_t i = axis + 1; i < rank; ++i) inner *= yShape[static_cast<size_t>(i)];
  const size_t rowBytes = static_cast<size_t>(yShape[static_cast<size_t>(axis)] * inner) * elementBytes;
  std::vector<std::pair<TensorId, size_t>> blocks;  // (input, its row width in bytes)
  for (TensorId id : node.inputs) blocks.emplace_back(id, static_cast<size_t>(graph.tensors[id].shape[static_cast<size_t>(axis)] * inner) * elementBytes);
  const TensorId y = node.outputs[0];
  addStep(node, node.inputs, [=, this](cudaStream_t s) -> std::string {
    size_t column = 0;
    for (const auto& [input, width] : blocks) {
      std::string status = cudaFailure("cudaMemcpy2DAsync", cudaMemcpy2DAsync(static_cast<std::byte*>(pointer(y)) + column, rowBytes, pointer(input),
                                                                             width, width, static_cast<size_t>(outer), cudaMemcpyDeviceToDevice, s));
      if (!status.empty()) return status;
      column += width;
    }
    return {};
  });
}

Result<void> CudaExecutor::Impl::addLayoutOrWindowOp(const Node& node) {
  const TensorId x = node.inputs[0], y = node.outputs[0];
  const Shape& xShape = graph.tensors[x].shape;
  const Shape& yShape = graph.tensors[y].shape;
  const std::vector<int64_t> xStrides = stridesOf(xShape);
  std::function<std::string(cudaStream_t)> launch;
  switch (node.op) {
    case OpType::Activation: {
      const cuda::ChannelAffineParams p{1, 1, elementCount(xShape), toKernelActivation(std::get<ActivationAttributes>(node.attributes).activation)};
      launch = [=, this](cudaStream_t s) {
        return kernelFailure("launchChannelAffine", cuda::launchChannelAffine(p, pointer(x), nullptr, nullptr, nullptr, pointer(y), half, s));
      };
      break;
    }
    case OpType::MaxPool:
    case OpType::AveragePool: {
      const Pool2DParams r = makePool2DParams(xShape, yShape, std::get<Pool2DAttributes>(node.attributes));
      const cuda::PoolParams p{r.batch * r.channels, r.inHeight, r.inWidth, r.outHeight, r.outWidth,
                               static_cast<int32_t>(r.kernelH), static_cast<int32_t>(r.kernelW), static_cast<int32_t>(r.strideH),
                               static_cast<int32_t>(r.strideW), static_cast<int32_t>(r.padTop), static_cast<int32_t>(r.padLeft),
                               node.op == OpType::MaxPool ? 1 : 0, r.countIncludePad ? 1 : 0};
      launch = [=, this](cudaStream_t s) { return kernelFailure("launchPool", cuda::launchPool(p, pointer(x), pointer(y), half, s)); };
      break;
    }
    case OpType::GlobalAveragePool: {
      const int64_t planes = xShape[0] * xShape[1], planeSize = xShape[2] * xShape[3];
      launch = [=, this](cudaStream_t s) {
        return kernelFailure("launchPlaneMean", cuda::launchPlaneMean(planes, planeSize, pointer(x), pointer(y), half, s));
      };
      break;
    }
    case OpType::Pad:
    case OpType::Transpose: {
      cuda::GatherParams p{};
      p.rank = static_cast<int32_t>(yShape.size());
      p.count = elementCount(yShape);
      if (node.op == OpType::Pad) {
        const auto& a = std::get<PadAttributes>(node.attributes);
        p.value = a.value;
        for (size_t i = 0; i < yShape.size(); ++i)
          p.outDims[i] = yShape[i], p.inDims[i] = xShape[i], p.begins[i] = a.begins[i], p.srcStrides[i] = xStrides[i];
      } else {
        const auto& permutation = std::get<TransposeAttributes>(node.attributes).permutation;
        for (size_t i = 0; i < yShape.size(); ++i) {
          const auto from = static_cast<size_t>(permutation[i]);
          p.outDims[i] = p.inDims[i] = yShape[i];
          p.srcStrides[i] = xStrides[from];
        }
      }
      launch = [=, this](cudaStream_t s) { return kernelFailure("launchGather", cuda::launchGather(p, pointer(x), pointer(y), half, s)); };
      break;
    }
    case OpType::Resize: {
      const auto& a = std::get<ResizeAttributes>(node.attributes);
      const auto scale = [&](int64_t in, int64_t out) {  // reference_ops.cpp resizeScale
        return a.alignCorners && out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                                         : static_cast<float>(in) / static_cast<float>(out);
      };
      const cuda::ResizeParams p{xShape[0] * xShape[1], xShape[2], xShape[3], a.outHeight, a.outWidth,
                                 scale(xShape[2], a.outHeight), scale(xShape[3], a.outWidth),
                                 a.mode == ResizeMode::Bilinear ? 1 : 0, a.alignCorners ? 1 : 0, a.halfPixelCenters ? 1 : 0};
      launch = [=, this](cudaStream_t s) { return kernelFailure("launchResize", cuda::launchResize(p, pointer(x), pointer(y), half, s)); };
      break;
    }
    case OpType::Softmax: {
      const auto rank = static_cast<int64_t>(xShape.size());
      int64_t axis = std::get<SoftmaxAttributes>(node.attributes).axis;
      if (axis < 0) axis += rank;
      int64_t outer = 1, inner = 1;
      for (int64_t i = 0; i < axis; ++i) outer *= xShape[static_cast<size_t>(i)];
      for (int64_t i = axis + 1; i < rank; ++i) inner *= xShape[static_cast<size_t>(i)];
      const int64_t extent = xShape[static_cast<size_t>(axis)];
      launch = [=, this](cudaStream_t s) {
        return kernelFailure("launchSoftmax", cuda::launchSoftmax(outer, extent, inner, pointer(x), pointer(y), half, s));
      };
      break;
    }
    default: return makeError(describeNode(node), "unsupported by the CUDA executor");
  }
  addStep(node, {x}, std::move(launch));
  ++stats.kernelSteps;
  return {};
}

}  // namespace meshrt::nn
