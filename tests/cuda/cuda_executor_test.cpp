// CudaExecutor (cuDNN + cuBLAS + kernels/nn_*.cu) vs runReference() on seeded randomized small
// graphs covering every op and every fusion (issue 5): relative L2 <= 1e-5 per output in fp32,
// <= 1e-2 in fp16; the CUDA-graph replay (second run) must equal the first, directly enqueued
// run bit for bit. Needs a CUDA device; elsewhere every test here reports SKIPPED with the reason.
#include "nn/cuda_executor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "interop/cuda_device.h"
#include "nn/graph_builder.h"
#include "nn/mobilenet_like.h"
#include "nn/reference_executor.h"
#include "support/tensor_compare.h"

#if MESHRT_HAVE_CUDA
#include <cuda_runtime.h>
#endif

namespace meshrt::nn {
namespace {

using test::GraphBuilder;

#if MESHRT_HAVE_CUDA
#define SKIP_WITHOUT_CUDA_DEVICE()                                                                \
  do {                                                                                            \
    const CudaDeviceReport report = probeCudaDevice({});                                          \
    if (!report.deviceFound) GTEST_SKIP() << "no CUDA device on this machine: " << report.reason; \
  } while (0)
#else
#define SKIP_WITHOUT_CUDA_DEVICE() GTEST_SKIP() << "CUDA backend not compiled (no CUDA toolkit at build time)"
#endif

constexpr uint64_t SEEDS = 3;

struct PrecisionCase {
  CudaPrecision precision;
  double tolerance;  // relative L2 per output
  const char* name;
};
constexpr PrecisionCase PRECISIONS[] = {{CudaPrecision::Float32, 1e-5, "fp32"}, {CudaPrecision::Float16, 1e-2, "fp16"}};

// Sizes drawn from the seed: channels 3..8, spatial 5..12 (odd and even sizes both occur).
struct Sizes {
  int64_t channels, height, width;
  explicit Sizes(uint64_t seed)
      : channels(3 + static_cast<int64_t>(test::splitmixUniform(seed, 200) * 6)),
        height(5 + static_cast<int64_t>(test::splitmixUniform(seed, 201) * 8)),
        width(5 + static_cast<int64_t>(test::splitmixUniform(seed, 202) * 8)) {}
};

using GraphMaker = std::function<void(GraphBuilder&, const Sizes&, uint64_t seed)>;

// For each precision and seed: builds the graph, runs the reference and the executor twice (the
// first run enqueues the steps, the second replays the captured CUDA graph), compares.
void expectMatchesReference(const GraphMaker& make) {
  for (const PrecisionCase& precision : PRECISIONS) {
    for (uint64_t seed = 1; seed <= SEEDS; ++seed) {
      SCOPED_TRACE(std::string(precision.name) + " seed " + std::to_string(seed));
      GraphBuilder b;
      make(b, Sizes(seed), seed);
      Graph& graph = b.graph();
      auto shapes = inferShapes(graph);
      ASSERT_TRUE(shapes.ok()) << shapes.error().message;
      std::vector<std::vector<float>> inputs;
      for (size_t i = 0; i < graph.inputs.size(); ++i)
        inputs.push_back(test::splitmixSigned(seed * 100 + i, static_cast<uint64_t>(elementCount(graph.tensors[graph.inputs[i]].shape))));
      const auto expected = runReference(graph, inputs);
      ASSERT_TRUE(expected.ok()) << expected.error().message;
      CudaExecutorOptions options;
      options.precision = precision.precision;
      auto executor = CudaExecutor::create(graph, options);
      ASSERT_TRUE(executor.ok()) << executor.error().message;
      std::vector<std::span<const float>> inputSpans(inputs.begin(), inputs.end());
      std::vector<std::vector<float>> first, replay;
      for (const Shape& shape : (*executor)->outputShapes()) {
        first.emplace_back(static_cast<size_t>(elementCount(shape)), NAN);
        replay.emplace_back(static_cast<size_t>(elementCount(shape)), NAN);
      }
      std::vector<std::span<float>> firstSpans(first.begin(), first.end()), replaySpans(replay.begin(), replay.end());
      auto ran = (*executor)->runHost(inputSpans, firstSpans);
      ASSERT_TRUE(ran.ok()) << ran.error().message;
      EXPECT_TRUE((*executor)->graphCaptured());
      ran = (*executor)->runHost(inputSpans, replaySpans);
      ASSERT_TRUE(ran.ok()) << ran.error().message;
      for (size_t i = 0; i < first.size(); ++i) {
        EXPECT_LE(test::relativeL2(first[i], (*expected)[i]), precision.tolerance) << "output " << i;
        EXPECT_EQ(test::relativeL2(replay[i], first[i]), 0.0) << "output " << i << ": CUDA graph replay differs from the first run";
      }
    }
  }
}

Conv2DAttributes convAttributes(int32_t stride, bool same, ActivationType activation = ActivationType::None) {
  Conv2DAttributes a;
  a.strideH = a.strideW = stride;
  a.padding.same = same;
  a.activation.type = activation;
  return a;
}

TensorId conv(GraphBuilder& b, TensorId x, int64_t inC, int64_t outC, int64_t k, const Conv2DAttributes& a, uint64_t seed,
              bool bias = true) {
  const TensorId w = b.randomConstant({outC, inC / a.groups, k, k}, seed, 0.5f);
  return b.node(OpType::Conv2D, {x, w, bias ? b.randomConstant({outC}, seed + 1) : NO_TENSOR}, a);
}

TEST(NnCudaExecutor, ConvSameWithBiasAndReluFusedByCudnn) {
  SKIP_WITHOUT_CUDA_DEVICE();
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const TensorId x = b.input({1, 3, s.height, s.width});
    b.output(conv(b, x, 3, s.channels, 3, convAttributes(1, true, ActivationType::Relu), seed));
    b.output(conv(b, x, 3, s.channels, 3, convAttributes(1, true, ActivationType::Relu), seed + 5, false));
  });
}

