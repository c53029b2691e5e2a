#!/usr/bin/python3
"""Small h5py reader for swarmsim HDF5 traces (H5MD layout, docs/trace-format.md).

    import trace
    t = trace.open_trace("run.h5")          # h5py.File, SWMR mode for partial files
    obs = trace.observables(t)              # {"service_level": {"step", "time", "value"}, ...}
    pos, state = trace.frame(t, 10)         # positions [N][2] (m) and states [N] at sample 10
    ev = trace.events(t)                    # numpy structured array of /events
    kinds = trace.event_kinds(t)            # what each kind code is (its label, role, ...)
    li = trace.links(t, 10)                 # who talked to whom before sample 10
    trace.agent_values(t)                   # {"predicted_risk": [T][N] float32, ...}
"""
import h5py
import numpy as np

STATE_NAMES = ["idle", "to_pickup", "loading", "en_route", "delivering", "returning",
               "charging", "broken", "maintenance"]


def open_trace(path):
    """Opens a trace read-only; a file whose writer was killed needs SWMR read mode."""
    try:
        f = h5py.File(path, "r")
    except OSError:
        f = h5py.File(path, "r", swmr=True)
    if "h5md/modules/swarmsim_trace" not in f:
        f.close()
        raise ValueError(f"{path}: not a swarmsim trace (no h5md/modules/swarmsim_trace)")
    return f


def is_complete(f):
    return int(f.attrs.get("complete", 0)) == 1


def status(f):
    """None for a complete trace of a finished run, else what is wrong with it, for people:
    incomplete (writing failed, e.g. a full disk: the file holds the samples up to its last
    flush), partial (its writer was killed) or interrupted (the run was stopped by a signal;
    the trace is whole up to the stop)"""
    if int(f.attrs.get("incomplete", 0)) == 1:
        why = f.attrs.get("incomplete_reason", "no reason recorded")
        why = why.decode() if isinstance(why, bytes) else str(why)
        return f"INCOMPLETE: writing it failed ({why}); only the samples before that are in it"
    if not is_complete(f):
        return "PARTIAL: its writer did not close it (killed?); only the flushed samples are in it"
    if int(f.attrs.get("interrupted", 0)) == 1:
        return "interrupted: the run was stopped early; the trace ends at the stop"
    return None


def _series(group):
    n = min(group["step"].shape[0], group["time"].shape[0], group["value"].shape[0])
    return {"step": group["step"][:n], "time": group["time"][:n], "value": group["value"][:n]}


def observables(f):
    """Every observable as {"step", "time", "value"} numpy arrays."""
    return {name: _series(g) for name, g in f["observables"].items()}


def samples(f):
    agents = f["particles/agents"]
    return min(agents[e][p].shape[0] for e in ("position", "state", "load", "energy")
               for p in ("step", "time", "value"))


def times(f):
    n = samples(f)
    return f["particles/agents/state/time"][:n]


def frame(f, k):
    """Positions [N][2] in metres and states [N] at sample k."""
    a = f["particles/agents"]
    return a["position/value"][k], a["state/value"][k]


def agent_values(f):
    """Per-agent value elements beyond position, state, load and energy (a learner's
    predicted risk, ...), as {name: [T][N] array}."""
    n = samples(f)
    out = {}
    for name, g in f["particles/agents"].items():
        # id is a dataset (the agents' dimension scale), box a group without values
        if (name in ("box", "id", "position", "state", "load", "energy")
                or not isinstance(g, h5py.Group) or "value" not in g):
            continue
        out[name] = g["value"][:n]
    return out


def links(f, k):
    """connectivity/links rows of sample k (from, to, messages, bytes); none before schema 1.1"""
    if "connectivity/links" not in f:
        return np.zeros(0, dtype=[("from", "<u4"), ("to", "<u4"), ("messages", "<u4"),
                                  ("bytes", "<u8")])
    counts = f["connectivity/links_per_sample/value"][: k + 1]
    first = int(counts[:k].sum())
    return f["connectivity/links"][first:first + int(counts[k])]


def state_counts(f):
    """Vehicles per state at every sample: array [T][8]."""
    n = samples(f)
    states = f["particles/agents/state/value"][:n]
    counts = np.zeros((n, len(STATE_NAMES)), dtype=np.int64)
    for s in range(len(STATE_NAMES)):
        counts[:, s] = (states == s).sum(axis=1)
    return counts


def events(f):
    return f["events"][:]


# The /events kinds of traces before schema 1.6, which do not record their table: frozen (the
# kinds those files can hold), never extended. Newer files carry the table (event_kinds).
_STARTS_BEFORE_1_6 = ("road_closed", "road_slowed", "depot_down", "depot_stock", "depot_docks",
                      "vehicle_broken", "radio_blackout", "loss_spike", "cloud_down",
                      "demand_surge")


def event_kinds(f):
    """The trace's /events kinds by code, as it records them (schema 1.6): a list of dicts
    {name, label, disruption, role, target, pair, value}; role is "start", "end" or "set" for
    disruptions, "" for order and state rows. None for files before 1.6."""
    attrs = f["events"].attrs
    if "kind_roles" not in attrs:
        return None
    def strings(key):
        return [v.decode() if isinstance(v, bytes) else str(v) for v in attrs[key]]
    columns = {"name": strings("kinds"), "label": strings("kind_labels"),
               "disruption": strings("kind_disruptions"), "role": strings("kind_roles"),
               "target": strings("kind_targets"), "value": strings("kind_values"),
               "pair": [int(p) for p in attrs["kind_pairs"]]}
    n = len(columns["name"])
    if any(len(c) != n for c in columns.values()):
        raise ValueError("/events kind attributes of different lengths")
    return [{key: columns[key][i] for key in columns} for i in range(n)]


def disruption_starts(f):
    """Names of the /events kinds that start a disruption (role start or set: recoveries such
    as road_reopened are left out), from the trace's own table"""
    kinds = event_kinds(f)
    if kinds is None:
        return set(_STARTS_BEFORE_1_6)
    return {k["name"] for k in kinds if k["role"] in ("start", "set")}


def disruptions(f):
    """[(time_s, kind_name, rows)] of every disruption that starts something, one entry per
    disruption (rows: edges, depots or vehicles it touched), in time order"""
    ev = f["events"]
    if ev.shape[0] == 0:
        return []
    names = {v: k for k, v in h5py.check_enum_dtype(ev.dtype["kind"]).items()}
    starts = disruption_starts(f)
    rows = ev[:]
    out = {}
    for r in rows:
        name = names.get(int(r["kind"]), "")
        if name in starts:
            key = int(r["order"])  # the disruption's index in the run
            t, n, c = out.get(key, (float(r["time"]), name, 0))
            out[key] = (t, n, c + 1)
    return sorted(out.values())


def parameters(f):
    p = f["parameters"]
    out = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in p.attrs.items()}
    out["scenario"] = p["scenario"].asstr()[()]
    return out
