#!/usr/bin/python3
"""ctest: tools/install_packs.py into a temporary cache made from copies of the fetched models.

- first run: exit 0, every pack of assets/pack_sources "installed", pack.json carries the
  models' SHA-256 from assets/models.json (synthetic-bird: the committed encoder's, when
  assets/models/synthetic_bird.onnx exists), the face template is the canonical mesh as standard OBJ;
- second run: exit 0, every pack "up to date", nothing rewritten;
- a pack with a file removed is reinstalled, the others stay "up to date", an interrupted run's
  staging directory is removed;
- one model tampered: exit 1, one line naming the file, the expected and the actual SHA-256, and
  the installed packs and the packs directory are left as they were (no staging leftovers).
Exit 77 (ctest SKIP_RETURN_CODE) when the models were never fetched: run ./meshrt.sh build.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "tools", "install_packs.py")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import fetch_models  # noqa: E402


def run(cache):
    return subprocess.run([sys.executable, SCRIPT, "--cache", cache], capture_output=True, text=True)


def snapshot(packs_dir):
    """{relative path: (inode, mtime_ns)} of everything under packs_dir."""
    state = {}
    for directory, _, files in os.walk(packs_dir):
        for name in files:
            path = os.path.join(directory, name)
            info = os.stat(path)
            state[os.path.relpath(path, packs_dir)] = (info.st_ino, info.st_mtime_ns)
    return state


def check_face_template(path, failures):
    vertices, uvs, faces = [], [], []
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            parts = line.split()
            if parts and parts[0] == "v":
                vertices.append(tuple(float(value) for value in parts[1:4]))
            elif parts and parts[0] == "vt":
                uvs.append(tuple(float(value) for value in parts[1:3]))
            elif parts and parts[0] == "f":
                faces.append(tuple(int(corner.split("/")[0]) - 1 for corner in parts[1:]))
    if len(vertices) != 468 or len(uvs) != 468 or not faces:
        failures.append(f"face template: {len(vertices)} v, {len(uvs)} vt, {len(faces)} f")
        return
    # Standard OBJ: v up, so the forehead (landmark 10) is near the top of the texture, the chin
    # (152) near the bottom; metres: the face is ~15 cm wide.
    if not uvs[10][1] > 0.8 > 0.2 > uvs[152][1]:
        failures.append(f"face template: vt of landmarks 10/152 = {uvs[10]}/{uvs[152]}: v not flipped to OBJ's v up")
    width = max(v[0] for v in vertices) - min(v[0] for v in vertices)
    if not 0.1 < width < 0.2:
        failures.append(f"face template: width {width} is not metres")
    # DESIGN §5: CCW seen from outside; the face looks toward +z.
    front = sum(1 for a, b, c in faces
                if (vertices[b][0] - vertices[a][0]) * (vertices[c][1] - vertices[a][1])
                - (vertices[b][1] - vertices[a][1]) * (vertices[c][0] - vertices[a][0]) > 0)
    if front < 0.95 * len(faces):
        failures.append(f"face template: only {front} of {len(faces)} triangles are CCW seen from +z")


def main():
    source = os.path.join(fetch_models.cache_root(), "models")
    with open(os.path.join(ROOT, "assets", "models.json"), encoding="utf-8") as stream:
        entries = [entry for package in json.load(stream)["packages"] for entry in package["files"]]
    if not all(os.path.exists(os.path.join(source, entry["name"])) for entry in entries):
        print(f"SKIPPED: models not fetched: run ./meshrt.sh build ({source})")
        return 77
    hashes = {entry["name"]: entry["sha256"] for entry in entries}
    packs = sorted(os.listdir(os.path.join(ROOT, "assets", "pack_sources")))
    failures = []
    checks = 0
    with tempfile.TemporaryDirectory() as cache:
        models = os.path.join(cache, "models")
        packs_dir = os.path.join(cache, "packs")
        os.makedirs(models)
        for entry in entries:  # copies: the tampering below must not touch the real cache
            shutil.copyfile(os.path.join(source, entry["name"]), os.path.join(models, entry["name"]))

        checks += 1
        result = run(cache)
        installed = [line for line in result.stdout.splitlines() if line.endswith(tuple(
            f"in {os.path.join(packs_dir, name)}" for name in packs)) and ": installed (" in line]
        if result.returncode != 0 or len(installed) != len(packs) or sorted(os.listdir(packs_dir)) != packs:
            failures.append(f"first run: exit {result.returncode}, stdout {result.stdout!r}, stderr {result.stderr!r}")
        else:
            for name in packs:
                with open(os.path.join(packs_dir, name, "pack.json"), encoding="utf-8") as stream:
                    pack = json.load(stream)
                deform = pack["head"] in ("ttp", "regress")
                if deform:  # synthetic-bird: template + basis, and the encoder once it is committed
                    for key in ("template", "basis"):
                        with open(os.path.join(ROOT, "assets", "templates", pack[key]["path"]), "rb") as stream:
                            committed = stream.read()
                        with open(os.path.join(packs_dir, name, pack[key]["path"]), "rb") as stream:
                            if stream.read() != committed:
                                failures.append(f"{name}: installed {pack[key]['path']} differs from assets/templates")
                if deform and "models" in pack:
                    encoder = pack["models"]["encoder"]
                    with open(os.path.join(ROOT, "assets", "models", encoder["path"]), "rb") as stream:
                        committed = hashlib.sha256(stream.read()).hexdigest()
                    with open(os.path.join(packs_dir, name, encoder["path"]), "rb") as stream:
                        installed = hashlib.sha256(stream.read()).hexdigest()
                    if not (encoder.get("sha256") == committed == installed):
                        failures.append(f"{name}: models.encoder.sha256 {encoder.get('sha256')}, installed {installed}, "
                                        f"committed assets/models/{encoder['path']} {committed}")
                for role in ("detector", "landmarks") if "models" in pack and not deform else ():
                    model = pack["models"][role]
                    if model.get("sha256") != hashes.get(model["path"]):
                        failures.append(f"{name}: models.{role}.sha256 {model.get('sha256')} is not models.json's")
                    with open(os.path.join(packs_dir, name, model["path"]), "rb") as stream:
                        if hashlib.sha256(stream.read()).hexdigest() != hashes[model["path"]]:
                            failures.append(f"{name}: installed {model['path']} differs from the fetched model")
                if not os.path.isfile(os.path.join(packs_dir, name, pack["template"]["path"])):
                    failures.append(f"{name}: template {pack['template']['path']} not installed")
                if not os.path.isfile(os.path.join(packs_dir, name, "LICENSE")):
                    failures.append(f"{name}: no LICENSE")
            check_face_template(os.path.join(packs_dir, "face", "face_canonical.obj"), failures)

        checks += 1
        before = snapshot(packs_dir)
        result = run(cache)
        up_to_date = [line for line in result.stdout.splitlines() if line.endswith(": up to date")]
        if result.returncode != 0 or len(up_to_date) != len(packs) or snapshot(packs_dir) != before:
            failures.append(f"no-op run: exit {result.returncode}, stdout {result.stdout!r}, files changed: "
                            f"{snapshot(packs_dir) != before}")

        checks += 1
        os.remove(os.path.join(packs_dir, "objectron-cup", "cup.obj"))
        # An interrupted earlier run left a staging directory: removed, and it is never a pack.
        os.makedirs(os.path.join(packs_dir, ".install-objectron-cup-interrupted"))
        result = run(cache)
        lines = result.stdout.splitlines()
        if result.returncode != 0 or not any(line.startswith("packs: objectron-cup: installed") for line in lines) \
                or sum(line.endswith(": up to date") for line in lines) != len(packs) - 1 \
                or not os.path.isfile(os.path.join(packs_dir, "objectron-cup", "cup.obj")) \
                or sorted(os.listdir(packs_dir)) != packs:
            failures.append(f"repair run: exit {result.returncode}, stdout {result.stdout!r}, "
                            f"packs dir {sorted(os.listdir(packs_dir))}")

        checks += 1
        victim = os.path.join(models, "object_detection_3d_chair.tflite")
        with open(victim, "r+b") as stream:
            stream.seek(4096)
            byte = stream.read(1)
            stream.seek(4096)
            stream.write(bytes([byte[0] ^ 0xFF]))
        with open(victim, "rb") as stream:
            actual = hashlib.sha256(stream.read()).hexdigest()
        expected = hashes["object_detection_3d_chair.tflite"]
        before = sorted(os.listdir(packs_dir))
        result = run(cache)
        errors = result.stderr.strip().splitlines()
        if result.returncode != 1 or len(errors) != 1 or victim not in errors[0] or expected not in errors[0] \
                or actual not in errors[0]:
            failures.append(f"tampered run: exit {result.returncode}, stderr {result.stderr!r}")
        if sorted(os.listdir(packs_dir)) != before:
            failures.append(f"tampered run changed the packs directory: {sorted(os.listdir(packs_dir))}")
    for failure in failures:
        print("FAILED:", failure)
    print(f"{checks} checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
