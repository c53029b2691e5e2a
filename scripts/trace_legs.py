"""The legs table of a schema 3 trace (docs/trace-format.md, "Positions: the legs table"):
the positions of frame k rebuilt from particles/agents/position/legs with numpy, bit for bit
what schema 2 stored (FleetModel::position_at's arithmetic, cast to float32), and from schema
3.1 on the states, loads and energies its rows carry, bit for bit what 3.0 stored densely.
Schema 3.2's rows name their two points (from, to: rows of particles/agents/position/points,
{x, y} float64) instead of carrying the coordinates; they are looked up here, so the rows
decoded have 3.1's columns. Every row read is checked; a bad one raises LegError (trace.py
names the file)."""
import numpy as np

LEGS = "particles/agents/position/legs"
LEGS_PER_FRAME = "particles/agents/position/legs_per_frame"
POINTS = "particles/agents/position/points"
# the columns and the numpy kinds each may have (every schema 3.x, then 3.0's, 3.1's and 3.2's
# own)
_COMMON_COLUMNS = {"agent": "iu", "moving": "iu", "start": "iu", "end": "iu"}
_COORDINATES = {"from_x": "f", "from_y": "f", "to_x": "f", "to_y": "f"}
_VALUE_COLUMNS = {"state": "iu", "load": "f", "energy": "f"}
_POINT_COLUMNS = {"from": "iu", "to": "iu"}
# the rows as decoded (3.1's columns): 3.2's are converted to these
_DECODED = np.dtype([("agent", "<u4"), ("moving", "u1"), ("state", "i1"), ("load", "<f4"),
                     ("energy", "<f4"), ("from_x", "<f8"), ("from_y", "<f8"), ("to_x", "<f8"),
                     ("to_y", "<f8"), ("start", "<i8"), ("end", "<i8")])


def leg_columns(minor):
    """the columns of a legs table of schema 3.minor: 3.0's (frame, coordinates), 3.1's
    (state, load, energy, coordinates) or 3.2's (state, load, energy, the points from, to)"""
    if minor <= 0:
        return {**_COMMON_COLUMNS, **_COORDINATES, "frame": "iu"}
    return {**_COMMON_COLUMNS, **_VALUE_COLUMNS,
            **(_COORDINATES if minor == 1 else _POINT_COLUMNS)}


def leg_minor(f):
    """the minor version of a schema 3 trace's legs table: 0 (rows with a frame column), 1
    (with the states, loads and energies) or 2 (those, naming their points); later 3.x read as
    3.2"""
    v = np.asarray(f["h5md/modules/swarmsim_trace"].attrs["version"]).reshape(-1)
    return 2 if int(v[0]) > 3 else max(0, min(int(v[1]), 2))


def has_leg_values(f):
    """a schema 3.1 (or later) trace: the legs rows carry the states, loads and energies (no
    dense particles/agents/{state,load,energy}/value, no frame column)"""
    v = np.asarray(f["h5md/modules/swarmsim_trace"].attrs["version"]).reshape(-1)
    return int(v[0]) > 3 or (int(v[0]) == 3 and int(v[1]) >= 1)


