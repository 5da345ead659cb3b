"""The attention chart: the share of output a story took, per period, with its peaks."""

from __future__ import annotations

import pandas as pd

from analysis.plots.style import (
    PALETTE,
    _date_axis,
    _legend_outside,
    _need,
    _new_axes,
    _with_n,
    house_style,
)


def plot_attention(table: pd.DataFrame, *, peaks: pd.DataFrame | None = None, ax=None):
    """
    Draw attention over time: each group's share of stories matching a query, with its 95% band.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`analysis.attention` (``query``, the group column, ``period``,
        ``total``, ``share``, ``low``, ``high``, ``peak``).
    peaks : DataFrame, optional
        Output of :func:`analysis.attention_peaks`: each peak is labelled with the
        title of its top story. Without it, peaks are labelled with their date.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        One line per query and group, with its Wilson band; the legend gives each
        line's N (stories), peaks are ringed and labelled.

    Examples
    --------
    >>> t = pd.DataFrame({"query": "talks", "outlet": "A",
    ...     "period": pd.to_datetime(["2022-03-07", "2022-03-14"]), "total": [10, 12], "share": [0.1, 0.5],
    ...     "low": [0.02, 0.25], "high": [0.4, 0.75], "peak": [False, True]})
    >>> plot_attention(t).get_legend().get_texts()[0].get_text()
    'A (N=22)'
    """
    _need(table, ["query", "period", "total", "share", "low", "high"], "plot_attention")
    groups = _attention_groups(table)
    series = (["query"] if table["query"].nunique() > 1 else []) + groups
    labels = _peak_labels(peaks)
    with house_style():
        ax = _new_axes(ax, figsize=(8, 4))
        parts = table.groupby(series, sort=True) if series else [((), table)]
        notes = []  # (when, share, text) of each peak, written once the x range is known
        for i, (key, part) in enumerate(parts):
            part = part.sort_values("period")
            key = key if isinstance(key, tuple) else (key,)
            name = " / ".join(map(str, key)) or "all"
            color = PALETTE[i % len(PALETTE)]
            x = pd.to_datetime(part["period"])
            n = int(part["total"].sum())
            ax.plot(
                x, part["share"], marker="o", markersize=3, color=color, label=f"{name} (N={n:,})"
            )
            ax.fill_between(x, part["low"], part["high"], color=color, alpha=0.15, linewidth=0)
            marked = part[part["peak"].astype(bool)] if "peak" in part.columns else part.head(0)
            for _, row in marked.iterrows():
                when = pd.Timestamp(row["period"])
                ax.scatter(
                    [when], [row["share"]], s=60, facecolors="none", edgecolors=color, zorder=3
                )
                text = labels.get((row["query"], *(row[g] for g in groups), when))
                notes.append((when, row["share"], text or f"{when:%d %b %Y}"))
        _label_peaks(ax, notes)
        ax.yaxis.set_major_formatter(_percent())
        ax.set_ylim(bottom=0)
        ax.set_ylabel("share of stories matching")
        queries = table["query"].unique()
        what = f"'{queries[0]}'" if len(queries) == 1 else "each query"
        ax.set_title(
            _with_n(f"Attention to {what}", table["total"].sum() / len(queries), "stories")
        )
        _date_axis(ax)
        _legend_outside(ax, title="bands: 95% Wilson; o: peak", title_fontsize=8)
    return ax


def _label_peaks(ax, notes: list[tuple]) -> None:
    """
    Write each peak's label beside it: to its right, or to its left in the right part of
    the chart, so that a label stays inside the axes (and off the legend beside them).
    """
    from matplotlib.dates import date2num

    lo, hi = ax.get_xlim()
    for when, share, text in notes:
        right = (date2num(when) - lo) > 0.55 * (hi - lo)
        ax.annotate(
            text,
            (when, share),
            xytext=(-4 if right else 4, 6),
            textcoords="offset points",
            ha="right" if right else "left",
            fontsize=7,
            color="#444444",
            annotation_clip=True,
            clip_on=True,
        )


def _attention_groups(table: pd.DataFrame) -> list[str]:
    """The group column of an attention table: the one before ``period`` that is not ``query``."""
    before = list(table.columns[: list(table.columns).index("period")])
    return [c for c in before if c not in ("query", "total", "matching", "share")]


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0, decimals=0)


def _peak_labels(peaks: pd.DataFrame | None) -> dict[tuple, str]:
    """The title of the top story of each peak, by (query, group..., period)."""
    if peaks is None or peaks.empty:
        return {}
    _need(peaks, ["query", "period", "rank", "title"], "plot_attention")
    groups = _attention_groups(peaks)
    first = peaks[peaks["rank"] == 1]
    labels = {}
    for _, row in first.iterrows():
        title = str(row["title"]) if pd.notna(row["title"]) else str(row["article_id"])
        short = title if len(title) <= 40 else title[:39] + "…"
        labels[(row["query"], *(row[g] for g in groups), pd.Timestamp(row["period"]))] = short
    return labels
