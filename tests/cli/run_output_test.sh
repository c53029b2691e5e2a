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

# check_partial FILE MAX_FRAMES CAUSE: a trace whose writing failed is cut back to the rows
# it holds (fewer than MAX_FRAMES), marked incomplete for CAUSE, and report.py flags it
check_partial() {
    [ $have_h5py = 1 ] || return 0
    $python - "$1" "$2" "$3" <<'PY' || fail "the partial trace $1 is not cut back and marked"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    assert int(f.attrs["complete"]) == 0 and int(f.attrs["incomplete"]) == 1, dict(f.attrs)
    assert sys.argv[3] in str(f.attrs["incomplete_reason"]), f.attrs["incomplete_reason"]
    n = int(f.attrs["frames"])
    assert 0 < n < int(sys.argv[2]), n
    created = f["observables/created/value"][:]
    t = f["observables/created/time"][:]
    # every row holds data: no zero-filled tail that reads as "orders created 0"
    assert len(created) == n and f["particles/agents/position/step"].shape[0] == n
    assert np.all(np.diff(t) > 0) and np.all(np.diff(created) >= 0) and created[-1] > 0, created
    assert int(f["particles/agents/position/legs_per_frame"].shape[0]) == n
    q = f["observables/service_level/time"][:]
    assert len(q) and q[-1] <= t[-1], (q[-1:], t[-1])
PY
    # report.py flags it (its summary; the plots are not needed here)
    if $python -c "import matplotlib" 2>/dev/null; then
        $python - "$src/scripts" "$1" "$3" <<'PY' || fail "report.py does not flag the incomplete trace $1"
import os, sys
sys.path.insert(0, sys.argv[1])
import report, trace
with trace.open_trace(sys.argv[2]) as f:
    status = trace.status(f)
    assert status.startswith("INCOMPLETE: writing it failed (") and sys.argv[3] in status, status
    report.write_summary(report.read_run(f, sys.argv[2]), "report.md")
text = open("report.md").read()
assert text.splitlines()[2].startswith("**Trace INCOMPLETE"), text[:300]
PY
    fi
}

# --force replaces a regular file, through a temporary file renamed into place
"$swarmsim" run "$default" $short -o kept.h5 --force >out.txt 2>err.txt ||
    fail "--force on an existing file exited $?: $(cat err.txt)"
grep -q "trace          kept.h5 (complete)" out.txt || fail "no trace line: $(cat out.txt)"
[ "$(head -c 4 kept.h5 | od -An -c | tr -d ' ')" = "211HDF" ] || fail "kept.h5 is not HDF5"
ls kept.h5.*.partial >/dev/null 2>&1 && fail "--force left a partial file"

# a simulated full disk: the 100th write of the per-agent rows fails (schema 3.1: a frame's
# legs rows count as one write; the trace holds the frames of its last flush, fewer than 720).
# Early, so that the run is told while it goes on: the simulation may be a queue of frames
# (TraceOptions::queue_capacity, 256) ahead of the writer, and a failure that near the end is
# only reported at it (with the 300th write, under load, 4 runs in 12 printed no warning)
SWARMSIM_TEST_FAIL_TRACE_CHUNK=100 "$swarmsim" run "$default" --until 7200 \
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
[ -n "$partial" ] && check_partial "$partial" 720 "cannot write a chunk: No space left on device"

# a file size limit (ulimit -f; SIGXFSZ ignored, as a daemon would): the writer stops short
# of it (EFBIG would leave HDF5 unable to mark the file), cuts the file back and marks it
(
    trap '' XFSZ
    ulimit -f 400  # 512-byte blocks in sh (dash): 200 KiB
    # (the sanitizer build: HDF5 1.10 leaks a few strings of a file whose close failed)
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$swarmsim" run "$default" --until 7200 --set output.sample_interval_s=10 -o big.h5 \
        >big.txt 2>big.err
    echo $? >big.code
)
code=$(cat big.code)
[ "$code" = 4 ] || fail "a file size limit should exit 4, got $code: $(cat big.err)"
grep -q "trace file 'big.h5': the file size limit (ulimit -f) is near: .* marked incomplete" \
    big.err || fail "file size limit message: $(cat big.err)"
grep -q "^KPIs" big.txt || fail "no KPI summary after the file size limit"
[ ! -e big.h5 ] || fail "a failed trace was put at the path"
partial=$(ls big.h5.*.partial 2>/dev/null)
[ -n "$partial" ] && check_partial "$partial" 720 "the file size limit (ulimit -f) is near" ||
    fail "no partial file under the file size limit"

# a real full disk: ENOSPC on a 2 MB tmpfs mounted in a user and mount namespace (skipped
# where namespaces are not allowed); the room the writer keeps (io::SpaceReserve) lets it
# cut the file back, close it and mark it incomplete
mkdir -p disk
if unshare -rm sh -c 'mount -t tmpfs -o size=2m tmpfs disk' 2>/dev/null; then
    unshare -rm sh -c "mount -t tmpfs -o size=2m tmpfs disk &&
        ASAN_OPTIONS=\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}detect_leaks=0 '$swarmsim' run '$default' \
            --until 7200 --set output.sample_interval_s=1 -o disk/t.h5 >disk.txt 2>disk.err
        echo \$? >disk.code
        ls disk >disk.ls
        cp disk/t.h5.*.partial . 2>/dev/null"
    code=$(cat disk.code)
    [ "$code" = 4 ] || fail "a full disk should exit 4, got $code: $(cat disk.err)"
    grep -q "trace file 'disk/t.h5': .*No space left on device" disk.err ||
        fail "full disk message: $(cat disk.err)"
    grep -q "marked incomplete" disk.err || fail "a full disk left no marked file: $(cat disk.err)"
    grep -q "^KPIs" disk.txt || fail "no KPI summary after a full disk"
    grep -q "^t.h5.[0-9]*.partial$" disk.ls && ! grep -q "^t.h5$" disk.ls ||
        fail "the full disk holds: $(cat disk.ls)"
    partial=$(ls t.h5.*.partial 2>/dev/null)
    [ -n "$partial" ] && check_partial "$partial" 7200 "No space left on device" ||
        fail "no partial file copied"
else
    echo "skipped: the real full disk case (unshare -rm cannot mount a tmpfs here)"
fi

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
    assert f["particles/agents/position/step"].shape[0] >= 1
PY
    fi
done

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "run outputs: all checks passed"
