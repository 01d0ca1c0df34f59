#!/usr/bin/python3
"""Exports the encoders the ONNX importer is checked on (issue 5, acceptance 2): torchvision's
ResNet-18 and MobileNetV2, randomly initialised from torch.manual_seed(0), BatchNorm statistics
calibrated on a seeded batch, eval mode, ONNX opset 13, input [1, 3, S, S] for S = 256 and 224,
output the 1000 logits [1, 1000].

The models are ~45 MB and ~14 MB, so they are not committed: `./meshrt.sh build` runs `export`
into the cache when they are missing. The goldens (PyTorch's logits on a seeded input, 4 KB each)
are committed under tests/goldens/onnx/. The input is generated, not stored: splitmix_signed(
INPUT_SEED, [1, 3, S, S]) here, meshrt::test::splitmixSigned(INPUT_SEED, 3*S*S) in C++
(tests/support/splitmix.h), so both sides feed the same floats.

Usage:
  /usr/bin/python3 tools/export_encoders.py export [--out DIR] [--force]
      writes DIR/<model>_<S>.onnx for each missing one (default DIR:
      ${MESHRT_CACHE:-${XDG_CACHE_HOME:-~/.cache}/meshrt}/models/onnx), and checks that the
      freshly initialised model still reproduces the committed golden (same torch version)
  /usr/bin/python3 tools/export_encoders.py goldens [--out tests/goldens/onnx]
      writes <model>_<S>.npy: PyTorch's float32 logits [1, 1000] on the seeded input
"""
import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torchvision

sys.path.insert(0, str(Path(__file__).resolve().parent))
from splitmix import splitmix_signed  # noqa: E402

OPSET = 13
WEIGHT_SEED = 0
INPUT_SEED = 5  # the C++ test uses the same seed (tests/nn/onnx_encoders_test.cpp)
CALIBRATION_SEED = 6  # BatchNorm statistics: splitmix_signed(CALIBRATION_SEED, [4, 3, 224, 224])
CALIBRATION_BATCH = 4
SIZES = (256, 224)
MODELS = {
    "resnet18": torchvision.models.resnet18,
    "mobilenet_v2": torchvision.models.mobilenet_v2,
}
REPO = Path(__file__).resolve().parent.parent
GOLDEN_DIR = REPO / "tests" / "goldens" / "onnx"


def default_cache_dir():
    cache = os.environ.get("MESHRT_CACHE")
    if not cache:
        cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "meshrt")
    return Path(cache) / "models" / "onnx"


def calibrate_batch_norm(model):
    """Sets every BatchNorm's running statistics to the exact mean and variance over a seeded
    calibration batch (one train-mode pass, cumulative average). Freshly initialised statistics
    (mean 0, variance 1) make MobileNetV2's activations shrink to ~1e-8 by the logits; calibrated
    ones keep them O(1) and give the exported (folded) normalizations non-trivial values."""
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.reset_running_stats()
            module.momentum = None
    model.train()
    with torch.no_grad():
        model(torch.from_numpy(splitmix_signed(CALIBRATION_SEED, (CALIBRATION_BATCH, 3, 224, 224))))


def build_model(name):
    """The torchvision model with weights drawn from torch.manual_seed(WEIGHT_SEED), BatchNorm
    statistics calibrated, eval mode."""
    torch.manual_seed(WEIGHT_SEED)
    model = MODELS[name](weights=None)
    calibrate_batch_norm(model)
    model.eval()
    return model


def seeded_input(size):
    """[1, 3, size, size] float32 in [-1, 1), NCHW."""
    return torch.from_numpy(splitmix_signed(INPUT_SEED, (1, 3, size, size)))


def logits(model, size):
    with torch.no_grad():
        return model(seeded_input(size)).numpy().astype(np.float32)


def relative_l2(actual, expected):
    return float(np.linalg.norm((actual - expected).ravel()) / max(np.linalg.norm(expected.ravel()), 1e-30))


def export(out_dir, force):
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in MODELS:
        model = None
        for size in SIZES:
            path = out_dir / f"{name}_{size}.onnx"
            if path.exists() and not force:
                print(f"  {path.name}: present", flush=True)
                continue
            start = time.monotonic()
            model = model or build_model(name)
            golden_path = GOLDEN_DIR / f"{name}_{size}.npy"
            if golden_path.exists():
                error = relative_l2(logits(model, size), np.load(golden_path))
                if error > 1e-5:
                    sys.exit(f"export_encoders.py: {golden_path}: PyTorch's logits differ from the committed golden "
                             f"(relative L2 {error:.3g}; torch {torch.__version__} initialises differently?); "
                             "regenerate with: tools/export_encoders.py goldens")
            temporary = path.with_name(path.name + ".tmp")
            torch.onnx.export(model, seeded_input(size), str(temporary), opset_version=OPSET,
                              input_names=["input"], output_names=["logits"], do_constant_folding=True)
            temporary.replace(path)
            print(f"  {path.name}: exported ({path.stat().st_size / 1e6:.1f} MB, "
                  f"{time.monotonic() - start:.1f} s)", flush=True)


def goldens(out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in MODELS:
        model = build_model(name)
        for size in SIZES:
            path = out_dir / f"{name}_{size}.npy"
            np.save(path, logits(model, size))
            print(f"  {path}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    export_parser = sub.add_parser("export")
    export_parser.add_argument("--out", type=Path, default=default_cache_dir())
    export_parser.add_argument("--force", action="store_true", help="re-export present files")
    goldens_parser = sub.add_parser("goldens")
    goldens_parser.add_argument("--out", type=Path, default=GOLDEN_DIR)
    args = parser.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    if args.command == "export":
        print(f"Exporting ResNet-18 and MobileNetV2 (opset {OPSET}) into {args.out}", flush=True)
        export(args.out, args.force)
    else:
        goldens(args.out)


if __name__ == "__main__":
    main()
