#!/usr/bin/python3
"""Batch-1 encoder latency, meshrt's oneDNN CpuExecutor vs PyTorch on the same weights (issue 5,
acceptance 4). One run times both sides on every model and prints a markdown table.

meshrt side: build/tests/meshrt_encoder_latency MODEL RUNS THREADS (tests/bench/
encoder_latency_main.cpp). PyTorch side, torch.inference_mode(), torch.set_num_threads(THREADS):
  - ResNet-18@256 and MobileNetV2@224: the torchvision models rebuilt by tools/export_encoders.py's
    own build_model() (seed, BatchNorm calibration), i.e. the weights of the exported ONNX files;
  - the Objectron cup landmark model and face_landmark.tflite: PyTorch has no TFLite importer, so
    tools/tflite_torch.py's TfliteTorch builds torch ops (NCHW) from the graph read by tools/tflite_golden.py's
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
import subprocess
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import export_encoders  # noqa: E402
from tflite_torch import TfliteTorch, check_tflite_torch, nchw_shape  # noqa: E402
from splitmix import splitmix_signed  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
WARMUP = 10
GOAL = 0.7


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
