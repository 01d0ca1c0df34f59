#!/usr/bin/python3
"""Installs the category packs into the meshrt cache (docs/PACKS.md). Standard library only.

    /usr/bin/python3 tools/install_packs.py [--sources assets/pack_sources] [--cache DIR] [--encoder-model ONNX]

For each assets/pack_sources/<name>/pack.json: checks the SHA-256 of every model file it names in
<cache>/models/ (fetched by tools/fetch_models.py) against assets/models.json, then assembles
<cache>/packs/<name>/: pack.json with each model's "sha256" filled in, the models (hard links
to the verified cache files, or copies), the label map, the template mesh (assets/templates/, or
face_canonical.obj converted from MediaPipe's geometry_pipeline_metadata_landmarks.binarypb) and
LICENSE (licence and source of every file). A `ttp`/`regress` pack (no `models` in its source,
e.g. synthetic-bird) gets its template and deformation basis from assets/templates/, and its
encoder from the repository when the source directory holds `encoder.json` and the committed
model it names exists (`committed_model`, e.g. assets/models/synthetic_bird.onnx): the model is
copied in (not linked), its SHA-256 computed from the committed file and written into the installed pack.json
with `models`, `solver`, `test_time_mirror` and `silhouette_fit` from encoder.json. Without that file the pack stays dataset-only.
`--encoder-model ONNX` installs that file instead of the committed one (tools/train/reproduce.py
uses it for a model it has just trained, into a private cache).
A pack is built in a temporary directory inside
<cache>/packs and renamed into place, so a failure leaves the previous pack (or none), never a
half-written one. A pack whose installed files already match is left alone ("up to date").
A model whose hash differs is an error naming the file and both hashes (exit status 1).

Cache: $MESHRT_CACHE, else $XDG_CACHE_HOME/meshrt, else ~/.cache/meshrt (as tools/fetch_models.py).
"""
import argparse
import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fetch_models import cache_root, sha256_of_file  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FACE_METADATA = "geometry_pipeline_metadata_landmarks.binarypb"
FACE_TEMPLATE = "face_canonical.obj"
FACE_VERTICES = 468
DEFORM_HEADS = ("ttp", "regress")  # template + deformation basis heads (docs/DATASET.md)
ENCODER_SOURCE = "encoder.json"  # beside a ttp / regress pack source: its committed encoder


class InstallError(Exception):
    """One line for the user; the script exits 1."""


# --- MediaPipe's canonical face mesh --------------------------------------------------------------
# face_geometry.GeometryPipelineMetadata (geometry_pipeline_metadata.proto): field 1 canonical_mesh
# (Mesh3d), 2 procrustes_landmark_basis, 3 input_source. Mesh3d (mesh_3d.proto): 1 vertex_type
# (0 = VERTEX_PT: x, y, z, u, v per vertex), 2 primitive_type (0 = TRIANGLE), 3 repeated float
# vertex_buffer, 4 repeated uint32 index_buffer. Positions are centimetres, +y up, the face looks
# toward +z; UVs have v pointing down (the forehead's landmark 10 has v = 0.107, the chin's 152 0.954).

def _varint(data, at, label):
    value, shift = 0, 0
    while True:
        if at >= len(data) or shift > 63:
            raise InstallError(f"{label}: truncated or over-long varint at byte {at}")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def _fields(data, label):
    """(field number, wire type, value) of one protobuf message: int for varints, bytes otherwise."""
    at = 0
    while at < len(data):
        key, at = _varint(data, at, label)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = _varint(data, at, label)
        elif wire == 1:
            value, at = data[at:at + 8], at + 8
        elif wire == 2:
            length, at = _varint(data, at, label)
            value, at = data[at:at + length], at + length
        elif wire == 5:
            value, at = data[at:at + 4], at + 4
        else:
            raise InstallError(f"{label}: unsupported protobuf wire type {wire} (field {number})")
        if at > len(data):
            raise InstallError(f"{label}: field {number} runs past the end of the data")
        yield number, wire, value


def _repeated_floats(wire, value):
    if wire == 5:
        return [struct.unpack("<f", value)[0]]
    if wire == 2 and len(value) % 4 == 0:
        return list(struct.unpack(f"<{len(value) // 4}f", value))
    raise InstallError(f"vertex_buffer: unexpected wire type {wire}")


