#!/usr/bin/python3
"""report.py TRACE.h5 [TRACE.h5 ... | BATCH_DIR] -o DIR: Markdown and HTML reports of traces.

One trace: report.md and report.html (the plots embedded) open with the findings computed
from the trace (policy, service level, deliveries, cost; how the service level fared after
the first disruption and the time to recover; every disruption window with the scenario's
label, start and end), then the run's totals from the trace's final frame (the run's end:
the same numbers as the run summary of `swarmsim run --json`). The plots (PNG): service level
Q(t) per KPI interval with its failure and recovery thresholds, deliveries and backlog,
leading indicators, fleet states (vehicles per state, stacked; "broken" always in the
legend) and the fleet's learning values; every one in clock time with the disruption windows
shaded and labelled.
Several traces, or the output directory of `swarmsim sweep`/`compare` (its runs' traces,
labelled by policy or parameters and seed): comparison.png overlays Q(t) and deliveries of
every trace, comparison.md and comparison.html list their headline numbers; a batch
directory also gets compare.py's report (compare.md, compare.html, compare.png: the findings,
the study's KPIs with 95 % confidence intervals).
"""
import argparse
import os
import sys
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import html_report  # noqa: E402
import kpis  # noqa: E402
import report_plots  # noqa: E402
import trace as swarm_trace  # noqa: E402


# the observables the report plots (the leading indicators only when the trace has them)
REQUIRED = ("created", "delivered", "failed", "backlog", "energy", "service_level",
            "utilisation")
LEADING = ("unassigned", "at_risk", "overdue", "oldest_unassigned_age")
# docs/scenarios.md: resilience.failure_threshold, recovery_threshold
DEFAULT_THRESHOLDS = (0.80, 0.95)


def scenario_of(text):
    """the resolved scenario (parameters/scenario) as a dict; {} when it does not parse"""
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, TypeError):
        return {}


def number(value, default):
    """a scenario number, or the default for anything else"""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if ok else default


def clock_offset(scenario):
    """the time of day (s) at t = 0 when the demand profile is "day" (docs/scenarios.md:
    simulated time 0 is start_hour o'clock), else None (times since the start)"""
    demand = scenario.get("demand") or {}
    if demand.get("profile", "day") != "day":
        return None
    return number(demand.get("start_hour"), 0.0) * 3600.0


def read_run(f, path):
    """everything a one-trace report shows, read at once (so that a damaged trace fails here,
    inside trace.reading(), and not half-way through the plots)"""
    obs = swarm_trace.observables(f)
    for name in REQUIRED + (LEADING if "unassigned" in obs else ()):
        if name not in obs:
            raise swarm_trace.TraceError(path, f"missing data set observables/{name}/value")
    params = swarm_trace.parameters(f)
    scenario = scenario_of(params.get("scenario"))
    res = scenario.get("resilience") or {}
    times = swarm_trace.times(f)
    ends = [float(times[-1])] if len(times) else []
    ends += [float(obs[n]["time"][-1]) for n in ("created", "service_level") if len(obs[n]["time"])]
    return {
        "obs": obs,
        "windows": swarm_trace.disruption_windows(f),
        "counts": swarm_trace.state_counts(f),
        "entered": swarm_trace.state_entries(f),
        "times": times,
        "values": swarm_trace.agent_values(f),
        "parameters": params,
        "scenario": scenario,
        "policy": (scenario.get("policies") or {}).get("allocation"),
        "clock": clock_offset(scenario),
        "thresholds": tuple(number(res.get(k), d) for k, d in
                            zip(("failure_threshold", "recovery_threshold"), DEFAULT_THRESHOLDS)),
        "kpi_interval": float(params.get("kpi_interval_s") or 0.0),
        "t_end": max(ends) if ends else 1.0,
        "samples": swarm_trace.samples(f),
        "vehicles": swarm_trace.agent_count(f),
        "complete": swarm_trace.is_complete(f),
        "note": swarm_trace.status(f),
        "events": f["events"].shape[0],
    }


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


def hhmm(run, t):
    return report_plots.clock(run["clock"])(t)


