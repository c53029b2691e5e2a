#!/bin/sh
# swarmsim vrp: text and JSON output of each policy on small Solomon and VRPLIB files the
# script writes, the routes in the file's customer numbers, and exit codes 3 (invalid
# file, naming line and field), 4 (unreadable) and 2 (usage). R101 from ../shared/data
# when present.
# usage: vrp_command_test.sh SWARMSIM SOURCE_DIR WORKDIR
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

# 21 and 22 east of the depot, 23 north of it; one vehicle can serve all three (optimum:
# 0-21-22-23-0 or its reverse, 10 + 1 + sqrt(221) + 10 = 35.866)
cat >tiny.txt <<'END'
TINY

VEHICLE
NUMBER     CAPACITY
  2         100

CUSTOMER
CUST NO.   XCOORD.   YCOORD.    DEMAND   READY TIME   DUE DATE   SERVICE TIME

    0       0         0          0          0       1000          0
   21      10         0          1          1        500          0
   22      11         0          1          2        500          0
   23       0        10          1          3        500          0
END

for policy in central auction cbba; do
    "$swarmsim" vrp tiny.txt --policy $policy >$policy.txt 2>err.txt ||
        fail "vrp --policy $policy exited $?: $(cat err.txt)"
    grep -q '^feasible yes$' $policy.txt || fail "$policy: not feasible: $(cat $policy.txt)"
    grep -q '^distance [0-9.]*$' $policy.txt || fail "$policy: no distance line"
    grep -q '^vehicles [12]$' $policy.txt || fail "$policy: no vehicles line"
    grep -q '^wall .* s (work' $policy.txt || fail "$policy: no wall time line"
    grep -q '^Route #1: 2[123]' $policy.txt || fail "$policy: no Route #1 line: $(cat $policy.txt)"
    "$swarmsim" vrp tiny.txt --policy $policy --json >$policy.json 2>err.txt ||
        fail "vrp --policy $policy --json exited $?: $(cat err.txt)"
    /usr/bin/python3 - "$policy.json" <<'PY' || fail "$policy: bad JSON: $(cat $policy.json)"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["feasible"] is True, j
assert j["vehicles"] == len(j["routes"]), j
assert sorted(c for r in j["routes"] for c in r) == [21, 22, 23], j
assert j["distance"] > 35.86 and isinstance(j["wall_seconds"], float), j
assert j["violations"] == [], j
PY
done
grep -q '^distance 35.87$' central.txt || fail "central missed the optimum: $(cat central.txt)"
grep -q '^vehicles 1$' central.txt || fail "central should use one vehicle"
grep -q '"distance": 35.866' central.json || fail "central JSON distance: $(cat central.json)"
"$swarmsim" vrp tiny.txt --min-vehicles >mv.txt 2>err.txt || fail "vrp --min-vehicles exited $?"
grep -q 'vehicles first, then distance' mv.txt || fail "--min-vehicles not reported: $(cat mv.txt)"
grep -q '^vehicles 1$' mv.txt || fail "--min-vehicles should use one vehicle"
# the auction with K = 1 offers 23 only to the empty vehicle at the depot (docs/vrp.md)
"$swarmsim" vrp tiny.txt --policy auction --candidates 1 >k1.txt 2>err.txt ||
    fail "auction --candidates 1 exited $?"
grep -q '^vehicles 2$' k1.txt || fail "auction K = 1 should use two vehicles: $(cat k1.txt)"
grep -q '^Route #2: 23$' k1.txt || fail "auction K = 1 routes: $(cat k1.txt)"
# the same seed gives the same routes
"$swarmsim" vrp tiny.txt --json --seed 7 | grep -v wall_seconds >s1.json
"$swarmsim" vrp tiny.txt --json --seed 7 | grep -v wall_seconds >s2.json
cmp -s s1.json s2.json || fail "vrp --seed 7 is not deterministic"

# an infeasible result is printed as such (exit 0: the run itself worked)
sed 's/^  2         100$/  1         2/' tiny.txt >small-fleet.txt
"$swarmsim" vrp small-fleet.txt --policy auction >sf.txt 2>err.txt ||
    fail "an infeasible result should still exit 0, got $?"
grep -q '^feasible NO$' sf.txt || fail "infeasible result not reported: $(cat sf.txt)"
grep -q 'violation: customer not served, customer 2[123]' sf.txt ||
    fail "the unserved customer is not named: $(cat sf.txt)"

# VRPLIB: the same instance, numbered as in VRPLIB solutions (node id - 1)
cat >tiny.vrp <<'END'
NAME : tiny
TYPE : VRPTW
DIMENSION : 4
VEHICLES : 2
CAPACITY : 100
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 10 0
3 11 0
4 0 10
DEMAND_SECTION
1 0
2 1
3 1
4 1
TIME_WINDOW_SECTION
1 0 1000
2 1 500
3 2 500
4 3 500
DEPOT_SECTION
1
-1
EOF
END
"$swarmsim" vrp tiny.vrp --json >vrplib.json 2>err.txt || fail "vrp on VRPLIB exited $?: $(cat err.txt)"
grep -q '"format": "vrplib"' vrplib.json || fail "VRPLIB not detected"
grep -q '"distance": 35.866' vrplib.json || fail "VRPLIB distance: $(cat vrplib.json)"
grep -q '\[1, 2, 3\]\|\[3, 2, 1\]' vrplib.json || fail "VRPLIB route numbers: $(cat vrplib.json)"

# bad input: exit 3 naming file, line and field; unreadable: 4; usage: 2
sed 's/^   22      11         0          1          2        500/   22      11         0          1          2        1.5/' \
    tiny.txt >late.txt
"$swarmsim" vrp late.txt >/dev/null 2>err.txt
[ $? -eq 3 ] || fail "a due date before the ready time should exit 3"
grep -q "late.txt:12: error: DUE DATE: must be >= READY TIME" err.txt ||
    fail "bad due date message: $(cat err.txt)"
sed 's/^EDGE_WEIGHT_TYPE : EUC_2D$/EDGE_WEIGHT_TYPE : ATT/' tiny.vrp >att.vrp
"$swarmsim" vrp att.vrp >/dev/null 2>err.txt
[ $? -eq 3 ] || fail "an unsupported EDGE_WEIGHT_TYPE should exit 3"
grep -q "att.vrp:6: error: EDGE_WEIGHT_TYPE: \"ATT\" is not supported" err.txt ||
    fail "EDGE_WEIGHT_TYPE message: $(cat err.txt)"
"$swarmsim" vrp missing.txt >/dev/null 2>err.txt
[ $? -eq 4 ] || fail "a missing file should exit 4"
grep -q "missing.txt: error: no such file" err.txt || fail "missing file message: $(cat err.txt)"
"$swarmsim" vrp tiny.txt --policy nearest >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown policy should exit 2"

r101=$src/../shared/data/solomon_R101.txt
if [ -f "$r101" ]; then
    "$swarmsim" vrp "$r101" --iterations 3000 --json >r101.json 2>err.txt ||
        fail "R101 exited $?: $(cat err.txt)"
    /usr/bin/python3 - r101.json <<'PY' || fail "R101: $(head -2 r101.json)"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["feasible"] and j["distance"] < 1642.88 * 1.04 and len(j["routes"]) == j["vehicles"], j
assert sorted(c for r in j["routes"] for c in r) == list(range(1, 101))
PY
else
    echo "skip: $r101 not found"
fi

[ $failures -eq 0 ] || exit 1
echo "all vrp command checks passed"
