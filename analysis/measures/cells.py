"""
The articles behind a table's cells: for each group and period, or each group's term,
the ids of the articles it counts, so that a report can list them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.engine import gather
from analysis.errors import ParameterError
from analysis.measures.queries import match
from analysis.measures.wordtable import add_period, as_list, need_columns
from analysis.text.tokens import ngrams, tokenize
from analysis.text.variants import fold_map


def article_ids(
    articles: Any,
    *,
    by: str | Sequence[str] | None = None,
    freq: str | None = None,
    query: str | None = None,
) -> pd.DataFrame:
    """
    List the ids of the articles in each group (and period), newest first.

    Parameters
    ----------
    articles : DataFrame or dask.dataframe.DataFrame
        Canonical articles table.
    by : str, sequence of str or None, default None
        Grouping column(s); None puts every article in one row.
    freq : {"D", "W", "M"} or None, default None
        Period of :func:`analysis.volume` (rows without a date are left out).
    query : str or None, default None
        Keep only the articles the query matches (:func:`analysis.match`): the
        articles behind :func:`analysis.attention`'s ``matching`` counts.

    Returns
    -------
    DataFrame
        ``[*by, period?, articles, article_ids]``: one row per group (and period)
        holding at least one article, ``article_ids`` a list.

    Examples
    --------
    >>> df = pd.DataFrame({"article_id": ["a", "b", "c"], "outlet": ["X", "X", "Y"],
    ...                    "published": pd.to_datetime(["2022-03-01", "2022-03-02", "2022-03-01"])})
    >>> article_ids(df, by="outlet")[["outlet", "articles"]].to_dict("list")
    {'outlet': ['X', 'Y'], 'articles': [2, 1]}
    """
    keys = as_list(by)
    table = gather(
        articles, ["article_id", "published", *keys, "text", "title", "outlet", "section"]
    )
    need_columns(table, ["article_id", *keys], "article_ids")
    if query:
        found = match(table, query)
        table = table[table["article_id"].isin(found["article_id"])]
    if freq is not None:
        table = add_period(table, freq, where="article_ids")
        keys = [*keys, "period"]
    if "published" in table:
        table = table.sort_values("published", ascending=False, kind="stable", na_position="last")
    if not keys:
        ids = list(table["article_id"])
        return pd.DataFrame({"articles": [len(ids)], "article_ids": [ids]})
    grouped = table.groupby(keys, observed=True, sort=True, dropna=False)["article_id"]
    out = grouped.agg(list).rename("article_ids").reset_index()
    return out.assign(articles=out["article_ids"].map(len))[[*keys, "articles", "article_ids"]]


def term_articles(
    articles: Any,
    terms: pd.DataFrame,
    *,
    by: str,
    variants: Mapping[str, Sequence[str]] | None = None,
    group: str = "group",
    term: str = "term",
) -> pd.DataFrame:
    """
    Add to a table of terms per group the ids of the group's articles using each term.

    Parameters
    ----------
    articles : DataFrame or dask.dataframe.DataFrame
        The articles the terms were counted in.
    terms : DataFrame
        A table with a group column and a term column, such as :func:`analysis.keyness`
        (``group``, ``term``) or :func:`analysis.term_counts` (``by``, ``term``).
    by : str
        The articles' column holding the groups.
    variants : mapping or None, default None
        The spellings folded into one term (as given to :func:`analysis.keyness`).
    group, term : str, default "group", "term"
        The columns of ``terms`` naming the group and the term.

    Returns
    -------
    DataFrame
        ``terms`` with ``article_ids`` (a list) added, the newest article first.

    Examples
    --------
    >>> df = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", "X"],
    ...                    "text": ["Talks stall.", "Shelling again."]})
    >>> t = pd.DataFrame({"group": ["X"], "term": ["talks"]})
    >>> term_articles(df, t, by="outlet")["article_ids"].tolist()
    [['a']]
    """
    for column in (group, term):
        if column not in terms.columns:
            raise ParameterError(f"term_articles: the terms table has no column {column!r}")
    table = gather(articles, ["article_id", "published", "text", by])
    need_columns(table, ["article_id", "text", by], "term_articles")
    if "published" in table:
        table = table.sort_values("published", ascending=False, kind="stable", na_position="last")
    fold = fold_map(variants) if variants else {}
    wanted = {str(g): set() for g in terms[group].unique()}
    for g, t in zip(terms[group].astype(str), terms[term].astype(str)):
        wanted[g].add(t)
    sizes = {len(t.split()) for t in terms[term].astype(str)} or {1}
    found: dict[tuple[str, str], list[str]] = {}
    subset = table[table[by].astype(str).isin(wanted)]
    for article, g, text in zip(subset["article_id"], subset[by].astype(str), subset["text"]):
        words = [fold.get(w, w) for w in tokenize(text)]
        seen = {gram for n in sizes for gram in (words if n == 1 else ngrams(words, n))}
        for t in wanted[g] & seen:
            found.setdefault((g, t), []).append(article)
    ids = [found.get((str(g), str(t)), []) for g, t in zip(terms[group], terms[term])]
    return terms.assign(article_ids=ids)


def articles_behind(
    table: pd.DataFrame,
    row: Any,
    articles: Any,
    *,
    ids_column: str = "article_ids",
) -> pd.DataFrame:
    """
    Return the articles behind a row of a table that carries article ids.

    The notebook's way to drill down: the same rows the report's panels list for
    a table given to :func:`analysis.drilldown` (:func:`article_ids`,
    :func:`term_articles`, :func:`analysis.who_is_quoted`,
    :func:`analysis.top_actors`, :func:`analysis.place_counts`,
    :meth:`analysis.TopicModel.main_articles`...).

    Parameters
    ----------
    table : DataFrame
        One row per table row or chart cell, with a column of article ids.
    row : int, Series, str, tuple or dict
        Which row: an int is a label of ``table``'s index; a Series is a row of
        ``table`` (``table.iloc[0]``); a dict maps columns to values
        (``{"outlet": "BBC", "speaker": "Dmytro Kuleba"}``); a str or a tuple is
        matched against the table's text and date columns (a tuple in order).
        The articles of every row that matches are returned, once each.
    articles : DataFrame or dask.dataframe.DataFrame
        The articles the table was computed from (``article_id`` and any others).
    ids_column : str, default "article_ids"
        The column of article ids (a list, or one id).

    Returns
    -------
    DataFrame
        The rows of ``articles`` behind the row, in the order of the ids.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a", "b", "c"], "title": ["One", "Two", "Three"]})
    >>> t = pd.DataFrame({"outlet": ["X", "Y"], "article_ids": [["c", "a"], ["b"]]})
    >>> articles_behind(t, "X", arts)["title"].tolist()
    ['Three', 'One']
    """
    if ids_column not in table.columns:
        raise ParameterError(f"articles_behind: the table has no column {ids_column!r}")
    chosen = table.loc[[row]] if _is_label(table, row) else _matching(table, row, ids_column)
    ids = list(dict.fromkeys(i for value in chosen[ids_column] for i in id_list(value)))
    wanted = set(ids)
    found = gather(
        articles, list(articles.columns), keep=lambda p: p[p["article_id"].astype(str).isin(wanted)]
    )
    need_columns(found, ["article_id"], "articles_behind")
    found = found[found["article_id"].astype(str).isin(wanted)]
    order = {i: n for n, i in enumerate(ids)}
    position = found["article_id"].astype(str).map(order)
    return found.iloc[position.argsort(kind="stable")].reset_index(drop=True)


def _is_label(table: pd.DataFrame, row: Any) -> bool:
    if isinstance(row, bool) or not isinstance(row, (int, np.integer)):
        return False
    if row not in table.index:
        raise ParameterError(
            f"articles_behind: row {row} is not in the table (it has {len(table)} rows)"
        )
    return True


def id_list(value: Any) -> list[str]:
    """The article ids of a table cell: a list of ids, one id, or none."""
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        return [str(v) for v in value if not pd.isna(v)]
    return [] if value is None or pd.isna(value) else [str(value)]


def _matching(table: pd.DataFrame, row: Any, ids_column: str) -> pd.DataFrame:
    """The rows of ``table`` a Series, a dict, a tuple or a str names."""
    if isinstance(row, pd.Series):
        if row.name in table.index:
            return table.loc[[row.name]]
        row = {k: v for k, v in row.items() if k != ids_column and k in table.columns}
    texts = [
        c for c in table.columns
        if c != ids_column and not pd.api.types.is_numeric_dtype(table[c])
        and not pd.api.types.is_bool_dtype(table[c])
    ]  # fmt: skip
    if isinstance(row, dict):
        unknown = [c for c in row if c not in table.columns]
        if unknown:
            raise ParameterError(f"articles_behind: the table has no column {unknown[0]!r}")
        masks = [_equal(table[c], v) for c, v in row.items()]
    elif isinstance(row, tuple):
        if len(row) > len(texts):
            raise ParameterError(f"articles_behind: {len(row)} values for the columns {texts}")
        masks = [_equal(table[c], v) for c, v in zip(texts, row)]
    else:
        masks = [
            np.logical_or.reduce(
                [_equal(table[c], row) for c in texts] or [np.zeros(len(table), bool)]
            )
        ]
    mask = np.logical_and.reduce(masks) if masks else np.ones(len(table), bool)
    if not mask.any():
        raise ParameterError(
            f"articles_behind: no row of the table matches {row!r} (columns: {', '.join(texts)})"
        )
    return table[mask]


def _equal(column: pd.Series, value: Any) -> np.ndarray:
    """Where a column holds a value: equal, equal as text, or the same date."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return np.zeros(len(column), bool)
    if pd.api.types.is_datetime64_any_dtype(column):
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, TypeError):
            return np.zeros(len(column), bool)
        tz = getattr(column.dt, "tz", None)
        if tz is not None and stamp.tzinfo is None:
            stamp = stamp.tz_localize(tz)
        elif tz is None and stamp.tzinfo is not None:
            stamp = stamp.tz_convert(None)
        return (column == stamp).to_numpy()
    same = column.astype(str).to_numpy() == str(value)
    if pd.isna(value):
        return same | column.isna().to_numpy()
    return same | (column == value).to_numpy()
