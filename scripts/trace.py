#!/usr/bin/python3
"""Small h5py reader for swarmsim HDF5 traces (H5MD layout, docs/trace-format.md).

    import trace
    t = trace.open_trace("run.h5")          # h5py.File, SWMR mode for partial files
    obs = trace.observables(t)              # {"service_level": {"step", "time", "value"}, ...}
    pos, state = trace.frame(t, 10)         # positions [N][2] (m) and states [N] at sample 10
    st, ld, en = trace.frame_values(t, 10)  # states [N] int8, loads, energies (kWh) float32
    xy = trace.positions(t)                 # every sample's positions [T][N][2] float32
    v = trace.agent_rows(t)                 # {"state", "load", "energy"}: [T][N] arrays
    sc = trace.state_changes(t)             # (time, agent, state) of every change of state
    ev = trace.events(t)                    # numpy structured array of /events
    trace.disruption_windows(t)             # [{label, start, end, end_label, ...}] in time order
    kinds = trace.event_kinds(t)            # what each kind code is (its label, role, ...)
    li = trace.links(t, 10)                 # who talked to whom before sample 10
    trace.agent_values(t)                   # {"predicted_risk": [T][N] float32, ...}

open_trace checks the layout against the header (agent count, frame count, ranks and types,
extents the file can hold; docs/trace-format.md) and raises TraceError naming the file and
the problem: 3 (invalid input) or 4 (cannot open it) as its exit_code. Reads that fail later
(a damaged chunk) raise OSError from h5py; reading() turns them into a TraceError too.

A damaged file can crash libhdf5 itself (docs/fuzzing.md, "known"), below every check here:
open_trace therefore first opens the file in a child Python (check_in_child), which walks
every group, data set and attribute name and checks the layout, under a time and a memory
limit; a crash or a hang in there is a TraceError (exit 3) here. open_trace(path,
untrusted=False) skips it for a trace the caller has just written itself.

    trace.py TRACE.h5 ...                    # checks each trace, one line each; exit 0, 3 or 4
"""
import contextlib
import ctypes
import math
import os
import signal
import stat
import subprocess
import sys

import h5py
import numpy as np

from trace_legs import (LEGS, LEGS_PER_FRAME, POINTS, LegError, agent_count, has_leg_values,
                        leg_columns, leg_frames, leg_minor, legs_of)

STATE_NAMES = ["idle", "to_pickup", "loading", "en_route", "delivering", "returning",
               "charging", "broken", "maintenance"]


class TraceError(ValueError):
    """A trace that cannot be used: str() is "PATH: problem"; exit_code 3 for invalid
    contents, 4 when the file cannot be opened at all."""

    def __init__(self, path, problem, exit_code=3):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem
        self.exit_code = exit_code


# The extent of a data set may claim at most this many times its stored bytes (deflate expands
# at most 1032:1), plus a little: a forged [1e12] extent is refused before numpy allocates it.
_MAX_INFLATE = 1032
_SLACK_BYTES = 4096
# A SWMR reader retries a metadata block whose checksum fails, sleeping twice as long each
# time; HDF5's default of 100 attempts makes a damaged file hang for hours.
_SWMR_READ_ATTEMPTS = 4
ELEMENTS = ("position", "state", "load", "energy")
# the major versions of the trace schema read here (io/trace/trace_format.hpp): 2.x stores every
# string with a fixed length; a variable-length one (HDF5's global heap, where libhdf5 1.10
# crashes or loops on a damaged file) is refused unread. 3.x stores the positions as a table
# of legs (particles/agents/position/legs), 2.x as a dense [T][N][2] value; 3.1's legs rows
# carry the states, loads and energies too, which 2.x and 3.0 store as dense [T][N] values;
# 3.2's name their points (particles/agents/position/points) instead of carrying coordinates
# (read them through frame, frame_values and agent_rows, never particles/agents/state/value).
SCHEMA_MAJOR = 3
OLDEST_MAJOR = 2


