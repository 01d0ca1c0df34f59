// TensorFlow Lite FlatBuffer reading with every offset checked (see tflite_reader.h).
//
// FlatBuffers in brief (little-endian): the file starts with a uoffset (u32) to the root table,
// then the 4-byte file identifier. A table starts with an soffset (i32): vtable = table - soffset.
// A vtable is [u16 vtable size][u16 table size][u16 field offset]...; field i lives at
// table + offset[i] (offset 0 or past the vtable = absent, use the default). Reference fields
// (tables, vectors, strings) hold a uoffset relative to their own position; a vector is
// [u32 count][elements], a vector of tables holds one uoffset per element.
#include "nn/tflite_reader.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace meshrt::nn {
namespace {

struct FlatTable {
  uint64_t position = 0;  // where the table's soffset is stored
  uint64_t vtable = 0;
  uint16_t vtableSize = 0;  // bytes, including its two u16 headers
  uint16_t tableSize = 0;  // bytes of inline data, from `position`
};

// Cursor over the file's bytes. The first failure is kept (with the field path) and every later
// read returns defaults, so parsing code can read on without checks and test `failed()` at the
// points where it would otherwise loop or allocate.
class FlatReader {
 public:
  // Vectors and strings may overlap or be shared by many tables, so decoding could copy far more
  // than the file holds (20 000 tensors naming one 60 KB string = 1.2 GB). A writer stores each
  // once; copies beyond 4x the file (plus 1 MiB for small files) come only from a corrupt file.
  explicit FlatReader(std::span<const uint8_t> bytes)
      : mBytes(bytes), mDecodeBudget(4 * uint64_t(bytes.size()) + (uint64_t(1) << 20)) {}

  bool failed() const { return !mError.empty(); }
  const std::string& error() const { return mError; }
  void fail(const std::string& field, const std::string& reason) {
    if (mError.empty()) mError = field + ": " + reason;
  }

  // The table a uoffset stored at `at` points to.
  bool tableAt(uint64_t at, const std::string& field, FlatTable& table) {
    uint32_t offset = 0;
    if (!load(at, offset, field)) return false;
    const uint64_t position = at + offset;
    int32_t backToVtable = 0;
    if (!load(position, backToVtable, field)) return false;
    const int64_t vtable = int64_t(position) - int64_t(backToVtable);
    if (vtable < 0 || uint64_t(vtable) + 4 > mBytes.size()) {
      fail(field, "vtable offset " + std::to_string(vtable) + " lies outside the file (" + sizeText() + ")");
      return false;
    }
    table.position = position;
    table.vtable = uint64_t(vtable);
    load(table.vtable, table.vtableSize, field);
    load(table.vtable + 2, table.tableSize, field);
    if (table.vtableSize < 4 || table.vtableSize % 2 != 0 || table.vtable + table.vtableSize > mBytes.size()) {
      fail(field, "vtable of " + std::to_string(table.vtableSize) + " bytes is malformed or runs past the end of the file (" +
                      sizeText() + ")");
      return false;
    }
    if (table.tableSize < 4 || position + table.tableSize > mBytes.size()) {
      fail(field, "table of " + std::to_string(table.tableSize) + " bytes runs past the end of the file (" + sizeText() + ")");
      return false;
    }
    return true;
  }

  // Position of field `index` holding `width` bytes, or 0 when the field is absent.
  uint64_t fieldPosition(const FlatTable& table, int index, uint64_t width, const std::string& field) {
    if (failed()) return 0;
    const uint64_t slot = 4 + 2 * uint64_t(index);
    if (slot + 2 > table.vtableSize) return 0;
    uint16_t offset = 0;
    load(table.vtable + slot, offset, field);
    if (offset == 0) return 0;
    if (offset + width > table.tableSize) {
      fail(field, "field at table offset " + std::to_string(offset) + " lies outside its table (" +
                      std::to_string(table.tableSize) + " bytes)");
      return 0;
    }
    return table.position + offset;
  }

