"""Charts of tone: averages with intervals, tone over time, the distribution of scores."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.errors import SchemaError
from analysis.options import renamed
from analysis.plots.style import (
    PALETTE,
    _date_axis,
    _legend_outside,
    _new_axes,
    _with_n,
    house_style,
)

#: Statistics of a tone table (:func:`analysis.tone_by`); its other columns name the groups.
_TONE_STATS = frozenset(
    {"period", "n", "n_clusters", "mean", "ci_low", "ci_high", "median", "share_pos", "share_neg"}
)


def plot_tone(table: pd.DataFrame, *, label: str | None = None, unit: str = "articles", ax=None):
    """
    Draw mean tone with its confidence interval per group (a dot-and-whisker chart).

    Parameters
    ----------
    table : DataFrame
        Output of :func:`analysis.tone_by` or :func:`analysis.targeted_tone` without periods.
    label : str, optional
        Column naming the rows; default the first grouping column.
    unit : str, default "articles"
        What ``n`` counts, for the title (``"sentences"`` for :func:`analysis.targeted_tone`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib Axes
        One row per row of ``table``, in its order, labelled with the row's N.

    Examples
    --------
    >>> from analysis import tone_by
    >>> t = tone_by(pd.DataFrame({"outlet": ["A", "A", "B", "B"],
    ...                           "compound": [0.1, 0.3, -0.2, -0.1]}), n_boot=50)
    >>> plot_tone(t).get_xlabel()
    'mean compound (95% CI)'
    """
    keys = [c for c in table.columns if c not in _TONE_STATS]
    label = label or (keys[0] if keys else None)
    names = (
        table[keys].astype("string").fillna("(none)").agg(" / ".join, axis=1)
        if keys
        else pd.Series(["all"] * len(table))
    )
    y = np.arange(len(table))
    mean = table["mean"].to_numpy(dtype=float)
    err = np.vstack(
        [mean - table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float) - mean]
    )
    with house_style():
        ax = _new_axes(ax, figsize=(7, 0.4 * max(len(table), 4) + 1.2))
        ax.errorbar(
            mean, y, xerr=np.nan_to_num(err), fmt="o", color=PALETTE[0], ecolor=PALETTE[5],
            capsize=3,
        )  # fmt: skip
        ax.axvline(0, color="#444444", linewidth=0.8)
        ax.set_yticks(y, [f"{n} (N={k:,})" for n, k in zip(names, table["n"])])
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.set_xlabel("mean compound (95% CI)")
        if label:
            ax.set_ylabel(label)
        ax.set_title(_with_n(f"Tone by {label}" if label else "Tone", table["n"].sum(), unit))
    return ax


def _tone_series(table: pd.DataFrame, by: str | None, count: str):
    """The parts of a tone table drawn as one series each, with their labels and colours."""
    parts = table.groupby(by, sort=True) if by else [("all", table)]
    for i, (name, part) in enumerate(parts):
        name = name[0] if isinstance(name, tuple) else name
        yield part, f"{name} (N={int(part[count].sum()):,})", PALETTE[i % len(PALETTE)]


@renamed(group="by")
def plot_tone_trend(table: pd.DataFrame, *, by: str | None = None, unit: str = "articles", ax=None):
    """
    Draw tone over time, one line per by with its confidence band.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`analysis.tone_by` or :func:`analysis.targeted_tone` with a
        ``period`` column.
    by : str, optional
        Column with one line per value (e.g. ``"outlet"`` or ``"target"``).
    unit : str, default "articles"
        What ``n`` counts, for the title and the legend.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        One line per value of ``by``, with its confidence band; the legend, right of
        the axes, gives each line's N.

    Examples
    --------
    >>> from analysis import tone_by
    >>> s = pd.DataFrame({"published": pd.to_datetime(["2022-03-01", "2022-03-09"], utc=True),
    ...                   "compound": [0.1, -0.3]})
    >>> plot_tone_trend(tone_by(s, by=None, freq="W", n_boot=20)).get_ylabel()
    'mean compound'
    """
    if "period" not in table.columns:
        raise SchemaError("period", "missing; call tone_by with a freq")
    with house_style():
        ax = _new_axes(ax, figsize=(8, 4))
        for part, name, color in _tone_series(table, by, "n"):
            part = part.sort_values("period")
            x = pd.to_datetime(part["period"])
            ax.plot(x, part["mean"], marker="o", markersize=3, color=color, label=name)
            ax.fill_between(x, part["ci_low"], part["ci_high"], color=color, alpha=0.15)
        ax.axhline(0, color="#444444", linewidth=0.8)
        ax.set_ylabel("mean compound")
        ax.set_title(_with_n("Tone over time", table["n"].sum(), unit))
        _date_axis(ax)
        if by:
            _legend_outside(ax, title="bands: 95% CI", title_fontsize=8)
    return ax


@renamed(group="by")
def plot_tone_distribution(dist: pd.DataFrame, *, by: str | None = None, ax=None):
    """
    Draw tone distributions (from :func:`analysis.tone_distribution`) as step lines.

    Parameters
    ----------
    dist : DataFrame
        Output of :func:`analysis.tone_distribution`.
    by, ax
        As for :func:`plot_tone_trend`.

    Returns
    -------
    matplotlib Axes
        One step line per value of ``by``, each the shares of its bins.

    Examples
    --------
    >>> from analysis import tone_distribution
    >>> d = tone_distribution(pd.DataFrame({"outlet": ["A", "B"], "compound": [0.3, -0.4]}), bins=4)
    >>> plot_tone_distribution(d, by="outlet").get_xlabel()
    'compound'
    """
    with house_style():
        ax = _new_axes(ax, figsize=(8, 4))
        for part, name, color in _tone_series(dist, by, "count"):
            ax.stairs(
                part["share"].to_numpy(float),
                np.r_[part["bin_left"].to_numpy(float), part["bin_right"].iloc[-1]],
                label=name,
                color=color,
                linewidth=1.8,
            )
        ax.set_xlabel("compound")
        ax.set_ylabel("share")
        ax.set_title(_with_n("Tone distribution", dist["count"].sum(), "scores"))
        if by:
            _legend_outside(ax)
    return ax
