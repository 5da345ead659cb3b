"""Charts of words: top terms, term trends, keyness, the volume heat map, dictionary rates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.errors import ParameterError
from analysis.options import renamed
from analysis.plots.style import (
    PALETTE,
    _date_axis,
    _legend_outside,
    _need,
    _new_axes,
    _with_n,
    house_style,
)


@renamed(n="top")
def plot_top_terms(
    counts: pd.DataFrame,
    *,
    group: object = None,
    by: str | None = None,
    top: int = 15,
    value: str = "per_10k",
    ax=None,
):
    """
    Draw the most frequent terms of one group as horizontal bars.

    Parameters
    ----------
    counts : DataFrame
        Output of :func:`analysis.term_counts`.
    group : object, optional
        Value of ``by`` to draw; needed when the table has several groups.
    by : str, optional
        Group column of ``counts`` (default: the first column before ``term``).
    top : int, default 15
        Number of terms.
    value : str, default "per_10k"
        Column drawn (``count``, ``per_10k`` or ``doc_freq``).

    Returns
    -------
    matplotlib Axes
        Titled with the group and its N (articles).

    Examples
    --------
    >>> t = pd.DataFrame({"term": ["talks", "grain"], "count": [3, 1], "per_10k": [30.0, 10.0],
    ...                   "n_articles": [4, 4], "n_words": [1000, 1000]})
    >>> [x.get_text() for x in plot_top_terms(t).get_yticklabels()]
    ['talks', 'grain']
    """
    _need(counts, ["term", value], "plot_top_terms")
    keys = list(counts.columns[: list(counts.columns).index("term")])
    by = by or (keys[0] if keys else None)
    table = counts
    if by is not None:
        if group is None:
            groups = table[by].unique()
            if len(groups) > 1:
                raise ParameterError(
                    f"plot_top_terms: the table has {len(groups)} groups in {by!r}; pass group="
                )
            group = groups[0] if len(groups) else None
        table = table[table[by] == group]
    table = table.sort_values(value, ascending=False, kind="stable").head(top)
    with house_style():
        ax = _new_axes(ax, figsize=(6, 0.3 * max(len(table), 4) + 1))
        y = np.arange(len(table))[::-1]
        ax.barh(y, table[value].to_numpy(dtype=float), color=PALETTE[0])
        ax.set_yticks(y, table["term"].astype(str).tolist())
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.set_xlabel(
            {
                "per_10k": "uses per 10,000 words",
                "count": "uses",
                "doc_freq": "articles using it",
            }.get(value, value)
        )
        n_art = (
            int(table["n_articles"].iloc[0])
            if "n_articles" in table.columns and len(table)
            else None
        )
        title = "Top terms" if group is None else f"Top terms: {group}"
        ax.set_title(title + (f" (N={n_art:,} articles)" if n_art is not None else ""))
    return ax


def plot_trends(
    trends: pd.DataFrame,
    *,
    series: str | Sequence[str] | None = None,
    value: str = "per_10k",
    min_articles: int = 5,
    ax=None,
):
    """
    Draw one line per series over time, with the N behind each series and point.

    Parameters
    ----------
    trends : DataFrame
        Output of :func:`analysis.term_trends` or ``dictionary_counts(..., freq=...)``
        (needs ``period``, ``n_articles`` and ``value``).
    series : str or list of str, optional
        Columns naming a line (default: every column before ``period``, plus
        ``term``/``category`` when several are present).
    value : str, default "per_10k"
    min_articles : int, default 5
        Points resting on fewer articles are drawn hollow: read them with care.

    Returns
    -------
    matplotlib Axes
        Legend entries carry the total N (articles) of each series.

    Examples
    --------
    >>> t = pd.DataFrame({"outlet": ["A", "A"], "period": pd.to_datetime(["2022-03-01", "2022-04-01"]),
    ...                   "term": ["talks", "talks"], "per_10k": [3.0, 5.0], "n_articles": [10, 2]})
    >>> plot_trends(t).get_legend().get_texts()[0].get_text()
    'A (N=12)'
    """
    _need(trends, ["period", value, "n_articles"], "plot_trends")
    if series is None:
        cols = list(trends.columns)
        series = cols[: cols.index("period")]
        for extra in ("term", "category"):
            if extra in trends.columns and trends[extra].nunique() > 1:
                series.append(extra)
    series = [series] if isinstance(series, str) else list(series)
    with house_style():
        ax = _new_axes(ax)
        groups = trends.groupby(series, sort=True) if series else [((), trends)]
        for i, (key, part) in enumerate(groups):
            part = part.sort_values("period")
            key = key if isinstance(key, tuple) else (key,)
            label = " / ".join(map(str, key)) or value
            color = PALETTE[i % len(PALETTE)]
            x = pd.to_datetime(part["period"])
            y = part[value].to_numpy(dtype=float)
            n_art = part["n_articles"].to_numpy()
            ax.plot(x, y, color=color, label=f"{label} (N={int(n_art.sum()):,})")
            solid = n_art >= min_articles
            ax.scatter(x[solid], y[solid], color=color, s=16, zorder=3)
            ax.scatter(x[~solid], y[~solid], facecolors="white", edgecolors=color, s=16, zorder=3)
        what = {"per_10k": "uses per 10,000 words", "count": "uses"}.get(value, value)
        ax.set_ylabel(what)
        ax.set_title(f"{what[0].upper()}{what[1:]} over time")
        _date_axis(ax)
        note = f"hollow: fewer than {min_articles} articles" if min_articles > 1 else None
        _legend_outside(ax, title=note, title_fontsize=8)
    return ax


@renamed(n="top")
def plot_keyness(
    keyness: pd.DataFrame,
    *,
    group: object = None,
    top: int = 15,
    significant_only: bool = True,
    ax=None,
):
    """
    Draw keyness as diverging bars: log ratio of the most distinctive terms on each side.

    With several comparisons in the table (``keyness(articles, by=...)`` compares
    every group with the rest) and no ``group``, one panel per comparison is drawn,
    side by side on one scale (small multiples).

    Parameters
    ----------
    keyness : DataFrame
        Output of :func:`analysis.keyness`.
    group : object, optional
        The one comparison to draw (a value of ``group``); default all of them.
    top : int, default 15
        Terms on each side.
    significant_only : bool, default True
        Draw only terms with a significant corrected p-value.
    ax : matplotlib Axes, optional
        Where to draw one comparison; several need a figure of their own.

    Returns
    -------
    matplotlib Axes
        The first panel; ``ax.figure.axes`` holds one panel per comparison. Bars
        right of zero: more frequent in the group; left: in the reference. Each
        panel says both directions below its axis and its N in its title.

    Examples
    --------
    >>> k = pd.DataFrame({"group": ["A", "A", "B"], "reference": "rest",
    ...                   "term": ["ceasefire", "missile", "grain"],
    ...                   "log_ratio": [2.0, -1.5, 1.0], "significant": True,
    ...                   "n_articles": [10, 10, 20], "n_articles_ref": [30, 30, 20]})
    >>> ax = plot_keyness(k)
    >>> [a.get_title(loc="left").splitlines() for a in ax.figure.axes]
    [['A', 'vs rest, N=10 vs 30 articles'], ['B', 'vs rest, N=20 vs 20 articles']]
    >>> [x.get_text() for x in ax.get_yticklabels()]
    ['ceasefire', 'missile']
    """
    _need(keyness, ["group", "reference", "term", "log_ratio", "significant"], "plot_keyness")
    table = keyness[keyness["significant"].astype(bool)] if significant_only else keyness
    groups = list(pd.unique(keyness["group"])) if group is None else [group]
    if len(groups) > 1 and ax is not None:
        raise ParameterError(
            f"plot_keyness: {len(groups)} comparisons need a figure of their own; "
            "pass group= to draw one of them on ax="
        )
    shown = {}
    for g in groups:
        part = table[table["group"] == g]
        pos = part[part["log_ratio"] > 0].nlargest(top, "log_ratio")
        neg = part[part["log_ratio"] < 0].nsmallest(top, "log_ratio").iloc[::-1]
        shown[g] = (pd.concat([pos, neg]), keyness[keyness["group"] == g])
    rows = max([len(s) for s, _ in shown.values()] + [4])
    with house_style():
        if ax is None:
            import matplotlib.pyplot as plt

            # two panels a row, so that a page or a screen shows them at a legible size
            ncols = min(len(groups), 2) or 1
            nrows = -(-len(groups) // ncols) or 1
            fig, axes = plt.subplots(
                nrows, ncols, sharex=True, squeeze=False, layout="constrained",
                figsize=(4.0 * ncols + 0.8, nrows * (0.26 * rows + 1.4)),
            )  # fmt: skip
            axes = list(axes.ravel())
            for spare in axes[len(groups) :]:
                fig.delaxes(spare)
        else:
            axes = [ax]
        for panel, g in zip(axes, groups):
            _keyness_panel(panel, g, *shown[g], rows=rows)
    return axes[0]


def _keyness_panel(
    ax, group: object, shown: pd.DataFrame, comparison: pd.DataFrame, *, rows: int
) -> None:
    """One comparison's diverging bars from the top, titled with its N, both directions named."""
    y = rows - 1 - np.arange(len(shown))
    vals = shown["log_ratio"].to_numpy(dtype=float)
    ax.barh(y, vals, color=[PALETTE[0] if v > 0 else PALETTE[1] for v in vals])
    ax.set_yticks(y, shown["term"].astype(str).tolist())
    ax.set_ylim(-0.6, rows - 0.4)
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ref = comparison["reference"].iloc[0] if len(comparison) else "reference"
    ax.set_xlabel("log2 ratio")
    ax.tick_params(axis="x", labelbottom=True)
    # each direction on a line of its own: side by side, long group names ran into each other
    for x, down, align, text, color in (
        (1.0, -42, "right", f"more in {group} \u2192", PALETTE[0]),
        (0.0, -54, "left", f"\u2190 more in {ref}", PALETTE[1]),
    ):
        ax.annotate(
            text, (x, 0), xycoords="axes fraction", xytext=(0, down), textcoords="offset points",
            ha=align, va="top", fontsize=9, color=color, fontweight="bold",
        )  # fmt: skip
    if not len(shown):
        ax.text(0.5, 0.5, "no significant terms", transform=ax.transAxes, ha="center")

    def first(col):
        return int(comparison[col].iloc[0]) if col in comparison and len(comparison) else None

    n_t, n_r = first("n_articles"), first("n_articles_ref")
    counts = f", N={n_t:,} vs {n_r:,} articles" if n_t is not None and n_r is not None else ""
    ax.set_title(f"{group}\nvs {ref}{counts}", fontsize=10)


