"""Topic charts: the prevalence of topics per group (heat map), over time (bands), between two groups, and choosing k."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.plots.attention import _percent
from analysis.plots.style import (
    PALETTE,
    _date_axis,
    _legend_outside,
    _need,
    _new_axes,
    _with_n,
    house_style,
)


def _topic_names(table: pd.DataFrame) -> dict[int, str]:
    pairs = table[["topic", "label"]].drop_duplicates("topic").sort_values("topic")
    return {int(t): f"{int(t)}. {label}" for t, label in zip(pairs["topic"], pairs["label"])}


def _group_column(table: pd.DataFrame) -> str | None:
    before = list(table.columns[: list(table.columns).index("topic")])
    groups = [c for c in before if c != "period"]
    return groups[0] if groups else None


def plot_topic_heatmap(table: pd.DataFrame, *, ax=None):
    """
    Draw the share of each group's coverage that each topic takes, as a heat map.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`analysis.topic_prevalence` with one grouping column and no
        ``freq`` (``topic``, ``label``, ``articles``, ``share``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Groups as rows (with their N), topics as columns (number and label), each
        cell the mean share written as a percentage.

    Examples
    --------
    >>> t = pd.DataFrame({"outlet": ["A", "A", "B", "B"], "topic": [1, 2, 1, 2],
    ...     "label": ["talks", "grain", "talks", "grain"], "articles": [3, 3, 5, 5],
    ...     "share": [0.7, 0.3, 0.2, 0.8], "low": 0.0, "high": 1.0})
    >>> plot_topic_heatmap(t).get_title(loc="left")
    'Share of coverage per topic (N=8 articles)'
    """
    _need(table, ["topic", "label", "articles", "share"], "plot_topic_heatmap")
    group = _group_column(table)
    data = table if group else table.assign(group="all")
    group = group or "group"
    grid = data.pivot_table(index=group, columns="topic", values="share", aggfunc="mean")
    sizes = data.drop_duplicates(group).set_index(group)["articles"]
    names = _topic_names(table)
    with house_style():
        ax = _new_axes(ax, figsize=(max(6.0, 0.9 * grid.shape[1] + 2), 0.45 * len(grid) + 2.5))
        image = ax.imshow(grid.to_numpy(), aspect="auto", cmap="Blues", vmin=0)
        ax.set_xticks(range(grid.shape[1]))
        ax.set_xticklabels([_wrap(names[int(t)]) for t in grid.columns], fontsize=7)
        ax.set_yticks(range(len(grid)))
        ax.set_yticklabels([f"{g} (N={int(sizes[g]):,})" for g in grid.index])
        ax.grid(False)
        top = np.nanmax(grid.to_numpy()) if grid.size else 0
        for (i, j), value in np.ndenumerate(grid.to_numpy()):
            if not np.isnan(value):
                color = "white" if value > 0.6 * top else "#222222"
                ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=7, color=color)
        ax.figure.colorbar(image, ax=ax, label="mean share of an article", shrink=0.8)
        n = sizes.sum()
        ax.set_title(_with_n("Share of coverage per topic", n))
    return ax


def _wrap(label: str, width: int = 14) -> str:
    words, lines, line = label.split(" "), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


def plot_topic_trends(table: pd.DataFrame, *, top: int = 6, ax=None):
    """
    Draw the prevalence of topics over time, each with its bootstrap band.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`analysis.topic_prevalence` with ``freq`` and ``by=None``
        (``period``, ``topic``, ``label``, ``articles``, ``share``, ``low``, ``high``).
    top : int, default 6
        Draw the ``top`` topics with the largest mean share.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = pd.DataFrame({"period": pd.to_datetime(["2022-03-07", "2022-03-14"] * 2),
    ...     "topic": [1, 1, 2, 2], "label": ["talks"] * 2 + ["grain"] * 2, "articles": [4, 6, 4, 6],
    ...     "share": [0.6, 0.4, 0.4, 0.6], "low": [0.4, 0.2, 0.2, 0.4], "high": [0.8, 0.6, 0.6, 0.8]})
    >>> plot_topic_trends(t).get_legend().get_texts()[0].get_text()
    '1. talks'
    """
    _need(
        table, ["period", "topic", "label", "articles", "share", "low", "high"], "plot_topic_trends"
    )
    names = _topic_names(table)
    order = table.groupby("topic")["share"].mean().sort_values(ascending=False, kind="stable")
    chosen = sorted(order.index[:top])
    with house_style():
        ax = _new_axes(ax, figsize=(8, 4))
        for i, topic in enumerate(chosen):
            part = table[table["topic"] == topic].sort_values("period")
            x = pd.to_datetime(part["period"])
            color = PALETTE[i % len(PALETTE)]
            ax.plot(
                x, part["share"], marker="o", markersize=3, color=color, label=names[int(topic)]
            )
            ax.fill_between(x, part["low"], part["high"], color=color, alpha=0.15, linewidth=0)
        ax.yaxis.set_major_formatter(_percent())
        ax.set_ylim(bottom=0)
        ax.set_ylabel("mean share of an article")
        n = table.drop_duplicates("period")["articles"].sum()
        ax.set_title(_with_n("Topics over time", n))
        _date_axis(ax)
        _legend_outside(ax, title="bands: 95% bootstrap", title_fontsize=8)
    return ax


def plot_topic_k(scores: pd.DataFrame, *, ax=None):
    """
    Draw coherence, exclusivity and their product for each number of topics, the chosen k marked.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`analysis.topic_k_scores`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> s = pd.DataFrame({"k": [4, 6], "coherence": [0.1, 0.2], "exclusivity": [0.8, 0.9],
    ...     "score": [0.44, 0.54], "chosen": [False, True]})
    >>> plot_topic_k(s).get_title(loc="left")
    'Choosing the number of topics: k=6'
    """
    _need(scores, ["k", "coherence", "exclusivity", "score", "chosen"], "plot_topic_k")
    with house_style():
        ax = _new_axes(ax, figsize=(6, 3.5))
        for i, (column, name) in enumerate(
            [("coherence", "coherence (NPMI)"), ("exclusivity", "exclusivity"), ("score", "score")]
        ):
            ax.plot(scores["k"], scores[column], marker="o", color=PALETTE[i], label=name)
        best = scores[scores["chosen"].astype(bool)]
        for k in best["k"]:
            ax.axvline(k, color="#888888", linestyle="--", linewidth=1)
        ax.set_xlabel("number of topics (k)")
        ax.set_xticks(list(scores["k"]))
        chosen = ", ".join(str(int(k)) for k in best["k"]) or "none"
        ax.set_title(f"Choosing the number of topics: k={chosen}")
        _legend_outside(ax)
    return ax


def plot_topic_difference(table: pd.DataFrame, *, ax=None):
    """
    Draw how much more of one group's coverage each topic takes than of the other's, with intervals.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`analysis.topic_difference` (``topic``, ``label``,
        ``difference``, ``low``, ``high``, ``n_a``, ``n_b``, ``a``, ``b``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        One row per topic in the table's order, a dot at the difference in
        percentage points with its bootstrap interval as a bar; right of zero the
        topic takes more of ``a``'s coverage.

    Examples
    --------
    >>> t = pd.DataFrame({"topic": [2, 1], "label": ["grain", "talks"], "difference": [0.2, -0.2],
    ...     "low": [0.1, -0.3], "high": [0.3, -0.1], "n_a": 10, "n_b": 12, "a": "A", "b": "B"})
    >>> plot_topic_difference(t).get_xlabel()
    'share of A minus share of B (95% interval)'
    """
    _need(table, ["topic", "label", "difference", "low", "high", "n_a", "n_b"], "plot_topic_difference")  # fmt: skip
    a = table["a"].iloc[0] if "a" in table.columns and len(table) else "a"
    b = table["b"].iloc[0] if "b" in table.columns and len(table) else "b"
    names = _topic_names(table)
    y = np.arange(len(table))
    diff = table["difference"].to_numpy(dtype=float)
    err = np.vstack([diff - table["low"].to_numpy(float), table["high"].to_numpy(float) - diff])
    with house_style():
        ax = _new_axes(ax, figsize=(7, 0.4 * max(len(table), 4) + 1.2))
        ax.errorbar(
            diff, y, xerr=np.clip(np.nan_to_num(err), 0, None), fmt="o", color=PALETTE[0],
            ecolor=PALETTE[5], capsize=3,
        )  # fmt: skip
        ax.axvline(0, color="#444444", linewidth=0.8)
        ax.set_yticks(y, [names[int(t)] for t in table["topic"]])
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.xaxis.set_major_formatter(_points())
        ax.set_xlabel(f"share of {a} minus share of {b} (95% interval)")
        n = int(table["n_a"].iloc[0] + table["n_b"].iloc[0]) if len(table) else 0
        ax.set_title(_with_n(f"Topics: {a} against {b}", n))
    return ax


def _points():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _: f"{value * 100:+.0f} pts" if value else "0")
