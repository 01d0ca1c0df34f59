#!/usr/bin/python3
"""A TFLite graph as torch ops (NCHW), for the PyTorch peers of the imported MediaPipe models.

PyTorch has no TFLite importer, so TfliteTorch builds torch calls from the graph read by
tools/tflite_golden.py's read_model() (its own FlatBuffer reader, no TensorFlow). Used by
tools/encoder_latency_peer.py (latency) and tools/mediapipe_reference.py (pack parity).
check_tflite_torch() compares a converted model with the committed NumPy goldens
(tests/goldens/tflite/, float64 from tools/tflite_golden.py).
"""
import json
import os
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tflite_golden  # noqa: E402
from splitmix import splitmix_uniform  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
GOLDEN_TOLERANCE = 1e-3  # relative L2 of torch fp32 vs the float64 NumPy golden
NHWC_TO_NCHW_AXIS = [0, 2, 3, 1]  # NHWC axis → NCHW axis (4-D activations only)


def nchw(value):
    """A 4-D NHWC array → NCHW torch float32; other ranks unchanged."""
    tensor = torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32))
    return tensor.permute(0, 3, 1, 2).contiguous() if tensor.dim() == 4 else tensor


def nchw_shape(shape):
    return [shape[0], shape[3], shape[1], shape[2]] if len(shape) == 4 else list(shape)


def same_pads(size, kernel, stride, dilation=1):
    return tflite_golden.same_padding(size, kernel, stride, dilation)


