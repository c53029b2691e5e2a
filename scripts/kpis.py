"""What the reports say about a swarmsim sweep or compare directory (compare.py, report.py).

    import kpis
    b = kpis.load_batch("compare-out")     # groups with their summary.csv rows and per-seed KPIs
    kpis.findings(b)                       # the first lines of a report: sentences from the numbers
    kpis.shown_kpis(b)                     # the study's KPIs first, constant ones left out

KPI names, titles and units (KPIS) follow the run summary (`swarmsim run --json` kpis,
docs/disruptions.md, docs/fleet-learning.md). Differences between groups are tested paired
over the seeds both ran (the batch runs every group on the same seeds, so the seed's luck
cancels): the mean relative difference with its 95 % Student t interval; where per-seed
summaries are missing, two groups differ only when their own 95 % intervals do not overlap.
A difference whose interval holds 0 is reported as "no significant difference".
"""
import csv
import json
import math
import os

# name: (title, unit, better) in the order a report shows them; better: "low", "high" or None.
# The study's KPIs come first: resilience, cost, price of decentralization, decision latency,
# breakdowns, learning; then the rest of the headline.
KPIS = {
    "time_to_recover_s": ("Time to recover", "min", "low"),
    "resilience_loss_s": ("Resilience loss (service level lost x time)", "min", "low"),
    "service_level": ("Service level", "%", "high"),
    "service_level_min": ("Worst-interval service level", "%", "high"),
    "on_time_in_full_pct": ("On time in full", "%", "high"),
    "cost": ("Cost", "currency units", "low"),
    "price_of_decentralization": ("Price of decentralization: cost / Cloud's", "", "low"),
    "price_vs_oracle": ("Cost / Oracle's cost", "", "low"),
    "decision_latency_mean_s": ("Decision latency (order to first assignment, mean)", "s",
                                "low"),
    "breakdowns": ("Breakdowns", "vehicles", "low"),
    "services": ("Planned workshop services", "visits", None),
    "risk_model_loss": ("Risk-model loss (log loss)", "", "low"),
    "risk_model_accuracy": ("Risk-model accuracy", "%", "high"),
    "travel_time_rmse": ("Travel-time prediction error (RMSE)", "relative", "low"),
    "model_bytes": ("Model bytes exchanged", "MB", None),
    "failed": ("Failed orders", "orders", "low"),
    "delivered": ("Delivered orders", "orders", "high"),
    "lateness_p90_s": ("Lateness, 90th percentile", "min", "low"),
    "veh_km": ("Distance driven", "km", "low"),
    "energy_kwh": ("Energy used", "kWh", "low"),
    "utilisation": ("Fleet utilisation", "%", None),
    "messages_per_agent": ("Radio messages per agent", "messages", None),
}
# the unit a KPI is stored in -> the factor to the unit shown
_SCALE = {"time_to_recover_s": 1 / 60, "resilience_loss_s": 1 / 60, "service_level": 100,
          "service_level_min": 100, "risk_model_accuracy": 100, "model_bytes": 1e-6,
          "lateness_p90_s": 1 / 60, "utilisation": 100}
# how many of them a report shows by default (the study's KPIs, then the headline)
DEFAULT_SHOWN = 12


def title(kpi):
    """'Cost (currency units)'; a KPI outside KPIS: its name in words"""
    t, unit, _ = KPIS.get(kpi, (kpi.replace("_", " ").replace(".", ": ").capitalize(), "", None))
    return f"{t} ({unit})" if unit else t


def scaled(kpi, value):
    return value * _SCALE.get(kpi, 1.0) if value is not None else None


POLICY_NAMES = {"cloud": "Cloud", "oracle": "Oracle (yardstick)"}


def policy_name(policy):
    """'Swarm (auction)', 'Cloud', 'Swarm (CBBA)': what a planner calls the allocation policy"""
    if policy in POLICY_NAMES:
        return POLICY_NAMES[policy]
    words = policy.upper() if len(policy) <= 4 and policy.isalpha() else policy.replace("_", " ")
    return f"Swarm ({words})"


