#!/usr/bin/python3
"""h5py as a real client of the trace: H5MD layout and units, a SIGKILLed writer's file, and
scripts/report.py. Exit 77 (skipped) without h5py, numpy or matplotlib.

    trace_python_test.py TRACE_TEST_WRITER SCRIPTS_DIR OUT_DIR
"""
import os
import signal
import subprocess
import sys

try:
    import h5py
    import matplotlib  # noqa: F401
    import numpy as np
except ImportError as e:
    print(f"skipped: {e}")
    sys.exit(77)

writer, scripts, out = sys.argv[1:4]
os.makedirs(out, exist_ok=True)
failures = []
sys.path.insert(0, scripts)
import trace as swarm_trace  # noqa: E402


def text(v):
    """a string attribute: schema 2 writes fixed-length strings, which h5py reads as bytes"""
    return v.decode() if isinstance(v, bytes) else v


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


# a complete trace of a short run
path = os.path.join(out, "run.h5")
subprocess.run([writer, path], check=True, timeout=120)
with h5py.File(path, "r") as f:
    check(int(f.attrs["complete"]) == 1, "complete = 1")
    check(list(f["h5md"].attrs["version"]) == [1, 1], "h5md version [1, 1]")
    check(text(f["h5md/creator"].attrs["name"]) == "swarmsim", "creator name")
    check("version" in f["h5md/modules/swarmsim_trace"].attrs, "module version")
    check("name" in f["h5md/author"].attrs, "author name")
    check(list(f["h5md/modules/swarmsim_trace"].attrs["version"]) == [3, 5], "schema 3.5")
    # schema 3.5: the elements on one time grid share its step and time (hard links, H5MD)
    frame_grid = f["particles/agents/position"]
    for e in ["observables/" + o for o in ("created", "backlog", "busy_fraction", "energy",
                                           "veh_km")] + ["connectivity/links_per_sample"]:
        for axis in ("step", "time"):
            check(f[e][axis].id == frame_grid[axis].id, f"{e}/{axis} is position's {axis}")
    for o in ("utilisation", "cost", "overdue"):
        for axis in ("step", "time"):
            check(f["observables/" + o][axis].id == f["observables/service_level"][axis].id,
                  f"observables/{o}/{axis} is service_level's")
    check(f["observables/service_level/step"].id != frame_grid["step"].id,
          "the KPI intervals' grid is their own")
    agents = f["particles/agents"]
    n = agents["id"].shape[0]
    t = agents["position/step"].shape[0]
    check(n == 30 and t == 59, f"30 agents x 59 samples (got {n} x {t})")
    # schema 3.1: no dense states, loads and energies; the legs rows carry them
    check(all(e not in agents for e in ("state", "load", "energy")), "no dense agent rows")
    # schema 3: the positions are a table of legs, rebuilt by trace.py
    legs = agents["position/legs"]
    check(set(legs.dtype.names) == {"agent", "moving", "state", "load", "energy", "from",
                                    "to", "start", "end"},
          f"legs columns {legs.dtype.names}")
    # schema 3.3: the rows name their points, which are the network's nodes (row i = node i)
    points = agents["position/points"]
    check(set(points.dtype.names) == {"x", "y"} and legs.dtype.itemsize == 38
          and points.dtype.itemsize == 16, "38-byte legs rows, {x, y} float64 points")
    check(points.shape[0] == int(f["parameters"].attrs["network_nodes"]),
          f"a point per network node ({points.shape[0]})")
    named = np.stack([legs["from"][()], legs["to"][()]], axis=-1).reshape(-1).astype(np.int64)
    check(named.min() >= 0 and named.max() < points.shape[0], "the rows name points")
    check(legs.dtype["state"] == np.int8 and legs.dtype["load"] == np.float32
          and legs.dtype["energy"] == np.float32, "legs state int8, load and energy float32")
    check(text(legs.attrs["unit"]) == "m", "legs unit m")
    check(text(legs.attrs["energy_unit"]) == "kWh", "legs energy unit kWh")
    check(int(legs.attrs["keyframe_interval"]) >= 1, "legs keyframe interval")
    per_frame = agents["position/legs_per_frame"][:]
    check(per_frame.shape == (t,) and per_frame.sum() == legs.shape[0], "legs counted per frame")
    check(per_frame[0] == n, "every agent has a row in the first frame")
    check(per_frame[1:].sum() < (t - 1) * n, "later frames hold only the vehicles that changed")
    pos = swarm_trace.positions(f)
    check(pos.shape == (t, n, 2) and pos.dtype == np.float32, "positions [T][N][2] float32")
    # the model's positions at every frame (trace_test_writer's OUT.positions), bit for bit
    model = np.fromfile(path + ".positions", dtype="<f4")
    check(model.size == pos.size and np.array_equal(model.view("<u4"),
                                                    pos.reshape(-1).view("<u4")),
          "positions rebuilt by trace.py equal the model's bit for bit")
    moving = np.any(pos[1:] != pos[:-1], axis=(1, 2))
    check(moving.sum() > t // 2, "vehicles move between frames")
    # frame by frame, backwards (each from its keyframe), the same bits
    check(all(np.array_equal(swarm_trace.frame(f, k)[0], pos[k], equal_nan=True)
              for k in reversed(range(t))), "frame(k) equals positions()[k]")
    # the states, loads and energies (trace_test_writer's OUT.rows), bit for bit
    v = swarm_trace.agent_rows(f)
    check(v["state"].dtype == np.int8 and v["load"].dtype == np.float32
          and v["energy"].dtype == np.float32 and v["state"].shape == (t, n),
          "agent_rows: [T][N] int8, float32, float32")
    model = np.fromfile(path + ".rows", dtype="u1").reshape(t, 9 * n)
    check(np.array_equal(model[:, :n].view("i1"), v["state"])
          and np.array_equal(model[:, n:5 * n].copy().view("<u4"), v["load"].view("<u4"))
          and np.array_equal(model[:, 5 * n:].copy().view("<u4"), v["energy"].view("<u4")),
          "states, loads and energies rebuilt by trace.py equal the model's bit for bit")
    check(len(np.unique(v["state"])) > 2 and (v["energy"][1:] != v["energy"][:-1]).any(),
          "states and energies change")
    # the state changes (what /events held as vehicle_state rows before schema 3.4): every
    # vehicle whose state differs from the sample before, in time then agent order
    sc = swarm_trace.state_changes(f)
    st = model[:, :n].view("i1")
    tt = swarm_trace.times(f)
    expected = [(tt[k], a, st[k, a]) for k in range(1, t) for a in range(n)
                if st[k, a] != st[k - 1, a]]
    check(len(expected) > 0 and [(r["time"], r["agent"], r["state"]) for r in sc] == expected,
          f"state_changes: {len(sc)} rows, the model's {len(expected)}")
    check(sc.dtype.names == ("time", "agent", "state"), "state_changes: time, agent, state")
    check(all(np.array_equal(swarm_trace.frame(f, k)[1], v["state"][k])
              and all(np.array_equal(a.view("u1"), b[k].view("u1")) for a, b in
                      zip(swarm_trace.frame_values(f, k), (v["state"], v["load"], v["energy"])))
              for k in reversed(range(t))), "frame(k) and frame_values(k) equal agent_rows()")
    # the same run in schema 3.0 (dense states, loads and energies): trace.py gives the same
    # frames, bit for bit
    dense = os.path.join(out, "run30.h5")
    subprocess.run([writer, dense, "--dense-rows"], check=True, timeout=120)
    with swarm_trace.open_trace(dense) as g:
        check(list(g["h5md/modules/swarmsim_trace"].attrs["version"]) == [3, 0], "schema 3.0")
        check(g["particles/agents/state/value"].shape == (t, n), "3.0: dense states")
        check(np.array_equal(swarm_trace.positions(g).view("u4"), pos.view("u4")),
              "3.0 and 3.1: the same positions")
        w = swarm_trace.agent_rows(g)
        check(all(np.array_equal(w[e].view("u1"), v[e].view("u1"))
                  for e in ("state", "load", "energy")),
              "3.0 and 3.1: the same states, loads and energies")
        check(all(np.array_equal(swarm_trace.frame(g, k)[1], v["state"][k]) for k in range(t)),
              "3.0 and 3.1: the same frame(k) states")
        check(swarm_trace.state_counts(g).tolist() == swarm_trace.state_counts(f).tolist(),
              "3.0 and 3.1: the same state counts")
    for e in ("position",):
        g = agents[e]
        check(text(g["time"].attrs["unit"]) == "s", f"{e} time unit s")
        check(g["step"].dtype == np.int64, f"{e} step int64")
    for e in ("wear",):
        g = agents[e]
        check(g["value"].maxshape[0] is None, f"{e} extendible")
        check(g["value"].compression == "gzip" and g["value"].shuffle, f"{e} shuffle+deflate")
        check(g["value"].compression_opts == 1, f"{e} deflate level 1")
        # chunks span samples x a block of agents (at most 32 x 1024)
        check(g["value"].chunks[0] == 32 and g["value"].chunks[1] == min(n, 1024),
              f"{e} chunks {g['value'].chunks}")
    check(np.all(np.diff(agents["position/time"][:]) == 60.0), "samples every 60 s")
    x = pos[:, :, 0]
    check(np.isfinite(x).all() and x.max() - x.min() <= 5000, "positions in the city")
    obs = f["observables"]
    for name in ("service_level", "backlog", "delivered", "utilisation", "created", "failed"):
        check(name in obs and set(obs[name]) >= {"step", "time", "value"}, f"observable {name}")
    q = obs["service_level/value"][:]
    check(len(q) == 59 and (q >= 0).all() and (q <= 1).all(), "Q(t) in [0, 1]")
    check("connectivity" in f, "connectivity group")
    links = f["connectivity/links"]
    check(links.dtype.names == ("from", "to", "messages", "bytes"), "connectivity/links columns")
    check(f["connectivity/links_per_sample/value"].shape[0] == t, "links counted per sample")
    ev = f["events"]
    check(set(ev.dtype.names) == {"time", "kind", "agent", "edge", "order", "value"},
          "events columns")
    kinds = h5py.check_enum_dtype(ev.dtype["kind"])
    check(kinds is not None and kinds["delivered"] == 3, "event kinds enum")
    delivered = int((ev["kind"] == 3).sum())
    check(delivered == int(obs["delivered/value"][-1]), "one delivered event per delivery")
    p = f["parameters"]
    check("small-city" in p["scenario"].asstr()[()], "scenario text")
    check(int(p.attrs["seed"]) == 11 and int(p.attrs["network_nodes"]) == 400, "parameters")

# the h5py reader module and the report

with swarm_trace.open_trace(path) as f:
    o = swarm_trace.observables(f)
    check(len(o["delivered"]["value"]) == 59, "trace.observables")
    xy, st = swarm_trace.frame(f, 3)
    check(len(swarm_trace.links(f, 0)) == int(f["connectivity/links_per_sample/value"][0]),
          "trace.links slices a sample")
    check(xy.shape == (30, 2) and st.shape == (30,), "trace.frame")
    check(swarm_trace.state_counts(f).sum(axis=1).tolist() == [30] * 59, "state counts")
    extra = swarm_trace.agent_values(f)
    check(list(extra) == ["wear"] and extra["wear"].shape == (59, 30)
          and extra["wear"].dtype == np.float32, "trace.agent_values")
    check(extra["wear"][7].tolist() == [float(v + 7) for v in range(30)], "per-agent values")
    check(f["particles/agents/wear/time"].id == f["particles/agents/position/time"].id,
          "a per-agent value shares the frame grid's time (schema 3.5)")
rep = os.path.join(out, "report")
subprocess.run(["/usr/bin/python3", os.path.join(scripts, "report.py"), path, "-o", rep],
               check=True, timeout=120)
for name in ("service_level.png", "deliveries.png", "fleet_states.png", "report.md"):
    check(os.path.getsize(os.path.join(rep, name)) > 0, f"report {name}")
with open(os.path.join(rep, "report.md"), encoding="utf-8") as fh:
    check("| delivered |" in fh.read(), "report.md has the KPI table")

# every disruption kind: trace.py reads what each kind is from the trace's own table, and the
# docs name every kind of that table
every = os.path.join(out, "every_kind.h5")
subprocess.run([writer, every, "--every-kind"], check=True, timeout=120)
docs = os.path.join(os.path.dirname(os.path.abspath(scripts)), "docs")


def first_cells(name):
    """the first cells of the table rows of docs/NAME"""
    with open(os.path.join(docs, name), encoding="utf-8") as fh:
        return " ".join(line.split("|")[1] for line in fh if line.startswith("| "))


disruptions_md = first_cells("disruptions.md")  # | kind | effect |
trace_md = first_cells("trace-format.md")  # | kind | code | agent / edge | value |
with open(os.path.join(docs, "scenarios.md"), encoding="utf-8") as fh:
    # the row of [[disruptions]] kind that lists the kinds
    scenarios_md = " ".join(line for line in fh
                            if line.startswith("| `kind` |") and "`close_roads`" in line)
with swarm_trace.open_trace(every) as f:
    kinds = swarm_trace.event_kinds(f)
    check(kinds is not None, "the trace records its kinds table")
    enum = h5py.check_enum_dtype(f["events"].dtype["kind"])
    check([k["name"] for k in kinds] == sorted(enum, key=enum.get),
          "the table's names are the enum's, by code")
    ev = swarm_trace.events(f)
    table = [(code, k) for code, k in enumerate(kinds) if k["disruption"]]
    check(len(table) == len(set(k["disruption"] for _, k in table)), "one code per kind")
    starts = set()
    for code, k in table:
        what = k["disruption"]
        check(k["role"] in ("start", "end", "set") and k["target"] and k["label"],
              f"{what}: role, target and label")
        pair = kinds[k["pair"]] if 0 <= k["pair"] < len(kinds) else None
        if k["role"] == "set":
            check(k["pair"] == code, f"{what}: a set kind pairs with itself")
        else:
            check(pair is not None and pair["pair"] == code and pair["target"] == k["target"]
                  and {pair["role"], k["role"]} == {"start", "end"}, f"{what}: start/end pair")
        check(int((ev["kind"] == code).sum()) > 0, f"{what}: rows in the trace")
        check(f"`{what}`" in disruptions_md, f"{what} in docs/disruptions.md")
        check(f"`{what}`" in scenarios_md, f"{what} in docs/scenarios.md ([[disruptions]] kind)")
        check(k["name"] in trace_md.replace(",", " ").split(),
              f"{k['name']} in docs/trace-format.md")
        if k["role"] != "end":
            starts.add(k["name"])
    check(swarm_trace.disruption_starts(f) == starts, "trace.disruption_starts from the table")
    found = swarm_trace.disruptions(f)
    check(sorted(n for _, n, _ in found) == sorted(starts),
          f"trace.disruptions: one entry per starting kind ({[n for _, n, _ in found]})")
    check([t for t, _, _ in found] == sorted(t for t, _, _ in found), "in time order")
    check("depot_docks" in [n for _, n, _ in found], "depot_docks starts a disruption")

# a writer killed with SIGKILL after a few flushes
killed = os.path.join(out, "killed.h5")
if os.path.exists(killed):
    os.remove(killed)  # left by an earlier run of this test
proc = subprocess.Popen([writer, killed, "--stall"], stdout=subprocess.PIPE, text=True)
line = proc.stdout.readline()
check(line.startswith("flushed"), "the stalling writer reported its flushes")
proc.send_signal(signal.SIGKILL)
proc.wait(timeout=30)
check(proc.returncode == -signal.SIGKILL, "killed by SIGKILL")
# the file stays under its temporary name: nothing is passed off as a finished trace
check(not os.path.exists(killed), "nothing at the path of a killed writer")
killed = f"{killed}.{proc.pid}.partial"
with h5py.File(killed, "r", swmr=True) as f:
    check(int(f.attrs.get("complete", 0)) == 0, "partial: complete != 1")
    v = swarm_trace.positions(f)
    check(v.shape[0] >= 30, f"at least the 30 flushed samples ({v.shape[0]})")
    check(np.all(v[:30, :, 0] == np.arange(30)[:, None]), "flushed samples read back")
with swarm_trace.open_trace(killed) as f:
    check(not swarm_trace.is_complete(f), "trace.py opens the partial file")
os.remove(killed)

# a foreign HDF5 file is refused by trace.py
foreign = os.path.join(out, "foreign.h5")
with h5py.File(foreign, "w") as f:
    f["x"] = np.arange(3)
try:
    swarm_trace.open_trace(foreign).close()
    check(False, "foreign file refused")
except ValueError:
    pass

print("failures:", len(failures))
sys.exit(1 if failures else 0)