class TfliteTorch:
    """A TFLite graph (subgraph 0) as a list of torch calls in NCHW. Every 4-D activation is kept
    NCHW; ops whose semantics depend on the layout (FULLY_CONNECTED's flatten, RESHAPE, MEAN,
    CONCATENATION, PAD axes) map their NHWC axes. Weights are converted once here."""

    def __init__(self, path):
        self.tensors, operators, self.inputs, self.outputs = tflite_golden.read_model(path)
        self.constants = {}
        for index, tensor in enumerate(self.tensors):
            if tensor["value"] is not None and tensor["dtype"] in ("<f4", "<f2"):
                self.constants[index] = tensor["value"].astype(np.float32)
        self.steps = []
        for number, op in enumerate(operators):
            if op["op"] == "DEQUANTIZE":  # fp16 weights: widened once, as the importer does
                self.constants[op["outputs"][0]] = self.constants[op["inputs"][0]]
                continue
            self.steps.append(self._convert(number, op))
        self.constants = None

    def _shape(self, index):
        return self.tensors[index]["shape"]

    def _const(self, index):
        return self.constants[index]

    def _activation(self, code):
        return {0: None, 1: F.relu, 3: F.relu6}.get(code, "unsupported")

    def _convert(self, number, op):
        name, ins, out, options = op["op"], op["inputs"], op["outputs"][0], op["options"]
        x = ins[0]
        if name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            depthwise = name == "DEPTHWISE_CONV_2D"
            weights = self._const(ins[1])  # OHWI, or [1, KH, KW, C*M] for depthwise
            bias = torch.from_numpy(self._const(ins[2])) if len(ins) > 2 and ins[2] >= 0 else None
            same = options.scalar(0, "b", 0) == 0
            stride = (options.scalar(2, "i", 1), options.scalar(1, "i", 1))
            dil_index = (6, 5) if depthwise else (5, 4)
            dilation = (options.scalar(dil_index[0], "i", 1), options.scalar(dil_index[1], "i", 1))
            act = self._activation(options.scalar(4 if depthwise else 3, "b", 0))
            channels = self._shape(x)[3]
            if depthwise:
                kernel = torch.from_numpy(np.ascontiguousarray(weights[0].transpose(2, 0, 1)[:, None]))
                groups = channels
            else:
                kernel = torch.from_numpy(np.ascontiguousarray(weights.transpose(0, 3, 1, 2)))
                groups = 1
            kh, kw = kernel.shape[2], kernel.shape[3]
            pad = (0, 0, 0, 0)
            if same:
                top, bottom = same_pads(self._shape(x)[1], kh, stride[0], dilation[0])
                left, right = same_pads(self._shape(x)[2], kw, stride[1], dilation[1])
                pad = (left, right, top, bottom)
            symmetric = pad[0] == pad[1] and pad[2] == pad[3]
            conv_padding = (pad[2], pad[0]) if symmetric else (0, 0)
            pre_pad = None if symmetric else pad
            if act == "unsupported":
                raise ValueError(f"operator {number} ({name}): fused activation not supported")

            def conv(values):
                y = values[x]
                if pre_pad is not None:
                    y = F.pad(y, pre_pad)
                y = F.conv2d(y, kernel, bias, stride, conv_padding, dilation, groups)
                return act(y) if act else y
            return out, conv
        if name in ("ADD", "MUL"):
            act = self._activation(options.scalar(0, "b", 0) if options else 0)
            operands = []
            for i in ins[:2]:
                if i in self.constants:
                    c = self._const(i)
                    operands.append(("c", nchw(c) if c.ndim == 4 else torch.from_numpy(
                        c.reshape(-1, 1, 1).copy() if c.ndim == 1 and len(self._shape(out)) == 4 else c)))
                else:
                    operands.append(("v", i))
            multiply = name == "MUL"

            def binary(values):
                a, b = (values[v] if kind == "v" else v for kind, v in operands)
                y = a * b if multiply else a + b
                return act(y) if act else y
            return out, binary
        if name == "PRELU":
            alpha = self._const(ins[1])
            channels = self._shape(x)[-1]
            if alpha.size == channels or np.all(alpha == alpha.reshape(-1, channels)[:1]):
                weight = torch.from_numpy(np.ascontiguousarray(alpha.reshape(-1, channels)[0]))
                return out, lambda values: F.prelu(values[x], weight)
            slope = nchw(np.broadcast_to(alpha, self._shape(x)))
            return out, lambda values: torch.where(values[x] >= 0, values[x], values[x] * slope)
        if name == "MAX_POOL_2D":
            kernel = (options.scalar(4, "i", 1), options.scalar(3, "i", 1))
            stride = (options.scalar(2, "i", 1), options.scalar(1, "i", 1))
            pad = None
            if options.scalar(0, "b", 0) == 0:
                top, bottom = same_pads(self._shape(x)[1], kernel[0], stride[0])
                left, right = same_pads(self._shape(x)[2], kernel[1], stride[1])
                pad = (left, right, top, bottom) if any((left, right, top, bottom)) else None

            def pool(values):
                y = values[x] if pad is None else F.pad(values[x], pad, value=-float("inf"))
                return F.max_pool2d(y, kernel, stride)
            return out, pool
        if name == "PAD":
            pads = np.asarray(self._const_int(ins[1])).reshape(-1, 2)
            if len(pads) != 4:
                raise ValueError(f"operator {number} (PAD): rank {len(pads)} not supported")
            # NHWC pads [[n], [h], [w], [c]] → F.pad order for NCHW: w, h, c, n.
            order = [int(v) for axis in (2, 1, 3, 0) for v in pads[axis]]
            return out, lambda values: F.pad(values[x], order)
        if name == "MEAN":
            keep = bool(options.scalar(0, "b", 0)) if options else False
            axes = [int(a) for a in np.ravel(self._const_int(ins[1]))]
            dims = [NHWC_TO_NCHW_AXIS[a] for a in axes]
            if not keep and not sorted(dims) == [2, 3]:
                raise ValueError(f"operator {number} (MEAN): axes {axes} without keep_dims not supported")
            return out, lambda values: values[x].mean(dim=dims, keepdim=keep)
        if name == "FULLY_CONNECTED":
            weight = torch.from_numpy(self._const(ins[1]))
            bias = torch.from_numpy(self._const(ins[2])) if len(ins) > 2 and ins[2] >= 0 else None
            act = self._activation(options.scalar(0, "b", 0) if options else 0)
            four_d = len(self._shape(x)) == 4

            def linear(values):
                y = values[x].permute(0, 2, 3, 1) if four_d else values[x]  # flatten in NHWC order
                y = F.linear(y.reshape(-1, weight.shape[1]), weight, bias)
                return act(y) if act else y
            return out, linear
        if name == "LOGISTIC":
            return out, lambda values: torch.sigmoid(values[x])
        if name == "RELU":
            return out, lambda values: F.relu(values[x])
        if name == "RELU6":
            return out, lambda values: F.relu6(values[x])
        if name == "RESHAPE":
            target = self._shape(out)
            four_in = len(self._shape(x)) == 4

            def reshape(values):
                y = values[x].permute(0, 2, 3, 1) if four_in else values[x]
                y = y.reshape(target)
                return y.permute(0, 3, 1, 2) if len(target) == 4 else y
            return out, reshape
        if name == "CONCATENATION":
            axis = options.scalar(0, "i", 0)
            rank = len(self._shape(out))
            axis = axis % rank
            if rank == 4:
                axis = NHWC_TO_NCHW_AXIS[axis]
            return out, lambda values: torch.cat([values[i] for i in ins], dim=axis)
        raise ValueError(f"operator {number} ({name}) not supported by the torch converter")

    def _const_int(self, index):
        return self.tensors[index]["value"]

    def __call__(self, *inputs):
        values = dict(zip(self.inputs, inputs))
        for out, step in self.steps:
            values[out] = step(values)
        return [values[i] for i in self.outputs]


def check_tflite_torch(model, path):
    """Runs `model` on tools/tflite_golden.py's input and compares with the committed goldens."""
    name = os.path.basename(path)
    index = json.loads((REPO / "tests" / "goldens" / "tflite" / "goldens.json").read_text())
    seed = index["seed"]
    inputs = []
    for i in model.inputs:
        shape = model.tensors[i]["shape"]
        values = (2.0 * splitmix_uniform(seed, int(np.prod(shape))) - 1.0).reshape(shape)
        inputs.append(nchw(values))
    with torch.inference_mode():
        results = model(*inputs)
    worst = 0.0
    for result, entry in zip(results, index["models"][name]["outputs"]):
        expected = np.load(REPO / "tests" / "goldens" / "tflite" / entry["file"]).astype(np.float64)
        actual = result.permute(0, 2, 3, 1) if result.dim() == 4 else result
        actual = actual.numpy().astype(np.float64).reshape(expected.shape)
        error = np.linalg.norm((actual - expected).ravel()) / max(np.linalg.norm(expected.ravel()), 1e-30)
        worst = max(worst, float(error))
    if worst > GOLDEN_TOLERANCE:
        sys.exit(f"tflite_torch.py: {name}: torch conversion differs from the golden (relative L2 {worst:.3g})")
    return worst