def _repeated_uints(wire, value, label):
    if wire == 0:
        return [value]
    if wire == 2:
        values, at = [], 0
        while at < len(value):
            item, at = _varint(value, at, label)
            values.append(item)
        return values
    raise InstallError(f"{label}: index_buffer: unexpected wire type {wire}")


def canonical_face_mesh(path):
    """(positions in centimetres, uvs with v down, triangles) of the canonical face mesh."""
    with open(path, "rb") as stream:
        data = stream.read()
    label = path
    meshes = [value for number, wire, value in _fields(data, label) if number == 1 and wire == 2]
    if len(meshes) != 1:
        raise InstallError(f"{label}: expected one canonical_mesh, found {len(meshes)}")
    vertex_type = primitive_type = 0
    vertex_buffer, index_buffer = [], []
    for number, wire, value in _fields(meshes[0], label + ": canonical_mesh"):
        if number == 1 and wire == 0:
            vertex_type = value
        elif number == 2 and wire == 0:
            primitive_type = value
        elif number == 3:
            vertex_buffer += _repeated_floats(wire, value)
        elif number == 4:
            index_buffer += _repeated_uints(wire, value, label)
    if vertex_type != 0 or primitive_type != 0:
        raise InstallError(f"{label}: canonical_mesh: expected VERTEX_PT triangles, got vertex_type {vertex_type}, "
                           f"primitive_type {primitive_type}")
    if len(vertex_buffer) != 5 * FACE_VERTICES:
        raise InstallError(f"{label}: canonical_mesh.vertex_buffer: {len(vertex_buffer)} floats, expected "
                           f"{5 * FACE_VERTICES} ({FACE_VERTICES} vertices × x, y, z, u, v)")
    if not index_buffer or len(index_buffer) % 3 or max(index_buffer) >= FACE_VERTICES:
        raise InstallError(f"{label}: canonical_mesh.index_buffer: not triangles of {FACE_VERTICES} vertices")
    positions = [tuple(vertex_buffer[5 * i:5 * i + 3]) for i in range(FACE_VERTICES)]
    uvs = [tuple(vertex_buffer[5 * i + 3:5 * i + 5]) for i in range(FACE_VERTICES)]
    triangles = [tuple(index_buffer[i:i + 3]) for i in range(0, len(index_buffer), 3)]
    return positions, uvs, triangles


def face_template_obj(metadata_path):
    """The canonical face mesh as a standard OBJ in the object frame of DESIGN §5 (metres)."""
    positions, uvs, triangles = canonical_face_mesh(metadata_path)
    # DESIGN §5: +y up, CCW seen from outside. The face looks toward +z, so a front triangle's
    # normal (b − a) × (c − a) has z > 0. MediaPipe's winding already is (≈ 99 % of triangles; the
    # rest lie in folds at the nose and lips); flip it only if a future mesh is the other way.
    def normal_z(a, b, c):
        ax, ay = positions[b][0] - positions[a][0], positions[b][1] - positions[a][1]
        bx, by = positions[c][0] - positions[a][0], positions[c][1] - positions[a][1]
        return ax * by - ay * bx
    facing = sum(1 for t in triangles if normal_z(*t) > 0)
    if facing < len(triangles) // 2:
        triangles = [(a, c, b) for a, b, c in triangles]
    lines = ["# meshrt template: MediaPipe's canonical face mesh (468 landmarks = vertices), Apache-2.0",
             f"# Converted by tools/install_packs.py from {FACE_METADATA}: centimetres → metres, +y up,",
             "# the face looks toward +z, triangles CCW seen from outside; vt is standard OBJ (v up).",
             f"# {len(positions)} vertices, {len(triangles)} triangles."]
    lines += [f"v {x / 100.0:.7f} {y / 100.0:.7f} {z / 100.0:.7f}" for x, y, z in positions]
    lines += [f"vt {u:.6f} {1.0 - v:.6f}" for u, v in uvs]
    lines += [f"f {a + 1}/{a + 1} {b + 1}/{b + 1} {c + 1}/{c + 1}" for a, b, c in triangles]
    return ("\n".join(lines) + "\n").replace("-0.0000000", "0.0000000").encode("utf-8")