def recovery(run):
    """the resilience of the run over Q(t), as the run summary defines it (docs/
    disruptions.md): onset = the first disruption's start; the first interval at or after it
    with Q below the failure threshold; time to recover = from the onset to the start of the
    first later interval with Q at or above the recovery threshold (None: not by the end).
    None without a disruption or Q(t)."""
    starts = [w["start"] for w in run["windows"]]
    q = run["obs"]["service_level"]
    if not starts or not len(q["time"]) or run["kpi_interval"] <= 0:
        return None
    onset = min(starts)
    fail_t, rec_t = run["thresholds"]
    dt = run["kpi_interval"]
    after = [(float(t) - dt, float(v)) for t, v in zip(q["time"], q["value"]) if t > onset]
    if not after:
        return None
    worst_start, worst = min(after, key=lambda x: x[1])
    out = {"onset": onset, "worst": worst, "worst_at": worst_start, "failed_at": None,
           "ttr": 0.0}
    failing = next((i for i, (_, v) in enumerate(after) if v < fail_t), None)
    if failing is not None:
        out["failed_at"] = after[failing][0]
        back = next((t for t, v in after[failing + 1:] if v >= rec_t), None)
        out["ttr"] = None if back is None else back - onset
    return out


def window_text(run, label, ws):
    """'Cloud link down 00:30-00:50 (cloud link back)'; a label with many windows: counts"""
    if len(ws) > report_plots.MAX_SHADED:
        ended = sum(1 for w in ws if w["end"] is not None)
        return (f"{label}: {len(ws)} times ({ws[0]['kind_label']}), {ended} ended "
                f"({next((w['end_label'] for w in ws if w['end_label']), 'none ended')}), "
                f"first {hhmm(run, ws[0]['start'])}, last {hhmm(run, ws[-1]['start'])}")
    parts = []
    for w in ws:
        if w["end"] is None:
            parts.append(f"{hhmm(run, w['start'])} to the end")
        elif w["end"] == w["start"]:
            parts.append(f"{hhmm(run, w['start'])} ({w['end_label']})")
        else:
            parts.append(f"{hhmm(run, w['start'])}-{hhmm(run, w['end'])} ({w['end_label']} "
                         f"at {hhmm(run, w['end'])})")
    return f"{label} " + ", ".join(parts)


def run_findings(run):
    """the first lines of a run's report, from the trace's numbers"""
    obs = run["obs"]
    tot = totals(obs)
    who = kpis.policy_name(run["policy"]) if run["policy"] else "(policy not recorded)"
    seed = run["parameters"].get("seed")
    lines = []
    good = [obs[n]["value"].sum() for n in ("served", "lost", "lapsed") if n in obs]
    q = obs["service_level"]["value"]
    if len(good) == 3 and sum(good) > 0:
        level = good[0] / sum(good)
    else:
        level = float(np.mean(q)) if len(q) else float("nan")
    cost = last(obs.get("cost"))
    if tot["delivered"] is not None and tot["created"] is not None:
        on_time = (f", {100.0 * tot['delivered_on_time'] / tot['delivered']:.1f} % of them on "
                   f"time" if tot["delivered"] and tot["delivered_on_time"] is not None else "")
        lines.append(
            f"{who}, seed {seed}, {hhmm(run, 0)}-{hhmm(run, run['t_end'])}: service level "
            f"{100.0 * level:.1f} %; {tot['delivered']:,} of {tot['created']:,} orders delivered"
            f"{on_time}, {tot['failed']:,} failed, {tot['backlog']:,} still open"
            + (f"; cost {cost:,.0f} (currency units)." if np.isfinite(cost) else "."))
    r = recovery(run)
    first = min(run["windows"], key=lambda w: w["start"]) if run["windows"] else None
    if r is not None and first is not None:
        ft, rt = run["thresholds"]
        head = f"After {first['label']} at {hhmm(run, r['onset'])}"
        if r["failed_at"] is None:
            lines.append(f"{head} the service level stayed at or above the failure threshold "
                         f"({100 * ft:.0f} %): worst interval {100 * r['worst']:.1f} % at "
                         f"{hhmm(run, r['worst_at'])}; time to recover 0 min.")
        elif r["ttr"] is None:
            lines.append(f"{head} the service level fell below {100 * ft:.0f} % at "
                         f"{hhmm(run, r['failed_at'])} (worst {100 * r['worst']:.1f} %) and was "
                         f"not back at {100 * rt:.0f} % by the end: not recovered.")
        else:
            lines.append(f"{head} the service level fell below {100 * ft:.0f} % at "
                         f"{hhmm(run, r['failed_at'])} (worst {100 * r['worst']:.1f} %) and was "
                         f"back at {100 * rt:.0f} % or more {r['ttr'] / 60:.0f} min after the "
                         f"onset (time to recover).")
    groups = report_plots.group_windows(run["windows"])
    if groups:
        lines.append("Disruptions: " + "; ".join(window_text(run, l, ws) for l, ws in groups)
                     + ".")
    else:
        lines.append("No disruption in this run.")
    broken = swarm_trace.STATE_NAMES.index("broken")
    if run["counts"].size and run["counts"][:, broken].max() > 0:
        k = int(np.argmax(run["counts"][:, broken]))
        services = run["entered"][swarm_trace.STATE_NAMES.index("maintenance")]
        lines.append(f"Breakdowns: {run['entered'][broken]:,} (vehicles that entered the broken "
                     f"state), up to {int(run['counts'][k, broken])} of {run['vehicles']} "
                     f"broken at once ({hhmm(run, float(run['times'][k]))})"
                     + (f"; {services:,} planned services." if services else "."))
    return lines


