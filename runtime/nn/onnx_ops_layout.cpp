// ONNX → IR converters for the ops that move or regroup data (Pad, Reshape, Flatten, Squeeze,
// Unsqueeze, Concat, Transpose, Resize, Softmax, ReduceMean), the pass-through ops (Identity,
// Dropout, Cast) and the import-time constant folds (Constant, Shape, Gather): shapes are static
// after import, so Shape→Gather→Unsqueeze→Concat chains feeding Reshape become constants here.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "nn/onnx_import_context.h"

namespace meshrt::nn::onnx_import {

namespace {

ConstantValue intVector(std::vector<int64_t> values) {
  ConstantValue result;
  result.isFloat = false;
  result.shape = {static_cast<int64_t>(values.size())};
  result.ints = std::move(values);
  return result;
}

// Integer values of constant input `index` (shapes, pads, axes, indices).
Result<std::vector<int64_t>> constantInts(ImportContext& context, int index, const char* what) {
  auto value = context.requireConstantInput(index, what);
  if (!value) return value.error();
  if ((*value)->isFloat)
    return context.fieldError("input " + std::to_string(index) + " (" + what + ")", "expected an integer tensor");
  return (*value)->ints;
}

// Adds a Reshape of input 0 to `shape` (fully resolved), or folds it when input 0 is a constant.
Result<void> reshapeTo(ImportContext& context, Shape shape) {
  if (const ConstantValue* constant = context.constantInput(0)) {
    ConstantValue result = *constant;
    result.shape = std::move(shape);
    context.setConstantOutput(std::move(result));
    return {};
  }
  auto x = context.runtimeInput(0);
  if (!x) return x.error();
  auto added = context.addNode(OpType::Reshape, ReshapeAttributes{std::move(shape)}, {*x});
  if (!added) return added.error();
  return {};
}

Result<void> convertReshape(ImportContext& context) {
  auto requested = constantInts(context, 1, "shape");
  if (!requested) return requested.error();
  auto allowZero = context.intAttribute("allowzero", 0);
  if (!allowZero) return allowZero.error();
  auto xShape = context.inputShape(0);
  if (!xShape) return xShape.error();
  Shape shape = *requested;
  int inferred = -1;
  int64_t known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0 && *allowZero == 0) {  // 0 copies the input's dimension
      if (i >= xShape->size()) return context.fieldError("input 1 (shape)", "0 at index " + std::to_string(i) + " has no input dimension");
      shape[i] = (*xShape)[i];
    }
    if (shape[i] == -1) {
      if (inferred >= 0) return context.fieldError("input 1 (shape)", "more than one -1");
      inferred = static_cast<int>(i);
      continue;
    }
    if (shape[i] < 1 || shape[i] > (int64_t{1} << 31))
      return context.fieldError("input 1 (shape)", "invalid dimension " + std::to_string(shape[i]));
    known *= shape[i];
    if (known > (int64_t{1} << 40)) return context.fieldError("input 1 (shape)", shapeString(*requested) + " is too large");
  }
  const int64_t total = elementCount(*xShape);
  if (inferred >= 0) {
    if (total % known != 0) return context.fieldError("input 1 (shape)", shapeString(*requested) + " does not fit " + shapeString(*xShape));
    shape[inferred] = total / known;
  } else if (known != total) {
    return context.fieldError("input 1 (shape)", shapeString(*requested) + " does not fit " + shapeString(*xShape));
  }
  return reshapeTo(context, std::move(shape));
}

Result<void> convertFlatten(ImportContext& context) {
  auto xShape = context.inputShape(0);
  if (!xShape) return xShape.error();
  auto axis = context.intAttribute("axis", 1);
  if (!axis) return axis.error();
  const int64_t rank = static_cast<int64_t>(xShape->size());
  const int64_t split = *axis < 0 ? *axis + rank : *axis;  // axis may equal rank
  if (split < 0 || split > rank) return context.fieldError("attribute 'axis'", "out of range for " + shapeString(*xShape));
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i) (i < split ? outer : inner) *= (*xShape)[i];
  return reshapeTo(context, {outer, inner});
}

// Axes of Squeeze/Unsqueeze: an input from opset 13, an attribute before.
Result<std::vector<int64_t>> squeezeAxes(ImportContext& context) {
  if (context.opset() >= 13) {
    if (!context.hasInput(1)) return std::vector<int64_t>{};
    return constantInts(context, 1, "axes");
  }
  return context.intsAttribute("axes", {});
}

