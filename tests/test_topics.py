"""Topics: fitting, reading new articles, saving, names, prevalence with intervals, Dask."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis.errors import InputError, ParameterError
from analysis.measures.topics import TopicModel, topic_difference, topic_prevalence, topics

# Three invented themes; each article mixes words of one theme with common news words.
THEMES = {
    "grain": "grain wheat ships port odesa harvest export corridor cargo farmers silo",
    "power": "nuclear plant reactor inspectors zaporizhzhia power cooling grid atomic shelling",
    "talks": "talks negotiators ceasefire diplomats summit delegation agreement istanbul envoy",
}
COMMON = "officials said monday statement according reported government people country week"


def _corpus(n_per_theme: int = 20, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for theme, words in THEMES.items():
        vocab, common = words.split(), COMMON.split()
        for i in range(n_per_theme):
            body = rng.choice(vocab, 25).tolist() + rng.choice(common, 10).tolist()
            rng.shuffle(body)
            rows.append(
                {
                    "article_id": f"{theme}-{i}",
                    "outlet": "North Post" if i % 2 else "South Herald",
                    "title": " ".join(rng.choice(vocab, 4)).capitalize(),
                    "text": " ".join(body) + ".",
                    "published": pd.Timestamp("2022-03-01", tz="UTC") + pd.Timedelta(days=i),
                    "theme": theme,
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def corpus():
    return _corpus()


@pytest.fixture(scope="module")
def model(corpus):
    return topics(corpus, k=3, seed=0, copies="all")


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values(["article_id", "topic"]).reset_index(drop=True)


def _main_topics(model: TopicModel, articles: pd.DataFrame) -> np.ndarray:
    return model.shares(articles).argmax(axis=1)


def test_topics_find_the_themes_and_label_them_with_their_words(model, corpus):
    from sklearn.metrics import normalized_mutual_info_score

    assert normalized_mutual_info_score(corpus["theme"], _main_topics(model, corpus)) > 0.95
    assert model.method == "lda"  # 40-word texts count as short
    for label in model.labels.values():
        words = set(label.replace(" / ", " ").split())
        assert any(words <= set(v.split()) for v in THEMES.values()), label
    assert set(model.terms.columns) == {"topic", "rank", "term", "weight", "frex"}
    assert model.representative.groupby("topic").size().tolist() == [3, 3, 3]


def test_the_same_seed_gives_the_same_topics(corpus, model):
    again = topics(corpus, k=3, seed=0, copies="all")
    np.testing.assert_allclose(again.components, model.components)
    pd.testing.assert_frame_equal(again.article_topics, model.article_topics)
    assert again.labels == model.labels


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_transform_gives_the_assignments_of_the_fit(corpus, method):
    fitted = topics(corpus, k=3, method=method, copies="all")
    assert fitted.method == method
    pd.testing.assert_frame_equal(_sorted(fitted.transform(corpus)), _sorted(fitted.article_topics))
    assert (fitted.article_topics["share"] >= fitted.floor).all()


def test_new_articles_get_the_topic_of_their_words(model):
    new = pd.DataFrame(
        {
            "article_id": ["n1", "n2", "n3"],
            "title": ["", "", ""],
            "text": ["wheat cargo ships left the port", "reactor cooling at the plant", "zebra"],
        }
    )
    assigned = model.transform(new)
    main = assigned.drop_duplicates("article_id").set_index("article_id")["topic"]
    grain = model.transform(_corpus().query("theme == 'grain'"))["topic"].mode()[0]
    assert main["n1"] == grain and main["n2"] != grain
    assert "n3" not in main.index  # no known word: no topic


def test_save_and_load_give_the_same_model_in_plain_files(model, corpus, tmp_path):
    folder = model.save(tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == [
        "arrays.npz",
        "article_topics.parquet",
        "k_scores.parquet",
        "model.json",
        "representative.parquet",
        "terms.parquet",
    ]
    assert json.loads((folder / "model.json").read_text())["k"] == 3
    loaded = analysis.load_topics(tmp_path)
    assert loaded.labels == model.labels and loaded.vocabulary == model.vocabulary
    pd.testing.assert_frame_equal(loaded.transform(corpus), model.transform(corpus))
    pd.testing.assert_frame_equal(loaded.terms, model.terms)
    with pytest.raises(InputError, match="no topic model"):
        analysis.load_topics(tmp_path / "elsewhere")


def test_names_from_yaml_replace_labels(model, tmp_path):
    good = tmp_path / "names.yaml"
    good.write_text("1: First theme\n3: Third theme\n", encoding="utf-8")
    named = model.with_names(good)
    assert named.labels[1] == "First theme" and named.labels[2] == model.labels[2]
    bad = tmp_path / "bad.yaml"
    bad.write_text("1: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.yaml.*not valid YAML"):
        model.with_names(bad)
    listed = tmp_path / "list.yaml"
    listed.write_text("- one\n- two\n", encoding="utf-8")
    with pytest.raises(InputError, match="list.yaml.*mapping of topic number"):
        model.with_names(listed)
    with pytest.raises(ParameterError, match="no topic 9"):
        model.with_names({9: "Nine"})
    with pytest.raises(InputError, match="missing.yaml"):
        model.with_names(tmp_path / "missing.yaml")


def test_prevalence_intervals_hold_the_point_and_follow_the_seed(model, corpus):
    table = topic_prevalence(model, corpus, by="outlet", n_boot=200, copies="all")
    assert list(table.columns) == ["outlet", "topic", "label", "articles", "share", "low", "high"]
    assert ((table["low"] <= table["share"]) & (table["share"] <= table["high"])).all()
    assert (table["high"] > table["low"]).all()
    assert np.allclose(table.groupby("outlet")["share"].sum(), 1.0)
    again = topic_prevalence(model, corpus, by="outlet", n_boot=200, copies="all")
    pd.testing.assert_frame_equal(table, again)
    weekly = topic_prevalence(model, corpus, by=None, freq="W", n_boot=100, copies="all")
    assert weekly["period"].nunique() == 3
    assert ((weekly["low"] <= weekly["share"]) & (weekly["share"] <= weekly["high"])).all()


def test_difference_between_outlets_has_an_interval(model, corpus):
    skewed = corpus[~((corpus["theme"] == "grain") & (corpus["outlet"] == "South Herald"))]
    diff = topic_difference(model, skewed, by="outlet", a="North Post", b="South Herald", copies="all")  # fmt: skip
    grain = diff.iloc[0]
    assert grain["difference"] > 0.2 and grain["low"] > 0  # only North Post still covers grain
    assert ((diff["low"] <= diff["difference"]) & (diff["difference"] <= diff["high"])).all()
    with pytest.raises(ParameterError, match="West Gazette"):
        topic_difference(model, corpus, by="outlet", a="West Gazette", b="South Herald")


@pytest.mark.slow
def test_k_is_chosen_with_a_reason(corpus):
    scores = analysis.topic_k_scores(corpus, ks=[2, 3, 5], copies="all")
    assert list(scores["k"]) == [2, 3, 5] and scores["chosen"].sum() == 1
    assert scores["coherence"].between(-1, 1).all() and scores["exclusivity"].between(0, 1).all()
    chosen = topics(corpus, ks=[2, 3, 5], copies="all")
    assert chosen.k == int(scores.loc[scores["chosen"], "k"].iloc[0])
    assert "coherence x exclusivity" in chosen.k_reason
    pd.testing.assert_frame_equal(chosen.k_scores, scores)
    assert len(chosen.summary()) == chosen.k and chosen.summary()["articles"].sum() == len(corpus)


@pytest.mark.parametrize(
    "options, message",
    [({"k": 1}, "k=1"), ({"k": 100}, "more than 100 articles"), ({"method": "pca"}, "method")],
)
def test_bad_options_are_named(corpus, options, message):
    with pytest.raises(ParameterError, match=message):
        topics(corpus, copies="all", **options)


@pytest.mark.slow
def test_dask_table_gets_the_assignments_of_pandas(model, corpus):
    dd = pytest.importorskip("dask.dataframe")
    parts = dd.from_pandas(corpus, npartitions=3)
    on_dask = model.transform(parts).compute().reset_index(drop=True)
    pd.testing.assert_frame_equal(on_dask, model.transform(corpus), check_exact=True)
    fitted = topics(parts, k=3, copies="all")
    assert len(fitted.article_topics.drop_duplicates("article_id")) == len(corpus)
    pd.testing.assert_frame_equal(  # every row sampled: the fit of pandas, exactly
        _sorted(fitted.article_topics),
        _sorted(topics(corpus, k=3, copies="all").article_topics),
        check_exact=True,
    )
    prevalence = topic_prevalence(model, parts, by="outlet", n_boot=50, copies="all")
    expected = topic_prevalence(model, corpus, by="outlet", n_boot=50, copies="all")
    pd.testing.assert_frame_equal(prevalence, expected, check_exact=True)


@pytest.mark.slow
@pytest.mark.corpora
def test_reuters_sample_topics_match_their_categories(reuters_dir, tmp_path):
    """Single-label Reuters-21578 stories of four categories (the first six files): topics find them."""
    from sklearn.metrics import normalized_mutual_info_score

    from benchmarks.topics import reuters_sample

    for path in sorted(reuters_dir.glob("reut2-*.sgm"))[:6]:
        (tmp_path / path.name).symlink_to(path)
    stories = reuters_sample(tmp_path, ["crude", "trade", "ship", "sugar"], per_topic=60)
    assert len(stories) > 200
    fitted = topics(stories, k=4, seed=0, copies="all")
    assert fitted.method == "nmf"
    score = normalized_mutual_info_score(stories["label"], _main_topics(fitted, stories))
    assert score >= 0.65, score  # 0.71 measured


def test_a_report_reuses_the_model_saved_in_its_corpus_folder(corpus, tmp_path, monkeypatch):
    from analysis.report import topics as report_topics

    table = corpus.copy()
    table.attrs["corpus"] = str(tmp_path)
    first = report_topics.saved_topics(table, k=3)
    assert (tmp_path / "topics" / "model.json").is_file()

    def no_fit(*args, **kwargs):
        raise AssertionError("fitted again")

    monkeypatch.setattr(report_topics, "topics", no_fit)
    again = report_topics.saved_topics(table.iloc[:30])  # a later, smaller selection
    assert again.labels == first.labels
    np.testing.assert_array_equal(again.components, first.components)
    with pytest.raises(AssertionError, match="fitted again"):
        report_topics.saved_topics(table, refit=True)
    with pytest.raises(AssertionError, match="fitted again"):
        report_topics.saved_topics(table, k=4)  # another number of topics
    assert report_topics.saved_topics(table.iloc[:5]) is None


def test_a_named_model_is_kept_apart_from_the_reports_model(corpus, tmp_path):
    from analysis.errors import ParameterError
    from analysis.report import topics as report_topics

    table = corpus.copy()
    table.attrs["corpus"] = str(tmp_path)
    ours = report_topics.saved_topics(table, k=3)
    # another notebook's selection (two groups of a comparison) fits and keeps its own
    theirs = report_topics.saved_topics(table.iloc[: len(table) // 2], k=2, name="topics-compare")
    assert (tmp_path / "topics-compare" / "model.json").is_file()
    assert theirs.k == 2 and theirs.n_articles < ours.n_articles
    again = report_topics.saved_topics(table)  # the report reads its own model, not the last fitted
    assert again.k == 3
    np.testing.assert_array_equal(again.components, ours.components)
    loaded = analysis.load_topics(tmp_path, name="topics-compare")
    np.testing.assert_array_equal(loaded.components, theirs.components)
    for bad in ("../elsewhere", "a/b", "", ".."):
        with pytest.raises(ParameterError, match="topic model name"):
            report_topics.saved_topics(table, name=bad)
    assert not (tmp_path.parent / "elsewhere").exists()


def test_a_report_reads_its_selection_once(corpus, monkeypatch):
    """The fit's shares serve the prevalence of the same articles: the texts are not read again."""
    from analysis.measures import topicfit

    fitted = topics(corpus, k=3, copies="all")
    expected = topic_prevalence(dataclasses.replace(fitted, _read={}), corpus, copies="all")

    def no_reading(*args, **kwargs):
        raise AssertionError("read the texts again")

    monkeypatch.setattr(topicfit, "count_matrix", no_reading)
    by_outlet = topic_prevalence(fitted, corpus, by="outlet", copies="all")
    pd.testing.assert_frame_equal(by_outlet, expected, check_exact=True)
    topic_prevalence(fitted, corpus, by=None, freq="W", copies="all")
    with pytest.raises(AssertionError, match="read the texts again"):
        fitted.transform(corpus.iloc[:10])


