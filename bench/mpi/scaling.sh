#!/bin/sh
# PHOLD, or with --fleet the benchmark fleet, across 1, 2, ... MPI ranks, one table
# (docs/distributed.md), then whether the event hash (the last column) is the same for
# every rank count; exit 1 if not:
#   bench/mpi/scaling.sh [--fleet] BUILD_DIR [RANKS...] -- [bench options]
# e.g. bench/mpi/scaling.sh build 1 2 -- --lps 100000 --events 4e6
#      bench/mpi/scaling.sh --fleet build 1 2 -- --vehicles 100000 --depots 1000
set -eu
name=phold_mpi_bench
if [ "${1:-}" = "--fleet" ]; then
    name=fleet_mpi_bench
    shift
fi
bench=$1/bench/mpi/$name
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
echo "$(date -u '+%Y-%m-%d %H:%M UTC'): $name$ranks ranks, options: $*; $(uptime)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
header=""
for r in $ranks; do
    mpirun --oversubscribe -np "$r" "$bench" $header "$@" | tee -a "$out"
    header=--no-header
done
echo "at the end: $(uptime)"
hashes=$(awk '$1 ~ /^[0-9]+$/ { print $NF }' "$out" | sort -u | wc -l)
if [ "$hashes" -eq 1 ]; then
    echo "event hash: the same for every rank count"
else
    echo "event hash: DIFFERENT between rank counts"
    exit 1
fi
