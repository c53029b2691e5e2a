#!/bin/sh
# swarmsim under mpirun (docs/distributed.md): a sweep and a compare across 1 and 2 ranks
# write the same summaries (summary.csv, compare.json, every run's summary.json but for its
# host timings) as without mpirun, and the same manifest but for timings and the ranks; commands that do not
# run across ranks refuse with exit 2 and write nothing. The refusals are checked without
# mpirun too (the launcher's variables set by hand); the rest is skipped (77) without MPI.
# usage: mpi_batch_test.sh SWARMSIM SOURCE_DIR WORKDIR MPIRUN HAVE_MPI
set -u
swarmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
work=$3
mpirun=$4
have_mpi=$5
failures=0
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
default=$src/scenarios/default.toml
py=/usr/bin/python3

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# rank 1 of 2, as mpirun would say: run with a checkpoint (and -o), validate and whatif refuse,
# saying why, exit 2
for cmd in "run $default --set run.duration_s=60 --checkpoint-at 30 -o refused.h5" \
    "validate $default" \
    "whatif $default --at 30 --branch a:run.seed=3 --out-dir refused_whatif"; do
    # shellcheck disable=SC2086
    OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=0 "$swarmsim" $cmd >out.txt 2>err.txt
    code=$?
    [ $code -eq 2 ] || fail "'$cmd' as rank 0 of 2 exited $code, expected 2"
    # run refuses a checkpoint across ranks (or, built without MPI, any run across ranks)
    grep -q -e "does not run across ranks" -e "not supported yet" -e "without MPI" \
        err.txt || fail "'$cmd' refusal: $(cat err.txt)"
    # shellcheck disable=SC2086
    OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=1 "$swarmsim" $cmd >out.txt 2>err.txt
    [ $? -eq 2 ] || fail "'$cmd' as rank 1 of 2 did not exit 2"
    [ -s err.txt ] && fail "rank 1 repeated the refusal: $(cat err.txt)"
done
[ -e refused.h5 ] || [ -e refused_whatif ] && fail "a refused command wrote its outputs"

if [ "$have_mpi" != "ON" ] || [ -z "$mpirun" ] || ! command -v "$mpirun" >/dev/null 2>&1; then
    # a build without MPI refuses to share a sweep it cannot share
    OMPI_COMM_WORLD_SIZE=2 "$swarmsim" sweep "$default" --set run.seed=1 --out-dir nompi \
        >out.txt 2>err.txt
    code=$?
    if [ "$have_mpi" != "ON" ]; then
        [ $code -eq 2 ] || fail "sweep as one of 2 ranks without MPI exited $code, expected 2"
        grep -q "built without MPI" err.txt || fail "no-MPI refusal: $(cat err.txt)"
    fi
    [ $failures -eq 0 ] || exit 1
    echo "SKIPPED: sweeps over ranks need MPI (SWARM_WITH_MPI; apt-get install libopenmpi-dev openmpi-bin)"
    exit 77
fi
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# every rank on this host: Open MPI's shared-memory transport alone (unless the caller chose),
# which starts a 2-rank run in about 0.26 s instead of 0.48 s (the default also opens the
# TCP, OFI and UCX components); the same flags for every run across ranks in the suite
export OMPI_MCA_pml="${OMPI_MCA_pml:-ob1}" OMPI_MCA_btl="${OMPI_MCA_btl:-self,vader}"

# Open MPI's components leak at MPI_Finalize and are unloaded by then, so no suppression can
# name them: under the sanitizer leg these runs are checked for memory errors, not leaks
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
sweep="sweep $default --set run.duration_s=90 --set demand.per_depot_per_hour=200,300 --repeat 2"
compare="compare $default --policies nearest_bid,cloud --seeds 1 --set run.duration_s=60"
# shellcheck disable=SC2086
"$swarmsim" $sweep --parallel 1 --out-dir sweep_local >/dev/null 2>sweep_local.err ||
    fail "local sweep exited $?: $(cat sweep_local.err)"
# shellcheck disable=SC2086
"$swarmsim" $compare --parallel 1 --out-dir compare_local >/dev/null 2>compare_local.err ||
    fail "local compare exited $?: $(cat compare_local.err)"
for np in 1 2; do
    # shellcheck disable=SC2086
    "$mpirun" --oversubscribe -np $np "$swarmsim" $sweep --parallel 1 --out-dir sweep_np$np \
        >sweep_np$np.txt 2>sweep_np$np.err || fail "sweep on $np ranks exited $?: $(cat sweep_np$np.err)"
    # shellcheck disable=SC2086
    "$mpirun" --oversubscribe -np $np "$swarmsim" $compare --parallel 1 --out-dir compare_np$np \
        >compare_np$np.txt 2>compare_np$np.err ||
        fail "compare on $np ranks exited $?: $(cat compare_np$np.err)"
    cmp -s sweep_local/summary.csv sweep_np$np/summary.csv ||
        fail "sweep summary.csv on $np ranks differs from the local one"
    cmp -s compare_local/compare.json compare_np$np/compare.json ||
        fail "compare.json on $np ranks differs from the local one"
    # every run's summary but for its host timings, and the manifest but for wall times
    [ -x $py ] && { $py - sweep_local sweep_np$np $np <<'PY' || fail "sweep outputs on $np ranks"; }
import glob, json, os, sys
for path in sorted(glob.glob(sys.argv[1] + "/runs/*/summary.json")):
    a = json.load(open(path))
    b = json.load(open(os.path.join(sys.argv[2], os.path.relpath(path, sys.argv[1]))))
    a.pop("host"), b.pop("host")
    assert a == b, path
a = json.load(open(sys.argv[1] + "/manifest.json"))
b = json.load(open(sys.argv[2] + "/manifest.json"))
np = int(sys.argv[3])
assert b.pop("ranks", 1) == np, "ranks"
for m in (a, b):
    for r in m["runs"]:
        r.pop("wall_seconds")
assert a == b, (a, b)
PY
done
grep -q "on each of 2 ranks" sweep_np2.err || fail "the sweep did not say it ran on 2 ranks"
[ "$(grep -c 'runs (2 x 2 seeds)' sweep_np2.err)" -eq 1 ] || fail "the header came from more than rank 0"
[ "$(grep -c 'nearest_bid' compare_np2.txt)" -ge 1 ] || fail "no compare table on 2 ranks"

# a real launch of a command that does not run across ranks: refused, nothing written
"$mpirun" --oversubscribe -np 2 "$swarmsim" validate "$default" >run_np2.txt 2>run_np2.err
code=$?
[ $code -eq 2 ] || fail "mpirun -np 2 swarmsim validate exited $code, expected 2"
[ "$(grep -c 'does not run across ranks' run_np2.err)" -eq 1 ] ||
    fail "the refusal was not said once: $(cat run_np2.err)"
[ -s run_np2.txt ] && fail "mpirun -np 2 swarmsim validate printed: $(cat run_np2.txt)"

[ $failures -eq 0 ] || exit 1
echo "sweeps and compares across ranks write what a local batch writes"
