#!/bin/sh
# swarmsim network info|route on a small DIMACS file: values, --json, exit codes.
# usage: network_commands_test.sh SWARMSIM WORKDIR
set -u
swarmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$2
failures=0
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# expect CODE CMD...: run, keep stdout/stderr in out.txt/err.txt, compare the exit code
expect() {
    want=$1
    shift
    "$@" >out.txt 2>err.txt
    got=$?
    [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want; stderr: $(cat err.txt)"
}

contains() {  # contains FILE TEXT
    grep -F -q -- "$2" "$1" || fail "$1 lacks '$2': $(cat "$1")"
}

json_ok() {  # json_ok FILE PYTHON-EXPRESSION-ON-d
    if [ -x /usr/bin/python3 ]; then
        /usr/bin/python3 -c "import json,sys; d=json.load(open('$1')); sys.exit(0 if ($2) else 1)" ||
            fail "$1: not JSON or '$2' false: $(cat "$1")"
    fi
}

# nodes 1..3 form the strong component; 4 -> 5 is a dangling one-way pair
cat >tiny.gr <<'GR'
c a triangle plus a one-way pair outside it
p sp 5 7
a 1 2 100
a 2 1 100
a 2 3 200
a 3 2 200
a 3 1 50
a 1 3 400
a 4 5 10
GR
cat >tiny.co <<'CO'
p aux sp co 5
v 1 7420000 43730000
v 2 7421000 43730000
v 3 7421000 43731000
v 4 7422000 43731000
v 5 7423000 43731000
CO

# info: counts and what the strongly connected step dropped
expect 0 "$swarmsim" network info tiny.gr
contains out.txt "dimacs"
contains out.txt "3 kept of 5 read"
contains out.txt "6 kept of 7 read"
contains out.txt "total length:  1.050 km"
expect 0 "$swarmsim" network info tiny.gr --json
json_ok out.txt "d['nodes'] == {'read': 5, 'kept': 3, 'dropped': 2} and d['edges']['kept'] == 6 and abs(d['total_length_km'] - 1.05) < 1e-9 and d['format'] == 'dimacs'"

# route 1 -> 3: via 2 (100 + 200 m) beats the direct 400 m arc
expect 0 "$swarmsim" network route tiny.gr 1 3
contains out.txt "distance:      300.0 m"
contains out.txt "edges on path: 2"
expect 0 "$swarmsim" network route tiny.gr 3 2 --json
json_ok out.txt "d['found'] and abs(d['distance_m'] - 150) < 1e-9 and d['edges'] == 2 and d['from'] == 3 and d['to'] == 2 and d['travel_time_s'] > 0"
expect 0 "$swarmsim" network route tiny.gr 2 2 --json
json_ok out.txt "d['found'] and d['distance_m'] == 0 and d['edges'] == 0"

# no warning with coordinates; without a .co every node is at (0, 0): said on stderr
expect 0 "$swarmsim" network info tiny.gr
[ -s err.txt ] && fail "unexpected stderr with coordinates: $(cat err.txt)"
cp tiny.gr flat.gr
expect 0 "$swarmsim" network info flat.gr
contains err.txt "flat.gr: warning: no coordinates (no 'flat.co' next to it): every node is at (0, 0)"
expect 0 "$swarmsim" network route flat.gr 1 3
contains err.txt "flat.gr: warning: no coordinates"

# errors: missing file 4, malformed 3, unknown or dropped node 3, non-numeric id 2
expect 4 "$swarmsim" network info missing.gr
contains err.txt "missing.gr"
expect 4 "$swarmsim" network route missing.gr 1 2
printf 'p sp 2 1\na 1 zz 3\n' >bad.gr
expect 3 "$swarmsim" network info bad.gr
contains err.txt "bad.gr:2: error:"
expect 3 "$swarmsim" network route tiny.gr 1 99
contains err.txt "node 99"
expect 3 "$swarmsim" network route tiny.gr 4 1
expect 2 "$swarmsim" network route tiny.gr 1 abc
# a negative node id is a usage error naming it, not wrapped to 2^64 - 1 (issue 21)
expect 2 "$swarmsim" network route tiny.gr -1 2
contains err.txt "from: expected a non-negative integer, got -1"
expect 2 "$swarmsim" network route tiny.gr 1 -- -3
# file bytes quoted in a message are escaped: a terminal escape sequence is not replayed
printf 'p sp 2 1\n\033[2J\033]0;owned\007 1 2 5\n' >esc.gr
expect 3 "$swarmsim" network info esc.gr
contains err.txt "unknown line type '\\x1b[2J\\x1b]0;owned\\x07'"
if grep -q "$(printf '\033')" err.txt; then
    fail "esc.gr: a raw escape character reached the terminal"
fi
expect 2 "$swarmsim" network info

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all network command checks passed"
