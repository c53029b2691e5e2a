#!/usr/bin/python3
"""scripts/report.py and scripts/compare.py as a planner reads them (issue 17): a small run
with two labelled disruptions and a small `swarmsim compare`, then checks that

- the reports open with findings computed from the numbers (the policy named; the service
  level, cost and time to recover of `swarmsim run --json`; the cheapest group the one with
  the lowest mean cost in summary.csv, its percentage the paired one);
- the disruption windows carry the scenario's labels, start and end (trace.py, the report's
  lines, the trace's /events@disruption_labels);
- the HTML pages are self-contained (every image a data: URI, nothing fetched);
- a KPI that is the same in every run is left out of the table and named as left out;
- on synthetic batch directories: "no significant difference" when the values overlap, the
  paired percentage when they do not, the Student t quantile.

    report_test.py SWARMSIM SCRIPTS_DIR OUT_DIR
Exit 77 (skipped) without h5py, numpy or matplotlib.
"""
import csv
import json
import os
import re
import shutil
import subprocess
import sys

try:
    import h5py  # noqa: F401  (trace.py, report.py)
    import matplotlib  # noqa: F401
    import numpy  # noqa: F401
except ImportError as e:
    print(f"skipped: {e}")
    sys.exit(77)

swarmsim, scripts, out = sys.argv[1:4]
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
sys.path.insert(0, scripts)
import compare  # noqa: E402
import kpis  # noqa: E402
import trace  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


# 14 vehicles on a 1.5 km grid for 40 simulated minutes (well under a second a run): the cloud
# link is down 10-20 min, a district's roads close at 15 min and reopen at 25 min; its orders
# are held until then or until due (10 min), so the service level dips and recovers.
SCENARIO = """schema_version = 1
description = "report test: a cloud outage and a district closure"

[run]
seed = 1
duration_s = 2400.0
sample_interval_s = 300.0

[output]
sample_interval_s = 60.0

[network]
generator = "grid_city"
rows = 16
cols = 16
spacing_m = 100.0
arterial_every = 5
seed = 1

[demand]
profile = "flat"
per_depot_per_hour = 120.0
zone_radius_m = 700.0
max_size = 3
due_s = 600.0
customer_service_s = 60.0

[policies]
allocation = "auction"
offer_radius_m = 1500.0

[[depots]]
id = "west"
x = 400.0
y = 750.0
docks = 2
dock_service = { law = "exponential", mean_s = 45.0 }
charging_points = 2

[[depots]]
id = "east"
x = 1100.0
y = 750.0
docks = 2
dock_service = { law = "exponential", mean_s = 45.0 }
charging_points = 2

[[vehicle_types]]
id = "van"
kind = "ground"
capacity = 10
kwh_per_km = 0.2
battery_kwh = 60.0

[[fleets]]
id = "vans"
type = "van"
count = 14
home = "*"

[[disruptions]]
id = "outage"
kind = "cloud_down"
label = "Cloud link down"
at_s = 600.0
duration_s = 600.0

[[disruptions]]
id = "closure"
kind = "close_roads"
label = "Market district closed"
area = { x = 750.0, y = 750.0, radius_m = 350.0 }
at_s = 900.0
duration_s = 600.0
"""
scenario = os.path.join(out, "report_test.toml")
with open(scenario, "w", encoding="utf-8") as fh:
    fh.write(SCENARIO)


def sh(*args):
    p = subprocess.run(list(args), capture_output=True, text=True, timeout=120)
    check(p.returncode == 0, f"{' '.join(args[:3])} ... exited {p.returncode}: {p.stderr[-600:]}")
    return p


def lines_of(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read().splitlines()


def self_contained(path):
    with open(path, encoding="utf-8") as fh:
        page = fh.read()
    check(page.startswith("<!DOCTYPE html>"), f"{path}: an HTML page")
    check("<img" in page, f"{path}: has its figures")
    for src in re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page):
        check(src.startswith("data:image/png;base64,"), f"{path}: refers to {src[:60]}")
    check(not re.search(r"https?://|<script|<link|@import|url\(", page),
          f"{path}: fetches or runs something")
    return page


# --- one run ---------------------------------------------------------------------------------
run_trace = os.path.join(out, "run.h5")
summary = json.loads(sh(swarmsim, "run", scenario, "-j", "1", "-o", run_trace, "--force",
                        "--json").stdout or "{}").get("kpis", {})
rep = os.path.join(out, "run_report")
sh("/usr/bin/python3", os.path.join(scripts, "report.py"), run_trace, "-o", rep)

with trace.open_trace(run_trace) as f:
    check(list(f["h5md/modules/swarmsim_trace"].attrs["version"]) == [3, 5], "schema 3.5")
    labels = trace.disruption_labels(f)
    windows = trace.disruption_windows(f)
