#!/usr/bin/env bash
# scripts/fuzz_known_crash.sh: a crash inside libhdf5 is known; one in our code (even with
# libhdf5 further down the stack), a hang, or no report is not.
set -u
script=$1
logs=$(dirname "${BASH_SOURCE[0]}")/fuzz_logs
fail=0
expect() {
    local want=$1 log=$2 got=0
    "$script" "$logs/$log" || got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL: $log: exit $got, want $want" >&2
        fail=1
    fi
}
expect 0 hdf5_free.log
expect 0 hdf5_memcpy_overlap.log
expect 1 our_overflow.log
expect 1 timeout.log
expect 2 missing.log 2>/dev/null
exit $fail
