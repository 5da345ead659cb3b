"""Plot helpers: they draw what the table says, carry N, and keep the house style local."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import keyness, term_counts, term_trends, volume  # noqa: E402
from analysis.errors import ParameterError  # noqa: E402
from analysis.plots import (  # noqa: E402
    HOUSE_STYLE,
    PALETTE,
    house_style,
    plot_attention,
    plot_category_rates,
    plot_keyness,
    plot_tone,
    plot_tone_distribution,
    plot_tone_trend,
    plot_top_terms,
    plot_trends,
    plot_volume_heatmap,
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_top_terms_draw_one_group_largest_first(tiny_articles):
    counts = term_counts(tiny_articles, by="outlet")
    ax = plot_top_terms(counts, group="Beta", top=3)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    expected = counts[counts["outlet"] == "Beta"].sort_values(
        "per_10k", ascending=False, kind="stable"
    )
    assert labels == expected["term"].head(3).tolist()
    widths = [p.get_width() for p in ax.patches]
    assert widths == sorted(widths, reverse=True)
    assert "N=2" in ax.get_title(loc="left")
    with pytest.raises(ParameterError, match="group"):
        plot_top_terms(counts)


def test_trends_label_series_with_their_total_n(tiny_articles):
    trends = term_trends(tiny_articles, "talks", freq="D")
    ax = plot_trends(trends)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Alpha (N=2)", "Beta (N=2)"]
    assert len(ax.get_lines()) == 2
    beta = ax.get_lines()[1].get_ydata()
    assert np.allclose(beta, trends[trends["outlet"] == "Beta"].sort_values("period")["per_10k"])


def test_keyness_bars_diverge_by_direction():
    df = pd.DataFrame(
        {
            "outlet": ["A"] * 8 + ["B"] * 8,
            "text": ["ceasefire talks ceasefire"] * 8 + ["missile strike talks"] * 8,
        }
    )
    table = keyness(df, by="outlet", target="A", min_count=1)
    ax = plot_keyness(table)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "ceasefire" and set(labels[1:]) == {"missile", "strike"}
    colors = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    widths = [p.get_width() for p in ax.patches]
    for w, c in zip(widths, colors):
        assert c.lower() == (PALETTE[0] if w > 0 else PALETTE[1]).lower()
    assert "talks" not in labels  # not significant
    # the two directions are named on lines of their own, so long names never overlap
    ax.figure.canvas.draw()
    named = {t.get_text(): t.get_window_extent() for t in ax.texts if "more in" in t.get_text()}
    assert set(named) == {"more in A \u2192", "\u2190 more in rest"}
    mine, rest = named["more in A \u2192"], named["\u2190 more in rest"]
    assert rest.y1 <= mine.y0 + 0.5
    fig, spare = plt.subplots()
    with pytest.raises(ParameterError, match="group"):
        plot_keyness(keyness(df, by="outlet", min_count=1), ax=spare)


def test_volume_heatmap_has_a_cell_per_group_and_period(tiny_articles):
    vol = volume(tiny_articles, freq="D")
    ax = plot_volume_heatmap(vol)
    data = ax.images[0].get_array()
    assert data.shape == (2, 3)
    assert data.sum() == len(tiny_articles)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Alpha (N=2)", "Beta (N=2)"]


def test_category_rates_and_missing_columns():
    counts = pd.DataFrame(
        {
            "outlet": ["A", "A", "B", "B"],
            "category": ["war", "peace"] * 2,
            "per_10k": [5.0, 1.0, 3.0, 2.0],
            "n_articles": [4, 4, 9, 9],
        }
    )
    ax = plot_category_rates(counts)
    assert sorted(p.get_width() for p in ax.patches) == [1.0, 2.0, 3.0, 5.0]
    with pytest.raises(ParameterError, match="category"):
        plot_category_rates(counts.drop(columns="category"))


def test_house_style_does_not_leak():
    before = plt.rcParams["axes.spines.top"]
    with house_style():
        assert plt.rcParams["axes.spines.top"] is False
        assert plt.rcParams["axes.prop_cycle"].by_key()["color"][0] == PALETTE[0]
    assert plt.rcParams["axes.spines.top"] == before


def test_drawing_on_a_given_axes(tiny_articles):
    fig, axes = plt.subplots(1, 2)
    counts = term_counts(tiny_articles, by="outlet")
    assert plot_top_terms(counts, group="Alpha", ax=axes[0]) is axes[0]
    assert plot_top_terms(counts, group="Beta", ax=axes[1]) is axes[1]


@pytest.mark.parametrize("turn_on", [True, False])
def test_house_style_keeps_interactive_mode_set_inside(turn_on):
    was = plt.isinteractive()
    try:
        plt.interactive(not turn_on)
        with house_style():
            plt.interactive(turn_on)  # what a notebook backend does on its first figure
        assert plt.isinteractive() is turn_on
        with house_style():
            pass
        assert plt.isinteractive() is turn_on
    finally:
        plt.interactive(was)


@pytest.mark.slow
def test_figures_after_a_plot_helper_still_show_in_a_notebook(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [
        "import matplotlib.pyplot as plt\nimport pandas as pd\nimport analysis",
        "table = pd.DataFrame({'term': ['talks', 'grain'], 'count': [3, 2], 'per_10k': [3.0, 2.0]})\n"
        "ax = analysis.plot_top_terms(table, top=2)",
        "fig, ax = plt.subplots()\nline = ax.plot([1, 2])",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    shown = [any("image/png" in out.get("data", {}) for out in cell.outputs) for cell in nb.cells]
    assert shown == [False, True, True]


# -- conventions shared by every chart --------------------------------------------------

OUTLETS = ("Harbour Post", "Valley Times", "Hill Courier")


def _periods(kind: str) -> pd.DatetimeIndex:
    if kind == "9 weeks":
        return pd.date_range("2022-03-07", periods=9, freq="7D")
    return pd.date_range("2021-01-01", periods=24, freq="MS")  # two years of months


def _over_time(kind: str) -> pd.DataFrame:
    """A long table, one row per outlet and period, with what every time chart reads."""
    periods = _periods(kind)
    rng = np.random.default_rng(7)
    rows = []
    for i, outlet in enumerate(OUTLETS):
        for k, period in enumerate(periods):
            mean = 0.1 * np.sin(k / 2 + i) - 0.05
            rows.append(
                {
                    "outlet": outlet,
                    "period": period,
                    "term": "talks",
                    "per_10k": 10 + 5 * np.sin(k + i) + rng.random(),
                    "n_articles": 5 + (k + i) % 4,
                    "share": 1 / 3,
                    "n": 5 + (k + i) % 4,
                    "mean": mean,
                    "ci_low": mean - 0.08,
                    "ci_high": mean + 0.08,
                }
            )
    return pd.DataFrame(rows)


TIME_CHARTS = {
    "trends": lambda t: plot_trends(t[["outlet", "period", "term", "per_10k", "n_articles"]]),
    "tone_trend": lambda t: plot_tone_trend(
        t[["outlet", "period", "n", "mean", "ci_low", "ci_high"]], by="outlet"
    ),
    "volume": lambda t: plot_volume_heatmap(t[["outlet", "period", "n_articles", "share"]]),
    "attention": lambda t: plot_attention(_attention_table(t)),
}


def _attention_table(t: pd.DataFrame) -> pd.DataFrame:
    """An attention-shaped table: the share of ``n`` stories, its band, one peak per outlet."""
    share = (t["per_10k"] / 20).clip(0, 1)
    return pd.DataFrame(
        {
            "query": "talks",
            "outlet": t["outlet"],
            "period": t["period"],
            "matching": (share * t["n"]).round().astype(int),
            "total": t["n"],
            "share": share,
            "low": (share - 0.1).clip(0, 1),
            "high": (share + 0.1).clip(0, 1),
            "peak": share == share.groupby(t["outlet"]).transform("max"),
        }
    )


def _boxes(artists, renderer):
    return [a.get_window_extent(renderer) for a in artists]


def _visible_ticks(ax):
    lo, hi = sorted(ax.get_xlim())
    return [
        (loc, label)
        for loc, label in zip(ax.get_xticks(), ax.get_xticklabels())
        if lo <= loc <= hi and label.get_text()
    ]


@pytest.mark.parametrize("kind", ["9 weeks", "2 years of months"])
@pytest.mark.parametrize("chart", sorted(TIME_CHARTS))
def test_time_axes_carry_dates_that_do_not_overlap(chart, kind):
    import matplotlib.dates as mdates

    ax = TIME_CHARTS[chart](_over_time(kind))
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ticks = _visible_ticks(ax)
    assert len(ticks) >= 3, [t.get_text() for _, t in ticks]
    boxes = _boxes([t for _, t in ticks], renderer)
    for a, b in zip(boxes, boxes[1:]):
        assert not a.overlaps(b), (chart, kind, [t.get_text() for _, t in ticks])
    periods = _periods(kind)
    for loc, label in ticks:
        when = mdates.num2date(loc)
        # every label is the date at its tick, written briefly: a year, a month or a day
        written = {when.strftime(f) for f in ("%Y", "%b", "%d", "%Y-%b", "%b %d")}
        assert label.get_text() in written, (chart, kind, label.get_text(), when)
        assert label.get_rotation() == 0
        assert periods[0] - pd.Timedelta(days=31) <= pd.Timestamp(when).tz_localize(None)
        assert pd.Timestamp(when).tz_localize(None) <= periods[-1] + pd.Timedelta(days=31)


def _data_artists(ax):
    return [
        *[line for line in ax.get_lines() if len(line.get_xdata()) > 1],
        *ax.collections,
        *ax.patches,
    ]


LEGEND_CHARTS = {
    "attention": TIME_CHARTS["attention"],
    "trends": TIME_CHARTS["trends"],
    "tone_trend": TIME_CHARTS["tone_trend"],
    "tone_distribution": lambda t: plot_tone_distribution(
        pd.DataFrame(
            {
                "outlet": np.repeat(OUTLETS, 4),
                "bin_left": np.tile([-1.0, -0.5, 0.0, 0.5], 3),
                "bin_right": np.tile([-0.5, 0.0, 0.5, 1.0], 3),
                "count": [3, 9, 6, 2, 1, 4, 8, 7, 5, 5, 5, 5],
                "share": [0.15, 0.45, 0.3, 0.1, 0.05, 0.2, 0.4, 0.35, 0.25, 0.25, 0.25, 0.25],
            }
        ),
        by="outlet",
    ),
    "category_rates": lambda t: plot_category_rates(
        pd.DataFrame(
            {
                "outlet": np.repeat(OUTLETS, 2),
                "category": ["war", "peace"] * 3,
                "per_10k": [50.0, 40.0, 45.0, 38.0, 52.0, 41.0],
                "n_articles": [4, 4, 9, 9, 6, 6],
            }
        )
    ),
}


@pytest.mark.parametrize("chart", sorted(LEGEND_CHARTS))
def test_legends_cover_no_data(chart):
    ax = LEGEND_CHARTS[chart](_over_time("9 weeks"))
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    legend = ax.get_legend()
    assert legend is not None
    box = legend.get_window_extent(renderer)
    artists = _data_artists(ax)
    assert artists
    for artist, extent in zip(artists, _boxes(artists, renderer)):
        if np.isfinite(extent.extents).all():  # an empty collection has no extent
            assert not box.overlaps(extent), (chart, artist)


ALL_CHARTS = {
    **LEGEND_CHARTS,
    "volume": TIME_CHARTS["volume"],
    "tone": lambda t: plot_tone(
        t.groupby("outlet", as_index=False).agg(
            n=("n", "sum"),
            mean=("mean", "mean"),
            ci_low=("ci_low", "min"),
            ci_high=("ci_high", "max"),
        )
    ),  # fmt: skip
    "top_terms": lambda t: plot_top_terms(
        pd.DataFrame({"term": ["talks", "grain"], "per_10k": [3.0, 2.0], "n_articles": [4, 4]})
    ),
}


@pytest.mark.parametrize("chart", sorted(ALL_CHARTS))
def test_every_chart_has_the_house_style(chart):
    ax = ALL_CHARTS[chart](_over_time("9 weeks"))
    title = ax.get_title(loc="left")
    legend = ax.get_legend()
    texts = [t.get_text() for t in legend.get_texts()] if legend else []
    texts += [t.get_text() for t in ax.get_yticklabels()]
    assert title, chart
    assert "N=" in title or all("N=" in t for t in texts if t and t[0] not in "-0123456789.")
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert ax.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    # the data in the palette's colours, reference lines in the frame's
    palette = {matplotlib.colors.to_hex(c) for c in (*PALETTE, HOUSE_STYLE["axes.edgecolor"])}
    drawn = [line.get_color() for line in ax.get_lines() if len(line.get_xdata()) > 1]
    drawn += [p.get_facecolor() for p in ax.patches if p.get_fill()]
    drawn += [p.get_edgecolor() for p in ax.patches if not p.get_fill()]
    for colour in drawn:
        assert matplotlib.colors.to_hex(colour) in palette, (chart, colour)


def test_keyness_draws_a_panel_per_group():
    rows = []
    for g, words in zip(OUTLETS, (["harbour", "ferry"], ["valley", "dam"], ["hill", "mine"])):
        rows += [
            {"group": g, "reference": "rest", "term": words[0], "log_ratio": 3.0},
            {"group": g, "reference": "rest", "term": words[1], "log_ratio": 2.0},
            {"group": g, "reference": "rest", "term": "talks", "log_ratio": -1.5},
        ]
    table = pd.DataFrame(rows).assign(significant=True, n_articles=10, n_articles_ref=20)
    ax = plot_keyness(table)
    panels = ax.figure.axes
    assert len(panels) == 3
    for panel, g in zip(panels, OUTLETS):
        assert panel.get_title(loc="left").startswith(g)
        assert "N=10 vs 20" in panel.get_title(loc="left")
        shown = [t.get_text() for t in panel.get_yticklabels()]
        assert shown == table[table["group"] == g]["term"].tolist()
        words = [t.get_text() for t in panel.texts]
        assert f"more in {g} \u2192" in words and "\u2190 more in rest" in words
        widths = [p.get_width() for p in panel.patches]
        assert widths == [3.0, 2.0, -1.5]
    one = plot_keyness(table, group=OUTLETS[2])
    assert len(one.figure.axes) == 1
    assert [t.get_text() for t in one.get_yticklabels()] == ["hill", "mine", "talks"]


def test_attention_rings_each_peak_and_labels_it_with_its_top_story():
    table = _attention_table(_over_time("9 weeks"))
    top = table[table["peak"]].assign(rank=1, title=lambda p: "Talks resume in " + p["outlet"])
    ax = plot_attention(table, peaks=top)
    labels = sorted(t.get_text() for t in ax.texts)
    assert labels == sorted(f"Talks resume in {o}" for o in OUTLETS)
    assert (
        ax.get_title(loc="left")
        == f"Attention to 'talks' (N={int(table['total'].sum()):,} stories)"
    )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    n = table.groupby("outlet")["total"].sum()
    assert legend == [f"{o} (N={n[o]:,})" for o in sorted(OUTLETS)]
    # every label stays inside the axes, off the legend beside them
    fig = ax.figure
    fig.canvas.draw()
    box = ax.get_window_extent()
    for text in ax.texts:
        extent = text.get_window_extent()
        assert box.x0 <= extent.x0 and extent.x1 <= box.x1, text.get_text()
    # without the peaks table the peaks are labelled with their date
    dates = sorted(t.get_text() for t in plot_attention(table).texts)
    assert dates == sorted(f"{p:%d %b %Y}" for p in table.loc[table["peak"], "period"])
