"""The figures of report.py: every time axis in clock time (hh:mm, the time of day when the
scenario's demand profile sets one, else the time since the start), every disruption window
shaded and labelled with the scenario's label at its start and the end's label ("cloud link
back") at its end, titles and axes with units."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

import trace as swarm_trace  # noqa: E402

# a label of more windows than this is drawn as ticks along the bottom (a failure process: one
# window per vehicle breakdown), not shaded one by one
MAX_SHADED = 6
# fixed colours per vehicle state (index = VehicleState); broken is red, always in the legend
STATE_COLOURS = ["#d9d9d9", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#a1d99b", "#fdd0a2",
                 "#d62728", "#ff7f0e"]
_WINDOW_COLOURS = ["#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
# runs compared: no red, the first disruption window's colour
_GROUP_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#7f7f7f", "#17becf", "#bcbd22", "#e377c2",
                  "#8c564b"]


def clock(offset_s):
    """a tick formatter for seconds since the start: hh:mm of the day (offset_s: the time of
    day at t = 0) or, offset None, h:mm since the start"""
    def fmt(x, _pos=None):
        t = x + (offset_s or 0.0)
        if offset_s is not None:
            t %= 86400.0
        sign = "-" if t < 0 else ""
        m = int(round(abs(t) / 60.0))
        return f"{sign}{m // 60:02d}:{m % 60:02d}" if offset_s is not None else \
            f"{sign}{m // 60}:{m % 60:02d}"
    return fmt


# tick steps of a clock axis (s): round minutes and hours
_CLOCK_STEPS = (60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


def clock_ticks(t0, t1, offset_s, most=10):
    """ticks at round clock times (hh:00, hh:30, ...) between t0 and t1 (s since the start)"""
    span = max(t1 - t0, 1.0)
    step = next((s for s in _CLOCK_STEPS if span / s <= most), _CLOCK_STEPS[-1])
    base = offset_s or 0.0
    first = np.ceil((t0 + base) / step) * step - base
    return np.arange(first, t1 + 1e-9, step)


def time_axis(ax, offset_s):
    ax.xaxis.set_major_formatter(FuncFormatter(clock(offset_s)))
    t0, t1 = ax.get_xlim()
    ax.set_xticks(clock_ticks(t0, t1, offset_s))
    ax.set_xlabel("time of day (hh:mm)" if offset_s is not None else
                  "time since the start (h:mm)")


def group_windows(windows):
    """[(label, [windows])] in order of first start"""
    groups = {}
    for w in windows:
        groups.setdefault(w["label"], []).append(w)
    return list(groups.items())


def _cap(text):
    return text[:1].upper() + text[1:] if text else text


def shade(ax, windows, t_end, labels=True, fill=True):
    """shades each disruption window (ticks at the bottom for labels with many windows) and,
    with labels, writes the scenario's label at its start and the end's label at its end"""
    y_text = 0.97
    for i, (label, ws) in enumerate(group_windows(windows)):
        colour = _WINDOW_COLOURS[i % len(_WINDOW_COLOURS)]
        if len(ws) > MAX_SHADED:
            starts = [w["start"] for w in ws]
            ax.plot(starts, [0.0] * len(starts), "|", transform=ax.get_xaxis_transform(),
                    color=colour, markersize=10, clip_on=False,
                    label=f"{_cap(label)}: {len(ws)} starts" if labels else None)
            continue
        for w in ws:
            end = w["end"] if w["end"] is not None else t_end
            if fill and end > w["start"]:
                ax.axvspan(w["start"], end, color=colour, alpha=0.15, lw=0)
            ax.axvline(w["start"], color=colour, lw=1.2)
            if w["end"] is not None and w["end"] > w["start"]:
                ax.axvline(w["end"], color=colour, lw=1.2, ls="--")
            if not labels:
                continue
            ax.text(w["start"], y_text, " " + _cap(label), transform=ax.get_xaxis_transform(),
                    color=colour, fontsize="small", va="top", ha="left", fontweight="bold")
            if w["end"] is not None and w["end"] > w["start"]:
                ax.text(w["end"], y_text - 0.09, " " + _cap(w["end_label"]),
                        transform=ax.get_xaxis_transform(), color=colour, fontsize="small",
                        va="top", ha="left")
            elif w["end"] is None:
                ax.text(end, y_text - 0.09, "(to the end) ", transform=ax.get_xaxis_transform(),
                        color=colour, fontsize="small", va="top", ha="right")
        y_text -= 0.2
        if y_text < 0.3:
            y_text = 0.97


def _finish(fig, ax, out, legend=True):
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def interval_steps(q, interval):
    """x, y for step(where="pre") of a KPI-grid series stamped at its intervals' ends: the
    first value drawn from its interval's start too"""
    x = np.asarray(q["time"], dtype=float)
    y = np.asarray(q["value"], dtype=float)
    if len(x) and interval > 0:
        x = np.concatenate([[x[0] - interval], x])
        y = np.concatenate([[y[0]], y])
    return x, y


