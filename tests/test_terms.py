"""Term counts, collocations, trends, volume and keyness."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import collocations, keyness, term_counts, term_trends, tokenize, volume
from analysis.errors import ParameterError, SchemaError
from analysis.measures.terms import adjust_pvalues, g2, log_ratio
from analysis.schema import text_present
from analysis.text.tokens import default_stopwords


def _counter(texts, stop=frozenset()):
    return Counter(t for text in texts for t in tokenize(text) if t not in stop)


def _as_dict(table):
    return dict(zip(table["term"], table["count"]))


# --------------------------------------------------------------------------- exactness on the real corpus


@pytest.mark.corpora
@pytest.mark.slow
def test_term_counts_equal_a_plain_counter_on_the_ukraine_corpus(ukraine_articles):
    texts = [t if isinstance(t, str) else "" for t in ukraine_articles["text"]]
    expected = _counter(texts)
    got = term_counts(ukraine_articles, stopwords=None, english_only=False)
    assert _as_dict(got) == dict(expected)
    assert got["n_words"].iloc[0] == sum(expected.values())
    # articles with a body: the rows without one are metadata-only
    assert got["n_articles"].iloc[0] == int(text_present(ukraine_articles).sum())
    doc_freq = Counter(t for text in texts for t in set(tokenize(text)))
    assert dict(zip(got["term"], got["doc_freq"])) == dict(doc_freq)


@pytest.mark.corpora
@pytest.mark.slow
def test_parallel_grouped_counts_with_stopwords_equal_the_counter(ukraine_articles):
    stop = default_stopwords()
    texts = [t if isinstance(t, str) else "" for t in ukraine_articles["text"]]
    one = term_counts(ukraine_articles, by="outlet", n_jobs=1, english_only=False)
    two = term_counts(ukraine_articles, by="outlet", n_jobs=2, english_only=False)
    pd.testing.assert_frame_equal(one, two)
    summed = one.groupby("term")["count"].sum()
    assert summed.to_dict() == dict(_counter(texts, stop))
    for outlet, part in one.groupby("outlet"):
        rows = ukraine_articles[ukraine_articles["outlet"] == outlet]
        assert part["n_articles"].iloc[0] == int(text_present(rows).sum())


@pytest.mark.corpora
def test_bigram_counts_equal_a_counter_over_tokenize(ukraine_articles):
    sample = ukraine_articles.head(400)
    stop = default_stopwords()
    expected = Counter()
    for text in sample["text"]:
        toks = tokenize(text)
        expected.update(
            f"{a} {b}" for a, b in zip(toks, toks[1:]) if a not in stop and b not in stop
        )
    got = term_counts(sample, ngram=2, english_only=False)
    assert _as_dict(got) == dict(expected)


# --------------------------------------------------------------------------- term counts on literal tables


def test_term_counts_by_group_rates_and_top(tiny_articles):
    out = term_counts(tiny_articles, by="outlet", stopwords=None)
    alpha = out[out["outlet"] == "Alpha"]
    n_alpha = sum(
        len(tokenize(t)) for t in tiny_articles.loc[tiny_articles["outlet"] == "Alpha", "text"]
    )
    assert (alpha["n_words"] == n_alpha).all()
    row = alpha[alpha["term"] == "talks"].iloc[0]
    assert row["count"] == 1 and row["per_10k"] == pytest.approx(10_000 / n_alpha)
    beta_talks = out[(out["outlet"] == "Beta") & (out["term"] == "talks")].iloc[0]
    assert beta_talks["count"] == 2 and beta_talks["doc_freq"] == 1
    top = term_counts(tiny_articles, by="outlet", top=2, stopwords=None)
    assert top.groupby("outlet").size().tolist() == [2, 2]
    assert list(top.columns) == [
        "outlet",
        "term",
        "count",
        "doc_freq",
        "per_10k",
        "n_articles",
        "n_words",
    ]


def test_term_counts_min_count_stopwords_and_input_untouched(tiny_articles):
    before = tiny_articles.copy()
    out = term_counts(tiny_articles, min_count=2, extra_stopwords=["Istanbul"])
    assert (out["count"] >= 2).all()
    assert "istanbul" not in set(out["term"]) and "the" not in set(out["term"])
    assert set(out["term"]) == {"talks", "ukraine"}
    pd.testing.assert_frame_equal(tiny_articles, before)


def test_term_counts_skip_other_languages_by_default(tiny_articles):
    table = tiny_articles.assign(language=pd.array(["en", "fr", None, "en"], dtype="string"))
    english = term_counts(table, stopwords=None)
    everything = term_counts(table, stopwords=None, english_only=False)
    assert english["n_articles"].iloc[0] == 3 and everything["n_articles"].iloc[0] == 4
    assert "shelling" not in set(english["term"]) and "shelling" in set(everything["term"])


def test_unique_stories_use_the_duplicate_flags(tiny_articles):
    flagged = tiny_articles.assign(
        story_id=tiny_articles["article_id"],
        is_duplicate=pd.array([False, False, False, True], dtype="boolean"),
    )
    out = term_counts(flagged, copies="unique", stopwords=None)
    assert out["n_articles"].iloc[0] == 3 and "grain" not in set(out["term"])
    assert term_counts(flagged, stopwords=None)["n_articles"].iloc[0] == 4


def test_bad_parameters_raise_our_errors(tiny_articles):
    with pytest.raises(ParameterError, match="ngram"):
        term_counts(tiny_articles, ngram=0)
    with pytest.raises(SchemaError, match="text"):
        term_counts(tiny_articles.drop(columns="text"))
    with pytest.raises(SchemaError, match="desk"):
        term_counts(tiny_articles, by="desk")
    with pytest.raises(ParameterError, match="stopwords"):
        term_counts(tiny_articles, stopwords="english")


def test_empty_table_gives_empty_counts(tiny_articles):
    out = term_counts(tiny_articles.iloc[:0])
    assert out.empty and "term" in out.columns


# --------------------------------------------------------------------------- collocations


def test_collocations_find_repeated_phrases_and_feed_trends():
    texts = ["Peace talks began in Istanbul. Officials hope peace talks continue."] * 4 + [
        "Grain exports rose. Peace returned briefly."
    ] * 4
    df = pd.DataFrame(
        {
            "outlet": ["A"] * 4 + ["B"] * 4,
            "published": pd.to_datetime(["2022-03-01"] * 8, utc=True),
            "text": texts,
        }
    )
    found = collocations(df, min_count=3, top=5)
    assert found["term"].iloc[0] == "peace talks"
    assert found["count"].iloc[0] == 8 and found["n_articles"].iloc[0] == 4
    trend = term_trends(df, found["term"].iloc[0], freq="M")
    assert trend.set_index("outlet")["count"].to_dict() == {"A": 8, "B": 0}
    with pytest.raises(ParameterError):
        collocations(df, ngram=4)


# --------------------------------------------------------------------------- trends and volume


def test_term_trends_normalize_by_the_outlet_volume_in_the_period(tiny_articles):
    out = term_trends(
        tiny_articles, {"talks": ["talks"], "places": ["istanbul", "kharkiv"]}, freq="D"
    )
    pub = tiny_articles["published"].dt.tz_convert(None).dt.normalize()
    for _, row in out.iterrows():
        rows = tiny_articles[(tiny_articles["outlet"] == row["outlet"]) & (pub == row["period"])]
        toks = [tok for t in rows["text"] for tok in tokenize(t)]
        assert row["n_articles"] == len(rows) and row["n_words"] == len(toks)
        terms = {"talks": {"talks"}, "places": {"istanbul", "kharkiv"}}[row["term"]]
        count = sum(tok in terms for tok in toks)
        assert row["count"] == count
        assert row["per_10k"] == pytest.approx(count * 10_000 / len(toks))
    beta_28 = out[(out["outlet"] == "Beta") & (out["term"] == "talks")].iloc[0]
    assert beta_28["count"] == 2 and beta_28["articles_with_hits"] == 1


def test_term_trends_list_gives_one_series_per_term_and_weekly_periods(tiny_articles):
    out = term_trends(tiny_articles, ["talks", "grain"], freq="W", by=None)
    assert set(out["term"]) == {"talks", "grain"}
    assert out["period"].dt.day_of_week.eq(0).all()
    assert out.groupby("term")["count"].sum().to_dict() == {"grain": 1, "talks": 3}


def test_volume_fills_the_grid_and_shares_sum_to_one(tiny_articles):
    out = volume(tiny_articles, freq="D")
    assert len(out) == 2 * 3  # two outlets x three days
    per_day = out.groupby("period")["share"].sum()
    assert np.allclose(per_day.to_numpy(), 1.0)
    alpha = out[out["outlet"] == "Alpha"].set_index("period")["n_articles"]
    assert alpha.tolist() == [1, 1, 0]
    assert out["n_articles"].sum() == len(tiny_articles)


def test_volume_drops_rows_without_a_date(tiny_articles):
    table = tiny_articles.assign(
        published=tiny_articles["published"].where([True, True, True, False])
    )
    assert volume(table, freq="M", by=None)["n_articles"].tolist() == [3]
    with pytest.raises(ParameterError, match="freq"):
        volume(table, freq="Q")


# --------------------------------------------------------------------------- keyness statistics


def test_g2_matches_hand_computed_values():
    # a=30 in c=10,000 tokens, b=10 in d=20,000: E1 = 10,000*40/30,000 = 13.3333, E2 = 26.6667
    # G2 = 2*(30*ln(30/13.3333) + 10*ln(10/26.6667)) = 2*(24.3279 - 9.8083) = 29.0392
    assert float(g2(30, 10, 10_000, 20_000)) == pytest.approx(29.0392, abs=1e-3)
    # a term absent from the reference: G2 = 2*10*ln(2) = 13.8629
    assert float(g2(10, 0, 1000, 1000)) == pytest.approx(13.8629, abs=1e-4)
    assert float(g2(5, 5, 1000, 1000)) == pytest.approx(0.0)


def test_log_ratio_doubles_and_replaces_zeros():
    assert float(log_ratio(20, 10, 1000, 1000)) == pytest.approx(1.0)
    assert float(log_ratio(10, 0, 1000, 1000)) == pytest.approx(math.log2(10 / 0.5))
    assert float(log_ratio(0, 8, 1000, 2000)) == pytest.approx(math.log2((0.5 / 1000) / (8 / 2000)))


def test_adjust_pvalues_bh_and_holm():
    p = [0.01, 0.04, 0.03, 0.20]
    # BH: sorted 0.01, 0.03, 0.04, 0.20 -> 0.04, 0.06, 0.0533, 0.20 -> monotone from the top
    assert adjust_pvalues(p, "bh") == pytest.approx([0.04, 0.0533333, 0.0533333, 0.20])
    # Holm: 0.01*4, 0.03*3, 0.04*2, 0.20*1 -> 0.04, 0.09, 0.09 (running max), 0.20
    assert adjust_pvalues(p, "holm") == pytest.approx([0.04, 0.09, 0.09, 0.20])
    assert adjust_pvalues(p, "none").tolist() == p
    with pytest.raises(ParameterError):
        adjust_pvalues(p, "bonferroni")


def _keyness_table():
    rows = (
        [("A", "ceasefire talks ceasefire humanitarian corridor")] * 6
        + [("B", "missile strike talks artillery")] * 6
        + [("C", "grain exports talks prices")] * 6
    )
    return pd.DataFrame(rows, columns=["outlet", "text"])


def test_keyness_one_vs_rest_for_each_group():
    out = keyness(_keyness_table(), by="outlet", min_count=1)
    assert set(out["group"]) == {"A", "B", "C"} and set(out["reference"]) == {"rest"}
    a = out[out["group"] == "A"].set_index("term")
    n_a, n_rest = 6 * 5, 12 * 4
    assert a.loc["ceasefire", "count"] == 12 and a.loc["ceasefire", "count_ref"] == 0
    assert a.loc["ceasefire", "g2"] == pytest.approx(float(g2(12, 0, n_a, n_rest)))
    assert a.loc["ceasefire", "significant"]
    assert a.index[0] == "ceasefire"  # most distinctive first
    assert (a.loc["talks", "log_ratio"]) < 0.5 and not a.loc["talks", "significant"]
    assert a["n_articles"].iloc[0] == 6 and a["n_articles_ref"].iloc[0] == 12


def test_keyness_target_reference_and_reference_corpus():
    table = _keyness_table()
    pair = keyness(table, by="outlet", target="A", reference="B", min_count=1)
    assert set(pair["reference"]) == {"B"} and pair["n_words_ref"].iloc[0] == 24
    corpus = keyness(
        table[table["outlet"] == "A"], reference=table[table["outlet"] != "A"], min_count=1
    )
    vs_rest = keyness(table, by="outlet", target="A", min_count=1)
    merged = corpus.merge(vs_rest, on="term")
    assert np.allclose(merged["g2_x"], merged["g2_y"])
    top = keyness(table, by="outlet", target="A", min_count=1, top=2)
    assert len(top) <= 2 and top["significant"].all() and (top["log_ratio"] > 0).all()
    with pytest.raises(ParameterError, match="target"):
        keyness(table, by="outlet", target="Z")
    with pytest.raises(ParameterError):
        keyness(table)


def test_keyness_period_against_previous_period():
    df = pd.DataFrame(
        {
            "published": pd.to_datetime(
                ["2022-02-10"] * 5 + ["2022-03-10"] * 5 + ["2022-04-10"] * 5, utc=True
            ),
            "text": ["buildup troops border"] * 5
            + ["invasion troops shelling"] * 5
            + ["talks troops grain"] * 5,
        }
    )
    out = keyness(df, freq="M", min_count=1)
    pairs = out[["group", "reference"]].drop_duplicates().astype(str).values.tolist()
    assert pairs == [["2022-03-01", "2022-02-01"], ["2022-04-01", "2022-03-01"]]
    march = out[out["group"] == pd.Timestamp("2022-03-01")].set_index("term")
    assert march.loc["invasion", "log_ratio"] > 0 > march.loc["buildup", "log_ratio"]
    assert march.loc["troops", "g2"] == pytest.approx(0.0)


WORDS = ["talks", "grain", "kyiv", "the", "of", "missile", "ceasefire", "Talks", "aid", "zz"]


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.sampled_from(["2022-01-05", "2022-02-05", "2022-03-05", "2022-04-05"]),
            st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join),
        ),
        min_size=2,
        max_size=30,
    ),
    top=st.sampled_from([None, 1, 3]),
    min_count=st.sampled_from([1, 2, 4]),
    min_docs=st.sampled_from([0, 1, 2, 5]),
    correction=st.sampled_from(["bh", "holm"]),
)
def test_keyness_equals_comparisons_of_plain_counters(rows, top, min_count, min_docs, correction):
    # the summed-array path of keyness against per-group Counters of tokenize, each
    # comparison tested on its own and the tables stacked
    from analysis.measures.terms import Comparison, comparison_table

    df = pd.DataFrame(rows, columns=["outlet", "published", "text"])
    df["published"] = pd.to_datetime(df["published"], utc=True)
    stop = default_stopwords()
    tests = dict(min_count=min_count, min_docs=min_docs, correction=correction, top=top)

    def plain(key):
        labels = sorted(set(key))
        parts = [df["text"][key == lab].tolist() for lab in labels]
        counts = [_counter(texts, stop) for texts in parts]
        docs = [_counter([" ".join(set(tokenize(t))) for t in texts], stop) for texts in parts]
        n_words = [sum(len(tokenize(t)) for t in texts) for texts in parts]
        return labels, counts, docs, n_words, [len(texts) for texts in parts]

    labels, counts, docs, n_words, n_docs = plain(df["outlet"])
    total, docs_total = sum(counts, Counter()), sum(docs, Counter())
    if len(labels) > 1:
        expected = comparison_table(
            [
                Comparison(lab, "rest", counts[i], None, n_words[i], sum(n_words) - n_words[i],
                           n_docs[i], sum(n_docs) - n_docs[i], total, docs[i], None, docs_total)
                for i, lab in enumerate(labels)
            ],
            **tests,
        )  # fmt: skip
        got = keyness(df, by="outlet", english_only=False, **tests)
        pd.testing.assert_frame_equal(got, expected)
    months = df["published"].dt.tz_localize(None).dt.to_period("M").dt.start_time
    labels, counts, docs, n_words, n_docs = plain(months)
    if len(labels) > 1:
        expected = comparison_table(
            [
                Comparison(labels[k], labels[k - 1], counts[k], counts[k - 1], n_words[k],
                           n_words[k - 1], n_docs[k], n_docs[k - 1], docs=docs[k],
                           docs_ref=docs[k - 1])
                for k in range(1, len(labels))
            ],
            **tests,
        )  # fmt: skip
        got = keyness(df, freq="M", english_only=False, **tests)
        pd.testing.assert_frame_equal(got, expected)


def test_keyness_min_count_filters_rare_terms():
    out = keyness(_keyness_table(), by="outlet", target="A", min_count=7)
    assert set(out["term"]) == {"ceasefire", "talks"}


@pytest.mark.parametrize("dtype", ["string", "str", object])
def test_counts_read_every_text_column_storage(dtype):
    texts = ["Russia’s talks", None, "", "Talks — resumed, Kyiv said.", "ΟΔΟΣ talks"] * 3
    table = pd.DataFrame({"text": pd.Series(texts, dtype=dtype)}).iloc[2:]
    expected = _counter([t for t in texts[2:] if isinstance(t, str)])
    for n_jobs in (1, 2):
        got = term_counts(table, stopwords=None, n_jobs=n_jobs)
        assert _as_dict(got) == dict(expected)
        assert got["n_articles"].iloc[0] == 8  # the rows with a body


def test_document_frequencies_across_folds_and_chunks_of_several_tokens(monkeypatch):
    from analysis.measures import counters
    from analysis.measures import wordtable as wt

    # a fold of the pending ids every few articles: every case of the counter
    texts = [
        "Russia/Ukraine talks; russia’s war",
        "U.S./EU-led “Kyiv’s” (Kyiv), 's ''",
        "",
        "kyiv russia/ukraine russia a/b b/c",
        "1,000 2.5 e.g. x\ud800y",
    ] * 7
    monkeypatch.setattr(counters._Tally, "FOLD_AT", 5)
    codes = np.arange(len(texts)) % 3
    counts, dfs, n_docs, _ = wt.count_part(texts, codes, 3, True)
    for g in range(3):
        mine = [t for t, c in zip(texts, codes) if c == g]
        assert counts[g] == Counter(t for text in mine for t in tokenize(text))
        assert dfs[g] == Counter(t for text in mine for t in set(tokenize(text)))
        assert n_docs[g] == len(mine)
    assert dfs[0]["russia"] == 6 and dfs[0]["ukraine"] == 6  # articles 0, 3, 15, 18, 30, 33


@pytest.mark.parametrize("workers", [1, 2])
def test_arrow_counter_per_group_across_batches_and_chunks_of_several_tokens(monkeypatch, workers):
    from analysis.measures import arrowcounters
    from analysis.measures import wordtable as wt

    texts = [
        "Russia/Ukraine talks; russia’s war",
        "U.S./EU-led “Kyiv’s” (Kyiv), 's ''",
        None,
        "kyiv russia/ukraine russia a/b b/c\n\tnew-ones/old",
        "1,000 2.5 e.g. Ελλάδα/Κύπρος",
    ] * 9
    monkeypatch.setattr(arrowcounters, "BATCH_BYTES", 60)  # a batch every few articles
    codes = np.arange(len(texts)) % 4
    source = wt.text_source(pd.DataFrame({"text": texts}))
    counts, dfs, n_docs, n_words = wt.count_arrow(source, codes, 4, True, workers)
    for g in range(4):
        mine = [t for t, c in zip(texts, codes) if c == g]
        assert counts[g] == Counter(t for text in mine for t in tokenize(text))
        assert dfs[g] == Counter(t for text in mine for t in set(tokenize(text)))
        assert n_docs[g] == len(mine) and n_words[g] == sum(counts[g].values())
    assert dfs[0]["ukraine"] > 0
    # without document frequencies, the same counts
    assert wt.count_arrow(source, codes, 4, False, workers)[0] == counts


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_text_column_in_several_arrow_chunks_is_counted_in_place(monkeypatch, n_jobs):
    import pyarrow as pa

    from analysis.measures import arrowcounters
    from analysis.measures import wordtable as wt

    parts = [["Talks stall.", None, "Russia/Ukraine talks"], [], ["Kyiv’s talks", "war"] * 20]
    column = pa.chunked_array([pa.array(p, pa.string()) for p in parts], type=pa.string())
    table = pd.DataFrame({"text": pd.arrays.ArrowExtensionArray(column)})
    monkeypatch.setattr(arrowcounters, "BATCH_BYTES", 40)
    source = wt.text_source(table)
    assert isinstance(source, pa.ChunkedArray)  # not combined into one copy
    texts = [t for p in parts for t in p if t]
    got = term_counts(table, stopwords=None, n_jobs=n_jobs, english_only=False)
    assert _as_dict(got) == dict(_counter(texts))
    assert got["n_articles"].iloc[0] == len(texts)  # the rows with a body


def test_top_cut_through_equal_counts_keeps_the_alphabetically_first():
    # "delta" and "alpha" tie at the cut (3 each); whichever is met first must not matter
    for texts in (
        ["zulu zulu zulu zulu delta delta alpha alpha mike", "zulu delta alpha"],
        ["alpha delta zulu", "mike alpha alpha delta delta zulu zulu zulu zulu"],
    ):
        got = term_counts(pd.DataFrame({"text": texts}), top=2, stopwords=None, english_only=False)
        assert got["term"].tolist() == ["zulu", "alpha"]
        assert got["count"].tolist() == [5, 3]


def test_two_jobs_with_one_text_holding_nearly_every_character():
    from analysis.measures import wordtable as wt

    texts = ["ceasefire talks " * 2000, "a", "b", "c"]
    codes = np.zeros(len(texts), dtype=np.int64)
    assert wt.count_unigrams(texts, codes, 1, n_jobs=2) == wt.count_part(texts, codes, 1, True)


def _in_a_daemon(queue, texts):
    from analysis.measures import wordtable as wt
    from analysis.measures.quotes import extract_quotes
    from analysis.measures.vader import score_texts

    codes = np.zeros(len(texts), dtype=np.int64)
    articles = pd.DataFrame({"article_id": [f"a{i}" for i in range(len(texts))], "text": texts})
    queue.put(
        (
            wt.count_unigrams(texts, codes, 1, n_jobs=2),
            len(extract_quotes(articles, n_jobs=2)),
            score_texts(texts, n_jobs=2),
        )
    )


def test_workers_of_a_daemonic_process_run_in_place():
    # a Dask worker is a daemonic process: it may not start processes of its own
    import multiprocessing as mp

    from analysis.measures import wordtable as wt
    from analysis.measures.quotes import extract_quotes
    from analysis.measures.vader import score_texts

    texts = [
        f'"We will talk again," the minister said on day {i}. Talks {i} ended.' for i in range(3000)
    ]
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_in_a_daemon, args=(queue, texts), daemon=True)
    child.start()
    counts, n_quotes, scores = queue.get(timeout=120)
    child.join(timeout=30)
    assert child.exitcode == 0
    codes = np.zeros(len(texts), dtype=np.int64)
    assert counts == wt.count_part(texts, codes, 1, True)
    articles = pd.DataFrame({"article_id": [f"a{i}" for i in range(len(texts))], "text": texts})
    assert n_quotes == len(extract_quotes(articles, n_jobs=1)) > 0
    assert scores == score_texts(texts, n_jobs=1)
