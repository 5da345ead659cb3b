"""Maps of the places the news names, drawn offline on bundled country outlines."""

from __future__ import annotations

import functools
import json
import math
from importlib import resources

import numpy as np
import pandas as pd

from analysis.errors import ParameterError
from analysis.plots.style import PALETTE, _legend_outside, _need, house_style

#: Country outlines: Natural Earth 1:110m (public domain), see data/world_outlines.py.
OUTLINES_FILE = "world_outlines.json"

LAND, BORDER, WATER = "#e8e8e3", "#ffffff", "#f4f8fb"
LARGEST_POINT = 900.0  # marker area (points^2) of the place with most mentions, on an 8-inch map
SPECIAL = ("(unresolved)", "(no country)")


@functools.lru_cache(maxsize=1)
def _outlines() -> list[np.ndarray]:
    text = resources.files("analysis").joinpath("data", OUTLINES_FILE).read_text("utf-8")
    return [np.asarray(ring, dtype=float) for c in json.loads(text)["countries"]
            for ring in c["rings"]]  # fmt: skip


def plot_place_map(
    counts: pd.DataFrame,
    *,
    by: str | None = None,
    value: str | None = None,
    labels: int = 8,
    extent: tuple[float, float, float, float] | str | None = None,
    ncols: int = 2,
    ax=None,
):
    """
    Draw places as points on a map of country outlines, sized by their mentions.

    Everything is drawn from files in the package: no tiles, no network. Each
    point's area is proportional to ``value``; the places with most mentions are
    named. With a group column, one small map per group, all on the same extent
    and scale, so that groups compare at a glance.

    Parameters
    ----------
    counts : DataFrame
        Output of :func:`analysis.place_counts` (per place or per country). Rows of
        several periods are added up; unresolved mentions (no coordinates) are not
        drawn, their number is given in the title.
    by : str, optional
        Group column drawn as small multiples (default: the first column before
        ``place``, when there is one; ``by=""`` draws all groups as one map).
    value : {"per_1000", "mentions", "articles"}, optional
        What the point areas show: by default mentions per 1,000 articles of the
        group (``per_1000``), so that outlets of different sizes compare, or
        ``mentions`` when the table has no rates.
    labels : int, default 8
        Number of places named on each map: the largest, leaving out a name that
        would cover a larger place's.
    extent : (west, east, south, north), "world" or None, default None
        Longitudes and latitudes shown; None fits the points drawn.
    ncols : int, default 2
        Maps per row of small multiples.
    ax : matplotlib Axes, optional
        Draw one map here (only without groups).

    Returns
    -------
    matplotlib Axes, or Figure for small multiples
        Either can be passed to :func:`analysis.save_figure`.

    Examples
    --------
    >>> t = pd.DataFrame({"place": ["Kyiv", "Lviv"], "latitude": [50.45, 49.84],
    ...                   "longitude": [30.52, 24.03], "mentions": [12, 3], "total": [40, 40]})
    >>> plot_place_map(t).get_title(loc="left")
    'Places named (15 mentions, N=40 articles)'
    """
    if value is None:
        value = "per_1000" if "per_1000" in getattr(counts, "columns", ()) else "mentions"
    _need(counts, ["place", "latitude", "longitude", value], "plot_place_map")
    if not isinstance(labels, int) or labels < 0:
        raise ParameterError(f"plot_place_map: labels={labels!r}; expected a whole number >= 0")
    if by is None:
        before = list(counts.columns[: list(counts.columns).index("place")])
        by = next((c for c in before if c != "period"), None)
    by = by or None
    if by is not None:
        _need(counts, [by], "plot_place_map")
    table = _added_up(counts, by=by, value=value)
    drawn = table[table["latitude"].notna() & table["longitude"].notna()]
    box = _extent(drawn, extent)
    largest = float(drawn[value].max()) if len(drawn) else 1.0
    groups = list(dict.fromkeys(table[by])) if by else [None]
    if not groups:  # nothing counted: one empty map, titled so
        by, groups = None, [None]
    import matplotlib.pyplot as plt

    with house_style():
        if by is None or (len(groups) == 1 and ax is not None):
            ax = _map_axes(ax, box)
            _draw_one(ax, table, value=value, labels=labels, largest=largest, box=box)
            _size_key(ax, largest, value)
            ax.set_title(_title("Places named", table, value))
            return ax
        if ax is not None:
            raise ParameterError("plot_place_map: ax= draws one map; the table has groups in "
                                 f"{by!r} (pass by='' for one map of all)")  # fmt: skip
        ncols = max(1, min(ncols, len(groups)))
        nrows = math.ceil(len(groups) / ncols)
        ratio = _ratio(box)
        fig, axes = plt.subplots(
            nrows, ncols, figsize=(4.6 * ncols, 3.9 * ratio * nrows + 0.7),
            layout="constrained", squeeze=False,
        )  # fmt: skip
        for axis, group in zip(axes.flat, groups):
            part = table[table[by] == group]
            _frame(axis, box)
            _draw_one(axis, part, value=value, labels=labels, largest=largest, box=box)
            axis.set_title(_title(str(group), part, value, short=True), fontsize=9, loc="left")
        for axis in list(axes.flat)[len(groups) :]:
            axis.set_visible(False)
        _size_key(axes.flat[min(ncols, len(groups)) - 1], largest, value)
        fig.suptitle(f"Places named, by {by} (point area: {_unit(value)})",
                     fontweight="bold", x=0.01, ha="left")  # fmt: skip
        return fig