TEST(NnCudaExecutor, ConvValidStrideTwoDilatedNoBias) {
  SKIP_WITHOUT_CUDA_DEVICE();
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const TensorId x = b.input({1, s.channels, s.height + 4, s.width + 4});
    Conv2DAttributes a = convAttributes(2, false);
    a.dilationH = 2;
    b.output(conv(b, x, s.channels, 8, 3, a, seed, false));
  });
}

TEST(NnCudaExecutor, DepthwiseGroupedAndAsymmetricPaddedConv) {
  SKIP_WITHOUT_CUDA_DEVICE();
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const int64_t c = 2 * s.channels;
    const TensorId x = b.input({1, c, s.height, s.width});
    Conv2DAttributes depthwise = convAttributes(2, true, ActivationType::Relu6);  // SAME, stride 2: often asymmetric
    depthwise.groups = static_cast<int32_t>(c);
    const TensorId dw = conv(b, x, c, c, 3, depthwise, seed);
    Conv2DAttributes grouped = convAttributes(1, false);
    grouped.groups = 2;
    grouped.padding = {1, 0, 2, 1, false};  // asymmetric explicit pads
    grouped.activation = {ActivationType::LeakyRelu, 0.1f};
    b.output(conv(b, dw, c, 4, 3, grouped, seed + 10));
  });
}

TEST(NnCudaExecutor, FusedResidualAddAndBatchNorm) {
  SKIP_WITHOUT_CUDA_DEVICE();
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const int64_t c = s.channels;
    const TensorId x = b.input({1, c, s.height, s.width});
    auto bnInputs = [&](TensorId in, uint64_t k) {
      return std::vector<TensorId>{in, b.randomConstant({c}, k, 0.5f, 1.0f), b.randomConstant({c}, k + 1),
                                   b.randomConstant({c}, k + 2), b.randomConstant({c}, k + 3, 0.5f, 1.0f)};
    };
    const TensorId normalized = b.node(OpType::BatchNormalization, bnInputs(x, seed + 50), BatchNormAttributes{1e-3f});
    const TensorId c1 = conv(b, normalized, c, c, 3, convAttributes(1, true), seed);
    const TensorId bn = b.node(OpType::BatchNormalization, bnInputs(c1, seed + 60), BatchNormAttributes{1e-3f});
    const TensorId r1 = b.node(OpType::Activation, {bn}, ActivationAttributes{{ActivationType::Relu}});
    const TensorId c2 = conv(b, r1, c, c, 3, convAttributes(1, true), seed + 20);
    const TensorId sum = b.node(OpType::Add, {r1, c2}, BinaryAttributes{});  // residual + ReLU: cuDNN's z input
    const TensorId relu = b.node(OpType::Activation, {sum}, ActivationAttributes{{ActivationType::Relu}});
    const TensorId c3 = conv(b, relu, c, c, 1, convAttributes(1, false), seed + 30);
    const TensorId sum6 = b.node(OpType::Add, {c3, relu}, BinaryAttributes{{ActivationType::Relu6}});  // epilogue kernel
    b.output(relu);
    b.output(sum6);
  });
}

