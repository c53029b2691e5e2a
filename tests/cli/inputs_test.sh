#!/bin/sh
# swarmsim run with [inputs] tables: the Monaco sample set (scenarios/monaco_inputs.toml, when
# ../shared/data has the map) runs with the planner's order ids and shifts in the per-order and
# per-vehicle tables, the same bytes for -j 1 and -j 2; a bad cell stops everything (exit 3,
# file:line:column and the column named, no table written); --set inputs.orders swaps the day;
# Solomon's R101 runs as a scenario; VROOM shipments load at their pick-up locations.
# usage: inputs_test.sh SWARMSIM SOURCE_DIR WORKDIR
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

map=$src/../shared/data/monaco.osm.pbf
if [ ! -f "$map" ]; then
    echo "skipped: $map not found"
    exit 77
fi
sc=$src/scenarios/monaco_inputs.toml
net="--set network.file=$map"

"$swarmsim" run "$sc" $net -j 1 --json --orders-out o1.csv --vehicles-out v1.csv >r1.json \
    2>err1.txt || fail "run -j 1: exit $?: $(cat err1.txt)"
"$swarmsim" run "$sc" $net -j 2 --orders-out o2.csv --vehicles-out v2.csv >/dev/null \
    2>err2.txt || fail "run -j 2: exit $?: $(cat err2.txt)"
cmp -s o1.csv o2.csv || fail "orders table differs between -j 1 and -j 2"
cmp -s v1.csv v2.csv || fail "vehicles table differs between -j 1 and -j 2"

python3 - "$src/scenarios/monaco_inputs/orders.csv" "$src/scenarios/monaco_inputs/vehicles.csv" \
    o1.csv v1.csv r1.json <<'PY' || fail "tables do not match the inputs"
import csv, json, sys
given = {r["id"]: r for r in csv.DictReader(open(sys.argv[1]))}
shifts = [r for r in csv.DictReader(open(sys.argv[2]))]
orders = list(csv.DictReader(open(sys.argv[3])))
vehicles = list(csv.DictReader(open(sys.argv[4])))
kpis = json.load(open(sys.argv[5]))["kpis"]
def secs(clock):
    h, m, s = (int(x) for x in clock.split(":"))
    return h * 3600 + m * 60 + s - 8 * 3600  # demand.start_hour = 8
assert len(orders) == len(given) == kpis["created"], (len(orders), len(given), kpis["created"])
assert sorted(o["order_ref"] for o in orders) == sorted(given), "every order once, by its id"
for o in orders:
    g = given[o["order_ref"]]
    assert float(o["created_s"]) == secs(g["release_s"]), o
    assert float(o["ready_s"]) == max(secs(g["earliest_s"]), secs(g["release_s"])), o
    assert float(o["due_s"]) == secs(g["latest_s"]), o
    assert o["priority"] == g["priority"], o
    if o["delivered_s"]:
        assert float(o["delivered_s"]) >= float(o["ready_s"]), o
        late = max(0.0, float(o["delivered_s"]) - float(o["due_s"]))
        assert abs(float(o["lateness_s"]) - late) < 1e-6, o
    if o["first_assigned_s"] and o["vehicle"]:  # (none: handed back, then failed)
        v = vehicles[int(o["vehicle"])]
        assert float(o["first_assigned_s"]) >= float(v["shift_start_s"]), (o, v)
assert [v["name"] for v in vehicles] == [s["id"] for s in shifts]
for v, s in zip(vehicles, shifts):
    assert float(v["shift_start_s"]) == secs(s["shift_start_s"]), v
    assert float(v["shift_end_s"]) == secs(s["shift_end_s"]), v
    assert float(v["shift_overrun_s"]) >= 0.0, v
late = sum(1 for o in orders if o["status"] == "delivered" and float(o["lateness_s"]) > 0)
assert late == kpis["delivered_late"], (late, kpis["delivered_late"])
PY

# a bad cell: exit 3, where and what, nothing run or written
sed 's/^MC-0007,\([^,]*\),\([^,]*\),/MC-0007,\1,\2x,/' "$src/scenarios/monaco_inputs/orders.csv" >bad.csv
"$swarmsim" run "$sc" $net --set "inputs.orders=\"$work/bad.csv\"" --orders-out nothing.csv \
    >bad.out 2>bad.err
