#!/bin/sh
# PHOLD across 1, 2, ... MPI ranks, one table (docs/distributed.md):
#   bench/mpi/scaling.sh BUILD_DIR [RANKS...] -- [phold_mpi_bench options]
# e.g. bench/mpi/scaling.sh build 1 2 -- --lps 100000 --events 4e6
set -eu
bench=$1/bench/mpi/phold_mpi_bench
shift
ranks=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    ranks="$ranks $1"
    shift
done
[ $# -gt 0 ] && shift
[ -n "$ranks" ] || ranks="1 2"
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
header=""
for r in $ranks; do
    mpirun --oversubscribe -np "$r" "$bench" $header "$@"
    header=--no-header
done
