"""
The articles behind a table's cells: for each group and period, or each group's term,
the ids of the articles it counts, so that a report can list them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