def plot_volume_heatmap(
    volume: pd.DataFrame, *, by: str = "outlet", value: str = "n_articles", ax=None
):
    """
    Draw coverage volume as a heatmap: groups in rows, periods in columns.

    Parameters
    ----------
    volume : DataFrame
        Output of :func:`analysis.volume`.
    by : str, default "outlet"
    value : {"n_articles", "share"}

    Returns
    -------
    matplotlib Axes
        Row labels carry each group's N (articles).

    Examples
    --------
    >>> v = pd.DataFrame({"outlet": ["A", "A", "B", "B"],
    ...                   "period": pd.to_datetime(["2022-03-01", "2022-03-02"] * 2),
    ...                   "n_articles": [1, 0, 2, 3], "share": [1 / 3, 0.0, 2 / 3, 1.0]})
    >>> [x.get_text() for x in plot_volume_heatmap(v).get_yticklabels()]
    ['A (N=1)', 'B (N=5)']
    """
    _need(volume, [by, "period", value], "plot_volume_heatmap")
    grid = volume.pivot_table(
        index=by, columns="period", values=value, aggfunc="sum", fill_value=0, observed=True
    )
    totals = (
        volume.groupby(by, observed=True)["n_articles"].sum()
        if "n_articles" in volume.columns
        else None
    )
    import matplotlib.dates as mdates

    # each period is a column from its start to the next period's start
    starts = mdates.date2num(pd.to_datetime(grid.columns))
    step = float(np.median(np.diff(starts))) if len(starts) > 1 else 1.0
    with house_style():
        ax = _new_axes(ax, figsize=(9, 0.35 * max(len(grid), 3) + 1.5))
        ax.xaxis_date()
        im = ax.imshow(
            grid.to_numpy(dtype=float),
            aspect="auto",
            cmap="Blues",
            interpolation="nearest",
            extent=(starts[0], starts[-1] + step, len(grid) - 0.5, -0.5) if len(starts) else None,
        )
        labels = [
            f"{g} (N={int(totals[g]):,})" if totals is not None else str(g) for g in grid.index
        ]
        ax.set_yticks(np.arange(len(grid)), labels)
        _date_axis(ax)
        ax.grid(False)
        ax.figure.colorbar(
            im,
            ax=ax,
            label="articles" if value == "n_articles" else "share of the period's articles",
        )
        ax.set_title(_with_n("Coverage volume", totals.sum() if totals is not None else None))
    return ax


