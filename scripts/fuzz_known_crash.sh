#!/usr/bin/env bash
# Says whether a libFuzzer log ends in a known crash inside libhdf5 (docs/fuzzing.md, "Known:
# crashes inside libhdf5"): the last sanitizer report's first frame outside the sanitizer's
# interceptors and the C library lies in libhdf5. Exit 0: known; 1: anything else (a crash in
# our code, a hang, an out-of-memory, a leak, no report at all).
#   scripts/fuzz_known_crash.sh LOG
set -euo pipefail
log=${1:?usage: fuzz_known_crash.sh LOG}
[ -r "$log" ] || { echo "fuzz_known_crash.sh: cannot read '$log'" >&2; exit 2; }
# the last report: from the last "==PID==ERROR: <Sanitizer>" line on (a deadly signal is one too)
report=$(awk '/==[0-9]+==ERROR: (Address|Undefined|Memory)Sanitizer/ { buf = "" } { buf = buf $0 "\n" }
              END { printf "%s", buf }' "$log")
if ! grep -qE '==[0-9]+==ERROR: (Address|Undefined|Memory)Sanitizer' <<<"$report"; then
    exit 1  # a timeout, an out-of-memory, a leak or a clean exit: never "known"
fi
# the first stack's frames, "#N 0xADDR in FUNCTION LOCATION"; skip the sanitizer's
# interceptors (in the fuzz binary itself) and the C library, then look at the first one left
frame=$(grep -E '^ *#[0-9]+ 0x[0-9a-f]+' <<<"$report" |
    awk '/^ *#0 / { n++ } n == 1' |
    grep -vE ' in ((__interceptor_|__asan|__sanitizer|__ubsan|__lsan)[^ ]*|free|malloc|calloc|realloc|operator delete[^(]*|operator new[^(]*|mem(cpy|move|set|cmp)|str[a-z]*) |/libc\.so|/libc-|libclang_rt' |
    head -n 1)
[[ $frame == *libhdf5* ]]