def group_name(labels, key):
    """a group of a compare (its policy) or of a sweep ('Learning mode: gossip')"""
    if labels == ["policy"]:
        return policy_name(key[0])
    parts = []
    for column, value in zip(labels, key):
        if column == "policies.allocation":
            parts.append(policy_name(value))
            continue
        words = column.replace("_", " ").replace(".", " ").split()
        if len(words) > 1 and words[-1] in ("mode", "kind", "type"):
            words = words[:-1]  # "learning.mode" -> "Learning: gossip"
        parts.append(f"{' '.join(words).capitalize()}: {value}")
    return ", ".join(parts)


# --- statistics (Student t, as cli/stats.cpp) ------------------------------------------------

def _betacf(a, b, x):
    # continued fraction of the regularized incomplete beta (Lentz)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def _incomplete_beta(a, b, x):
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_quantile(p, df):
    """the Student t quantile (p >= 0.5), by bisection on the CDF"""
    def cdf(t):
        return 1.0 - 0.5 * _incomplete_beta(0.5 * df, 0.5, df / (df + t * t))
    lo, hi = 0.0, 1.0
    while cdf(hi) < p:
        lo, hi = hi, hi * 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if cdf(mid) < p else (lo, mid)
    return 0.5 * (lo + hi)


def mean_ci(values):
    """(mean, low, high) of the finite values; low/high None below two values"""
    v = [x for x in values if x is not None and math.isfinite(x)]
    if not v:
        return None, None, None
    m = sum(v) / len(v)
    if len(v) < 2:
        return m, None, None
    sd = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1))
    half = t_quantile(0.975, len(v) - 1) * sd / math.sqrt(len(v))
    return m, m - half, m + half


# --- a batch directory ------------------------------------------------------------------------

class InputError(ValueError):
    pass


STAT_COLUMNS = ["kpi", "mean", "std", "ci95_low", "ci95_high", "n", "failed"]


def _num(text):
    return float(text) if text not in ("", None) else math.nan


def read_summary(directory):
    """(label columns, [(key tuple, {kpi: stats})]) of DIR/summary.csv, in file order"""
    path = os.path.join(directory, "summary.csv")
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None or header[-len(STAT_COLUMNS):] != STAT_COLUMNS:
                raise InputError(f"{path}: not a swarmsim summary.csv (header {header})")
            labels = header[:-len(STAT_COLUMNS)]
            groups, index = [], {}
            for line, row in enumerate(reader, start=2):
                if len(row) != len(header):
                    raise InputError(f"{path}:{line}: {len(row)} fields, expected {len(header)}")
                key = tuple(row[:len(labels)])
                s = dict(zip(STAT_COLUMNS, row[len(labels):]))
                if key not in index:
                    index[key] = len(groups)
                    groups.append((key, {}))
                groups[index[key]][1][s["kpi"]] = {
                    "mean": _num(s["mean"]), "std": _num(s["std"]), "low": _num(s["ci95_low"]),
                    "high": _num(s["ci95_high"]), "n": int(s["n"]), "failed": int(s["failed"])}
    except OSError as e:
        raise InputError(f"{path}: {e.strerror}") from e
    except ValueError as e:
        raise InputError(f"{path}: {e}") from e
    return labels, groups


def _flatten(kpis, prefix=""):
    out = {}
    for k, v in (kpis or {}).items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[prefix + k] = float(v)
        elif v is None:
            out[prefix + k] = None
    return out


def load_batch(directory):
    """{"labels", "groups": [{"key", "name", "stats", "seeds": {seed: {kpi: value}}}],
    "manifest", "dir"}: summary.csv, manifest.json and each ok run's summary.json (the
    per-seed values of the paired comparisons; a run without one is left out of them)"""
    labels, rows = read_summary(directory)
    manifest = {}
    mpath = os.path.join(directory, "manifest.json")
    if os.path.exists(mpath):
        try:
            with open(mpath, encoding="utf-8") as fh:
                manifest = json.load(fh)
        except (OSError, ValueError) as e:
            raise InputError(f"{mpath}: {e}") from e
    groups = [{"key": key, "name": group_name(labels, key), "stats": stats, "seeds": {}}
              for key, stats in rows]
    by_index = {}
    for g in manifest.get("groups") or []:
        key = tuple(str((g.get("labels") or {}).get(c, "")) for c in labels)
        for grp in groups:
            if grp["key"] == key:
                by_index[g.get("group")] = grp
    for r in manifest.get("runs") or []:
        grp = by_index.get(r.get("group"))
        if grp is None or r.get("status") != "ok" or not r.get("summary"):
            continue
        try:
            with open(os.path.join(directory, r["summary"]), encoding="utf-8") as fh:
                grp["seeds"][r.get("seed")] = _flatten(json.load(fh).get("kpis"))
        except (OSError, ValueError):
            continue  # the run's summary is gone: its group falls back to summary.csv
    return {"labels": labels, "groups": groups, "manifest": manifest, "dir": directory}


