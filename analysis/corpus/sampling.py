"""
Stratified random samples of stories, with their sampling weights.

A sample for manual coding draws one copy per story, from strata (outlet and
month by default), so that every outlet and period is coded; each sampled article
keeps the weight that scales it back to its stratum.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from analysis.corpus.selection import story_order
from analysis.errors import ParameterError

log = logging.getLogger(__name__)

#: Strata computed from the publication time rather than read from a column.
DERIVED_STRATA = {"month": "%Y-%m", "year": "%Y", "week": "%G-W%V", "day": "%Y-%m-%d"}
ALLOCATIONS = ("proportional", "equal")


def one_per_story(articles: pd.DataFrame) -> pd.DataFrame:
    """
    Keep one article per story (the canonical copy, else the first), in table order.

    An article without a story is its own; the index must be unique.
    """
    if "story_id" not in articles.columns:
        return articles
    ordered = story_order(articles)
    story = ordered["story_id"].astype("string")
    keep = story.isna() | ~story.duplicated()
    return articles[articles.index.isin(ordered.index[keep.to_numpy()])]


def strata_labels(articles: pd.DataFrame, strata: Sequence[str]) -> pd.DataFrame:
    """One column per stratum variable: a column of the table, or a period of ``published``."""
    out = {}
    for name in strata:
        if name in articles.columns:
            out[name] = articles[name].astype("string").fillna("(missing)")
        elif name in DERIVED_STRATA and "published" in articles.columns:
            when = pd.to_datetime(articles["published"], utc=True, errors="coerce")
            out[name] = when.dt.strftime(DERIVED_STRATA[name]).astype("string").fillna("(no date)")
        else:
            raise ParameterError(
                f"strata: {name!r} is neither a column of the articles nor one of "
                f"{', '.join(DERIVED_STRATA)} (periods of 'published')"
            )
    return pd.DataFrame(out, index=articles.index)


def allocate(sizes: pd.Series, n: int, allocation: str, rng: np.random.Generator) -> pd.Series:
    """How many to draw from each stratum: ``n`` shared in proportion to size, or equally."""
    if allocation == "proportional":
        exact = sizes * n / sizes.sum()
    else:
        exact = pd.Series(n / len(sizes), index=sizes.index)
    take = np.floor(exact).astype(int).clip(upper=sizes)
    while take.sum() < min(n, sizes.sum()):
        # proportional: the largest remainders first; equal: the smallest strata so far
        priority = exact - take if allocation == "proportional" else -take.astype(float)
        priority = priority.where(take < sizes, -np.inf) + rng.random(len(sizes)) * 1e-9
        take[priority.idxmax()] += 1
    return take


def _walk(
    stories: pd.DataFrame,
    rows: pd.Index,
    count: int,
    rng: np.random.Generator,
    units: Callable[[pd.DataFrame], pd.DataFrame] | None,
) -> tuple[pd.DataFrame, float]:
    """
    Draw ``count`` articles of one stratum in random order; with ``units``, skip the
    articles that have none and draw one unit of each article kept.

    Returns the drawn rows (``row`` and, with units, the unit's columns and
    ``n_units``) and the share of examined articles that had a unit.
    """
    order = rows[rng.permutation(len(rows))]
    if units is None:
        return pd.DataFrame({"row": order[:count]}), 1.0
    kept: list[pd.DataFrame] = []
    found = examined = 0
    batch = max(2 * count, 8)
    while found < count and examined < len(order):
        chunk = order[examined : examined + batch]
        examined += len(chunk)
        table = units(stories.loc[chunk])
        if table.empty:
            continue
        sizes = table.groupby("row", sort=False).size()
        for row in chunk:  # the permutation's order, so the draw does not depend on batches
            if row not in sizes.index or found == count:
                continue
            own = table[table["row"] == row]
            kept.append(own.iloc[[rng.integers(len(own))]].assign(n_units=len(own)))
            found += 1
            if found == count:
                examined = examined - len(chunk) + list(chunk).index(row) + 1
    drawn = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame({"row": [], "n_units": []})
    return drawn, found / examined if examined else 0.0


def stratified_sample(
    articles: pd.DataFrame,
    n: int,
    *,
    strata: Sequence[str] = ("outlet", "month"),
    allocation: Literal["proportional", "equal"] = "proportional",
    seed: int = 0,
    units: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """
    Draw a stratified random sample of stories, one article each, with sampling weights.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table; copies of one story (same ``story_id``) count once.
    n : int
        Articles to draw (all of them when the table holds fewer stories).
    strata : sequence of str, default ("outlet", "month")
        Columns, or ``month``/``week``/``year``/``day`` of ``published``; ``()``
        draws a simple random sample.
    allocation : {"proportional", "equal"}, default "proportional"
        Share ``n`` between strata in proportion to their stories, or equally (a
        stratum smaller than its share gives all its stories and the rest goes to
        the others).
    seed : int, default 0
        The same seed and table give the same sample, whatever the row order.
    units : callable or None, default None
        For a sample of parts of articles: ``units(articles)`` returns the parts
        (one row each, ``row`` naming the article's index label). An article
        without parts is passed over for the next one of its stratum, and one part
        of each drawn article is drawn.

    Returns
    -------
    DataFrame
        The sampled articles (with ``units``: the drawn parts joined to their
        article's columns, and ``n_units``, the parts the article had) with
        ``stratum`` (the strata values joined by ``" | "``) and ``weight``, the
        units of the population each sampled unit stands for: the stories of its
        stratum per sampled article (with ``units``, the stratum's articles that
        have parts, estimated from the share among those examined, times the
        article's parts), so weighted sums estimate the whole table.
    """
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise ParameterError(f"n {n!r}: give the number of units to draw, a whole number >= 1")
    if allocation not in ALLOCATIONS:
        raise ParameterError(f"allocation {allocation!r}: use one of {', '.join(ALLOCATIONS)}")
    if isinstance(strata, str):
        strata = (strata,)
    if "article_id" in articles.columns:  # the same sample whatever the row order
        articles = articles.sort_values("article_id", kind="stable")
    articles = articles.reset_index(drop=True)
    stories = one_per_story(articles)
    labels = strata_labels(stories, strata)
    stratum = (
        labels.astype(str).agg(" | ".join, axis=1)
        if len(strata)
        else pd.Series("all", index=stories.index)
    )
    if stories.empty:
        return stories.assign(stratum=pd.Series(dtype="string"), weight=pd.Series(dtype=float))
    if n > len(stories):
        log.warning("n=%d but only %d stories: all of them are taken", n, len(stories))
    rng = np.random.default_rng(seed)
    sizes = stratum.value_counts().sort_index()
    take = allocate(sizes, n, allocation, rng)
    picked = []
    for name, count in take.items():
        if count == 0:
            continue
        rows = stratum.index[(stratum == name).to_numpy()]
        drawn, share = _walk(stories, rows, int(count), rng, units)
        if len(drawn) < count:
            log.warning("stratum %s: %d of %d units found", name, len(drawn), count)
        if drawn.empty:
            continue
        weight = sizes[name] * share / len(drawn)
        if units is not None:
            weight = weight * drawn["n_units"].to_numpy()
        picked.append(drawn.assign(stratum=name, weight=weight))
    if not picked:
        return stories.iloc[:0].assign(
            stratum=pd.Series(dtype="string"), weight=pd.Series(dtype=float)
        )
    drawn = pd.concat(picked, ignore_index=True)
    base = stories.loc[drawn["row"]].reset_index(drop=True)
    extra = drawn.drop(columns="row")
    sample = pd.concat([base.drop(columns=[c for c in extra if c in base]), extra], axis=1)
    return sample.astype({"stratum": "string"})
