"""Per-article term counts kept in a corpus folder: the same tables, and only new articles counted."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from analysis import dictionary_counts, keyness, term_counts, term_trends
from analysis.corpus import cachefile
from analysis.errors import ParameterError
from analysis.measures import arrowcounters
from analysis.measures import wordtable as wt
from analysis.text.tokens import tokenize

# single words, wildcards, phrases, and a word in two categories
TERMS = ["talks", "peace talks", "negotiat*", "kyiv"]
BOOK = {"diplomacy": ["peace talks", "talks", "negotiat*"], "war": ["missile*", "shell*", "talks"]}


def _calls(cache_dir, table):
    return [
        term_counts(table, by="outlet", cache_dir=cache_dir),
        term_counts(table, by="outlet", top=5, cache_dir=cache_dir),
        term_counts(table, top=5, stopwords=None, doc_freq=False, cache_dir=cache_dir),
        keyness(table, by="outlet", min_count=1, cache_dir=cache_dir),
        term_trends(table, TERMS, freq="M", by="outlet", cache_dir=cache_dir),
        dictionary_counts(table, BOOK, by="outlet", cache_dir=cache_dir),
        dictionary_counts(table, BOOK, cache_dir=cache_dir),
    ]


def _same_as_uncached(table, cache_dir):
    for plain, cached in zip(_calls(None, table), _calls(cache_dir, table), strict=True):
        pd.testing.assert_frame_equal(cached, plain)


def test_cached_counts_equal_uncached_on_the_bundled_corpus(sample_articles, tmp_path):
    (tmp_path / wt.OLD_CACHE_FILE).write_bytes(b"the Parquet cache of an earlier version")
    _same_as_uncached(sample_articles, tmp_path)
    assert wt.LAST_CACHE_STATS == {"articles": len(sample_articles), "tokenized": 0}
    assert (tmp_path / wt.CACHE_FILE).exists()
    assert not (tmp_path / wt.OLD_CACHE_FILE).exists()  # replaced, not left behind
    cachefile.forget()  # as a new process: the counts come from the file
    _same_as_uncached(sample_articles, tmp_path)
    assert wt.LAST_CACHE_STATS["tokenized"] == 0


def test_cached_sums_without_the_dense_table_are_the_same(sample_articles, tmp_path, monkeypatch):
    # groups x terms beyond DENSE_CELLS are summed by sorting instead of one dense pass
    monkeypatch.setattr(arrowcounters, "DENSE_CELLS", 0)
    _same_as_uncached(sample_articles, tmp_path)


def test_only_new_or_changed_articles_are_tokenized(tiny_articles, tmp_path):
    first, later = tiny_articles.iloc[:3], tiny_articles
    term_counts(first, by="outlet", cache_dir=tmp_path)
    assert wt.LAST_CACHE_STATS == {"articles": 3, "tokenized": 3}
    cachefile.forget()
    out = term_counts(later, by="outlet", cache_dir=tmp_path)
    assert wt.LAST_CACHE_STATS == {"articles": 4, "tokenized": 1}
    pd.testing.assert_frame_equal(out, term_counts(later, by="outlet"))
    edited = later.assign(text=later["text"].str.replace("Kharkiv", "Kherson"))
    out = term_counts(edited, by="outlet", cache_dir=tmp_path)
    assert wt.LAST_CACHE_STATS == {"articles": 4, "tokenized": 1}
    assert "kherson" in set(out["term"]) and "kharkiv" not in set(out["term"])


def test_articles_without_words_stay_counted(tiny_articles, tmp_path):
    table = tiny_articles.assign(text=["", "... --", *tiny_articles["text"].iloc[2:]])
    first = term_counts(table, by="outlet", cache_dir=tmp_path)
    cachefile.forget()
    again = term_counts(table, by="outlet", cache_dir=tmp_path)
    assert wt.LAST_CACHE_STATS["tokenized"] == 0
    pd.testing.assert_frame_equal(again, first)
    pd.testing.assert_frame_equal(again, term_counts(table, by="outlet"))


def test_cache_dir_must_be_a_folder(tiny_articles, tmp_path):
    with pytest.raises(ParameterError, match="cache_dir"):
        term_counts(tiny_articles, cache_dir=tmp_path / "missing")


@pytest.mark.corpora
def test_cached_counts_equal_uncached_on_a_ukraine_sample(ukraine_articles, tmp_path):
    sample = ukraine_articles.sample(600, random_state=11)
    _same_as_uncached(sample, tmp_path)
    pd.testing.assert_frame_equal(
        keyness(sample, freq="M", top=5, cache_dir=tmp_path), keyness(sample, freq="M", top=5)
    )
    rest = ukraine_articles.drop(index=sample.index)
    bigger = pd.concat([sample, rest.sample(50, random_state=12)])
    cachefile.forget()
    out = term_counts(bigger, by="outlet", top=15, cache_dir=tmp_path)
    assert wt.LAST_CACHE_STATS == {"articles": 650, "tokenized": 50}
    pd.testing.assert_frame_equal(out, term_counts(bigger, by="outlet", top=15))


def test_per_article_counts_from_arrow_equal_those_of_tokenize(monkeypatch):
    texts = [
        "Russia/Ukraine talks; russia’s war",
        None,
        "",
        "  ",
        "U.S./EU-led “Kyiv’s” (Kyiv), 's '' a/b b/a",
        "1,000 2.5 e.g. Ελλάδα/Κύπρος pro-Russian don’t",
    ] * 5
    monkeypatch.setattr(arrowcounters, "BATCH_BYTES", 50)  # several batches
    arr = wt.text_array(pd.DataFrame({"text": texts}))
    tokens, rows, ids, counts = wt.per_article_arrays(arr)
    got = [{} for _ in texts]
    for r, i, n in zip(rows.tolist(), ids.tolist(), counts.tolist()):
        assert tokens[i] not in got[r]
        got[r][tokens[i]] = n
    assert got == [dict(Counter(tokenize(t))) for t in texts]


def test_a_text_that_is_not_utf8_is_counted_one_text_at_a_time(tiny_articles, tmp_path):
    # a lone surrogate cannot go into an Arrow array: the per-text counter takes over
    texts = tiny_articles["text"].astype(object).tolist()
    texts[1] = texts[1] + " x\ud800y Kharkiv"
    table = tiny_articles.assign(text=pd.Series(texts, index=tiny_articles.index, dtype=object))
    assert wt.text_array(table) is None
    out = term_counts(table, by="outlet", cache_dir=tmp_path)
    assert wt.LAST_CACHE_STATS == {"articles": 4, "tokenized": 4}
    pd.testing.assert_frame_equal(out, term_counts(table, by="outlet"))
    assert out.set_index(["outlet", "term"]).loc[("Alpha", "kharkiv"), "count"] == 2
