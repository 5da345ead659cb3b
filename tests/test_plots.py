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
    PALETTE,
    house_style,
    plot_category_rates,
    plot_keyness,
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
    with pytest.raises(ParameterError, match="group"):
        plot_keyness(keyness(df, by="outlet", min_count=1))


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
