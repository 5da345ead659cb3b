"""Counts per value and per group: every ``articles`` column counts distinct articles."""

import dask.dataframe as dd
import pandas as pd
import pytest

from analysis.measures.overview import corpus_overview, tally
from analysis.measures.quotes import who_is_quoted


@pytest.fixture
def quotes():
    # article a quotes Peskov three times, b quotes him once and Kuleba once, c quotes Kuleba
    return pd.DataFrame(
        {
            "article_id": list("aaabbc"),
            "outlet": ["Alpha"] * 5 + ["Beta"],
            "speaker": ["Dmitry Peskov"] * 4 + ["Dmytro Kuleba"] * 2,
        }
    ).assign(anonymous=False, kind="direct", n_words=10, published=pd.NaT)


def _by_speaker(table, column="articles"):
    return dict(zip(table["speaker"], table[column], strict=True))


def test_tally_counts_each_article_once(quotes):
    got = tally(quotes, "speaker")
    assert _by_speaker(got) == {"Dmitry Peskov": 2, "Dmytro Kuleba": 2}
    # shares are of the three articles, not of the six quotes
    assert _by_speaker(got, "share") == pytest.approx(
        {"Dmitry Peskov": 2 / 3, "Dmytro Kuleba": 2 / 3}
    )


def test_tally_by_group_counts_each_article_once(quotes):
    got = tally(quotes, "speaker", by="outlet")
    alpha = got[got["outlet"] == "Alpha"]
    assert _by_speaker(alpha) == {"Dmitry Peskov": 2, "Dmytro Kuleba": 1}
    assert _by_speaker(alpha, "share") == pytest.approx(
        {"Dmitry Peskov": 1.0, "Dmytro Kuleba": 0.5}
    )
    assert got[got["outlet"] == "Beta"]["articles"].tolist() == [1]


def test_tally_on_dask_partitions_matches_pandas(quotes):
    parts = dd.from_pandas(quotes, chunksize=3)  # a | b, c: no article split
    for by in (None, "outlet"):
        pd.testing.assert_frame_equal(
            tally(parts, "speaker", by=by), tally(quotes, "speaker", by=by), check_dtype=False
        )


def test_tally_of_an_articles_table_counts_rows():
    articles = pd.DataFrame({"article_id": ["a", "b", "c"], "language": ["en", "en", None]})
    got = tally(articles, "language")
    assert got.values.tolist() == [["en", 2, 2 / 3], ["(unknown)", 1, 1 / 3]]


def test_overview_counts_each_article_once(quotes):
    got = corpus_overview(quotes)
    assert dict(zip(got["outlet"], got["articles"], strict=True)) == {"Alpha": 2, "Beta": 1}


def test_who_is_quoted_articles_are_distinct(quotes):
    got = who_is_quoted(quotes, by=None, top=None)
    assert _by_speaker(got) == {"Dmitry Peskov": 2, "Dmytro Kuleba": 2}
    assert _by_speaker(got, "quotes") == {"Dmitry Peskov": 4, "Dmytro Kuleba": 2}
    assert got["group_articles"].tolist() == [3, 3]
