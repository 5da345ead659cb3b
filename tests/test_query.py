"""The query language: parsing, errors with positions, and matching on tokens (pandas and Dask)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis
from analysis.errors import ParameterError
from analysis.text.query import All, Any, Not, Words, parse_query
from analysis.text.tokens import tokenize


def w(*words, field="text", slop=None):
    return Words(tuple(words), field, slop)


@pytest.mark.parametrize(
    "query, tree",
    [
        ("ceasefire", w("ceasefire")),
        ("Russia's", w("russia")),
        ('"Peace talks"', w("peace", "talks")),
        ('"ceasefire talks"~5', w("ceasefire", "talks", slop=5)),
        ("a b", All((w("a"), w("b")))),
        ("a AND b", All((w("a"), w("b")))),
        ("a && b", All((w("a"), w("b")))),
        ("a OR b", Any((w("a"), w("b")))),
        ("a || b", Any((w("a"), w("b")))),
        ("NOT a", Not(w("a"))),
        ("-a", Not(w("a"))),
        ("!a", Not(w("a"))),
        ("+a", w("a")),
        ("a NOT b", All((w("a"), Not(w("b"))))),
        ("a -b", All((w("a"), Not(w("b"))))),
        ("NOT NOT a", w("a")),
        # precedence: NOT > AND > OR
        ("a OR b AND c", Any((w("a"), All((w("b"), w("c")))))),
        ("a AND b OR c", Any((All((w("a"), w("b"))), w("c")))),
        ("a b OR c", Any((All((w("a"), w("b"))), w("c")))),
        ("NOT a AND b", All((Not(w("a")), w("b")))),
        ("(a OR b) AND c", All((Any((w("a"), w("b"))), w("c")))),
        ("a AND (b OR NOT c)", All((w("a"), Any((w("b"), Not(w("c"))))))),
        # fields
        ("title:ceasefire", w("ceasefire", field="title")),
        ('outlet:"BBC News"', w("bbc", "news", field="outlet")),
        ("TITLE:(a OR b) c", All((Any((w("a", field="title"), w("b", field="title"))), w("c")))),
        # keywords are upper case; other words are terms
        ("android and or", All((w("android"), w("and"), w("or")))),
        ("ANDROID", w("android")),
        ("covid-19 U.S.", All((w("covid-19"), w("u.s")))),
    ],
)
def test_parse(query, tree):
    assert parse_query(query) == tree


def test_default_or_makes_a_space_or_but_keeps_not_as_and_not():
    assert parse_query("a b", default="OR") == Any((w("a"), w("b")))
    assert parse_query("a b AND c", default="OR") == Any((w("a"), All((w("b"), w("c")))))
    assert parse_query("a NOT b", default="OR") == All((w("a"), Not(w("b"))))
    with pytest.raises(ParameterError, match="default"):
        parse_query("a", default="XOR")


def test_wildcards_become_whole_token_patterns():
    (word,) = parse_query("negotiat*").words
    assert isinstance(word, re.Pattern) and word.fullmatch("negotiations")
    assert not word.fullmatch("renegotiation")
    (word,) = parse_query("t?lks").words
    assert word.fullmatch("talks") and not word.fullmatch("tlks")


@pytest.mark.parametrize(
    "query, message",
    [
        ("ceasefire AND", "expected a term after AND at column 14"),
        ("ceasefire talks AND OR grain", "expected a term after AND at column 21, found 'OR'"),
        ("ceasefire OR", "expected a term after OR at column 13"),
        ("NOT", "expected a term after NOT at column 4"),
        ("(a OR b", r"expected '\)' at column 8"),
        ("a) b", "at column 2, found '\\)'"),
        ('"peace talks', "phrase opened with '\"' at column 1 is never closed"),
        ("talks~3", "'~' at column 6 must follow a phrase"),
        (
            "byline:smith",
            "unknown field 'byline' at column 1; fields are text, title, outlet, section",
        ),
        ('"..."', "holds no word"),
        ("", "not a non-empty string"),
        ("   ", "not a non-empty string"),
    ],
)
def test_syntax_errors_name_the_column_and_what_was_expected(query, message):
    with pytest.raises(ParameterError, match=message):
        parse_query(query)


ARTICLES = pd.DataFrame(
    {
        "article_id": ["a1", "a2", "a3", "a4", "a5"],
        "outlet": ["BBC News", "The Guardian", "BBC News", "RT", "Reuters"],
        "title": ["Ceasefire talks", "Grain deal", "Markets", "Opinion: talks", None],
        "text": [
            "Ceasefire talks resumed; the ceasefire held.",
            "Talks on the grain deal stalled. Negotiators met in Istanbul.",
            "Stocks fell as ceasefire hopes faded.",
            "The talks about a ceasefire were, in our view, doomed.",
            None,
        ],
    }
)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("ceasefire", {"a1": 2, "a3": 1, "a4": 1}),
        ("CEASEFIRE", {"a1": 2, "a3": 1, "a4": 1}),
        ('"ceasefire talks"', {"a1": 1}),
        ('"ceasefire talks"~0', {"a1": 1}),
        ('"ceasefire talks"~3', {"a1": 2, "a4": 1}),
        ("ceasefire AND talks", {"a1": 3, "a4": 2}),
        ("ceasefire NOT talks", {"a3": 1}),
        ("negotiat* OR grain", {"a2": 2}),
        ("title:talks", {"a1": 1, "a4": 1}),
        ("talks -title:opinion", {"a1": 1, "a2": 1}),
        ('outlet:"bbc news" ceasefire', {"a1": 3, "a3": 2}),
        ("NOT ceasefire", {"a2": 0, "a5": 0}),
        ("istanbul OR (markets AND NOT stocks)", {"a2": 1}),
    ],
)
def test_match_counts_hits_per_article(query, expected):
    found = analysis.match(ARTICLES, query)
    assert list(found.columns) == ["article_id", "hits"]
    assert dict(zip(found["article_id"], found["hits"])) == expected
    order = ARTICLES["article_id"].tolist()
    assert found["article_id"].tolist() == sorted(expected, key=order.index)


def test_match_on_dask_equals_pandas():
    import dask.dataframe as dd

    parted = dd.from_pandas(ARTICLES, npartitions=3)
    for query in ("ceasefire", '"ceasefire talks"~3 OR negotiat*', "NOT title:talks"):
        expected = analysis.match(ARTICLES, query)
        got = analysis.match(parted, query)
        pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)


def test_match_needs_article_ids():
    with pytest.raises(ParameterError, match="article_id"):
        analysis.match(ARTICLES.drop(columns="article_id"), "talks")


# Property tests: a brute-force matcher, one article at a time, is the oracle.

VOCAB = ["peace", "talks", "truce", "grain", "deal", "kyiv", "the"]


def brute_hits(node, doc: dict[str, list[str]]) -> int:
    """Hits of a query tree in one article, or -1 (the definition, written plainly)."""
    if isinstance(node, Words):
        toks = doc.get(node.field, [])

        def ok(matcher, tok):
            return matcher == tok if isinstance(matcher, str) else bool(matcher.fullmatch(tok))

        n = len(node.words)
        hits = 0
        for p, tok in enumerate(toks):
            if not ok(node.words[0], tok):
                continue
            if node.slop is None:
                good = all(
                    p + k < len(toks) and ok(node.words[k], toks[p + k]) for k in range(1, n)
                )
            else:
                reach = node.slop + n - 1
                good = all(
                    any(ok(node.words[k], toks[q]) for q in range(len(toks)) if abs(q - p) <= reach)
                    for k in range(1, n)
                )
            hits += good
        return hits if hits else -1
    if isinstance(node, Not):
        return 0 if brute_hits(node.part, doc) < 0 else -1
    parts = [brute_hits(p, doc) for p in node.parts]
    ok = all(h >= 0 for h in parts) if isinstance(node, All) else any(h >= 0 for h in parts)
    return sum(max(h, 0) for h in parts) if ok else -1


texts = st.lists(st.sampled_from(VOCAB + ["Talks,", "PEACE.", "talks'"]), max_size=12).map(" ".join)
corpora = st.lists(
    st.tuples(texts, st.sampled_from(["talks", "grain deal", ""])), min_size=1, max_size=12
)


QUERY_WORDS = VOCAB + ["t*", "p?ace", "*e"]


@st.composite
def queries(draw, depth=2, words=tuple(QUERY_WORDS)):
    """Random queries: terms, phrases, proximity, a field, the operators, parentheses."""
    word = st.sampled_from(words)
    if depth == 0 or draw(st.booleans()):
        kind = draw(st.sampled_from(["term", "phrase", "near", "title"]))
        if kind == "term":
            return draw(word)
        if kind == "title":
            return "title:" + draw(word)
        phrase = '"' + " ".join(draw(st.lists(word, min_size=2, max_size=3))) + '"'
        return phrase + (f"~{draw(st.integers(0, 4))}" if kind == "near" else "")
    op = draw(st.sampled_from([" AND ", " OR ", " ", " NOT "]))
    left, right = (draw(queries(depth=depth - 1, words=words)) for _ in range(2))
    return f"({left}{op}{right})" if draw(st.booleans()) else f"{left}{op}{right}"


def frame(corpus):
    return pd.DataFrame(
        {
            "article_id": [f"x{i}" for i in range(len(corpus))],
            "text": [t for t, _ in corpus],
            "title": [t for _, t in corpus],
        }
    )


def matched(table, query) -> dict[str, int]:
    found = analysis.match(table, query)
    return dict(zip(found["article_id"], found["hits"]))


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(corpora, queries())
def test_match_agrees_with_a_brute_force_reading(corpus, query):
    table = frame(corpus)
    node = parse_query(query)
    expected = {}
    for i, (text, title) in enumerate(corpus):
        hits = brute_hits(node, {"text": tokenize(text), "title": tokenize(title)})
        if hits >= 0:
            expected[f"x{i}"] = hits
    assert matched(table, query) == expected


@SETTINGS
@given(corpora, queries(depth=1), queries(depth=1))
def test_or_is_the_union_and_not_the_complement(corpus, a, b):
    table = frame(corpus)
    ids_a, ids_b = set(matched(table, a)), set(matched(table, b))
    assert set(matched(table, f"({a}) OR ({b})")) == ids_a | ids_b
    assert set(matched(table, f"({a}) AND ({b})")) == ids_a & ids_b
    assert set(matched(table, f"NOT ({a})")) == set(table["article_id"]) - ids_a


@SETTINGS
@given(corpora, st.lists(st.sampled_from(VOCAB), min_size=2, max_size=3), st.integers(0, 3))
def test_a_phrase_matches_a_subset_of_its_words_and(corpus, words, slop):
    table = frame(corpus)
    phrase = set(matched(table, '"' + " ".join(words) + '"'))
    near = set(matched(table, '"' + " ".join(words) + f'"~{slop}'))
    both = set(matched(table, " AND ".join(words)))
    assert phrase <= near <= both


@pytest.mark.parametrize(
    ("query", "want"),
    [
        ("ceasefire", ["ceasefire"]),
        ('(ceasefire OR truce) AND "peace talks"~5', ["ceasefire", "truce", "peace talks"]),
        ("negotiat* NOT opinion", ["negotiat*"]),
        ("talks -(grain OR wheat) title:summit outlet:BBC", ["talks"]),
        ("talks talks", ["talks"]),
        (["grain deal", "negotiat*"], ["grain deal", "negotiat*"]),
    ],
)
def test_query_terms_are_the_words_a_reader_looks_up(query, want):
    from analysis.text.query import query_terms

    assert query_terms(query) == want


@pytest.mark.parametrize(
    ("value", "want"),
    [
        (["ceasefire", "grain deal"], 'ceasefire OR "grain deal"'),
        ("ceasefire, talks", "ceasefire OR talks"),
        ("ceasefire AND talks", "ceasefire AND talks"),
        ('"talks, again"', '"talks, again"'),
        ("title:talks, truce", "title:talks, truce"),
    ],
)
def test_a_list_of_words_becomes_a_query_for_any_of_them(value, want):
    from analysis.text.query import as_query

    assert as_query(value) == want