def read_points(f):
    """schema 3.2's points table, [P][2] float64 (x, y), each checked"""
    d = f.get(POINTS)
    if d is None or not hasattr(d, "dtype"):
        raise LegError(f"missing data set {POINTS}")
    names = d.dtype.names or ()
    if len(d.shape) != 1 or not all(c in names and d.dtype[c].kind == "f" for c in "xy"):
        raise LegError(f"{POINTS}: expected [P] rows of {{x, y}} floats, found shape "
                       f"{list(d.shape)} of {d.dtype}")
    rows = d[()]
    xy = np.stack([rows["x"].astype(np.float64), rows["y"].astype(np.float64)], axis=-1) \
        if rows.size else np.zeros((0, 2), dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero((np.isfinite(xy) & (np.abs(xy) > _MAX_COORDINATE)).any(axis=1))
    if bad.size:
        raise LegError(f"{POINTS} row {int(bad[0])}: a coordinate beyond 1e30 m")
    return xy


def with_coordinates(rows, points, lo):
    """3.2 rows (from, to: points) as 3.1's (from_x, from_y, to_x, to_y); `lo`: the first
    row's index, for the message"""
    out = np.zeros(rows.shape[0], dtype=_DECODED)
    for c in ("agent", "moving", "state", "load", "energy", "start", "end"):
        out[c] = rows[c]
    for end in ("from", "to"):
        at = rows[end].astype(np.int64)
        bad = np.flatnonzero((at < 0) | (at >= points.shape[0]))
        if bad.size:
            i = int(bad[0])
            raise LegError(f"{LEGS} row {lo + i}: point {int(rows[end][i])}, but {POINTS} "
                           f"holds {points.shape[0]}")
        out[end + "_x"] = points[at, 0]
        out[end + "_y"] = points[at, 1]
    return out


def agent_count(f):
    """the agents of a trace: parameters@agents, else the rows of particles/agents/id (3.1),
    else the width of the dense states (2.x, 3.0)"""
    if "parameters" in f and "agents" in f["parameters"].attrs:
        return int(np.asarray(f["parameters"].attrs["agents"]).reshape(-1)[0])
    if "particles/agents/id" in f:
        return int(f["particles/agents/id"].shape[0])
    return int(f["particles/agents/state/value"].shape[1])
# ticks beyond 2^61 could overflow the leg arithmetic; coordinates beyond 1e30 m fit no float32
_MAX_TICK = 1 << 61
_MAX_COORDINATE = 1e30


class LegError(ValueError):
    """a legs table that cannot be used: str() is the problem"""


def leg_offsets(f):
    """(offsets, frames): offsets[k] is frame k's first legs row (saturated at the rows the
    table holds), frames those whose rows it holds whole (a killed writer's file may hold
    fewer)"""
    counts = f[LEGS_PER_FRAME][()].astype(np.int64)
    if (counts < 0).any():
        raise LegError(f"{LEGS_PER_FRAME}: a count < 0")
    rows = f[LEGS].shape[0]
    ends = np.cumsum(counts.astype(object)) if counts.size else np.zeros(0, dtype=object)
    whole = int(np.searchsorted(np.asarray(ends > rows, dtype=bool), True))
    offsets = np.zeros(counts.size + 1, dtype=np.int64)
    offsets[1:] = np.minimum(ends, rows).astype(np.int64)
    return offsets, whole


def leg_positions(rows, t):
    """FleetModel::position_at's arithmetic (agents::leg_position) on leg rows at tick t, cast
    to float32: bit for bit what schema 2 stored"""
    moving = (rows["moving"] != 0) & (rows["end"] > rows["start"])
    ax, ay = rows["from_x"].astype(np.float64), rows["from_y"].astype(np.float64)
    bx, by = rows["to_x"].astype(np.float64), rows["to_y"].astype(np.float64)
    start, end = rows["start"].astype(np.int64), rows["end"].astype(np.int64)
    span = np.where(moving, end - start, 1).astype(np.float64)
    frac = np.clip((np.int64(t) - start).astype(np.float64) / span, 0.0, 1.0)
    x = np.where(moving, np.where(t >= end, bx, ax + (bx - ax) * frac), ax)
    y = np.where(moving, np.where(t >= end, by, ay + (by - ay) * frac), ay)
    return np.stack([x, y], axis=-1).astype(np.float32)


class LegState:
    """every agent's latest legs row while frames are decoded in order"""

    def __init__(self, f, agents):
        self.f = f
        self.agents = agents
        self.table = f[LEGS]
        self.key = int(np.asarray(self.table.attrs["keyframe_interval"]).reshape(-1)[0])
        self.offsets, self.frames = leg_offsets(f)
        self.values = has_leg_values(f)
        self.minor = leg_minor(f)
        # 3.2: the points, and the rows decoded with their coordinates (3.1's columns)
        self.points = read_points(f) if self.minor >= 2 else None
        self.dtype = _DECODED if self.minor >= 2 else self.table.dtype
        self.rows = None
        self.at = -1

    def _apply(self, first, last):
        lo, hi = int(self.offsets[first]), int(self.offsets[last + 1])
        if hi <= lo:
            return
        rows = self.table[lo:hi]
        if self.points is not None:
            rows = with_coordinates(rows, self.points, lo)
        frame_of = np.repeat(np.arange(first, last + 1),
                             np.diff(self.offsets[first:last + 2]))
        bad = np.flatnonzero(rows["frame"].astype(np.int64) != frame_of) \
            if not self.values else np.zeros(0, dtype=np.int64)
        if bad.size:
            i = int(bad[0])
            raise LegError(f"{LEGS} row {lo + i}: frame {int(rows['frame'][i])}, but "
                           f"{LEGS_PER_FRAME} puts it in frame {int(frame_of[i])}")
        bad = np.flatnonzero(rows["agent"].astype(np.int64) >= self.agents)
        if bad.size:
            i = int(bad[0])
            raise LegError(f"{LEGS} row {lo + i}: agent {int(rows['agent'][i])} (the "
                           f"trace has {self.agents})")
        moving = rows["moving"] != 0
        ticks = (np.abs(rows["start"].astype(object)) > _MAX_TICK) | \
            (np.abs(rows["end"].astype(object)) > _MAX_TICK)
        bad = np.flatnonzero(moving & ticks.astype(bool))
        if bad.size:
            raise LegError(f"{LEGS} row {lo + int(bad[0])}: leg ticks out of range")
        with np.errstate(invalid="ignore"):
            far = np.zeros(rows.shape[0], dtype=bool)
            for c in ("from_x", "from_y", "to_x", "to_y"):
                v = rows[c].astype(np.float64)
                far |= np.isfinite(v) & (np.abs(v) > _MAX_COORDINATE)
        bad = np.flatnonzero(far)
        if bad.size:
            raise LegError(f"{LEGS} row {lo + int(bad[0])}: a coordinate beyond 1e30 m")
        # the last row of each agent wins (rows are in frame order)
        agents = rows["agent"].astype(np.int64)
        last = len(agents) - 1 - np.unique(agents[::-1], return_index=True)[1]
        self.rows[agents[last]] = rows[last]
        self.seen[agents[last]] = True

    def positions(self, k, t):
        """frame k's positions at tick t, [N][2] float32"""
        self.advance(k, t)
        return leg_positions(self.rows, t)

    def values_at(self, k, t):
        """frame k's (state int8, load float32, energy float32) arrays (schema 3.1)"""
        self.advance(k, t)
        return (self.rows["state"].astype(np.int8), self.rows["load"].astype(np.float32),
                self.rows["energy"].astype(np.float32))

    def advance(self, k, t):
        """every agent's latest row as of frame k (self.rows), applying only the rows since
        the frame decoded last when that lies between k's keyframe and k"""
        if not 0 <= k < self.frames:
            raise LegError(f"{LEGS}: frame {k} beyond the {self.frames} "
                           f"frames it holds")
        if abs(int(t)) > _MAX_TICK:
            raise LegError(f"particles/agents/position/step: frame {k} at "
                           f"tick {int(t)}, out of range")
        key = k - k % self.key
        at, self.at = self.at, -1
        if key <= at <= k:
            if at < k:
                self._apply(at + 1, k)
        else:
            self.rows = np.zeros(self.agents, dtype=self.dtype)
            self.seen = np.zeros(self.agents, dtype=bool)
            self._apply(key, key)
            missing = np.flatnonzero(~self.seen)
            if missing.size:
                raise LegError(f"{LEGS}: keyframe {key} has no row for agent "
                               f"{int(missing[0])}")
            if key < k:
                self._apply(key + 1, k)
        self.at = k


_last_legs = [None]


def legs_of(f):
    """the decoding state of f's legs table (kept for the file read last, so that frames
    read in order apply only the rows since the last one)"""
    state = _last_legs[0]
    if state is None or state.f is not f:
        state = _last_legs[0] = LegState(f, agent_count(f))
    return state


def leg_frames(f):
    """the frames whose rows the table holds whole"""
    return leg_offsets(f)[1]