Result<void> convertUnsqueeze(ImportContext& context) {
  auto xShape = context.inputShape(0);
  if (!xShape) return xShape.error();
  auto axes = squeezeAxes(context);
  if (!axes) return axes.error();
  if (axes->empty()) return context.fieldError("axes", "missing");
  const size_t outRank = xShape->size() + axes->size();
  std::vector<bool> inserted(outRank, false);
  for (int64_t axis : *axes) {
    int64_t normalized = 0;
    if (!normalizeAxis(axis, outRank, normalized) || inserted[normalized])
      return context.fieldError("axes", "invalid or repeated axis " + std::to_string(axis));
    inserted[normalized] = true;
  }
  Shape shape;
  size_t next = 0;
  for (size_t i = 0; i < outRank; ++i) shape.push_back(inserted[i] ? 1 : (*xShape)[next++]);
  return reshapeTo(context, std::move(shape));
}

Result<void> convertSqueeze(ImportContext& context) {
  auto xShape = context.inputShape(0);
  if (!xShape) return xShape.error();
  auto axes = squeezeAxes(context);
  if (!axes) return axes.error();
  std::vector<bool> removed(xShape->size(), false);
  for (size_t i = 0; i < xShape->size(); ++i) removed[i] = axes->empty() && (*xShape)[i] == 1;
  for (int64_t axis : *axes) {
    int64_t normalized = 0;
    if (!normalizeAxis(axis, xShape->size(), normalized) || (*xShape)[normalized] != 1)
      return context.fieldError("axes", "axis " + std::to_string(axis) + " is not a dimension of size 1 in " + shapeString(*xShape));
    removed[normalized] = true;
  }
  Shape shape;
  for (size_t i = 0; i < xShape->size(); ++i)
    if (!removed[i]) shape.push_back((*xShape)[i]);
  return reshapeTo(context, std::move(shape));
}

// Concatenation of constants along `axis` (shape arithmetic: Unsqueeze outputs into a shape).
Result<void> foldConcat(ImportContext& context, int64_t axis) {
  const ConstantValue& first = *context.constantInput(0);
  ConstantValue result;
  result.isFloat = first.isFloat;
  result.shape = first.shape;
  int64_t normalized = 0;
  if (!normalizeAxis(axis, first.shape.size(), normalized)) return context.fieldError("attribute 'axis'", "out of range");
  result.shape[normalized] = 0;
  for (int i = 0; i < context.inputCount(); ++i) {
    const ConstantValue& part = *context.constantInput(i);
    if (part.isFloat != first.isFloat || part.shape.size() != first.shape.size())
      return context.fieldError("input " + std::to_string(i), "type or rank differs from input 0");
    for (size_t d = 0; d < part.shape.size(); ++d)
      if (static_cast<int64_t>(d) != normalized && part.shape[d] != first.shape[d])
        return context.fieldError("input " + std::to_string(i), "shape " + shapeString(part.shape) + " does not concatenate");
    result.shape[normalized] += part.shape[normalized];
  }
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < normalized; ++d) outer *= first.shape[d];
  for (size_t d = normalized + 1; d < first.shape.size(); ++d) inner *= first.shape[d];
  for (int64_t o = 0; o < outer; ++o) {
    for (int i = 0; i < context.inputCount(); ++i) {
      const ConstantValue& part = *context.constantInput(i);
      const int64_t run = part.shape[normalized] * inner;
      for (int64_t k = 0; k < run; ++k) {
        if (result.isFloat) result.floats.push_back(part.floats[o * run + k]);
        else result.ints.push_back(part.ints[o * run + k]);
      }
    }
  }
  context.setConstantOutput(std::move(result));
  return {};
}

