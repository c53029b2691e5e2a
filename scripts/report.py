#!/usr/bin/python3
"""report.py TRACE.h5 [TRACE.h5 ... | BATCH_DIR] -o DIR: PNG plots and a Markdown summary of swarmsim traces.

One trace: service level Q(t) per KPI interval, cumulative deliveries and backlog, and fleet
states over time (vehicles per state, stacked, from particles/agents/state) in report.md,
with the run's totals from the trace's final frame (the run's end: the same numbers as the
run summary of `swarmsim run --json`).
Several traces, or the output directory of `swarmsim sweep`/`compare` (its runs' traces,
labelled by policy or parameters and seed): comparison.png overlays Q(t) and deliveries of
every trace, and comparison.md lists their headline numbers; a batch directory also gets
compare.py's KPI plot with confidence intervals (compare.png, compare.md).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import trace as swarm_trace  # noqa: E402


def plot_service_level(obs, out, disruptions=()):
    q = obs["service_level"]
    fig, ax = plt.subplots(figsize=(8, 3.5))
    if len(q["time"]):
        ax.step(q["time"] / 3600.0, q["value"], where="post")
    # disruption markers: a dashed line at each start, labelled with its kind
    for i, (t, kind, n) in enumerate(disruptions):
        ax.axvline(t / 3600.0, color="tab:red", linestyle="--", alpha=0.6)
        if i < 12:
            ax.text(t / 3600.0, 0.02 + 0.09 * (i % 4), f" {kind} ({n})", color="tab:red",
                    fontsize="x-small")
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("time (h)")
    ax.set_ylabel("service level Q(t)")
    ax.set_title("Service level: share of the outcomes known in each interval that were good\n"
                 "(served on time in full vs lost when declared or lapsed at the due time)",
                 fontsize="medium")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def plot_deliveries(obs, out):
    fig, ax = plt.subplots(figsize=(8, 3.5))
    for name in ("delivered", "backlog", "failed"):
        s = obs[name]
        if len(s["time"]):
            ax.plot(s["time"] / 3600.0, s["value"], label=name)
    ax.set_xlabel("time (h)")
    ax.set_ylabel("orders")
    ax.set_title("Deliveries (cumulative), backlog (open) and failures")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def plot_leading(obs, out, disruptions=()):
    """the dispatcher's leading indicators at the end of each KPI interval: unassigned,
    at-risk and overdue orders, and the age of the oldest unassigned one; False when the
    trace has none (schema before 1.5)"""
    if "unassigned" not in obs:
        return False
    fig, (ax_n, ax_age) = plt.subplots(2, 1, figsize=(8, 4.5), sharex=True)
    for name, label in (("unassigned", "unassigned"), ("at_risk", "at risk (ETA past due)"),
                        ("overdue", "overdue (open past due)")):
        s = obs[name]
        if len(s["time"]):
            ax_n.plot(s["time"] / 3600.0, s["value"], label=label)
    age = obs["oldest_unassigned_age"]
    if len(age["time"]):
        ax_age.plot(age["time"] / 3600.0, np.nan_to_num(age["value"], nan=0.0) / 60.0,
                    color="tab:purple")
    for t, _, _ in disruptions:
        for ax in (ax_n, ax_age):
            ax.axvline(t / 3600.0, color="tab:red", linestyle="--", alpha=0.6)
    ax_n.set_ylabel("orders")
    ax_n.set_title("Leading indicators")
    ax_n.legend(fontsize="small")
    ax_n.grid(alpha=0.3)
    ax_age.set_ylabel("oldest unassigned (min)")
    ax_age.set_xlabel("time (h)")
    ax_age.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return True


# the observables the report plots (the leading indicators only when the trace has them)
REQUIRED = ("created", "delivered", "failed", "backlog", "energy", "service_level",
            "utilisation")
LEADING = ("unassigned", "at_risk", "overdue", "oldest_unassigned_age")


def read_run(f, path):
    """everything a one-trace report shows, read at once (so that a damaged trace fails here,
    inside trace.reading(), and not half-way through the plots)"""
    obs = swarm_trace.observables(f)
    for name in REQUIRED + (LEADING if "unassigned" in obs else ()):
        if name not in obs:
            raise swarm_trace.TraceError(path, f"missing data set observables/{name}/value")
    return {
        "obs": obs,
        "disruptions": swarm_trace.disruptions(f),
        "counts": swarm_trace.state_counts(f),
        "times": swarm_trace.times(f),
        "values": swarm_trace.agent_values(f),
        "parameters": swarm_trace.parameters(f),
        "samples": swarm_trace.samples(f),
        "vehicles": f["particles/agents/state/value"].shape[1],
        "complete": swarm_trace.is_complete(f),
        "note": swarm_trace.status(f),
        "events": f["events"].shape[0],
    }


def plot_states(run, out):
    counts = run["counts"]
    t = run["times"] / 3600.0
    fig, ax = plt.subplots(figsize=(8, 3.5))
    if len(t):
        ax.stackplot(t, counts.T, labels=swarm_trace.STATE_NAMES)
    ax.set_xlabel("time (h)")
    ax.set_ylabel("vehicles")
    ax.set_title("Fleet states")
    ax.legend(loc="upper left", fontsize="small", ncol=4)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def plot_learning(run, out):
    """mean over the fleet of each per-agent learning value (docs/fleet-learning.md) over
    time; False when the trace has none"""
    values = run["values"]
    if not values:
        return False
    t = run["times"] / 3600.0
    fig, axes = plt.subplots(len(values), 1, figsize=(8, 1.8 * len(values)), sharex=True,
                             squeeze=False)
    for ax, (name, v) in zip(axes[:, 0], sorted(values.items())):
        with np.errstate(all="ignore"):
            mean = np.nanmean(np.where(np.isfinite(v), v, np.nan), axis=1) if v.size else v
        ax.plot(t[: len(mean)], mean)
        ax.set_ylabel(name.replace("_", " "), fontsize="small")
    axes[-1, 0].set_xlabel("time (h)")
    axes[0, 0].set_title("What the fleet learns (mean over vehicles)")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return True


def last(s, default=float("nan")):
    """the series' value at its last row: for the per-sample observables, the final frame
    (schema 1.5 traces end with a frame at the run's end, so these are the run's totals);
    default for an empty or missing series"""
    if s is None or not len(s["value"]):
        return default
    return s["value"][-1]


def count(obs, name):
    """the final value of a count observable as text; "n/a" where the trace has none
    (traces before schema 1.5 have no delivered_on_time, delivered_late, veh_km)"""
    v = last(obs.get(name))
    return str(int(v)) if np.isfinite(v) else "n/a"


def totals(obs):
    """the run's totals from the final frame: {name: number or None}, the names of the run
    summary (`swarmsim run --json` kpis): created, delivered, delivered_on_time,
    delivered_late, failed, backlog, veh_km, and time_s (when they hold)"""
    out = {}
    for name in ("created", "delivered", "delivered_on_time", "delivered_late", "failed",
                 "backlog"):
        v = last(obs.get(name))
        out[name] = int(v) if np.isfinite(v) else None
    v = last(obs.get("veh_km"))
    out["veh_km"] = float(v) if np.isfinite(v) else None
    t = obs.get("created")
    out["time_s"] = float(t["time"][-1]) if t is not None and len(t["time"]) else None
    return out


def write_summary(run, out, learning=False, leading=False):
    obs = run["obs"]
    p = run["parameters"]
    q = obs["service_level"]["value"]
    util = obs["utilisation"]["value"]
    n = run["samples"]
    tot = totals(obs)
    veh_km = "n/a" if tot["veh_km"] is None else f"{tot['veh_km']:.1f}"
    end = "n/a" if tot["time_s"] is None else f"{tot['time_s']:.0f} s"
    note = run["note"]
    lines = [
        "# swarmsim run report",
        "",
        *([f"**Trace {note}: the totals below cover only what it holds.**", ""] if note else []),
        f"- trace: complete = {run['complete']}, {n} samples, "
        f"{run['vehicles']} vehicles, {p.get('depots', '?')} depots",
        f"- scenario: {p.get('scenario_name', '') or '(unnamed)'}, seed {p.get('seed')}, "
        f"threads {p.get('threads')}, swarmsim {p.get('swarmsim_version')}",
        f"- network: {p.get('network_nodes')} nodes, {p.get('network_edges')} edges",
        f"- totals as of the last frame, t = {end}",
        "",
        "| KPI | value |",
        "|---|---|",
        f"| orders created | {count(obs, 'created')} |",
        f"| delivered | {count(obs, 'delivered')} |",
        f"| delivered on time | {count(obs, 'delivered_on_time')} |",
        f"| delivered late | {count(obs, 'delivered_late')} |",
        f"| failed | {count(obs, 'failed')} |",
        f"| backlog at the end | {count(obs, 'backlog')} |",
        f"| veh-km | {veh_km} |",
        f"| KPI intervals | {len(q)} |",
        f"| service level: mean / min | {np.mean(q) if len(q) else float('nan'):.3f} / "
        f"{np.min(q) if len(q) else float('nan'):.3f} |",
        f"| utilisation (mean over intervals) | "
        f"{np.mean(util) if len(util) else float('nan'):.3f} |",
        f"| energy on board at the end (kWh) | {last(obs['energy']):.1f} |",
        f"| events recorded | {run['events']} |",
        "",
        "![service level](service_level.png)",
        "",
        "![deliveries](deliveries.png)",
        "",
        "![fleet states](fleet_states.png)",
        "",
    ]
    if leading:
        lines += ["![leading indicators](leading_indicators.png)", ""]
    if learning:
        lines += ["![learning](learning.png)", ""]
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


def batch_traces(directory):
    """[(label, path)] of the traces of a sweep/compare output directory"""
    import json

    with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as fh:
        manifest = json.load(fh)
    out = []
    # any value may be null (JSON has no NaN; undefined KPIs are null)
    for r in manifest.get("runs") or []:
        if r.get("status") == "ok" and r.get("trace"):
            label = ", ".join(o.split(".")[-1] for o in r.get("overrides") or [])
            out.append((f"{label} seed {r.get('seed')}".strip(),
                        os.path.join(directory, r["trace"])))
    return out


def compare_traces(traces, out_dir):
    """comparison.png (Q(t) and deliveries per trace) and comparison.md"""
    fig, (ax_q, ax_d) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    lines = ["# swarmsim trace comparison", "",
             "| run | created | delivered | failed | mean Q | min Q |", "|---|---|---|---|---|---|"]
    for label, path in traces:
        with swarm_trace.open_trace(path) as f, swarm_trace.reading(path):
            obs = swarm_trace.observables(f)
            for name in ("service_level", "delivered", "created", "failed"):
                if name not in obs:
                    raise swarm_trace.TraceError(path,
                                                 f"missing data set observables/{name}/value")
            note = swarm_trace.status(f)
        if note is not None:
            # an incomplete, partial or interrupted trace is labelled as such
            print(f"report.py: warning: {path}: trace {note}", file=sys.stderr)
            label = f"{label} [{note.split(':')[0]}]"
        q = obs["service_level"]
        if len(q["time"]):
            ax_q.step(q["time"] / 3600.0, q["value"], where="post", label=label)
        d = obs["delivered"]
        if len(d["time"]):
            ax_d.plot(d["time"] / 3600.0, d["value"], label=label)
        qv = q["value"]
        lines.append(f"| {label} | {count(obs, 'created')} | "
                     f"{count(obs, 'delivered')} | {count(obs, 'failed')} | "
                     f"{np.mean(qv) if len(qv) else float('nan'):.3f} | "
                     f"{np.min(qv) if len(qv) else float('nan'):.3f} |")
    ax_q.set_ylabel("service level Q(t)")
    ax_q.set_ylim(-0.02, 1.05)
    ax_q.grid(alpha=0.3)
    ax_q.legend(fontsize="small")
    ax_d.set_ylabel("delivered (cumulative)")
    ax_d.set_xlabel("time (h)")
    ax_d.grid(alpha=0.3)
    fig.suptitle("Runs compared")
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "comparison.png"), dpi=100)
    plt.close(fig)
    lines += ["", "![comparison](comparison.png)", ""]
    with open(os.path.join(out_dir, "comparison.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


def main_compare(inputs, out_dir):
    import compare

    traces = []
    batch_dir = None
    for item in inputs:
        if os.path.isdir(item):
            batch_dir = item
            traces += batch_traces(item)
        else:
            traces.append((os.path.splitext(os.path.basename(item))[0], item))
    os.makedirs(out_dir, exist_ok=True)
    if batch_dir is not None:
        compare.write(batch_dir, out_dir)
    if traces:
        compare_traces(traces, out_dir)
    elif batch_dir is None:
        raise ValueError("nothing to compare")
    print(f"comparison written to {out_dir}/"
          + ("comparison.md" if traces else "compare.md"))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trace", nargs="+", help="a trace, several traces or a sweep/compare dir")
    ap.add_argument("-o", "--out", default="report")
    args = ap.parse_args(argv)
    if len(args.trace) > 1 or os.path.isdir(args.trace[0]):
        try:
            return main_compare(args.trace, args.out)
        except swarm_trace.TraceError as e:
            print(f"report.py: {e}", file=sys.stderr)
            return e.exit_code
        except (OSError, ValueError, KeyError) as e:
            print(f"report.py: {e}", file=sys.stderr)
            return 4
    path = args.trace[0]
    # a bad trace: one line naming it and the problem, exit 3 (4: it cannot be opened)
    try:
        with swarm_trace.open_trace(path) as f, swarm_trace.reading(path):
            run = read_run(f, path)
    except swarm_trace.TraceError as e:
        print(f"report.py: {e}", file=sys.stderr)
        return e.exit_code
    if run["note"] is not None:
        print(f"report.py: warning: {path}: trace {run['note']}", file=sys.stderr)
    try:
        os.makedirs(args.out, exist_ok=True)
        obs = run["obs"]
        plot_service_level(obs, os.path.join(args.out, "service_level.png"), run["disruptions"])
        plot_deliveries(obs, os.path.join(args.out, "deliveries.png"))
        plot_states(run, os.path.join(args.out, "fleet_states.png"))
        leading = plot_leading(obs, os.path.join(args.out, "leading_indicators.png"),
                               run["disruptions"])
        learning = plot_learning(run, os.path.join(args.out, "learning.png"))
        write_summary(run, os.path.join(args.out, "report.md"), learning, leading)
    except OSError as e:
        print(f"report.py: cannot write the report to {args.out}: {e}", file=sys.stderr)
        return 4
    print(f"report written to {args.out}/report.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