def test_charts_name_topics_and_their_n(model, corpus):
    import matplotlib.pyplot as plt

    by_outlet = topic_prevalence(model, corpus, by="outlet", n_boot=50, copies="all")
    ax = analysis.plot_topic_heatmap(by_outlet)
    assert ax.get_title(loc="left") == "Share of coverage per topic (N=60 articles)"
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "North Post (N=30)",
        "South Herald (N=30)",
    ]
    assert ax.get_xticklabels()[0].get_text().startswith("1.")
    weekly = topic_prevalence(model, corpus, by=None, freq="W", n_boot=50, copies="all")
    ax = analysis.plot_topic_trends(weekly, top=2)
    assert len(ax.get_legend().get_texts()) == 2 and len(ax.collections) == 2  # two bands
    scores = pd.DataFrame(
        {"k": [2, 3], "coherence": [0.1, 0.3], "exclusivity": [1.0, 0.9], "score": [0.55, 0.6],
         "chosen": [False, True]}
    )  # fmt: skip
    assert analysis.plot_topic_k(scores).get_title(loc="left").endswith("k=3")
    plt.close("all")


def test_main_articles_are_those_the_summary_counts(model, corpus):
    main = model.main_articles()
    summary = model.summary()
    assert main["topic"].tolist() == summary["topic"].tolist() == [1, 2, 3]
    assert main["articles"].tolist() == summary["articles"].tolist()
    assert main["label"].tolist() == summary["label"].tolist()
    # each topic's articles are those of one theme, the article most about it first
    theme = dict(zip(corpus["article_id"], corpus["theme"]))
    for ids in main["article_ids"]:
        assert len(ids) == 20 and len({theme[i] for i in ids}) == 1
    assigned = model.article_topics.drop_duplicates("article_id").set_index("article_id")["share"]
    for ids in main["article_ids"]:
        shares = assigned[ids].tolist()
        assert shares == sorted(shares, reverse=True)