def _swmr_fapl():
    """a file access list with few SWMR read attempts (h5py has no call for it: the HDF5
    library h5py loaded, through ctypes); None when that fails"""
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    try:
        with open("/proc/self/maps", encoding="utf-8") as fh:
            libs = {line.split()[-1] for line in fh
                    if "/libhdf5" in line and "_hl" not in line.split()[-1]}
        for lib in sorted(libs):
            fn = ctypes.CDLL(lib).H5Pset_metadata_read_attempts
            fn.argtypes = [ctypes.c_int64, ctypes.c_uint]
            fn.restype = ctypes.c_int
            if fn(fapl.id, _SWMR_READ_ATTEMPTS) >= 0:
                return fapl
    except (OSError, AttributeError):
        pass
    return None


def _open_file(path):
    if not os.path.exists(path):
        raise TraceError(path, "cannot open it (missing or unreadable)", 4)
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise TraceError(path, "not a regular file", 4)
    if not os.access(path, os.R_OK):
        raise TraceError(path, "cannot open it (missing or unreadable)", 4)
    try:
        if not h5py.is_hdf5(path):
            raise TraceError(path, "not an HDF5 file")
    except OSError as e:
        raise TraceError(path, f"cannot read it ({e})", 4) from e
    try:
        return h5py.File(path, "r")
    except OSError as strict:
        # a file whose writer was killed is still flagged open for writing: SWMR read mode
        if "already open for write" not in str(strict):
            raise TraceError(path, f"cannot open the HDF5 file (damaged?): {strict}") from strict
    try:
        fapl = _swmr_fapl()
        if fapl is None:
            return h5py.File(path, "r", swmr=True)
        fid = h5py.h5f.open(os.fsencode(path), h5py.h5f.ACC_RDONLY | h5py.h5f.ACC_SWMR_READ,
                            fapl=fapl)
        return h5py.File(fid)
    except OSError as e:
        raise TraceError(path, f"cannot open the HDF5 file (damaged?): {e}") from e


# the child's limits: wall-clock (then it is killed) and CPU seconds, address space
CHECK_SECONDS = 60
CHECK_MEMORY_BYTES = 4 << 30
_CHILD = """
import resource, sys
seconds, memory, scripts, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
sys.path.insert(0, scripts)
import trace
sys.exit(trace._check_child(path))
"""


def check_in_child(path, seconds=CHECK_SECONDS, memory_bytes=CHECK_MEMORY_BYTES):
    """Opens `path` as open_trace does, in a child Python (its every group, data set and
    attribute name read once, then the layout checked): returns when it can be opened;
    TraceError naming the file when it cannot, when reading it crashed the HDF5 library or
    did not finish in `seconds`."""
    cmd = [sys.executable, "-c", _CHILD, str(math.ceil(seconds)), str(int(memory_bytes)),
           os.path.dirname(os.path.abspath(__file__)), path]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")  # no thread pool inside the memory limit
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=seconds, env=env, check=False)
    except subprocess.TimeoutExpired as e:
        raise TraceError(path, f"damaged trace: reading it did not finish in {seconds:g} s") \
            from e
    except OSError as e:
        raise TraceError(path, f"cannot check it in a child process ({e})", 1) from e
    if p.returncode in (-signal.SIGXCPU, 128 + signal.SIGXCPU):
        raise TraceError(path, f"damaged trace: reading it did not finish in {seconds:g} s")
    if p.returncode < 0:
        n = -p.returncode
        raise TraceError(path, f"damaged trace: reading it crashed the HDF5 library "
                               f"(signal {n}: {signal.strsignal(n)})")
    lines = p.stderr.decode("utf-8", "replace").strip().splitlines()
    said = lines[-1] if lines else ""
    if p.returncode in (3, 4) and said:
        raise TraceError(path, said, p.returncode)
    if p.returncode != 0:
        raise TraceError(path, "damaged trace: checking it in a child process failed "
                               f"(exit status {p.returncode}" + (f": {said})" if said else ")"))


def _walk(group, budget):
    """every link, object and attribute name below `group` read once, errors skipped (the
    checks name them); at most `budget` objects"""
    try:
        names = list(group.keys())
        list(group.attrs.keys())
    except (OSError, KeyError, ValueError, TypeError, RuntimeError):
        return budget
    for name in names:
        if budget <= 0:
            break
        budget -= 1
        try:
            obj = group.get(name)
            if isinstance(obj, h5py.Group):
                budget = _walk(obj, budget)
            elif isinstance(obj, h5py.Dataset):
                list(obj.attrs.keys())
                _ = (obj.shape, obj.dtype)
        except (OSError, KeyError, ValueError, TypeError, RuntimeError):
            pass
    return budget