def plot_service_level(run, out):
    q = run["obs"]["service_level"]
    fig, ax = plt.subplots(figsize=(10, 3.8))
    if len(q["time"]):
        # each value covers its interval, which ends at its time stamp
        x, y = interval_steps(q, run["kpi_interval"])
        ax.step(x, y * 100.0, where="pre", color="#2f5f8f", label="service level Q(t)")
    for value, name in ((run["thresholds"][0], "failure threshold"),
                        (run["thresholds"][1], "recovery threshold")):
        ax.axhline(value * 100.0, color="grey", lw=0.8, ls=":")
        ax.text(1.0, value * 100.0, f" {name} {value * 100:.0f} %", color="grey",
                transform=ax.get_yaxis_transform(), fontsize="x-small", va="center")
    shade(ax, run["windows"], run["t_end"])
    ax.set_ylim(-2, 108)
    ax.set_xlim(0, run["t_end"])
    time_axis(ax, run["clock"])
    ax.set_ylabel("service level Q(t) (%)")
    ax.set_title("Service level per KPI interval: good order outcomes / all known in the "
                 "interval", fontsize="medium")
    ax.grid(alpha=0.3)
    _finish(fig, ax, out, legend=False)


def plot_deliveries(run, out):
    obs = run["obs"]
    fig, ax = plt.subplots(figsize=(10, 3.8))
    for name, label in (("delivered", "delivered (cumulative)"),
                        ("backlog", "backlog (open orders)"), ("failed", "failed (cumulative)")):
        s = obs[name]
        if len(s["time"]):
            ax.plot(s["time"], s["value"], label=label)
    shade(ax, run["windows"], run["t_end"])
    ax.set_xlim(0, run["t_end"])
    time_axis(ax, run["clock"])
    ax.set_ylabel("orders")
    ax.set_title("Deliveries, backlog and failures (orders)", fontsize="medium")
    ax.grid(alpha=0.3)
    _finish(fig, ax, out)


def plot_leading(run, out):
    """the dispatcher's leading indicators at the end of each KPI interval; False when the
    trace has none (schema before 1.5)"""
    obs = run["obs"]
    if "unassigned" not in obs:
        return False
    fig, (ax_n, ax_age) = plt.subplots(2, 1, figsize=(10, 5.2), sharex=True)
    for name, label in (("unassigned", "unassigned"), ("at_risk", "at risk (ETA past due)"),
                        ("overdue", "overdue (open past due)")):
        s = obs[name]
        if len(s["time"]):
            ax_n.plot(s["time"], s["value"], label=label)
    age = obs["oldest_unassigned_age"]
    if len(age["time"]):
        ax_age.plot(age["time"], np.nan_to_num(age["value"], nan=0.0) / 60.0,
                    color="tab:purple", label="oldest unassigned order")
    shade(ax_n, run["windows"], run["t_end"])
    shade(ax_age, run["windows"], run["t_end"], labels=False)
    ax_n.set_ylabel("orders")
    ax_n.set_title("Leading indicators (orders at the end of each KPI interval)",
                   fontsize="medium")
    ax_n.grid(alpha=0.3)
    ax_age.set_ylabel("age (min)")
    ax_age.set_title("Age of the oldest unassigned order (min)", fontsize="medium")
    ax_age.grid(alpha=0.3)
    ax_age.set_xlim(0, run["t_end"])
    time_axis(ax_age, run["clock"])
    if ax_n.get_legend_handles_labels()[0]:
        ax_n.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    _finish(fig, ax_age, out, legend=False)
    return True