Result<void> convertConcat(ImportContext& context) {
  if (!context.attribute("axis")) return context.fieldError("attribute 'axis'", "missing");
  auto axis = context.intAttribute("axis", 1);
  if (!axis) return axis.error();
  if (context.inputCount() < 1) return context.nodeError("has no inputs");
  bool allConstant = true;
  for (int i = 0; i < context.inputCount(); ++i) {
    if (!context.hasInput(i)) return context.fieldError("input " + std::to_string(i), "missing");
    allConstant = allConstant && context.constantInput(i) != nullptr;
  }
  if (allConstant) return foldConcat(context, *axis);
  auto shape = context.inputShape(0);
  if (!shape) return shape.error();
  int64_t normalized = 0;
  if (!normalizeAxis(*axis, shape->size(), normalized)) return context.fieldError("attribute 'axis'", "out of range");
  std::vector<TensorId> inputs;
  for (int i = 0; i < context.inputCount(); ++i) {
    auto id = context.runtimeInput(i);
    if (!id) return id.error();
    inputs.push_back(*id);
  }
  auto added = context.addNode(OpType::Concat, ConcatAttributes{static_cast<int32_t>(normalized)}, std::move(inputs));
  if (!added) return added.error();
  return {};
}

Result<void> convertTranspose(ImportContext& context) {
  auto xShape = context.inputShape(0);
  if (!xShape) return xShape.error();
  const size_t rank = xShape->size();
  std::vector<int64_t> reversed(rank);
  for (size_t i = 0; i < rank; ++i) reversed[i] = static_cast<int64_t>(rank - 1 - i);
  auto perm = context.intsAttribute("perm", reversed, rank);
  if (!perm) return perm.error();
  std::vector<int32_t> permutation;
  std::vector<bool> seen(rank, false);
  for (int64_t axis : *perm) {
    if (axis < 0 || axis >= static_cast<int64_t>(rank) || seen[axis])
      return context.fieldError("attribute 'perm'", "not a permutation of " + std::to_string(rank) + " axes");
    seen[axis] = true;
    permutation.push_back(static_cast<int32_t>(axis));
  }
  auto x = context.runtimeInput(0);
  if (!x) return x.error();
  auto added = context.addNode(OpType::Transpose, TransposeAttributes{std::move(permutation)}, {*x});
  if (!added) return added.error();
  return {};
}

Result<void> convertPad(ImportContext& context) {
  auto mode = context.stringAttribute("mode", "constant");
  if (!mode) return mode.error();
  if (*mode != "constant") return context.fieldError("attribute 'mode'", "only 'constant' is supported, got '" + *mode + "'");
  auto xShape = context.inputShape(0);
  if (!xShape) return xShape.error();
  auto pads = constantInts(context, 1, "pads");  // [x1_begin, x2_begin, ..., x1_end, x2_end, ...]
  if (!pads) return pads.error();
  const size_t rank = xShape->size();
  if (pads->size() != 2 * rank)
    return context.fieldError("input 1 (pads)", "expected " + std::to_string(2 * rank) + " values, got " + std::to_string(pads->size()));
  PadAttributes attributes;
  for (size_t i = 0; i < rank; ++i) {
    const int64_t begin = (*pads)[i], end = (*pads)[rank + i];
    if (begin < 0 || end < 0 || begin > (1 << 16) || end > (1 << 16))
      return context.fieldError("input 1 (pads)", "negative or huge pads (cropping) are not supported");
    attributes.begins.push_back(begin);
    attributes.ends.push_back(end);
  }
  if (context.hasInput(2)) {
    auto value = context.requireConstantInput(2, "constant_value");
    if (!value) return value.error();
    if ((*value)->count() != 1) return context.fieldError("input 2 (constant_value)", "expected one value");
    attributes.value = (*value)->floatAt(0);
  }
  auto x = context.runtimeInput(0);
  if (!x) return x.error();
  auto added = context.addNode(OpType::Pad, std::move(attributes), {*x});
  if (!added) return added.error();
  return {};
}

