#!/usr/bin/python3
"""Training-step speed of the synthetic encoder, float32 against a bfloat16 backbone.

One step is what tools/train/train.py does per batch: SyntheticEncoder.forward_training (the
trunk and dense head in bfloat16 with --bf16, the heads in float32), an L1-style loss, backward
and AdamW. The input is random, so only the speed means anything. Prints ms per step and
samples/s per input size and precision; docs/TRAINING.md records the figures.

    /usr/bin/python3 tools/train/step_benchmark.py [--sizes 64 128] [--steps 15] [--threads 2]
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import SyntheticEncoder  # noqa: E402

VERTICES, BASIS = 642, 16  # the synthetic bird's template


def step_time(size, bf16, batch, steps):
    torch.manual_seed(0)
    model = SyntheticEncoder(VERTICES, BASIS, image_size=size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    image = torch.randn(batch, 3, size, size)

    def step():
        optimizer.zero_grad(set_to_none=True)
        (regress, points, visibility), dense = model.forward_training(image, bf16=bf16)
        loss = regress.abs().mean() + points.abs().mean() + visibility.mean() + dense.abs().mean()
        loss.backward()
        optimizer.step()

    for _ in range(3):  # warm-up: oneDNN primitives are created on first use
        step()
    started = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - started) / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128], help="input sizes (multiples of 32)")
    parser.add_argument("--steps", type=int, default=15, help="timed steps per row")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    if any(size < 32 or size % 32 for size in args.sizes):
        sys.exit(f"--sizes {args.sizes}: each must be a multiple of 32")
    if args.steps < 1 or args.batch < 1 or args.threads < 1:
        sys.exit("--steps, --batch and --threads must be at least 1")
    torch.set_num_threads(args.threads)
    print(f"step_benchmark: batch {args.batch}, {args.threads} threads, torch {torch.__version__}", flush=True)
    print("| input | precision | ms / step | samples / s |")
    print("| --- | --- | --- | --- |")
    for size in args.sizes:
        for bf16 in (False, True):
            seconds = step_time(size, bf16, args.batch, args.steps)
            print(f"| {size}² | {'bfloat16 backbone' if bf16 else 'float32'} | {seconds * 1000:.0f} | "
                  f"{args.batch / seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
