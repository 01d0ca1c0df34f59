#!/usr/bin/python3
"""Trains the synthetic-pack encoder (tools/train/model.py) on `meshrt render-dataset` output
and exports it to ONNX (docs/TRAINING.md).

    /usr/bin/python3 tools/train/train.py --data DIR [DIR ...] --pack PACK_DIR --out MODEL.onnx
        [--steps 45000] [--batch 32] [--width 16] [--input-size 128] [--bf16 | --no-bf16] [--seed 0]
        [--monitor TEST_DIR]

Both heads share the encoder and are trained together, one loss each (weights below):
- ttp: the 2D position of every template vertex (L1, normalized crop units, visible and hidden
  vertices alike: both have ground truth) and its visibility (binary cross-entropy). The solver
  is not in the training loop: its inputs have exact targets in rendered data, so they are
  supervised directly (TTP, paper 002 §3.2, trains the correspondences the same way); the solver
  then turns them into pose and shape at run time.
- regress: s, t, quaternion and K coefficients, trained through the projection of the deformed
  template (p = s·(R (T + B c))_xy + t against the rendered vertex positions, L1, CMR's keypoint
  reprojection term), plus 1 − ⟨q̂, q⟩² (sign-free quaternion distance) and the coefficients' L2.

Progress: one line every 100 steps (loss terms, samples/s, minutes left) and, with --monitor, the
mean point error in pixels and the regress head's median rotation error on 256 held-out samples.
Reproducible up to floating-point reordering between thread counts (seeded torch, fixed order).
"""
import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from dataset import RenderedDataset, load_template  # noqa: E402
from model import SyntheticEncoder  # noqa: E402

POINT_WEIGHT, VISIBILITY_WEIGHT = 1.0, 0.1
DENSE_WEIGHT = 1.0  # the training-only dense head (model.py SyntheticEncoder.dense)
GRADIENT_CLIP = 2.0  # global gradient norm; the first steps' large gradients otherwise kill hidden ReLUs
REPROJECTION_WEIGHT, QUATERNION_WEIGHT, COEFFICIENT_WEIGHT, CAMERA_WEIGHT = 1.0, 0.5, 0.02, 0.5


def load_images(data, input_size=None):
    """All images as one tensor [count, 3, S, S] (decoded once; 49 KB per 128² sample): uint8, or
    float32 averaged over f×f blocks when input_size = S/f < S (what the runtime's bilinear
    stretch with half-pixel centres computes for f = 2)."""
    from PIL import Image
    images = np.empty((data.count, data.size, data.size, 3), dtype=np.uint8)
    started = time.time()
    for index in range(data.count):
        with Image.open(os.path.join(data.directory, "images", f"{index:06d}.png")) as image:
            images[index] = np.asarray(image.convert("RGB"))
        if time.time() - started > 5 and index % 2000 == 0:
            print(f"  decoding {data.directory}: {index}/{data.count}", flush=True)
    images = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()
    if input_size and input_size != data.size:
        factor = data.size // input_size
        images = torch.cat([torch.nn.functional.avg_pool2d(chunk.float(), factor) for chunk in images.split(1000)])
    return images