def _check_child(path):
    """check_in_child's child: exit 0, or the problem on stderr and 3 or 4"""
    try:
        with _open_file(path) as f:
            _walk(f, 100000)
        open_trace(path, untrusted=False).close()
    except TraceError as e:
        print(e.problem, file=sys.stderr)
        return e.exit_code
    return 0


def open_trace(path, check_layout=True, untrusted=True):
    """Opens a trace read-only (SWMR mode for a file whose writer was killed) and checks its
    layout (check()); TraceError naming the file and the problem otherwise. An untrusted file
    is opened in a child process first (check_in_child)."""
    if untrusted:
        check_in_child(path)
    f = _open_file(path)
    try:
        with reading(path):
            if "h5md/modules/swarmsim_trace" not in f:
                raise TraceError(path, "not a swarmsim trace (no h5md/modules/swarmsim_trace)")
            if check_layout:
                check(f, path)
    except BaseException:
        f.close()
        raise
    return f


@contextlib.contextmanager
def reading(path):
    """turns h5py's errors while reading `path` (a damaged chunk, a missing member, a bad
    type) into a TraceError naming the file"""
    try:
        yield
    except TraceError:
        raise
    except (OSError, KeyError, ValueError, TypeError, IndexError, RuntimeError) as e:
        text = str(e).strip() or type(e).__name__
        raise TraceError(path, f"cannot read it: {text}") from e


def _dataset(f, path, name, rank, kinds, what):
    """data set `name`, checked: rank, dtype kind (numpy kind letters) and an extent the file
    can hold"""
    d = f.get(name)
    if not isinstance(d, h5py.Dataset):
        raise TraceError(path, f"missing data set {name}")
    if len(d.shape) != rank:
        raise TraceError(path, f"{name}: expected rank {rank}, found shape {list(d.shape)}")
    if d.dtype.kind not in kinds:
        raise TraceError(path, f"{name}: expected {what}, found {d.dtype}")
    need = int(np.prod(d.shape, dtype=object)) * d.dtype.itemsize
    stored = d.id.get_storage_size()
    if need > stored * _MAX_INFLATE + _SLACK_BYTES:
        raise TraceError(path, f"{name}: its extent {list(d.shape)} needs {need} bytes, but the "
                               f"file holds {stored} bytes of it (a damaged or forged size)")
    return d


def _count_attr(obj, key, path, where):
    if key not in obj.attrs:
        return None
    v = np.asarray(obj.attrs[key])
    if v.shape not in ((), (1,)) or v.dtype.kind not in "iu" or int(v.reshape(-1)[0]) < 0:
        raise TraceError(path, f"{where}@{key} is not a count ({v!r})")
    return int(v.reshape(-1)[0])


def _check_schema(f, path):
    """the schema's major version, and no variable-length string among the attributes and the
    data set the readers use"""
    module = f["h5md/modules/swarmsim_trace"]
    v = np.asarray(module.attrs.get("version", []))
    if v.shape != (2,) or v.dtype.kind not in "iu":
        raise TraceError(path, "bad swarmsim_trace version attribute")
    if not OLDEST_MAJOR <= int(v[0]) <= SCHEMA_MAJOR:
        older = int(v[0]) < OLDEST_MAJOR
        raise TraceError(path, f"unsupported trace schema version {int(v[0])}.{int(v[1])} "
                               f"(this build reads {OLDEST_MAJOR}.x to {SCHEMA_MAJOR}.x"
                               + ("; a trace is reproducible: run its scenario again to write "
                                  "it in this schema)" if older else ")"))
    for where in ("", "parameters", "events"):
        obj = f[where] if where else f
        for key in obj.attrs:
            info = h5py.check_string_dtype(obj.attrs.get_id(key).dtype)
            if info is not None and info.length is None:
                raise TraceError(path, f"{where}@{key}: a variable-length string (schema "
                                       f"{SCHEMA_MAJOR} writes fixed-length ones; damaged?)")
    return int(v[0])


def has_legs(f):
    """a schema 3 trace: positions in the legs table, not in position/value"""
    return int(np.asarray(f["h5md/modules/swarmsim_trace"].attrs["version"])[0]) >= 3


