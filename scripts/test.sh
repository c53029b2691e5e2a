#!/usr/bin/env bash
# Installs what is missing, builds swarmsim with its tests and runs the whole suite.
#   scripts/test.sh [build-dir] [extra cmake args...]     (default build dir: build)
# SWARM_CTEST_EXCLUDE_LABEL (a ctest label regex) and SWARM_CTEST_EXCLUDE (a test name
# regex) leave those tests out of the run: the sanitizer leg of .ci/run uses them for the
# learning accuracy tests.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/deps.sh
source "$root/scripts/deps.sh"
# Open MPI on top of the run's packages: the suite runs the kernel and sweeps across ranks
# (run.sh leaves it out; the build uses MPI whenever it is installed: SWARM_WITH_MPI=AUTO)
swarm_install_deps libopenmpi-dev openmpi-bin

build=${1:-$root/build}
[ $# -gt 0 ] && shift
# viz explicitly on: build dirs configured before it became the default keep OFF cached
swarm_build "$build" -DSWARM_BUILD_TESTS=ON -DSWARM_BUILD_VIZ=ON "$@"
exclude=()
[ -n "${SWARM_CTEST_EXCLUDE_LABEL:-}" ] && exclude+=(-LE "$SWARM_CTEST_EXCLUDE_LABEL")
[ -n "${SWARM_CTEST_EXCLUDE:-}" ] && exclude+=(-E "$SWARM_CTEST_EXCLUDE")
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "${exclude[@]}"
