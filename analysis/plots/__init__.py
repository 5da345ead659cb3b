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

Modules: :mod:`~analysis.plots.style` (the style and the helpers the charts
share), :mod:`~analysis.plots.words`, :mod:`~analysis.plots.tone`,
:mod:`~analysis.plots.attention`, :mod:`~analysis.plots.entities`,
:mod:`~analysis.plots.places`, :mod:`~analysis.plots.topics`; a new family of charts gets
its own module.
"""

from analysis.plots.attention import plot_attention
from analysis.plots.entities import plot_co_mentions, plot_mentioned_vs_quoted
from analysis.plots.places import plot_place_map
from analysis.plots.style import HOUSE_STYLE, PALETTE, house_style
from analysis.plots.tone import plot_tone, plot_tone_distribution, plot_tone_trend
from analysis.plots.topics import (
    plot_topic_difference,
    plot_topic_heatmap,
    plot_topic_k,
    plot_topic_trends,
)
from analysis.plots.words import (
    plot_category_rates,
    plot_keyness,
    plot_top_terms,
    plot_trends,
    plot_volume_heatmap,
)

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
    "plot_place_map",
    "plot_co_mentions",
    "plot_mentioned_vs_quoted",
    "plot_topic_heatmap",
    "plot_topic_trends",
    "plot_topic_k",
    "plot_topic_difference",
]