TEST(NnCudaExecutor, FullyConnectedFromFlattenAndGlobalPool) {
  SKIP_WITHOUT_CUDA_DEVICE();
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const TensorId x = b.input({1, s.channels, s.height, s.width});
    const TensorId c1 = conv(b, x, s.channels, 8, 3, convAttributes(2, true, ActivationType::Relu), seed);
    const TensorId flat = b.node(OpType::Reshape, {c1}, ReshapeAttributes{{1, -1}});
    const int64_t features = 8 * ((s.height + 1) / 2) * ((s.width + 1) / 2);
    const TensorId fc1 = b.node(OpType::FullyConnected, {flat, b.randomConstant({6, features}, seed + 5, 0.1f), b.randomConstant({6}, seed + 6)},
                                FullyConnectedAttributes{{ActivationType::Sigmoid}});
    const TensorId pooled = b.node(OpType::GlobalAveragePool, {c1}, GlobalAveragePoolAttributes{false});
    const TensorId fc2 = b.node(OpType::FullyConnected, {pooled, b.randomConstant({5, 8}, seed + 7), NO_TENSOR}, FullyConnectedAttributes{});
    const TensorId kept = b.node(OpType::GlobalAveragePool, {c1}, GlobalAveragePoolAttributes{true});
    const TensorId fc3 = b.node(OpType::FullyConnected, {kept, b.randomConstant({4, 8}, seed + 8), b.randomConstant({4}, seed + 9)},
                                FullyConnectedAttributes{{ActivationType::HardSwish}});
    b.output(fc1);
    b.output(fc2);
    b.output(fc3);
  });
}

TEST(NnCudaExecutor, AddAndMulWithBroadcastsAndFusedActivations) {
  SKIP_WITHOUT_CUDA_DEVICE();
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const int64_t c = s.channels;
    const TensorId x = b.input({1, c, s.height, s.width});
    const TensorId y = b.input({1, c, s.height, s.width});
    const TensorId c1 = conv(b, x, c, c, 3, convAttributes(1, true), seed);
    const TensorId same = b.node(OpType::Add, {y, c1}, BinaryAttributes{{ActivationType::Clip, 0, -0.5f, 0.75f}});
    const TensorId perChannel = b.node(OpType::Mul, {b.randomConstant({c, 1, 1}, seed + 3), same}, BinaryAttributes{{ActivationType::HardSwish}});
    const TensorId scalar = b.node(OpType::Add, {perChannel, b.constant({1}, {0.25f})}, BinaryAttributes{});
    const TensorId column = b.node(OpType::GlobalAveragePool, {x}, GlobalAveragePoolAttributes{true});
    const TensorId plane = b.input({1, 1, s.height, s.width});
    const TensorId outer = b.node(OpType::Mul, {column, plane}, BinaryAttributes{{ActivationType::Sigmoid}});
    const TensorId constantFull = b.node(OpType::Add, {b.randomConstant({1, c, s.height, s.width}, seed + 4), column}, BinaryAttributes{});
    b.output(scalar);
    b.output(outer);
    b.output(constantFull);
  });
}

TEST(NnCudaExecutor, StandaloneActivations) {
  SKIP_WITHOUT_CUDA_DEVICE();
  const std::vector<Activation> activations{{ActivationType::Relu},      {ActivationType::Relu6},
                                            {ActivationType::Clip, 0, -0.3f, 0.4f}, {ActivationType::LeakyRelu, 0.2f},
                                            {ActivationType::Sigmoid},   {ActivationType::HardSwish}};
  for (const Activation& activation : activations) {
    SCOPED_TRACE("activation " + std::to_string(static_cast<int>(activation.type)));
    expectMatchesReference([&](GraphBuilder& b, const Sizes& s, uint64_t) {
      const TensorId x = b.input({1, s.channels, s.height, s.width});
      const TensorId scaled = b.node(OpType::Mul, {x, b.constant({1}, {8.0f})}, BinaryAttributes{});
      b.output(b.node(OpType::Activation, {x}, ActivationAttributes{activation}));
      b.output(b.node(OpType::Activation, {scaled}, ActivationAttributes{activation}));
    });
  }
}