# the applied disruptions in order: down, close, up (cloud back), reopen, each with its label
check(labels == ["Cloud link down", "Market district closed", "Cloud link down",
                 "Market district closed"], f"/events@disruption_labels {labels}")
got = [(w["label"], w["start"], w["end"], w["end_label"]) for w in windows]
check(got == [("Cloud link down", 600.0, 1200.0, "cloud link back"),
              ("Market district closed", 900.0, 1500.0, "roads reopened")],
      f"disruption windows {got}")
check(windows and windows[-1]["rows"] > 1, "the closure's window counts its roads")

md = lines_of(os.path.join(rep, "report.md"))
check(md[0] == "# Report test: run report", f"title {md[0]!r}")
check(md[2].startswith("- **Swarm (auction), seed 1, 0:00-0:40: service level "),
      f"the first finding names the policy, seed and service level: {md[2]!r}")
first = "\n".join(md[2:6])
check("After Cloud link down at 0:10 the service level" in first,
      f"the resilience finding follows the first disruption: {first}")
# the numbers are the run summary's: service level, cost, time to recover
check(f"service level {100 * summary.get('service_level', -1):.1f} %;" in md[2]
      and f"cost {summary.get('cost', -1):,.0f} (currency units)" in md[2],
      f"service level and cost of the summary {summary} in {md[2]!r}")
ttr = summary.get("time_to_recover_s")
check(ttr is not None and ttr > 0 and f"{ttr / 60:.0f} min after the onset (time to recover)"
      in first, f"the summary's time to recover {ttr} s in {first}")
check("Disruptions: Cloud link down 0:10-0:20 (cloud link back at 0:20); Market district "
      "closed 0:15-0:25 (roads reopened at 0:25)." in first, f"the disruption list: {first}")
# the fleet-state legend shows the broken band, also when no vehicle broke down
import report  # noqa: E402
import report_plots  # noqa: E402
with trace.open_trace(run_trace) as f:
    run = report.read_run(f, run_trace)
legend = report_plots.plot_states(run, os.path.join(out, "states.png"))
check("broken (none)" in legend and "idle" in legend, f"fleet-state legend {legend}")
run["counts"][3:6, trace.STATE_NAMES.index("broken")] = 2
legend = report_plots.plot_states(run, os.path.join(out, "states_broken.png"))
check("broken" in legend, f"fleet-state legend with breakdowns {legend}")
page = self_contained(os.path.join(rep, "report.html"))
check("Market district closed" in page and "Cloud link down" in page,
      "report.html names the disruptions")
check("fleet_states.png" in "\n".join(md), "report.md shows the fleet states")

# --- a comparison ----------------------------------------------------------------------------
batch = os.path.join(out, "compare")
sh(swarmsim, "compare", scenario, "--policies", "cloud,auction", "--seeds", "3",
   "--parallel", "2", "--trace", "--out-dir", batch, "--force")
crep = os.path.join(out, "compare_report")
sh("/usr/bin/python3", os.path.join(scripts, "report.py"), batch, "-o", crep)
cmd = lines_of(os.path.join(crep, "compare.md"))
check(cmd[0] == "# Report test: policies compared", f"compare title {cmd[0]!r}")
with open(os.path.join(batch, "summary.csv"), newline="", encoding="utf-8") as fh:
    rows = [r for r in csv.DictReader(fh)]
cost = {r["policy"]: float(r["mean"]) for r in rows if r["kpi"] == "cost"}
name = {"cloud": "Cloud", "auction": "Swarm (auction)"}
cheap = min(cost, key=cost.get)
check(cmd[2].startswith(f"- **Cheapest: {name[cheap]}, cost ")
      or cmd[2].startswith("- **Cost: no significant difference"),
      f"the first finding is about cost and names the cheaper policy {cheap}: {cmd[2]!r}")
header = next(line for line in cmd if line.startswith("| KPI (mean [95 % CI])"))
check(header == "| KPI (mean [95 % CI]) | Cloud | Swarm (auction) |", f"columns {header!r}")
table = [line.split(" | ")[0][2:] for line in cmd if line.startswith("| ")][2:]
check(not any(re.search(r"[a-z]+_[a-z]", t) for t in table), f"snake_case titles in {table}")
check("Cost (currency units)" in table, f"cost in the table {table}")
# a constant KPI: no vehicle breaks down under either policy, so breakdowns are left out of
# the table and named as left out
broke = {r["policy"]: (float(r["mean"]), r["std"]) for r in rows if r["kpi"] == "breakdowns"}
check(broke and all(m == 0 for m, _ in broke.values()), f"no breakdowns in the test {broke}")
check("Breakdowns (vehicles)" not in table, "the constant KPI breakdowns is left out")
left = next((line for line in cmd if line.startswith("Left out")), "")
check("Breakdowns (vehicles) = 0" in left, f"and named as left out: {left!r}")
self_contained(os.path.join(crep, "compare.html"))
self_contained(os.path.join(crep, "comparison.html"))
cmp_md = "\n".join(lines_of(os.path.join(crep, "comparison.md")))
check("| Swarm (auction), seed 2 |" in cmp_md, "the traces are named by policy and seed")