# --- Pack assembly ------------------------------------------------------------------------------

def load_models_manifest(path):
    """{file name: (sha256, "package@version", licence)} from assets/models.json."""
    try:
        with open(path, encoding="utf-8") as stream:
            manifest = json.load(stream)
        files = {}
        for package in manifest["packages"]:
            origin = f"{package['package']}@{package['version']}"
            for entry in package["files"]:
                files[entry["name"]] = (entry["sha256"], origin, package.get("licence", "unknown"))
        return files
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InstallError(f"{path}: cannot read the models manifest: {error}") from None


class ModelStore:
    """The fetched models, each verified once per run against assets/models.json."""

    def __init__(self, models_dir, manifest):
        self.models_dir, self.manifest, self.verified = models_dir, manifest, set()

    def verified_path(self, name, label):
        if name not in self.manifest:
            raise InstallError(f"{label}: '{name}' is not a model of assets/models.json")
        path = os.path.join(self.models_dir, name)
        if name not in self.verified:
            if not os.path.isfile(path):
                raise InstallError(f"{path}: missing (run ./meshrt.sh fetch)")
            expected, actual = self.manifest[name][0], sha256_of_file(path)
            if actual != expected:
                raise InstallError(f"{path}: SHA-256 mismatch: expected {expected}, got {actual} "
                                   "(delete the file and run ./meshrt.sh fetch)")
            self.verified.add(name)
        return path


def field(obj, dotted, label):
    for key in dotted.split("."):
        if not isinstance(obj, dict) or key not in obj:
            raise InstallError(f"{label}: {dotted}: missing")
        obj = obj[key]
    return obj


def read_source_json(path):
    """(parsed JSON, label for errors: the path relative to the repository when inside it)."""
    label = os.path.relpath(path, REPO_ROOT) if path.startswith(REPO_ROOT) else path
    try:
        with open(path, encoding="utf-8") as stream:
            return json.load(stream), label
    except (OSError, ValueError) as error:
        raise InstallError(f"{label}: cannot read: {error}") from None


