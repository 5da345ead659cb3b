"""The house style of every chart (see :mod:`analysis.plots`) and the helpers the chart modules share."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import pandas as pd

from analysis.errors import ParameterError

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
