"""Charts for the word and tone measurements.

Every function draws on a matplotlib Axes (a new figure when ``ax`` is omitted)
and returns it, so a notebook can adjust a title or save the figure together with
the table behind it. The style (:data:`HOUSE_STYLE`, applied with
:func:`house_style`) aims at reports read on screen and on paper: white
background, light horizontal grid, no top/right spines, a colour-blind-safe
palette (Okabe and Ito) and sizes that stay legible at 100% zoom. Every chart,
the tone charts among them, follows the same conventions:

- a title that says what is drawn, with the N behind it (in the title, or per
  series in the legend or the row labels);
- a time axis labelled by dates that fit: as many ticks as the width allows, each
  written once and briefly (``Mar``, ``14``, the year once), never slanted;
- the legend outside the axes, on the right, so it never covers the data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from analysis.errors import ParameterError, SchemaError
from analysis.options import renamed

__all__ = [
    "HOUSE_STYLE",
    "PALETTE",
    "house_style",
    "plot_top_terms",
    "plot_trends",
    "plot_keyness",
    "plot_volume_heatmap",
    "plot_category_rates",
    "plot_tone",
    "plot_tone_trend",
    "plot_tone_distribution",
    "plot_attention",
]

#: Okabe-Ito colours, distinguishable with the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

#: matplotlib settings of the house style.
HOUSE_STYLE: dict[str, object] = {
    "figure.figsize": (8.0, 4.5),
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#444444",
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "grid.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "font.size": 10,
    "lines.linewidth": 1.8,
}


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """
    Apply the house style inside a ``with`` block (the plot helpers use it themselves).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with house_style():
    ...     plt.rcParams["axes.spines.top"]
    False
    """
    import matplotlib as mpl
    from cycler import cycler

    # rc_context restores every setting on exit, matplotlib's interactive mode among
    # them; but that mode is not a style: in a notebook the first figure drawn inside
    # the block turns it on (the inline backend is set up then), and restoring the
    # old value would stop later figures from being shown. It is kept as it ends up.
    interactive = mpl.is_interactive()
    try:
        with mpl.rc_context({**HOUSE_STYLE, "axes.prop_cycle": cycler(color=list(PALETTE))}):
            try:
                yield
            finally:
                interactive = mpl.is_interactive()
    finally:
        mpl.interactive(interactive)


def _need(table: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(f"{where}: expected a DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ParameterError(
            f"{where}: the table has no column {missing[0]!r} (columns: {list(table.columns)})"
        )


def _new_axes(ax, figsize=None):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    # constrained layout keeps long labels and outside legends inside the saved image
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _group_label(row: pd.Series, cols: Sequence[str]) -> str:
    return " / ".join(str(row[c]) for c in cols)


def _date_axis(ax) -> None:
    """Label the x axis with dates that fit its width, each written briefly and level."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("")


def _legend_outside(ax, **options) -> None:
    """Put the legend right of the axes, where it cannot cover a line or a bar."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, **options)


def _with_n(title: str, n: float | None, unit: str = "articles") -> str:
    return title if n is None or pd.isna(n) else f"{title} (N={int(n):,} {unit})"


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
    for x, align, text, color in (
        (0.0, "left", f"\u2190 more in {ref}", PALETTE[1]),
        (1.0, "right", f"more in {group} \u2192", PALETTE[0]),
    ):
        ax.annotate(
            text, (x, 0), xycoords="axes fraction", xytext=(0, -42), textcoords="offset points",
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
                ax.annotate(
                    text or f"{when:%d %b %Y}",
                    (when, row["share"]),
                    xytext=(4, 6),
                    textcoords="offset points",
                    fontsize=7,
                    color="#444444",
                )
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
