#!/usr/bin/env bash
# Makes the visualizer's pictures under xvfb-run (Mesa's llvmpipe renders in software), from
# seeded runs of the shipped scenarios: the same pixels every time.
#   scripts/make_screenshots.sh             docs/viz-screenshot.png, the README's picture: the
#                                           cloud and the swarm side by side during the cloud
#                                           outage of scenarios/cloud_outage.toml (t = 0:40),
#                                           and docs/viz-fork.png: "Fork here" on
#                                           scenarios/bridge_collapse.toml, the cloud from the
#                                           collapse (0:30) beside the swarm, at 1:30
#   scripts/make_screenshots.sh --all DIR   that picture and the others the tests check (live,
#                                           replay, side by side at 1024x640, kiosk live and
#                                           side by side), each with its frame report (.json)
# BUILD=DIR picks the build directory (default build/); swarmsim and swarmsim-viz are built.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/deps.sh
source "$root/scripts/deps.sh"
swarm_install_deps

all=""
if [ $# -gt 0 ]; then
    if [ "$1" != "--all" ] || [ $# -ne 2 ]; then
        echo "usage: scripts/make_screenshots.sh [--all DIR]" >&2
        exit 2
    fi
    all=$2
    mkdir -p "$all"
fi

build=$(realpath -m "${BUILD:-$root/build}")  # absolute: the pictures are made from $tmp
swarm_build_targets "$build" swarmsim swarmsim-viz >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the cloud outage (the link is down from 0:30 to 0:50) by the cloud and by the auction
scenario=$root/scenarios/cloud_outage.toml
"$build/cli/swarmsim" run "$scenario" -o "$tmp/cloud.h5" >/dev/null
"$build/cli/swarmsim" run "$scenario" --set policies.allocation=auction -o "$tmp/auction.h5" \
    >/dev/null
viz() {
    xvfb-run -a "$build/viz/swarmsim-viz" "$@" --force
}
# the README's picture
(cd "$tmp" && viz cloud.h5 --compare auction.h5 --at 2400 --size 1280x800 \
    --screenshot "$root/docs/viz-screenshot.png")
# docs/viz.md's "Fork here"
viz "$root/scenarios/bridge_collapse.toml" --fork-at 1800 --fork-set policies.allocation=cloud \
    --at 5400 --size 1600x900 --screenshot "$root/docs/viz-fork.png"

if [ -n "$all" ]; then
    out=$(cd "$all" && pwd)
    shot() {
        local name=$1
        shift
        viz "$@" --screenshot "$out/$name.png" --layout-out "$out/$name.json"
    }
    cp "$root/docs/viz-screenshot.png" "$out/"
    cd "$tmp"
    shot live "$scenario" --at 2400
    shot replay cloud.h5 --at 2400
    shot compare-1024x640 cloud.h5 --compare auction.h5 --at 2400 --size 1024x640
    shot kiosk-live "$scenario" --kiosk --at 2400 --size 1024x640
    shot kiosk-compare cloud.h5 --compare auction.h5 --kiosk --at 2400
fi
