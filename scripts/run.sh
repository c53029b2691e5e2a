#!/usr/bin/env bash
# Installs what is missing, builds swarmsim and runs the main job.
#   scripts/run.sh [options...]              runs scenarios/default.toml
#   scripts/run.sh SCENARIO.toml [options...]
# options as for `swarmsim run` (-j N, --seed S, --set key.path=value, --until S, --json)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/deps.sh
source "$root/scripts/deps.sh"
swarm_install_deps

build=$root/build
swarm_build "$build" >&2
if [ $# -gt 0 ] && [ -f "$1" ]; then
    exec "$build/cli/swarmsim" run "$@"
fi
exec "$build/cli/swarmsim" run "$root/scenarios/default.toml" "$@"