// Maps ONNX Resize's coordinate rules onto the IR's (TFLite-style) ones; errors where they differ.
Result<void> resizeCoordinates(ImportContext& context, ResizeAttributes& attributes, bool integralUpscale) {
  auto transform = context.stringAttribute("coordinate_transformation_mode", "half_pixel");
  if (!transform) return transform.error();
  auto nearestMode = context.stringAttribute("nearest_mode", "round_prefer_floor");
  if (!nearestMode) return nearestMode.error();
  const std::string& t = *transform;
  const bool halfPixel = t == "half_pixel" || t == "pytorch_half_pixel";
  if (!halfPixel && t != "align_corners" && t != "asymmetric")
    return context.fieldError("attribute 'coordinate_transformation_mode'", "'" + t + "' is not supported");
  attributes.alignCorners = t == "align_corners";
  attributes.halfPixelCenters = halfPixel;
  if (attributes.mode == ResizeMode::Bilinear) return {};
  const std::string& n = *nearestMode;
  // IR nearest: floor((dst + 0.5) * in/out) with half pixels, floor(dst * in/out) asymmetric,
  // round-half-up(dst * (in-1)/(out-1)) with aligned corners.
  const bool matches = (t == "asymmetric" && n == "floor") || (halfPixel && n == "round_prefer_ceil") ||
                       (halfPixel && n == "round_prefer_floor" && integralUpscale) ||
                       (t == "align_corners" && n == "round_prefer_ceil");
  if (!matches)
    return context.fieldError("attribute 'nearest_mode'", "'" + n + "' with coordinate_transformation_mode '" + t +
                                                              "' is not supported");
  return {};
}

Result<void> convertResize(ImportContext& context) {
  auto xShape = context.inputShape(0);
  if (!xShape) return xShape.error();
  if (xShape->size() != 4) return context.fieldError("input 0", "expected a 4-D NCHW tensor, got " + shapeString(*xShape));
  auto mode = context.stringAttribute("mode", "nearest");
  if (!mode) return mode.error();
  ResizeAttributes attributes;
  if (*mode == "nearest") attributes.mode = ResizeMode::Nearest;
  else if (*mode == "linear") attributes.mode = ResizeMode::Bilinear;
  else return context.fieldError("attribute 'mode'", "'" + *mode + "' is not supported (nearest, linear are)");
  const ConstantValue* scales = context.hasInput(2) ? context.constantInput(2) : nullptr;
  const ConstantValue* sizes = context.hasInput(3) ? context.constantInput(3) : nullptr;
  if ((context.hasInput(2) && !scales) || (context.hasInput(3) && !sizes))
    return context.nodeError("scales and sizes must be constants");
  if (sizes && sizes->count() > 0) {
    if (sizes->count() != 4 || sizes->isFloat) return context.fieldError("input 3 (sizes)", "expected 4 integers");
    if (sizes->ints[0] != (*xShape)[0] || sizes->ints[1] != (*xShape)[1])
      return context.fieldError("input 3 (sizes)", "only H and W may be resized");
    attributes.outHeight = sizes->ints[2];
    attributes.outWidth = sizes->ints[3];
  } else if (scales && scales->count() > 0) {
    if (scales->count() != 4 || !scales->isFloat) return context.fieldError("input 2 (scales)", "expected 4 floats");
    if (scales->floats[0] != 1.0f || scales->floats[1] != 1.0f)
      return context.fieldError("input 2 (scales)", "only H and W may be resized");
    int64_t* outputs[2] = {&attributes.outHeight, &attributes.outWidth};
    for (int axis = 0; axis < 2; ++axis) {
      // ONNX steps by 1/scale; the IR by in/out: equal when in * scale is a whole number.
      const double exact = static_cast<double>((*xShape)[2 + axis]) * scales->floats[2 + axis];
      if (!(exact >= 1.0 && exact <= double(1 << 16)) || exact != std::floor(exact))
        return context.fieldError("input 2 (scales)", "input size times scale must be a whole number of pixels");
      *outputs[axis] = static_cast<int64_t>(exact);
    }
  } else {
    return context.nodeError("needs constant scales or sizes");
  }
  if (attributes.outHeight < 1 || attributes.outWidth < 1 || attributes.outHeight > (1 << 16) || attributes.outWidth > (1 << 16))
    return context.nodeError("invalid output size");
  const bool integralUpscale = attributes.outHeight % (*xShape)[2] == 0 && attributes.outWidth % (*xShape)[3] == 0;
  MESHRT_TRY(resizeCoordinates(context, attributes, integralUpscale));
  auto x = context.runtimeInput(0);
  if (!x) return x.error();
  auto added = context.addNode(OpType::Resize, attributes, {*x});
  if (!added) return added.error();
  return {};
}