def plan_pack(source_path, store, templates_dir, encoder_model=None):
    """(name, {file name: ("link", verified path, sha256) | ("bytes", data)}) for one source.
    `encoder_model`: an .onnx to install as a ttp / regress pack's encoder instead of the
    committed one (tools/train/reproduce.py installs a freshly trained model this way)."""
    pack, label = read_source_json(source_path)
    name = field(pack, "name", label)
    if name != os.path.basename(os.path.dirname(source_path)):
        raise InstallError(f"{label}: name: '{name}' differs from its directory name")
    files, origins = {}, []

    def add_model(file_name, field_name):
        if not isinstance(file_name, str) or os.path.basename(file_name) != file_name:
            raise InstallError(f"{label}: {field_name}: expected a plain file name")
        path = store.verified_path(file_name, f"{label}: {field_name}")
        sha256, origin, licence = store.manifest[file_name]
        files[file_name] = ("link", path, sha256)
        origins.append(f"{file_name}: npm {origin} ({licence}), SHA-256 {sha256}")
        return sha256

    if pack.get("head") in DEFORM_HEADS and "models" not in pack:
        return name, plan_dataset_pack(pack, name, label, templates_dir,
                                       os.path.join(os.path.dirname(source_path), ENCODER_SOURCE), encoder_model)

    models = field(pack, "models", label)
    for role in ("detector", "landmarks"):
        model = field(pack, f"models.{role}", label)
        sha256 = add_model(field(model, "path", f"{label}: models.{role}"), f"models.{role}.path")
        # "sha256" right after "path", for the reader of pack.json.
        models[role] = {key: value for key, value in [("path", model["path"]), ("sha256", sha256)] +
                        [(k, v) for k, v in model.items() if k not in ("path", "sha256")]}
    detector = field(pack, "detector", label)
    label_map = detector.get("label_map") if isinstance(detector, dict) else None
    if label_map is not None:
        add_model(label_map, "detector.label_map")

    template = field(pack, "template.path", label)
    committed = os.path.join(templates_dir, template)
    if os.path.isfile(committed):
        with open(committed, "rb") as stream:
            files[template] = ("bytes", stream.read())
        origins.append(f"{template}: meshrt assets/templates (tools/make_templates.py)")
    elif template == FACE_TEMPLATE:
        metadata = store.verified_path(FACE_METADATA, f"{label}: template.path")
        files[template] = ("bytes", face_template_obj(metadata))
        _, origin, licence = store.manifest[FACE_METADATA]
        origins.append(f"{template}: converted from {FACE_METADATA} of npm {origin} ({licence})")
    else:
        raise InstallError(f"{label}: template.path: '{template}' is neither in {templates_dir} nor generated")

    licence = field(pack, "licence", label)
    files["LICENSE"] = ("bytes", (
        f"Pack '{name}' for meshrt. Licence of the models: {licence} (MediaPipe, Copyright Google LLC;\n"
        "https://www.apache.org/licenses/LICENSE-2.0). Installed by tools/install_packs.py.\n\nFiles:\n" +
        "".join(f"  {line}\n" for line in origins)).encode("utf-8"))
    files["pack.json"] = ("bytes", (json.dumps(pack, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return name, files


def plan_deform_encoder(pack, encoder_source, label, encoder_model=None):
    """models, solver, test_time_mirror and silhouette_fit of a ttp / regress pack from encoder.json, when its
    committed model exists.

    Returns ({file name: spec}, [origin lines]) and fills pack["models"], pack["solver"],
    pack["test_time_mirror"], pack["silhouette_fit"] (those encoder.json has); ({}, [])
    when there is no encoder.json or its model is not committed (yet): a dataset-only pack."""
    if not os.path.isfile(encoder_source):
        return {}, []
    source, encoder_label = read_source_json(encoder_source)
    committed = field(source, "committed_model", encoder_label)
    committed_path = os.path.join(REPO_ROOT, committed)
    if encoder_model:
        if not os.path.isfile(encoder_model):
            raise InstallError(f"--encoder-model {encoder_model}: no such file")
        committed, committed_path = encoder_model, encoder_model
    elif not os.path.isfile(committed_path):
        return {}, []
    model = field(source, "models.encoder", encoder_label)
    file_name = field(model, "path", f"{encoder_label}: models.encoder")
    if not isinstance(file_name, str) or os.path.basename(file_name) != file_name:
        raise InstallError(f"{encoder_label}: models.encoder.path: expected a plain file name")
    # Copied, not hard-linked: a re-export into the working tree (torch.onnx.export rewrites the
    # file in place) must not change the installed pack behind its recorded hash.
    with open(committed_path, "rb") as stream:
        data = stream.read()
    sha256 = hashlib.sha256(data).hexdigest()
    # "sha256" right after "path", for the reader of pack.json.
    pack["models"] = {"encoder": {key: value for key, value in [("path", file_name), ("sha256", sha256)] +
                                  [(k, v) for k, v in model.items() if k not in ("path", "sha256")]}}
    for key in ("solver", "test_time_mirror", "silhouette_fit"):  # run-time settings of the encoder's heads
        if key in source:
            pack[key] = source[key]
    files = {file_name: ("bytes", data)}
    return files, [f"{file_name}: meshrt {committed} (trained by tools/train/train.py), SHA-256 {sha256}"]


def plan_dataset_pack(pack, name, label, templates_dir, encoder_source="", encoder_model=None):
    """A ttp / regress pack: pack.json, template, basis, LICENSE, and the encoder when committed."""
    files, origins = plan_deform_encoder(pack, encoder_source, label, encoder_model) if encoder_source else ({}, [])
    for key in ("template.path", "basis.path"):
        file_name = field(pack, key, label)
        if not isinstance(file_name, str) or os.path.basename(file_name) != file_name:
            raise InstallError(f"{label}: {key}: expected a plain file name")
        committed = os.path.join(templates_dir, file_name)
        try:
            with open(committed, "rb") as stream:
                files[file_name] = ("bytes", stream.read())
        except OSError as error:
            raise InstallError(f"{label}: {key}: {committed}: {error.strerror}") from None
        origins.append(f"{file_name}: meshrt assets/templates (tools/make_templates.py)")
    licence = field(pack, "licence", label)
    kind = "with its encoder" if "models" in pack else "dataset-only: no models yet"
    files["LICENSE"] = ("bytes", (
        f"Pack '{name}' for meshrt ({kind}). Licence: {licence}.\n"
        "Installed by tools/install_packs.py.\n\nFiles:\n" + "".join(f"  {line}\n" for line in origins)).encode("utf-8"))
    files["pack.json"] = ("bytes", (json.dumps(pack, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return files


def installed_matches(pack_dir, files):
    if not os.path.isdir(pack_dir) or sorted(os.listdir(pack_dir)) != sorted(files):
        return False
    for file_name, spec in files.items():
        path = os.path.join(pack_dir, file_name)
        if spec[0] == "bytes":
            with open(path, "rb") as stream:
                if stream.read() != spec[1]:
                    return False
        elif not (os.path.samefile(path, spec[1]) or sha256_of_file(path) == spec[2]):
            return False
    return True


def remove_leftovers(packs_dir):
    """Staging directories of an interrupted run (pack discovery skips hidden directories anyway)."""
    for entry in os.listdir(packs_dir):
        if entry.startswith((".install-", ".old-")) and os.path.isdir(os.path.join(packs_dir, entry)):
            shutil.rmtree(os.path.join(packs_dir, entry), ignore_errors=True)


def install_pack(packs_dir, name, files):
    staging = tempfile.mkdtemp(prefix=f".install-{name}-", dir=packs_dir)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes it private; a pack is an ordinary directory
    try:
        for file_name, spec in files.items():
            target = os.path.join(staging, file_name)
            if spec[0] == "bytes":
                with open(target, "wb") as stream:
                    stream.write(spec[1])
                continue
            try:
                os.link(spec[1], target)
            except OSError:  # another file system, or no hard links: copy and check the copy
                shutil.copyfile(spec[1], target)
                actual = sha256_of_file(target)
                if actual != spec[2]:
                    raise InstallError(f"{target}: SHA-256 of the copy is {actual}, expected {spec[2]}")
        pack_dir = os.path.join(packs_dir, name)
        previous = None
        if os.path.lexists(pack_dir):
            previous = tempfile.mkdtemp(prefix=f".old-{name}-", dir=packs_dir)
            os.rename(pack_dir, os.path.join(previous, name))
        os.rename(staging, pack_dir)
        staging = None
        if previous:
            shutil.rmtree(previous, ignore_errors=True)
    finally:
        if staging:
            shutil.rmtree(staging, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", default=os.path.join(REPO_ROOT, "assets", "pack_sources"))
    parser.add_argument("--manifest", default=os.path.join(REPO_ROOT, "assets", "models.json"))
    parser.add_argument("--templates", default=os.path.join(REPO_ROOT, "assets", "templates"))
    parser.add_argument("--cache", default=None, help="cache root (default: $MESHRT_CACHE, ...)")
    parser.add_argument("--encoder-model", default=None,
                        help="install this .onnx as the encoder of ttp / regress packs instead of the committed one")
    args = parser.parse_args()
    root = args.cache or cache_root()
    models_dir, packs_dir = os.path.join(root, "models"), os.path.join(root, "packs")
    try:
        store = ModelStore(models_dir, load_models_manifest(args.manifest))
        try:
            names = sorted(entry for entry in os.listdir(args.sources)
                           if os.path.isfile(os.path.join(args.sources, entry, "pack.json")))
        except OSError as error:
            raise InstallError(f"{args.sources}: {error.strerror}") from None
        if not names:
            raise InstallError(f"{args.sources}: no <name>/pack.json")
        print(f"packs: checking {len(names)} packs against the models in {models_dir}", flush=True)
        os.makedirs(packs_dir, exist_ok=True)
        remove_leftovers(packs_dir)
        for name in names:
            source = os.path.join(args.sources, name, "pack.json")
            try:
                _, files = plan_pack(source, store, args.templates, args.encoder_model)
            except (KeyError, TypeError, AttributeError, ValueError) as error:
                raise InstallError(f"{source}: malformed pack source: {error!r}") from None
            pack_dir = os.path.join(packs_dir, name)
            if installed_matches(pack_dir, files):
                print(f"packs: {name}: up to date", flush=True)
                continue
            install_pack(packs_dir, name, files)
            print(f"packs: {name}: installed ({len(files)} files) in {pack_dir}", flush=True)
        return 0
    except InstallError as error:
        print(f"install_packs: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"install_packs: {error.filename or packs_dir}: {error.strerror or error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
