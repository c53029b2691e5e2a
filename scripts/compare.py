#!/usr/bin/python3
"""compare.py DIR [-o OUT] [--kpi NAME ...]: plots a swarmsim sweep or compare output directory.

Reads DIR/summary.csv (one row per parameter combination or policy x KPI: mean, std,
ci95_low, ci95_high, n, failed) and DIR/manifest.json, and writes OUT/compare.png (one panel
per KPI: the mean per policy or parameter combination with its 95% confidence interval as
error bars) and OUT/compare.md (a Markdown table of the same numbers, plus failed runs).
OUT defaults to DIR. Exit 0 ok, 2 usage, 4 unreadable or malformed input.
"""
import argparse
import csv
import json
import math
import os
import sys

# shown by default when present: the headline KPIs planners ask for
DEFAULT_KPIS = ["on_time_in_full_pct", "fill_rate", "delivered", "lateness_p90_s",
                "veh_km", "energy_kwh", "utilisation", "service_level_min"]
STAT_COLUMNS = ["kpi", "mean", "std", "ci95_low", "ci95_high", "n", "failed"]


class InputError(ValueError):
    pass


def _num(text):
    return float(text) if text not in ("", None) else math.nan


def load(directory):
    """(label columns, [(label tuple, {kpi: row})] in file order, manifest dict)"""
    path = os.path.join(directory, "summary.csv")
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None or header[-len(STAT_COLUMNS):] != STAT_COLUMNS:
                raise InputError(f"{path}: not a swarmsim summary.csv (header {header})")
            labels = header[:-len(STAT_COLUMNS)]
            groups = []
            index = {}
            for line, row in enumerate(reader, start=2):
                if len(row) != len(header):
                    raise InputError(f"{path}:{line}: {len(row)} fields, expected {len(header)}")
                key = tuple(row[:len(labels)])
                stats = dict(zip(STAT_COLUMNS, row[len(labels):]))
                if key not in index:
                    index[key] = len(groups)
                    groups.append((key, {}))
                groups[index[key]][1][stats["kpi"]] = {
                    "mean": _num(stats["mean"]), "std": _num(stats["std"]),
                    "low": _num(stats["ci95_low"]), "high": _num(stats["ci95_high"]),
                    "n": int(stats["n"]), "failed": int(stats["failed"])}
    except OSError as e:
        raise InputError(f"{path}: {e.strerror}") from e
    except ValueError as e:
        raise InputError(f"{path}: {e}") from e
    manifest = {}
    mpath = os.path.join(directory, "manifest.json")
    if os.path.exists(mpath):
        try:
            with open(mpath, encoding="utf-8") as fh:
                manifest = json.load(fh)
        except (OSError, ValueError) as e:
            raise InputError(f"{mpath}: {e}") from e
    return labels, groups, manifest


def label_text(labels, key):
    if labels == ["policy"]:
        return key[0]
    return ", ".join(f"{c.split('.')[-1]}={v}" for c, v in zip(labels, key))


def choose_kpis(groups, wanted):
    present = []
    for _, kpis in groups:
        for k in kpis:
            if k not in present:
                present.append(k)
    if wanted:
        missing = [k for k in wanted if k not in present]
        if missing:
            raise InputError(f"unknown KPI(s) {', '.join(missing)}; present: {', '.join(present)}")
        return wanted
    chosen = [k for k in DEFAULT_KPIS if k in present]
    return chosen or present[:8]


