#!/usr/bin/python3
"""Golden outputs of the fetched MediaPipe TFLite models, computed independently of the C++ importer.

    /usr/bin/python3 tools/tflite_golden.py [--cache DIR] [--out tests/goldens/tflite] [--model NAME ...]
    /usr/bin/python3 tools/tflite_golden.py --synthetic   (also the synthetic layout-ops model)
    /usr/bin/python3 tools/tflite_golden.py --describe MODEL.tflite   (ops, tensors; no goldens)

Its own minimal FlatBuffer reading (field order of TensorFlow Lite's public schema.fbs) and NumPy
versions of the few ops these models use, run in NHWC as TFLite does, in float64 after fp16/fp32
weights are widened. The input is not stored: it is splitmix_signed(SEED, N*H*W*C) in the model's
own NHWC order (tests/support/splitmix.h, tools/splitmix.py), so the C++ test recreates it.
Writes <out>/<model stem>.out<k>.npy (float32, the model's output shape, graph output k) and
<out>/goldens.json (seed, model SHA-256, output names and shapes). For each MediaPipe model it
also runs one real photo (REAL_IMAGES, tests/data/*.npy) and writes <stem>.real.out<k>.npy,
listed under the model's "real" entry with the photo and the input range.
"""
import argparse
import hashlib
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from splitmix import splitmix_uniform  # noqa: E402  (tests/support/splitmix.h in C++)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 20240605
MODELS = [
    "object_detection_3d_cup.tflite",
    "object_detection_3d_sneakers.tflite",
    "object_detection_3d_chair.tflite",
    "object_detection_3d_camera.tflite",
    "object_detection_ssd_mobilenetv2_oidv4_fp16.tflite",
    "face_landmark.tflite",
    "face_detection_short_range.tflite",
]

# One real photo per model (tests/data/README.md: uint8 [H][W][3] RGB, already cropped and
# resized to the input), mapped linearly to the model's input range (low, high).
REAL_IMAGES = {
    "object_detection_3d_cup.tflite": ("coffee_cup_224.npy", 0.0, 1.0),
    "object_detection_3d_sneakers.tflite": ("coffee_cup_224.npy", 0.0, 1.0),
    "object_detection_3d_chair.tflite": ("coffee_cup_224.npy", 0.0, 1.0),
    "object_detection_3d_camera.tflite": ("coffee_cup_224.npy", 0.0, 1.0),
    "object_detection_ssd_mobilenetv2_oidv4_fp16.tflite": ("coffee_300.npy", -1.0, 1.0),
    "face_landmark.tflite": ("astronaut_face_192.npy", 0.0, 1.0),
    "face_detection_short_range.tflite": ("astronaut_128.npy", -1.0, 1.0),
}
DATA_DIR = os.path.join(REPO_ROOT, "tests", "data")

# Written by tools/tflite_synthetic.py into the goldens directory (committed, 10 KB).
SYNTHETIC = "synthetic_layout_ops.tflite"

# TensorType (schema.fbs) → NumPy little-endian dtype.
TENSOR_TYPES = {0: "<f4", 1: "<f2", 2: "<i4", 3: "u1", 4: "<i8", 9: "i1"}
# BuiltinOperator codes used here.
OPS = {0: "ADD", 1: "AVERAGE_POOL_2D", 2: "CONCATENATION", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D", 6: "DEQUANTIZE", 9: "FULLY_CONNECTED",
       14: "LOGISTIC", 17: "MAX_POOL_2D", 18: "MUL", 19: "RELU", 21: "RELU6", 22: "RESHAPE", 25: "SOFTMAX", 34: "PAD", 40: "MEAN", 54: "PRELU"}


class Table:
    """A FlatBuffer table: `pos` is where its soffset to the vtable is stored."""

    def __init__(self, buf, pos):
        self.buf, self.pos = buf, pos
        vtable = pos - struct.unpack_from("<i", buf, pos)[0]
        self.vtable = vtable
        self.vtable_size = struct.unpack_from("<H", buf, vtable)[0]

    def _field(self, index):
        slot = 4 + 2 * index
        if slot + 2 > self.vtable_size:
            return None
        offset = struct.unpack_from("<H", self.buf, self.vtable + slot)[0]
        return self.pos + offset if offset else None

    def scalar(self, index, fmt, default=0):
        at = self._field(index)
        return default if at is None else struct.unpack_from("<" + fmt, self.buf, at)[0]

    def _target(self, index):
        at = self._field(index)
        return None if at is None else at + struct.unpack_from("<I", self.buf, at)[0]

    def table(self, index):
        at = self._target(index)
        return None if at is None else Table(self.buf, at)

    def vector(self, index, fmt):
        at = self._target(index)
        if at is None:
            return []
        count = struct.unpack_from("<I", self.buf, at)[0]
        return list(struct.unpack_from(f"<{count}{fmt}", self.buf, at + 4))

    def bytes(self, index):
        at = self._target(index)
        if at is None:
            return b""
        count = struct.unpack_from("<I", self.buf, at)[0]
        return bytes(self.buf[at + 4: at + 4 + count])

    def string(self, index):
        return self.bytes(index).decode("utf-8", "replace")

    def tables(self, index):
        at = self._target(index)
        if at is None:
            return []
        count = struct.unpack_from("<I", self.buf, at)[0]
        result = []
        for i in range(count):
            element = at + 4 + 4 * i
            result.append(Table(self.buf, element + struct.unpack_from("<I", self.buf, element)[0]))
        return result


