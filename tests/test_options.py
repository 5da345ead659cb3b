"""One name per idea: top=, by=, copies=; the former names work for one release and warn."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import analysis  # noqa: E402
from analysis.errors import ParameterError  # noqa: E402
from analysis.options import renamed, unique_copies  # noqa: E402


@pytest.fixture()
def flagged():
    return pd.DataFrame(
        {
            "article_id": ["a", "b", "c"],
            "outlet": ["A", "A", "B"],
            "text": ["Talks resume in Istanbul.", "Talks resume in Istanbul.", "Grain deal signed."],
            "is_duplicate": [False, True, False],
            "language": ["en"] * 3,
        }
    )


def test_copies_replaces_unique_stories(flagged):
    unique = analysis.term_counts(flagged, copies="unique", stopwords=None)
    every = analysis.term_counts(flagged, copies="all", stopwords=None)
    assert unique.loc[unique["term"] == "talks", "count"].sum() == 1
    assert every.loc[every["term"] == "talks", "count"].sum() == 2
    with pytest.warns(DeprecationWarning, match="unique_stories"):
        old = analysis.term_counts(flagged, unique_stories=True, stopwords=None)
    pd.testing.assert_frame_equal(old, unique)
    with pytest.warns(DeprecationWarning):
        old_kwic = analysis.kwic(flagged, "talks", unique_stories=True)
    pd.testing.assert_frame_equal(old_kwic, analysis.kwic(flagged, "talks", copies="unique"))
    assert len(analysis.kwic(flagged, "talks")) == 2


@pytest.mark.parametrize("bad", ["some", True, "Unique"])
def test_copies_is_checked(flagged, bad):
    with pytest.raises(ParameterError, match="copies must be 'unique' or 'all'"):
        analysis.volume(flagged, copies=bad)


def test_old_and_new_name_together_is_an_error(flagged):
    with pytest.raises(ParameterError, match="give copies= only"):
        analysis.term_counts(flagged, copies="all", unique_stories=True)


def test_limits_are_top():
    quotes = pd.DataFrame(
        {
            "article_id": ["a", "a", "b"],
            "outlet": ["X"] * 3,
            "speaker": ["Ann Lee", "Bo Ray", "Ann Lee"],
            "anonymous": [False] * 3,
            "kind": ["direct"] * 3,
        }
    )
    new = analysis.who_is_quoted(quotes, top=1)
    assert new["speaker"].tolist() == ["Ann Lee"]
    with pytest.warns(DeprecationWarning, match="top_n"):
        pd.testing.assert_frame_equal(analysis.who_is_quoted(quotes, top_n=1), new)
    sentences = pd.DataFrame(
        {
            "outlet": ["A"] * 3,
            "article_id": ["a", "b", "c"],
            "sentence": ["Great win.", "It rained.", "Awful loss."],
            "compound": [0.8, 0.0, -0.7],
        }
    )
    best = analysis.extreme_sentences(sentences, top=1)
    assert len(best) == 2
    with pytest.warns(DeprecationWarning, match=r"extreme_sentences\(n="):
        pd.testing.assert_frame_equal(analysis.extreme_sentences(sentences, n=1), best)


def test_plots_take_top_and_by():
    counts = pd.DataFrame(
        {"outlet": ["A"] * 3, "term": ["x", "y", "z"], "count": [3, 2, 1], "per_10k": [3.0, 2, 1],
         "n_articles": [1] * 3}
    )
    ax = analysis.plot_top_terms(counts, top=2)
    assert len(ax.patches) == 2
    with pytest.warns(DeprecationWarning, match=r"plot_top_terms\(n="):
        assert len(analysis.plot_top_terms(counts, n=1).patches) == 1
    trend = pd.DataFrame(
        {
            "outlet": ["A", "A", "B", "B"],
            "period": pd.to_datetime(["2022-03-07", "2022-03-14"] * 2),
            "mean": [0.1, 0.2, -0.1, 0.0],
            "ci_low": [0.0, 0.1, -0.2, -0.1],
            "ci_high": [0.2, 0.3, 0.0, 0.1],
            "n": [5, 6, 7, 8],
        }
    )
    lines = len(analysis.plot_tone_trend(trend, by="outlet").lines)
    with pytest.warns(DeprecationWarning, match="group"):
        assert len(analysis.plot_tone_trend(trend, group="outlet").lines) == lines


def test_renamed_helper():
    @renamed(n="top")
    def head(items, *, top=2):
        return items[:top]

    assert head([1, 2, 3]) == [1, 2]
    with pytest.warns(DeprecationWarning, match=r"head\(n=\.\.\.\) is deprecated; use top="):
        assert head([1, 2, 3], n=1) == [1]
    assert unique_copies("unique") and not unique_copies("all")
