#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ (docs/fuzzing.md).
#   scripts/fuzz.sh [-t SECONDS] [-j JOBS] [-b BUILD_DIR] [-k] [TARGET...]
#     -t  seconds per target (default 60)      -j  targets at a time (default 2)
#     -k  a crash inside libhdf5 (scripts/fuzz_known_crash.sh) is known: its input goes to
#         ARTIFACTS/TARGET/known/ and the target goes on fuzzing for the rest of its time
#     -b  a build dir configured with clang, SWARM_SANITIZE=ON and SWARM_BUILD_FUZZ=ON
#         (default build-sanitize, as .ci/run configures it; configured and built if absent)
#     TARGET: scenario dimacs graphml osm trace json vrp (default: all)
# Each target starts from its seeds (fuzz/seeds/, scenarios/, tests/ inputs, fuzz/regressions/)
# and the corpus earlier runs left in BUILD_DIR/fuzz/corpus/TARGET. A crash, sanitizer
# report, leak, timeout or out-of-memory leaves the input in BUILD_DIR/fuzz/artifacts/TARGET/
# and makes the script exit 1; copy it to fuzz/regressions/fuzz_TARGET/ once it is fixed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

seconds=60
jobs=2
build=$root/build-sanitize
known_hdf5=0
while getopts "t:j:b:kh" opt; do
    case $opt in
        t) seconds=$OPTARG ;;
        j) jobs=$OPTARG ;;
        b) build=$(cd "$OPTARG" 2>/dev/null && pwd || echo "$OPTARG") ;;
        k) known_hdf5=1 ;;
        *) sed -n '2,13p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(scenario dimacs graphml osm trace json vrp csv)

# shellcheck source=scripts/deps.sh
source "$root/scripts/deps.sh"
swarm_install_deps
if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
        -DSWARM_SANITIZE=ON -DSWARM_BUILD_FUZZ=ON -DSWARM_BUILD_TESTS=ON \
        -DSWARM_BUILD_VIZ=OFF -DSWARM_BUILD_BENCH=OFF >/dev/null
fi
if ! grep -q '^SWARM_BUILD_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
    echo "fuzz.sh: $build is not configured with SWARM_BUILD_FUZZ=ON (clang); configure it" \
        "as .ci/run does or pass another dir with -b" >&2
    exit 2
fi
fuzzers=()
for t in "${targets[@]}"; do fuzzers+=("fuzz_$t"); done
cmake --build "$build" -j "$(nproc)" --target "${fuzzers[@]}" trace_test_writer >/dev/null

out=$build/fuzz
mkdir -p "$out/seeds/trace"
# trace seeds: an hour of the small test city, and half an hour with every disruption kind
if [ ! -s "$out/seeds/trace/hour" ] || [ ! -s "$out/seeds/trace/every_kind" ]; then
    writer=$build/tests/io/trace/trace_test_writer
    "$writer" "$out/seeds/trace/hour.h5" >/dev/null
    "$writer" "$out/seeds/trace/every_kind.h5" --every-kind >/dev/null
    mv "$out/seeds/trace/hour.h5" "$out/seeds/trace/hour"
    mv "$out/seeds/trace/every_kind.h5" "$out/seeds/trace/every_kind"
fi

# read-only seed directories of each target (libFuzzer reads them recursively)
seed_dirs() {
    case $1 in
        scenario) echo "$root/scenarios $root/tests/io/scenario/bad" ;;
        dimacs) echo "$root/fuzz/seeds/dimacs" ;;
        graphml) echo "$root/fuzz/seeds/graphml" ;;
        osm) echo "$root/fuzz/seeds/osm" ;;
        trace) echo "$out/seeds/trace" ;;
        json) echo "$root/fuzz/seeds/json" ;;
        vrp) echo "$root/fuzz/seeds/vrp" ;;
        csv) echo "$root/scenarios/monaco_inputs" ;;
        *) echo "fuzz.sh: unknown target '$1'" >&2; return 2 ;;
    esac
}

run_one() {
    local t=$1 dirs
    dirs=$(seed_dirs "$t")
    local regressions=$root/fuzz/regressions/fuzz_$t
    [ -d "$regressions" ] && dirs="$dirs $regressions"
    mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
    : >"$out/$t.log"
    local deadline=$((SECONDS + seconds)) left rc restarts=0 artifact
    while :; do
        left=$((deadline - SECONDS))
        if [ "$left" -lt 1 ]; then
            echo 0 >"$out/$t.status"
            return
        fi
        # -timeout: one input taking longer is a hang; -rss_limit_mb: a reader allocating that
        # much for a small input is a finding (libFuzzer's default, stated)
        # (leaks inside libhdf5 on damaged files are HDF5's own: scripts/lsan-suppressions.txt)
        rc=0
        # shellcheck disable=SC2086
        LSAN_OPTIONS="suppressions=$root/scripts/lsan-suppressions.txt${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
            "$build/fuzz/fuzz_$t" -max_total_time="$left" -timeout=30 -rss_limit_mb=2048 \
            -print_final_stats=1 -artifact_prefix="$out/artifacts/$t/" \
            "$out/corpus/$t" $dirs >"$out/$t.run.log" 2>&1 || rc=$?
        cat "$out/$t.run.log" >>"$out/$t.log"
        if [ "$rc" = 0 ]; then
            echo 0 >"$out/$t.status"
            return
        fi
        # a known crash inside libhdf5 (-k): keep its input aside and go on, at most 50 times
        artifact=$(ls -t "$out/artifacts/$t"/crash-* 2>/dev/null | head -n 1)
        if [ "$known_hdf5" = 1 ] && [ -n "$artifact" ] && [ "$restarts" -lt 50 ] &&
            "$root/scripts/fuzz_known_crash.sh" "$out/$t.run.log"; then
            mkdir -p "$out/artifacts/$t/known"
            mv "$artifact" "$out/artifacts/$t/known/"
            echo "fuzz.sh: known crash inside libhdf5, input kept in $out/artifacts/$t/known/;" \
                "going on" >>"$out/$t.log"
            restarts=$((restarts + 1))
            continue
        fi
        echo "$rc" >"$out/$t.status"
        return
    done
}

summary() {
    local t=$1 status=$2 execs cov corpus
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$out/$t.log" | tail -1 | cut -d' ' -f2)
    corpus=$(find "$out/corpus/$t" -type f | wc -l)
    printf '%-9s %-7s %10s runs  cov %6s  corpus %5s  log %s\n' "$t" "$status" "${execs:-?}" \
        "${cov:-?}" "$corpus" "$out/$t.log"
}

echo "fuzz: ${targets[*]}, ${seconds} s each, $jobs at a time"
failed=()
running=0
for t in "${targets[@]}"; do
    seed_dirs "$t" >/dev/null
    rm -f "$out/$t.status"
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    run_one "$t" &
    running=$((running + 1))
done
wait
for t in "${targets[@]}"; do
    if [ "$(cat "$out/$t.status" 2>/dev/null)" = 0 ]; then
        summary "$t" ok
    else
        summary "$t" FAILED
        failed+=("$t")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    for t in "${failed[@]}"; do
        echo "--- fuzz_$t: the end of $out/$t.log" >&2
        tail -n 40 "$out/$t.log" >&2
        ls "$out/artifacts/$t" >&2
    done
    echo "fuzz: FAILED: ${failed[*]}" >&2
    exit 1
fi
