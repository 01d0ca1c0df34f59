#!/usr/bin/env bash
# meshrt set-up, build and run. Idempotent: re-running installs nothing new and rebuilds
# only what changed.
#
#   ./meshrt.sh demo [meshrt demo flags]   set up, build, run `meshrt info` + the demo
#   ./meshrt.sh test                       set up, build, run every test through ctest
#                                          (Release suite, then the ASan+UBSan suite)
#   ./meshrt.sh build                      set up and build (Release) into build/
#   ./meshrt.sh fetch                      fetch the pinned models (assets/models.json) into
#                                          the cache and install the packs built from them
#                                          (docs/PACKS.md); build, test and demo do this first
#   ./meshrt.sh fuzz [seconds] [target..]  install clang + libFuzzer, build the fuzz preset into
#                                          build-fuzz/, run each fuzz target (tflite onnx pack
#                                          obj) for [seconds] (default 600) on its seeds, nice'd
#
# Environment:
#   MESHRT_TEST_PRESETS="release asan"   which ctest presets `test` runs (CMakePresets.json)
#   MESHRT_SKIP_APT=1                    do not touch system packages (you installed them)
#   MESHRT_CACHE=DIR                     model cache: fetched MediaPipe models, installed packs,
#                                        exported ONNX encoders (default $XDG_CACHE_HOME/meshrt or
#                                        ~/.cache/meshrt)
#   MESHRT_FUZZ_EXTRA_CORPUS=DIR         `fuzz`: an extra read-only corpus dir (e.g. the model cache)
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the project needs to build and test (DESIGN §4, STYLE "Dependencies").
PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libvulkan-dev mesa-vulkan-drivers vulkan-validationlayers glslc spirv-tools vulkan-tools
  libdnnl-dev ocl-icd-opencl-dev nlohmann-json3-dev libstb-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libonnx-dev libprotobuf-dev
  # pack loading: the models' SHA-256 (OpenSSL libcrypto, runtime/core/sha256_file.cpp)
  libssl-dev
  # tools/fetch_models.py (npm pack of the pinned MediaPipe packages)
  python3 npm
  # tests/tools/validate_json.py: result.json and bench JSON against docs/schemas/
  python3-jsonschema
  # tools/export_encoders.py: the ONNX exports the importer's tests run (ResNet-18, MobileNetV2).
  python3-torch python3-torchvision python3-numpy
  # tools/dataset.py: reads render-dataset's PNGs (already pulled in by python3-torchvision)
  python3-pil
  # demo/ only (DESIGN §9): the window, its UI, and the e2e test's virtual display
  libglfw3-dev libimgui-dev xvfb
  # frame sources (runtime/capture): video files, MJPEG webcams and JPEG photos; ffmpeg makes the tests' clip
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libturbojpeg0-dev ffmpeg
  # tests only: the assimp program imports the .glb/.obj files meshrt writes (a third-party reader)
  assimp-utils
)
# `./meshrt.sh fuzz` only (never the default build or `test`): clang and its libFuzzer runtime.
FUZZ_PACKAGES=(clang libclang-rt-dev)

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'meshrt.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to install packages: run as root, install sudo, or install them yourself and set MESHRT_SKIP_APT=1"
  fi
}