def plot_states(run, out):
    """vehicles per state, stacked; every band that is ever non-empty in the legend, and
    "broken" always (a fleet that never broke down says so); returns the legend's labels"""
    counts = run["counts"]
    t = run["times"]
    fig, ax = plt.subplots(figsize=(10, 3.8))
    names = swarm_trace.STATE_NAMES
    keep = [s for s in range(len(names)) if counts[:, s].any() or names[s] == "broken"]
    if len(t):
        ax.stackplot(t, counts[:, keep].T, colors=[STATE_COLOURS[s] for s in keep],
                     labels=[names[s].replace("_", " ") + ("" if counts[:, s].any() else
                                                           " (none)") for s in keep])
    # lines only: a tint would change the bands' colours
    shade(ax, run["windows"], run["t_end"], labels=False, fill=False)
    ax.set_xlim(0, run["t_end"])
    ax.set_ylim(0, max(1, run["vehicles"]))
    time_axis(ax, run["clock"])
    ax.set_ylabel("vehicles")
    ax.set_title("Fleet states (vehicles per state)", fontsize="medium")
    handles, labels = ax.get_legend_handles_labels()
    # top of the stack first, as the bands read
    ax.legend(handles[::-1], labels[::-1], fontsize="small", loc="center left",
              bbox_to_anchor=(1.01, 0.5))
    _finish(fig, ax, out, legend=False)
    return labels[::-1]


# the fleet's learning values (docs/fleet-learning.md): title and unit, scale to it
LEARNING = {
    "predicted_risk": ("Predicted breakdown risk within the horizon", "%", 100.0),
    "risk_model_accuracy": ("Risk-model accuracy", "%", 100.0),
    "risk_model_loss": ("Risk-model loss", "log loss", 1.0),
    "travel_time_rmse": ("Travel-time prediction error (RMSE)", "relative", 1.0),
    "model_distance": ("Distance between the vehicles' models", "L2", 1.0),
    "model_bytes_sent": ("Model bytes sent per vehicle (cumulative)", "kB", 1e-3),
    "model_rejected": ("Model updates rejected per vehicle (cumulative)", "updates", 1.0),
    "wear": ("Component wear", "0 new - 1 worn out", 1.0),
}


def plot_learning(run, out):
    """mean over the fleet of each per-agent learning value (docs/fleet-learning.md) over
    time, a panel each, constant ones left out; False when none varies"""
    t = run["times"]
    panels = []
    for name, v in sorted(run["values"].items()):
        with np.errstate(all="ignore"):
            mean = np.nanmean(np.where(np.isfinite(v), v, np.nan), axis=1) if v.size else v
        finite = mean[np.isfinite(mean)]
        if finite.size and np.ptp(finite) > 0:
            panels.append((name, mean))
    if not panels:
        return False
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 1.7 * len(panels) + 0.8),
                             sharex=True, squeeze=False)
    for ax, (name, mean) in zip(axes[:, 0], panels):
        title, unit, scale = LEARNING.get(name, (name.replace("_", " ").capitalize(), "", 1.0))
        ax.plot(t[: len(mean)], mean * scale)
        ax.set_title(f"{title} ({unit})" if unit else title, fontsize="small", loc="left")
        ax.grid(alpha=0.3)
        shade(ax, run["windows"], run["t_end"], labels=False)
    axes[-1, 0].set_xlim(0, run["t_end"])
    time_axis(axes[-1, 0], run["clock"])
    fig.suptitle("What the fleet learns (mean over the vehicles; constant values left out)",
                 fontsize="medium")
    _finish(fig, axes[-1, 0], out, legend=False)
    return True


def plot_overlay(traces, windows, t_end, offset, out, interval=0.0):
    """Q(t) and cumulative deliveries of several traces, the first's disruption windows
    shaded; traces: [(name, obs)]"""
    fig, (ax_q, ax_d) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True)
    # one colour and one legend entry per group ("Cloud, seed 3" -> "Cloud"), its seeds alike
    colours = {}
    for name, obs in traces:
        group = name.rsplit(", seed ", 1)[0]
        first = group not in colours
        colours.setdefault(group, _GROUP_COLOURS[len(colours) % len(_GROUP_COLOURS)])
        style = {"color": colours[group], "alpha": 0.8, "lw": 1.2,
                 "label": group if first else None}
        q = obs["service_level"]
        if len(q["time"]):
            x, y = interval_steps(q, interval)
            ax_q.step(x, y * 100.0, where="pre", **style)
        d = obs["delivered"]
        if len(d["time"]):
            ax_d.plot(d["time"], d["value"], **style)
    shade(ax_q, windows, t_end)
    shade(ax_d, windows, t_end, labels=False)
    ax_q.set_ylabel("service level Q(t) (%)")
    ax_q.set_ylim(-2, 108)
    ax_q.set_title("Service level per KPI interval (%)", fontsize="medium")
    ax_q.grid(alpha=0.3)
    ax_q.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax_d.set_ylabel("orders")
    ax_d.set_title("Delivered orders (cumulative)", fontsize="medium")
    ax_d.grid(alpha=0.3)
    ax_d.set_xlim(0, t_end)
    time_axis(ax_d, offset)
    _finish(fig, ax_d, out, legend=False)
