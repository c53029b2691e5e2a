#!/usr/bin/python3
"""A trace tells the run's truth: `swarmsim run -o trace.h5 --json` on a small scenario with
late and failed orders, then scripts/report.py on the trace. The trace has frames at t = 0 and
at the run's end, on the output grid whatever the KPI grid; the report's totals (the final
frame) equal the run summary exactly; every per-time dataset's first axis is labelled by its
`time` dimension scale and its other axes too (xarray, when installed, sees a time
coordinate). Exit 77 (skipped) without h5py, numpy or matplotlib.

    trace_totals_test.py SWARMSIM SCRIPTS_DIR OUT_DIR
"""
import json
import os
import re
import subprocess
import sys

try:
    import h5py
    import matplotlib  # noqa: F401
    import numpy as np
except ImportError as e:
    print(f"skipped: {e}")
    sys.exit(77)

swarmsim, scripts, out = sys.argv[1:4]
os.makedirs(out, exist_ok=True)
sys.path.insert(0, scripts)
import report  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


# 22 vehicles, 15 simulated minutes (well under a second): due times short enough for late
# deliveries, a breakdown for failed orders. Frames every 70 s: neither a multiple nor a
# divisor of the 60 s KPI grid, nor of the 900 s run.
SCENARIO = """schema_version = 1
description = "trace totals test: small city, short due times, a breakdown"

[run]
seed = 3
duration_s = 900.0
sample_interval_s = 60.0

[output]
sample_interval_s = 70.0
events = true

[network]
generator = "grid_city"
rows = 20
cols = 20
spacing_m = 100.0
arterial_every = 5
seed = 1

[demand]
profile = "flat"
per_depot_per_hour = 300.0
zone_radius_m = 1000.0
max_size = 3
due_s = 300.0
customer_service_s = 60.0

[policies]
allocation = "nearest_bid"
offer_radius_m = 2000.0

[[depots]]
id = "west"
x = 500.0
y = 1000.0
docks = 2
dock_service = { law = "exponential", mean_s = 45.0 }
charging_points = 2

[[depots]]
id = "east"
x = 1500.0
y = 1000.0
docks = 2
dock_service = { law = "exponential", mean_s = 45.0 }
charging_points = 2

[[vehicle_types]]
id = "van"
kind = "ground"
capacity = 10
kwh_per_km = 0.2
battery_kwh = 60.0

[[vehicle_types]]
id = "drone"
kind = "drone"
cruise_mps = 15.0
capacity = 1
kwh_per_km = 0.02
battery_kwh = 0.5

[[fleets]]
id = "vans"
type = "van"
count = 16
home = "*"

[[fleets]]
id = "drones"
type = "drone"
count = 6
home = "*"

[[disruptions]]
id = "breakdowns"
kind = "break_vehicles"
fraction = 0.3
at_s = 400.0
"""
scenario = os.path.join(out, "totals.toml")
with open(scenario, "w", encoding="utf-8") as fh:
    fh.write(SCENARIO)