Result<void> convertSoftmax(ImportContext& context) {
  auto xShape = context.inputShape(0);
  if (!xShape) return xShape.error();
  auto axis = context.intAttribute("axis", context.opset() >= 13 ? -1 : 1);
  if (!axis) return axis.error();
  int64_t normalized = 0;
  if (!normalizeAxis(*axis, xShape->size(), normalized)) return context.fieldError("attribute 'axis'", "out of range");
  // Before opset 13 Softmax normalizes over all axes from `axis` on: one axis when the rest are 1.
  if (context.opset() < 13)
    for (size_t d = normalized + 1; d < xShape->size(); ++d)
      if ((*xShape)[d] != 1) return context.fieldError("attribute 'axis'", "opset < 13 softmax over several axes is not supported");
  auto x = context.runtimeInput(0);
  if (!x) return x.error();
  auto added = context.addNode(OpType::Softmax, SoftmaxAttributes{static_cast<int32_t>(normalized)}, {*x});
  if (!added) return added.error();
  return {};
}

// ReduceMean over H and W of an NCHW tensor → GlobalAveragePool.
Result<void> convertReduceMean(ImportContext& context) {
  auto xShape = context.inputShape(0);
  if (!xShape) return xShape.error();
  auto axes = context.intsAttribute("axes", {});
  if (!axes) return axes.error();
  auto keepDims = context.intAttribute("keepdims", 1);
  if (!keepDims) return keepDims.error();
  std::vector<int64_t> normalized;
  for (int64_t axis : *axes) {
    int64_t value = 0;
    if (!normalizeAxis(axis, xShape->size(), value)) return context.fieldError("attribute 'axes'", "out of range");
    normalized.push_back(value);
  }
  std::sort(normalized.begin(), normalized.end());
  if (xShape->size() != 4 || normalized != std::vector<int64_t>{2, 3})
    return context.nodeError("only a mean over H and W (axes [2, 3]) of an NCHW tensor is supported");
  auto x = context.runtimeInput(0);
  if (!x) return x.error();
  auto added = context.addNode(OpType::GlobalAveragePool, GlobalAveragePoolAttributes{*keepDims != 0}, {*x});
  if (!added) return added.error();
  return {};
}

// Identity, Dropout (inference) and Cast to float: the output is the input.
Result<void> convertPassThrough(ImportContext& context) {
  MESHRT_TRY(context.checkSingleOutput());
  if (context.node().op_type() == "Cast") {
    auto to = context.intAttribute("to", 0);
    if (!to) return to.error();
    const bool toFloat = *to == onnx::TensorProto::FLOAT;
    const bool toInteger = *to == onnx::TensorProto::INT64 || *to == onnx::TensorProto::INT32;
    if (const ConstantValue* constant = context.constantInput(0); constant && (toFloat || toInteger)) {
      ConstantValue result = *constant;
      if (toFloat && !result.isFloat) {
        for (int64_t value : result.ints) result.floats.push_back(static_cast<float>(value));
        result.ints.clear();
      } else if (toInteger && result.isFloat) {
        for (float value : result.floats) result.ints.push_back(static_cast<int64_t>(value));
        result.floats.clear();
      }
      result.isFloat = toFloat;
      context.setConstantOutput(std::move(result));
      return {};
    }
    if (!toFloat) return context.fieldError("attribute 'to'", "only casts of activations to FLOAT are supported");
  }
  if (context.node().op_type() == "Dropout" && context.hasInput(2)) {
    const ConstantValue* training = context.constantInput(2);
    if (!training || training->count() != 1 || training->intAt(0) != 0)
      return context.fieldError("input 2 (training_mode)", "only a constant false is supported");
  }
  if (const ConstantValue* constant = context.constantInput(0)) {
    context.setConstantOutput(*constant);
    return {};
  }
  auto x = context.runtimeInput(0);
  if (!x) return x.error();
  context.aliasOutput(*x);
  return {};
}

Result<void> convertConstant(ImportContext& context) {
  const onnx::NodeProto& node = context.node();
  if (node.attribute_size() != 1) return context.nodeError("expected exactly one value attribute");
  const onnx::AttributeProto& attribute = node.attribute(0);
  const std::string field = "attribute '" + attribute.name() + "'";
  ConstantValue value;
  if (attribute.name() == "value") {
    if (!attribute.has_t()) return context.fieldError(field, "missing tensor");
    auto converted = convertTensorProto(attribute.t(), context.source() + ": node '" + node.name() + "' (Constant): " + field);
    if (!converted) return converted.error();
    value = std::move(*converted);
  } else if (attribute.name() == "value_float") {
    value.floats = {attribute.f()};
  } else if (attribute.name() == "value_floats") {
    value.floats.assign(attribute.floats().begin(), attribute.floats().end());
    value.shape = {static_cast<int64_t>(value.floats.size())};
  } else if (attribute.name() == "value_int") {
    value = intVector({attribute.i()});
    value.shape = {};
  } else if (attribute.name() == "value_ints") {
    value = intVector({attribute.ints().begin(), attribute.ints().end()});
  } else {
    return context.fieldError(field, "not supported (value, value_float(s), value_int(s) are)");
  }
  MESHRT_TRY(context.checkSingleOutput());
  context.setConstantOutput(std::move(value));
  return {};
}

