#!/bin/sh
# `mpirun -np R swarmsim run SCENARIO -j T` (docs/distributed.md, "The fleet across ranks")
# prints the same KPIs, KPI hash and event hash as the run without mpirun, for R = 1, 2, 3 and
# T = 1, 2: the default scenario (auction), the same with first_claim, and scenarios with
# disruptions (vehicle failures and breakdowns; a closed bridge and road news). Rank 0 alone
# prints, and says once what crossed ranks; a trace and an unsupported protocol are refused
# with exit 2, nothing written. Skipped (77) without MPI.
# usage: mpi_run_test.sh SWARMSIM SOURCE_DIR WORKDIR MPIRUN HAVE_MPI
set -u
swarmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
work=$3
mpirun=$4
have_mpi=$5
failures=0
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
py=/usr/bin/python3

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

if [ "$have_mpi" != "ON" ] || [ -z "$mpirun" ] || ! command -v "$mpirun" >/dev/null 2>&1; then
    echo "SKIPPED: runs across ranks need MPI (SWARM_WITH_MPI; apt-get install libopenmpi-dev openmpi-bin)"
    exit 77
fi
if [ ! -x $py ]; then
    echo "SKIPPED: the comparison needs $py"
    exit 77
fi
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Open MPI's components leak at MPI_Finalize (see mpi_batch_test.sh)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# the summary without what depends on the host or the split: timings, threads, partitions
same() {
    $py - "$1" "$2" <<'PY'
import json, sys
def load(path):
    d = json.load(open(path))
    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items()
                    if k not in ("host", "wall_s", "wall_seconds", "setup_s", "events_per_s",
                                 "threads", "partitions", "barrier_s", "observer_s")}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x
    return strip(d)
a, b = load(sys.argv[1]), load(sys.argv[2])
if a != b:
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            print("  differs:", k, str(a.get(k))[:200], "|", str(b.get(k))[:200])
    sys.exit(1)
PY
}

check() {
    name=$1
    shift
    "$swarmsim" run "$@" -j 1 --json >"$name.local.json" 2>"$name.local.err" ||
        { fail "$name: the local run exited $?: $(cat "$name.local.err")"; return; }
    for np in 1 2 3; do
        for j in 1 2; do
            out=$name.np$np.j$j
            "$mpirun" --oversubscribe -np $np "$swarmsim" run "$@" -j $j --json \
                >"$out.json" 2>"$out.err" ||
                { fail "$name on $np ranks x $j threads exited $?: $(tail -5 "$out.err")"; continue; }
            same "$name.local.json" "$out.json" ||
                fail "$name on $np ranks x $j threads differs from the local run"
            if [ $np -gt 1 ]; then
                [ "$(grep -c "across $np ranks" "$out.err")" -eq 1 ] ||
                    fail "$name on $np ranks: the traffic line was not said once: $(cat "$out.err")"
            fi
        done
    done
    grep -o '"event_hash": "[^"]*"' "$name.local.json"
}

check default "$src/scenarios/default.toml" --until 240
check first_claim "$src/scenarios/default.toml" --until 180 --set policies.allocation=first_claim
check attrition "$src/scenarios/fleet_attrition.toml" --until 2400 --set run.sample_interval_s=600
check bridge "$src/scenarios/bridge_collapse.toml" --until 2400
check fire "$src/scenarios/depot_fire.toml" --until 2400
check monaco_inputs "$src/scenarios/monaco_inputs.toml" --until 1200

# refused: a trace (not gathered yet) and a protocol whose state the records do not carry
"$mpirun" --oversubscribe -np 2 "$swarmsim" run "$src/scenarios/default.toml" --until 60 \
    -o twice.h5 >trace.txt 2>trace.err
code=$?
[ $code -eq 2 ] || fail "a trace across 2 ranks exited $code, expected 2"
[ "$(grep -c 'of a run across ranks is not written yet' trace.err)" -eq 1 ] ||
    fail "the trace refusal was not said once: $(cat trace.err)"
[ -e twice.h5 ] && fail "a refused run wrote its trace"
"$mpirun" --oversubscribe -np 2 "$swarmsim" run "$src/scenarios/default.toml" --until 60 \
    --set policies.allocation=cloud >cloud.txt 2>cloud.err
code=$?
[ $code -eq 2 ] || fail "the cloud protocol across 2 ranks exited $code, expected 2"
grep -q 'only auction (nearest_bid, insertion) and first_claim run across ranks' cloud.err ||
    fail "the cloud refusal: $(cat cloud.err)"

[ $failures -eq 0 ] || exit 1
echo "runs across 1, 2 and 3 ranks equal the single-process runs"
