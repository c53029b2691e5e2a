#!/usr/bin/python3
"""scripts/trace.py and scripts/report.py on damaged and forged traces (issue 21): each is
refused with one line naming the file and the problem and exit 3 (4 when it cannot be opened),
never a traceback or a hang. The traces are made here from one short run of
trace_test_writer: data sets of different widths, a missing one, a wrong type, a frame count
mismatch, a forged extent, flipped bytes in the compressed chunks and anywhere, a truncated
file; the known trace that crashes libhdf5 itself, read in a child process first. Exit 77 (skipped) without h5py, numpy or matplotlib.

    trace_hostile_python_test.py TRACE_TEST_WRITER SCRIPTS_DIR OUT_DIR
"""
import contextlib
import io
import os
import random
import shutil
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
sys.path.insert(0, scripts)
import report  # noqa: E402
import trace as swarm_trace  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


clean = os.path.join(out, "clean.h5")
subprocess.run([writer, clean], check=True, timeout=60)
# the same run in schema 3.0 (dense states, loads and energies), which readers still read
clean30 = os.path.join(out, "clean30.h5")
subprocess.run([writer, clean30, "--dense-rows"], check=True, timeout=60)


def variant(name, change=None, source=None):
    """a copy of the clean trace (or of `source`), changed by change(h5py.File) when given"""
    path = os.path.join(out, name + ".h5")
    shutil.copy(clean if source is None else source, path)
    if change is not None:
        with h5py.File(path, "r+") as f:
            change(f)
    return path


def replace(f, name, data):
    del f[name]
    f.create_dataset(name, data=data)


def run_main(main, args):
    """(exit code, stderr) of a script's main() run in this process; an exception escaping
    it is what a user would see as a traceback"""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(args)
        except BaseException as e:  # noqa: BLE001: any escape is the failure checked for
            code = f"raised {type(e).__name__}: {e}"
    return code, err.getvalue()


def refused(path, expect, code=3, scripts=("trace.py", "report.py")):
    """trace.py and report.py refuse `path`: exit `code`, one line with the file and `expect`"""
    mains = {"trace.py": (swarm_trace.main, [path]),
             "report.py": (report.main, [path, "-o", os.path.join(out, "r")])}
    for script in scripts:
        main, args = mains[script]
        got, err = run_main(main, args)
        lines = err.strip().splitlines()
        check(got == code, f"{script} {os.path.basename(path)}: exit {got}, expected {code}")
        check(len(lines) == 1 and lines[0].startswith(f"{script}: {path}: ")
              and expect in lines[0],
              f"{script} {os.path.basename(path)}: one line naming the file and '{expect}': "
              f"{err!r}")


T = swarm_trace.samples(h5py.File(clean, "r"))
N = swarm_trace.agent_count(h5py.File(clean, "r"))

refused(variant("wide", lambda f: replace(f, "particles/agents/state/value",
                                          np.zeros((T, N + 400), "i1")), clean30),
        f"particles/agents/state/value: expected [T][{N}] (parameters@agents = {N}), "
        f"found [{T}, {N + 400}]")
refused(variant("narrow", lambda f: replace(f, "particles/agents/load/value",
                                            np.zeros((T, 3), "f4")), clean30),
        "particles/agents/load/value: expected")


# schema 3's legs table (trace.py rebuilds the positions from it; report.py reads none)
LEGS = "particles/agents/position/legs"


def forge_legs(change, keyframe=None):
    """the clean trace's legs rows changed by change(rows) (a numpy structured array)"""
    def edit(f):
        rows = f[LEGS][()]
        key = int(f[LEGS].attrs["keyframe_interval"]) if keyframe is None else keyframe
        change(rows)
        del f[LEGS]
        f.create_dataset(LEGS, data=rows)
        f[LEGS].attrs["keyframe_interval"] = np.int64(key)
    return edit


def set_row(i, column, value):
    def change(rows):
        rows[column][i] = value
    return change


refused(variant("legs_agent", forge_legs(set_row(N + 5, "agent", N + 7))),
        f"{LEGS} row {N + 5}: agent {N + 7} (the trace has {N})", scripts=("trace.py",))
refused(variant("legs_frame", forge_legs(set_row(N, "frame", 9)), clean30),
        f"{LEGS} row {N}: frame 9, but {LEGS}_per_frame puts it in frame", scripts=("trace.py",))


def retype(column, dtype):
    """the legs rows with `column` stored as `dtype` (None: without it)"""
    def change(f):
        rows = f[LEGS][()]
        key = int(f[LEGS].attrs["keyframe_interval"])
        names = [n for n in rows.dtype.names if dtype is not None or n != column]
        forged = np.zeros(rows.shape, dtype=[(n, dtype if n == column else rows.dtype[n])
                                             for n in names])
        for n in names:
            forged[n] = rows[n]
        del f[LEGS]
        f.create_dataset(LEGS, data=forged)
        f[LEGS].attrs["keyframe_interval"] = np.int64(key)
    return change


