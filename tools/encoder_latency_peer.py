#!/usr/bin/python3
"""Batch-1 encoder latency, meshrt's oneDNN CpuExecutor vs PyTorch on the same weights (issue 5,
acceptance 4). One run times both sides on every model and prints a markdown table.

meshrt side: build/tests/meshrt_encoder_latency MODEL RUNS THREADS (tests/bench/
encoder_latency_main.cpp). PyTorch side, torch.inference_mode(), torch.set_num_threads(THREADS):
  - ResNet-18@256 and MobileNetV2@224: the torchvision models rebuilt by tools/export_encoders.py's
    own build_model() (seed, BatchNorm calibration), i.e. the weights of the exported ONNX files;
  - the Objectron cup landmark model and face_landmark.tflite: PyTorch has no TFLite importer, so
    TfliteTorch below builds torch ops (NCHW) from the graph read by tools/tflite_golden.py's
    read_model(). Before timing, its outputs on the golden input are checked against the committed
    goldens (tests/goldens/tflite/, NumPy float64 from tools/tflite_golden.py).
A second PyTorch column times the same modules traced, frozen and optimize_for_inference'd
(torch.no_grad), the faster PyTorch deployment; the goal is stated against the eager column.
Both sides: WARMUP untimed runs, then RUNS timed runs; the median (and p90) per run.

Usage: /usr/bin/python3 tools/encoder_latency_peer.py [--binary build/tests/meshrt_encoder_latency]
       [--runs 100] [--threads 2]
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import export_encoders  # noqa: E402
import tflite_golden  # noqa: E402
from splitmix import splitmix_signed, splitmix_uniform  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
WARMUP = 10
GOAL = 0.7
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
        sys.exit(f"encoder_latency_peer.py: {name}: torch conversion differs from the golden (relative L2 {worst:.3g})")
    return worst


class _Traceable(torch.nn.Module):
    """Calls `function` and returns a tuple, so torch.jit.trace accepts TfliteTorch too."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def forward(self, *inputs):
        result = self.function(*inputs)
        return tuple(result) if isinstance(result, list) else result


def frozen(function, inputs):
    """The stronger PyTorch setup: traced, torch.jit.freeze'd and optimize_for_inference'd (oneDNN
    weights prepacked once, conv+BN/ReLU folded). None (with the reason printed) if that fails."""
    try:
        with torch.no_grad():
            traced = torch.jit.trace(_Traceable(function).eval(), tuple(inputs), check_trace=False)
            return torch.jit.optimize_for_inference(torch.jit.freeze(traced.eval()))
    except Exception as error:  # noqa: BLE001 (any TorchScript failure just drops the column's cell)
        print(f"encoder_latency_peer.py: frozen PyTorch unavailable: {str(error).splitlines()[0]}", file=sys.stderr)
        return None


def time_torch(function, inputs, runs, mode=torch.inference_mode):
    millis = []
    with mode():
        for r in range(WARMUP + runs):
            start = time.perf_counter()
            function(*inputs)
            elapsed = 1000.0 * (time.perf_counter() - start)
            if r >= WARMUP:
                millis.append(elapsed)
    millis.sort()
    return {"median_ms": millis[round(0.5 * (runs - 1))], "p90_ms": millis[round(0.9 * (runs - 1))], "runs": runs}


def time_meshrt(binary, path, runs, threads):
    done = subprocess.run([str(binary), str(path), str(runs), str(threads)], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"encoder_latency_peer.py: {binary} {path}: {done.stderr.strip()}")
    return json.loads(done.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", type=Path, default=REPO / "build" / "tests" / "meshrt_encoder_latency")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    onnx_dir = export_encoders.default_cache_dir()
    models_dir = onnx_dir.parent
    rows = []
    for label, name, size in (("ResNet-18@256", "resnet18", 256), ("MobileNetV2@224", "mobilenet_v2", 224)):
        model = export_encoders.build_model(name)
        inputs = [torch.from_numpy(splitmix_signed(7, (1, 3, size, size)))]
        torch_ms = time_torch(model, inputs, args.runs)
        fast = frozen(model, inputs)
        fast_ms = time_torch(fast, inputs, args.runs, torch.no_grad) if fast is not None else None
        ours = time_meshrt(args.binary, onnx_dir / f"{name}_{size}.onnx", args.runs, args.threads)
        rows.append((label, ours, torch_ms, fast_ms, "torchvision, export_encoders.build_model"))
    for label, file_name in (("Objectron cup landmarks", "object_detection_3d_cup.tflite"),
                             ("Face landmarks", "face_landmark.tflite")):
        path = models_dir / file_name
        model = TfliteTorch(str(path))
        error = check_tflite_torch(model, str(path))
        # The C++ timer's input: splitmixSigned(7 + k, count) in NCHW order.
        inputs = [torch.from_numpy(splitmix_signed(7 + k, tuple(nchw_shape(model.tensors[i]["shape"]))))
                  for k, i in enumerate(model.inputs)]
        torch_ms = time_torch(model, inputs, args.runs)
        fast = frozen(model, inputs)
        fast_ms = time_torch(fast, inputs, args.runs, torch.no_grad) if fast is not None else None
        ours = time_meshrt(args.binary, path, args.runs, args.threads)
        rows.append((label, ours, torch_ms, fast_ms, f"TFLite→torch ops, golden rel. L2 {error:.1e}"))
    print(f"torch {torch.__version__}, {args.threads} threads, {WARMUP} warm-up + {args.runs} timed runs per side, "
          f"batch 1")
    print()
    print(f"| model | meshrt median (p90) ms | PyTorch eager median (p90) ms | meshrt / eager | goal ≤ {GOAL} "
          "| PyTorch frozen median (p90) ms | meshrt / frozen | PyTorch side |")
    print("|---|---|---|---|---|---|---|---|")
    for label, ours, theirs, fast, note in rows:
        ratio = ours["median_ms"] / theirs["median_ms"]
        fast_cells = "n/a | n/a" if fast is None else (
            f"{fast['median_ms']:.2f} ({fast['p90_ms']:.2f}) | {ours['median_ms'] / fast['median_ms']:.2f}")
        print(f"| {label} | {ours['median_ms']:.2f} ({ours['p90_ms']:.2f}) | {theirs['median_ms']:.2f} "
              f"({theirs['p90_ms']:.2f}) | {ratio:.2f} | {'met' if ratio <= GOAL else 'not met'} | {fast_cells} | {note} |")

if __name__ == "__main__":
    main()