  template <typename T>
  T scalar(const FlatTable& table, int index, T fallback, const std::string& field) {
    const uint64_t at = fieldPosition(table, index, sizeof(T), field);
    T value = fallback;
    if (at != 0) load(at, value, field);
    return value;
  }

  // The elements of a vector field: `start` (first element) and `count`; absent = empty.
  bool vectorAt(const FlatTable& table, int index, uint64_t elementSize, const std::string& field, uint64_t& start,
                uint32_t& count) {
    start = 0;
    count = 0;
    const uint64_t at = fieldPosition(table, index, 4, field);
    if (at == 0) return !failed();
    uint32_t offset = 0;
    if (!load(at, offset, field)) return false;
    const uint64_t vector = at + offset;
    uint32_t length = 0;
    if (!load(vector, length, field)) return false;
    const uint64_t available = mBytes.size() - (vector + 4);
    if (uint64_t(length) * elementSize > available) {
      fail(field, "vector of " + std::to_string(length) + " elements runs past the end of the file (" + sizeText() + ")");
      return false;
    }
    if (uint64_t(length) * elementSize > mDecodeBudget - mDecoded) {
      fail(field, "vector of " + std::to_string(length) + " elements exceeds the decoding budget of " +
                      std::to_string(mDecodeBudget) + " bytes (vectors shared or overlapping?)");
      return false;
    }
    mDecoded += uint64_t(length) * elementSize;
    start = vector + 4;
    count = length;
    return true;
  }

  template <typename T>
  std::vector<T> scalarVector(const FlatTable& table, int index, const std::string& field) {
    uint64_t start = 0;
    uint32_t count = 0;
    std::vector<T> values;
    if (!vectorAt(table, index, sizeof(T), field, start, count)) return values;
    values.resize(count);
    if (count != 0) std::memcpy(values.data(), mBytes.data() + start, count * sizeof(T));
    return values;
  }

  std::string string(const FlatTable& table, int index, const std::string& field) {
    uint64_t start = 0;
    uint32_t count = 0;
    if (!vectorAt(table, index, 1, field, start, count)) return {};
    return std::string(reinterpret_cast<const char*>(mBytes.data() + start), count);
  }

  // The tables of a vector-of-tables field; `field` is the vector's path ("subgraphs").
  std::vector<FlatTable> tables(const FlatTable& table, int index, const std::string& field) {
    uint64_t start = 0;
    uint32_t count = 0;
    std::vector<FlatTable> result;
    if (!vectorAt(table, index, 4, field, start, count)) return result;
    result.reserve(count);
    for (uint32_t i = 0; i < count && !failed(); ++i) {
      FlatTable element;
      if (tableAt(start + 4 * uint64_t(i), field + "[" + std::to_string(i) + "]", element)) result.push_back(element);
    }
    return result;
  }

  // A table field (absent = false without an error).
  bool tableField(const FlatTable& table, int index, const std::string& field, FlatTable& out) {
    const uint64_t at = fieldPosition(table, index, 4, field);
    if (at == 0) return false;
    return tableAt(at, field, out);
  }

  template <typename T>
  bool load(uint64_t at, T& value, const std::string& field) {
    if (failed()) return false;
    if (at > mBytes.size() || mBytes.size() - at < sizeof(T)) {
      fail(field, "offset " + std::to_string(at) + " lies outside the file (" + sizeText() + ")");
      return false;
    }
    std::memcpy(&value, mBytes.data() + at, sizeof(T));
    return true;
  }

  std::string sizeText() const { return std::to_string(mBytes.size()) + " bytes"; }

