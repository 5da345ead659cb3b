"""Tone helpers: scores, per-article summaries and their cache, aggregates, targets, plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ParameterError, SchemaError
from analysis.measures.sentiment import (
    article_sentiment,
    extreme_sentences,
    mentions,
    sentence_sentiment,
    sentiment_scores,
    targeted_tone,
    tone_by,
    tone_distribution,
)
from analysis.measures.vader import Vader
from analysis.plots import plot_tone, plot_tone_distribution, plot_tone_trend
from analysis.text.nlp import split_sentences


def _articles(rows):
    return pd.DataFrame(rows, columns=["article_id", "outlet", "published", "text"]).assign(
        published=lambda d: pd.to_datetime(d["published"], utc=True)
    )


@pytest.fixture
def arts():
    return _articles(
        [
            (
                "a1",
                "Alpha",
                "2022-03-01",
                "Talks were useful. Shelling killed ten people. It rained.",
            ),
            ("a2", "Alpha", "2022-03-09", "The ceasefire brought great relief. Nobody was hurt."),
            (
                "b1",
                "Beta",
                "2022-03-02",
                "Missiles destroyed the hospital. Children died in the attack.",
            ),
            ("b2", "Beta", "2022-03-10", ""),
        ]
    )


# -- sentiment_scores ----------------------------------------------------------------


@pytest.mark.parametrize("method", ["vader", "nltk"])
def test_scores_one_row_per_text_in_order(method):
    texts = ["Great news!", "Terrible news.", None, "Great news!", ""]
    out = sentiment_scores(texts, method=method)
    assert list(out.columns) == ["neg", "neu", "pos", "compound"]
    assert len(out) == 5
    assert out.loc[0, "compound"] > 0.5 and out.loc[1, "compound"] < -0.4
    assert out.iloc[2].isna().all()
    assert out.iloc[0].equals(out.iloc[3])
    assert out.iloc[4].tolist() == [0.0, 0.0, 0.0, 0.0]
    engine = Vader(method)
    assert tuple(out.iloc[1]) == engine.score("Terrible news.")


def test_scores_keep_series_index_and_engines_differ():
    s = pd.Series(["There is no problem.", "Fine."], index=[10, 20])
    v = sentiment_scores(s)
    n = sentiment_scores(s, method="nltk")
    assert list(v.index) == [10, 20]
    # "no" negates the next lexicon word in vaderSentiment only
    assert v.loc[10, "compound"] > 0 > n.loc[10, "compound"]


@pytest.mark.parametrize("bad", [{"method": "textblob"}, {"n_jobs": 0}])
def test_scores_bad_parameters(bad):
    with pytest.raises(ParameterError):
        sentiment_scores(["x"], **bad)


def test_scores_reject_non_text():
    with pytest.raises(ParameterError, match=r"texts\[1\]"):
        sentiment_scores(["fine", 3])


# -- sentence and article tables ---------------------------------------------------------


def test_sentence_table_matches_split_and_scores(arts):
    sents = sentence_sentiment(arts, english_only=False)
    expected = [s for t in arts["text"] for s in split_sentences(t)]
    assert sents["sentence"].tolist() == expected
    direct = sentiment_scores(expected)
    assert np.allclose(sents[["neg", "neu", "pos", "compound"]].to_numpy(), direct.to_numpy())
    assert sents.groupby("article_id", sort=False)["sentence_no"].apply(list).to_dict() == {
        "a1": [0, 1, 2],
        "a2": [0, 1],
        "b1": [0, 1],
    }
    assert (sents.loc[sents["article_id"] == "b1", "outlet"] == "Beta").all()
    assert sents.attrs["sentences_scored"] == len(expected)
    assert len(arts) == 4 and "compound" not in arts  # input untouched


def test_article_summary_from_sentence_scores(arts):
    out = article_sentiment(arts, english_only=False).set_index("article_id")
    sents = sentence_sentiment(arts, english_only=False)
    for aid, part in sents.groupby("article_id"):
        c = part["compound"]
        assert out.loc[aid, "compound"] == pytest.approx(c.mean())
        assert out.loc[aid, "share_pos"] == pytest.approx((c >= 0.05).mean())
        assert out.loc[aid, "share_neg"] == pytest.approx((c <= -0.05).mean())
        assert out.loc[aid, "n_sentences"] == len(part)
    assert "b2" not in out.index  # no body: a metadata-only article has no tone
    assert out.loc["b1", "compound"] < 0 < out.loc["a2", "compound"]


def test_cache_reuses_unchanged_articles(arts, tmp_path):
    first = article_sentiment(arts, cache_dir=tmp_path, english_only=False)
    assert (tmp_path / "sentiment_vader.arrow").is_file()
    assert first.attrs["sentences_scored"] == 7 and first.attrs["articles_scored"] == 3

    again = article_sentiment(arts, cache_dir=tmp_path, english_only=False)
    assert again.attrs["sentences_scored"] == 0 and again.attrs["articles_cached"] == 3
    pd.testing.assert_frame_equal(first, again)

    edited = arts.copy()
    edited.loc[edited["article_id"] == "a2", "text"] = (
        "The ceasefire collapsed. Fear returned. Shops shut."
    )
    third = article_sentiment(edited, cache_dir=tmp_path, english_only=False)
    assert third.attrs["sentences_scored"] == 3 and third.attrs["articles_scored"] == 1
    assert third.set_index("article_id").loc["a2", "n_sentences"] == 3
    fresh = article_sentiment(edited, english_only=False)
    pd.testing.assert_frame_equal(third, fresh, check_like=True, check_exact=False)

    # a subset does not evict the other articles from the cache
    article_sentiment(edited.iloc[:1], cache_dir=tmp_path, english_only=False)
    assert (
        article_sentiment(edited, cache_dir=tmp_path, english_only=False).attrs["sentences_scored"]
        == 0
    )

    nltk = article_sentiment(arts, method="nltk", cache_dir=tmp_path, english_only=False)
    assert nltk.attrs["sentences_scored"] == 7
    assert (tmp_path / "sentiment_nltk.arrow").is_file()


def test_unreadable_cache_is_rebuilt(arts, tmp_path):
    (tmp_path / "sentiment_vader.arrow").write_bytes(b"not arrow")
    (tmp_path / "sentiment_vader.parquet").write_bytes(b"the cache of an earlier version")
    out = article_sentiment(arts, cache_dir=tmp_path, english_only=False)
    assert out.attrs["sentences_scored"] == 7
    assert not (tmp_path / "sentiment_vader.parquet").exists()


def test_non_english_articles_left_out_by_default():
    text_fr = (
        "Les négociations entre la Russie et l'Ukraine ont repris mardi à Istanbul, "
        "selon les deux délégations, qui ont salué des progrès importants."
    )
    text_en = (
        "Talks between Russia and Ukraine resumed in Istanbul on Tuesday, both delegations said."
    )
    arts = _articles([("fr", "X", "2022-03-01", text_fr), ("en", "X", "2022-03-01", text_en)])
    assert article_sentiment(arts)["article_id"].tolist() == ["en"]
    assert sorted(article_sentiment(arts, english_only=False)["article_id"]) == ["en", "fr"]


def test_missing_columns_are_schema_errors():
    with pytest.raises(SchemaError, match="text"):
        article_sentiment(pd.DataFrame({"article_id": ["a"]}))
    with pytest.raises(SchemaError):
        article_sentiment(["not a table"])


# -- aggregates ------------------------------------------------------------------------


def _random_scores(n=400, seed=3):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "outlet": rng.choice(["A", "B", "C"], size=n),
            "published": pd.Timestamp("2022-03-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 60, n), unit="D"),
            "compound": np.clip(rng.normal(0, 0.4, n), -1, 1),
            "article_id": [f"a{k // 4}" for k in range(n)],
        }
    )


def test_tone_by_outlet_interval_n_and_shares():
    s = _random_scores()
    t = tone_by(s, by="outlet", n_boot=500)
    assert t["outlet"].tolist() == ["A", "B", "C"]
    assert t["n"].sum() == len(s)
    for _, row in t.iterrows():
        x = s.loc[s["outlet"] == row["outlet"], "compound"]
        assert row["mean"] == pytest.approx(x.mean())
        assert row["ci_low"] < row["mean"] < row["ci_high"]
        half = 1.96 * x.std() / np.sqrt(len(x))
        assert (row["ci_high"] - row["ci_low"]) / 2 == pytest.approx(half, rel=0.2)
        assert row["share_pos"] == pytest.approx((x >= 0.05).mean())


def test_tone_by_is_seeded_and_groups_are_independent():
    s = _random_scores()
    a = tone_by(s, n_boot=300, seed=1)
    assert a.equals(tone_by(s, n_boot=300, seed=1))
    assert not a.equals(tone_by(s, n_boot=300, seed=2))
    without_c = tone_by(s[s["outlet"] != "C"], n_boot=300, seed=1)
    pd.testing.assert_frame_equal(without_c, a[a["outlet"] != "C"].reset_index(drop=True))


def test_tone_by_period_and_cluster():
    s = _random_scores()
    weekly = tone_by(s, by="W", n_boot=100)
    assert "period" in weekly and weekly["n"].sum() == len(s)
    both = tone_by(s, by="outlet", freq="M", n_boot=100)
    assert list(both.columns[:2]) == ["outlet", "period"] and both["n"].sum() == len(s)
    clustered = tone_by(s, by=None, cluster="article_id", n_boot=400)
    plain = tone_by(s, by=None, n_boot=400)
    assert clustered.loc[0, "n_clusters"] == 100 and clustered.loc[0, "mean"] == pytest.approx(
        plain.loc[0, "mean"]
    )
    one = tone_by(s.iloc[:1], by=None)
    assert one.loc[0, "n"] == 1 and np.isnan(one.loc[0, "ci_low"])


def test_tone_by_keeps_intervals_and_resamples_only_changed_groups(tmp_path, monkeypatch, caplog):
    from analysis.measures import tone

    s = _random_scores()
    resampled = []
    real = tone._bootstrap

    def counting(sums, *args):
        resampled.append(len(sums))
        return real(sums, *args)

    monkeypatch.setattr(tone, "_bootstrap", counting)
    plain = tone_by(s, by="outlet", n_boot=300)
    kept = tone_by(s, by="outlet", n_boot=300, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(kept, plain)
    assert (tmp_path / tone.INTERVALS_FILE).is_file()
    resampled.clear()
    pd.testing.assert_frame_equal(tone_by(s, by="outlet", n_boot=300, cache_dir=tmp_path), plain)
    assert resampled == []  # every interval came from the folder
    # new scores in outlet A: only A is resampled, and every number equals a fresh run
    more = pd.concat([s, s[s["outlet"] == "A"].head(3).assign(compound=0.9)], ignore_index=True)
    again = tone_by(more, by="outlet", n_boot=300, cache_dir=tmp_path)
    assert resampled == [int((more["outlet"] == "A").sum())]
    pd.testing.assert_frame_equal(again, tone_by(more, by="outlet", n_boot=300))
    # other settings are other intervals; clustered sentences too
    resampled.clear()
    tone_by(s, by="outlet", n_boot=300, seed=5, cache_dir=tmp_path)
    assert len(resampled) == 3
    clustered = tone_by(s, by=None, cluster="article_id", n_boot=200, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(clustered, tone_by(s, by=None, cluster="article_id", n_boot=200))
    # a torn file is reported and rebuilt
    (tmp_path / tone.INTERVALS_FILE).write_bytes(b"not parquet")
    with caplog.at_level("WARNING"):
        torn = tone_by(s, by="outlet", n_boot=300, cache_dir=tmp_path)
    assert "interval cache" in caplog.text and "unreadable" in caplog.text
    pd.testing.assert_frame_equal(torn, plain)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"by": "nope"}, SchemaError),
        ({"ci": 1.5}, ParameterError),
        ({"value": "tone"}, SchemaError),
    ],
)
def test_tone_by_bad_input(kwargs, error):
    with pytest.raises(error):
        tone_by(_random_scores(20), **kwargs)


def test_distribution_shares_sum_to_one():
    d = tone_distribution(_random_scores(), bins=10)
    assert d.groupby("outlet")["share"].sum().round(9).eq(1).all()
    assert d["count"].sum() == 400 and len(d) == 30


def test_extreme_sentences_rank_and_dedupe():
    s = pd.DataFrame(
        {
            "outlet": ["A"] * 5 + ["B"],
            "article_id": ["a1", "a2", "a3", "a4", "a5", "b1"],
            "sentence": ["Joy.", "Joy.", "Calm.", "Horror.", "Bad.", "Fine."],
            "compound": [0.8, 0.8, 0.1, -0.9, -0.5, 0.2],
        }
    )
    out = extreme_sentences(s, top=2)
    a = out[out["outlet"] == "A"]
    assert a[a["direction"] == "positive"]["sentence"].tolist() == ["Joy.", "Calm."]
    assert a[a["direction"] == "negative"]["sentence"].tolist() == ["Horror.", "Bad."]
    joy = a[a["sentence"] == "Joy."].iloc[0]
    assert joy["n_copies"] == 2 and joy["article_id"] == "a1" and joy["rank"] == 1
    assert out[out["outlet"] == "B"]["direction"].tolist() == ["positive"]


def test_mentions_wildcards_phrases_and_dictionaries():
    texts = [
        "President Zelenskyy spoke in Kyiv.",
        "The Kremlin said so.",
        "Rain fell.",
        "Vladimir Putin and Zelensky met.",
    ]
    targets = {
        "Russia": "Russia|Russian|Kremlin|Putin",
        "Ukraine": "Ukraine|Ukrainian|Kyiv|Zelensk*",
    }
    m = mentions(texts, targets)
    assert m["Russia"].tolist() == [False, True, False, True]
    assert m["Ukraine"].tolist() == [True, False, False, True]
    from analysis.measures.dictionaries import load_dictionary

    book = load_dictionary({"leaders": ["vladimir putin", "zelensk*"], "weather": ["rain"]})
    assert mentions(texts, book, categories=["weather"])["weather"].tolist() == [
        False,
        False,
        True,
        False,
    ]
    with pytest.raises(ParameterError):
        mentions(texts, book, categories=["sports"])


def test_targeted_tone_by_outlet_and_exclusive():
    s = pd.DataFrame(
        {
            "outlet": ["A", "A", "A", "B"],
            "article_id": ["a1", "a1", "a2", "b1"],
            "published": pd.to_datetime(["2022-03-01"] * 4, utc=True),
            "sentence": [
                "Putin lied.",
                "Kyiv stood firm.",
                "Putin and Zelensky talked.",
                "Russian troops advanced.",
            ],
            "compound": [-0.5, 0.3, 0.1, -0.2],
        }
    )
    targets = {"Russia": "Russia*|Kremlin|Putin", "Ukraine": "Ukrain*|Kyiv|Zelensk*"}
    t = targeted_tone(s, targets, n_boot=50).set_index(["target", "outlet"])
    assert t.loc[("Russia", "A"), "n"] == 2 and t.loc[("Russia", "A"), "n_clusters"] == 2
    assert t.loc[("Russia", "A"), "mean"] == pytest.approx(-0.2)
    assert t.loc[("Russia", "B"), "n"] == 1
    ex = targeted_tone(s, targets, exclusive=True, n_boot=50).set_index(["target", "outlet"])
    assert ex.loc[("Russia", "A"), "n"] == 1 and ex.loc[("Ukraine", "A"), "mean"] == pytest.approx(
        0.3
    )
    weekly = targeted_tone(s, targets, by=None, freq="W", n_boot=50)
    assert set(weekly["target"]) == {"Russia", "Ukraine"} and "period" in weekly


def test_plots_return_axes():
    import matplotlib

    matplotlib.use("Agg")
    s = _random_scores()
    assert plot_tone(tone_by(s, n_boot=50)).get_xlabel().startswith("mean compound")
    ax = plot_tone_trend(tone_by(s, by="outlet", freq="W", n_boot=50), by="outlet")
    assert len(ax.get_lines()) >= 3
    assert plot_tone_distribution(tone_distribution(s), by="outlet").get_ylabel() == "share"
    with pytest.raises(SchemaError):
        plot_tone_trend(tone_by(s, n_boot=10))
    import matplotlib.pyplot as plt

    plt.close("all")


# -- real corpus -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ukraine_sample(ukraine_articles):
    """Up to 60 full-text articles from each outlet of the Ukraine corpus."""
    full = ukraine_articles[ukraine_articles["n_words"] > 150]
    return full.groupby("outlet", group_keys=False).head(60)


def test_real_corpus_tone_by_outlet_and_targets(ukraine_sample, tmp_path):
    arts = article_sentiment(ukraine_sample, cache_dir=tmp_path)
    assert arts.attrs["sentences_scored"] > 5000
    assert (arts["n_sentences"] > 0).mean() > 0.95
    by_outlet = tone_by(arts, by="outlet", n_boot=300)
    assert len(by_outlet) >= 12
    assert (
        (by_outlet["ci_low"] <= by_outlet["mean"]) & (by_outlet["mean"] <= by_outlet["ci_high"])
    ).all()
    # war coverage reads negative on average, sentence by sentence
    sents = sentence_sentiment(ukraine_sample, cache_dir=tmp_path)
    assert sents.attrs["sentences_scored"] == 0
    assert sents["compound"].mean() < 0
    targets = {
        "Russia": "Russia|Russian|Kremlin|Putin",
        "Ukraine": "Ukraine|Ukrainian|Kyiv|Zelensk*",
    }
    t = targeted_tone(sents, targets, n_boot=200)
    flags = mentions(sents["sentence"].tolist(), targets)
    assert t.groupby("target")["n"].sum().to_dict() == {k: int(flags[k].sum()) for k in flags}
    ext = extreme_sentences(sents, top=3)
    neg = ext[ext["direction"] == "negative"]
    lowest = sents.groupby("outlet")["compound"].min()
    first = neg[neg["rank"] == 1].set_index("outlet")["compound"]
    pd.testing.assert_series_equal(
        first.sort_index(), lowest.loc[first.index].sort_index(), check_names=False
    )
    assert (neg.groupby("outlet")["compound"].apply(lambda c: c.is_monotonic_increasing)).all()
    assert set(neg["article_id"]) <= set(arts["article_id"])


def test_empty_and_all_non_english_selections_give_empty_tables():
    import pandas as pd

    from analysis import article_sentiment, sentence_sentiment
    from analysis.schema import conform

    empty = conform(pd.DataFrame(columns=["article_id", "outlet", "title", "text"]))
    german = conform(
        pd.DataFrame(
            {
                "article_id": ["a"],
                "outlet": ["x"],
                "title": ["t"],
                "language": ["de"],
                "text": ["Das ist ein schöner Tag und alle sind glücklich."],
            }
        )
    )
    for table in (empty, german):
        assert article_sentiment(table).empty
        assert sentence_sentiment(table).empty


def test_mentions_skip_only_texts_that_cannot_match(sample_articles):
    from analysis.measures.dictionaries import Matcher
    from analysis.measures.sentiment import mentions
    from analysis.text.nlp import split_sentences
    from analysis.text.tokens import tokenize

    texts = [s for t in sample_articles["text"].dropna() for s in split_sentences(t)]
    texts += [
        "Kyiv’s mayor spoke.",
        "ZELENSKYY SPOKE TO NEGOTIATORS.",
        "Peace   talks resumed in the U.S. capital.",
        "Talks about peace.",
        "A pro-Russian rally.",
    ]
    targets = {
        "kyiv": "Kyiv",
        "talks": "peace talks|negotiat*",
        "leader": "Zelensk?y|Putin",
        "usa": "U.S.",
        "russia": "*russian",
    }
    got = mentions(texts, targets)
    matcher = Matcher({k: v.split("|") for k, v in targets.items()})
    expected = [[n > 0 for n in matcher.count(tokenize(t))] for t in texts]
    assert got.to_numpy().tolist() == expected
    assert got.sum().min() > 0  # every target is found somewhere
    assert matcher.needles is not None and not matcher.may_match("Nothing to see here.")


def test_tone_plot_labels_a_missing_group_value():
    import matplotlib

    matplotlib.use("Agg")
    scored = pd.DataFrame(
        {
            "article_id": ["a", "b", "c", "d"],
            "wire": ["AP", None, "AP", None],
            "compound": [0.5, -0.5, 0.3, -0.1],
            "n_sentences": [3, 3, 3, 3],
        }
    )
    tone = tone_by(scored, by="wire", n_boot=50)
    ax = plot_tone(tone)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["AP (N=2)", "(none) (N=2)"]


def test_a_cache_that_cannot_be_written_means_no_cache_and_the_same_scores(
    arts, tmp_path, monkeypatch, caplog
):
    import errno

    from analysis.corpus import cachefile

    def full_disk(target, write):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(cachefile, "replace_atomically", full_disk)
    with caplog.at_level("WARNING", logger="analysis"):
        out = article_sentiment(arts, cache_dir=tmp_path, english_only=False)
    pd.testing.assert_frame_equal(out, article_sentiment(arts, english_only=False))
    assert "sentiment cache" in caplog.text and "not written" in caplog.text
    assert "No space left" in caplog.text
    assert not list(tmp_path.iterdir())
