"""Queries: which articles match a query, and how often its words occur in them.

The query language is :mod:`analysis.text.query` (Lucene / Media Cloud
syntax); matching is on the toolkit's tokens (:mod:`analysis.corpus.search`).
A table opened from a corpus folder is answered from the corpus's query index
(:mod:`analysis.corpus.index`), any other table by reading its texts; both
give the same rows.
"""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd

from analysis.corpus.index import match_frame, match_indexed
from analysis.corpus.search import match_table, require_fields
from analysis.engine import Plan, cache_folder, gather, is_dask, run
from analysis.text.query import Default, parse_query, query_fields

__all__ = ["match"]


def match(
    articles: Any,
    query: str,
    *,
    default: Default = "AND",
    cache_dir: Any = None,
) -> pd.DataFrame:
    """
    Find the articles a query matches, with the number of hits in each.

    Parameters
    ----------
    articles : DataFrame or dask.dataframe.DataFrame
        Canonical articles table (needs ``article_id`` and the fields the query
        names: ``text`` by default, ``title``, ``outlet``, ``section``).
    query : str
        A query such as ``'(ceasefire OR truce) AND "peace talks"~5 -title:opinion'``
        (see :mod:`analysis.text.query`).
    default : {"AND", "OR"}, default "AND"
        What a space between two terms means.
    cache_dir : path, None or False, default None
        The corpus folder whose query index answers; ``None`` takes the
        table's own corpus folder (see :func:`analysis.open_corpus`),
        ``False`` reads the texts.

    Returns
    -------
    DataFrame
        ``[article_id, hits]``: one row per matching article, in table order;
        ``hits`` counts the occurrences of the query's words and phrases
        (0 for an article matched only by what it lacks, as with ``NOT talks``).

    Raises
    ------
    ParameterError
        For a query that cannot be read (the message names the column and
        what was expected there), or a table without a column the query reads
        (``text``, unless every term names ``title:``, ``outlet:`` or ``section:``).

    Examples
    --------
    >>> df = pd.DataFrame({"article_id": ["a1", "a2", "a3"],
    ...                    "title": ["Talks", "Markets", "Grain deal"],
    ...                    "text": ["Peace talks resume in Istanbul.", "Stocks fell.",
    ...                             "Negotiators met; the talks stalled."]})
    >>> match(df, 'negotiat* OR "peace talks"')
      article_id  hits
    0         a1     1
    1         a3     1
    >>> match(df, "talks -title:talks")
      article_id  hits
    0         a3     1
    """
    node = parse_query(query, default=default)
    fields = sorted(query_fields(node))
    folder = cache_folder(cache_dir, articles)
    if not is_dask(articles):
        return match_frame(articles, node, folder)
    require_fields(node, articles.columns)
    if folder and "article_id" in articles.columns:
        ids = gather(articles, ["article_id"])["article_id"]
        found = match_indexed(ids.astype(str).to_numpy(dtype=object), node, folder)
        if found is not None:
            return found
    step = functools.partial(match_table, query=query, default=default)
    return run(Plan(step=step, columns=["article_id", *fields]), articles)