 private:
  std::span<const uint8_t> mBytes;
  uint64_t mDecodeBudget = 0;  // bytes vectorAt() may hand out in total
  uint64_t mDecoded = 0;
  std::string mError;
};

std::string indexed(const std::string& path, size_t index) { return path + "[" + std::to_string(index) + "]"; }

// BuiltinOptions tables (schema.fbs field order).
void readOptions(FlatReader& reader, const FlatTable& table, uint8_t type, const std::string& path,
                 TfliteOptions& options) {
  options.type = type;
  switch (static_cast<TfliteOptionsType>(type)) {
    case TfliteOptionsType::Conv2D:  // padding, stride_w, stride_h, fused_activation_function, dilation_w, _h
      options.padding = reader.scalar<int8_t>(table, 0, 0, path + ".padding");
      options.strideW = reader.scalar<int32_t>(table, 1, 0, path + ".stride_w");
      options.strideH = reader.scalar<int32_t>(table, 2, 0, path + ".stride_h");
      options.activation = reader.scalar<int8_t>(table, 3, 0, path + ".fused_activation_function");
      options.dilationW = reader.scalar<int32_t>(table, 4, 1, path + ".dilation_w_factor");
      options.dilationH = reader.scalar<int32_t>(table, 5, 1, path + ".dilation_h_factor");
      break;
    case TfliteOptionsType::DepthwiseConv2D:  // as Conv2D with depth_multiplier before the activation
      options.padding = reader.scalar<int8_t>(table, 0, 0, path + ".padding");
      options.strideW = reader.scalar<int32_t>(table, 1, 0, path + ".stride_w");
      options.strideH = reader.scalar<int32_t>(table, 2, 0, path + ".stride_h");
      options.depthMultiplier = reader.scalar<int32_t>(table, 3, 0, path + ".depth_multiplier");
      options.activation = reader.scalar<int8_t>(table, 4, 0, path + ".fused_activation_function");
      options.dilationW = reader.scalar<int32_t>(table, 5, 1, path + ".dilation_w_factor");
      options.dilationH = reader.scalar<int32_t>(table, 6, 1, path + ".dilation_h_factor");
      break;
    case TfliteOptionsType::Pool2D:  // padding, stride_w, stride_h, filter_width, filter_height, activation
      options.padding = reader.scalar<int8_t>(table, 0, 0, path + ".padding");
      options.strideW = reader.scalar<int32_t>(table, 1, 0, path + ".stride_w");
      options.strideH = reader.scalar<int32_t>(table, 2, 0, path + ".stride_h");
      options.filterW = reader.scalar<int32_t>(table, 3, 0, path + ".filter_width");
      options.filterH = reader.scalar<int32_t>(table, 4, 0, path + ".filter_height");
      options.activation = reader.scalar<int8_t>(table, 5, 0, path + ".fused_activation_function");
      break;
    case TfliteOptionsType::FullyConnected:  // activation, weights_format, keep_num_dims
      options.activation = reader.scalar<int8_t>(table, 0, 0, path + ".fused_activation_function");
      options.weightsFormat = reader.scalar<int8_t>(table, 1, 0, path + ".weights_format");
      options.keepNumDims = reader.scalar<uint8_t>(table, 2, 0, path + ".keep_num_dims") != 0;
      break;
    case TfliteOptionsType::Softmax:  // beta
      options.beta = reader.scalar<float>(table, 0, 0.0f, path + ".beta");
      break;
    case TfliteOptionsType::Concatenation:  // axis, fused_activation_function
      options.axis = reader.scalar<int32_t>(table, 0, 0, path + ".axis");
      options.activation = reader.scalar<int8_t>(table, 1, 0, path + ".fused_activation_function");
      break;
    case TfliteOptionsType::Add:  // fused_activation_function, pot_scale_int16
    case TfliteOptionsType::Mul:  // fused_activation_function
      options.activation = reader.scalar<int8_t>(table, 0, 0, path + ".fused_activation_function");
      break;
    case TfliteOptionsType::Reshape:  // new_shape
      options.newShape = reader.scalarVector<int32_t>(table, 0, path + ".new_shape");
      break;
    case TfliteOptionsType::Reducer:  // keep_dims
      options.keepDims = reader.scalar<uint8_t>(table, 0, 0, path + ".keep_dims") != 0;
      break;
    default:
      break;  // PadOptions has no fields; other option tables are not needed
  }
}

// Tensor: shape, type, buffer, name, quantization (QuantizationParameters.scale is field 2).
TfliteTensor readTensor(FlatReader& reader, const FlatTable& table, const std::string& path) {
  TfliteTensor tensor;
  tensor.shape = reader.scalarVector<int32_t>(table, 0, path + ".shape");
  tensor.type = reader.scalar<int8_t>(table, 1, 0, path + ".type");
  tensor.buffer = reader.scalar<uint32_t>(table, 2, 0, path + ".buffer");
  tensor.name = reader.string(table, 3, path + ".name");
  FlatTable quantization;
  if (reader.tableField(table, 4, path + ".quantization", quantization)) {
    tensor.quantized = !reader.scalarVector<float>(quantization, 2, path + ".quantization.scale").empty();
  }
  return tensor;
}

// Operator: opcode_index, inputs, outputs, builtin_options_type, builtin_options.
TfliteOperator readOperator(FlatReader& reader, const FlatTable& table, const std::string& path,
                            const std::vector<int32_t>& codes, const std::vector<std::string>& customCodes) {
  TfliteOperator op;
  const uint32_t opcodeIndex = reader.scalar<uint32_t>(table, 0, 0, path + ".opcode_index");
  if (opcodeIndex >= codes.size()) {
    reader.fail(path + ".opcode_index",
                std::to_string(opcodeIndex) + " is out of range (" + std::to_string(codes.size()) + " operator codes)");
    return op;
  }
  op.builtinCode = codes[opcodeIndex];
  op.customCode = customCodes[opcodeIndex];
  op.inputs = reader.scalarVector<int32_t>(table, 1, path + ".inputs");
  op.outputs = reader.scalarVector<int32_t>(table, 2, path + ".outputs");
  const uint8_t optionsType = reader.scalar<uint8_t>(table, 3, 0, path + ".builtin_options_type");
  FlatTable options;
  if (optionsType != 0 && reader.tableField(table, 4, path + ".builtin_options", options)) {
    readOptions(reader, options, optionsType, path + ".builtin_options", op.options);
  } else {
    op.options.type = optionsType;
  }
  return op;
}

// Indices must name tensors of the subgraph (-1 allowed where `optional`).
void checkTensorIndices(FlatReader& reader, const std::vector<int32_t>& indices, size_t tensorCount, bool optional,
                        const std::string& path) {
  for (size_t i = 0; i < indices.size(); ++i) {
    const int32_t index = indices[i];
    if ((index == -1 && optional) || (index >= 0 && size_t(index) < tensorCount)) continue;
    reader.fail(indexed(path, i), "tensor index " + std::to_string(index) + " is out of range (" +
                                      std::to_string(tensorCount) + " tensors)");
    return;
  }
}

TfliteSubgraph readSubgraph(FlatReader& reader, const FlatTable& table, const std::string& path,
                            const std::vector<int32_t>& codes, const std::vector<std::string>& customCodes,
                            size_t bufferCount) {
  TfliteSubgraph subgraph;
  const auto tensorTables = reader.tables(table, 0, path + ".tensors");
  for (size_t i = 0; i < tensorTables.size() && !reader.failed(); ++i) {
    subgraph.tensors.push_back(readTensor(reader, tensorTables[i], indexed(path + ".tensors", i)));
    if (subgraph.tensors.back().buffer >= bufferCount && !reader.failed()) {
      reader.fail(indexed(path + ".tensors", i) + ".buffer", std::to_string(subgraph.tensors.back().buffer) +
                                                                 " is out of range (" + std::to_string(bufferCount) +
                                                                 " buffers)");
    }
  }
  subgraph.inputs = reader.scalarVector<int32_t>(table, 1, path + ".inputs");
  subgraph.outputs = reader.scalarVector<int32_t>(table, 2, path + ".outputs");
  checkTensorIndices(reader, subgraph.inputs, subgraph.tensors.size(), false, path + ".inputs");
  checkTensorIndices(reader, subgraph.outputs, subgraph.tensors.size(), false, path + ".outputs");
  const auto operatorTables = reader.tables(table, 3, path + ".operators");
  for (size_t i = 0; i < operatorTables.size() && !reader.failed(); ++i) {
    const std::string opPath = indexed(path + ".operators", i);
    subgraph.operators.push_back(readOperator(reader, operatorTables[i], opPath, codes, customCodes));
    checkTensorIndices(reader, subgraph.operators.back().inputs, subgraph.tensors.size(), true, opPath + ".inputs");
    checkTensorIndices(reader, subgraph.operators.back().outputs, subgraph.tensors.size(), false, opPath + ".outputs");
  }
  subgraph.name = reader.string(table, 4, path + ".name");
  return subgraph;
}

}  // namespace

