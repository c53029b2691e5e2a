#!/usr/bin/python3
"""report.py TRACE.h5 -o DIR: PNG plots and a Markdown summary (report.md) of a swarmsim trace.

Plots: service level Q(t) per KPI interval, cumulative deliveries and backlog, and fleet
states over time (vehicles per state, stacked, from particles/agents/state).
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


def plot_service_level(obs, out):
    q = obs["service_level"]
    fig, ax = plt.subplots(figsize=(8, 3.5))
    if len(q["time"]):
        ax.step(q["time"] / 3600.0, q["value"], where="post")
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("time (h)")
    ax.set_ylabel("service level Q(t)")
    ax.set_title("Orders due per interval delivered on time in full")
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


def plot_states(f, out):
    counts = swarm_trace.state_counts(f)
    t = swarm_trace.times(f) / 3600.0
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


def last(s, default=float("nan")):
    return s["value"][-1] if len(s["value"]) else default


def write_summary(f, obs, out):
    p = swarm_trace.parameters(f)
    q = obs["service_level"]["value"]
    util = obs["utilisation"]["value"]
    n = swarm_trace.samples(f)
    lines = [
        "# swarmsim run report",
        "",
        f"- trace: complete = {swarm_trace.is_complete(f)}, {n} samples, "
        f"{f['particles/agents/state/value'].shape[1]} vehicles, {p.get('depots', '?')} depots",
        f"- scenario: {p.get('scenario_name', '') or '(unnamed)'}, seed {p.get('seed')}, "
        f"threads {p.get('threads')}, swarmsim {p.get('swarmsim_version')}",
        f"- network: {p.get('network_nodes')} nodes, {p.get('network_edges')} edges",
        "",
        "| KPI | value |",
        "|---|---|",
        f"| orders created | {int(last(obs['created'], 0))} |",
        f"| delivered | {int(last(obs['delivered'], 0))} |",
        f"| failed | {int(last(obs['failed'], 0))} |",
        f"| backlog at the end | {int(last(obs['backlog'], 0))} |",
        f"| KPI intervals | {len(q)} |",
        f"| service level: mean / min | {np.mean(q) if len(q) else float('nan'):.3f} / "
        f"{np.min(q) if len(q) else float('nan'):.3f} |",
        f"| utilisation (mean over intervals) | "
        f"{np.mean(util) if len(util) else float('nan'):.3f} |",
        f"| energy on board at the end (kWh) | {last(obs['energy']):.1f} |",
        f"| events recorded | {f['events'].shape[0]} |",
        "",
        "![service level](service_level.png)",
        "",
        "![deliveries](deliveries.png)",
        "",
        "![fleet states](fleet_states.png)",
        "",
    ]
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trace")
    ap.add_argument("-o", "--out", default="report")
    args = ap.parse_args(argv)
    try:
        f = swarm_trace.open_trace(args.trace)
    except (OSError, ValueError) as e:
        print(f"report.py: {args.trace}: {e}", file=sys.stderr)
        return 4
    os.makedirs(args.out, exist_ok=True)
    with f:
        obs = swarm_trace.observables(f)
        plot_service_level(obs, os.path.join(args.out, "service_level.png"))
        plot_deliveries(obs, os.path.join(args.out, "deliveries.png"))
        plot_states(f, os.path.join(args.out, "fleet_states.png"))
        write_summary(f, obs, os.path.join(args.out, "report.md"))
    print(f"report written to {args.out}/report.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
