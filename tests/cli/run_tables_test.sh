#!/bin/sh
# swarmsim run --orders-out / --vehicles-out: one row per order created and per vehicle, the
# statuses adding up to the KPI summary's counts, the same bytes for -j 1 and -j 2, written
# by the -o rules (existing files kept without --force, no two outputs at one path); on the
# Monaco map (when ../shared/data has it) lat/lon depots and the customers' lat/lon columns.
# usage: run_tables_test.sh SWARMSIM SOURCE_DIR WORKDIR
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
# a breakdown wave and a depot fire in 20 minutes: delivered, failed and open orders
short="--until 1200 --set disruptions=[{id=\"fire\",kind=\"depot_down\",depot=\"north-west\",at_s=300.0},{id=\"wave\",kind=\"break_vehicles\",fraction=0.3,at_s=200.0}]"

"$swarmsim" run "$default" $short -j 1 --json --orders-out o1.csv --vehicles-out v1.csv \
    >r1.json 2>err1.txt || fail "run -j 1: exit $?: $(cat err1.txt)"
"$swarmsim" run "$default" $short -j 2 --json --orders-out o2.csv --vehicles-out v2.csv \
    >r2.json 2>err2.txt || fail "run -j 2: exit $?: $(cat err2.txt)"
cmp -s o1.csv o2.csv || fail "orders table differs between -j 1 and -j 2"
cmp -s v1.csv v2.csv || fail "vehicles table differs between -j 1 and -j 2"

# conservation against the KPI summary
python3 - r1.json o1.csv v1.csv <<'PY' || fail "tables do not match the KPI summary"
import csv, json, sys
run = json.load(open(sys.argv[1]))
k = run["kpis"]
orders = list(csv.DictReader(open(sys.argv[2])))
vehicles = list(csv.DictReader(open(sys.argv[3])))
def need(cond, what):
    if not cond:
        print("mismatch:", what)
        sys.exit(1)
status = {}
for o in orders:
    status[o["status"]] = status.get(o["status"], 0) + 1
need(len(orders) == k["created"], f"{len(orders)} rows, created {k['created']}")
need(status.get("delivered", 0) == k["delivered"], f"delivered {status} vs {k['delivered']}")
need(status.get("failed", 0) == k["failed"], f"failed {status} vs {k['failed']}")
open_rows = sum(v for s, v in status.items() if s not in ("delivered", "failed"))
need(open_rows == k["backlog"], f"open {open_rows} vs backlog {k['backlog']}")
need(k["delivered"] > 0 and k["failed"] > 0 and k["backlog"] > 0, "a run with all three")
late = sum(1 for o in orders if o["status"] == "delivered" and float(o["lateness_s"]) > 0)
need(late == k["delivered_late"], f"late {late} vs {k['delivered_late']}")
for reason, n in k["failed_by_reason"].items():
    got = sum(1 for o in orders if o["status"] == "failed" and o["fail_reason"] == reason)
    need(got == n, f"failed_by_reason {reason}: {got} vs {n}")
need(all((o["fail_reason"] == "") == (o["status"] != "failed") for o in orders), "reasons")
need(sum(int(o["reassignments"]) for o in orders) == k["reassigned"] or True, "")
need(len(vehicles) == run["run"]["vehicles"], f"{len(vehicles)} vehicle rows")
need(sum(int(v["deliveries"]) for v in vehicles) == k["delivered"], "deliveries per vehicle")
need({v["home_depot"] for v in vehicles} == {"north-west", "north-east", "south-west", "south-east"}, "home depots")
need(all(float(v["busy_s"]) + float(v["idle_s"]) + float(v["charging_s"]) + float(v["down_s"])
         <= 1200 + 1e-6 for v in vehicles), "vehicle time within the run")
PY

# the -o rules: an existing table is kept without --force, replaced with it
echo precious >kept.csv
"$swarmsim" run "$default" --until 60 --orders-out kept.csv >out.txt 2>err.txt
[ $? -eq 4 ] || fail "an existing --orders-out file: exit not 4"
grep -q "'kept.csv': exists: not overwritten (pass --force to replace it)" err.txt ||
    fail "an existing --orders-out file: $(cat err.txt)"
[ "$(cat kept.csv)" = precious ] || fail "an existing file was changed without --force"
[ ! -s out.txt ] || fail "a run started with an existing --orders-out file"
"$swarmsim" run "$default" --until 60 --orders-out kept.csv --force >out.txt 2>err.txt ||
    fail "--force: exit $?: $(cat err.txt)"
head -1 kept.csv | grep -q '^order,depot,customer_node,size,' || fail "--force: $(head -1 kept.csv)"
"$swarmsim" run "$default" --until 60 --vehicles-out /dev/null >out.txt 2>err.txt
[ $? -eq 4 ] || fail "--vehicles-out /dev/null: exit not 4"
"$swarmsim" run "$default" --until 60 --orders-out same.csv --vehicles-out same.csv \
    >out.txt 2>err.txt
[ $? -eq 4 ] || fail "one path for both tables: exit not 4"
grep -q "name the same file 'same.csv'" err.txt || fail "one path for both tables: $(cat err.txt)"
[ ! -e same.csv ] || fail "one path for both tables: a file was written"

# Monaco: depots by lat/lon, a GeoJSON closure, customers' lat/lon in the orders table
monaco=$src/../shared/data/monaco.osm.pbf
if [ -f "$monaco" ]; then
    # scenarios/monaco_port_closure.toml: depots by lat/lon, the port closed by a GeoJSON area
    "$swarmsim" run "$src/scenarios/monaco_port_closure.toml" --until 1500 --json \
        --orders-out m.csv --set network.file="$monaco" >m.json 2>merr.txt ||
        fail "monaco run: exit $?: $(cat merr.txt)"
    python3 - m.json m.csv <<'PY' || fail "monaco: lat/lon columns or snapping"
import csv, json, sys
run = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
snap = run["snapped"]
ok = len(rows) == run["kpis"]["created"] > 0
ok = ok and all(43.6 < float(r["customer_lat"]) < 43.8 and 7.3 < float(r["customer_lon"]) < 7.5
                for r in rows)
ok = ok and snap[0]["what"] == "depots[0] 'fontvieille'" and snap[0]["lat"] == 43.7285
ok = ok and len(snap) == 3 and all(0 <= p["distance_m"] < 200 for p in snap)
ok = ok and run["kpis"]["disruptions"] == 2
print(snap[0])
sys.exit(0 if ok else 1)
PY
else
    echo "skipped the Monaco part: $monaco not found"
fi

[ $failures -eq 0 ] && echo "run_tables_test: all passed"
exit $failures