def plot(labels, groups, kpis, out_png):
    import warnings

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # KPIs undefined in every run (NaN) leave an empty panel, not a warning
    warnings.filterwarnings("ignore", category=RuntimeWarning)

    cols = min(2, len(kpis))
    rows = (len(kpis) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(6 * cols, 2.8 * rows), squeeze=False)
    names = [label_text(labels, key) for key, _ in groups]
    x = list(range(len(groups)))
    for i, kpi in enumerate(kpis):
        ax = axes[i // cols][i % cols]
        means, lo, hi = [], [], []
        for _, stats in groups:
            s = stats.get(kpi, {"mean": math.nan, "low": math.nan, "high": math.nan})
            m = s["mean"]
            means.append(m)
            # no interval (n < 2): no error bar
            lo.append(m - s["low"] if math.isfinite(s["low"]) else 0.0)
            hi.append(s["high"] - m if math.isfinite(s["high"]) else 0.0)
        ax.bar(x, means, color="#8fb3d9", edgecolor="#2f5f8f")
        ax.errorbar(x, means, yerr=[lo, hi], fmt="none", ecolor="black", capsize=4)
        ax.set_title(kpi)
        if not any(math.isfinite(m) for m in means):
            ax.text(0.5, 0.5, "undefined in every run", transform=ax.transAxes, ha="center")
        ax.set_xticks(x)
        ax.set_xticklabels(names, rotation=20 if len(names) > 3 else 0, fontsize="small")
        ax.grid(axis="y", alpha=0.3)
    for j in range(len(kpis), rows * cols):
        axes[j // cols][j % cols].axis("off")
    fig.suptitle("KPI means with 95% confidence intervals (Student t)")
    fig.tight_layout()
    fig.savefig(out_png, dpi=100)
    plt.close(fig)


def fmt(s):
    if s is None or not math.isfinite(s["mean"]):
        return "n/a"
    text = f"{s['mean']:.4g}"
    if math.isfinite(s["low"]):
        text += f" [{s['low']:.4g}, {s['high']:.4g}]"
    return text


def markdown(directory, labels, groups, kpis, manifest, png_name):
    title = manifest.get("command", "batch")
    lines = [f"# swarmsim {title}: {manifest.get('scenario', {}).get('path', directory)}", ""]
    if manifest:
        lines.append(f"- swarmsim {manifest.get('swarmsim_version', '?')}, scenario hash "
                     f"{manifest.get('scenario', {}).get('resolved_hash', '?')}, "
                     f"{len(manifest.get('runs', []))} runs, status {manifest.get('status', '?')}")
        lines.append("")
    names = [label_text(labels, key) for key, _ in groups]
    lines.append("| KPI (mean [95% CI]) | " + " | ".join(names) + " |")
    lines.append("|---|" + "---|" * len(names))
    for kpi in kpis:
        lines.append(f"| {kpi} | " + " | ".join(fmt(stats.get(kpi)) for _, stats in groups) + " |")
    # ok runs: the most values any KPI of the group has (undefined ratios are null per run)
    lines.append("| runs ok / failed | " + " | ".join(
        f"{max(s['n'] for s in stats.values())} / {next(iter(stats.values()))['failed']}"
        for _, stats in groups) + " |")
    failed = [r for r in manifest.get("runs", []) if r.get("status") == "failed"]
    if failed:
        lines += ["", "Failed runs:", ""]
        for r in failed:
            lines.append(f"- run {r['id']} (seed {r['seed']}, {', '.join(r['overrides'])}): "
                         f"{r['error']}")
    lines += ["", f"![KPIs]({png_name})", ""]
    return "\n".join(lines)


def write(directory, out, wanted=None):
    labels, groups, manifest = load(directory)
    if not groups:
        raise InputError(f"{directory}/summary.csv: no rows (did every run fail?)")
    kpis = choose_kpis(groups, wanted)
    os.makedirs(out, exist_ok=True)
    plot(labels, groups, kpis, os.path.join(out, "compare.png"))
    with open(os.path.join(out, "compare.md"), "w", encoding="utf-8") as fh:
        fh.write(markdown(directory, labels, groups, kpis, manifest, "compare.png"))
    return os.path.join(out, "compare.md")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="output directory of swarmsim sweep or compare")
    ap.add_argument("-o", "--out", help="where to write compare.png and compare.md (default DIR)")
    ap.add_argument("--kpi", action="append", help="KPI to plot (repeatable; default headline)")
    args = ap.parse_args(argv)
    try:
        md = write(args.dir, args.out or args.dir, args.kpi)
    except InputError as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 4
    print(f"comparison written to {md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
