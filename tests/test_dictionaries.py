"""Dictionaries (codebooks): loading, counting rules, rates by group and period."""

from __future__ import annotations

import pytest

from analysis import bundled_dictionaries, dictionary_counts, load_dictionary, term_counts, tokenize
from analysis.errors import InputError
from analysis.measures.dictionaries import Matcher

CODEBOOK = {
    "diplomacy": ["negotiat*", "peace talks", "talks", "ceasefire"],
    "military": ["missile*", "troops", "air strike*"],
    "places": ["kyiv", "black sea"],
}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Peace talks resumed.", {"diplomacy": 1}),  # the phrase consumes "talks"
        ("Talks and more talks.", {"diplomacy": 2}),
        ("Negotiators negotiated a ceasefire.", {"diplomacy": 3}),
        ("Missiles and missile troops.", {"military": 3}),
        ("Two air strikes hit Kyiv's port.", {"military": 1, "places": 1}),
        ("Peace talks, then peace. Talks.", {"diplomacy": 2}),
        ("The Black Sea fleet; the black seas.", {"places": 1}),
        ("", {}),
    ],
)
def test_counting_rules(text, expected):
    matcher = Matcher(CODEBOOK)
    got = dict(zip(matcher.labels, matcher.count(tokenize(text)) if tokenize(text) else [0, 0, 0]))
    assert {k: v for k, v in got.items() if v} == expected


def test_overlapping_phrases_match_longest_first():
    matcher = Matcher({"x": ["peace talks", "peace talks resume", "talks resume"]})
    assert matcher.count(tokenize("peace talks resume talks resume")) == [2]


def test_load_yaml_file_and_bundled_codebook(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text(
        "name: mine\ncategories:\n  aid: [humanitarian corridor*, aid]\n  war: troops\n",
        encoding="utf-8",
    )
    book = load_dictionary(path)
    assert book.name == "mine" and dict(book) == {
        "aid": ("humanitarian corridor*", "aid"),
        "war": ("troops",),
    }
    assert "war_themes" in bundled_dictionaries()
    themes = load_dictionary("war_themes")
    assert set(themes) == {"diplomacy", "military", "humanitarian", "economy"}
    assert any("*" in e for e in themes["diplomacy"]) and any(
        " " in e for e in themes["humanitarian"]
    )


@pytest.mark.parametrize(
    "content, reason",
    [
        ("categories: [a, b]", "mapping"),
        ("categories:\n  aid: []\n", "aid"),
        ("categories:\n  aid: ['...']\n", "aid"),
        ("categories: {aid: [x]\n", "YAML"),
        ("just text", "mapping"),
    ],
)
def test_bad_files_name_the_file_and_the_problem(tmp_path, content, reason):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=reason) as info:
        load_dictionary(path)
    assert str(path) in str(info.value)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such dictionary"):
        load_dictionary(tmp_path / "absent.yaml")


def test_per_article_rows_and_group_rates(tiny_articles):
    per_article = dictionary_counts(tiny_articles, CODEBOOK)
    assert len(per_article) == len(tiny_articles) * 3
    assert set(per_article["article_id"]) == set(tiny_articles["article_id"])
    talks = per_article[per_article["category"] == "diplomacy"].set_index("article_id")["count"]
    assert talks.sum() == 3  # text only, titles are not counted
    grouped = dictionary_counts(tiny_articles, CODEBOOK, by="outlet", freq="M")
    beta = grouped[(grouped["outlet"] == "Beta") & (grouped["category"] == "diplomacy")].iloc[0]
    n_words = sum(
        len(tokenize(t)) for t in tiny_articles.loc[tiny_articles["outlet"] == "Beta", "text"]
    )
    assert (beta["count"], beta["n_articles"], beta["n_words"]) == (2, 2, n_words)
    assert beta["per_10k"] == pytest.approx(2 * 10_000 / n_words)
    assert beta["articles_with_hits"] == 1 and beta["share_articles"] == pytest.approx(0.5)
    zero = grouped[(grouped["outlet"] == "Alpha") & (grouped["category"] == "military")].iloc[0]
    assert zero["count"] == 0 and zero["n_articles"] == 2


@pytest.mark.corpora
@pytest.mark.slow
def test_single_word_entries_agree_with_term_counts_on_the_ukraine_corpus(ukraine_articles):
    sample = ukraine_articles.sample(1200, random_state=7)
    counts = term_counts(sample, stopwords=None, english_only=False).set_index("term")["count"]
    book = {"war": ["troops", "artillery"], "wild": ["sanction*"], "talks": ["talks"]}
    got = dictionary_counts(sample, book, english_only=False).groupby("category")["count"].sum()
    assert got["war"] == counts.get("troops", 0) + counts.get("artillery", 0)
    assert got["wild"] == sum(n for t, n in counts.items() if t.startswith("sanction"))
    assert got["talks"] == counts["talks"]
    themes = dictionary_counts(sample, "war_themes", by="outlet", english_only=False)
    assert (themes.groupby("outlet")["count"].sum() > 0).all()