def _added_up(counts: pd.DataFrame, *, by: str | None, value: str) -> pd.DataFrame:
    keys = ([by] if by else []) + ["place", "latitude", "longitude"]
    sums = {c: "sum" for c in ("mentions", "articles", value) if c in counts.columns}
    if value == "per_1000" and "total" in counts.columns:
        # a rate over several periods is the mentions over all their articles
        sums = {"mentions": "sum"}
    table = counts.groupby(keys, dropna=False, sort=False).agg(sums).reset_index()
    if "total" in counts.columns:
        total = _group_total(counts, by)
        total = table[by].map(total).astype("float64") if by else float(total)
        table = table.assign(total=total)
        if value == "per_1000":
            table = table.assign(per_1000=1000.0 * table["mentions"] / table["total"])
    return table.sort_values(value, ascending=False, kind="stable")


def _group_total(counts: pd.DataFrame, by: str | None):
    """Articles per group (or in all): the total of each group and period, once."""
    keys = list(counts.columns[: list(counts.columns).index("place")])
    if not keys:
        return int(counts["total"].max()) if len(counts) else 0
    once = counts.groupby(keys, dropna=False)["total"].max()
    return once.groupby(level=by).sum() if by else int(once.sum())


def _extent(drawn: pd.DataFrame, extent) -> tuple[float, float, float, float]:
    if extent == "world":
        return (-180.0, 180.0, -58.0, 84.0)
    if extent is not None:
        try:
            west, east, south, north = (float(v) for v in extent)
        except (TypeError, ValueError):
            raise ParameterError(
                f"plot_place_map: extent={extent!r}; expected (west, east, south, north) or 'world'"
            ) from None
        return west, east, south, north
    if drawn.empty:
        return (-180.0, 180.0, -58.0, 84.0)
    lon, lat = drawn["longitude"], drawn["latitude"]
    west, east, south, north = lon.min(), lon.max(), lat.min(), lat.max()
    width, height = max(east - west, 24.0), max(north - south, 14.0)
    cx, cy = (west + east) / 2, (south + north) / 2
    pad = 1.3
    west, east = max(cx - pad * width / 2, -180.0), min(cx + pad * width / 2, 180.0)
    south, north = max(cy - pad * height / 2, -60.0), min(cy + pad * height / 2, 85.0)
    return west, east, south, north


def _ratio(box) -> float:
    west, east, south, north = box
    aspect = 1.0 / max(math.cos(math.radians((south + north) / 2)), 0.2)
    return min(max((north - south) * aspect / (east - west), 0.35), 1.4)


def _map_axes(ax, box):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8.0, max(8.0 * _ratio(box), 3.0)), layout="constrained")
    _frame(ax, box)
    return ax


