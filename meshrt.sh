#!/usr/bin/env bash
# meshrt set-up, build and run. Idempotent: re-running installs nothing new and rebuilds
# only what changed.
#
#   ./meshrt.sh demo [meshrt demo flags]   set up, build, run `meshrt info` + the demo
#   ./meshrt.sh test                       set up, build, run every test through ctest
#                                          (Release suite, then the ASan+UBSan suite)
#   ./meshrt.sh build                      set up and build (Release) into build/
#
# Environment:
#   MESHRT_TEST_PRESETS="release asan"   which ctest presets `test` runs (CMakePresets.json)
#   MESHRT_SKIP_APT=1                    do not touch system packages (you installed them)
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the project needs to build and test (DESIGN §4, STYLE "Dependencies").
PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libvulkan-dev mesa-vulkan-drivers vulkan-validationlayers glslc spirv-tools vulkan-tools
  libdnnl-dev ocl-icd-opencl-dev nlohmann-json3-dev libstb-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # demo/ only (DESIGN §9): the window, its UI, and the e2e test's virtual display
  libglfw3-dev libimgui-dev xvfb
  # frame sources (runtime/capture): video files, MJPEG webcams; ffmpeg makes the tests' clip
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libturbojpeg0-dev ffmpeg
)

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'meshrt.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to install packages: run as root, install sudo, or install them yourself and set MESHRT_SKIP_APT=1"
  fi
}

install_packages() {
  [ "${MESHRT_SKIP_APT:-0}" = 1 ] && return 0
  command -v dpkg-query >/dev/null || die "this set-up script supports Debian/Ubuntu (apt); install: ${PACKAGES[*]}"
  local missing=()
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "System packages: all ${#PACKAGES[@]} present"
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

print_test_device() {
  # The Vulkan tests use the same selection (MESHRT_DEVICE, else the preferred device).
  local device
  device=$(./build/demo/meshrt info 2>/dev/null | sed -n 's/^Vulkan device: *//p' | head -n1) || true
  log "Vulkan device for the tests: ${device:-unknown (meshrt info failed; see below)}"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  build)
    install_packages
    configure_and_build release
    ;;
  demo)
    install_packages
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
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
    [ -z "$cmd" ] || die "unknown subcommand '$cmd'"
    exit 2
    ;;
esac
