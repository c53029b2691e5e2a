#!/usr/bin/env bash
# Installs what is missing, builds swarmsim and runs the main job.
#   scripts/run.sh [args for the demo...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/deps.sh
source "$root/scripts/deps.sh"
swarm_install_deps

build=$root/build
swarm_build "$build" >&2
exec "$build/cli/swarmsim" demo "$@"