def stat(group, kpi):
    s = group["stats"].get(kpi)
    if s is None or not math.isfinite(s["mean"]):
        return None
    return s


def is_constant(batch, kpi):
    """True when a KPI tells nothing: undefined everywhere, or the same value in every run"""
    values = []
    for g in batch["groups"]:
        s = stat(g, kpi)
        if s is None:
            continue
        if math.isfinite(s["std"]) and s["std"] > 0:
            return False
        values.append(s["mean"])
    return not values or max(values) - min(values) <= 1e-12 * max(1.0, abs(max(values)))


def shown_kpis(batch, wanted=None):
    """(the KPIs to plot and tabulate, the constant ones left out with their value)"""
    present = []
    for g in batch["groups"]:
        for k in g["stats"]:
            if k not in present:
                present.append(k)
    if wanted:
        missing = [k for k in wanted if k not in present]
        if missing:
            raise InputError(f"unknown KPI(s) {', '.join(missing)}; present: "
                             f"{', '.join(present)}")
        return list(wanted), []
    order = [k for k in KPIS if k in present]
    shown, left_out = [], []
    for k in order:
        if is_constant(batch, k):
            s = next((stat(g, k) for g in batch["groups"] if stat(g, k)), None)
            left_out.append((k, None if s is None else s["mean"]))
        elif len(shown) < DEFAULT_SHOWN:
            shown.append(k)
    return shown, left_out


def fmt_value(kpi, v):
    if v is None or not math.isfinite(v):
        return "n/a"
    x = scaled(kpi, v)
    a = abs(x)
    return f"{x:,.0f}" if a >= 1000 else f"{x:.1f}" if a >= 10 else f"{x:.3g}"


def fmt_stat(kpi, s):
    if s is None:
        return "n/a"
    text = fmt_value(kpi, s["mean"])
    if math.isfinite(s["low"]) and math.isfinite(s["high"]):
        text += f" [{fmt_value(kpi, s['low'])}, {fmt_value(kpi, s['high'])}]"
    return text


# --- findings ---------------------------------------------------------------------------------

def difference(a, b, kpi):
    """a against b on one KPI: {"rel": bool, "mean", "low", "high", "paired", "n",
    "significant"}: the mean relative difference a/b - 1 over their common seeds (absolute
    a - b when b is 0 on some seed); without per-seed values, the difference of the means,
    significant only when the two 95 % intervals do not overlap. None when undefined."""
    common = [s for s in a["seeds"] if s in b["seeds"]
              and a["seeds"][s].get(kpi) is not None and b["seeds"][s].get(kpi) is not None]
    if len(common) >= 2:
        xa = [a["seeds"][s][kpi] for s in common]
        xb = [b["seeds"][s][kpi] for s in common]
        rel = all(y != 0 for y in xb)
        d = [x / y - 1.0 for x, y in zip(xa, xb)] if rel else [x - y for x, y in zip(xa, xb)]
        m, lo, hi = mean_ci(d)
        if lo is None:
            return None
        sig = lo > 0 or hi < 0
        if not rel and all(v == 0 for v in d):
            sig = False
        return {"rel": rel, "mean": m, "low": lo, "high": hi, "paired": True, "n": len(common),
                "significant": sig}
    sa, sb = stat(a, kpi), stat(b, kpi)
    if sa is None or sb is None:
        return None
    overlap = not (math.isfinite(sa["low"]) and math.isfinite(sb["low"])) or (
        sa["low"] <= sb["high"] and sb["low"] <= sa["high"])
    rel = sb["mean"] != 0
    m = sa["mean"] / sb["mean"] - 1.0 if rel else sa["mean"] - sb["mean"]
    return {"rel": rel, "mean": m, "low": None, "high": None, "paired": False,
            "n": min(sa["n"], sb["n"]), "significant": not overlap}


