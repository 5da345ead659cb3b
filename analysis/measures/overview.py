"""Overview measures: what a corpus holds per group, counts per value, groups present."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from typing import Any

import pandas as pd

from analysis.engine import Plan, corpus_folder, is_dask, remember_folder, row_count, run
from analysis.errors import ParameterError
from analysis.schema import text_present

log = logging.getLogger(__name__)


#: How the columns of :func:`overview_counts` combine across parts of a corpus.
_OVERVIEW_COMBINE = {
    "articles": "sum",
    "words": "sum",
    "first": "min",
    "last": "max",
    "undated": "sum",
    "duplicates": "sum",
    "syndicated": "sum",
}


def corpus_overview(articles: pd.DataFrame, *, by: str = "outlet") -> pd.DataFrame:
    """
    Summarize what a corpus holds per group: articles, words, dates, copies.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table (``story_id``/``is_duplicate``/``syndicated`` are
        used when present).
    by : str, default "outlet"
        Column to group by.

    Returns
    -------
    DataFrame
        ``[by, articles, words, first, last, undated, duplicates, syndicated]``,
        largest group first.

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["A", "A", "B"], "n_words": [10, 20, 5],
    ...     "published": pd.to_datetime(["2022-03-01", None, "2022-03-02"], utc=True)})
    >>> corpus_overview(df)[["outlet", "articles", "words", "undated"]].values.tolist()
    [['A', 2, 30, 1], ['B', 1, 5, 0]]
    """
    if by not in articles.columns:
        raise ParameterError(f"group_by {by!r} is not a column of the articles table")
    return run(
        Plan(
            step=functools.partial(overview_counts, by=by),
            combine=combine_overview,
            finish=functools.partial(overview_table, by=by),
            columns=[by, "article_id", "n_words", "published", "is_duplicate", "syndicated"],
        ),
        articles,
    )


def overview_counts(articles: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """
    Per group of ``by``: articles, words, first and last day, undated, copies, syndicated.

    ``articles`` counts distinct ``article_id`` values when the table has that
    column (a table of one row per article gives the row count).

    Sums, minima and maxima only, so the tables of several parts of a corpus
    combine with :func:`combine_overview` into the table of the whole.
    """
    if by not in articles.columns:
        raise ParameterError(f"group_by {by!r} is not a column of the articles table")
    frame = articles.assign(
        _key=articles[by].astype("string").fillna("(none)"),
        _words=pd.to_numeric(articles.get("n_words", 0), errors="coerce").fillna(0),
        _date=pd.to_datetime(articles["published"], utc=True, errors="coerce"),
    )
    frame = frame.assign(
        _day=frame["_date"].dt.floor("D"),
        _dup=_flag(articles, "is_duplicate"),
        _synd=_flag(articles, "syndicated"),
    )
    # a table with several rows per article counts each article once
    repeated = "article_id" in articles.columns and not articles["article_id"].is_unique
    out = frame.groupby("_key", sort=False).agg(
        articles=("article_id", "nunique") if repeated else ("_key", "size"),
        words=("_words", "sum"),
        first=("_day", "min"),
        last=("_day", "max"),
        undated=("_date", lambda s: int(s.isna().sum())),
        duplicates=("_dup", "sum"),
        syndicated=("_synd", "sum"),
    )
    # an empty part (a partition the selection left empty) must keep the same types
    counts = ["articles", "undated", "duplicates", "syndicated"]
    return out.astype({**dict.fromkeys(counts, "int64"), "words": "float64"})


def combine_overview(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Combine :func:`overview_counts` tables of parts of a corpus (groups in order of appearance)."""
    return pd.concat(list(parts)).groupby(level=0, sort=False).agg(_OVERVIEW_COMBINE)