# install_packages [PACKAGE...]: the missing ones of PACKAGES, or of the given list.
install_packages() {
  [ "${MESHRT_SKIP_APT:-0}" = 1 ] && return 0
  local wanted=("$@")
  [ ${#wanted[@]} -gt 0 ] || wanted=("${PACKAGES[@]}")
  command -v dpkg-query >/dev/null || die "this set-up script supports Debian/Ubuntu (apt); install: ${wanted[*]}"
  local missing=()
  for package in "${wanted[@]}"; do
    # A Node.js that bundles npm (e.g. NodeSource's nodejs) conflicts with Debian's npm package.
    [ "$package" = npm ] && command -v npm >/dev/null && continue
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "System packages: all ${#wanted[@]} present"
    return 0
  fi
  log "Installing ${#missing[@]} Debian packages: ${missing[*]}"
  # apt-get update once per machine (the lists stay valid for the later installs).
  if [ ! -f /var/lib/apt/periodic/meshrt-updated ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
    as_root apt-get update -qq
    as_root mkdir -p /var/lib/apt/periodic && as_root touch /var/lib/apt/periodic/meshrt-updated
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

fetch_models() {
  # Standard-library Python; a no-op without network when every model is present and verified.
  local python=/usr/bin/python3
  [ -x "$python" ] || python=python3
  log "Models (assets/models.json)"
  "$python" tools/fetch_models.py || die "model fetch failed (see the line above)"
  # The category packs (docs/PACKS.md) from the verified models; a no-op when they are current.
  log "Packs (assets/pack_sources)"
  "$python" tools/install_packs.py || die "pack installation failed (see the line above)"
}

configure_and_build() {
  local preset=$1
  local dir=build
  [ "$preset" = release ] || dir=build-$preset
  if [ ! -f "$dir/build.ninja" ]; then
    log "Configuring ($preset preset) into $dir/"
    cmake --preset "$preset" | grep -E 'CUDA backend|Build files|Error' || true
    [ -f "$dir/build.ninja" ] || die "configure failed; run: cmake --preset $preset"
  fi
  log "Building ($preset) with $(nproc) jobs"
  cmake --build --preset "$preset"
}

# The ONNX importer's parity tests need torchvision's ResNet-18 and MobileNetV2 exported to ONNX
# (~120 MB, not committed). Exported once into the cache; the tests skip, saying so, without them.
export_onnx_models() {
  local dir="${MESHRT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshrt}/models/onnx"
  local missing=0 name
  for name in resnet18_256 resnet18_224 mobilenet_v2_256 mobilenet_v2_224; do
    [ -f "$dir/$name.onnx" ] || missing=1
  done
  if [ $missing = 0 ]; then
    log "ONNX encoder exports: present in $dir"
    return 0
  fi
  if ! /usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null; then
    log "ONNX encoder exports: skipped (python3-torchvision missing); their tests will report SKIPPED"
    return 0
  fi
  log "ONNX encoder exports: writing the missing ones into $dir"
  /usr/bin/python3 tools/export_encoders.py export --out "$dir"
}

# The importers' libFuzzer targets (tests/fuzz/, docs/TESTING.md "Fuzzing") named after $1, one
# after another, each for $1 seconds at nice 19. New inputs go to build-fuzz/corpus/<target>/ (the committed
# seeds in tests/fuzz/corpus/ and regressions in tests/fuzz/regressions/ are read, never written); a crash, hang (> 10 s per input), leak or
# sanitizer report stops that target and leaves its reproducer in build-fuzz/artifacts/<target>/.
# MESHRT_FUZZ_EXTRA_CORPUS=DIR adds a read-only corpus directory (e.g. the model cache) to every run.
run_fuzzers() {
  local seconds=$1 status=0 target log_file
  shift
  for target in "$@"; do
    [ -x "build-fuzz/tests/fuzz/${target}_fuzzer" ] || die "fuzz: no target '$target' (tflite, onnx, pack, obj)"
    local work=build-fuzz/corpus/$target artifacts=build-fuzz/artifacts/$target
    mkdir -p "$work" "$artifacts"
    local options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
                   -artifact_prefix="$artifacts/")
    [ -f "tests/fuzz/$target.dict" ] && options+=(-dict="tests/fuzz/$target.dict")
    local corpora=("$work" "tests/fuzz/corpus/$target" "tests/fuzz/regressions/$target")
    [ -n "${MESHRT_FUZZ_EXTRA_CORPUS:-}" ] && corpora+=("$MESHRT_FUZZ_EXTRA_CORPUS")
    log_file=build-fuzz/fuzz-$target.log
    log "Fuzzing $target for ${seconds}s (seeds tests/fuzz/corpus/$target; log $log_file)"
    # The committed regressions first: each must still pass.
    nice -n 19 "build-fuzz/tests/fuzz/${target}_fuzzer" tests/fuzz/regressions/$target/* >/dev/null 2>&1 ||
      { status=1; log "$target: a committed regression fails again (run it: build-fuzz/tests/fuzz/${target}_fuzzer tests/fuzz/regressions/$target/*)"; }
    if nice -n 19 "build-fuzz/tests/fuzz/${target}_fuzzer" "${options[@]}" "${corpora[@]}" >"$log_file" 2>&1; then
      grep -E '^#[0-9]+[[:space:]]+DONE' "$log_file" | tail -n1 || true
    else
      status=1
      grep -E 'ERROR|SUMMARY|Test unit written' "$log_file" || tail -n 20 "$log_file"
    fi
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$log_file" || true
  done
  return $status
}

print_test_device() {
  # The Vulkan tests use the same selection (MESHRT_DEVICE, else the preferred device).
  local device
  device=$(./build/demo/meshrt info 2>/dev/null | sed -n 's/^Vulkan device: *//p' | head -n1) || true
  log "Vulkan device for the tests: ${device:-unknown (meshrt info failed; see below)}"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  fetch)
    install_packages
    fetch_models
    ;;
  build)
    install_packages
    fetch_models
    configure_and_build release
    export_onnx_models
    ;;
  demo)
    install_packages
    fetch_models
    configure_and_build release
    log "meshrt info"
    ./build/demo/meshrt info
    if [ $# -eq 0 ]; then
      if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        # meshrt falls back to headless itself when the display cannot be reached.
        log "meshrt demo (window on the built-in sample; screenshots go to build/demo-out)"
        set -- --out build/demo-out
      else
        log "meshrt demo (no \$DISPLAY or \$WAYLAND_DISPLAY: headless run; frames go to build/demo-out/)"
        set -- --headless --frames 30 --out build/demo-out --trace build/demo-out/trace.json
      fi
    fi
    ./build/demo/meshrt demo "$@"
    ;;
  test)
    install_packages
    fetch_models
    export_onnx_models
    presets=${MESHRT_TEST_PRESETS:-release asan}
    status=0
    for preset in $presets; do
      configure_and_build "$preset"
      [ "$preset" = release ] && print_test_device
      log "Tests ($preset preset)"
      ctest --preset "$preset" -j "$(nproc)" || status=1
    done
    exit $status
    ;;
  fuzz)
    seconds=${1:-600}
    [[ "$seconds" =~ ^[0-9]+$ ]] || die "fuzz: seconds must be a whole number, got '$seconds'"
    install_packages "${PACKAGES[@]}" "${FUZZ_PACKAGES[@]}"
    configure_and_build fuzz
    shift || true
    targets=("$@")
    [ ${#targets[@]} -gt 0 ] || targets=(tflite onnx pack obj)
    run_fuzzers "$seconds" "${targets[@]}"
    ;;
  *)
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2
    [ -z "$cmd" ] || die "unknown subcommand '$cmd'"
    exit 2
    ;;
esac