def _check_legs(f, path, frames):
    """the legs table's columns and keyframe interval, and legs_per_frame against the rows"""
    legs = _dataset(f, path, LEGS, 1, "V", "a compound (table row) type")
    names = legs.dtype.names or ()
    minor = leg_minor(f)
    for name, kinds in leg_columns(minor).items():
        if name not in names or legs.dtype[name].kind not in kinds:
            what = "floating-point" if kinds == "f" else "integer"
            raise TraceError(path, f"{LEGS}: no {what} column '{name}'")
    key = _count_attr(legs, "keyframe_interval", path, LEGS)
    if key is None or key < 1:
        raise TraceError(path, f"{LEGS}@keyframe_interval: expected a count >= 1, found {key}")
    if minor >= 2:
        # schema 3.2: the points the rows name (trace_legs.read_points checks the columns)
        _dataset(f, path, POINTS, 1, "V", "a compound of {x, y} floats")
    per = _dataset(f, path, LEGS_PER_FRAME, 1, "iu", "an integer type")
    if frames is not None and per.shape[0] != frames:
        raise TraceError(path, f"{LEGS_PER_FRAME}: {per.shape[0]} rows, but the file has "
                               f"{frames} frames (@frames)")
    counts = per[()].astype(np.int64)
    bad = np.flatnonzero(counts < 0)
    if bad.size:
        raise TraceError(path, f"{LEGS_PER_FRAME}: row {int(bad[0])} is {int(counts[bad[0]])} "
                               f"(a count must be >= 0)")
    total = int(counts.astype(object).sum())
    if frames is not None and total != legs.shape[0]:
        raise TraceError(path, f"{LEGS}: {legs.shape[0]} rows, but {LEGS_PER_FRAME} counts "
                               f"{total}")


