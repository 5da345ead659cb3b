"""Selection on Dask: the rows a report keeps and two groups to compare, found in passes over the partitions."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from analysis.corpus.selection import require_articles as pandas_require_articles
from analysis.corpus.selection import select_articles as pandas_select_articles
from analysis.corpus.selection import two_groups as pandas_two_groups
from analysis.engine import corpus_folder, either, remember_folder
from analysis.engine.partitions import ROW_COUNTS, fold, partitions, row_count
from analysis.engine.stories import find_duplicates
from analysis.errors import ParameterError

if TYPE_CHECKING:
    import dask.dataframe as dd

log = logging.getLogger(__name__)


def dask_require_articles(articles: dd.DataFrame, *, what: str = "the selection") -> dd.DataFrame:
    """
    Return a Dask table unchanged, or stop with :class:`~analysis.corpus.selection.NoArticlesError` when empty.

    Examples
    --------
    >>> dask_require_articles(open_dask_corpus("data/corpus"))  # doctest: +SKIP
    """
    from analysis.corpus.selection import check_not_empty

    check_not_empty(row_count(articles), what=what)
    return articles


def _selection_pass(part: pd.DataFrame, index: int, rules: dict) -> dict:
    """Counts after each rule, and the best row of each story, in one partition."""
    from analysis.corpus.selection import date_mask, outlet_mask, query_mask, story_order

    dated = part[date_mask(part, rules)]
    kept = dated[outlet_mask(dated, rules)].reset_index(drop=True)
    out = {"n": len(part), "dates": len(dated), "outlets": len(kept)}
    kept = kept[query_mask(kept, rules)].reset_index(drop=True)
    out["query"] = len(kept)
    out["ids"] = kept["article_id"].astype(str).to_numpy(dtype=object) if rules["query"] else None
    out["grouped"] = "story_id" in kept.columns and bool(kept["story_id"].notna().all())
    out["flagged"] = "is_duplicate" in kept.columns and bool(kept["is_duplicate"].notna().all())
    stories = None
    if rules["copies"] == "unique" and out["grouped"]:
        best = story_order(kept).drop_duplicates("story_id")
        flags = best["is_duplicate"] if "is_duplicate" in best.columns else False
        stories = pd.DataFrame(
            {
                "story_id": best["story_id"].to_numpy(),
                "_dup": pd.Series(flags, index=best.index).fillna(False).astype(bool).to_numpy(),
                "_part": index,
                "_row": best.index.to_numpy(),
            }
        )
    out["stories"] = stories
    return out


def _selected_part(part: pd.DataFrame, rules: dict, rows: Any) -> pd.DataFrame:
    """The rows of one partition a selection keeps (``rows``: positions after the filters)."""
    from analysis.corpus.selection import date_mask, outlet_mask, query_mask

    part = part.reset_index(drop=True)
    dated = part[date_mask(part, rules)]
    kept = dated[outlet_mask(dated, rules)].reset_index(drop=True)
    kept = kept[query_mask(kept, rules)].reset_index(drop=True)
    if rows is not None:
        kept = kept.iloc[rows].reset_index(drop=True)
    return kept


def _not_duplicate(part: pd.DataFrame) -> pd.DataFrame:
    return part[~part["is_duplicate"].astype(bool).to_numpy()]


def dask_select_articles(
    articles: dd.DataFrame,
    *,
    date_range: str = "",
    outlets: Sequence[str] = (),
    copies: Literal["unique", "all"] = "unique",
    now: Any = None,
    query: str = "",
) -> tuple[dd.DataFrame, pd.DataFrame]:
    """
    Keep the articles a report is about: :func:`analysis.select_articles` on Dask.

    One pass over the partitions counts the rows each rule keeps and finds, for
    each story, the row the pandas engine keeps (the canonical copy when it is
    in the selection, else the first copy): memory grows with the number of
    stories (an id and two integers each), never with the text. The selection
    itself stays lazy.

    Returns
    -------
    (dask.dataframe.DataFrame, DataFrame)
        The selected articles (lazy, same rows and order as the pandas engine),
        and the table ``[step, rule, articles]``.

    Examples
    --------
    >>> kept, steps = dask_select_articles(open_dask_corpus("data/corpus"), date_range="2022-03")  # doctest: +SKIP
    """
    import dask
    import dask.dataframe as dd
    import numpy as np
    from dask import delayed

    from analysis.corpus.selection import selection_rules, selection_steps

    rules = selection_rules(
        date_range=date_range, outlets=outlets, copies=copies, now=now, query=query
    )
    folder = corpus_folder(articles)
    if rules["query"]:
        from analysis.corpus.search import require_fields

        require_fields(rules["node"], articles.columns, where="select_articles")
    if rules["query"] and folder:  # the corpus index answers, for every partition at once
        from analysis.corpus.index import matching_ids

        rules["query_ids"] = matching_ids(rules["node"], folder)
    parts = partitions(articles)
    passes = dask.compute(
        *[delayed(_selection_pass, pure=True)(p, i, rules) for i, p in enumerate(parts)]
    )
    steps = ("n", "dates", "outlets", "query") if rules["query"] else ("n", "dates", "outlets")
    counts = [sum(r[k] for r in passes) for k in steps]
    if rules["query"] and rules["query_ids"] is None:  # the texts were read once, in the pass
        rules["query_ids"] = np.concatenate([r["ids"] for r in passes])
    rows: dict[int, Any] = {}
    unique = copies == "unique" and counts[-1] > 0
    grouped = all(r["grouped"] for r in passes)
    if unique and grouped:
        stories = pd.concat([r["stories"] for r in passes], ignore_index=True)
        stories = stories.sort_values(["_dup", "_part", "_row"], kind="stable")
        stories = stories.drop_duplicates("story_id")
        rows = {int(i): np.sort(g.to_numpy()) for i, g in stories.groupby("_part")["_row"]}
        empty = np.empty(0, dtype=np.int64)
    pieces = [
        delayed(_selected_part)(p, rules, rows.get(i, empty) if unique and grouped else None)
        for i, p in enumerate(parts)
    ]
    with dask.config.set({"dataframe.convert-string": False}):  # columns keep their types
        selected = dd.from_delayed(pieces, meta=articles._meta, verify_meta=False)
    if unique and grouped:
        n_kept = sum(len(r) for r in rows.values())
    elif unique:
        if not all(r["flagged"] for r in passes):
            selected = find_duplicates(selected)
        selected = selected.map_partitions(_not_duplicate, meta=selected._meta)
        n_kept = row_count(selected)
    else:
        n_kept = counts[-1]
    ROW_COUNTS[selected._name] = n_kept
    remember_folder(selected, folder)
    return selected, selection_steps(rules, [*counts, n_kept])


def _one_group(part: pd.DataFrame, rules: dict, compare: str, label: str) -> pd.DataFrame:
    from analysis.corpus.selection import label_groups

    out = label_groups(part.reset_index(drop=True), rules, compare=compare)
    return out[(out["group"] == label).to_numpy(dtype=bool)].reset_index(drop=True)


def dask_two_groups(
    articles: dd.DataFrame, *, compare: str = "outlet", a: str = "", b: str = ""
) -> dd.DataFrame:
    """
    Keep the articles of two groups, labelled in ``group``: :func:`analysis.two_groups` on Dask.

    One pass finds the groups (rows per value of the column, or the publication
    times for the two halves of the dates: one small value per article); the
    result stays lazy, the first group's rows before the second's, as from the
    pandas engine.

    Examples
    --------
    >>> dask_two_groups(open_dask_corpus("data/corpus"), compare="outlet")  # doctest: +SKIP
    """
    import dask
    import dask.dataframe as dd
    from dask import delayed

    from analysis.corpus.selection import (
        combine_group_stats,
        group_rules,
        group_stats,
        label_groups,
    )

    if compare != "period" and compare not in articles.columns:
        raise ParameterError(f"compare {compare!r} is neither 'period' nor a column")
    stats: dict = {}
    if compare != "period" or not (a or b):
        column = "published" if compare == "period" else compare
        options = dict(compare=compare, a=a, b=b)
        stats = fold(articles[[column]], group_stats, combine_group_stats, **options)
    rules = group_rules(stats, compare=compare, a=a, b=b)
    parts = partitions(articles)
    pieces = [delayed(_one_group)(p, rules, compare, label) for label in rules for p in parts]
    meta = label_groups(articles._meta, rules, compare=compare)
    with dask.config.set({"dataframe.convert-string": False}):  # columns keep their types
        grouped = dd.from_delayed(pieces, meta=meta, verify_meta=False)
    return remember_folder(grouped, corpus_folder(articles))


select_articles = either(pandas_select_articles, dask_select_articles)
two_groups = either(pandas_two_groups, dask_two_groups)
require_articles = either(pandas_require_articles, dask_require_articles)
