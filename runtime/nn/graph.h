// The encoder IR (DESIGN §3, issue 5): a static graph of tensors and ops for the CNN family meshrt
// runs (MediaPipe's TFLite models, ONNX exports of ResNet/MobileNet encoders). Importers build it,
// passes simplify it, executors (naive reference, oneDNN CPU, cuDNN CUDA) run it.
//
// Conventions:
// - Layout: 4-D activations are NCHW, the IR's canonical layout (DESIGN §5). Importers of NHWC
//   formats (TFLite) convert at the boundary: inputs, outputs, weights, and axis attributes.
// - Batch is fixed at import (1 unless the model says otherwise); every shape is fully known
//   after inferShapes().
// - Weights: Conv2D weights are OIHW ([outC][inC/groups][kH][kW]); FullyConnected weights are
//   [out][in] (y = W x + b). Constants are fp32 after load (fp16 constants are widened by
//   the importer or the fp16 pass; no DEQUANTIZE at run time).
// - Errors name the node: "node 'conv_12' (Conv2D): input 1: expected 4-D weights, got [3, 3]".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/one_line_error.h"
#include "meshrt/result.h"

namespace meshrt::nn {

enum class DataType : uint8_t { Float32, Float16, Int32, Int64 };
size_t dataTypeSize(DataType type);
const char* dataTypeName(DataType type);

using Shape = std::vector<int64_t>;
inline constexpr size_t MAX_TENSOR_RANK = 8;  // inferShapes() rejects higher ranks
int64_t elementCount(const Shape& shape);
// inferShapes() rejects tensors of more elements (8 GiB of fp32; encoders use a few MB): shapes
// from a corrupt file stay far from int64 overflow in every shape computation.
inline constexpr int64_t MAX_TENSOR_ELEMENTS = int64_t{1} << 31;
// elementCount() without overflow: -1 when a dimension is negative or the count exceeds
// MAX_TENSOR_ELEMENTS (for shapes read from a file, before anything multiplies them).
int64_t boundedElementCount(const Shape& shape);
std::string shapeString(const Shape& shape);  // "[1, 3, 224, 224]"

using TensorId = uint32_t;
inline constexpr TensorId NO_TENSOR = 0xFFFFFFFFu;  // an absent optional input (e.g. no bias)

struct Tensor {
  std::string name;
  DataType type = DataType::Float32;
  Shape shape;                // empty until inferred for activations; constants always known
  std::vector<uint8_t> data;  // constants only: little-endian, C order; empty for activations
  bool isConstant() const { return !data.empty(); }
  std::span<const float> floats() const;  // constant fp32 data (empty otherwise)
};

// Activations that executors fuse into the producing op (post-ops).
enum class ActivationType : uint8_t { None, Relu, Relu6, Clip, LeakyRelu, Sigmoid, HardSwish };
struct Activation {
  ActivationType type = ActivationType::None;
  float alpha = 0.0f;  // LeakyRelu slope
  float minimum = 0.0f, maximum = 0.0f;  // Clip bounds (Relu6 = Clip 0..6)
};

// Explicit padding in pixels (SAME is resolved to these by the importer or inferShapes()).
struct Padding2D {
  int32_t top = 0, left = 0, bottom = 0, right = 0;
  bool same = false;  // TFLite/ONNX SAME_UPPER: resolved by inferShapes() once H, W are known
};

// inputs: x [N][C][H][W], weights OIHW (constant), bias [O] or NO_TENSOR; outputs: y.
// A residual add fused by the passes is inputs[3] (same shape as y), added before `activation`.
struct Conv2DAttributes {
  int32_t strideH = 1, strideW = 1, dilationH = 1, dilationW = 1;
  int32_t groups = 1;  // = C for depthwise
  Padding2D padding;
  Activation activation;
};
// inputs: x [N][K] (or any shape flattened to [N][K]), weights [O][K], bias [O] or NO_TENSOR.
struct FullyConnectedAttributes {
  Activation activation;
};
// Elementwise binary ops with NumPy broadcasting (Add, Mul).
struct BinaryAttributes {
  Activation activation;
};
// inputs: x, slope (constant). A 1-D slope [C] (or [1]) is per channel, on axis 1, whatever x's
// rank; any other slope ([C][1][1], ...) broadcasts NumPy-style onto x.
struct PReluAttributes {};
// Unary activations as standalone nodes (Relu, Relu6, Clip, LeakyRelu, Sigmoid, HardSwish).
struct ActivationAttributes {
  Activation activation;
};
struct Pool2DAttributes {
  int32_t kernelH = 1, kernelW = 1, strideH = 1, strideW = 1;
  Padding2D padding;
  bool countIncludePad = false;  // AveragePool only
};
// Mean over H and W (keepDims: [N][C][1][1], else [N][C]).
struct GlobalAveragePoolAttributes {
  bool keepDims = true;
};
// Constant padding; pads per axis as (begin, end), in the IR's layout (channel padding allowed).
struct PadAttributes {
  std::vector<int64_t> begins, ends;
  float value = 0.0f;
};
// Reshape to `shape` (C order over the IR layout; one -1 allowed; 0 copies the input's dimension at
// that index, like ONNX allowzero=0). Flatten is a Reshape. Optional inputs[1]: a constant 1-D
// Int64/Int32 shape tensor (ONNX Reshape), used when `shape` is empty; foldConstants() moves it
// into `shape`.
struct ReshapeAttributes {
  Shape shape;
};
struct ConcatAttributes {
  int32_t axis = 1;
};
struct TransposeAttributes {
  std::vector<int32_t> permutation;
};
enum class ResizeMode : uint8_t { Nearest, Bilinear };
// Output size in pixels; bilinear uses half-pixel centres unless alignCorners.
struct ResizeAttributes {
  ResizeMode mode = ResizeMode::Nearest;
  int64_t outHeight = 0, outWidth = 0;
  bool alignCorners = false;
  bool halfPixelCenters = true;
};
struct SoftmaxAttributes {
  int32_t axis = -1;
};
// Inference-mode batch normalization over axis 1 (ONNX BatchNormalization):
// y = scale * (x - mean) / sqrt(var + epsilon) + bias. inputs: x, scale [C], bias [C], mean [C],
// var [C] (all constant). foldBatchNorm() folds it into the producing Conv2D; executors run the rest.
struct BatchNormAttributes {
  float epsilon = 1e-5f;
};

enum class OpType : uint8_t {
  Conv2D,
  FullyConnected,
  Add,
  Mul,
  Activation,  // Relu, Relu6, Clip, LeakyRelu, Sigmoid, HardSwish
  PRelu,
  MaxPool,
  AveragePool,
  GlobalAveragePool,
  Pad,
  Reshape,
  Concat,
  Transpose,
  Resize,
  Softmax,
  BatchNormalization,
};
const char* opTypeName(OpType op);

using Attributes =
    std::variant<Conv2DAttributes, FullyConnectedAttributes, BinaryAttributes, ActivationAttributes, PReluAttributes,
                 Pool2DAttributes, GlobalAveragePoolAttributes, PadAttributes, ReshapeAttributes, ConcatAttributes,
                 TransposeAttributes, ResizeAttributes, SoftmaxAttributes, BatchNormAttributes>;

struct Node {
  OpType op = OpType::Conv2D;
  std::string name;  // from the model file, for error messages and profiling
  std::vector<TensorId> inputs;
  std::vector<TensorId> outputs;
  Attributes attributes;
};
// "node 'conv_12' (Conv2D)": the prefix of every error about `node`.
std::string describeNode(const Node& node);

// Nodes are in topological order (importers guarantee it; validateGraph() checks it).
struct Graph {
  std::vector<Tensor> tensors;
  std::vector<Node> nodes;
  std::vector<TensorId> inputs;   // graph inputs, NCHW fp32
  std::vector<TensorId> outputs;  // graph outputs, in the model's order
  std::string source;             // file name, for error messages

