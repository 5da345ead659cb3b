"""Charts of who the coverage is about: the co-mention network, and named against quoted."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.errors import ParameterError
from analysis.plots.style import PALETTE, _need, _new_axes, house_style

#: colour of each type of actor (Okabe and Ito)
TYPE_COLOURS = {"PERSON": PALETTE[0], "ORG": PALETTE[1], "PLACE": PALETTE[2], "GROUP": PALETTE[3]}


#: most panels :func:`plot_co_mentions` draws side by side
MAX_PANELS = 6


def plot_co_mentions(
    edges: pd.DataFrame,
    *,
    mentions: pd.DataFrame | None = None,
    top: int = 40,
    by: str | Sequence[str] | None = None,
    ncols: int = 2,
    ax=None,
):
    """
    Draw the actors named together as a network: one dot an actor, one line a pair.

    Parameters
    ----------
    edges : DataFrame
        Output of :func:`analysis.co_mentions` (``source``, ``target``, ``weight``),
        with or without ``by=``.
    mentions : DataFrame, optional
        Output of :func:`analysis.entities`: dots are then sized by the actor's
        mentions and coloured by type; otherwise sized by the weight of its pairs.
    top : int, default 40
        Heaviest pairs drawn (in each group).
    by : str, sequence of str or None, default None
        Group column(s): one panel per group, at most six, each actor at the same
        place in every panel so that the groups compare. ``None`` takes the columns
        the edge table has before ``source`` (those of ``co_mentions(by=...)``);
        ``""`` draws one network of all groups, their pairs added up.
    ncols : int, default 2
        Panels per row.
    ax : matplotlib Axes, optional
        Draw one network here (only without groups, or with one group).

    Returns
    -------
    matplotlib Axes, or Figure for panels
        One network: the largest group of actors connected by the ``top`` pairs
        (Kamada-Kawai layout, the same picture every time), lines as thick as the
        pair is frequent; the title gives the pairs and actors drawn and those
        left out. Panels: the same for each group, dots and lines on one scale in
        all of them, and an actor a group does not draw as a small grey dot.

    Raises
    ------
    ParameterError
        With more than six groups, or ``ax`` given with several groups.

    Examples
    --------
    >>> e = pd.DataFrame({"source": ["Kyiv", "Kyiv"], "target": ["Putin", "Zelensky"], "weight": [3, 1]})
    >>> plot_co_mentions(e).get_title(loc="left")
    'Actors named in the same sentence (2 pairs, 3 actors)'
    >>> e2 = pd.concat([e.assign(outlet="a"), e.head(1).assign(outlet="b")])
    >>> [a.get_title(loc="left") for a in plot_co_mentions(e2, by="outlet").axes]
    ['a (2 pairs, 3 actors)', 'b (1 pairs, 2 actors)']
    """
    _need(edges, ["source", "target", "weight"], "plot_co_mentions")
    actors = _actor_facts(mentions)
    keys = _group_columns(edges, by) if len(edges) else []  # no pairs: one empty network
    level = edges.attrs.get("level", "sentence")
    if not keys:
        if by is not None:  # by="": the pairs of every group added up
            edges = edges.groupby(["source", "target"], as_index=False, sort=False)["weight"].sum()
        graph, drawn, left_out = _network(edges, top)
        with house_style():
            ax = _new_axes(ax, figsize=(9, 7))
            title = f"Actors named in the same {level} ({drawn} pairs, {len(graph)} actors"
            title += f"; {left_out} apart from the rest not drawn)" if left_out else ")"
            ax.set_title(title)
            _draw_network(ax, graph, _layout(graph), actors=actors)
        return ax
    labels = edges[keys].astype(str).agg(" / ".join, axis=1)
    groups = list(dict.fromkeys(labels))
    if len(groups) > MAX_PANELS:
        raise ParameterError(
            f"plot_co_mentions: {len(groups)} groups in {' / '.join(keys)}, more than the "
            f"{MAX_PANELS} panels that can be compared side by side; keep the groups to "
            f"compare (edges[edges[{keys[0]!r}].isin([...])]) or pass by='' for one "
            "network of all"
        )
    if ax is not None and len(groups) > 1:
        raise ParameterError(
            f"plot_co_mentions: ax= draws one network; the edges have {len(groups)} groups "
            f"in {' / '.join(keys)} (pass by='' for one network of all)"
        )
    networks = {g: _network(edges[labels == g], top) for g in groups}
    pos = _layout(_union([graph for graph, _, _ in networks.values()]))
    scale = _scales(networks.values(), actors)
    import matplotlib.pyplot as plt

    with house_style():
        if ax is not None:
            graph, drawn, left_out = networks[groups[0]]
            ax.set_title(_panel_title(groups[0], drawn, graph, left_out))
            _draw_network(ax, graph, pos, actors=actors, scale=scale)
            return ax
        ncols = max(1, min(ncols, len(groups)))
        nrows = math.ceil(len(groups) / ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(6.2 * ncols, 5.4 * nrows + 0.5),
                                 layout="constrained", squeeze=False)  # fmt: skip
        for n, (axis, group) in enumerate(zip(axes.flat, groups)):
            graph, drawn, left_out = networks[group]
            axis.set_title(_panel_title(group, drawn, graph, left_out), fontsize=10, loc="left")
            _draw_network(axis, graph, pos, actors=actors, scale=scale,
                          legend=n == min(ncols, len(groups)) - 1)  # fmt: skip
        for axis in list(axes.flat)[len(groups) :]:
            axis.set_visible(False)
        fig.suptitle(f"Actors named in the same {level}, by {' / '.join(keys)} "
                     "(an actor is at the same place in every panel)",
                     fontweight="bold", x=0.01, ha="left")  # fmt: skip
    return fig


def _group_columns(edges: pd.DataFrame, by) -> list[str]:
    if by is None:
        return list(edges.columns[: list(edges.columns).index("source")])
    keys = [by] if isinstance(by, str) else list(by)
    keys = [k for k in keys if k]
    _need(edges, keys, "plot_co_mentions")
    return keys


def _panel_title(group: str, drawn: int, graph, left_out: int) -> str:
    title = f"{group} ({drawn} pairs, {len(graph)} actors"
    return title + (f"; {left_out} apart not drawn)" if left_out else ")")


def _network(edges: pd.DataFrame, top: int):
    """The largest connected group of actors of the ``top`` pairs; pairs drawn; actors left out."""
    import networkx as nx

    drawn = edges.nlargest(top, "weight", keep="first") if len(edges) else edges
    graph = nx.Graph()
    for s, t, w in zip(drawn["source"], drawn["target"], drawn["weight"]):
        graph.add_edge(s, t, weight=float(w))
    if not graph.number_of_nodes():
        return graph, len(drawn), 0
    part = max(nx.connected_components(graph), key=len)
    return graph.subgraph(part).copy(), len(drawn), graph.number_of_nodes() - len(part)


def _union(graphs):
    """One graph of the actors and pairs of several (weights added up)."""
    import networkx as nx

    union = nx.Graph()
    for graph in graphs:
        for s, t, d in graph.edges(data=True):
            w = union.get_edge_data(s, t, {"weight": 0.0})["weight"]
            union.add_edge(s, t, weight=w + d["weight"])
    return union


def _layout(graph) -> dict:
    """
    Places on the page: each connected part laid out by Kamada-Kawai (distances follow
    the steps between actors), the parts side by side, the largest first.
    """
    import networkx as nx

    pos: dict = {}
    x = 0.0
    for part in sorted(nx.connected_components(graph), key=lambda p: (-len(p), sorted(p))):
        sub = graph.subgraph(part)
        width = np.sqrt(len(part))
        if len(part) == 1:
            placed = {next(iter(part)): np.zeros(2)}
        else:
            placed = nx.kamada_kawai_layout(sub, weight=None, scale=width / 2)
        for name, xy in placed.items():
            pos[name] = np.asarray(xy) + [x + width / 2, 0.0]
        x += width + 0.3
    return pos


def _actor_facts(mentions: pd.DataFrame | None) -> tuple[pd.Series, pd.Series] | None:
    """Each actor's mentions and type, read once from the mentions table (None without one)."""
    if mentions is None:
        return None
    _need(mentions, ["actor", "type"], "plot_co_mentions")
    kinds = mentions.drop_duplicates("actor").set_index("actor")["type"]
    return mentions["actor"].value_counts(), kinds


