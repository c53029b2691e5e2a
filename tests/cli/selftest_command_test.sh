#!/bin/sh
# swarmsim selftest (the kernel check that was `demo`): summary, --json, identical hash for
# 1 and 2 threads (-j and its long form --threads), usage errors.
# usage: selftest_command_test.sh SWARMSIM WORKDIR
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
"$swarmsim" selftest $small >text.txt 2>err.txt || fail "selftest exited $?: $(cat err.txt)"
grep -q "event hash" text.txt || fail "no event hash in the summary: $(cat text.txt)"
grep -q "Erlang C" text.txt || fail "no analytic comparison in the summary"

# shellcheck disable=SC2086
"$swarmsim" selftest $small -j 1 --json >t1.json 2>err.txt ||
    fail "selftest -j 1 exited $?: $(cat err.txt)"
# shellcheck disable=SC2086
"$swarmsim" selftest $small --threads 2 --json >t2.json 2>err.txt ||
    fail "selftest --threads 2 exited $?: $(cat err.txt)"
grep -q '"command": "selftest"' t1.json || fail "selftest JSON names another command"
grep -q '"threads": 2' t2.json || fail "--threads 2 did not run on 2 threads: $(cat t2.json)"
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

"$swarmsim" selftest --stations 0 >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "--stations 0 should be a usage error (2)"
"$swarmsim" selftest --no-such-flag >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "an unknown flag should be a usage error (2)"
"$swarmsim" >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "no sub-command should be a usage error (2)"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "selftest command: all checks passed"