  TensorId addTensor(Tensor tensor);  // appends, returns its id
  // Appends a constant fp32 tensor (C order) and returns its id.
  TensorId addConstant(std::string name, Shape shape, std::span<const float> values);
};

// The importers' error for an op the IR does not have:
// "<source>: node '<name>' (<op>): unsupported op".
Error unsupportedOpError(std::string_view source, std::string_view nodeName, std::string_view opName);
// oneLineError (core/one_line_error.h) keeps the importers' errors one printable, bounded line.

// Checks ids, topological order, one producer per tensor, attributes against input ranks and
// constant weights; errors name the node and the input.
Result<void> validateGraph(const Graph& graph);
// Fills every activation's shape (and resolves SAME padding into explicit pads, keeping `same` set
// so re-inference after an input-size change re-resolves); errors name the node. Graph inputs must
// have shapes. Idempotent.
Result<void> inferShapes(Graph& graph);

// A constant's values as fp32 (Float32 copied, Float16 widened, Int32/Int64 converted).
std::vector<float> constantAsFloats(const Tensor& tensor);
// A constant Int32/Int64 tensor's values (shape tensors); empty for other types.
std::vector<int64_t> constantAsInts(const Tensor& tensor);
// IEEE binary16 bits -> fp32 (subnormals, infinities and NaN included).
float halfToFloat(uint16_t bits);

}  // namespace meshrt::nn