def overview_table(counts: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """Finish :func:`overview_counts`: whole words, largest group first."""
    out = counts.copy()
    out["words"] = out["words"].astype("int64")
    out = out.rename_axis(by).reset_index().sort_values(["articles", by], ascending=[False, True])
    return out.reset_index(drop=True)


def _flag(articles: pd.DataFrame, column: str) -> pd.Series:
    if column not in articles.columns:
        return pd.Series(0, index=articles.index, dtype="int64")
    return articles[column].astype("boolean").fillna(False).astype("int64")


def tally(articles: pd.DataFrame, column: str, *, by: str | None = None) -> pd.DataFrame:
    """
    Count articles per value of ``column`` (missing values counted as ``"(unknown)"``).

    A table with several rows per article (quotes, sentences) counts each article
    once per value: with an ``article_id`` column, ``articles`` is the number of
    distinct articles, so one article quoting the same speaker three times counts
    once. On a Dask table the rows of one article must lie in one partition, as
    they do in every table the package makes.

    Returns
    -------
    DataFrame
        ``[by?, column, articles, share]``; ``share`` is the part of the articles of
        each ``by`` group (of the whole table without ``by``) that have the value. On
        a table with one row per article the shares of a group add up to 1; with
        several rows per article they can add up to more.

    Examples
    --------
    >>> tally(pd.DataFrame({"language": ["en", "en", None]}), "language").values.tolist()
    [['en', 2, 0.6666666666666666], ['(unknown)', 1, 0.3333333333333333]]
    >>> quotes = pd.DataFrame({"article_id": ["a", "a", "a", "b"],
    ...     "speaker": ["Ann Lee", "Ann Lee", "Bo Chan", "Ann Lee"]})
    >>> tally(quotes, "speaker")[["speaker", "articles", "share"]].values.tolist()
    [['Ann Lee', 2, 1.0], ['Bo Chan', 1, 0.5]]
    """
    for name in [column] + ([by] if by else []):
        if name not in articles.columns:
            raise ParameterError(f"{name!r} is not a column of the articles table")
    ids = ["article_id"] if "article_id" in articles.columns else []
    return run(
        Plan(
            step=functools.partial(tally_counts, column=column, by=by),
            combine=combine_tallies,
            finish=functools.partial(tally_table, column=column, by=by),
            columns=[c for c in [by, column, *ids] if c],
        ),
        articles,
    )


def tally_counts(
    articles: pd.DataFrame, column: str, *, by: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """
    Articles per value of ``[by, column]``, and articles per ``by`` group (see :func:`tally`).

    With an ``article_id`` column an article counts once per value however many
    rows it has; the counts of parts that share no article add up.
    """
    for name in [column] + ([by] if by else []):
        if name not in articles.columns:
            raise ParameterError(f"{name!r} is not a column of the articles table")
    keys = [by, column] if by else [column]
    frame = articles[keys].astype("string").fillna("(unknown)")
    groups = frame[keys[:-1]].assign(_all="all") if not by else frame[[by]]
    if "article_id" in articles.columns and not articles["article_id"].is_unique:
        ids = articles["article_id"].to_numpy()
        frame = frame.assign(_id=ids).drop_duplicates()[keys]
        groups = groups.assign(_id=ids).drop_duplicates().drop(columns="_id")
    counts = frame.value_counts(keys, sort=False).rename("articles").reset_index()
    totals = groups.value_counts(list(groups.columns), sort=False).rename("articles").reset_index()
    return counts, totals


def combine_tallies(
    parts: Sequence[tuple[pd.DataFrame, pd.DataFrame]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add :func:`tally_counts` results of parts of a corpus."""
    parts = list(parts)
    return tuple(_add_counts([part[i] for part in parts]) for i in range(2))


def _add_counts(tables: list[pd.DataFrame]) -> pd.DataFrame:
    keys = [c for c in tables[0].columns if c != "articles"]
    both = pd.concat(tables, ignore_index=True)
    return both.groupby(keys, sort=False, dropna=False)["articles"].sum().reset_index()


def tally_table(
    pieces: tuple[pd.DataFrame, pd.DataFrame], column: str, *, by: str | None = None
) -> pd.DataFrame:
    """Finish :func:`tally_counts`: shares of each group's articles, most frequent first."""
    counts, totals = pieces
    counts = counts.copy()
    group_total = totals.set_index(by if by else "_all")["articles"]
    totals_per_row = counts[by].map(group_total) if by else group_total.sum()
    counts["share"] = counts["articles"] / totals_per_row
    order = [by, "articles"] if by else ["articles"]
    asc = [True, False] if by else [False]
    return counts.sort_values(order + [column], ascending=asc + [True]).reset_index(drop=True)


def add_article_column(table: pd.DataFrame, articles: pd.DataFrame, column: str) -> pd.DataFrame:
    """
    Return ``table`` (one row per quote, sentence...) with ``column`` of its article.

    Rows are matched on ``article_id``; a table that already has ``column`` is
    returned unchanged.

    Examples
    --------
    >>> quotes = pd.DataFrame({"article_id": ["a", "b", "a"], "speaker": ["X", "Y", "Z"]})
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "group": ["first", "second"]})
    >>> add_article_column(quotes, arts, "group")["group"].tolist()
    ['first', 'second', 'first']
    """
    if column in table.columns:
        return table
    check_article_column(table, articles, column)
    if is_dask(table) or is_dask(articles):
        from analysis.engine.dask import with_articles

        added = with_articles(table, articles, _add_column, ["article_id", column], column)
        return remember_folder(added, corpus_folder(table) or corpus_folder(articles))
    return _add_column(table, articles, column)


def _add_column(table: pd.DataFrame, articles: pd.DataFrame, column: str) -> pd.DataFrame:
    lookup = articles.drop_duplicates("article_id").set_index("article_id")[column]
    return table.assign(**{column: table["article_id"].map(lookup).to_numpy()})


def check_article_column(table: Any, articles: Any, column: str) -> None:
    """Raise :class:`ParameterError` unless both tables have ``article_id`` and ``articles`` has ``column``."""
    for frame, name in ((table, "table"), (articles, "articles")):
        if "article_id" not in frame.columns:
            raise ParameterError(f"the {name} has no 'article_id' column")
    if column not in articles.columns:
        raise ParameterError(f"{column!r} is not a column of the articles table")


def n_groups(articles: pd.DataFrame, *, by: str | None = None, freq: str | None = None) -> int:
    """
    Count the groups (values of ``by``) or the periods (``freq``: "D", "W", "M") present.

    A comparison of each group against the rest needs at least two; a notebook
    can skip a chart with ``... if analysis.n_groups(articles, by=group_by) > 1 else None``.

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["A", "B", "A"], "published": pd.to_datetime(
    ...     ["2022-03-01", "2022-03-02", "2022-04-01"], utc=True)})
    >>> n_groups(df, by="outlet"), n_groups(df, freq="M")
    (2, 2)
    """
    if by is None and freq is None:
        return 1 if row_count(articles) else 0
    column = by if by is not None else "published"
    if column not in articles.columns:
        raise ParameterError(f"{column!r} is not a column of the articles table")
    plan = Plan(
        step=functools.partial(group_values, by=by, freq=freq),
        combine=_distinct,
        columns=[column],
    )
    return len(run(plan, articles))


def _distinct(parts: list) -> Any:
    return pd.concat(parts).drop_duplicates()


def group_values(
    articles: pd.DataFrame, *, by: str | None = None, freq: str | None = None
) -> pd.Series:
    """The distinct values of ``by``, or the distinct periods (``freq``) with articles."""
    if by is not None:
        if by not in articles.columns:
            raise ParameterError(f"{by!r} is not a column of the articles table")
        return articles[by].dropna().drop_duplicates()
    code = {"D": "D", "W": "W", "M": "M"}.get(freq)
    if code is None:
        raise ParameterError(f"period must be 'D', 'W' or 'M', got {freq!r}")
    published = pd.to_datetime(articles["published"], utc=True, errors="coerce").dropna()
    return published.dt.tz_localize(None).dt.to_period(code).drop_duplicates()


def _metadata_only_count(articles: pd.DataFrame) -> tuple[int, int]:
    """Metadata-only rows and all rows of one table (``has_text`` read when present)."""
    if "has_text" not in articles.columns and "text" not in articles.columns:
        return 0, len(articles)
    return int((~text_present(articles)).sum()), len(articles)


def metadata_only_note(articles: pd.DataFrame) -> str:
    """
    Say in a sentence how many articles are metadata-only; ``""`` when none are.

    A metadata-only article (``has_text`` False) has a title, a date and a link
    but no body, as in Media Cloud and GDELT lists: it counts for volume, and the
    text measures leave it out (see :func:`analysis.schema.with_text`). On a Dask
    table only ``has_text`` is read.

    Examples
    --------
    >>> df = pd.DataFrame({"title": ["Talks", "Deal", "Vote"], "text": ["Both met.", "", ""]})
    >>> metadata_only_note(df)[:46]
    '2 of 3 articles are metadata-only (title, date'
    >>> metadata_only_note(df.head(1))
    ''
    """
    plan = Plan(
        step=_metadata_only_count,
        combine=lambda pieces: tuple(map(sum, zip(*pieces))),
        columns=["has_text"],
    )
    missing, total = run(plan, articles)
    if not missing:
        return ""
    return (
        f"{missing:,} of {total:,} articles are metadata-only (title, date and link, no body): "
        "they count for volume, and the text measures (terms, keyness, keyword in context, "
        "dictionaries, tone, quotes) leave them out."
    )