def _frame(ax, box) -> None:
    from matplotlib.collections import PolyCollection

    west, east, south, north = box
    ax.add_collection(
        PolyCollection(_outlines(), facecolors=LAND, edgecolors=BORDER, linewidths=0.6, zorder=1)
    )
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1.0 / max(math.cos(math.radians((south + north) / 2)), 0.2))
    ax.set_facecolor(WATER)
    ax.grid(False)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("#bbbbbb")


def _area(ax, values, largest: float) -> np.ndarray:
    """Marker areas: proportional to the values, the largest scaled to the map's width."""
    width = ax.figure.get_figwidth() * ax.get_position().width
    top = LARGEST_POINT * min(max(width / 8.0, 0.3), 1.0)
    return np.maximum(top * np.asarray(values, dtype=float) / max(largest, 1e-9), 4.0)


def _size_key(ax, largest: float, value: str) -> None:
    """A legend of two or three point sizes, outside the map on the right."""
    steps = {largest, largest / 4, largest / 16}
    if value == "mentions":
        steps = {max(round(v), 1) for v in steps}
    steps = sorted(steps)
    for v in steps[::-1]:
        text = f"{v:,.0f}" if v >= 10 or value == "mentions" else f"{v:,.1f}"
        ax.scatter([], [], s=_area(ax, [v], largest), color=PALETTE[0], alpha=0.55, label=text)
    _legend_outside(ax, title=_unit(value), labelspacing=1.4, borderpad=0.8)


def _draw_one(ax, table, *, value, labels, largest, box) -> None:
    drawn = table[table["latitude"].notna() & table["longitude"].notna()]
    west, east, south, north = box
    inside = drawn["longitude"].between(west, east) & drawn["latitude"].between(south, north)
    drawn = drawn[inside]
    ax.scatter(drawn["longitude"], drawn["latitude"], s=_area(ax, drawn[value], largest),
               color=PALETTE[0], alpha=0.55, edgecolors="white", linewidths=0.6, zorder=3)  # fmt: skip
    placed: list[tuple[float, float]] = []
    # a label is about 0.7 in wide and 0.15 in tall: keep labels that far apart on paper
    box_in = ax.get_position()
    width_in = max(ax.figure.get_figwidth() * box_in.width, 0.5)
    height_in = max(ax.figure.get_figheight() * box_in.height, 0.3)
    near_x = (east - west) * min(0.7 / width_in, 0.5)
    near_y = (north - south) * min(0.15 / height_in, 0.5)
    for row in drawn.head(labels).itertuples():
        if any(
            abs(row.longitude - x) < near_x and abs(row.latitude - y) < near_y for x, y in placed
        ):
            continue  # a larger place is named right there; its label would be covered
        placed.append((row.longitude, row.latitude))
        # a place in the east of the map is named to its left, so the name stays on the map
        left = row.longitude - west > 0.7 * (east - west)
        ax.annotate(str(row.place), (row.longitude, row.latitude), xytext=(-4 if left else 4, 4),
                    textcoords="offset points", ha="right" if left else "left", fontsize=8,
                    zorder=4, color="#222222")  # fmt: skip
    outside = int(len(table[table["latitude"].notna()]) - len(drawn))
    if outside:
        ax.text(0.01, 0.01, f"{outside} places outside this map", transform=ax.transAxes,
                fontsize=7, color="#666666")  # fmt: skip


def _unit(value: str) -> str:
    return {"per_1000": "mentions per 1,000 articles", "articles": "articles naming it"}.get(
        value, "mentions"
    )


def _title(head: str, table: pd.DataFrame, value: str, *, short: bool = False) -> str:
    """The map's title and its counts; ``short`` puts them on a second, shorter line."""
    mentions = int(table["mentions"].sum()) if "mentions" in table else None
    missing = table["latitude"].isna() | table["place"].isin(SPECIAL)
    undrawn = int(table.loc[missing, "mentions"].sum()) if mentions is not None else 0
    parts = [f"{mentions:,} mentions"] if mentions is not None else []
    if "total" in table and len(table):
        parts.append(f"N={int(table['total'].iloc[0]):,}" + ("" if short else " articles"))
    if undrawn:
        parts.append(f"{undrawn:,} " + ("unplaced" if short else "not on the map"))
    if not parts:
        return head
    return f"{head}\n{', '.join(parts)}" if short else f"{head} ({', '.join(parts)})"