def load_cell_masks(data, cell=8):
    """Mask coverage per cell×cell-pixel cell, float [count, 1, S/cell, S/cell] in [0, 1]."""
    from PIL import Image
    cells = torch.empty((data.count, 1, data.size // cell, data.size // cell))
    for index in range(data.count):
        with Image.open(os.path.join(data.directory, "masks", f"{index:06d}.png")) as image:
            mask = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0)
        cells[index, 0] = torch.nn.functional.avg_pool2d(mask[None, None], cell)[0, 0]
    return cells


def dense_targets(points, visibility, template, cells):
    """The dense head's targets on a cells×cells grid: per cell, the mean template position of
    the visible vertices that project into it, and whether any does. [B, cells², 3], [B, cells²]."""
    batch = points.shape[0]
    cell = ((points + 1) * 0.5 * cells).floor().long().clamp(0, cells - 1)
    flat = cell[..., 1] * cells + cell[..., 0]
    sums = torch.zeros(batch, cells * cells, 3).scatter_add_(
        1, flat[..., None].expand(-1, -1, 3), visibility[..., None] * template[None])
    counts = torch.zeros(batch, cells * cells).scatter_add_(1, flat, visibility)
    return sums / counts.clamp_min(1)[..., None], counts > 0


def to_network_input(images):
    """[B, 3, S, S] in 0…255 → float [-1, 1] (pack normalization minus_one_to_one)."""
    return images.float() * (2.0 / 255.0) - 1.0


def rotation_from_quaternion(q):
    """[B, 4] (w, x, y, z), any norm → [B, 3, 3] object → camera rotations."""
    q = q / q.norm(dim=1, keepdim=True).clamp_min(1e-8)
    w, x, y, z = q.unbind(1)
    return torch.stack([
        1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
        2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
        2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], 1).view(-1, 3, 3)


def project(template, basis, regress, basis_count):
    """The regress head's vertices: p = s·(R (T + B c))_xy + t, [B, N, 2]."""
    scale, translation, quaternion = regress[:, 0:1], regress[:, 1:3], regress[:, 3:7]
    coefficients = regress[:, 7:7 + basis_count]
    vertices = template[None] + torch.einsum("ndk,bk->bnd", basis, coefficients)
    camera = torch.einsum("bij,bnj->bni", rotation_from_quaternion(quaternion), vertices)
    return scale[:, :, None] * camera[..., :2] + translation[:, None, :]


def rotation_error_degrees(predicted, truth):
    """Geodesic angle between rotations [B, 3, 3] → [B] degrees."""
    trace = torch.einsum("bij,bij->b", predicted, truth)
    return torch.rad2deg(torch.acos(((trace - 1) / 2).clamp(-1, 1)))


class Labels:
    def __init__(self, datasets):
        cat = lambda name: torch.from_numpy(np.concatenate([np.asarray(getattr(d, name)) for d in datasets]))
        self.cameras, self.coefficients = cat("cameras"), cat("coefficients")
        self.points, self.visibility = cat("points"), cat("visibility").float()


def losses(model_outputs, labels, index, template, basis, basis_count, dense=None, cell_masks=None):
    regress, points, visibility = model_outputs
    truth_points = labels.points[index]
    vertex_count = truth_points.shape[1]
    terms = {}
    terms["points"] = (points.view(-1, vertex_count, 2) - truth_points).abs().mean()
    terms["visibility"] = torch.nn.functional.binary_cross_entropy(
        visibility.clamp(1e-6, 1 - 1e-6), labels.visibility[index])
    terms["reprojection"] = (project(template, basis, regress, basis_count) - truth_points).abs().mean()
    q = regress[:, 3:7] / regress[:, 3:7].norm(dim=1, keepdim=True).clamp_min(1e-8)
    terms["quaternion"] = (1 - (q * labels.cameras[index, 3:7]).sum(1).square()).mean()
    terms["coefficients"] = (regress[:, 7:] - labels.coefficients[index]).square().mean()
    terms["camera"] = (regress[:, 0:3] - labels.cameras[index, 0:3]).abs().mean()
    if dense is not None:
        cells = dense.shape[-1]
        target, occupied = dense_targets(truth_points, labels.visibility[index], template, cells)
        predicted = dense[:, 1:].permute(0, 2, 3, 1).reshape(dense.shape[0], cells * cells, 3)
        terms["dense_mask"] = torch.nn.functional.binary_cross_entropy_with_logits(dense[:, 0:1], cell_masks[index])
        terms["dense_surface"] = ((predicted - target).abs().sum(2) * occupied).sum() / occupied.sum().clamp_min(1)
    total = DENSE_WEIGHT * (terms.get("dense_mask", 0) + terms.get("dense_surface", 0)) + (POINT_WEIGHT * terms["points"] + VISIBILITY_WEIGHT * terms["visibility"] +
             REPROJECTION_WEIGHT * terms["reprojection"] + QUATERNION_WEIGHT * terms["quaternion"] +
             COEFFICIENT_WEIGHT * terms["coefficients"] + CAMERA_WEIGHT * terms["camera"])
    return total, terms


def monitor(model, images, labels, image_size, basis_count):  # image_size: the data's (pixels)
    model.eval()
    with torch.no_grad():
        regress, points, _, _ = model(to_network_input(images))
    model.train()
    vertex_count = labels.points.shape[1]
    pixel_error = (points.view(-1, vertex_count, 2) - labels.points).norm(dim=2).mean() * image_size / 2
    truth = rotation_from_quaternion(labels.cameras[:, 3:7])
    rotation = rotation_error_degrees(rotation_from_quaternion(regress[:, 3:7]), truth).median()
    return float(pixel_error), float(rotation)


def export(model, path, image_size):
    """ONNX opset 13, batch 1, eval mode (BatchNorm folded into the convolutions by the exporter)."""
    model.eval()
    temporary = str(path) + ".partial"
    torch.onnx.export(model, torch.zeros(1, 3, image_size, image_size), temporary, opset_version=13,
                      input_names=["image"], output_names=["regress", "points", "visibility", "mask"],
                      do_constant_folding=True)
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", nargs="+", required=True, help="render-dataset output directories")
    parser.add_argument("--pack", required=True, help="the dataset-only pack directory (template, basis)")
    parser.add_argument("--out", required=True, help="the .onnx file to write")
    parser.add_argument("--steps", type=int, default=45000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--width", type=int, default=16, help="first-stage channels (ResNet-18: 64)")
    parser.add_argument("--input-size", type=int, default=None,
                        help="network input side in pixels: a divisor of the data's, a multiple of 32 "
                             "(default: the data's, 128 for the bird)")
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--export-every", type=int, default=1000, help="steps between intermediate exports (0: only at the end)")
    parser.add_argument("--monitor", help="a held-out render-dataset directory for progress lines")
    parser.add_argument("--checkpoint", help="also save the PyTorch state here (.pt)")
    parser.add_argument("--bf16", action=argparse.BooleanOptionalAction, default=True,
                        help="run the backbone in bfloat16 (CPU autocast; the heads, the losses and the "
                             "weights stay float32; docs/TRAINING.md has the speed-up, "
                             "tools/train/step_benchmark.py measures it)")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    datasets = [RenderedDataset(d) for d in args.data]
    image_size, vertex_count, basis_count = datasets[0].size, datasets[0].vertex_count, datasets[0].basis_count
    if any(d.size != image_size or d.vertex_count != vertex_count or d.basis_count != basis_count for d in datasets):
        sys.exit(f"{args.data[0]}: dataset.json: image_size, vertices and basis_count differ between the datasets")
    template_data = load_template(args.pack)
    if template_data["positions"].shape[0] != vertex_count:
        sys.exit(f"{args.pack}: template: {template_data['positions'].shape[0]} vertices, the data has {vertex_count}")
    template = torch.tensor(template_data["positions"], dtype=torch.float32)
    basis = torch.tensor(template_data["basis"], dtype=torch.float32)

    print(f"train: {sum(d.count for d in datasets)} samples of {image_size}² from {len(datasets)} dataset(s), "
          f"{args.steps} steps of {args.batch}, width {args.width}, {args.threads} threads"
          f"{', bfloat16 backbone' if args.bf16 else ''}", flush=True)
    input_size = args.input_size or image_size
    if input_size < 32 or image_size % input_size or input_size % 32:
        sys.exit(f"--input-size {input_size}: must divide the data's {image_size} and be a multiple of 32")
    images = torch.cat([load_images(d, input_size) for d in datasets])
    # the dense head's grid is the stride-8 feature map: input_size / 8 cells per side
    cell_masks = torch.cat([load_cell_masks(d, image_size * 8 // input_size) for d in datasets])
    labels = Labels(datasets)
    monitor_images = monitor_labels = None
    if args.monitor:
        held_out = RenderedDataset(args.monitor)
        count = min(256, held_out.count)
        monitor_images = load_images(held_out, input_size)[:count]
        monitor_labels = Labels([held_out])
        for name in ("cameras", "coefficients", "points", "visibility"):
            setattr(monitor_labels, name, getattr(monitor_labels, name)[:count])

    model = SyntheticEncoder(vertex_count, basis_count, width=args.width, image_size=input_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.learning_rate, total_steps=args.steps,
                                                   pct_start=max(0.05, 3 / args.steps), cycle_momentum=False)
    generator = torch.Generator().manual_seed(args.seed)
    order, cursor = torch.randperm(len(images), generator=generator), 0
    started, sums = time.time(), {}
    for step in range(1, args.steps + 1):
        if cursor + args.batch > len(order):
            order, cursor = torch.randperm(len(images), generator=generator), 0
        index = order[cursor:cursor + args.batch]
        cursor += args.batch
        outputs, dense = model.forward_training(to_network_input(images[index]), bf16=args.bf16)
        total, terms = losses(outputs, labels, index, template, basis, basis_count, dense, cell_masks)
        optimizer.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), GRADIENT_CLIP)
        optimizer.step()
        schedule.step()
        for name, value in terms.items():
            sums[name] = sums.get(name, 0.0) + float(value)
        if step % 100 == 0 or step == args.steps:
            elapsed = time.time() - started
            rate = step * args.batch / elapsed
            line = " ".join(f"{name} {value / 100:.4f}" for name, value in sums.items())
            left = (args.steps - step) * args.batch / rate / 60
            extra = ""
            if monitor_images is not None and (step % 250 == 0 or step == args.steps):
                pixels, rotation = monitor(model, monitor_images, monitor_labels, image_size, basis_count)
                extra = f" | held-out: points {pixels:.2f} px, regress rotation median {rotation:.1f}°"
            print(f"step {step}/{args.steps}: {line} | {rate:.0f} samples/s, {left:.1f} min left{extra}", flush=True)
            sums = {}
        if args.export_every and step % args.export_every == 0 and step < args.steps:
            export(model, args.out, input_size)  # a usable model at any time; training goes on
            model.train()
    if args.checkpoint:
        torch.save(model.state_dict(), args.checkpoint)
    export(model, args.out, input_size)
    print(f"train: wrote {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB) after "
          f"{(time.time() - started) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