def run(trace, *extra):
    # --force: this test's own trace of an earlier ctest run
    p = subprocess.run([swarmsim, "run", scenario, "-j", "2", "-o", trace, "--force", "--json",
                        *extra],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        print(p.stderr)
        sys.exit(f"swarmsim run exited {p.returncode}")
    return json.loads(p.stdout), p.stderr


trace = os.path.join(out, "trace.h5")
summary, err = run(trace)
kpis = summary["kpis"]
end_s = summary["run"]["simulated_s"]
check(end_s == 900.0, f"simulated 900 s (got {end_s})")
check("warning" not in err, f"no warning for whole-tick intervals: {err!r}")
# the scenario does what it is for (else the comparisons below prove little)
check((kpis.get("delivered_late") or 0) > 0, "some deliveries are late")
check((kpis.get("failed") or 0) > 0, "some orders failed")
check((kpis.get("backlog") or 0) > 0, "some orders are open at the end")

# frames: t = 0, every 70 s, and the end
with h5py.File(trace, "r") as f:
    t = f["particles/agents/position/time"][:]
    expect = np.append(np.arange(0.0, 900.0, 70.0), 900.0)
    check(np.array_equal(t, expect), f"frames at 0, 70, ..., 840, 900 s (got {t.tolist()})")
    check(f["parameters"].attrs["sample_interval_s"] == 70.0, "parameters sample_interval_s 70")
    step = f["particles/agents/position/step"][:]
    check(step[0] == 0 and step[-1] == 900 * int(f["parameters"].attrs["ticks_per_second"]),
          "steps from 0 to the end tick")
    for name in ("created", "delivered", "failed", "backlog", "veh_km"):
        check(np.array_equal(f[f"observables/{name}/time"][:], expect),
              f"observables/{name} on the frame grid")
    # the KPI grid: every interval up to the end, the last one included
    q_t = f["observables/service_level/time"][:]
    check(len(q_t) == 15 and q_t[-1] == 900.0, f"15 KPI intervals to 900 s (got {q_t.tolist()})")
    check(f["observables/delivered/value"][0] == 0 and f["observables/created/value"][0] == 0,
          "nothing delivered or created before t = 0")

    # dimension scales: every axis of every per-time dataset is labelled (xarray wants all
    # or none), the first by the group's own `time`
    agents = f["particles/agents"]
    check(h5py.h5ds.is_scale(agents["id"].id), "particles/agents/id is a dimension scale")
    check(np.array_equal(agents["id"][:], np.arange(22)), "particles/agents/id = 0..N-1")
    groups = [agents[e] for e in agents if isinstance(agents[e], h5py.Group) and "time" in
              agents[e]]
    groups += [g for g in f["observables"].values()]
    groups.append(f["connectivity/links_per_sample"])
    check(len(groups) >= 1 + 9 + 5 + 1, f"per-time groups found: {len(groups)}")
    for g in groups:
        time = g["time"]
        check(h5py.h5ds.is_scale(time.id), f"{time.name} is a dimension scale")
        # schema 3's positions: the frame grid and the legs counted per frame (the legs
        # table itself is a table of rows, not on the time axis)
        for ds in [g["step"]] + [g[n] for n in ("value", "legs_per_frame") if n in g]:
            dims = ds.dims
            check(len(dims[0]) == 1 and dims[0][0] == time, f"{ds.name} axis 0 -> {time.name}")
            for axis in range(1, ds.ndim):
                check(len(dims[axis]) == 1, f"{ds.name} axis {axis} labelled")
    check("value" not in agents["position"] and "legs" in agents["position"],
          "positions as a legs table (schema 3)")
    # schema 3.1: the legs rows carry the states, loads and energies
    check(all(e not in agents for e in ("state", "load", "energy"))
          and "state" in agents["position/legs"].dtype.names, "states in the legs rows (3.1)")

# report.py's totals are the summary's, exactly
rep = os.path.join(out, "report")
p = subprocess.run(["/usr/bin/python3", os.path.join(scripts, "report.py"), trace, "-o", rep],
                   capture_output=True, text=True, timeout=120)
check(p.returncode == 0, f"report.py exited {p.returncode}: {p.stderr}")
with open(os.path.join(rep, "report.md"), encoding="utf-8") as fh:
    md = fh.read()
rows = dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", md, re.M))
# only plain counts and veh-km: the summary's other keys may change (and be null)
for label, key in (("orders created", "created"), ("delivered", "delivered"),
                   ("delivered on time", "delivered_on_time"),
                   ("delivered late", "delivered_late"), ("failed", "failed"),
                   ("backlog at the end", "backlog")):
    want = kpis.get(key)
    check(want is not None and rows.get(label) == str(want),
          f"report '{label}' {rows.get(label)} == summary {key} {want}")
check(rows.get("veh-km") == f"{kpis['veh_km']:.1f}",
      f"report veh-km {rows.get('veh-km')} == summary {kpis['veh_km']}")
check("t = 900 s" in md, "the report says when its totals hold")
with h5py.File(trace, "r") as f:
    totals = report.totals(report.swarm_trace.observables(f))
for key in ("created", "delivered", "delivered_on_time", "delivered_late", "failed", "backlog",
            "veh_km"):
    check(totals[key] == kpis.get(key), f"totals()[{key}] {totals[key]} == {kpis.get(key)}")
check(totals["time_s"] == end_s, "totals at the run's end")
# the events table agrees too: one delivered row per delivery, late ones with lateness > 0
with h5py.File(trace, "r") as f:
    ev = f["events"][:]
    kinds = h5py.check_enum_dtype(f["events"].dtype["kind"])
delivered = ev[ev["kind"] == kinds["delivered"]]
check(len(delivered) == kpis["delivered"], "a delivered row per delivery")
check(int((delivered["value"] > 0).sum()) == kpis["delivered_late"], "late rows")
check(int((ev["kind"] == kinds["failed"]).sum()) == kpis["failed"], "a failed row per failure")

# a KPI grid coarser than the frames is not imposed on them (it was: 60 s became 300 s), and
# an interval off the tick grid is changed with a warning naming the key and both values
trace2 = os.path.join(out, "coarse_kpis.h5")
summary2, err2 = run(trace2, "--set", "run.sample_interval_s=300",
                     "--set", "output.sample_interval_s=60.0000004", "--until", "400")
check("output.sample_interval_s = 60.0000004 s is not a whole number of ticks: sampling every "
      "60 s" in err2, f"tick rounding warned: {err2!r}")
with h5py.File(trace2, "r") as f:
    t2 = f["particles/agents/position/time"][:]
    check(np.array_equal(t2, [0, 60, 120, 180, 240, 300, 360, 400]),
          f"frames every 60 s beside 300 s KPIs, and at --until 400 (got {t2.tolist()})")
    check(f["observables/created/value"][-1] == summary2["kpis"]["created"],
          "the last frame of a shortened run is its summary")
    check(f["parameters"].attrs["sample_interval_s"] == 60.0, "the interval actually used")

# xarray (optional: not a dependency) opens a group with a time coordinate
try:
    import xarray as xr
    import h5netcdf  # noqa: F401
except ImportError:
    print("note: xarray/h5netcdf not installed, xarray check skipped")
else:
    with xr.open_dataset(trace, engine="h5netcdf", group="observables/delivered") as ds:
        check("time" in ds.coords and ds["value"].dims == ("time",), f"xarray: {ds}")
        check(np.array_equal(ds["time"].values, expect), "xarray time coordinate")

if failures:
    sys.exit(f"{len(failures)} check(s) failed")
print("ok")
