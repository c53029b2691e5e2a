#!/usr/bin/env bash
# Installs what is missing, builds the swarmsim CLI (only it: the tests, benchmarks and the
# visualizer are built by scripts/test.sh, in the same build dir) and runs the main job.
#   scripts/run.sh [options...]              runs scenarios/default.toml
#   scripts/run.sh SCENARIO.toml [options...]
# options as for `swarmsim run` (-j N, --seed S, --set key.path=value, --until S, -o FILE,
# --json)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/deps.sh
source "$root/scripts/deps.sh"
swarm_install_deps

build=$root/build
swarm_build_targets "$build" swarmsim >&2
if [ $# -gt 0 ] && [ -f "$1" ]; then
    exec "$build/cli/swarmsim" run "$@"
fi
exec "$build/cli/swarmsim" run "$root/scenarios/default.toml" "$@"