def read_model(path):
    """(tensors, operators, inputs, outputs) of subgraph 0; constants as NumPy arrays (NHWC)."""
    with open(path, "rb") as stream:
        buf = stream.read()
    model = Table(buf, struct.unpack_from("<I", buf, 0)[0])
    codes = []
    for code in model.tables(1):  # Model.operator_codes
        deprecated = code.scalar(0, "b", 0)  # OperatorCode.deprecated_builtin_code (int8)
        builtin = code.scalar(3, "i", 0)  # OperatorCode.builtin_code (int32); the larger one wins
        codes.append(max(deprecated, builtin))
    buffers = [buffer.bytes(0) for buffer in model.tables(4)]  # Model.buffers, Buffer.data
    subgraph = model.tables(2)[0]  # Model.subgraphs
    tensors = []
    for tensor in subgraph.tables(0):  # SubGraph.tensors
        shape = tensor.vector(0, "i")
        dtype = TENSOR_TYPES.get(tensor.scalar(1, "b", 0))
        data = buffers[tensor.scalar(2, "I", 0)]
        value = None
        if data:
            value = np.frombuffer(data, dtype=dtype).reshape(shape)
        tensors.append({"name": tensor.string(3), "shape": shape, "dtype": dtype, "value": value})
    operators = []
    for op in subgraph.tables(3):  # SubGraph.operators
        code = codes[op.scalar(0, "I", 0)]
        operators.append({"op": OPS.get(code, f"builtin code {code}"), "inputs": op.vector(1, "i"),
                          "outputs": op.vector(2, "i"), "options": op.table(4)})
    return tensors, operators, subgraph.vector(1, "i"), subgraph.vector(2, "i")


def activation(x, code):
    """ActivationFunctionType: 0 NONE, 1 RELU, 2 RELU_N1_TO_1, 3 RELU6."""
    if code == 0:
        return x
    if code == 1:
        return np.maximum(x, 0.0)
    if code == 2:
        return np.clip(x, -1.0, 1.0)
    if code == 3:
        return np.clip(x, 0.0, 6.0)
    raise ValueError(f"fused activation {code} not supported")


