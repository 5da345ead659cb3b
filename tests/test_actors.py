"""Measures on mentions: top actors, actors on the rise, co-mentions, tone, mentioned against quoted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis.errors import ParameterError, SchemaError

ARTICLES = pd.DataFrame(
    {
        "article_id": ["a1", "a2", "a3", "b1", "b2"],
        "outlet": ["A", "A", "A", "B", "B"],
        "published": ["2022-03-01", "2022-03-02", "2022-03-20", "2022-03-03", "2022-03-21"],
        "is_duplicate": [False, False, False, False, True],
    }
)
# article, sentence, actor, type
MENTIONS = pd.DataFrame(
    [
        ("a1", 0, "Vladimir Putin", "PERSON"),
        ("a1", 0, "Kyiv", "PLACE"),
        ("a1", 1, "Vladimir Putin", "PERSON"),
        ("a2", 0, "Vladimir Putin", "PERSON"),
        ("a2", 0, "Kremlin", "ORG"),
        ("a3", 0, "Dmytro Kuleba", "PERSON"),
        ("a3", 1, "Dmytro Kuleba", "PERSON"),
        ("a3", 1, "Kyiv", "PLACE"),
        ("b1", 0, "Vladimir Putin", "PERSON"),
        ("b1", 0, "Kyiv", "PLACE"),
        ("b2", 0, "Dmytro Kuleba", "PERSON"),
        ("b2", 0, "Kyiv", "PLACE"),
    ],
    columns=["article_id", "sentence", "actor", "type"],
).assign(text=lambda d: d["actor"].str.split().str[-1])


def test_top_actors_per_outlet_with_rates_and_article_ids():
    out = analysis.top_actors(MENTIONS, ARTICLES, by="outlet")
    a = out[out["outlet"] == "A"].set_index("actor")
    assert a.loc["Vladimir Putin", "mentions"] == 3
    assert a.loc["Vladimir Putin", "articles"] == 2
    assert a.loc["Vladimir Putin", "per_1k_articles"] == 1000.0  # 3 mentions in 3 articles
    assert a.loc["Vladimir Putin", "rank"] == 1
    assert a.loc["Vladimir Putin", "article_ids"] == ["a1", "a2"]
    b = out[out["outlet"] == "B"].set_index("actor")
    assert b.loc["Kyiv", "mentions"] == 2 and b.loc["Kyiv", "per_1k_articles"] == 1000.0


def test_an_outlet_naming_itself_is_no_actor_of_its_own_articles():
    articles = pd.DataFrame(
        {
            "article_id": ["c1", "c2", "g1"],
            "outlet": ["CNN", "CNN", "guardian"],
            "published": ["2022-03-01", "2022-03-20", "2022-03-02"],
        }
    )
    mentions = pd.DataFrame(
        [
            ("c1", "CNN", "ORG"),  # CNN's own credit
            ("c1", "CNN", "ORG"),
            ("c1", "NATO", "ORG"),
            ("c2", "CNN", "ORG"),
            ("c2", "The Guardian", "ORG"),  # another outlet: an actor of the story
            ("g1", "The Guardian", "ORG"),  # its own name
            ("g1", "CNN", "ORG"),
            ("g1", "Guardian Smith", "PERSON"),  # a person is never an outlet's credit
        ],
        columns=["article_id", "actor", "type"],
    )
    out = analysis.top_actors(mentions, articles, by="outlet")
    named = {o: set(rows["actor"]) for o, rows in out.groupby("outlet")}
    assert named == {"CNN": {"NATO", "The Guardian"}, "guardian": {"CNN", "Guardian Smith"}}
    every = analysis.top_actors(mentions, articles, by="outlet", own_outlet=True)
    cnn = every[every["outlet"] == "CNN"].set_index("actor")
    assert cnn.loc["CNN", "mentions"] == 3 and cnn.loc["CNN", "rank"] == 1
    rising = analysis.rising_actors(mentions, articles, split="2022-03-15", min_count=1)
    cnn = rising.set_index("actor").loc["CNN"]  # CNN's own articles leave only the Guardian's
    assert (cnn["before"], cnn["after"]) == (1, 0)
    assert analysis.without_own_outlet(mentions, articles.drop(columns="outlet")) is mentions


def test_top_actors_unique_copies_type_and_top():
    unique = analysis.top_actors(MENTIONS, ARTICLES, by="outlet", copies="unique")
    b = unique[unique["outlet"] == "B"].set_index("actor")
    assert "Dmytro Kuleba" not in b.index  # named only in the copy b2
    assert b.loc["Kyiv", "per_1k_articles"] == 1000.0  # 1 mention, 1 article left
    people = analysis.top_actors(MENTIONS, ARTICLES, by=None, type="PERSON", top=1)
    assert people[["actor", "mentions", "n_articles"]].values.tolist() == [["Vladimir Putin", 4, 5]]
    weekly = analysis.top_actors(MENTIONS, ARTICLES, by=None, freq="W", type="ORG")
    assert weekly["period"].astype(str).tolist() == ["2022-02-28"]
    with pytest.raises(ParameterError, match="type="):
        analysis.top_actors(MENTIONS, ARTICLES, type="PEOPLE")
    with pytest.raises(SchemaError, match="actor"):
        analysis.top_actors(MENTIONS.drop(columns="actor"), ARTICLES)


def test_rising_actors_compares_two_periods():
    out = analysis.rising_actors(MENTIONS, ARTICLES, split="2022-03-15", min_count=1, top=None)
    first = out.iloc[0]
    assert first["actor"] == "Dmytro Kuleba"
    assert (first["before"], first["after"]) == (0, 3)
    assert first["log_ratio"] > 0 and first["article_ids"] == ["a3", "b2"]
    putin = out.set_index("actor").loc["Vladimir Putin"]
    assert (putin["before"], putin["after"]) == (4, 0) and putin["log_ratio"] < 0
    with pytest.raises(ParameterError, match="split"):
        analysis.rising_actors(MENTIONS, ARTICLES, split="not a date")


def test_co_mentions_in_sentences_and_articles():
    sentence = analysis.co_mentions(MENTIONS)
    pairs = {(r.source, r.target): (r.weight, r.article_ids) for r in sentence.itertuples()}
    assert pairs[("Kyiv", "Vladimir Putin")] == (2, ["a1", "b1"])  # a1 sentence 0, b1
    assert pairs[("Dmytro Kuleba", "Kyiv")] == (2, ["a3", "b2"])
    assert ("Kremlin", "Vladimir Putin") in pairs
    article = analysis.co_mentions(MENTIONS, level="article", type="PERSON")
    assert article.empty  # no article names two people
    assert analysis.co_mentions(MENTIONS, min_weight=2)["weight"].min() == 2
    with pytest.raises(ParameterError, match="level"):
        analysis.co_mentions(MENTIONS, level="paragraph")


def test_rising_actors_counts_one_copy_per_story_and_takes_a_dated_split():
    unique = analysis.rising_actors(
        MENTIONS, ARTICLES, split="2022-03-15", min_count=1, top=None, copies="unique"
    ).set_index("actor")
    assert unique.loc["Dmytro Kuleba", "after"] == 2  # the copy b2 is left out
    assert unique.loc["Dmytro Kuleba", "article_ids"] == ["a3"]
    # a split with a time zone, as a report's first publication date is
    zoned = analysis.rising_actors(
        MENTIONS, ARTICLES, split=pd.Timestamp("2022-03-15", tz="UTC"), min_count=1
    )
    assert zoned.iloc[0]["actor"] == "Dmytro Kuleba" and zoned.iloc[0]["after"] == 3
    with pytest.raises(ParameterError, match="copies"):
        analysis.rising_actors(MENTIONS, ARTICLES, split="2022-03-15", copies="once")


def test_rising_actors_compares_two_groups_of_a_column():
    ids = MENTIONS.assign(article_id=MENTIONS["article_id"].astype("string"))  # as a corpus reads
    out = analysis.rising_actors(ids, ARTICLES, by="outlet", min_count=1, top=None)
    kuleba = out.set_index("actor").loc["Dmytro Kuleba"]
    assert (kuleba["before"], kuleba["after"]) == (2, 1)  # outlet A first, then B
    assert kuleba["article_ids"] == ["b2"]
    assert out.set_index("actor").loc["Kremlin", "article_ids"] == []
    with pytest.raises(ParameterError, match="one of them"):
        analysis.rising_actors(MENTIONS, ARTICLES, split="2022-03-15", by="outlet")
    with pytest.raises(ParameterError, match="3 values"):
        analysis.rising_actors(MENTIONS, ARTICLES.assign(outlet=list("ABCAB")), by="outlet")


def test_co_mentions_per_group_and_one_copy_per_story():
    unique = analysis.co_mentions(MENTIONS, ARTICLES, copies="unique")
    pairs = {(r.source, r.target): (r.weight, r.article_ids) for r in unique.itertuples()}
    assert pairs[("Dmytro Kuleba", "Kyiv")] == (1, ["a3"])  # the copy b2 is left out
    assert pairs[("Kyiv", "Vladimir Putin")] == (2, ["a1", "b1"])
    grouped = analysis.co_mentions(MENTIONS, ARTICLES, by="outlet", top=1)
    assert grouped.columns.tolist()[:3] == ["outlet", "source", "target"]
    assert grouped[["outlet", "source", "target", "weight", "article_ids"]].values.tolist() == [
        ["A", "Dmytro Kuleba", "Kyiv", 1, ["a3"]],  # ties: alphabetical
        ["B", "Dmytro Kuleba", "Kyiv", 1, ["b2"]],
    ]
    both = analysis.co_mentions(MENTIONS, ARTICLES, by="outlet", level="article", copies="unique")
    assert set(both["outlet"]) == {"A", "B"} and "b2" not in sum(both["article_ids"], [])
    with pytest.raises(ParameterError, match="articles table"):
        analysis.co_mentions(MENTIONS, by="outlet")
    with pytest.raises(ParameterError, match="'section' is not a column"):
        analysis.co_mentions(MENTIONS, ARTICLES, by="section")


def test_side_by_side_sets_each_groups_rows_beside_the_others():
    actors = analysis.top_actors(MENTIONS, ARTICLES, by="outlet", top=2)
    wide = analysis.side_by_side(actors, by="outlet")
    assert wide.columns.tolist() == ["A actor", "A per_1k_articles", "B actor", "B per_1k_articles"]
    assert wide.iloc[0].tolist() == ["Vladimir Putin", 1000.0, "Kyiv", 1000.0]
    assert analysis.side_by_side(None) is None
    with pytest.raises(ParameterError, match="no column"):
        analysis.side_by_side(actors)  # no "group" column


def test_quote_speakers_get_the_actors_of_mentions_and_compare():
    text = (
        "Foreign Minister Dmytro Kuleba arrived in Istanbul.\n"
        '"We will not trade our land," Kuleba said.\n'
        '"The talks are hard," said Dmitry Peskov, the Kremlin spokesman.'
    )
    arts = pd.DataFrame({"article_id": ["q"], "outlet": ["A"], "text": [text]})
    mentions = analysis.entities(arts, cache_dir=False)
    quotes = analysis.extract_quotes(arts)
    named = analysis.quote_actors(quotes, mentions)
    assert set(named["actor"].dropna()) == {"Dmytro Kuleba", "Dmitry Peskov"}
    table = analysis.mentioned_vs_quoted(mentions, quotes, by="outlet", articles=arts)
    kuleba = table.set_index("actor").loc["Dmytro Kuleba"]
    assert (kuleba["mentions"], kuleba["quotes"], kuleba["quoted_share"]) == (2, 1, 1.0)
    assert "Istanbul" not in set(table["actor"])  # people and organisations by default


def test_actor_tone_matches_every_spelling_of_an_actor():
    sentences = pd.DataFrame(
        {
            "article_id": ["a", "a", "b", "b"],
            "outlet": ["A"] * 4,
            "sentence": [
                "Zelenskiy praised the brave defenders.",
                "Rain fell.",
                "Zelensky condemned the terrible attack.",
                "Putin lied.",
            ],  # fmt: skip
            "compound": [0.6, 0.0, -0.7, -0.5],
        }
    )
    mentions = pd.DataFrame(
        {
            "article_id": ["a", "b", "b"],
            "text": ["Zelenskiy", "Zelensky", "Putin"],
            "type": ["PERSON"] * 3,
            "actor": ["Volodymyr Zelensky", "Volodymyr Zelensky", "Vladimir Putin"],
        }
    )
    out = analysis.actor_tone(mentions, sentences, by=None, n_boot=20).set_index("target")
    assert out.loc["Volodymyr Zelensky", "n"] == 2
    assert out.loc["Volodymyr Zelensky", "mean"] == pytest.approx(-0.05)
    assert out.loc["Vladimir Putin", "n"] == 1


def test_network_and_named_quoted_charts_draw(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    edges = analysis.co_mentions(MENTIONS, level="article")
    extra = pd.DataFrame({"source": ["BP"], "target": ["Rosneft"], "weight": [1], "articles": [1],
                          "article_ids": [["x"]]})  # fmt: skip
    ax = analysis.plot_co_mentions(pd.concat([edges, extra]), mentions=MENTIONS)
    assert ax.get_title(loc="left").startswith("Actors named in the same")
    assert "2 apart from the rest not drawn" in ax.get_title(loc="left")
    labels = {t.get_text() for t in ax.texts}
    assert {"Vladimir Putin", "Kyiv", "Kremlin", "Dmytro Kuleba"} <= labels
    assert "BP" not in labels
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["person", "org", "place"]
    ax.figure.savefig(tmp_path / "network.png")
    assert (tmp_path / "network.png").stat().st_size > 10_000
    empty = analysis.plot_co_mentions(edges.iloc[:0])
    assert "0 pairs" in empty.get_title(loc="left")
    table = pd.DataFrame(
        {"actor": ["A", "B"], "mention_articles": [5, 3], "quote_articles": [2, 0]}
    )
    bars = analysis.plot_mentioned_vs_quoted(table)
    assert [t.get_text() for t in bars.get_yticklabels()] == ["B", "A"]


def _label_places(ax) -> dict[str, tuple[float, float]]:
    return {t.get_text(): tuple(t.xy) for t in ax.texts if hasattr(t, "xy")}


def test_network_per_group_one_panel_each_actors_in_the_same_places(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    edges = analysis.co_mentions(MENTIONS, ARTICLES, by="outlet", level="article")
    assert set(edges["outlet"]) == {"A", "B"}
    fig = analysis.plot_co_mentions(edges, mentions=MENTIONS)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left").split(" (")[0] for ax in panels] == ["A", "B"]
    first, second = (_label_places(ax) for ax in panels)
    # outlet A names Putin, Kyiv, Kremlin and Kuleba together; B names Putin, Kyiv, Kuleba
    assert set(first) == {"Vladimir Putin", "Kyiv", "Kremlin", "Dmytro Kuleba"}
    assert set(second) == {"Vladimir Putin", "Kyiv", "Dmytro Kuleba"}
    for actor in second:
        assert first[actor] == pytest.approx(second[actor])
    assert panels[0].get_xlim() == panels[1].get_xlim()
    # the Kremlin, absent from B, is a grey dot at its place in A
    grey = np.vstack([c.get_offsets() for c in panels[1].collections if len(c.get_offsets())])
    assert any(np.allclose(xy, first["Kremlin"]) for xy in grey)
    assert "by outlet" in fig.get_suptitle()
    fig.savefig(tmp_path / "panels.png")
    assert (tmp_path / "panels.png").stat().st_size > 10_000
    # by="" adds the groups up into one network
    one = analysis.plot_co_mentions(edges, mentions=MENTIONS, by="")
    assert set(_label_places(one)) == {"Vladimir Putin", "Kyiv", "Kremlin", "Dmytro Kuleba"}


def test_network_per_group_refuses_more_than_six_groups():
    import matplotlib

    matplotlib.use("Agg")
    pairs = pd.DataFrame({"source": ["Kyiv"], "target": ["Putin"], "weight": [1]})
    edges = pd.concat([pairs.assign(outlet=f"o{i}") for i in range(7)])[
        ["outlet", "source", "target", "weight"]
    ]
    with pytest.raises(ParameterError, match="7 groups in outlet, more than the 6 panels"):
        analysis.plot_co_mentions(edges)
    fig = analysis.plot_co_mentions(edges[edges["outlet"] != "o6"], ncols=3)
    assert sum(ax.get_visible() for ax in fig.axes) == 6
    with pytest.raises(ParameterError, match="ax= draws one network"):
        analysis.plot_co_mentions(edges.head(2), ax=fig.axes[0])


def test_network_of_no_pairs_with_a_group_column_says_so():
    import matplotlib

    matplotlib.use("Agg")
    edges = analysis.co_mentions(MENTIONS, ARTICLES, by="outlet").iloc[:0]
    ax = analysis.plot_co_mentions(edges)
    assert "0 pairs" in ax.get_title(loc="left")
    assert [t.get_text() for t in ax.texts] == ["No two actors named together"]