def test_k_with_one_topic_over_half_the_articles_is_passed_over():
    # Two front-line themes share most words; grain has its own. k=2 scores best by
    # coherence x exclusivity but lumps both front lines into one topic of 2/3 of the articles.
    front = "troops shelling artillery frontline drones missiles brigade offensive"
    themes = {
        "east": f"{front} donetsk bakhmut avdiivka",
        "south": f"{front} kherson dnipro crossing",
        "grain": THEMES["grain"],
    }
    rng = np.random.default_rng(3)
    rows = [
        {"article_id": f"{theme}-{i}", "text": " ".join(rng.choice(words.split(), 25)) + "."}
        for theme, words in themes.items()
        for i in range(20)
    ]
    articles = pd.DataFrame(rows)
    scores = analysis.topic_k_scores(articles, ks=[2, 3, 4], copies="all")
    by_k = scores.set_index("k")
    assert by_k.loc[2, "score"] == scores["score"].max() and by_k.loc[2, "largest"] > 0.5
    assert by_k.loc[3, "largest"] <= 0.5 and by_k.loc[3, "chosen"]
    model = topics(articles, ks=[2, 3, 4], copies="all")
    assert model.k == 3 and "k=2 scored" in model.k_reason and "67%" in model.k_reason
    main = _main_topics(model, articles)
    assert len(set(zip(articles["article_id"].str.split("-").str[0], main))) == 3