const char* tfliteTypeName(int8_t type) {
  switch (type) {
    case 0: return "FLOAT32";
    case 1: return "FLOAT16";
    case 2: return "INT32";
    case 3: return "UINT8";
    case 4: return "INT64";
    case 5: return "STRING";
    case 6: return "BOOL";
    case 7: return "INT16";
    case 9: return "INT8";
    default: return "unknown type";
  }
}

size_t tfliteTypeSize(int8_t type) {
  switch (type) {
    case 0: case 2: return 4;
    case 1: case 7: return 2;
    case 3: case 6: case 9: return 1;
    case 4: return 8;
    default: return 0;
  }
}

const char* tfliteOpName(int32_t builtinCode) {
  switch (static_cast<TfliteOp>(builtinCode)) {
    case TfliteOp::Add: return "ADD";
    case TfliteOp::AveragePool2D: return "AVERAGE_POOL_2D";
    case TfliteOp::Concatenation: return "CONCATENATION";
    case TfliteOp::Conv2D: return "CONV_2D";
    case TfliteOp::DepthwiseConv2D: return "DEPTHWISE_CONV_2D";
    case TfliteOp::Dequantize: return "DEQUANTIZE";
    case TfliteOp::FullyConnected: return "FULLY_CONNECTED";
    case TfliteOp::Logistic: return "LOGISTIC";
    case TfliteOp::MaxPool2D: return "MAX_POOL_2D";
    case TfliteOp::Mul: return "MUL";
    case TfliteOp::Relu: return "RELU";
    case TfliteOp::ReluN1To1: return "RELU_N1_TO_1";
    case TfliteOp::Relu6: return "RELU6";
    case TfliteOp::Reshape: return "RESHAPE";
    case TfliteOp::Softmax: return "SOFTMAX";
    case TfliteOp::Tanh: return "TANH";
    case TfliteOp::Custom: return "CUSTOM";
    case TfliteOp::Pad: return "PAD";
    case TfliteOp::Transpose: return "TRANSPOSE";
    case TfliteOp::Mean: return "MEAN";
    case TfliteOp::Prelu: return "PRELU";
    case TfliteOp::HardSwish: return "HARD_SWISH";
  }
  return "unknown builtin operator";
}