# schema 3.1's rows: the state, load and energy columns present with their types (3.0's
# frame column is not needed)
refused(variant("legs_state", retype("state", "f4")),
        f"{LEGS}: no integer column 'state'", scripts=("trace.py",))
refused(variant("legs_load", retype("load", None)),
        f"{LEGS}: no floating-point column 'load'", scripts=("trace.py", "report.py"))
refused(variant("legs_energy", retype("energy", "i4")),
        f"{LEGS}: no floating-point column 'energy'", scripts=("trace.py",))
refused(variant("legs_31_agent", forge_legs(set_row(3 * N + 1, "agent", 10 * N))),
        f"{LEGS} row {3 * N + 1}: agent {10 * N} (the trace has {N})",
        scripts=("trace.py", "report.py"))
refused(variant("legs_31_no_count", lambda f: (f["parameters"].attrs.__delitem__("agents"),
                                               f["particles/agents"].__delitem__("id"))),
        "parameters@agents: missing, and no particles/agents/id to count the agents",
        scripts=("trace.py",))
refused(variant("legs_keyframe", forge_legs(set_row(1, "agent", 0))),
        f"{LEGS}: keyframe 0 has no row for agent 1", scripts=("trace.py",))
refused(variant("legs_interval", forge_legs(lambda rows: None, keyframe=0)),
        f"{LEGS}@keyframe_interval", scripts=("trace.py", "report.py"))
# schema 3.1's rows (with coordinates) read the same as 3.2's; 3.2's points are checked: an
# index beyond the table, the table missing, of the wrong shape or type, or shorter than the
# rows name (a writer flushes the points before the rows that name them)
POINTS = "particles/agents/position/points"
clean31 = os.path.join(out, "clean31.h5")
subprocess.run([writer, clean31, "--coordinate-rows"], check=True, timeout=60)
with h5py.File(clean, "r") as f32, h5py.File(clean31, "r") as f31:
    check(POINTS in f32 and POINTS not in f31, "3.2 has position/points, 3.1 none")
    check(np.array_equal(swarm_trace.positions(f32).view(np.uint32),
                         swarm_trace.positions(f31).view(np.uint32)),
          "3.1 and 3.2 positions the same bits")
    rows32, rows31 = swarm_trace.agent_rows(f32), swarm_trace.agent_rows(f31)
    check(all(np.array_equal(rows32[e].view(np.uint8), rows31[e].view(np.uint8))
              for e in ("state", "load", "energy")),
          "3.1 and 3.2 states, loads and energies the same bits")
refused(variant("legs_31_coordinate", forge_legs(set_row(N + 2, "to_y", 1e300)), clean31),
        f"{LEGS} row {N + 2}: a coordinate beyond 1e30 m", scripts=("trace.py",))
refused(variant("points_index", forge_legs(set_row(N + 3, "to", 10**6))),
        f"{LEGS} row {N + 3}: point 1000000, but {POINTS} holds", scripts=("trace.py",))
refused(variant("points_missing", lambda f: f.__delitem__(POINTS)),
        f"missing data set {POINTS}", scripts=("trace.py",))
refused(variant("points_shape", lambda f: replace(f, POINTS, np.zeros((5, 2), "f8"))),
        f"{POINTS}: expected", scripts=("trace.py",))
refused(variant("points_type", lambda f: replace(
            f, POINTS, np.zeros(5, dtype=[("x", "f8"), ("y", "i8")]))),
        f"{POINTS}: expected [P] rows of {{x, y}} floats", scripts=("trace.py",))
refused(variant("points_short", lambda f: replace(f, POINTS, f[POINTS][:3])),
        f"but {POINTS} holds 3", scripts=("trace.py",))
refused(variant("legs_counts", lambda f: replace(f, f"{LEGS}_per_frame",
                                                 -np.ones(T, "i8"))),
        f"{LEGS}_per_frame: row 0 is -1 (a count must be >= 0)")
refused(variant("missing", lambda f: f.__delitem__("particles/agents/load/value"), clean30),
        "missing data set particles/agents/load/value")
refused(variant("missing_obs", lambda f: f.__delitem__("observables/service_level")),
        "missing data set observables/service_level/value", scripts=("report.py",))
refused(variant("dtype", lambda f: replace(f, "particles/agents/energy/value",
                                           np.zeros((T, N), "i4")), clean30),
        "particles/agents/energy/value: expected a float type, found int32")
refused(variant("frames", lambda f: f.attrs.__setitem__("frames", np.uint64(T + 1))),
        f"{T} rows, but the file has {T + 1} frames (@frames)")