# --- synthetic batches: the sentences follow the numbers --------------------------------------
def synthetic(path, values, column="policy"):
    """a compare directory (a sweep of `column`): values = {group: {kpi: [per seed]}}"""
    os.makedirs(os.path.join(path, "runs"), exist_ok=True)
    runs, groups, table = [], [], []
    for g, (policy, per_kpi) in enumerate(values.items()):
        groups.append({"group": g, "labels": {column: policy}})
        seeds = len(next(iter(per_kpi.values())))
        for s in range(seeds):
            rid = f"{len(runs):04d}"
            os.makedirs(os.path.join(path, "runs", rid), exist_ok=True)
            with open(os.path.join(path, "runs", rid, "summary.json"), "w") as fh:
                json.dump({"kpis": {k: v[s] for k, v in per_kpi.items()}}, fh)
            runs.append({"id": rid, "group": g, "seed": s + 1, "status": "ok",
                         "overrides": [f"{column}={policy}"],
                         "summary": f"runs/{rid}/summary.json"})
        for k, v in per_kpi.items():
            m, lo, hi = kpis.mean_ci(v)
            sd = (sum((x - m) ** 2 for x in v) / (len(v) - 1)) ** 0.5
            table.append([policy, k, m, sd, lo, hi, len(v), 0])
    with open(os.path.join(path, "manifest.json"), "w") as fh:
        json.dump({"command": "compare", "scenario": {"path": "synthetic.toml"},
                   "groups": groups, "runs": runs, "status": "ok"}, fh)
    with open(os.path.join(path, "summary.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([column] + kpis.STAT_COLUMNS)
        w.writerows(table)
    compare.write(path, path)
    return lines_of(os.path.join(path, "compare.md"))


check(abs(kpis.t_quantile(0.975, 4) - 2.7764451052) < 1e-8, "t(0.975, 4)")
check(abs(kpis.t_quantile(0.975, 1) - 12.7062047362) < 1e-7, "t(0.975, 1)")
# cost 100 vs 150 on every seed (+-2): the cloud is 33 % cheaper; breakdowns always 0
clear = synthetic(os.path.join(out, "synthetic_clear"), {
    "cloud": {"cost": [100.0, 102.0, 98.0], "breakdowns": [0, 0, 0],
              "service_level": [0.99, 0.98, 0.99]},
    "auction": {"cost": [150.0, 153.0, 147.0], "breakdowns": [0, 0, 0],
                "service_level": [1.0, 1.0, 1.0]}})
check(clear[2].startswith("- **Cheapest: Cloud, cost 100.0 [95.0, 105.0] (mean [95 % CI]), "
                          "33 % less than Swarm (auction) (95 % CI -33."),
      f"the paired cost finding: {clear[2]!r}")
check(not any(line.startswith("| Breakdowns") for line in clear), "constant breakdowns shown")
check(any(line.startswith("Left out") and "Breakdowns (vehicles) = 0" in line for line in clear),
      "constant breakdowns not named as left out")
# overlapping costs: no significant difference, whichever mean is lower
overlap = synthetic(os.path.join(out, "synthetic_overlap"), {
    "cloud": {"cost": [100.0, 130.0, 90.0]}, "auction": {"cost": [110.0, 95.0, 120.0]}})
check(overlap[2].startswith("- **Cost: no significant difference in cost between "),
      f"overlapping costs: {overlap[2]!r}")

# a sweep: its values named by their key, the first value the baseline
sweep = synthetic(os.path.join(out, "synthetic_sweep"), {
    "off": {"cost": [1000.0, 1100.0, 900.0], "breakdowns": [100, 104, 96]},
    "gossip": {"cost": [740.0, 805.0, 670.0], "breakdowns": [50, 53, 47]}},
    column="learning.mode")
check(sweep[0] == "# Synthetic: sweep", f"sweep title {sweep[0]!r}")
check(sweep[2].startswith("- **Cheapest: Learning: gossip, cost ")
      and "26 % less than Learning: off" in sweep[2], f"the sweep's cost finding {sweep[2]!r}")
check(sweep[3].startswith("- **Breakdowns: Learning: gossip 50.0 against 100.0 for Learning: "
                          "off: 50 % fewer"), f"the sweep's breakdown finding {sweep[3]!r}")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("report tests: all checks passed")