std::span<const uint8_t> TfliteModel::bufferData(uint32_t index) const {
  if (index >= buffers.size()) return {};
  const TfliteBufferRange& range = buffers[index];
  if (range.offset > bytes.size() || range.size > bytes.size() - range.offset) return {};
  return std::span<const uint8_t>(bytes).subspan(range.offset, range.size);
}

Result<TfliteModel> parseTflite(std::vector<uint8_t> bytes, const std::string& source) {
  if (bytes.size() > MAX_TFLITE_FILE_BYTES) {
    return makeError(source, "file of " + std::to_string(bytes.size()) + " bytes exceeds the " +
                                 std::to_string(MAX_TFLITE_FILE_BYTES) + "-byte limit of TFLite models read here");
  }
  TfliteModel model;
  model.source = source;
  model.bytes = std::move(bytes);
  const std::span<const uint8_t> file(model.bytes);
  if (file.size() < 8) {
    return makeError(source, "file of " + std::to_string(file.size()) + " bytes is too short for a TFLite model");
  }
  if (std::memcmp(file.data() + 4, "TFL3", 4) != 0) {
    return makeError(source, "file identifier: expected \"TFL3\" at byte 4 (not a TFLite model)");
  }
  FlatReader reader(file);
  FlatTable root;
  reader.tableAt(0, "model", root);

  // Model: version, operator_codes, subgraphs, description, buffers.
  model.version = reader.scalar<uint32_t>(root, 0, 0, "version");
  std::vector<int32_t> codes;
  std::vector<std::string> customCodes;
  const auto codeTables = reader.tables(root, 1, "operator_codes");
  for (size_t i = 0; i < codeTables.size() && !reader.failed(); ++i) {
    // OperatorCode: deprecated_builtin_code (int8), custom_code, version, builtin_code (int32).
    // Writers fill both codes for codes < 127; newer codes sit only in builtin_code.
    const std::string path = indexed("operator_codes", i);
    const int8_t deprecated = reader.scalar<int8_t>(codeTables[i], 0, 0, path + ".deprecated_builtin_code");
    customCodes.push_back(reader.string(codeTables[i], 1, path + ".custom_code"));
    const int32_t builtin = reader.scalar<int32_t>(codeTables[i], 3, 0, path + ".builtin_code");
    codes.push_back(std::max<int32_t>(deprecated, builtin));
  }

  // Buffer: data (vector of bytes), offset and size (u64, for models over 2 GB).
  const auto bufferTables = reader.tables(root, 4, "buffers");
  for (size_t i = 0; i < bufferTables.size() && !reader.failed(); ++i) {
    const std::string path = indexed("buffers", i);
    TfliteBufferRange range;
    uint64_t start = 0;
    uint32_t count = 0;
    reader.vectorAt(bufferTables[i], 0, 1, path + ".data", start, count);
    range.offset = start;
    range.size = count;
    const uint64_t offset = reader.scalar<uint64_t>(bufferTables[i], 1, 0, path + ".offset");
    const uint64_t size = reader.scalar<uint64_t>(bufferTables[i], 2, 0, path + ".size");
    if (offset > 1 && count == 0) {  // offset 1 with size 0 marks an empty buffer in such files
      if (offset > file.size() || size > file.size() - offset) {
        reader.fail(path + ".offset", "bytes [" + std::to_string(offset) + ", +" + std::to_string(size) +
                                          ") lie outside the file (" + reader.sizeText() + ")");
      }
      range.offset = offset;
      range.size = size;
    }
    model.buffers.push_back(range);
  }

  const auto subgraphTables = reader.tables(root, 2, "subgraphs");
  for (size_t i = 0; i < subgraphTables.size() && !reader.failed(); ++i) {
    model.subgraphs.push_back(
        readSubgraph(reader, subgraphTables[i], indexed("subgraphs", i), codes, customCodes, model.buffers.size()));
  }
  if (reader.failed()) return makeError(source, reader.error());
  if (model.subgraphs.empty()) return makeError(source, "subgraphs: the model has no subgraph");
  return model;
}

Result<TfliteModel> readTfliteFile(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return makeError(path, "cannot open the file");
  std::error_code sizeError;
  const uintmax_t size = std::filesystem::file_size(path, sizeError);
  if (sizeError) return makeError(path, "cannot read the file size: " + sizeError.message());
  if (size > MAX_TFLITE_FILE_BYTES) {
    return makeError(path, "file of " + std::to_string(size) + " bytes exceeds the " +
                               std::to_string(MAX_TFLITE_FILE_BYTES) + "-byte limit of TFLite models read here");
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  if (stream.bad()) return makeError(path, "read error");
  return parseTflite(std::move(bytes), path);
}

}  // namespace meshrt::nn
