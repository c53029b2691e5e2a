#!/bin/sh
# swarmsim demo: summary, --json, identical hash for 1 and 2 threads, usage errors.
# usage: demo_command_test.sh SWARMSIM WORKDIR
set -u
swarmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$2
failures=0
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

small="--stations 4 --customers 3000"

# shellcheck disable=SC2086
"$swarmsim" demo $small >text.txt 2>err.txt || fail "demo exited $?: $(cat err.txt)"
grep -q "event hash" text.txt || fail "no event hash in the summary: $(cat text.txt)"
grep -q "Erlang C" text.txt || fail "no analytic comparison in the summary"

for threads in 1 2; do
    # shellcheck disable=SC2086
    "$swarmsim" demo $small --threads "$threads" --json >"t$threads.json" 2>err.txt ||
        fail "demo --threads $threads exited $?: $(cat err.txt)"
done
if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 - t1.json t2.json <<'PY' || fail "JSON check failed"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def find(d, key):
    if isinstance(d, dict):
        for k, v in d.items():
            if k == key:
                return v
            r = find(v, key)
            if r is not None:
                return r
    return None
ha, hb = find(a, "event_hash"), find(b, "event_hash")
assert ha is not None, "no event_hash in JSON"
assert ha == hb, f"hash differs across threads: {ha} vs {hb}"
PY
fi

"$swarmsim" demo --stations 0 >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "--stations 0 should be a usage error (2)"
"$swarmsim" demo --no-such-flag >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "an unknown flag should be a usage error (2)"
"$swarmsim" >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "no sub-command should be a usage error (2)"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "demo command: all checks passed"
