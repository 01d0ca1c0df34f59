#!/usr/bin/python3
"""Loads the datasets `meshrt render-dataset` writes (docs/DATASET.md), for the training code.

    from dataset import RenderedDataset, load_template
    data = RenderedDataset("out/bird-train")          # dataset.json + the .npy labels (memory-mapped)
    image, mask = data.image(0), data.mask(0)          # uint8 H×W×3, bool H×W
    data.cameras[0]                                    # s, tx, ty, qw, qx, qy, qz
    template = load_template("…/packs/synthetic-bird") # positions N×3, uvs, triangles, basis N×3×K

    /usr/bin/python3 tools/dataset.py --self-check --meshrt build/demo/meshrt
        renders a few samples of the committed synthetic-bird pack into a temporary directory
        and checks the loader and the format's promises (exit 0 = passed)

numpy (python3-numpy) and Pillow (python3-pil) only.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LABEL_FILES = {  # name → (dtype, trailing shape as a function of (N, K))
    "cameras": ("<f4", lambda n, k: (7,)),
    "coefficients": ("<f4", lambda n, k: (k,)),
    "points": ("<f4", lambda n, k: (n, 2)),
    "pixels": ("<f4", lambda n, k: (n, 2)),
    "visibility": ("|u1", lambda n, k: (n,)),
}


class DatasetError(Exception):
    """One line naming the file and the reason."""


class RenderedDataset:
    """A dataset directory: `meta` (dataset.json), the label arrays as attributes, images by index."""

    def __init__(self, directory):
        self.directory = directory
        meta_path = os.path.join(directory, "dataset.json")
        try:
            with open(meta_path, encoding="utf-8") as stream:
                self.meta = json.load(stream)
        except (OSError, ValueError) as error:
            raise DatasetError(f"{meta_path}: cannot read: {error}") from None
        if self.meta.get("format") != 1:
            raise DatasetError(f"{meta_path}: format: {self.meta.get('format')!r} is not 1")
        self.count, self.size = self.meta["count"], self.meta["image_size"]
        self.vertex_count, self.basis_count = self.meta["vertices"], self.meta["basis_count"]
        for name, (dtype, trailing) in LABEL_FILES.items():
            path = os.path.join(directory, name + ".npy")
            try:
                array = np.load(path, mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError) as error:
                raise DatasetError(f"{path}: cannot read: {error}") from None
            expected = (self.count,) + trailing(self.vertex_count, self.basis_count)
            if array.shape != expected or array.dtype != np.dtype(dtype):
                raise DatasetError(f"{path}: expected {dtype} {expected}, got {array.dtype.str} {array.shape}")
            setattr(self, name, array)

    def __len__(self):
        return self.count

    def _png(self, folder, index):
        from PIL import Image  # python3-pil
        if not 0 <= index < self.count:
            raise IndexError(f"sample {index} of {self.count}")
        with Image.open(os.path.join(self.directory, folder, f"{index:06d}.png")) as image:
            return np.asarray(image)

    def image(self, index):
        """uint8 size×size×3 (RGB)."""
        return self._png("images", index)

    def mask(self, index):
        """bool size×size: True where the object covers the pixel centre."""
        return self._png("masks", index) == 255

    def rotations(self):
        """count×3×3 rotation matrices (object → camera, OpenCV axes) from the quaternions."""
        return rotation_from_quaternion(np.asarray(self.cameras[:, 3:7], dtype=np.float64))


def rotation_from_quaternion(q):
    """(…, 4) unit quaternions (w, x, y, z) → (…, 3, 3) row-major rotation matrices."""
    w, x, y, z = (q[..., i] for i in range(4))
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], -1),
        np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], -1),
        np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], -1)], -2)


def load_template(pack_dir):
    """The pack's template and basis: {"positions" N×3, "uvs" N×2 (v down), "triangles" F×3, "basis" N×3×K}.
    Vertices are numbered as core/mesh_io.h readObj numbers them (first use by a face); the
    committed templates list them in that order, so this is the file's order."""
    with open(os.path.join(pack_dir, "pack.json"), encoding="utf-8") as stream:
        pack = json.load(stream)
    positions, uvs, corners = [], [], []
    with open(os.path.join(pack_dir, pack["template"]["path"]), encoding="utf-8") as stream:
        for line in stream:
            words = line.split()
            if words and words[0] == "v":
                positions.append([float(value) for value in words[1:4]])
            elif words and words[0] == "vt":
                uvs.append([float(words[1]), 1.0 - float(words[2])])
            elif words and words[0] == "f":
                corners.append([tuple(int(i) - 1 for i in word.split("/")[:2]) for word in words[1:4]])
    order = {}
    for face in corners:
        for corner in face:
            order.setdefault(corner, len(order))
    vertices = sorted(order, key=order.get)
    return {
        "positions": np.array([positions[p] for p, _ in vertices]),
        "uvs": np.array([uvs[t] for _, t in vertices]),
        "triangles": np.array([[order[c] for c in face] for face in corners], dtype=np.int64),
        "basis": np.load(os.path.join(pack_dir, pack["basis"]["path"]), allow_pickle=False),
    }


