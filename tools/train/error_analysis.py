#!/usr/bin/python3
"""Where a trained synthetic-pack encoder's error comes from (docs/TRAINING.md, "Where the error is").

    /usr/bin/python3 tools/train/error_analysis.py --checkpoint MODEL.pt --data TEST_DIR --pack PACK_DIR
        [--count 200]

MODEL.pt is the PyTorch state train.py saves with --checkpoint (reproduce.py writes
WORK/synthetic_bird.pt); width and input size are read from it. The regress head runs in PyTorch
on every sample of TEST_DIR (a render-dataset directory) and is compared with the ground truth:

- rotation: the geodesic error, and the error to the nearer of R and D·R·M, where
  D = diag(1, 1, −1) mirrors camera depth and M = diag(−1, 1, 1) the object's x. For a
  mirror-symmetric template and basis under weak perspective, D·R·M projects every vertex onto its
  mirror partner's image position, so both rotations draw the same silhouette and the same
  vertex positions up to relabelling: only shading, texture and occlusion tell them apart.
- shape: R² of each of the K coefficients (1 − mean squared error / variance of the truth);
  R² = 0 is what predicting the mean shape scores.
- camera: the relative scale error and the translation error in pixels of the data.
- mask IoU on the first --count samples, with the camera and the shape each taken from the
  prediction or the truth: which of the two the IoU is lost to. Silhouettes are drawn as
  tools/train/iou_sensitivity.py draws them (its unperturbed row: ≈ 0.98 against meshrt's masks).

Output: two Markdown tables on stdout.
"""
import argparse
import pickle
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from dataset import DatasetError, RenderedDataset, load_template  # noqa: E402
from iou_sensitivity import silhouette  # noqa: E402
from model import SyntheticEncoder  # noqa: E402
from train import load_images, rotation_error_degrees, rotation_from_quaternion, to_network_input  # noqa: E402

DEPTH_MIRROR = np.diag([1.0, 1.0, -1.0])   # camera frame: z → −z
OBJECT_MIRROR = np.diag([-1.0, 1.0, 1.0])  # object frame: x → −x (the template's symmetry plane)


def load_model(path, vertex_count, basis_count):
    """The encoder of a train.py checkpoint; width and input size from its weight shapes."""
    try:
        state = torch.load(path, map_location="cpu")
        width = state["stem.0.weight"].shape[0]
        reduced = state["reduce.0.weight"].shape[0]
        cells = state["hidden.1.weight"].shape[1] // reduced  # (S / 32)² positions of the final map
    except (OSError, RuntimeError, KeyError, AttributeError, TypeError, EOFError, pickle.UnpicklingError) as error:
        sys.exit(f"{path}: not a train.py checkpoint: {error}")
    input_size = 32 * int(round(cells ** 0.5))
    model = SyntheticEncoder(vertex_count, basis_count, width=width, image_size=input_size, reduced_channels=reduced)
    try:
        model.load_state_dict(state)
    except RuntimeError as error:
        sys.exit(f"{path}: does not match the data ({vertex_count} vertices, {basis_count} coefficients): "
                 f"{str(error).splitlines()[0]}")
    return model.eval(), input_size


