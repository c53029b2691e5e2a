#!/bin/sh
# swarmsim run -o: outputs written safely (issue 21). A path that is not a regular file (a
# character device, a directory, a FIFO, a symbolic link) or an existing file without --force
# is refused with exit 4 before the run, and left as it was; a write error (a simulated full
# disk, a file size limit) exits 4 naming the file and the cause, after the KPI summary, and
# leaves nothing at the path, only PATH.<pid>.partial (marked incomplete, cut back to the rows
# written); SIGTERM and SIGHUP stop a run like SIGINT, the trace closed and marked
# interrupted.
# usage: run_output_test.sh SWARMSIM SOURCE_DIR WORKDIR
set -u
swarmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
work=$3
failures=0
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

default=$src/scenarios/default.toml
short="--until 300"
python=/usr/bin/python3
have_h5py=0
if [ -x $python ] && $python -c "import h5py" 2>/dev/null; then
    have_h5py=1
fi

# refused before the run: exit 4, a message naming the path, nothing touched or left behind
refused() {  # PATH WHAT [run options...]
    path=$1
    what=$2
    shift 2
    "$swarmsim" run "$default" $short -o "$path" "$@" >out.txt 2>err.txt
    code=$?
    [ $code -eq 4 ] || fail "-o $path $*: exit $code, expected 4: $(cat err.txt)"
    grep -q "'$path': $what" err.txt || fail "-o $path $*: message: $(cat err.txt)"
    [ ! -s out.txt ] || fail "-o $path $*: a run started: $(cat out.txt)"
    ls "$path".*.partial >/dev/null 2>&1 && fail "-o $path $*: a partial file was left"
}

refused /dev/null "is a character device, not a regular file"
refused /dev/null "is a character device, not a regular file" --force
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
mkdir adir
refused adir "is a directory" --force
[ -d adir ] || fail "the directory is gone"
mkfifo afifo
refused afifo "is a FIFO" --force
echo precious >kept.h5
ln -s kept.h5 link.h5
refused link.h5 "is a symbolic link to a regular file" --force
[ -L link.h5 ] || fail "the link was replaced"
ln -s /dev/null devlink.h5
refused devlink.h5 "is a symbolic link to a character device" --force
refused kept.h5 "exists: not overwritten (pass --force to replace it)"
[ "$(cat kept.h5)" = precious ] || fail "an existing file was changed without --force"

# --force replaces a regular file, through a temporary file renamed into place
"$swarmsim" run "$default" $short -o kept.h5 --force >out.txt 2>err.txt ||
    fail "--force on an existing file exited $?: $(cat err.txt)"
grep -q "trace          kept.h5 (complete)" out.txt || fail "no trace line: $(cat out.txt)"
[ "$(head -c 4 kept.h5 | od -An -c | tr -d ' ')" = "211HDF" ] || fail "kept.h5 is not HDF5"
ls kept.h5.*.partial >/dev/null 2>&1 && fail "--force left a partial file"

# a simulated full disk: the 40th chunk write fails (the trace holds 256 of 720 samples)
SWARMSIM_TEST_FAIL_TRACE_CHUNK=40 "$swarmsim" run "$default" --until 7200 \
    --set output.sample_interval_s=10 -o full.h5 >full.txt 2>full.err
code=$?
[ $code -eq 4 ] || fail "a write error should exit 4, got $code: $(cat full.err)"
grep -q "^swarmsim run: error: trace file 'full.h5': cannot write a chunk: No space left on device" \
    full.err || fail "write error message: $(cat full.err)"
grep -q "warning: writing the trace 'full.h5' failed; the run goes on" full.err ||
    fail "no warning when the trace failed: $(cat full.err)"