FIGURES = (("service_level.png", "Service level Q(t) with the disruption windows"),
           ("deliveries.png", "Deliveries, backlog and failures"),
           ("fleet_states.png", "Fleet states"),
           ("leading_indicators.png", "Leading indicators"),
           ("learning.png", "What the fleet learns"))


def run_title(run):
    p = run["parameters"]
    name = (p.get("scenario_name") or "").replace("_", " ") or "swarmsim run"
    return f"{name[:1].upper() + name[1:]}: run report"


def kpi_rows(run):
    obs = run["obs"]
    q = obs["service_level"]["value"]
    util = obs["utilisation"]["value"]
    tot = totals(obs)
    cost = last(obs.get("cost"))
    return [
        ("orders created", count(obs, "created")),
        ("delivered", count(obs, "delivered")),
        ("delivered on time", count(obs, "delivered_on_time")),
        ("delivered late", count(obs, "delivered_late")),
        ("failed", count(obs, "failed")),
        ("backlog at the end", count(obs, "backlog")),
        ("veh-km", "n/a" if tot["veh_km"] is None else f"{tot['veh_km']:.1f}"),
        ("cost (currency units)", f"{cost:.1f}" if np.isfinite(cost) else "n/a"),
        ("KPI intervals", str(len(q))),
        ("service level per interval: mean / min (%)",
         f"{100 * np.mean(q):.1f} / {100 * np.min(q):.1f}" if len(q) else "n/a"),
        ("utilisation, mean over the intervals (%)",
         f"{100 * np.mean(util):.1f}" if len(util) else "n/a"),
        ("energy on board at the end (kWh)", f"{last(obs['energy']):.1f}"),
        ("events recorded", str(run["events"])),
    ]


def details(run):
    p = run["parameters"]
    tot = totals(run["obs"])
    end = "n/a" if tot["time_s"] is None else f"{tot['time_s']:.0f} s"
    return [f"trace: complete = {run['complete']}, {run['samples']} samples, "
            f"{run['vehicles']} vehicles, {p.get('depots', '?')} depots",
            f"scenario: {p.get('scenario_name', '') or '(unnamed)'}, policy "
            f"{run['policy'] or '?'}, seed {p.get('seed')}, threads {p.get('threads')}, "
            f"swarmsim {p.get('swarmsim_version')}",
            f"network: {p.get('network_nodes')} nodes, {p.get('network_edges')} edges",
            f"totals as of the last frame, t = {end}"]