// Shape of a (now static) tensor, with opset 15's start/end slice.
Result<void> convertShape(ImportContext& context) {
  auto xShape = context.inputShape(0);
  if (!xShape) return xShape.error();
  const int64_t rank = static_cast<int64_t>(xShape->size());
  auto start = context.intAttribute("start", 0);
  if (!start) return start.error();
  auto end = context.intAttribute("end", rank);
  if (!end) return end.error();
  auto clampIndex = [rank](int64_t index) { return std::clamp<int64_t>(index < 0 ? index + rank : index, 0, rank); };
  const int64_t first = clampIndex(*start), last = clampIndex(*end);
  std::vector<int64_t> dims;
  for (int64_t i = first; i < last; ++i) dims.push_back((*xShape)[i]);
  MESHRT_TRY(context.checkSingleOutput());
  context.setConstantOutput(intVector(std::move(dims)));
  return {};
}

// Gather on constants (a dimension picked from a Shape output, usually).
Result<void> convertGather(ImportContext& context) {
  auto data = context.requireConstantInput(0, "data");
  if (!data) return context.nodeError("Gather of a runtime tensor is not supported (only of constants, e.g. shapes)");
  auto indices = constantInts(context, 1, "indices");
  if (!indices) return indices.error();
  const Shape& indicesShape = context.constantInput(1)->shape;
  const ConstantValue& source = **data;
  auto axis = context.intAttribute("axis", 0);
  if (!axis) return axis.error();
  int64_t normalized = 0;
  if (source.shape.empty() || !normalizeAxis(*axis, source.shape.size(), normalized))
    return context.fieldError("attribute 'axis'", "out of range for data " + shapeString(source.shape));
  const int64_t extent = source.shape[normalized];
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < normalized; ++d) outer *= source.shape[d];
  for (size_t d = normalized + 1; d < source.shape.size(); ++d) inner *= source.shape[d];
  ConstantValue result;
  result.isFloat = source.isFloat;
  result.shape.assign(source.shape.begin(), source.shape.begin() + normalized);
  result.shape.insert(result.shape.end(), indicesShape.begin(), indicesShape.end());
  result.shape.insert(result.shape.end(), source.shape.begin() + normalized + 1, source.shape.end());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t index : *indices) {
      const int64_t row = index < 0 ? index + extent : index;
      if (row < 0 || row >= extent)
        return context.fieldError("input 1 (indices)", "index " + std::to_string(index) + " out of range [0, " + std::to_string(extent) + ")");
      for (int64_t k = 0; k < inner; ++k) {
        const size_t at = static_cast<size_t>((o * extent + row) * inner + k);
        if (result.isFloat) result.floats.push_back(source.floats[at]);
        else result.ints.push_back(source.ints[at]);
      }
    }
  }
  MESHRT_TRY(context.checkSingleOutput());
  context.setConstantOutput(std::move(result));
  return {};
}

}  // namespace

std::vector<OpConverterEntry> layoutOpConverters() {
  return {
      {"Reshape", convertReshape},   {"Flatten", convertFlatten},     {"Unsqueeze", convertUnsqueeze},
      {"Squeeze", convertSqueeze},   {"Concat", convertConcat},       {"Transpose", convertTranspose},
      {"Pad", convertPad},           {"Resize", convertResize},       {"Softmax", convertSoftmax},
      {"ReduceMean", convertReduceMean}, {"Identity", convertPassThrough}, {"Dropout", convertPassThrough},
      {"Cast", convertPassThrough},  {"Constant", convertConstant},   {"Shape", convertShape},
      {"Gather", convertGather},
  };
}

}  // namespace meshrt::nn::onnx_import