grep -q "^KPIs" full.txt || fail "no KPI summary after a write error: $(cat full.txt)"
grep -q "trace          full.h5 (incomplete)" full.txt || fail "no incomplete trace line"
grep -q "stop reason    until" full.txt || fail "the run did not go on to its end"
[ ! -e full.h5 ] || fail "an incomplete trace was put at the path"
partial=$(ls full.h5.*.partial 2>/dev/null)
[ -n "$partial" ] || fail "no partial file after a write error"
grep -q "'$partial', marked incomplete" full.err || fail "the message does not name $partial"
if [ $have_h5py = 1 ] && [ -n "$partial" ]; then
    $python - "$partial" <<'PY' || fail "the partial trace is not cut back and marked"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    assert int(f.attrs["complete"]) == 0 and int(f.attrs["incomplete"]) == 1, dict(f.attrs)
    assert "No space left on device" in str(f.attrs["incomplete_reason"])
    n = int(f.attrs["frames"])
    assert 0 < n < 720, n
    created = f["observables/created/value"][:]
    t = f["observables/created/time"][:]
    # every row holds data: no zero-filled tail that reads as "orders created 0"
    assert len(created) == n and f["particles/agents/position/value"].shape[0] == n
    assert np.all(np.diff(t) > 0) and np.all(np.diff(created) >= 0) and created[-1] > 0, created
    assert f["particles/agents/state/step"].shape[0] == n
    q = f["observables/service_level/time"][:]
    assert len(q) and q[-1] <= t[-1], (q[-1:], t[-1])
PY
    # report.py flags it (its summary; the plots are not needed here)
    if $python -c "import matplotlib" 2>/dev/null; then
        $python - "$src/scripts" "$partial" <<'PY' || fail "report.py does not flag the incomplete trace"
import os, sys
sys.path.insert(0, sys.argv[1])
import report, trace
with trace.open_trace(sys.argv[2]) as f:
    assert trace.status(f).startswith("INCOMPLETE: writing it failed (cannot write a chunk"), trace.status(f)
    report.write_summary(report.read_run(f, sys.argv[2]), "report.md")
text = open("report.md").read()
assert text.splitlines()[2].startswith("**Trace INCOMPLETE"), text[:300]
PY
    fi
fi

# a real write error: a file size limit (EFBIG; SIGXFSZ ignored, as a daemon would)
(
    trap '' XFSZ
    ulimit -f 200
    # (the sanitizer build: HDF5 1.10 leaks a few strings of a file whose close failed)
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$swarmsim" run "$default" --until 7200 --set output.sample_interval_s=10 -o big.h5 \
        >big.txt 2>big.err
    echo $? >big.code
)
code=$(cat big.code)
[ "$code" = 4 ] || fail "a file size limit should exit 4, got $code: $(cat big.err)"
grep -q "trace file 'big.h5': .*File too large" big.err || fail "EFBIG message: $(cat big.err)"
grep -q "^KPIs" big.txt || fail "no KPI summary after EFBIG"
[ ! -e big.h5 ] || fail "a failed trace was put at the path"
rm -f big.h5.*.partial

# SIGTERM and SIGHUP: stopped at the next barrier, the trace closed and marked interrupted,
# exit 128 + the signal. The signal is sent once the trace's temporary file exists (the
# handlers are in place by then).
for sig in TERM HUP; do
    "$swarmsim" run "$default" --set run.duration_s=3000000 --json -o "$sig.h5" \
        >"$sig.json" 2>"$sig.err" &
    pid=$!
    tries=0
    while ! ls "$sig.h5".*.partial >/dev/null 2>&1 && [ $tries -lt 200 ]; do
        sleep 0.02
        tries=$((tries + 1))
    done
    kill -$sig $pid
    wait $pid
    code=$?
    expected=143
    [ $sig = HUP ] && expected=129
    [ $code -eq $expected ] || fail "SIG$sig should exit $expected, got $code: $(cat "$sig.err")"
    grep -q '"interrupted": true' "$sig.json" || fail "no partial summary after SIG$sig"
    grep -q '"status": "interrupted"' "$sig.json" || fail "SIG$sig: trace status"
    [ -f "$sig.h5" ] || fail "SIG$sig: no trace at the path"
    if [ $have_h5py = 1 ] && [ -f "$sig.h5" ]; then
        $python - "$sig.h5" <<'PY' || fail "SIG$sig: the trace is not closed and marked"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    assert int(f.attrs["complete"]) == 1 and int(f.attrs["interrupted"]) == 1, dict(f.attrs)
    assert f["particles/agents/position/value"].shape[0] >= 1
PY
    fi
done

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "run outputs: all checks passed"
