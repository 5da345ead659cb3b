"""Attention over time: the share of each group's stories that a query matches, per period.

A story is defined by a query (see :func:`analysis.match`). For every group
(outlet) and period (day, week, month), :func:`attention` counts the stories the
query matches and all the stories the group published, and gives the share with
a 95% Wilson score interval, so a point made of few stories shows how little it
says. :func:`attention_peaks` names the periods where the share stands well above
the group's usual level, and the stories behind each one.

Written once for both engines: the counts are a :class:`~analysis.engine.Plan`
(counted per partition on Dask, added up, finished once); the query is answered
by :func:`analysis.match` on the whole table first, and only the matching ids
travel to the partitions.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.engine import Plan, gather, is_dask, run
from analysis.errors import ParameterError
from analysis.measures import wordtable as wt
from analysis.options import Copies, unique_copies

log = logging.getLogger(__name__)

#: The normal quantile of a two-sided 95% interval.
Z95 = 1.959963984540054

#: Scale that makes the median absolute deviation estimate a standard deviation (normal data).
MAD_SCALE = 1.4826

#: Scale of the mean absolute deviation used instead when the MAD is 0 (Iglewicz and Hoaglin).
MEAN_AD_SCALE = 1.2533

Query = str | Mapping[str, str]


def wilson_interval(matching: Any, total: Any, *, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """
    Return the Wilson score interval of the proportions ``matching / total``.

    Unlike the normal ("Wald") interval it stays inside [0, 1] and keeps its
    coverage for small counts and shares near 0 (Wilson 1927). ``total`` 0 gives NaN.

    Parameters
    ----------
    matching, total : array-like of int
        Successes and trials.
    z : float, default 1.96
        Normal quantile; the default gives a 95% interval.

    Returns
    -------
    tuple of ndarray
        Lower and upper bounds.

    Examples
    --------
    >>> low, high = wilson_interval([5, 0], [10, 10])
    >>> [round(float(v), 4) for v in (*low, *high)]
    [0.2366, 0.0, 0.7634, 0.2775]
    """
    k = np.asarray(matching, dtype="float64")
    n = np.asarray(total, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def attention(
    articles: pd.DataFrame,
    query: Query | Sequence[str],
    *,
    by: str | None = "outlet",
    freq: Literal["D", "W", "M"] = "W",
    copies: Copies = "unique",
    k: float = 3.0,
    min_n: int = 10,
) -> pd.DataFrame:
    """
    Measure the share of each group's stories that match a query, per period, with a 95% interval.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table, pandas or Dask (``article_id``, ``published``,
        ``by``; the query reads the text fields it names).
    query : str, mapping of str to str, or list of str
        A query (see :func:`analysis.match`), or several by name
        (``{"talks": "ceasefire AND talks", "grain": '"grain deal"'}``) to compare
        stories: the result has one set of rows per name. A list of words is
        one query matching any of them (:func:`query_names`).
    by : str or None, default "outlet"
        Column to group by; ``None`` measures the whole table.
    freq : {"D", "W", "M"}, default "W"
        Day, week (starting Monday) or month of ``published`` (UTC); undated
        articles are left out.
    copies : {"unique", "all"}, default "unique"
        Count each story once (its canonical copy), or every copy.
    k, min_n
        How peaks are marked (see Returns).

    Returns
    -------
    DataFrame
        ``[query, by?, period, matching, total, share, low, high, peak]``, one
        row per query, group and period from the first to the last (zeros where
        a group published nothing). ``total`` is the N of the point: the group's
        stories in the period; ``share = matching / total`` (NaN when 0);
        ``low``/``high`` its 95% Wilson score interval (:func:`wilson_interval`).
        ``peak`` marks a period with at least ``min_n`` stories whose share is
        above the group's median share plus ``k`` robust standard deviations
        (1.4826 x MAD; 1.2533 x mean absolute deviation when the MAD is 0) and
        whose interval lies wholly above that median. Median and spread are
        taken over the group's periods with at least ``min_n`` stories.

    Examples
    --------
    >>> df = pd.DataFrame({"article_id": ["a", "b", "c"], "outlet": ["A", "A", "B"],
    ...     "published": pd.to_datetime(["2022-03-01", "2022-03-02", "2022-03-01"], utc=True),
    ...     "text": ["Talks resume.", "Rain again.", "The talks stall."]})
    >>> attention(df, "talks", copies="all")[["outlet", "matching", "total", "share"]].values.tolist()
    [['A', 1, 2, 0.5], ['B', 1, 1, 1.0]]
    """
    queries = query_names(query)
    ids = {name: matching_ids(articles, text) for name, text in queries.items()}
    out = attention_counts(articles, ids, by=by, freq=freq, copies=copies, k=k, min_n=min_n)
    out.attrs["attention"] = {"queries": queries, "by": by, "freq": freq, "copies": copies}
    return out


def query_names(query: Query | Sequence[str]) -> dict[str, str]:
    """
    Return the queries by name: a single query is named by itself.

    A list of words (the former form of a report's ``query``) is one query,
    any of the words: ``["ceasefire", "peace talks"]`` is
    ``ceasefire OR "peace talks"``.

    Examples
    --------
    >>> query_names("oil OR opec"), query_names({"oil": "oil OR opec"})
    ({'oil OR opec': 'oil OR opec'}, {'oil': 'oil OR opec'})
    >>> query_names(["ceasefire", "peace talks"])
    {'ceasefire OR "peace talks"': 'ceasefire OR "peace talks"'}
    """
    if isinstance(query, str):
        queries = {query: query}
    elif isinstance(query, Mapping):
        queries = {str(name): text for name, text in query.items()}
    elif isinstance(query, Sequence) and all(isinstance(w, str) for w in query):
        words = [w.strip() for w in query if w.strip()]
        either = " OR ".join(w if re.fullmatch(r"[\w*]+", w) else f'"{w}"' for w in words)
        queries = {either: either} if either else {}
    else:
        raise ParameterError(
            f"query: expected a query string, a list of words or a mapping of names to "
            f"queries, got {type(query).__name__}"
        )
    if not queries:
        raise ParameterError("query: no query given")
    for name, text in queries.items():
        if not isinstance(text, str) or not text.strip():
            raise ParameterError(f"query {name!r}: expected a non-empty query string")
    return queries


def matching_ids(articles: Any, query: str) -> pd.Series:
    """The hits of ``query`` per matching article (:func:`analysis.match`), indexed by ``article_id``."""
    from analysis.measures.queries import match

    found = match(articles, query)
    if is_dask(found):
        found = found.compute()
    return found.set_index("article_id")["hits"]


def attention_counts(
    articles: Any,
    ids: Mapping[str, Any],
    *,
    by: str | None = "outlet",
    freq: str = "W",
    copies: Copies = "unique",
    k: float = 3.0,
    min_n: int = 10,
) -> pd.DataFrame:
    """
    :func:`attention` for matches already found: ``ids`` maps each query name to its article ids.

    The ids may be any collection, or a Series indexed by article id (what
    :func:`matching_ids` returns).
    """
    unique = unique_copies(copies)
    need = ["article_id", "published"] + ([by] if by else [])
    missing = [c for c in need if c not in articles.columns]
    if missing:
        raise ParameterError(f"attention: the articles table has no {missing[0]!r} column")
    if freq not in wt.FREQS:
        raise ParameterError(f"attention: freq={freq!r}; expected one of {sorted(wt.FREQS)}")
    found = {name: pd.Index(_id_values(v)) for name, v in ids.items()}
    plan = Plan(
        step=functools.partial(period_counts, ids=found, by=by, freq=freq, unique=unique),
        combine=add_counts,
        finish=functools.partial(attention_table, by=by, freq=freq, k=k, min_n=min_n),
        columns=[*need, "is_duplicate", "story_id"],
        stories=unique,
    )
    return run(plan, articles)


def _id_values(ids: Any) -> Any:
    return ids.index if isinstance(ids, pd.Series) else list(ids)


def period_counts(
    table: pd.DataFrame, *, ids: Mapping[str, pd.Index], by: str | None, freq: str, unique: bool
) -> pd.DataFrame:
    """Matching and all stories per query, group and period of one table (added up by :func:`add_counts`)."""
    if unique:
        from analysis.corpus.duplicates import dedupe

        table = dedupe(table)
    table = wt.add_period(table, freq, where="attention")
    group = (
        table[by].astype("string").fillna("(none)") if by else pd.Series("all", index=table.index)
    )
    pieces = []
    for name, found in ids.items():
        hit = table["article_id"].isin(found).astype("int64")
        frame = pd.DataFrame(
            {"query": name, "group": group.to_numpy(), "period": table["period"], "matching": hit}
        )
        pieces.append(
            frame.groupby(["query", "group", "period"]).agg(
                matching=("matching", "sum"), total=("matching", "size")
            )
        )
    return pd.concat(pieces).astype("int64")


def add_counts(pieces: list[pd.DataFrame]) -> pd.DataFrame:
    """Add the :func:`period_counts` of several tables."""
    return pd.concat(pieces).groupby(level=[0, 1, 2]).sum()


def attention_table(
    counts: pd.DataFrame, *, by: str | None, freq: str, k: float, min_n: int
) -> pd.DataFrame:
    """Finish :func:`period_counts`: every period of every group, shares, intervals, peaks."""
    queries = list(dict.fromkeys(counts.index.get_level_values("query")))
    groups = sorted(set(counts.index.get_level_values("group")))
    stamps = counts.index.get_level_values("period")
    code = wt.FREQS[freq]
    periods = (
        pd.period_range(stamps.min(), stamps.max(), freq=code).start_time
        if len(stamps)
        else pd.DatetimeIndex([])
    )
    grid = pd.MultiIndex.from_product(
        [queries, groups, periods], names=["query", "group", "period"]
    )
    out = counts.reindex(grid, fill_value=0).reset_index()
    share = out["matching"] / out["total"].where(out["total"] > 0)
    low, high = wilson_interval(out["matching"], out["total"])
    out = out.assign(share=share, low=low, high=high)
    out["peak"] = _peaks(out, k=k, min_n=min_n)
    if by:
        out = out.rename(columns={"group": by})
    else:
        out = out.drop(columns="group")
    return out


def _peaks(table: pd.DataFrame, *, k: float, min_n: int) -> pd.Series:
    """Mark periods well above their group's typical share (see :func:`attention`)."""
    counted = table["share"].where(table["total"] >= max(min_n, 1))
    keys = [table["query"], table["group"]]
    median = counted.groupby(keys).transform("median")
    distance = (counted - median).abs()
    mad = distance.groupby(keys).transform("median") * MAD_SCALE
    mean_ad = distance.groupby(keys).transform("mean") * MEAN_AD_SCALE
    spread = mad.where(mad > 0, mean_ad)
    above = (counted > median + k * spread) & (table["low"] > median) & (spread > 0)
    return above.fillna(False).astype(bool)


def attention_peaks(articles: pd.DataFrame, table: pd.DataFrame, *, top: int = 3) -> pd.DataFrame:
    """
    Name the peaks of an :func:`attention` table and the top matching stories of each.

    A peak is a period whose share is well above its group's usual level (the
    ``peak`` column; the rule is in :func:`attention`). Its stories are the
    matching stories of that group and period, the most-copied first (the
    copies of the story among all matching articles of the table, by
    ``story_id``), then those with the most hits, then the earliest.

    Parameters
    ----------
    articles : DataFrame
        The articles table ``table`` was measured on (pandas or Dask).
    table : DataFrame
        What :func:`attention` returned for it (its queries and options are read
        from ``table.attrs``); rows may have been left out.
    top : int, default 3
        Stories per peak.

    Returns
    -------
    DataFrame
        ``[query, by?, period, share, total, rank, article_id, published,
        title, copies, hits]`` (``outlet`` added when ``by`` is another column),
        ``top`` rows at most per peak, the highest peaks first; no rows when no
        period stands out.

    Examples
    --------
    >>> df = pd.DataFrame({"article_id": list("abcd"), "outlet": "A",
    ...     "published": pd.to_datetime(["2022-03-01", "2022-03-08", "2022-03-15", "2022-03-22"], utc=True),
    ...     "text": ["Talks.", "Rain.", "Sun.", "Wind."], "title": ["Talks", "Rain", "Sun", "Wind"]})
    >>> peaks = attention_peaks(df, attention(df, "talks", copies="all", min_n=1))
    >>> peaks[["title", "share", "total", "rank"]].values.tolist()
    [['Talks', 1.0, 1, 1]]
    """
    if top < 1:
        raise ParameterError(f"top must be at least 1, got {top}")
    options = table.attrs.get("attention")
    if not isinstance(table, pd.DataFrame) or not options or "peak" not in table.columns:
        raise ParameterError("attention_peaks: table must be what analysis.attention returned")
    by, freq, copies = options["by"], options["freq"], options["copies"]
    queries = options["queries"]
    hits = {name: matching_ids(articles, text) for name, text in queries.items()}
    peaks = table[table["peak"]]
    columns = ["query", *([by] if by else []), "period", "share", "total", "rank", "article_id"]
    columns += ["published", "title", "copies", "hits"] + (["outlet"] if by != "outlet" else [])
    if peaks.empty:
        return pd.DataFrame(columns=columns)
    every = pd.Index(sorted({i for h in hits.values() for i in h.index}))
    wanted = ["article_id", "published", "title", "story_id", "is_duplicate", "outlet", by]
    rows = gather(
        articles,
        list(dict.fromkeys(c for c in wanted if c)),
        keep=functools.partial(_matching_rows, ids=every),
        stories=unique_copies(copies),
    )
    rows = _matching_rows(rows, ids=every)
    stories = rows.get("story_id", rows["article_id"]).fillna(rows["article_id"])
    rows = rows.assign(_story=stories.to_numpy())
    rows = rows.assign(copies=rows.groupby("_story")["article_id"].transform("size"))
    if unique_copies(copies) and "is_duplicate" in rows.columns:
        rows = rows[~rows["is_duplicate"].astype("boolean").fillna(False).to_numpy()]
    rows = wt.add_period(rows, freq, where="attention_peaks")
    rows = rows.assign(group=rows[by].astype("string").fillna("(none)") if by else "all")
    pieces = []
    for name in queries:
        found = rows[rows["article_id"].isin(hits[name].index)]
        found = found.assign(query=name, hits=found["article_id"].map(hits[name]).to_numpy())
        pieces.append(found)
    found = pd.concat(pieces, ignore_index=True)
    cells = peaks.rename(columns={by: "group"}) if by else peaks.assign(group="all")
    cells = cells[["query", "group", "period", "share", "total"]]
    out = cells.merge(found, on=["query", "group", "period"], how="inner")
    out = out.sort_values(
        ["share", "query", "group", "period", "copies", "hits", "published"],
        ascending=[False, True, True, True, False, False, True],
    ).drop_duplicates(["query", "group", "period", "_story"])
    out = out.assign(rank=out.groupby(["query", "group", "period"]).cumcount() + 1)
    out = out[out["rank"] <= top]
    if by:
        out = out.drop(columns=[by], errors="ignore").rename(columns={"group": by})
    out = out[[c for c in columns if c in out.columns]].reset_index(drop=True)
    text = [c for c in ("article_id", "title", "outlet") if c in out.columns]
    counts = {"copies": "int64", "hits": "int64", "total": "int64", "rank": "int64"}
    return out.astype({**dict.fromkeys(text, "string"), **counts})


def _matching_rows(table: pd.DataFrame, *, ids: pd.Index) -> pd.DataFrame:
    return table[table["article_id"].isin(ids)]