def test_difference_of_two_groups_in_name_order_is_charted(model, corpus):
    import matplotlib.pyplot as plt

    # South Herald first in the rows: the groups still come in the order of their names
    rest = corpus[corpus["theme"] != "grain"].sort_values("outlet", ascending=False, kind="stable")
    grain = corpus[(corpus["theme"] == "grain") & (corpus["outlet"] == "North Post")]
    two = pd.concat([rest, grain]).assign(group=lambda d: d["outlet"])
    diff = topic_difference(model, two, by="group", n_boot=50, copies="all")
    assert (diff["a"] == "North Post").all() and (diff["b"] == "South Herald").all()
    assert diff.iloc[0]["label"] == model.labels[_main_topics(model, two.tail(1))[0] + 1]
    ax = analysis.plot_topic_difference(diff)
    assert ax.get_title(loc="left") == f"Topics: North Post against South Herald (N={len(two)} articles)"  # fmt: skip
    assert ax.get_xlabel() == "share of North Post minus share of South Herald (95% interval)"
    assert [t.get_text() for t in ax.get_yticklabels()][-1].startswith(f"{diff.iloc[-1]['topic']}.")
    with pytest.raises(ParameterError, match="fewer than two group values"):
        topic_difference(model, two.assign(group="one"), by="group", copies="all")
    plt.close("all")


