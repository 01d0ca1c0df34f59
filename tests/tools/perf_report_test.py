#!/usr/bin/python3
"""tools/perf_report.py without timing anything that matters (no speed assertions):
  1. --dry-run on the real docs/PERF.md: every section's command is listed, the file is untouched;
  2. a copy of PERF.md lacking a marker: exit 1, a one-line error naming the file and the marker,
     the copy untouched;
  3. --quick --only ttp on a copy: only the text between the ttp markers changes, and it holds a
     table row with the machine and the date (needs python3-torch; exit 77 = skipped without it).
Usage: perf_report_test.py BUILD_DIR
"""
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / "tools" / "perf_report.py"
PERF_MD = REPO / "docs" / "PERF.md"


def run(*args):
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)], capture_output=True, text=True, timeout=600)


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def main():
    build = Path(sys.argv[1])
    before = hashlib.sha256(PERF_MD.read_bytes()).hexdigest()
    dry = run("--dry-run", "--build", build)
    if dry.returncode != 0:
        fail(f"dry run exit {dry.returncode}: {dry.stderr.strip()}")
    for section in ["frames", "raster", "encoder", "uv_splat", "ttp"]:
        if f"\n{section}: " not in "\n" + dry.stdout:
            fail(f"dry run lists no command for {section}")
    for pack in ["objectron-cup", "face", "objectron-camera", "objectron-chair", "objectron-sneakers"]:
        if f"--pack {pack} " not in dry.stdout:
            fail(f"dry run has no meshrt bench for {pack}")
    if hashlib.sha256(PERF_MD.read_bytes()).hexdigest() != before:
        fail("dry run changed docs/PERF.md")

    text = PERF_MD.read_text()
    with tempfile.TemporaryDirectory() as tmp:
        broken = Path(tmp) / "PERF.md"
        broken.write_text(text.replace("<!-- perf_report:ttp end -->", ""))
        broken_bytes = broken.read_bytes()
        result = run("--dry-run", "--build", build, "--perf-md", broken)
        message = result.stderr.strip()
        if result.returncode != 1 or len(message.splitlines()) != 1 or str(broken) not in message \
                or "perf_report:ttp" not in message:
            fail(f"missing marker: exit {result.returncode}, stderr {message!r}")
        if broken.read_bytes() != broken_bytes:
            fail("a failed run changed the file")

        try:
            import torch  # noqa: F401
        except ImportError:
            print("SKIP: python3-torch not installed; the quick ttp run needs it")
            sys.exit(77)
        copy = Path(tmp) / "PERF_copy.md"
        copy.write_text(text)
        result = run("--quick", "--only", "ttp", "--build", build, "--perf-md", copy)
        if result.returncode != 0:
            fail(f"quick ttp run exit {result.returncode}: {result.stderr.strip()}")
        new = copy.read_text()
        begin, end = "<!-- perf_report:ttp begin -->", "<!-- perf_report:ttp end -->"
        if new.split(begin)[0] != text.split(begin)[0] or new.split(end)[1] != text.split(end)[1]:
            fail("text outside the ttp markers changed")
        block = new.split(begin)[1].split(end)[0]
        rows = [line for line in block.splitlines() if line.startswith("| 2 |")]
        if len(rows) != 1 or " UTC |" not in rows[0] or "vCPU" not in rows[0]:
            fail(f"ttp block lacks a data row with machine and date: {block!r}")
    print("perf_report: dry run, missing marker and quick ttp run behave")


if __name__ == "__main__":
    main()