def forge(f):
    del f["observables/created/value"]
    f.create_dataset("observables/created/value", shape=(10**12,), maxshape=(None,),
                     chunks=(1024,), dtype="i8")


refused(variant("forged", forge), "needs 8000000000000 bytes, but the file holds 0 bytes")

# flipped bytes in the compressed chunks (deterministic): the layout is intact, the read fails
# (schema 3.0's dense states, loads and energies)
with h5py.File(clean30, "r") as f:
    chunks = []
    for e in ("state", "load", "energy"):
        d = f[f"particles/agents/{e}/value"]
        chunks += [(c.byte_offset, c.size) for c in
                   (d.id.get_chunk_info(i) for i in range(d.id.get_num_chunks()))]
data = open(clean30, "rb").read()
rng = random.Random(21)
flipped = bytearray(data)
for _ in range(300):
    at, size = chunks[rng.randrange(len(chunks))]
    flipped[at + rng.randrange(size)] ^= 0x5A
chunk_path = os.path.join(out, "chunks.h5")
open(chunk_path, "wb").write(flipped)
refused(chunk_path, "inflate() failed")

# flipped bytes anywhere: refused, or by luck readable; never a traceback
for seed in range(4):
    rng = random.Random(seed)
    flipped = bytearray(data)
    for _ in range(300):
        flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
    path = os.path.join(out, f"flipped{seed}.h5")
    open(path, "wb").write(flipped)
    got, err = run_main(swarm_trace.main, [path])
    check(got in (0, 3), f"trace.py flipped{seed}: exit {got} ({err!r})")
    check(got == 0 or err.startswith(f"trace.py: {path}: "), f"flipped{seed}: {err!r}")

truncated = os.path.join(out, "truncated.h5")
open(truncated, "wb").write(data[: len(data) // 2])
refused(truncated, "cannot open the HDF5 file")
text = os.path.join(out, "text.h5")
open(text, "w", encoding="utf-8").write("not hdf5\n")
refused(text, "not an HDF5 file")
refused(os.path.join(out, "nonexistent.h5"), "cannot open it", code=4)

# the clean traces still check and report
for path in (clean, clean30):
    got, err = run_main(swarm_trace.main, [path])
    check(got == 0, f"trace.py on the clean trace {path}: {got} {err!r}")

# end to end once: a separate process (trace.py: no matplotlib to import), exit 3 and one
# line on stderr
p = subprocess.run(["/usr/bin/python3", os.path.join(scripts, "trace.py"), chunk_path],
                   capture_output=True, text=True, timeout=60)
check(p.returncode == 3 and "Traceback" not in p.stderr
      and len(p.stderr.strip().splitlines()) == 1,
      f"trace.py process: exit {p.returncode}, stderr {p.stderr!r}")

# a trace that crashes libhdf5 itself (docs/fuzzing.md, "known"): opened first in a child
# process, whose crash is exit 3 and one line here. MALLOC_PERTURB_ makes libhdf5's free of an
# uninitialised pointer on this file crash every time (it may not without).
known = os.path.join(os.path.dirname(os.path.abspath(scripts)), "fuzz", "known", "trace",
                     "hdf5-dense-link-table-free-crash")
crashed = "damaged trace: reading it crashed the HDF5 library (signal "
os.environ["MALLOC_PERTURB_"] = "165"
refused(known, crashed)
p = subprocess.run(["/usr/bin/python3", os.path.join(scripts, "trace.py"), known],
                   capture_output=True, text=True, timeout=120)
check(p.returncode == 3 and p.stderr.startswith(f"trace.py: {known}: {crashed}")
      and len(p.stderr.strip().splitlines()) == 1,
      f"trace.py process on the known crash: exit {p.returncode}, stderr {p.stderr!r}")
del os.environ["MALLOC_PERTURB_"]
# without it: a crash or the checks' refusal, exit 3 either way
refused(known, "", scripts=("trace.py",))

# the child's hang and crash, by stand-ins for its program: a TraceError (exit 3) naming the
# file, the limit or the signal
real_child = swarm_trace._CHILD
for child, seconds, expect in (
        ("import time; time.sleep(60)", 1,
         "damaged trace: reading it did not finish in 1 s"),
        ("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", 60,
         "damaged trace: reading it crashed the HDF5 library (signal 11: Segmentation fault)")):
    swarm_trace._CHILD = child
    try:
        swarm_trace.check_in_child(clean, seconds=seconds)
        check(False, f"no error from the child {child!r}")
    except swarm_trace.TraceError as e:
        check(str(e) == f"{clean}: {expect}" and e.exit_code == 3, f"{child!r}: {e}")
swarm_trace._CHILD = real_child

print("failures:", len(failures))
sys.exit(1 if failures else 0)