def mirror_is_exact(template):
    """Whether template and basis are mirror-symmetric about x = 0 (vertex i ↔ partner[i])."""
    positions, basis = template["positions"], template["basis"]
    mirrored = positions @ OBJECT_MIRROR
    distance = ((mirrored[:, None, :] - positions[None]) ** 2).sum(2)
    partner = distance.argmin(1)
    if distance[np.arange(len(partner)), partner].max() > 1e-8:
        return False
    return np.abs(np.einsum("de,nek->ndk", OBJECT_MIRROR, basis) - basis[partner]).max() < 1e-5


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", required=True, help="train.py --checkpoint output (.pt)")
    parser.add_argument("--data", required=True, help="a held-out render-dataset directory")
    parser.add_argument("--pack", required=True, help="the pack directory (template, basis)")
    parser.add_argument("--count", type=int, default=200, help="samples in the IoU table (drawing is slow)")
    args = parser.parse_args()
    try:
        data = RenderedDataset(args.data)
    except DatasetError as error:
        sys.exit(str(error))
    try:
        template = load_template(args.pack)
    except (OSError, ValueError, KeyError) as error:
        sys.exit(f"{args.pack}: not a pack directory with a template and basis: {error}")
    if template["positions"].shape[0] != data.vertex_count or template["basis"].shape[2] != data.basis_count:
        sys.exit(f"{args.pack}: template / basis ({template['positions'].shape[0]} vertices, "
                 f"{template['basis'].shape[2]} fields) do not match {args.data}")
    model, input_size = load_model(args.checkpoint, data.vertex_count, data.basis_count)
    with torch.no_grad():
        regress = torch.cat([model(to_network_input(chunk))[0]
                             for chunk in load_images(data, input_size).split(250)]).double().numpy()

    cameras = np.asarray(data.cameras, dtype=np.float64)
    truth_rotations = data.rotations()
    predicted_rotations = rotation_from_quaternion(torch.from_numpy(regress[:, 3:7])).numpy()
    error = rotation_error_degrees(torch.from_numpy(predicted_rotations), torch.from_numpy(truth_rotations)).numpy()
    alternative = DEPTH_MIRROR @ truth_rotations @ OBJECT_MIRROR
    error_alternative = rotation_error_degrees(torch.from_numpy(predicted_rotations),
                                               torch.from_numpy(alternative)).numpy()
    nearer = np.minimum(error, error_alternative)
    truth_coefficients = np.asarray(data.coefficients, dtype=np.float64)
    r2 = 1 - ((regress[:, 7:] - truth_coefficients) ** 2).mean(0) / truth_coefficients.var(0).clip(1e-12)
    scale_error = np.abs(regress[:, 0] - cameras[:, 0]) / cameras[:, 0]
    translation_error = np.linalg.norm(regress[:, 1:3] - cameras[:, 1:3], axis=1) * data.size / 2

    print(f"error_analysis: {args.checkpoint} ({input_size}² input), regress head on {data.count} samples of "
          f"{args.data}")
    print("| quantity | value |\n| --- | --- |")
    print(f"| rotation error median / mean (°) | {np.median(error):.1f} / {error.mean():.1f} |")
    print(f"| share within 5° / 10° / 20° | {(error < 5).mean():.3f} / {(error < 10).mean():.3f} / "
          f"{(error < 20).mean():.3f} |")
    symmetric = mirror_is_exact(template)
    if symmetric:
        print(f"| share nearer the depth-mirrored rotation D·R·M | {(error_alternative < error).mean():.3f} |")
        print(f"| error to the nearer of R, D·R·M: median / mean (°) | {np.median(nearer):.1f} / "
              f"{nearer.mean():.1f} |")
    print(f"| coefficient R² mean (min … max over {data.basis_count}) | {r2.mean():.3f} ({r2.min():.3f} … "
          f"{r2.max():.3f}) |")
    print(f"| scale relative error median | {np.median(scale_error):.3f} |")
    print(f"| translation error median (px of {data.size}²) | {np.median(translation_error):.2f} |")

    rows = {}
    count = min(args.count, data.count)
    for index in range(count):
        with Image.open(Path(args.data) / "masks" / f"{index:06d}.png") as image:
            mask = np.asarray(image) > 127
        true_camera = (truth_rotations[index], cameras[index, 0], cameras[index, 1:3])
        predicted_camera = (predicted_rotations[index], regress[index, 0], regress[index, 1:3])
        cases = [("truth", "truth", true_camera, truth_coefficients[index]),
                 ("truth", "mean (c = 0)", true_camera, np.zeros(data.basis_count)),
                 ("truth", "predicted", true_camera, regress[index, 7:]),
                 ("predicted", "truth", predicted_camera, truth_coefficients[index]),
                 ("predicted", "predicted", predicted_camera, regress[index, 7:])]
        if symmetric:
            cases.insert(1, ("truth, rotation D·R·M", "truth", (alternative[index],) + true_camera[1:],
                             truth_coefficients[index]))
        for camera_name, shape_name, (rotation, scale, translation), coefficients in cases:
            vertices = template["positions"] + np.einsum("ndk,k->nd", template["basis"], coefficients)
            drawn = silhouette(scale * (vertices @ rotation.T)[:, :2] + translation, template["triangles"], data.size)
            rows.setdefault((camera_name, shape_name), []).append((drawn & mask).sum() / max(1, (drawn | mask).sum()))
    print(f"\nmask IoU, first {count} samples:\n")
    print("| camera | shape | mask IoU mean | median |\n| --- | --- | --- | --- |")
    for (camera_name, shape_name), values in rows.items():
        print(f"| {camera_name} | {shape_name} | {np.mean(values):.3f} | {np.median(values):.3f} |")


if __name__ == "__main__":
    main()