rc=$?
[ "$rc" = 3 ] || fail "bad cell: exit $rc, expected 3"
grep -q "^$work/bad.csv:8:[0-9]*: error: column 'lat' = '[0-9.]*x': not a number$" bad.err ||
    fail "bad cell message: $(cat bad.err)"
[ ! -e nothing.csv ] || fail "a table was written for a refused scenario"

# another day: --set inputs.orders (relative to the working directory)
head -11 "$src/scenarios/monaco_inputs/orders.csv" >ten.csv
"$swarmsim" run "$sc" $net --set 'inputs.orders="ten.csv"' --json >ten.json 2>ten.err ||
    fail "ten orders: $(cat ten.err)"
python3 -c "import json,sys; k=json.load(open('ten.json'))['kpis']; sys.exit(k['created'] != 10)" ||
    fail "ten orders: not 10 created"

# a Solomon instance as a scenario (its own Euclidean graph), the same bytes for -j 1 and -j 2
r101=$src/../shared/data/solomon_R101.txt
"$swarmsim" run "$r101" -j 1 --json --orders-out s1.csv >s1.json 2>s1.err || fail "R101: $(cat s1.err)"
"$swarmsim" run "$r101" -j 2 --orders-out s2.csv >/dev/null 2>s2.err || fail "R101 -j 2: $(cat s2.err)"
cmp -s s1.csv s2.csv || fail "R101: orders table differs between -j 1 and -j 2"
python3 -c "import json,sys; k=json.load(open('s1.json'))['kpis']; sys.exit(k['created'] != 100)" ||
    fail "R101: not 100 orders created"

# a VROOM problem with shipments on the Monaco map: each loaded at its pick-up location (the
# orders table's pickup_node, picked_up_s after the pickup window opened), the same bytes for
# -j 1 and -j 2
cat >ship.json <<'JSON'
{
  "vehicles": [
    {"id": 1, "start": [7.4173, 43.7302], "capacity": [6]},
    {"id": 2, "start": [7.4265, 43.7406], "capacity": [6]}
  ],
  "jobs": [{"id": 17, "location": [7.4168, 43.7368], "service": 60}],
  "shipments": [
    {"amount": [2], "pickup": {"id": 5, "location": [7.4240, 43.7400], "service": 120,
     "time_windows": [[600, 3600]]},
     "delivery": {"id": 6, "location": [7.4386, 43.7521], "service": 60}},
    {"amount": [1], "pickup": {"id": 7, "location": [7.4190, 43.7310], "service": 60},
     "delivery": {"id": 8, "location": [7.4168, 43.7368], "service": 60,
     "time_windows": [[0, 5400]]}}
  ]
}
JSON
"$swarmsim" run ship.json $net -j 1 --json --orders-out sh1.csv >sh1.json 2>sh1.err ||
    fail "shipments: $(cat sh1.err)"
"$swarmsim" run ship.json $net -j 2 --orders-out sh2.csv >/dev/null 2>sh2.err ||
    fail "shipments -j 2: $(cat sh2.err)"
cmp -s sh1.csv sh2.csv || fail "shipments: orders table differs between -j 1 and -j 2"
python3 - sh1.csv sh1.json <<'PY' || fail "shipments: not loaded at their pick-up locations"
import csv, json, sys
rows = {r["order_ref"]: r for r in csv.DictReader(open(sys.argv[1]))}
kpis = json.load(open(sys.argv[2]))["kpis"]
assert kpis["created"] == 3 and kpis["delivered"] == 3, kpis
assert rows["17"]["pickup_node"] == "", rows["17"]
for ref, opens in (("shipment-5", 600 + 120), ("shipment-7", 60)):
    r = rows[ref]
    assert r["pickup_node"] != "" and r["pickup_node"] != r["customer_node"], r
    assert 43.72 < float(r["pickup_lat"]) < 43.76 and 7.40 < float(r["pickup_lon"]) < 7.45, r
    assert float(r["picked_up_s"]) >= opens, r
    assert float(r["delivered_s"]) > float(r["picked_up_s"]), r
PY

if [ "$failures" -gt 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "inputs: all checks passed"