def check(f, path="trace"):
    """Checks every data set the readers use against the header (docs/trace-format.md):
    parameters@agents, @frames (complete files), ranks, types and extents; TraceError
    naming the data set, what was expected and what was found."""
    major = _check_schema(f, path)
    agents = _count_attr(f["parameters"], "agents", path, "parameters") \
        if isinstance(f.get("parameters"), h5py.Group) else None
    complete = is_complete(f)
    frames = _count_attr(f, "frames", path, "") if complete else None
    event_rows = _count_attr(f, "events", path, "") if complete else None
    group = f.get("particles/agents")
    if not isinstance(group, h5py.Group):
        raise TraceError(path, "missing group particles/agents")
    extras = [n for n, g in group.items() if n not in ("box", "id") + ELEMENTS
              and isinstance(g, h5py.Group) and "value" in g]
    rows = None
    legs = major >= 3
    # schema 3: the agents' width from the states (the positions are a table of legs); 3.1:
    # the legs rows carry the states, loads and energies, the agents are parameters@agents
    # or the rows of particles/agents/id
    elements = ("state", "position", "load", "energy") if legs else ELEMENTS
    if legs and has_leg_values(f):
        elements = ("position",)
        if agents is None:
            if not isinstance(group.get("id"), h5py.Dataset):
                raise TraceError(path, "parameters@agents: missing, and no particles/agents/id "
                                       "to count the agents")
            agents = _dataset(f, path, "particles/agents/id", 1, "iu", "an integer type").shape[0]
    for e in elements + tuple(extras):
        base = f"particles/agents/{e}"
        value_kinds, what = {"position": ("f", "a float type"), "load": ("f", "a float type"),
                             "energy": ("f", "a float type"),
                             "state": ("iu", "an integer type")}.get(e, ("iuf", "a number"))
        series = []
        for part, kinds, w in (("step", "iu", "an integer type"), ("time", "f", "a float type")):
            if e in ELEMENTS or part in group[e]:
                series.append(_dataset(f, path, f"{base}/{part}", 1, kinds, w))
        if e == "position" and legs:
            for d in series:
                if frames is not None and d.shape[0] != frames:
                    raise TraceError(path, f"{d.name.lstrip('/')}: {d.shape[0]} rows, but the "
                                           f"file has {frames} frames (@frames)")
            _check_legs(f, path, frames)
            continue
        value = _dataset(f, path, f"{base}/value", 3 if e == "position" else 2, value_kinds,
                         what)
        series.append(value)
        if agents is None:
            agents = value.shape[1]
        if value.shape[1] != agents or (e == "position" and value.shape[2] != 2):
            want = f"[T][{agents}]" + ("[2]" if e == "position" else "")
            raise TraceError(path, f"{base}/value: expected {want} (parameters@agents = "
                                   f"{agents}), found {list(value.shape)}")
        for d in series:
            if frames is not None and d.shape[0] != frames:
                raise TraceError(path, f"{d.name.lstrip('/')}: {d.shape[0]} rows, but the file "
                                       f"has {frames} frames (@frames)")
            if complete and rows is not None and d.shape[0] != rows:
                raise TraceError(path, f"{d.name.lstrip('/')}: {d.shape[0]} rows, where the "
                                       f"other per-agent series have {rows}")
            rows = d.shape[0]
    obs = f.get("observables")
    if not isinstance(obs, h5py.Group):
        raise TraceError(path, "missing group observables")
    for name in obs:
        for part, kinds, w in (("step", "iu", "an integer type"), ("time", "f", "a float type"),
                               ("value", "iuf", "a number")):
            _dataset(f, path, f"observables/{name}/{part}", 1, kinds, w)
    ev = _dataset(f, path, "events", 1, "V", "a compound (table row) type")
    if ev.dtype.names is None or not {"time", "kind", "agent", "order"} <= set(ev.dtype.names):
        raise TraceError(path, f"events: expected the columns time, kind, agent, edge, order, "
                               f"value, found {ev.dtype.names}")
    if event_rows is not None and ev.shape[0] != event_rows:
        raise TraceError(path, f"events: {ev.shape[0]} rows, but @events = {event_rows}")
    if "connectivity/links_per_sample" in f:
        n = _dataset(f, path, "connectivity/links_per_sample/value", 1, "iu", "an integer type")
        if frames is not None and n.shape[0] != frames:
            raise TraceError(path, f"connectivity/links_per_sample/value: {n.shape[0]} rows, "
                                   f"but the file has {frames} frames (@frames)")
    if "connectivity/links" in f:
        _dataset(f, path, "connectivity/links", 1, "V", "a compound (table row) type")
    _dataset(f, path, "parameters/scenario", 0, "S", "a fixed-length string")


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
    n = min(agents[e][p].shape[0] for e in ELEMENTS if e in agents
            for p in ("step", "time", "value") if p in agents[e])
    if has_legs(f):
        with _legs_named(f):
            n = min(n, leg_frames(f))
    return n


def times(f):
    n = samples(f)
    return f["particles/agents/position/time"][:n]


def positions(f):
    """Every sample's positions, [T][N][2] float32 metres (schema 3: rebuilt from the legs
    table, in one pass; trace_legs.py)"""
    n = samples(f)
    a = f["particles/agents"]
    if not has_legs(f):
        return a["position/value"][:n]
    steps = a["position/step"][:n]
    with _legs_named(f):
        legs = legs_of(f)
        out = np.empty((n, legs.agents, 2), dtype=np.float32)
        legs.at = -1
        for k in range(n):
            out[k] = legs.positions(k, int(steps[k]))
    return out


@contextlib.contextmanager
def _legs_named(f):
    """a bad legs table (trace_legs.LegError) as a TraceError naming the file"""
    try:
        yield
    except LegError as e:
        raise TraceError(f.filename, str(e)) from e


def frame(f, k):
    """Positions [N][2] in metres and states [N] at sample k."""
    a = f["particles/agents"]
    if not has_legs(f):
        return a["position/value"][k], a["state/value"][k]
    if not 0 <= k < samples(f):
        raise IndexError(f"sample {k} out of range ({samples(f)} samples)")
    with _legs_named(f):
        legs = legs_of(f)
        t = int(a["position/step"][k])
        xy = legs.positions(k, t)
        return xy, (legs.values_at(k, t)[0] if legs.values else a["state/value"][k])


