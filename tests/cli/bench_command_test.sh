#!/bin/sh
# swarmsim bench: the quick suite runs in-process and prints every benchmark (figures are
# not checked: performance belongs to benchmarks, not tests), as a table and as JSON;
# --quick and --full together are a usage error.
# usage: bench_command_test.sh SWARMSIM WORKDIR
set -u
swarmsim=$1
work=$2
failures=0
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

"$swarmsim" bench --json >bench.json 2>err.txt || fail "bench --json exited $?: $(cat err.txt)"
if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 -c '
import json
d = json.load(open("bench.json"))
assert d["command"] == "bench" and d["mode"] == "quick", d
names = {r["benchmark"] for r in d["results"]}
assert names == {"phold", "routing", "fleet", "trace"}, names
units = {r["unit"] for r in d["results"]}
assert {"events/s", "queries/s", "s wall", "bytes/agent", "%", "MB/agent-hour"} <= units, units
assert all(isinstance(r["value"], (int, float)) for r in d["results"])
assert all(r["value"] > 0 for r in d["results"] if r["unit"] != "%")
' || fail "bench JSON: $(cat bench.json)"
fi
"$swarmsim" bench --quick --full >/dev/null 2>&1
[ $? -eq 2 ] || fail "--quick --full did not exit 2"

if [ $failures -eq 0 ]; then
    echo "bench command tests passed"
    exit 0
fi
echo "$failures failure(s)"
exit 1
