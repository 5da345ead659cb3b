"""Charts of who the coverage is about: the co-mention network, and named against quoted."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.plots.style import PALETTE, _need, _new_axes, house_style

#: colour of each type of actor (Okabe and Ito)
TYPE_COLOURS = {"PERSON": PALETTE[0], "ORG": PALETTE[1], "PLACE": PALETTE[2], "GROUP": PALETTE[3]}


def plot_co_mentions(
    edges: pd.DataFrame,
    *,
    mentions: pd.DataFrame | None = None,
    top: int = 40,
    ax=None,
):
    """
    Draw the actors named together as a network: one dot an actor, one line a pair.

    Parameters
    ----------
    edges : DataFrame
        Output of :func:`analysis.co_mentions` (``source``, ``target``, ``weight``).
    mentions : DataFrame, optional
        Output of :func:`analysis.entities`: dots are then sized by the actor's
        mentions and coloured by type; otherwise sized by the weight of its pairs.
    top : int, default 40
        Heaviest pairs drawn.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        The largest group of actors connected by the ``top`` pairs (Kamada-Kawai
        layout, the same picture every time), lines as thick as the pair is
        frequent; the title gives the pairs and actors drawn and those left out.

    Examples
    --------
    >>> e = pd.DataFrame({"source": ["Kyiv", "Kyiv"], "target": ["Putin", "Zelensky"], "weight": [3, 1]})
    >>> plot_co_mentions(e).get_title()
    'Actors named in the same sentence (2 pairs, 3 actors)'
    """
    import networkx as nx

    _need(edges, ["source", "target", "weight"], "plot_co_mentions")
    drawn = edges.nlargest(top, "weight", keep="first") if len(edges) else edges
    graph = nx.Graph()
    for s, t, w in zip(drawn["source"], drawn["target"], drawn["weight"]):
        graph.add_edge(s, t, weight=float(w))
    with house_style():
        ax = _new_axes(ax, figsize=(9, 7))
        ax.set_axis_off()
        level = edges.attrs.get("level", "sentence")
        title = f"Actors named in the same {level} ({len(drawn)} pairs, {len(graph)} actors"
        ax.set_title(title + ")")
        if not graph.number_of_nodes():
            ax.text(0.5, 0.5, "No two actors named together", ha="center", transform=ax.transAxes)
            return ax
        # the largest connected group of actors, laid out by Kamada-Kawai (distances
        # on the page follow the steps between actors): readable up to fifty or so
        parts = sorted(nx.connected_components(graph), key=len, reverse=True)
        left_out = graph.number_of_nodes() - len(parts[0])
        graph = graph.subgraph(parts[0]).copy()
        pos = nx.kamada_kawai_layout(graph, weight=None)
        if left_out:
            ax.set_title(f"{title}; {left_out} apart from the rest not drawn)")
        widths = np.array([d["weight"] for _, _, d in graph.edges(data=True)])
        for (s, t), w in zip(graph.edges(), widths):
            ax.plot(*zip(pos[s], pos[t]), color="#999999", alpha=0.6,
                    linewidth=0.6 + 4.0 * w / widths.max(), zorder=1)  # fmt: skip
        nodes = list(graph.nodes())
        if mentions is not None:
            _need(mentions, ["actor", "type"], "plot_co_mentions")
            count = mentions["actor"].value_counts()
            kinds = mentions.drop_duplicates("actor").set_index("actor")["type"]
            sizes = np.array([count.get(n, 1) for n in nodes], dtype=float)
            colours = [TYPE_COLOURS.get(kinds.get(n), "#777777") for n in nodes]
        else:
            sizes = np.array([graph.degree(n, weight="weight") for n in nodes], dtype=float)
            colours = [PALETTE[0]] * len(nodes)
        area = 60 + 900 * sizes / sizes.max()
        xy = np.array([pos[n] for n in nodes])
        ax.scatter(xy[:, 0], xy[:, 1], s=area, c=colours, edgecolors="white", zorder=2)
        import matplotlib.patheffects as pe

        for (x, y), name, a in zip(xy, nodes, area):
            ax.annotate(name, (x, y), xytext=(0, 4 + np.sqrt(a) / 2), textcoords="offset points",
                    fontsize=8, ha="center", va="bottom", zorder=3,
                    path_effects=[pe.withStroke(linewidth=3, foreground="white")])  # fmt: skip
        if mentions is not None:
            shown = sorted(set(colours), key=list(TYPE_COLOURS.values()).index)
            names = {c: k for k, c in TYPE_COLOURS.items()}
            handles = [ax.scatter([], [], s=60, c=c, label=names[c].lower()) for c in shown]
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.margins(0.08)
    return ax


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
    >>> plot_mentioned_vs_quoted(t).get_title()
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
