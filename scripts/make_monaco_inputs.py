#!/usr/bin/env python3
"""Writes the sample planner tables for the Monaco map (scenarios/monaco_inputs/):
depots.csv, vehicles.csv and orders.csv, read by scenarios/monaco_inputs.toml (docs/inputs.md).

Customer addresses are real drivable road nodes of the map: the script runs
`swarmsim run scenarios/monaco.toml --orders-out` once and keeps the customer latitudes and
longitudes of the orders it drew (so no OSM reader is needed here). Everything else is drawn
from a fixed seed: the same binary and map give the same files.

usage: scripts/make_monaco_inputs.py [--swarmsim build/cli/swarmsim] [--map PATH] [--out DIR]
"""
import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# depots in the three quarters, where scenarios/monaco_port_closure.toml has them (WGS84
# degrees; La Condamine's is outside the port area that closes)
DEPOTS = [
    ("fontvieille", 43.7285, 7.4170, 4),
    ("monte-carlo", 43.7396, 7.4275, 4),
    ("la-condamine", 43.7347, 7.4195, 4),
]
START_HOUR = 8  # simulated time 0 is 08:00 (demand.start_hour in the scenario)


def clock(seconds):
    """simulated seconds to a clock time hh:mm:ss of the day"""
    t = int(round(seconds)) + START_HOUR * 3600
    return f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}"


def harvest_customers(swarmsim, network):
    """(depot id, lat, lon) of the customers of a seeded run of scenarios/monaco.toml"""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "orders.csv")
        cmd = [swarmsim, "run", os.path.join(ROOT, "scenarios", "monaco.toml"), "--seed", "11",
               "--set", "run.duration_s=3600", "--orders-out", out]
        if network:
            cmd += ["--set", "network.file=" + network]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(out, newline="") as f:
            rows = list(csv.DictReader(f))
    seen = set()
    customers = []
    for r in rows:
        key = (r["depot"], r["customer_lat"], r["customer_lon"])
        if r["customer_lat"] and key not in seen:
            seen.add(key)
            customers.append(key)
    if not customers:
        sys.exit("make_monaco_inputs: the harvest run gave no customer positions")
    return customers


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--swarmsim", default=os.path.join(ROOT, "build", "cli", "swarmsim"))
    ap.add_argument("--map", default="", help="the Monaco .osm.pbf (default: the scenario's)")
    ap.add_argument("--out", default=os.path.join(ROOT, "scenarios", "monaco_inputs"))
    ap.add_argument("--orders", type=int, default=600)
    args = ap.parse_args()
    rng = random.Random(20261202)
    customers = harvest_customers(args.swarmsim, args.map)
    os.makedirs(args.out, exist_ok=True)

    with open(os.path.join(args.out, "depots.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "lat", "lon", "docks", "charging_points", "stock_units"])
        for name, lat, lon, docks in DEPOTS:
            w.writerow([name, f"{lat:.4f}", f"{lon:.4f}", docks, 4, 5000])

    # per depot: 14 vans (early and late shifts, a few smaller ones) and 4 drones
    with open(os.path.join(args.out, "vehicles.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "type", "home_depot", "fleet", "shift_start_s", "shift_end_s",
                    "capacity_units", "battery_kwh"])
        for name, _, _, _ in DEPOTS:
            for i in range(14):
                early = i % 2 == 0
                w.writerow([f"{name}-van-{i + 1:02d}", "van", name, "vans",
                            clock(0) if early else clock(3600),
                            clock(4 * 3600) if early else clock(5 * 3600),
                            8 if i % 5 == 4 else "", ""])
            for i in range(4):
                w.writerow([f"{name}-drone-{i + 1}", "drone", name, "drones", clock(0),
                            clock(5 * 3600), "", ""])

    # orders over 08:00-12:00 with a peak at 09:00-10:30 (an eighth booked overnight, released
    # at 08:00); windows of 45-120 min that open up to 45 min after release
    with open(os.path.join(args.out, "orders.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "depot", "lat", "lon", "size_units", "release_s", "earliest_s",
                    "latest_s", "priority"])
        orders = []
        for k in range(args.orders):
            # one in eight was booked overnight and is there at 08:00; the rest arrive over
            # the morning
            release = 0.0 if k % 8 == 0 else rng.triangular(0, 4 * 3600, 1.75 * 3600)
            depot, lat, lon = rng.choice(customers)
            size = rng.choice([1, 1, 1, 2, 2, 3, 4])
            earliest = release + rng.choice([0, 0, 0, 900, 1800, 2700])
            latest = earliest + rng.choice([2700, 3600, 3600, 5400, 7200])
            orders.append((round(release), depot, lat, lon, size, round(earliest), round(latest),
                           1 if rng.random() < 0.1 else 0))
        orders.sort()
        for k, (release, depot, lat, lon, size, earliest, latest, prio) in enumerate(orders):
            w.writerow([f"MC-{k + 1:04d}", depot, lat, lon, size, clock(release), clock(earliest),
                        clock(latest), prio])
    print(f"make_monaco_inputs: wrote {args.out}/depots.csv, vehicles.csv, orders.csv "
          f"({len(orders)} orders from {len(customers)} customer positions)")


if __name__ == "__main__":
    main()