def write_summary(run, out, figures=None):
    """report.md (and report.html beside it when figures, [(png path, caption)], are given):
    the trace's status when it is not whole, the findings, then the KPI table"""
    note = run["note"]
    lines = [f"# {run_title(run)}", ""]
    if note:
        lines += [f"**Trace {note}: the totals below cover only what it holds.**", ""]
    findings = run_findings(run)
    lines += [f"- **{t}**" for t in findings] + [""]
    lines += [f"- {t}" for t in details(run)] + ["", "| KPI | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in kpi_rows(run)] + [""]
    for png, caption in figures or []:
        lines += [f"![{caption}]({os.path.basename(png)})", ""]
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    if figures is None:
        return
    page = html_report.Page(run_title(run))
    if note:
        page.paragraph(f"Trace {note}: the totals below cover only what it holds.")
    page.findings(findings)
    for t in details(run):
        page.paragraph(t, note=True)
    page.table(["KPI", "value"], kpi_rows(run))
    for png, caption in figures:
        page.heading(caption)
        page.figure(png, caption)
    page.write(os.path.splitext(out)[0] + ".html")


def batch_traces(directory):
    """[(label, path)] of the traces of a sweep/compare output directory, labelled as the
    reports name the groups ("Swarm (auction), seed 2")"""
    import json

    with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as fh:
        manifest = json.load(fh)
    out = []
    if manifest.get("command") == "whatif":
        # the history every branch shares (to the branch time), then each branch from there
        history = os.path.join(directory, "prefix", "runs", "history", "trace.h5")
        if os.path.exists(history):
            out.append(("shared history", history))
        labels = {g["group"]: g["labels"].get("branch", "?") for g in manifest.get("groups") or []}
        for r in manifest.get("runs") or []:
            if r.get("status") == "ok" and r.get("trace"):
                out.append((f"branch: {labels.get(r.get('group'), '?')}",
                            os.path.join(directory, r["trace"])))
        return out
    # any value may be null (JSON has no NaN; undefined KPIs are null)
    for r in manifest.get("runs") or []:
        if r.get("status") == "ok" and r.get("trace"):
            pairs = [o.split("=", 1) for o in r.get("overrides") or [] if "=" in o]
            name = kpis.group_name([k for k, _ in pairs], [v for _, v in pairs])
            out.append((f"{name}, seed {r.get('seed')}".lstrip(", "),
                        os.path.join(directory, r["trace"])))
    return out


def compare_traces(traces, out_dir):
    """comparison.png (Q(t) and deliveries per trace, the first trace's disruption windows
    shaded), comparison.md and comparison.html"""
    rows, series = [], []
    windows, t_end, offset, interval = [], 1.0, None, 0.0
    for label, path in traces:
        with swarm_trace.open_trace(path) as f, swarm_trace.reading(path):
            run = read_run(f, path)
        if run["note"] is not None:
            # an incomplete, partial or interrupted trace is labelled as such
            print(f"report.py: warning: {path}: trace {run['note']}", file=sys.stderr)
            label = f"{label} [{run['note'].split(':')[0]}]"
        if not series:
            windows, offset, interval = run["windows"], run["clock"], run["kpi_interval"]
        t_end = max(t_end, run["t_end"])
        obs = run["obs"]
        series.append((label, obs))
        qv = obs["service_level"]["value"]
        cost = last(obs.get("cost"))
        rows.append([label, count(obs, "created"), count(obs, "delivered"),
                     count(obs, "failed"),
                     f"{100 * np.mean(qv):.1f}" if len(qv) else "n/a",
                     f"{100 * np.min(qv):.1f}" if len(qv) else "n/a",
                     f"{cost:,.0f}" if np.isfinite(cost) else "n/a"])
    png = os.path.join(out_dir, "comparison.png")
    report_plots.plot_overlay(series, windows, t_end, offset, png, interval)
    header = ["run", "created", "delivered", "failed", "mean Q (%)", "worst Q (%)",
              "cost (currency units)"]
    lines = ["# Runs compared", "", "| " + " | ".join(header) + " |",
             "|---|" + "---|" * (len(header) - 1)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += ["", "![Service level and deliveries of each run](comparison.png)", ""]
    with open(os.path.join(out_dir, "comparison.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    page = html_report.Page("Runs compared")
    page.table(header, rows)
    page.figure(png, "Service level and deliveries of each run")
    page.write(os.path.join(out_dir, "comparison.html"))


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
    written = (["compare.md", "compare.html"] if batch_dir is not None else []) + \
        (["comparison.md", "comparison.html"] if traces else [])
    print(f"comparison written to {out_dir}/: {', '.join(written)}")
    if batch_dir is not None:
        for line in kpis.findings(kpis.load_batch(batch_dir)):
            print(f"- {line}")
    return 0


def write_run(run, out_dir):
    """the plots, report.md and report.html of one run"""
    os.makedirs(out_dir, exist_ok=True)
    figures = []
    for png, caption in FIGURES:
        path = os.path.join(out_dir, png)
        made = {"service_level.png": report_plots.plot_service_level,
                "deliveries.png": report_plots.plot_deliveries,
                "fleet_states.png": report_plots.plot_states,
                "leading_indicators.png": report_plots.plot_leading,
                "learning.png": report_plots.plot_learning}[png](run, path)
        if made is not False:
            figures.append((path, caption))
    write_summary(run, os.path.join(out_dir, "report.md"), figures)


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
        write_run(run, args.out)
    except OSError as e:
        print(f"report.py: cannot write the report to {args.out}: {e}", file=sys.stderr)
        return 4
    print(f"report written to {args.out}/report.md and {args.out}/report.html")
    for line in run_findings(run):
        print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