def same_padding(size, kernel, stride, dilation):
    """TFLite SAME: out = ceil(size / stride); the odd pixel of padding goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def patches(x, kernel_h, kernel_w, stride_h, stride_w, dil_h, dil_w, same, pad_value=0.0):
    """x NHWC → [N, OH, OW, KH, KW, C] windows (im2col as a strided view)."""
    n, h, w, c = x.shape
    if same:
        top, bottom = same_padding(h, kernel_h, stride_h, dil_h)
        left, right = same_padding(w, kernel_w, stride_w, dil_w)
        x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=pad_value)
    h, w = x.shape[1], x.shape[2]
    out_h = (h - (kernel_h - 1) * dil_h - 1) // stride_h + 1
    out_w = (w - (kernel_w - 1) * dil_w - 1) // stride_w + 1
    s = x.strides
    return np.lib.stride_tricks.as_strided(
        x, (n, out_h, out_w, kernel_h, kernel_w, c),
        (s[0], s[1] * stride_h, s[2] * stride_w, s[1] * dil_h, s[2] * dil_w, s[3]), writeable=False)


def conv2d(x, weights, bias, options):
    """CONV_2D: weights OHWI. Conv2DOptions: padding, stride_w, stride_h, activation, dilation_w, _h."""
    same = options.scalar(0, "b", 0) == 0
    stride_w, stride_h = options.scalar(1, "i", 1), options.scalar(2, "i", 1)
    dil_w, dil_h = options.scalar(4, "i", 1), options.scalar(5, "i", 1)
    windows = patches(x, weights.shape[1], weights.shape[2], stride_h, stride_w, dil_h, dil_w, same)
    y = np.einsum("nhwijc,oijc->nhwo", windows, weights, optimize=True)
    if bias is not None:
        y = y + bias
    return activation(y, options.scalar(3, "b", 0))


def depthwise_conv2d(x, weights, bias, options):
    """DEPTHWISE_CONV_2D: weights [1, KH, KW, C*M]; output channel c*M+m reads input channel c.
    DepthwiseConv2DOptions: padding, stride_w, stride_h, depth_multiplier, activation, dil_w, dil_h."""
    same = options.scalar(0, "b", 0) == 0
    stride_w, stride_h = options.scalar(1, "i", 1), options.scalar(2, "i", 1)
    dil_w, dil_h = options.scalar(5, "i", 1), options.scalar(6, "i", 1)
    channels = x.shape[3]
    multiplier = weights.shape[3] // channels
    windows = patches(x, weights.shape[1], weights.shape[2], stride_h, stride_w, dil_h, dil_w, same)
    kernel = weights[0].reshape(weights.shape[1], weights.shape[2], channels, multiplier)
    y = np.einsum("nhwijc,ijcm->nhwcm", windows, kernel, optimize=True)
    y = y.reshape(y.shape[0], y.shape[1], y.shape[2], channels * multiplier)
    if bias is not None:
        y = y + bias
    return activation(y, options.scalar(4, "b", 0))


def max_pool2d(x, options):
    """MAX_POOL_2D. Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height, activation."""
    same = options.scalar(0, "b", 0) == 0
    windows = patches(x, options.scalar(4, "i", 1), options.scalar(3, "i", 1), options.scalar(2, "i", 1),
                      options.scalar(1, "i", 1), 1, 1, same, pad_value=-np.inf)
    return activation(windows.max(axis=(3, 4)), options.scalar(5, "b", 0))


def average_pool2d(x, options):
    """AVERAGE_POOL_2D: the mean over the window's pixels inside the image (padding not counted)."""
    same = options.scalar(0, "b", 0) == 0
    args = (options.scalar(4, "i", 1), options.scalar(3, "i", 1), options.scalar(2, "i", 1), options.scalar(1, "i", 1),
            1, 1, same)
    sums = patches(x, *args).sum(axis=(3, 4))
    counts = patches(np.ones_like(x[..., :1]), *args).sum(axis=(3, 4))
    return activation(sums / counts, options.scalar(5, "b", 0))


def run_model(tensors, operators, inputs, outputs, input_values):
    values = {}
    for index, tensor in enumerate(tensors):
        if tensor["value"] is not None:
            values[index] = tensor["value"].astype(np.float64) if tensor["dtype"] in ("<f4", "<f2") else tensor["value"]
    for index, value in zip(inputs, input_values):
        values[index] = value
    for number, op in enumerate(operators):
        args = [values[i] if i >= 0 else None for i in op["inputs"]]
        options = op["options"]
        name = op["op"]
        if name == "DEQUANTIZE":
            y = args[0].astype(np.float64)
        elif name == "CONV_2D":
            y = conv2d(args[0], args[1], args[2] if len(args) > 2 else None, options)
        elif name == "DEPTHWISE_CONV_2D":
            y = depthwise_conv2d(args[0], args[1], args[2] if len(args) > 2 else None, options)
        elif name in ("ADD", "MUL"):
            y = args[0] + args[1] if name == "ADD" else args[0] * args[1]
            y = activation(y, options.scalar(0, "b", 0) if options else 0)
        elif name == "FULLY_CONNECTED":
            # FullyConnectedOptions: activation, weights_format, keep_num_dims (false: [-1, K]).
            weights = args[1]
            y = args[0].reshape(-1, weights.shape[1]) @ weights.T
            if len(args) > 2 and args[2] is not None:
                y = y + args[2]
            y = activation(y, options.scalar(0, "b", 0) if options else 0)
        elif name == "RELU":
            y = np.maximum(args[0], 0.0)
        elif name == "RELU6":
            y = np.clip(args[0], 0.0, 6.0)
        elif name == "LOGISTIC":
            y = 1.0 / (1.0 + np.exp(-args[0]))
        elif name == "MEAN":
            keep = bool(options.scalar(0, "b", 0)) if options else False  # ReducerOptions.keep_dims
            y = args[0].mean(axis=tuple(int(a) for a in np.ravel(args[1])), keepdims=keep)
        elif name == "RESHAPE":
            y = args[0].reshape(tensors[op["outputs"][0]]["shape"])
        elif name == "CONCATENATION":
            y = np.concatenate(args, axis=options.scalar(0, "i", 0))  # ConcatenationOptions.axis
            y = activation(y, options.scalar(1, "b", 0))
        elif name == "PAD":
            y = np.pad(args[0], [(int(b), int(e)) for b, e in np.asarray(args[1]).reshape(-1, 2)])
        elif name == "PRELU":
            y = np.where(args[0] >= 0, args[0], args[0] * args[1])
        elif name == "MAX_POOL_2D":
            y = max_pool2d(args[0], options)
        elif name == "AVERAGE_POOL_2D":
            y = average_pool2d(args[0], options)
        elif name == "SOFTMAX":
            z = args[0] * options.scalar(0, "f", 1.0)  # SoftmaxOptions.beta
            z = np.exp(z - z.max(axis=-1, keepdims=True))
            y = z / z.sum(axis=-1, keepdims=True)
        else:
            raise ValueError(f"operator {number} ({name}) not supported by the golden generator")
        expected = tuple(tensors[op["outputs"][0]]["shape"])
        if tuple(y.shape) != expected:
            raise ValueError(f"operator {number} ({name}): shape {y.shape}, model says {expected}")
        values[op["outputs"][0]] = y
    return [values[i] for i in outputs]