def _pct(x):
    return f"{abs(x) * 100:.1f} %" if abs(x) < 0.1 else f"{abs(x) * 100:.0f} %"


def _diff_text(kpi, d, more="more", less="less", than=""):
    """'28 % more (95 % CI +24.3 to +32.6 %, paired over 5 seeds)'"""
    word = more if d["mean"] > 0 else less
    how = f"paired over {d['n']} seeds" if d["paired"] else f"{d['n']} runs each"
    if d["rel"] and d["low"] is not None and d["high"] < -0.9:
        # a factor, not "100 % less"
        return (f"{1 / (1 + d['mean']):,.0f} times {less}{than} (95 % CI of the ratio "
                f"{1 + d['low']:.2g} to {1 + d['high']:.2g}, {how})")
    if d["rel"]:
        text = f"{_pct(d['mean'])} {word}"
        ci = (f"95 % CI {d['low'] * 100:+.1f} to {d['high'] * 100:+.1f} %"
              if d["low"] is not None else "the 95 % intervals do not overlap")
    else:
        text = f"{fmt_value(kpi, abs(d['mean']))} {KPIS.get(kpi, ('', ''))[1]} {word}".strip()
        ci = (f"95 % CI {fmt_value(kpi, d['low'])} to {fmt_value(kpi, d['high'])}"
              if d["low"] is not None else "the 95 % intervals do not overlap")
    return f"{text}{than} ({ci}, {how})"


def _no_diff(kpi, a, b, d):
    ci = (f"; 95 % CI of the difference {d['low'] * 100:+.1f} to {d['high'] * 100:+.1f} %"
          if d["rel"] and d["low"] is not None else "")
    return (f"no significant difference in {KPIS.get(kpi, (kpi,))[0].lower()} between "
            f"{a['name']} and {b['name']} ({fmt_value(kpi, stat(a, kpi)['mean'])} vs "
            f"{fmt_value(kpi, stat(b, kpi)['mean'])}{ci})")


def _roles(batch):
    """(contenders, yardstick or None, baseline): the oracle is a yardstick, not a policy; the
    baseline is Cloud in a comparison of policies, else the first value of the sweep"""
    groups = batch["groups"]
    policy = batch["labels"] == ["policy"]
    yard = next((g for g in groups if policy and g["key"][0] == "oracle"), None)
    contenders = [g for g in groups if g is not yard]
    base = next((g for g in contenders if policy and g["key"][0] == "cloud"), contenders[0])
    return contenders, yard, base


def _cost_line(batch, contenders, yard, base):
    have = [g for g in contenders if stat(g, "cost")]
    if len(have) < 2 or is_constant(batch, "cost"):
        return None
    best = min(have, key=lambda g: stat(g, "cost")["mean"])
    other = base if best is not base else min((g for g in have if g is not best),
                                              key=lambda g: stat(g, "cost")["mean"])
    d = difference(best, other, "cost")
    s = stat(best, "cost")
    if d is None or not d["significant"]:
        line = f"Cost: {_no_diff('cost', best, other, d or {'rel': False, 'low': None})}."
    else:
        line = (f"Cheapest: {best['name']}, cost {fmt_stat('cost', s)} (mean [95 % CI]), "
                f"{_diff_text('cost', d, than=' than ' + other['name'])}.")
    if yard is not None and stat(yard, "cost"):
        dy = difference(best, yard, "cost")
        if dy is not None and dy["significant"]:
            line += (f" {best['name']} costs "
                     f"{_diff_text('cost', dy, than=' than the ' + yard['name'])}.")
        elif dy is not None:
            line += f" Against the {yard['name']}: no significant difference in cost."
    return line


