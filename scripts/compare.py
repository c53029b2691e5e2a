#!/usr/bin/python3
"""compare.py DIR [-o OUT] [--kpi NAME ...]: the report of a swarmsim sweep or compare directory.

Reads DIR/summary.csv (one row per parameter combination or policy x KPI: mean, std,
ci95_low, ci95_high, n, failed), DIR/manifest.json and each run's runs/<id>/summary.json, and
writes into OUT (default DIR):
- compare.md and compare.html (one self-contained page, the plot embedded): the findings
  first (which policy or value is cheapest and by how much, breakdowns, service level,
  recovery, decision latency: sentences computed from the numbers, with 95 % confidence
  intervals of the paired differences over the seeds; "no significant difference" when the
  interval holds 0), then the study's KPIs as a table (mean [95 % CI]) and the KPIs left out
  because they were the same in every run;
- compare.png: one panel per KPI shown, the mean per policy or value with its 95 % CI.
Policies are named as planners say them ("Cloud", "Swarm (auction)", "Oracle (yardstick)"),
sweep values by their key ("Learning: gossip"). Exit 0 ok, 2 usage, 4 unreadable or malformed
input.
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import html_report  # noqa: E402
import kpis  # noqa: E402
from kpis import InputError  # noqa: E402,F401  (report.py and tests catch it from here)


def plot(batch, shown, out_png):
    import warnings

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    warnings.filterwarnings("ignore", category=RuntimeWarning)
    groups = batch["groups"]
    cols = min(2, len(shown))
    rows = (len(shown) + cols - 1) // cols
    height = 0.6 + rows * (0.9 + 0.45 * len(groups))
    fig, axes = plt.subplots(rows, cols, figsize=(6.4 * cols, height), squeeze=False)
    names = [g["name"] for g in groups]
    y = list(range(len(groups)))
    for i, kpi in enumerate(shown):
        ax = axes[i // cols][i % cols]
        means, lo, hi = [], [], []
        for g in groups:
            s = kpis.stat(g, kpi)
            m = kpis.scaled(kpi, s["mean"]) if s else math.nan
            means.append(m)
            # no interval (n < 2): no error bar
            ok = s is not None and math.isfinite(s["low"])
            lo.append(m - kpis.scaled(kpi, s["low"]) if ok else 0.0)
            hi.append(kpis.scaled(kpi, s["high"]) - m if ok else 0.0)
        # a point per group with its interval (a forest plot: the axis fits the values, so a
        # 98.8 % against 100 % shows), groups down the side so long names stay readable
        ax.errorbar(means, y, xerr=[lo, hi], fmt="o", color="#2f5f8f", ecolor="black",
                    capsize=4)
        ax.set_ylim(len(groups) - 0.5, -0.5)
        ax.set_title(kpis.title(kpi), fontsize="medium")
        for yi, m in zip(y, means):
            if not math.isfinite(m):
                ax.text(0.01, yi, "n/a", transform=ax.get_yaxis_transform(), va="center",
                        fontsize="small", color="grey")
        if not any(math.isfinite(m) for m in means):
            ax.text(0.5, 0.5, "undefined in every run", transform=ax.transAxes, ha="center")
        ax.set_yticks(y)
        ax.set_yticklabels(names, fontsize="small")
        ax.grid(axis="x", alpha=0.3)
    for j in range(len(shown), rows * cols):
        axes[j // cols][j % cols].axis("off")
    fig.suptitle("Mean over the seeds with its 95 % confidence interval (Student t)")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.4 / fig.get_figheight()))
    fig.savefig(out_png, dpi=100)
    plt.close(fig)


def heading(batch):
    m = batch["manifest"]
    scenario = (m.get("scenario") or {}).get("path") or batch["dir"]
    name = os.path.splitext(os.path.basename(scenario))[0].replace("_", " ")
    what = "policies compared" if batch["labels"] == ["policy"] else "sweep"
    return f"{name.capitalize()}: {what}"


def details(batch):
    m = batch["manifest"]
    if not m:
        return []
    seeds = sorted({r.get("seed") for r in m.get("runs") or [] if r.get("seed") is not None})
    seed_text = f"seeds {seeds[0]}-{seeds[-1]}" if len(seeds) > 1 else f"seed {seeds}"
    return [f"swarmsim {m.get('swarmsim_version', '?')}, `swarmsim {m.get('command', '?')}` of "
            f"{(m.get('scenario') or {}).get('path', '?')} (resolved hash "
            f"{(m.get('scenario') or {}).get('resolved_hash', '?')}), "
            f"{len(m.get('runs') or [])} runs ({seed_text}), status {m.get('status', '?')}"]


def table(batch, shown):
    header = ["KPI (mean [95 % CI])"] + [g["name"] for g in batch["groups"]]
    rows = [[kpis.title(k)] + [kpis.fmt_stat(k, kpis.stat(g, k)) for g in batch["groups"]]
            for k in shown]
    runs = []
    for g in batch["groups"]:
        n = max((s["n"] for s in g["stats"].values()), default=0)
        failed = next(iter(g["stats"].values()))["failed"] if g["stats"] else 0
        runs.append(f"{n} / {failed}")
    rows.append(["Runs ok / failed"] + runs)
    return header, rows


def left_out_text(left_out):
    if not left_out:
        return None
    parts = [f"{kpis.title(k)} = {kpis.fmt_value(k, v)}" if v is not None
             else f"{kpis.title(k)} (undefined)" for k, v in left_out]
    return "Left out, the same in every run: " + "; ".join(parts) + "."


def failed_runs(batch):
    return [f"run {r['id']} (seed {r['seed']}, {', '.join(r['overrides'])}): {r['error']}"
            for r in batch["manifest"].get("runs", []) if r.get("status") == "failed"]


def markdown(batch, shown, left_out, lines, png_name):
    md = [f"# {heading(batch)}", ""]
    md += [f"- **{t}**" for t in lines] + [""]
    md += [f"- {t}" for t in details(batch)] + [""]
    header, rows = table(batch, shown)
    md.append("| " + " | ".join(header) + " |")
    md.append("|---|" + "---|" * (len(header) - 1))
    md += ["| " + " | ".join(r) + " |" for r in rows]
    note = left_out_text(left_out)
    if note:
        md += ["", note]
    failed = failed_runs(batch)
    if failed:
        md += ["", "Failed runs:", ""] + [f"- {t}" for t in failed]
    md += ["", f"![KPIs with 95 % confidence intervals]({png_name})", ""]
    return "\n".join(md)


def write(directory, out, wanted=None):
    """compare.md, compare.html and compare.png of a batch directory; the Markdown's path"""
    batch = kpis.load_batch(directory)
    if not batch["groups"]:
        raise InputError(f"{directory}/summary.csv: no rows (did every run fail?)")
    shown, left_out = kpis.shown_kpis(batch, wanted)
    lines = kpis.findings(batch)
    os.makedirs(out, exist_ok=True)
    png = os.path.join(out, "compare.png")
    plot(batch, shown, png)
    with open(os.path.join(out, "compare.md"), "w", encoding="utf-8") as fh:
        fh.write(markdown(batch, shown, left_out, lines, "compare.png"))
    page = html_report.Page(heading(batch))
    page.findings(lines)
    for t in details(batch):
        page.paragraph(t.replace("`", ""), note=True)
    page.heading("The study's KPIs")
    page.table(*table(batch, shown))
    note = left_out_text(left_out)
    if note:
        page.paragraph(note, note=True)
    failed = failed_runs(batch)
    if failed:
        page.heading("Failed runs")
        page.bullets(failed)
    page.figure(png, "KPIs with 95 % confidence intervals")
    page.write(os.path.join(out, "compare.html"))
    return os.path.join(out, "compare.md")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="output directory of swarmsim sweep or compare")
    ap.add_argument("-o", "--out",
                    help="where to write compare.md, compare.html, compare.png (default DIR)")
    ap.add_argument("--kpi", action="append", help="KPI to show (repeatable; default: the "
                                                   "study's KPIs that vary)")
    args = ap.parse_args(argv)
    try:
        md = write(args.dir, args.out or args.dir, args.kpi)
    except InputError as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 4
    except OSError as e:
        print(f"compare.py: cannot write to {args.out or args.dir}: {e}", file=sys.stderr)
        return 4
    print(f"comparison written to {md} and {md[:-3]}.html")
    for line in kpis.findings(kpis.load_batch(args.dir)):
        print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