TEST(NnCudaExecutor, PRelu) {
  SKIP_WITHOUT_CUDA_DEVICE();
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const int64_t c = s.channels;
    const TensorId x = b.input({1, c, s.height, s.width});
    const TensorId c1 = conv(b, x, c, c, 1, convAttributes(1, false), seed);
    b.output(b.node(OpType::PRelu, {c1, b.randomConstant({c}, seed + 2)}, PReluAttributes{}));
    b.output(b.node(OpType::PRelu, {x, b.randomConstant({c, 1, 1}, seed + 3)}, PReluAttributes{}));
    b.output(b.node(OpType::PRelu, {x, b.randomConstant({1}, seed + 4)}, PReluAttributes{}));
  });
}

TEST(NnCudaExecutor, Pools) {
  SKIP_WITHOUT_CUDA_DEVICE();
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const TensorId x = b.input({1, s.channels, s.height, s.width});
    const TensorId c1 = conv(b, x, s.channels, 8, 3, convAttributes(1, true), seed);
    b.output(b.node(OpType::MaxPool, {c1}, Pool2DAttributes{2, 2, 2, 2, {0, 0, 0, 0, true}, false}));
    b.output(b.node(OpType::MaxPool, {x}, Pool2DAttributes{3, 3, 2, 2, {0, 0, 0, 0, false}, false}));
    b.output(b.node(OpType::AveragePool, {c1}, Pool2DAttributes{3, 3, 1, 1, {1, 1, 1, 1, false}, false}));
    b.output(b.node(OpType::AveragePool, {x}, Pool2DAttributes{3, 3, 2, 2, {1, 1, 1, 1, false}, true}));
    b.output(b.node(OpType::GlobalAveragePool, {c1}, GlobalAveragePoolAttributes{true}));
  });
}

TEST(NnCudaExecutor, PadConcatTransposeResizeSoftmaxReshape) {
  SKIP_WITHOUT_CUDA_DEVICE();
  expectMatchesReference([](GraphBuilder& b, const Sizes& s, uint64_t seed) {
    const int64_t c = s.channels;
    const TensorId x = b.input({1, c, s.height, s.width});
    const TensorId c1 = conv(b, x, c, 8, 3, convAttributes(1, true, ActivationType::Relu), seed);
    const TensorId padded = b.node(OpType::Pad, {c1}, PadAttributes{{0, 0, 1, 0}, {0, 4, 0, 2}, 0.5f});
    const TensorId joined = b.node(OpType::Concat, {c1, x}, ConcatAttributes{1});
    const TensorId rows = b.node(OpType::Concat, {x, x, x}, ConcatAttributes{-1});
    const TensorId nhwc = b.node(OpType::Transpose, {joined}, TransposeAttributes{{0, 2, 3, 1}});
    const TensorId nearest = b.node(OpType::Resize, {c1}, ResizeAttributes{ResizeMode::Nearest, 2 * s.height, 2 * s.width, false, false});
    const TensorId bilinear = b.node(OpType::Resize, {x}, ResizeAttributes{ResizeMode::Bilinear, s.height + 3, 2 * s.width, false, true});
    const TensorId aligned = b.node(OpType::Resize, {x}, ResizeAttributes{ResizeMode::Bilinear, 2 * s.height, s.width + 1, true, false});
    const TensorId soft = b.node(OpType::Softmax, {c1}, SoftmaxAttributes{1});
    const TensorId flat = b.node(OpType::Reshape, {nhwc, b.int64Constant({1, -1, c + 8})}, ReshapeAttributes{});
    const TensorId softLast = b.node(OpType::Softmax, {flat}, SoftmaxAttributes{-1});
    for (TensorId out : {padded, rows, nearest, bilinear, aligned, soft, softLast}) b.output(out);
  });
}

TEST(NnCudaExecutor, MobileNetV2LikeNetwork) {
  SKIP_WITHOUT_CUDA_DEVICE();
  expectMatchesReference([](GraphBuilder& b, const Sizes&, uint64_t seed) { b = test::makeMobileNetLike(32, 10, seed); });
}