def _service_line(batch, contenders):
    kpi = next((k for k in ("service_level", "on_time_in_full_pct")
                if any(stat(g, k) for g in contenders)), None)
    if kpi is None:
        return None
    name = KPIS[kpi][0]
    have = [g for g in contenders if stat(g, kpi)]
    best = max(have, key=lambda g: stat(g, kpi)["mean"])
    worse = []
    for g in have:
        d = difference(g, best, kpi) if g is not best else None
        if d is not None and d["significant"] and d["mean"] < 0:
            worse.append(g)
    vals = lambda gs: ", ".join(f"{g['name']} {fmt_value(kpi, stat(g, kpi)['mean'])} %"
                                for g in gs)
    if is_constant(batch, kpi) or not worse:
        lo = min(scaled(kpi, stat(g, kpi)["mean"]) for g in have)
        hi = max(scaled(kpi, stat(g, kpi)["mean"]) for g in have)
        span = f"{lo:.1f} %" if hi - lo < 0.05 else f"{lo:.1f}-{hi:.1f} %"
        return f"{name}: no significant difference ({span} for every group)."
    rest = [g for g in have if g not in worse]
    return (f"{name}: {vals(worse)} (significantly below the best), against "
            f"{vals(rest)}.")


def _recovery_line(batch, contenders):
    ttr = "time_to_recover_s"
    have = [g for g in contenders if stat(g, ttr) is not None]
    if not have:
        return None  # no disruption: nothing to recover from
    notrec = [g for g in have if stat(g, ttr)["n"] < max(len(g["seeds"]), stat(g, ttr)["n"])]
    parts = []
    if all(stat(g, ttr)["mean"] == 0 for g in have):
        who = "under every policy" if batch["labels"] == ["policy"] else "in every group"
        text = (f"Recovery: {who} the service level stayed above the failure threshold (time "
                f"to recover 0 min)")
        worst = [g for g in contenders if stat(g, "service_level_min")]
        if worst:
            w = min(worst, key=lambda g: stat(g, "service_level_min")["mean"])
            text += (f"; the worst interval was {w['name']}'s, "
                     f"{fmt_value('service_level_min', stat(w, 'service_level_min')['mean'])} %")
        return text + "."
    for g in sorted(have, key=lambda g: stat(g, ttr)["mean"]):
        parts.append(f"{g['name']} {fmt_stat(ttr, stat(g, ttr))} min")
    text = "Time to recover (mean [95 % CI]): " + "; ".join(parts)
    if notrec:
        text += ("; not recovered by the end in some runs of " +
                 ", ".join(g["name"] for g in notrec))
    return text + "."


def _relative_line(batch, kpi, contenders, base, what, fewer="fewer", more="more"):
    """the group best on `kpi` against the baseline: 'Breakdowns: gossip 45.8 against 101.6
    for off, 55 % fewer (...)'"""
    have = [g for g in contenders if stat(g, kpi)]
    if len(have) < 2 or is_constant(batch, kpi) or stat(base, kpi) is None:
        return None
    better = KPIS.get(kpi, ("", "", "low"))[2]
    pick = min if better != "high" else max
    best = pick(have, key=lambda g: stat(g, kpi)["mean"])
    if best is base:
        best = pick((g for g in have if g is not base), key=lambda g: stat(g, kpi)["mean"])
    d = difference(best, base, kpi)
    if d is None:
        return None
    head = (f"{what}: {best['name']} {fmt_value(kpi, stat(best, kpi)['mean'])} against "
            f"{fmt_value(kpi, stat(base, kpi)['mean'])} for {base['name']}")
    if not d["significant"]:
        return f"{head}: no significant difference." if KPIS.get(kpi, ("", "", ""))[1] != "s" \
            else None
    return f"{head}: {_diff_text(kpi, d, more, fewer)}."


def findings(batch):
    """the sentences a report opens with, each computed from the batch's numbers"""
    contenders, yard, base = _roles(batch)
    if not contenders:
        return []
    lines = []
    for line in (_cost_line(batch, contenders, yard, base),
                 _relative_line(batch, "breakdowns", contenders, base, "Breakdowns"),
                 _service_line(batch, contenders),
                 _recovery_line(batch, contenders),
                 _relative_line(batch, "decision_latency_mean_s", contenders, base,
                                "Decision latency (s)", "shorter", "longer")):
        if line:
            lines.append(line)
    return lines