def project(template, cameras, coefficients):
    """Weak perspective p = s·(R (T + B c))_xy + t for every sample: (count, N, 2)."""
    vertices = template["positions"][None] + np.einsum("ndk,bk->bnd", template["basis"].astype(np.float64),
                                                       np.asarray(coefficients, dtype=np.float64))
    rotations = rotation_from_quaternion(np.asarray(cameras[:, 3:7], dtype=np.float64))
    camera = np.einsum("bij,bnj->bni", rotations, vertices)
    return cameras[:, None, 0:1] * camera[..., :2] + cameras[:, None, 1:3]


def self_check(meshrt):
    failures = []
    with tempfile.TemporaryDirectory() as temporary:
        pack_dir = os.path.join(temporary, "packs", "synthetic-bird")
        os.makedirs(pack_dir)
        shutil.copy(os.path.join(REPO_ROOT, "assets", "pack_sources", "synthetic-bird", "pack.json"), pack_dir)
        for name in ("synthetic_bird.obj", "synthetic_bird_basis.npy"):
            shutil.copy(os.path.join(REPO_ROOT, "assets", "templates", name), pack_dir)
        out = os.path.join(temporary, "set")
        environment = dict(os.environ, MESHRT_PACK_PATH=os.path.dirname(pack_dir))
        result = subprocess.run([meshrt, "render-dataset", "--pack", "synthetic-bird", "--seed", "11", "--count", "5",
                                 "--out", out], env=environment, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            print(f"FAILED: meshrt render-dataset exited {result.returncode}: {result.stderr.strip()}")
            return 1
        data = RenderedDataset(out)
        template = load_template(pack_dir)
        if len(data) != 5 or data.vertex_count != len(template["positions"]) or data.basis_count != 16:
            failures.append(f"sizes: {len(data)} samples, N {data.vertex_count}, K {data.basis_count}")
        error = np.abs(project(template, data.cameras, data.coefficients) - data.points).max()
        if not error < 1e-4:
            failures.append(f"points differ from the cameras and coefficients by {error}")
        if np.abs((data.points + 1) * data.size / 2 - data.pixels).max() > 1e-3:
            failures.append("pixels are not (points + 1)·size/2")
        for index in range(len(data)):
            image, mask = data.image(index), data.mask(index)
            if image.shape != (data.size, data.size, 3) or image.dtype != np.uint8 or mask.shape != image.shape[:2]:
                failures.append(f"sample {index}: image {image.shape} {image.dtype}, mask {mask.shape}")
                continue
            visible = data.visibility[index].astype(bool)
            at = np.floor(data.pixels[index][visible]).astype(int)
            if not visible.any() or not mask[at[:, 1], at[:, 0]].all():
                failures.append(f"sample {index}: a visible vertex lies off the mask")
        try:
            RenderedDataset(temporary)
            failures.append("a directory without dataset.json loaded")
        except DatasetError:
            pass
    print(f"dataset self-check: {'passed' if not failures else 'FAILED'}")
    for failure in failures:
        print(f"  {failure}")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--self-check", action="store_true", help="render a few samples and check this loader")
    parser.add_argument("--meshrt", default=os.path.join(REPO_ROOT, "build", "demo", "meshrt"))
    parser.add_argument("directory", nargs="?", help="print a summary of this dataset")
    args = parser.parse_args()
    if args.self_check:
        return self_check(args.meshrt)
    if not args.directory:
        parser.error("give a dataset directory or --self-check")
    try:
        data = RenderedDataset(args.directory)
    except DatasetError as error:
        print(f"dataset: {error}", file=sys.stderr)
        return 1
    print(f"{args.directory}: {len(data)} samples of {data.meta['pack']} (seed {data.meta['seed']}), "
          f"{data.size}×{data.size}, N = {data.vertex_count}, K = {data.basis_count}, "
          f"mean visible vertices {data.visibility.mean() * data.vertex_count:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
