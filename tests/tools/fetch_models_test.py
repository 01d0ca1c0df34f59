#!/usr/bin/python3
"""ctest: tools/fetch_models.py against a copy of the fetched cache, without network.

- every file present and verified: exit 0, "all N files present and verified", nothing written;
- one file tampered: exit 1 and one line naming the file, the expected and the actual SHA-256.
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
SCRIPT = os.path.join(ROOT, "tools", "fetch_models.py")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import fetch_models  # noqa: E402


def run(cache):
    # npm removed from PATH: a no-op run must not need it (nor the network).
    env = dict(os.environ, PATH="/nonexistent")
    return subprocess.run([sys.executable, SCRIPT, "--cache", cache], capture_output=True, text=True, env=env)


def main():
    source = os.path.join(fetch_models.cache_root(), "models")
    with open(os.path.join(ROOT, "assets", "models.json"), encoding="utf-8") as stream:
        entries = [entry for package in json.load(stream)["packages"] for entry in package["files"]]
    if not all(os.path.exists(os.path.join(source, entry["name"])) for entry in entries):
        print(f"SKIPPED: models not fetched: run ./meshrt.sh build ({source})")
        return 77
    failures = []
    with tempfile.TemporaryDirectory() as cache:
        os.makedirs(os.path.join(cache, "models"))
        for entry in entries:
            shutil.copyfile(os.path.join(source, entry["name"]), os.path.join(cache, "models", entry["name"]))
        before = sorted(os.listdir(os.path.join(cache, "models")))
        result = run(cache)
        if result.returncode != 0 or f"all {len(entries)} files present and verified" not in result.stdout:
            failures.append(f"no-op run: exit {result.returncode}, stdout {result.stdout!r}, stderr {result.stderr!r}")
        if sorted(os.listdir(os.path.join(cache, "models"))) != before:
            failures.append("no-op run changed the cache directory")

        victim = os.path.join(cache, "models", "face_landmark.tflite")
        with open(victim, "r+b") as stream:
            stream.seek(1000)
            byte = stream.read(1)
            stream.seek(1000)
            stream.write(bytes([byte[0] ^ 0xFF]))
        with open(victim, "rb") as stream:
            actual = hashlib.sha256(stream.read()).hexdigest()
        expected = next(entry["sha256"] for entry in entries if entry["name"] == "face_landmark.tflite")
        result = run(cache)
        lines = result.stderr.strip().splitlines()
        if result.returncode != 1 or len(lines) != 1 or victim not in lines[0] or expected not in lines[0] \
                or actual not in lines[0]:
            failures.append(f"tampered run: exit {result.returncode}, stderr {result.stderr!r}")
    for failure in failures:
        print("FAILED:", failure)
    print(f"{2 - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
