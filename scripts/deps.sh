#!/usr/bin/env bash
# Installs the Debian 12 packages swarmsim needs, if any are missing. Sourced by test.sh/run.sh.
set -euo pipefail

SWARM_APT_PACKAGES=(
    cmake ninja-build g++ pkg-config
    libtbb-dev libboost-graph-dev libeigen3-dev librandom123-dev libmetis-dev
    libhdf5-dev libdeflate-dev doctest-dev libcli11-dev libtomlplusplus-dev
    libosmium2-dev libprotozero-dev zlib1g-dev libbz2-dev libexpat1-dev liblz4-dev
    libsodium-dev dataset-fashion-mnist
    # WGS84 coordinates in scenarios (PROJ) and GeoJSON areas (nlohmann-json)
    libproj-dev nlohmann-json3-dev
    python3 python3-h5py python3-numpy python3-matplotlib
    # swarmsim-viz: Dear ImGui (with its GLFW and OpenGL3 backends), GLFW, OpenGL; its tests
    # draw offscreen under xvfb-run with Mesa's llvmpipe
    libimgui-dev libglfw3-dev libgl-dev libgl1-mesa-dri xvfb xauth
    # the dashboard's headline figures (DejaVu Sans Bold; without it ImGui's own font, scaled)
    fonts-dejavu-core
    # the CI sanitizer, fuzz and TSan legs (.ci/run): clang 14, its compiler-rt (libFuzzer,
    # sanitizer runtimes) and llvm-symbolizer for file:line in sanitizer reports
    clang libclang-rt-14-dev llvm
)

swarm_install_deps() {
    local missing=()
    local pkg
    for pkg in "${SWARM_APT_PACKAGES[@]}" "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    echo "swarmsim: installing missing packages: ${missing[*]}" >&2
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "swarmsim: need root or sudo to install: ${missing[*]}" >&2
            exit 1
        fi
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# configure the given build dir (once; again with extra cmake args when given)
swarm_configure() {
    local dir=$1
    shift
    local root
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    if [ ! -f "$dir/build.ninja" ]; then
        cmake -S "$root" -B "$dir" -G Ninja "$@"
    else
        cmake "$dir" "$@" >/dev/null
    fi
}

# configure and build everything in the given build dir, with extra cmake args
swarm_build() {
    swarm_configure "$@"
    cmake --build "$1" -j "$(nproc)"
}

# configure the given build dir and build only these targets (run.sh: the swarmsim CLI)
#   swarm_build_targets DIR TARGET...
swarm_build_targets() {
    local dir=$1
    shift
    swarm_configure "$dir"
    cmake --build "$dir" -j "$(nproc)" --target "$@"
}
