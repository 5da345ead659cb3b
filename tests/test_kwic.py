"""Keyword in context: hits, context windows, links back to articles, agreement with counts."""

from __future__ import annotations

import pandas as pd
import pytest

import analysis
from analysis import KwicIndex, kwic, term_counts
from analysis.errors import ParameterError


@pytest.fixture
def articles():
    return pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a3"],
            "outlet": ["A", "B", "B"],
            "published": pd.to_datetime(["2022-03-01", "2022-03-02", "2022-03-03"], utc=True),
            "title": ["Talks", "Shelling", "Grain"],
            "text": [
                "Russia’s envoy said peace talks would resume. Peace, talks and more talks.",
                "Shelling hit Kharkiv.\nNegotiators met in Istanbul; negotiations stalled.",
                "A grain deal was signed. İstanbul hosted the peace talks.",
            ],
        }
    )


def test_word_hits_link_back_to_their_articles(articles):
    out = kwic(articles, "talks", window=2)
    assert out["article_id"].tolist() == ["a1", "a1", "a1", "a3"]
    assert list(out.columns) == [
        "article_id",
        "outlet",
        "published",
        "title",
        "left",
        "match",
        "right",
        "position",
    ]
    first = out.iloc[0]
    assert (first["left"], first["match"], first["right"]) == (
        "said peace",
        "talks",
        "would resume",
    )
    assert first["position"] == 4
    merged = out.merge(articles, on="article_id", suffixes=("", "_article"))
    assert (merged["outlet"] == merged["outlet_article"]).all()


def test_phrases_cross_punctuation_but_not_articles(articles):
    out = kwic(articles, "peace talks", window=1)
    assert out["match"].tolist() == ["peace talks", "Peace, talks", "peace talks"]
    assert out["article_id"].tolist() == ["a1", "a1", "a3"]
    # "talks" ends a1 and "grain" starts a3 only in different articles: no hit
    assert kwic(articles, "talks a", window=1).empty


def test_wildcards_possessives_and_case(articles):
    out = kwic(articles, "negotiat*", window=3)
    assert out["match"].tolist() == ["Negotiators", "negotiations"]
    assert out["left"].iloc[0] == "Shelling hit Kharkiv."  # newline collapsed to a space
    assert kwic(articles, "russia")["match"].tolist() == ["Russia"]
    assert kwic(articles, "RUSSIA'S")["match"].tolist() == ["Russia"]
    assert kwic(articles, "shel?ing")["article_id"].tolist() == ["a2"]
    assert kwic(articles, "istanbul")["match"].tolist() == ["Istanbul"]
    # "İ" lowercases to two characters: offsets must still point into the original text
    # (and tokenize splits it at the combining dot, as term_counts does)
    dotted = kwic(articles, "stanbul", window=2)
    assert dotted[["left", "match", "right"]].values.tolist() == [
        ["signed. İ", "stanbul", "hosted the"]
    ]


def test_window_stops_at_the_article_edges(articles):
    out = kwic(articles, "russia", window=5)
    assert out["left"].iloc[0] == "" and out["right"].iloc[0] == "’s envoy said peace talks would"
    zero = kwic(articles, "grain", window=0)
    assert (zero["left"].iloc[0], zero["right"].iloc[0]) == ("", "")


def test_index_answers_many_queries_like_the_function(articles):
    index = KwicIndex(articles)
    assert index.build_seconds >= 0 and index.n_tokens > 0 and index.nbytes > 0
    for query in ["talks", "peace talks", "negotiat*", "nothing"]:
        pd.testing.assert_frame_equal(index.search(query), kwic(articles, query))
    assert index.count("talks") == 4 and index.count("peace talks") == 3
    assert len(index.search("talks", max_hits=2)) == 2


def test_max_hits_gives_the_first_hits_of_the_whole_table(sample_articles):
    # kwic indexes growing slices until it has max_hits hits: the same rows as
    # searching the whole table, for words, phrases, wildcards and rare words
    big = pd.concat([sample_articles] * 8, ignore_index=True)
    big["article_id"] = [f"a{k}" for k in range(len(big))]
    index = KwicIndex(big)
    for query in ["the", "peace talks", "negotiat*", "kyiv", "no-such-word"]:
        everything = index.search(query)
        for cap in (1, 7, 150, len(everything), len(everything) + 5):
            got = kwic(big, query, max_hits=cap)
            want = index.search(query, max_hits=cap)
            if want.empty:
                assert got.empty and list(got.columns) == list(want.columns)
            else:
                pd.testing.assert_frame_equal(got, want)


def test_no_hits_and_bad_queries(articles):
    out = kwic(articles, "ceasefire")
    assert out.empty and {"article_id", "left", "match", "right"} <= set(out.columns)
    with pytest.raises(ParameterError):
        kwic(articles, "   ")
    with pytest.raises(ParameterError):
        kwic(articles, "...")
    with pytest.raises(ParameterError, match="window"):
        kwic(articles, "talks", window=-1)


def test_module_and_function_are_both_callable(articles):
    assert len(analysis.kwic(articles, "talks")) == 4


@pytest.mark.corpora
@pytest.mark.slow
def test_index_counts_agree_with_term_counts_on_the_ukraine_corpus(ukraine_articles):
    sample = ukraine_articles.sample(1500, random_state=4)
    index = KwicIndex(sample)
    counts = term_counts(sample, stopwords=None, english_only=False).set_index("term")["count"]
    for word in ["ukraine", "russia", "u.s", "pro-russian", "kyiv", "grain", "1,000"]:
        assert index.count(word) == counts.get(word, 0), word
    wild = index.search("negotiat*", window=3)
    expected = sum(n for term, n in counts.items() if term.startswith("negotiat"))
    assert len(wild) == expected > 0
    assert wild["match"].str.lower().str.startswith("negotiat").all()
    assert set(wild["article_id"]) <= set(sample["article_id"])


def test_kwic_index_takes_copies_like_every_measure():
    """KwicIndex(copies="unique") indexes one copy per story; unique_stories= still works and warns."""
    import warnings

    text = "Talks resumed in Istanbul on Tuesday."
    articles = pd.DataFrame(
        {
            "article_id": ["a", "b", "c"],
            "outlet": ["A", "B", "C"],
            "text": [text, text, "Other news about talks."],
            "story_id": ["a", "a", "c"],
            "is_duplicate": [False, True, False],
        }
    )
    assert len(KwicIndex(articles).search("talks")) == 3
    assert KwicIndex(articles, copies="unique").search("talks")["article_id"].tolist() == ["a", "c"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = KwicIndex(articles, unique_stories=True).search("talks")
    assert old["article_id"].tolist() == ["a", "c"]
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