def frame_values(f, k):
    """States [N] int8, loads [N] float32 and energies [N] float32 (kWh) at sample k (schema
    3.1: from the legs rows; before: the dense values)"""
    a = f["particles/agents"]
    if not (has_legs(f) and has_leg_values(f)):
        return a["state/value"][k], a["load/value"][k], a["energy/value"][k]
    if not 0 <= k < samples(f):
        raise IndexError(f"sample {k} out of range ({samples(f)} samples)")
    with _legs_named(f):
        return legs_of(f).values_at(k, int(a["position/step"][k]))


def agent_rows(f):
    """Every sample's states, loads and energies: {"state": [T][N] int8, "load": [T][N]
    float32, "energy": [T][N] float32 (kWh)} (schema 3.1: rebuilt from the legs rows in one
    pass)"""
    n = samples(f)
    a = f["particles/agents"]
    if not (has_legs(f) and has_leg_values(f)):
        return {e: a[f"{e}/value"][:n] for e in ("state", "load", "energy")}
    steps = a["position/step"][:n]
    with _legs_named(f):
        legs = legs_of(f)
        out = {"state": np.empty((n, legs.agents), dtype=np.int8),
               "load": np.empty((n, legs.agents), dtype=np.float32),
               "energy": np.empty((n, legs.agents), dtype=np.float32)}
        legs.at = -1
        for k in range(n):
            out["state"][k], out["load"][k], out["energy"][k] = legs.values_at(k, int(steps[k]))
    return out


def state_changes(f, rows=None):
    """The vehicles' state changes at sample resolution, in time then agent order: a
    structured array of (time float64 s, agent uint32, state int8), one entry per vehicle
    whose state at sample k differs from its state at sample k - 1. Schema 3.4 traces keep
    no state rows in /events (the legs rows carry every state); these are the vehicle_state
    rows (kind 5) that earlier traces wrote, bit for bit. `rows`: agent_rows(f), if read."""
    states = (rows if rows is not None else agent_rows(f))["state"]
    sample_times = times(f)
    k, v = np.nonzero(states[1:] != states[:-1])
    out = np.empty(len(k), dtype=[("time", "<f8"), ("agent", "<u4"), ("state", "i1")])
    out["time"] = sample_times[k + 1]
    out["agent"] = v
    out["state"] = states[k + 1, v]
    return out


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
    counts = f["connectivity/links_per_sample/value"][: k + 1].astype(np.int64)
    if len(counts) <= k or (counts < 0).any():
        raise TraceError(f.filename, f"connectivity/links_per_sample/value: no count >= 0 for "
                                     f"sample {k}")
    first = int(counts[:k].sum())
    return f["connectivity/links"][first:first + int(counts[k])]


def state_counts(f):
    """Vehicles per state at every sample: array [T][9]."""
    n = samples(f)
    states = agent_rows(f)["state"]
    counts = np.zeros((n, len(STATE_NAMES)), dtype=np.int64)
    for s in range(len(STATE_NAMES)):
        counts[:, s] = (states == s).sum(axis=1)
    return counts


def state_entries(f):
    """How often vehicles entered each state between samples (a vehicle in it at the first
    sample counts once): array [9]. Stays shorter than the sample interval are not seen."""
    n = samples(f)
    states = agent_rows(f)["state"].astype(np.int16)
    out = np.zeros(len(STATE_NAMES), dtype=np.int64)
    if n == 0:
        return out
    for s in range(len(STATE_NAMES)):
        now = states == s
        out[s] = int(now[0].sum()) + int((now[1:] & ~now[:-1]).sum())
    return out


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


def disruption_labels(f):
    """the scenario's label of each disruption the run applied, by the rows' order (schema
    1.8: /events@disruption_labels); None for older files or runs that record none"""
    attrs = f["events"].attrs
    if "disruption_labels" not in attrs:
        return None
    return [v.decode() if isinstance(v, bytes) else str(v) for v in attrs["disruption_labels"]]