TEST(NnCudaExecutor, RunOnCallerDeviceBuffersAndStream) {
  // run() on caller device memory and a caller stream; the captured graph touches only the arena,
  // so a second run into different output buffers still gets the result.
  SKIP_WITHOUT_CUDA_DEVICE();
#if MESHRT_HAVE_CUDA
  GraphBuilder b;
  const TensorId x = b.input({1, 4, 6, 6});
  b.output(conv(b, x, 4, 5, 3, convAttributes(1, true, ActivationType::HardSwish), 7));
  ASSERT_TRUE(inferShapes(b.graph()).ok());
  const std::vector<float> input = test::splitmixSigned(11, 4 * 36);
  const auto expected = runReference(b.graph(), {input});
  ASSERT_TRUE(expected.ok()) << expected.error().message;
  auto executor = CudaExecutor::create(b.graph(), {});
  ASSERT_TRUE(executor.ok()) << executor.error().message;
  const size_t outCount = (*expected)[0].size();
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  float *deviceIn = nullptr, *deviceOutA = nullptr, *deviceOutB = nullptr;
  ASSERT_EQ(cudaMalloc(&deviceIn, input.size() * 4), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&deviceOutA, outCount * 4), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&deviceOutB, outCount * 4), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(deviceIn, input.data(), input.size() * 4, cudaMemcpyHostToDevice), cudaSuccess);
  const float* inputs[] = {deviceIn};
  for (float* deviceOut : {deviceOutA, deviceOutB}) {
    float* outputs[] = {deviceOut};
    auto ran = (*executor)->run(inputs, outputs, stream);
    ASSERT_TRUE(ran.ok()) << ran.error().message;
    ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
    std::vector<float> result(outCount);
    ASSERT_EQ(cudaMemcpy(result.data(), deviceOut, outCount * 4, cudaMemcpyDeviceToHost), cudaSuccess);
    EXPECT_LE(test::relativeL2(result, (*expected)[0]), 1e-5);
  }
  cudaFree(deviceIn);
  cudaFree(deviceOutA);
  cudaFree(deviceOutB);
  cudaStreamDestroy(stream);
#endif
}

TEST(NnCudaExecutor, WithoutCudaGraphsNothingIsCaptured) {
  SKIP_WITHOUT_CUDA_DEVICE();
  GraphBuilder b;
  const TensorId x = b.input({1, 2, 5, 5});
  b.output(b.node(OpType::Softmax, {x}, SoftmaxAttributes{1}));
  CudaExecutorOptions options;
  options.useCudaGraph = false;
  auto executor = CudaExecutor::create(b.graph(), options);
  ASSERT_TRUE(executor.ok()) << executor.error().message;
  std::vector<float> input = test::splitmixSigned(3, 50), output(50);
  const std::span<const float> inputs[] = {input};
  const std::span<float> outputs[] = {output};
  ASSERT_TRUE((*executor)->runHost(inputs, outputs).ok());
  EXPECT_FALSE((*executor)->graphCaptured());
}

#if MESHRT_HAVE_CUDA
// The graph is validated before the device is touched, so this runs on machines without a GPU.
TEST(NnCudaExecutor, CreateReportsGraphErrorsNamingTheNode) {
  GraphBuilder b;
  const TensorId x = b.input({1, 3, 4, 4});
  b.output(b.node(OpType::Conv2D, {x, b.randomConstant({2, 2, 3, 3}, 1), NO_TENSOR}, Conv2DAttributes{}));
  const auto executor = CudaExecutor::create(b.graph(), {});
  ASSERT_FALSE(executor.ok());
  EXPECT_NE(executor.error().message.find("node 'Conv2D_0' (Conv2D): input 1"), std::string::npos) << executor.error().message;
}

// Where there is no device, create() fails with the CUDA runtime's reason (no crash, no executor).
TEST(NnCudaExecutor, CreateWithoutDeviceGivesTheReason) {
  if (probeCudaDevice({}).deviceFound) GTEST_SKIP() << "a CUDA device exists; this checks the no-device path";
  GraphBuilder b;
  const TensorId x = b.input({1, 2, 3, 3});
  b.output(b.node(OpType::Activation, {x}, ActivationAttributes{{ActivationType::Relu}}));
  const auto executor = CudaExecutor::create(b.graph(), {});
  ASSERT_FALSE(executor.ok());
  EXPECT_EQ(executor.error().message.rfind("CudaExecutor::create: device 0: cudaSetDevice: ", 0), 0u) << executor.error().message;
}
#else
TEST(NnCudaExecutor, CreateSaysTheBackendIsNotCompiled) {
  GraphBuilder b;
  const TensorId x = b.input({1, 2, 3, 3});
  b.output(b.node(OpType::Activation, {x}, ActivationAttributes{{ActivationType::Relu}}));
  const auto executor = CudaExecutor::create(b.graph(), {});
  ASSERT_FALSE(executor.ok());
  EXPECT_EQ(executor.error().message, "CudaExecutor::create: CUDA backend not compiled (no CUDA toolkit at build time)");
}
#endif

}  // namespace
}  // namespace meshrt::nn