def describe(path):
    tensors, operators, inputs, outputs = read_model(path)
    counts = {}
    for op in operators:
        counts[op["op"]] = counts.get(op["op"], 0) + 1
    print(f"{path}: {len(tensors)} tensors, {len(operators)} operators {counts}")
    for label, ids in (("input", inputs), ("output", outputs)):
        for i in ids:
            print(f"  {label} {i} '{tensors[i]['name']}' {tensors[i]['shape']} {tensors[i]['dtype']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_cache = os.environ.get("MESHRT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "meshrt")
    parser.add_argument("--cache", default=default_cache)
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "tests", "goldens", "tflite"))
    parser.add_argument("--model", action="append", help="model file name (default: all seven)")
    parser.add_argument("--describe", metavar="TFLITE")
    parser.add_argument("--synthetic", action="store_true",
                        help="also write tools/tflite_synthetic.py's model into --out and its goldens")
    args = parser.parse_args()
    if args.describe:
        describe(args.describe)
        return 0
    os.makedirs(args.out, exist_ok=True)
    index_path = os.path.join(args.out, "goldens.json")
    index = {"seed": SEED, "input": "splitmix_signed(seed, N*H*W*C) in NHWC order", "models": {}}
    if os.path.exists(index_path):
        with open(index_path, encoding="utf-8") as stream:
            index["models"] = json.load(stream).get("models", {})
    names = list(args.model or MODELS)
    if args.synthetic:
        import tflite_synthetic  # noqa: E402 (tools/ is the script's directory)
        with open(os.path.join(args.out, SYNTHETIC), "wb") as stream:
            stream.write(tflite_synthetic.layout_ops_model())
        names.append(SYNTHETIC)
    for name in names:
        path = os.path.join(args.out if name == SYNTHETIC else os.path.join(args.cache, "models"), name)
        with open(path, "rb") as stream:
            digest = hashlib.sha256(stream.read()).hexdigest()
        tensors, operators, inputs, outputs = read_model(path)
        input_values = [(2.0 * splitmix_uniform(SEED, int(np.prod(tensors[i]["shape"]))) - 1.0).reshape(tensors[i]["shape"])
                        for i in inputs]
        results = run_model(tensors, operators, inputs, outputs, input_values)
        stem = os.path.splitext(name)[0]
        entry = {"sha256": digest, "outputs": []}
        for k, (tensor_id, value) in enumerate(zip(outputs, results)):
            file_name = f"{stem}.out{k}.npy"
            np.save(os.path.join(args.out, file_name), value.astype(np.float32))
            entry["outputs"].append({"name": tensors[tensor_id]["name"], "shape": list(value.shape),
                                     "file": file_name})
        if name in REAL_IMAGES:
            image_file, low, high = REAL_IMAGES[name]
            pixels = np.load(os.path.join(DATA_DIR, image_file)).astype(np.float64)
            photo = (low + (high - low) * pixels / 255.0).reshape(tensors[inputs[0]]["shape"])
            real = {"image": image_file, "range": [low, high], "outputs": []}
            for k, (tensor_id, value) in enumerate(zip(outputs, run_model(tensors, operators, inputs, outputs, [photo]))):
                file_name = f"{stem}.real.out{k}.npy"
                np.save(os.path.join(args.out, file_name), value.astype(np.float32))
                real["outputs"].append({"name": tensors[tensor_id]["name"], "shape": list(value.shape),
                                        "file": file_name})
            entry["real"] = real
        index["models"][name] = entry
        print(f"{name}: " + ", ".join(f"{o['name']} {o['shape']}" for o in entry["outputs"]), flush=True)
    with open(index_path, "w", encoding="utf-8") as stream:
        json.dump(index, stream, indent=1, sort_keys=True)
        stream.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