def _scales(networks, actors) -> tuple[float, float]:
    """The largest line weight and dot size of all networks: one scale for every panel."""
    widths = [d["weight"] for graph, _, _ in networks for _, _, d in graph.edges(data=True)]
    sizes = [s for graph, _, _ in networks for s in _sizes(graph, list(graph), actors)]
    return max(widths, default=1.0), max(sizes, default=1.0)


def _sizes(graph, nodes, actors) -> np.ndarray:
    """Dot sizes: the actors' mentions, or without them the weight of their pairs."""
    if actors is not None:
        count = actors[0]
        return np.array([count.get(n, 1) for n in nodes], dtype=float)
    return np.array([graph.degree(n, weight="weight") for n in nodes], dtype=float)


def _draw_network(ax, graph, pos, *, actors=None, scale=None, legend=True) -> None:
    """Draw one network on ``ax`` at the places ``pos``; actors of ``pos`` not in it in grey."""
    import matplotlib.patheffects as pe

    ax.set_axis_off()
    nodes = list(graph.nodes())
    absent = [n for n in pos if n not in graph]
    if absent:
        grey = np.array([pos[n] for n in absent])
        ax.scatter(grey[:, 0], grey[:, 1], s=14, c="#d0d0d0", zorder=1, linewidths=0)
    if not nodes:
        ax.text(0.5, 0.5, "No two actors named together", ha="center", transform=ax.transAxes)
        return
    widths = np.array([d["weight"] for _, _, d in graph.edges(data=True)])
    sizes = _sizes(graph, nodes, actors)
    top_width, top_size = scale or (widths.max(), sizes.max())
    for (s, t), w in zip(graph.edges(), widths):
        ax.plot(*zip(pos[s], pos[t]), color="#999999", alpha=0.6,
                linewidth=0.6 + 4.0 * w / top_width, zorder=1)  # fmt: skip
    if actors is not None:
        kinds = actors[1]
        colours = [TYPE_COLOURS.get(kinds.get(n), "#777777") for n in nodes]
    else:
        colours = [PALETTE[0]] * len(nodes)
    area = 60 + 900 * sizes / top_size
    xy = np.array([pos[n] for n in nodes])
    ax.scatter(xy[:, 0], xy[:, 1], s=area, c=colours, edgecolors="white", zorder=2)
    for (x, y), name, a in zip(xy, nodes, area):
        ax.annotate(name, (x, y), xytext=(0, 4 + np.sqrt(a) / 2), textcoords="offset points",
                    fontsize=8, ha="center", va="bottom", zorder=3,
                    path_effects=[pe.withStroke(linewidth=3, foreground="white")])  # fmt: skip
    if actors is not None and legend:
        shown = sorted(set(colours), key=list(TYPE_COLOURS.values()).index)
        names = {c: k for k, c in TYPE_COLOURS.items()}
        handles = [ax.scatter([], [], s=60, c=c, label=names[c].lower()) for c in shown]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    # the same frame in every panel, with room for the names on the outermost dots
    everything = np.array(list(pos.values()))
    (left, low), (right, high) = everything.min(axis=0), everything.max(axis=0)
    pad_x, pad_y = 0.12 * max(right - left, 0.5), 0.08 * max(high - low, 0.5)
    ax.set_xlim(left - pad_x, right + pad_x)
    ax.set_ylim(low - pad_y, high + 1.5 * pad_y)


