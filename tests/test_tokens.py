"""The tokenizer: table-driven rules, and the invariants the fast counters rely on."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.measures import wordtable as wt
from analysis.measures.wordtable import count_unigrams
from analysis.text.tokens import default_stopwords, ngrams, normalize, tokenize


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Talks stall", ["talks", "stall"]),
        ("Russia's army", ["russia", "army"]),
        ("Russia’s army", ["russia", "army"]),
        ("the Kremlin´s line", ["the", "kremlin", "line"]),
        ("Ukrainians' homes", ["ukrainians", "homes"]),
        ("pro-Russian separatists", ["pro-russian", "separatists"]),
        ("war--and peace", ["war", "and", "peace"]),
        ("don’t panic", ["don't", "panic"]),
        ("COVID-19 and F-16s", ["covid-19", "and", "f-16s"]),
        ("1,000 troops; 3.5% inflation", ["1,000", "troops", "3.5", "inflation"]),
        ("in 2022.", ["in", "2022"]),
        ("U.S. and U.K. officials", ["u.s", "and", "u.k", "officials"]),
        ("then-U.S. President", ["then-u.s", "president"]),
        ("e.g. grain", ["e.g", "grain"]),
        (
            "see https://www.bbc.co.uk/news/world-60525350.",
            ["see", "https://www.bbc.co.uk/news/world-60525350"],
        ),
        ("(www.example.org)", ["www.example.org"]),
        ("snake_case", ["snake", "case"]),
        ("Zelenskyy: «Київ»", ["zelenskyy", "київ"]),
        ("", []),
        ("— … !!", []),
    ],
)
def test_tokenize_rules(text, expected):
    assert tokenize(text) == expected


@pytest.mark.parametrize("value", [None, float("nan"), 3])
def test_tokenize_non_text_is_empty(value):
    assert tokenize(value) == []


def test_normalize_keeps_length_for_apostrophes():
    text = "Kyiv’s and Kremlin´s and Kyivʼs"
    assert len(normalize(text)) == len(text)
    assert "'" in normalize(text) and "’" not in normalize(text)


def test_ngrams_join_consecutive_tokens():
    assert list(ngrams(["a", "b", "c"], 2)) == ["a b", "b c"]
    assert list(ngrams(["a", "b", "c"], 3)) == ["a b c"]
    assert list(ngrams(["a"], 2)) == []


def test_default_stopwords_extend_with_tokenized_words():
    base = default_stopwords()
    assert {"the", "said"} <= base
    extended = default_stopwords(["Ukraine's", "Kyiv"])
    assert {"ukraine", "kyiv"} <= extended and base < extended


_pieces = st.sampled_from(
    [
        "Russia's",
        "U.S.",
        "pro-Russian",
        "1,000",
        "3.5",
        "don’t",
        "https://x.org/a?b=1.",
        "www.y.com,",
        "Ukrainians'",
        "—",
        "(Kyiv)",
        "war--and",
        "e.g.",
        "İstanbul",
        "ΟΔΟΣ",
        "Kremlin´s",
        "a",
        "-",
        "'s",
        "then-U.S.",
        "snake_case",
        "_",
        "https://",
        "www.",
        "“quoted”",
        ".",
        "x.y",
        "12:30",
        "\u00a0",
        "é",
        "ß",
        "Kyiv:",
        "/x",
        "_a_",
        "'quoted'",
        "www.",
        "https:",
        "http://",
        ".5",
        "-word-",
        "$5",
        "'s'",
        "a.",
        "1.",
        "(www",
        "F-16s,",
        "(U.S.)",
        "s'",
        "“Kyiv”",
        "Ukrainians’",
        "’s",
        "‘x’",
        "…",
        "—word—",
        "“Russia’s”",
        "it’s.",
        "\u2000",
        "x\u2030",
        "Ⓚ",
        "russia‘s",
        "–",
    ]
)
_texts = st.lists(st.one_of(_pieces, st.text(max_size=8)), max_size=30).flatmap(
    # "" glues pieces into one chunk such as "(U.S.)Kyiv:'s"
    lambda parts: st.sampled_from([" ", "\n", "  ", "\t", ""]).map(lambda sep: sep.join(parts))
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_texts, min_size=1, max_size=6))
def test_fast_counter_equals_counter_over_tokenize(texts):
    codes = np.zeros(len(texts), dtype=np.int64)
    expected = Counter(t for text in texts for t in tokenize(text))
    expected_df = Counter(t for text in texts for t in set(tokenize(text)))
    # per-row bytes (the per-text counter) and, where the texts are UTF-8, an Arrow array
    sources = [texts]
    arrow = wt.text_array(pd.DataFrame({"text": texts}))
    if arrow is not None:
        sources.append(arrow)
    for source in sources:
        counts, dfs, n_docs, n_words = count_unigrams(source, codes, 1, n_jobs=1)
        assert counts[0] == expected
        assert dfs[0] == expected_df
        assert n_words[0] == sum(expected.values()) and n_docs[0] == len(texts)


@settings(max_examples=100, deadline=None)
@given(_texts)
def test_tokens_are_lowercase_and_never_hold_whitespace(text):
    for tok in tokenize(text):
        assert tok and not any(ch.isspace() for ch in tok)
        assert tok == normalize(tok)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_counters_take_joined_words_and_numbers_as_the_tokenizer_does(n_jobs):
    # the batch resolver takes these shapes whole; typographic dashes and dots inside
    # a word do not join it, and a lone "s" after a hyphen or apostrophe stands apart
    texts = [
        "pro-russian don't rock'n'roll 1,000 2.5 2022-03-01 covid-19's (f-16s).",
        "unthinkable–a war—russia 1…5 1–9 s-x x-s it's-a a-s-b '90s don’t",
        "Pro-Russian 1,000. ‘rock'n'roll’ x--y -pro- 1.2.3 1,2,x",
        # an underscore is a word character to \b; a URL's start keeps what follows
        "a's_ _Russia's_ snake_case's __init__ https://… (www./) http:/// www.— http://‘",
    ] * 3
    codes = np.zeros(len(texts), dtype=np.int64)
    expected = Counter(t for text in texts for t in tokenize(text))
    for source in (texts, wt.text_source(pd.DataFrame({"text": texts}))):
        counts, dfs, _, _ = count_unigrams(source, codes, 1, n_jobs=n_jobs)
        assert counts[0] == expected
        assert dfs[0] == Counter(t for text in texts for t in set(tokenize(text)))
    assert [dict(c) for c in wt.per_article_counts(texts)] == [
        dict(Counter(tokenize(t))) for t in texts
    ]