MESSY_TEXTS = [
    "Russia's pro-Russian forces fired 1,000 shells at U.S. allies in 2022.",
    "See https://example.org/news, it’s covid-19; Kyiv/Odesa grain (export) corridor!",
    "",
    "The the the of a",  # stopwords only
    "Wheat WHEAT wheat, 4th convoy; grain-export deal \ud800 signed",  # a lone surrogate
    "Zaporizhzhia reactor inspectors said: reactor shelling, reactor grid.",
]


@pytest.mark.parametrize("numbers", [True, False])
@pytest.mark.parametrize("texts", [MESSY_TEXTS, MESSY_TEXTS[:4] + MESSY_TEXTS[5:]])
def test_counts_are_those_of_the_term_function(texts, numbers):
    """The counts over all texts at once equal scikit-learn's vectorizer fed the toolkit's terms."""
    from sklearn.feature_extraction.text import CountVectorizer

    from analysis.measures import topicfit

    texts = texts * 2  # every term in two texts, so that min_df keeps some
    vocabulary, counts, df = topicfit.learn_vocabulary(
        texts, min_df=2, max_df=0.5, bigrams=False, numbers=numbers
    )
    vec = CountVectorizer(analyzer=topicfit.analyzer(False, numbers), min_df=2, max_df=1.0)
    expected = vec.fit_transform(texts)
    assert vocabulary == list(vec.get_feature_names_out())
    assert "reactor" in vocabulary and "the" not in vocabulary
    assert ("2022" in vocabulary) is numbers
    np.testing.assert_array_equal(counts.toarray(), expected.toarray())
    np.testing.assert_array_equal(df, (expected > 0).sum(axis=0).A1)
    again = topicfit.count_matrix(texts[::-1], vocabulary, bigrams=False, numbers=numbers)
    np.testing.assert_array_equal(again.toarray(), expected.toarray()[::-1])


def test_lda_shares_of_an_article_do_not_depend_on_its_neighbours(corpus):
    fitted = topics(corpus, k=3, method="lda", copies="all")
    alone = np.vstack([fitted.shares(corpus.iloc[[i]]) for i in range(0, len(corpus), 7)])
    together = fitted.shares(corpus)[::7]
    np.testing.assert_array_equal(alone, together)