def plot_mentioned_vs_quoted(table: pd.DataFrame, *, top: int = 15, ax=None):
    """
    Draw, for the actors named most, the articles naming them and those quoting them.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`analysis.mentioned_vs_quoted` without ``by``.
    top : int, default 15
    ax : matplotlib Axes, optional

    Examples
    --------
    >>> t = pd.DataFrame({"actor": ["A", "B"], "mention_articles": [5, 3], "quote_articles": [2, 0]})
    >>> plot_mentioned_vs_quoted(t).get_title(loc="left")
    'Named and quoted: articles per actor (2 actors)'
    """
    _need(table, ["actor", "mention_articles", "quote_articles"], "plot_mentioned_vs_quoted")
    rows = table.nlargest(top, "mention_articles").iloc[::-1]
    with house_style():
        ax = _new_axes(ax, figsize=(8, 0.9 + 0.32 * max(len(rows), 1)))
        y = np.arange(len(rows))
        ax.barh(y + 0.2, rows["mention_articles"], height=0.4, color=PALETTE[0], label="naming")
        ax.barh(y - 0.2, rows["quote_articles"], height=0.4, color=PALETTE[1], label="quoting")
        ax.set_yticks(y, rows["actor"].tolist())
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.set_xlabel("articles")
        ax.set_title(f"Named and quoted: articles per actor ({len(rows)} actors)")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return ax