def plot_category_rates(
    counts: pd.DataFrame, *, by: str = "outlet", value: str = "per_10k", ax=None
):
    """
    Draw dictionary category rates per group as grouped horizontal bars.

    Parameters
    ----------
    counts : DataFrame
        Output of ``dictionary_counts(articles, dictionary, by=by)`` (no ``freq``).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> c = pd.DataFrame({"outlet": ["A", "A", "B", "B"], "category": ["war", "peace"] * 2,
    ...                   "per_10k": [5.0, 1.0, 3.0, 2.0], "n_articles": [4, 4, 9, 9]})
    >>> [x.get_text() for x in plot_category_rates(c).get_yticklabels()]
    ['A (N=4)', 'B (N=9)']
    """
    _need(counts, [by, "category", value, "n_articles"], "plot_category_rates")
    grid = counts.pivot_table(
        index=by, columns="category", values=value, aggfunc="sum", observed=True, sort=False
    )
    n_art = counts.groupby(by, observed=True, sort=False)["n_articles"].first()
    grid = grid.sort_index()
    with house_style():
        ax = _new_axes(ax, figsize=(7, 0.5 * max(len(grid), 3) + 1.2))
        k = grid.shape[1]
        height = 0.8 / max(k, 1)
        base = np.arange(len(grid))[::-1]
        for j, cat in enumerate(grid.columns):
            ax.barh(
                base + (k / 2 - j - 0.5) * height,
                grid[cat].to_numpy(dtype=float),
                height=height,
                color=PALETTE[j % len(PALETTE)],
                label=str(cat),
            )
        ax.set_yticks(base, [f"{g} (N={int(n_art[g]):,})" for g in grid.index])
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.set_xlabel("matches per 10,000 words" if value == "per_10k" else value)
        _legend_outside(ax)
        ax.set_title(_with_n("Dictionary categories", n_art.sum()))
    return ax
