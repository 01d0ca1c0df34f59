// A bounds-checked reader of TensorFlow Lite model files (FlatBuffers, file identifier "TFL3"),
// written from the field order of TensorFlow Lite's public schema (schema.fbs); no generated
// code. It reads what the importer needs: buffers, tensors, operators, operator codes and the
// builtin options of the ops meshrt imports. Files may come from untrusted packs: every offset,
// length and count is checked against the file size, and a bad file gives an error naming the
// file and the field ("face.tflite: subgraphs[0].tensors[12].shape: vector of 4000000000
// elements runs past the end of the file (229032 bytes)"), never a crash.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "meshrt/result.h"

namespace meshrt::nn {

// TensorType values of schema.fbs (the ones meshrt may meet; others are kept as numbers).
enum class TfliteType : int8_t {
  Float32 = 0,
  Float16 = 1,
  Int32 = 2,
  Uint8 = 3,
  Int64 = 4,
  String = 5,
  Bool = 6,
  Int16 = 7,
  Int8 = 9,
};
const char* tfliteTypeName(int8_t type);  // "FLOAT32", ..., "type 42"
// Element size in bytes, 0 for types without a fixed size (STRING, unknown).
size_t tfliteTypeSize(int8_t type);

// BuiltinOperator values of schema.fbs that the importer names or maps.
enum class TfliteOp : int32_t {
  Add = 0,
  AveragePool2D = 1,
  Concatenation = 2,
  Conv2D = 3,
  DepthwiseConv2D = 4,
  Dequantize = 6,
  FullyConnected = 9,
  Logistic = 14,
  MaxPool2D = 17,
  Mul = 18,
  Relu = 19,
  ReluN1To1 = 20,
  Relu6 = 21,
  Reshape = 22,
  Softmax = 25,
  Tanh = 28,
  Custom = 32,
  Pad = 34,
  Transpose = 39,
  Mean = 40,
  Prelu = 54,
  HardSwish = 117,
};
const char* tfliteOpName(int32_t builtinCode);  // "CONV_2D", ..., "builtin operator 123"

// BuiltinOptions union types (schema.fbs) the reader decodes.
enum class TfliteOptionsType : uint8_t {
  None = 0,
  Conv2D = 1,
  DepthwiseConv2D = 2,
  Pool2D = 5,
  FullyConnected = 8,
  Softmax = 9,
  Concatenation = 10,
  Add = 11,
  Reshape = 17,
  Mul = 21,
  Pad = 22,
  Reducer = 27,
};

// ActivationFunctionType of schema.fbs.
enum class TfliteActivation : int8_t { None = 0, Relu = 1, ReluN1To1 = 2, Relu6 = 3, Tanh = 4, SignBit = 5 };
// Padding of schema.fbs.
enum class TflitePadding : int8_t { Same = 0, Valid = 1 };

// The decoded builtin options, flattened: each field is filled by the option tables that have
// it, and keeps its schema default otherwise (strides and filter sizes default to 0 in the
// schema; the importer rejects those).
struct TfliteOptions {
  uint8_t type = 0;  // TfliteOptionsType value (undecoded types keep their number)
  int8_t padding = 0;  // TflitePadding
  int32_t strideW = 0, strideH = 0;  // pixels
  int32_t dilationW = 1, dilationH = 1;
  int32_t depthMultiplier = 0;  // DepthwiseConv2D
  int32_t filterW = 0, filterH = 0;  // Pool2D, pixels
  int8_t activation = 0;  // TfliteActivation (fused)
  int32_t axis = 0;  // Concatenation
  bool keepDims = false;  // Reducer (MEAN)
  bool keepNumDims = false;  // FullyConnected
  int8_t weightsFormat = 0;  // FullyConnected: 0 = DEFAULT
  float beta = 1.0f;  // Softmax
  std::vector<int32_t> newShape;  // Reshape
};

struct TfliteTensor {
  std::string name;
  std::vector<int32_t> shape;  // the model's layout (NHWC for images)
  int8_t type = 0;  // TfliteType value
  uint32_t buffer = 0;  // index into TfliteModel::buffers; buffer 0 is the empty sentinel
  bool quantized = false;  // has quantization scales (int8/uint8 models; not imported)
};

struct TfliteOperator {
  int32_t builtinCode = 0;  // max(deprecated_builtin_code, builtin_code) of its OperatorCode
  std::string customCode;  // CUSTOM operators only
  std::vector<int32_t> inputs;  // tensor indices; -1 = an absent optional input
  std::vector<int32_t> outputs;
  TfliteOptions options;
};

struct TfliteSubgraph {
  std::string name;
  std::vector<TfliteTensor> tensors;
  std::vector<int32_t> inputs, outputs;  // tensor indices, in the model's order
  std::vector<TfliteOperator> operators;  // in execution order
};

// A byte range of the file (a Buffer's data vector, or its offset/size for large models).
struct TfliteBufferRange {
  uint64_t offset = 0, size = 0;  // bytes from the start of the file
};

struct TfliteModel {
  std::string source;  // file name, for error messages
  std::vector<uint8_t> bytes;  // the whole file; buffers point into it
  uint32_t version = 0;
  std::vector<TfliteBufferRange> buffers;
  std::vector<TfliteSubgraph> subgraphs;

  // The data of buffer `index` (empty for an out-of-range index or an empty buffer).
  std::span<const uint8_t> bufferData(uint32_t index) const;
};

// FlatBuffers address 2 GiB with their 32-bit offsets (larger TFLite files keep buffers outside
// through Buffer.offset/size; the encoders meshrt runs are a few MB). Larger files are refused
// before they are read.
inline constexpr uint64_t MAX_TFLITE_FILE_BYTES = uint64_t(1) << 31;

// Parses a whole file held in memory (takes ownership of `bytes`); `source` names it in errors.
Result<TfliteModel> parseTflite(std::vector<uint8_t> bytes, const std::string& source);
// Reads and parses a file.
Result<TfliteModel> readTfliteFile(const std::string& path);

}  // namespace meshrt::nn