def disruption_windows(f):
    """Every disruption of the run as a window, in time order: dicts {label (the scenario's,
    or the kind's label in files before 1.8), kind, kind_label, start (s), end (s, None while
    it lasted to the end), end_label (the label of the kind that ended it: "cloud link back"),
    rows (edges, depots or vehicles it touched)}. A start is closed by the first later
    disruption of its pair kind with the same label that touched the same things (a set kind:
    the next one of its own kind and label); ends without a start are windows of no length.
    Pairs come from the trace's own kinds table (schema 1.6); older files give starts only."""
    ev = f["events"]
    if ev.shape[0] == 0:
        return []
    kinds = event_kinds(f)
    codes = h5py.check_enum_dtype(ev.dtype["kind"])
    name_of = {v: k for k, v in codes.items()}
    if kinds is None:
        starts = set(_STARTS_BEFORE_1_6)
        info = {c: {"name": n, "label": n.replace("_", " "), "role": "start" if n in starts
                    else "", "pair": -1} for n, c in codes.items()}
    else:
        info = {c: k for c, k in enumerate(kinds)}
    labels = disruption_labels(f)
    rows = ev[:]
    found = {}
    for r in rows:
        code = int(r["kind"])
        k = info.get(code)
        if k is None or k["role"] not in ("start", "end", "set"):
            continue
        key = int(r["order"])
        d = found.setdefault(key, {"order": key, "code": code, "start": float(r["time"]),
                                   "targets": set()})
        d["start"] = min(d["start"], float(r["time"]))
        target = int(r["edge"]) if int(r["edge"]) != 0xFFFFFFFF else int(r["agent"])
        if target != 0xFFFFFFFF:
            d["targets"].add(target)
    out = []
    open_by = {}  # (code that ends it, label) -> windows still open
    for key in sorted(found, key=lambda k: (found[k]["start"], k)):
        d = found[key]
        k = info[d["code"]]
        own = labels[key] if labels is not None and key < len(labels) else None
        label = own if own is not None else k["label"]
        ends = open_by.get((d["code"], own), [])  # without labels: by kind and targets
        match = next((w for w in ends if not w["_targets"] or not d["targets"]
                      or w["_targets"] & d["targets"]), None)
        if match is not None and k["role"] in ("end", "set"):
            ends.remove(match)
            match["end"] = d["start"]
            match["end_label"] = k["label"]
            if k["role"] == "end":
                continue
        if k["role"] == "end":
            out.append({"label": label, "kind": name_of.get(d["code"], "?"),
                        "kind_label": k["label"], "start": d["start"], "end": d["start"],
                        "end_label": k["label"], "rows": len(d["targets"]),
                        "_targets": d["targets"]})
            continue
        w = {"label": label, "kind": name_of.get(d["code"], "?"), "kind_label": k["label"],
             "start": d["start"], "end": None, "end_label": None, "rows": len(d["targets"]),
             "_targets": d["targets"]}
        out.append(w)
        pair = k["pair"] if k["role"] == "start" else d["code"]
        if pair is not None and pair >= 0:
            open_by.setdefault((pair, own), []).append(w)
    for w in out:
        del w["_targets"]
    return out


def parameters(f):
    p = f["parameters"]
    out = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in p.attrs.items()}
    out["scenario"] = p["scenario"].asstr()[()]
    return out


def read_all(f):
    """reads every data set once: TraceError naming the first that cannot be read"""
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            if obj.dtype.hasobject:  # variable-length data: HDF5's global heap (_check_schema)
                raise TraceError(f.filename, f"{name}: variable-length data (schema "
                                             f"{SCHEMA_MAJOR} writes none; damaged?)")
            with reading(f"{f.filename}: {name}"):
                obj[()]
    f.visititems(visit)


def main(argv=None):
    """trace.py TRACE.h5 ...: checks each trace (layout, then every data set read once) and
    prints one line per trace; exit 0 when all are fine, else 3 (invalid) or 4 (unreadable)"""
    paths = sys.argv[1:] if argv is None else argv
    if not paths or any(p.startswith("-") for p in paths):
        print("usage: trace.py TRACE.h5 ...", file=sys.stderr)
        return 2
    code = 0
    for path in paths:
        try:
            with open_trace(path) as f, reading(path):
                read_all(f)
                n = samples(f)
                for k in range(n if has_legs(f) else 0):
                    frame(f, k)  # every legs row checked on the way
                print(f"{path}: ok, {n} samples, "
                      f"{agent_count(f)} agents, "
                      f"{f['events'].shape[0]} events"
                      + ("" if is_complete(f) else ", partial (the writer did not close it)"))
        except TraceError as e:
            print(f"trace.py: {e}", file=sys.stderr)
            code = max(code, e.exit_code)
    return code


if __name__ == "__main__":
    sys.exit(main())
