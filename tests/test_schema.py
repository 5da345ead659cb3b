"""The canonical schema: one definition, a validate that names the wrong column."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import SchemaError
from analysis.schema import (
    REQUIRED,
    SCHEMA,
    article_id,
    conform,
    describe_schema,
    empty_articles,
    validate,
)


def test_schema_defined_once_with_meanings():
    names = [c.name for c in SCHEMA]
    assert len(names) == len(set(names))
    assert all(c.meaning for c in SCHEMA)
    for col in (
        "article_id",
        "outlet",
        "title",
        "text",
        "published",
        "date_source",
        "url",
        "source_path",
        "byline",
        "dateline",
        "section",
        "language",
        "n_words",
    ):
        assert col in REQUIRED
    assert list(describe_schema()["name"]) == names


def test_empty_table_validates():
    validate(conform(empty_articles()))


def test_article_id_stable_and_sensitive():
    a = article_id("CNA", "u", "t", "x")
    assert a == article_id("CNA", "u", "t", "x")
    assert len({a, article_id("CNB", "u", "t", "x"), article_id("CNA", "u", "t", "y")}) == 3


@pytest.mark.parametrize(
    "mutate, column, reason",
    [
        (lambda d: d.drop(columns=["outlet"]), "outlet", "missing"),
        (
            lambda d: d.assign(published=d["published"].dt.tz_localize(None)),
            "published",
            "timezone-aware",
        ),
        (lambda d: d.assign(n_words=d["n_words"].astype(str)), "n_words", "expected Int64"),
        (
            lambda d: d.assign(article_id=[d["article_id"].iloc[0]] * len(d)),
            "article_id",
            "duplicate ids",
        ),
        (
            lambda d: d.assign(article_id=pd.Series([None] * len(d), dtype="string")),
            "article_id",
            "no id",
        ),
        (lambda d: d.assign(title=pd.Series([1] * len(d))), "title", "expected strings"),
    ],
)
def test_validate_names_column(tiny_articles, mutate, column, reason):
    with pytest.raises(SchemaError, match=reason) as err:
        validate(mutate(tiny_articles))
    assert err.value.column == column


def test_conform_does_not_mutate(tiny_articles):
    raw = tiny_articles.assign(published=tiny_articles["published"].astype(str))
    before = raw.copy()
    out = conform(raw)
    pd.testing.assert_frame_equal(raw, before)
    assert isinstance(out["published"].dtype, pd.DatetimeTZDtype)


def test_validate_rejects_non_frame():
    with pytest.raises(SchemaError, match="DataFrame"):
        validate([1, 2])
