"""A sample for manual coding: articles, sentences or quotes, stratified, with weights."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Literal

import pandas as pd

from analysis.corpus.sampling import stratified_sample
from analysis.engine import gather, is_dask
from analysis.errors import ParameterError
from analysis.readers.coding import UNITS

#: Columns of a coding sample, in order (those the articles table lacks are left out).
SAMPLE_COLUMNS = ["unit", "article_id", "outlet", "published", "title", "speaker", "text"]


def _sentences(articles: pd.DataFrame) -> pd.DataFrame:
    from analysis.text.nlp import sentence_spans

    rows = []
    for row, article_id, text in zip(articles.index, articles["article_id"], articles["text"]):
        text = "" if pd.isna(text) else str(text)
        for number, (start, end) in enumerate(sentence_spans(text), 1):
            if text[start:end].strip():
                rows.append((row, f"{article_id}:s{number}", text[start:end].strip()))
    return pd.DataFrame(rows, columns=["row", "unit", "text"])


def _quotes(articles: pd.DataFrame) -> pd.DataFrame:
    from analysis.measures.quotes import extract_quotes

    found = extract_quotes(articles[["article_id", "text"]].reset_index(drop=True), n_jobs=1)
    if found.empty:
        return pd.DataFrame(columns=["row", "unit", "speaker", "text"])
    rows = pd.Series(articles.index, index=articles["article_id"].to_numpy())
    number = found.groupby("article_id", sort=False).cumcount() + 1
    speaker = found["speaker"].fillna(found["mention"]).fillna("")
    return pd.DataFrame(
        {
            "row": rows.reindex(found["article_id"].to_numpy()).to_numpy(),
            "unit": found["article_id"].astype(str) + ":q" + number.astype(str),
            "speaker": speaker.astype(str).to_numpy(),
            "text": found["quote"].astype(str).to_numpy(),
        }
    )


def _with_texts(articles, chunk: pd.DataFrame) -> pd.DataFrame:
    """``chunk`` with the ``text`` of its articles, read from the Dask table ``articles``."""
    ids = set(chunk["article_id"])
    found = gather(
        articles, ["article_id", "text"], keep=lambda part: part[part["article_id"].isin(ids)]
    )
    text = found.drop_duplicates("article_id").set_index("article_id")["text"]
    return chunk.assign(text=chunk["article_id"].map(text).to_numpy())


def _parts_of(parts, texts, chunk: pd.DataFrame) -> pd.DataFrame:
    return parts(texts(chunk))


def coding_sample(
    articles: pd.DataFrame,
    n: int,
    *,
    strata: Sequence[str] = ("outlet", "month"),
    unit: Literal["article", "sentence", "quote"] = "article",
    allocation: Literal["proportional", "equal"] = "proportional",
    seed: int = 0,
) -> pd.DataFrame:
    """
    Draw a reproducible stratified random sample of units to code by hand.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table (the report's selection, say), pandas or Dask
        (only the texts of the articles examined are read). Copies of one story
        (same ``story_id``) count once: one article per story is drawn.
    n : int
        Units to draw.
    strata : sequence of str, default ("outlet", "month")
        Columns, or ``month``/``week``/``year``/``day`` of ``published``.
    unit : {"article", "sentence", "quote"}, default "article"
        What coders code: whole articles, or one sentence (or quote, as
        :func:`analysis.extract_quotes` finds them) of each sampled article;
        articles without a quote are passed over.
    allocation : {"proportional", "equal"}, default "proportional"
        ``n`` shared between strata in proportion to their stories, or equally.
    seed : int, default 0
        The same seed on the same articles gives the same sample.

    Returns
    -------
    DataFrame
        ``[unit, article_id, outlet, published, title, (speaker), text, stratum,
        weight]``: ``unit`` is the article id (``<article_id>:s3`` for its third
        sentence, ``:q2`` for its second quote), ``text`` what to code, ``weight``
        how many units of the population the unit stands for (weighted sums
        estimate population totals).

    Examples
    --------
    >>> articles = pd.DataFrame({
    ...     "article_id": list("abcdef"), "outlet": ["A", "A", "A", "A", "B", "B"],
    ...     "text": ["One. Two."] * 6})
    >>> coding_sample(articles, 3, strata=["outlet"])[["unit", "stratum", "weight"]]
      unit stratum  weight
    0    c       A     2.0
    1    a       A     2.0
    2    f       B     2.0
    """
    if unit not in UNITS:
        raise ParameterError(f"unit {unit!r}: use one of {', '.join(UNITS)}")
    needed = ["article_id", "text"]
    missing = [c for c in needed if c not in articles.columns]
    if missing:
        raise ParameterError(f"articles: column(s) {missing} missing for a coding sample")
    parts = {"article": None, "sentence": _sentences, "quote": _quotes}[unit]
    if is_dask(articles):
        # the sample is drawn on the articles' metadata; texts are read for the
        # articles examined only
        if isinstance(strata, str):
            strata = (strata,)
        wanted = ["article_id", "outlet", "published", "title", "story_id", "is_duplicate"]
        table = gather(articles, [*wanted, *(s for s in strata if s not in wanted)])
        texts = functools.partial(_with_texts, articles)
        if parts is not None:
            parts = functools.partial(_parts_of, parts, texts)
    else:
        table, texts = articles, None
    sample = stratified_sample(
        table, n, strata=strata, allocation=allocation, seed=seed, units=parts
    )
    if texts is not None and unit == "article":
        sample = texts(sample)
    if unit == "article":
        sample = sample.assign(unit=sample["article_id"])
    columns = [c for c in SAMPLE_COLUMNS if c in sample.columns] + ["stratum", "weight"]
    out = sample[columns].reset_index(drop=True)
    out = out.astype({"unit": "string", "article_id": "string"})
    out.attrs["unit"] = unit
    return out


def sample_design(sample: pd.DataFrame) -> pd.DataFrame:
    """
    Sum up a coding sample by stratum: units drawn, the population they stand for, weights.

    Parameters
    ----------
    sample : DataFrame
        From :func:`coding_sample` (``stratum`` and ``weight`` at least).

    Returns
    -------
    DataFrame
        One row per stratum, ``[stratum, units, population, share_of_sample,
        share_of_population, weight]``: the units drawn, the units of the
        population they stand for (the sum of their weights), both as shares of
        their totals, and the mean weight (population over units drawn); the
        strata in the sample's order of names.

    Examples
    --------
    >>> sample = pd.DataFrame({"stratum": ["A", "A", "B"], "weight": [2.0, 2.0, 6.0]})
    >>> sample_design(sample)
      stratum  units  population  share_of_sample  share_of_population  weight
    0       A      2         4.0         0.666667                  0.4     2.0
    1       B      1         6.0         0.333333                  0.6     6.0
    """
    missing = [c for c in ("stratum", "weight") if c not in sample.columns]
    if missing:
        raise ParameterError(
            f"sample: column(s) {missing} missing; draw it with analysis.coding_sample"
        )
    columns = ["stratum", "units", "population", "share_of_sample", "share_of_population"]
    if sample.empty:
        return pd.DataFrame(columns=[*columns, "weight"])
    out = sample.groupby("stratum", sort=True).agg(
        units=("weight", "size"), population=("weight", "sum")
    )
    out = out.assign(
        share_of_sample=out["units"] / out["units"].sum(),
        share_of_population=out["population"] / out["population"].sum(),
        weight=out["population"] / out["units"],
    )
    return out.reset_index()[[*columns, "weight"]]


_PART = re.compile(r"^(?P<article>.+):(?P<kind>[sq])(?P<number>\d+)$")


def coded_units(articles, units: Sequence[str]) -> pd.DataFrame:
    """
    Find the coded units in the corpus again: each one's article, outlet and text.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table, pandas or Dask (only the articles named by
        ``units`` are read).
    units : sequence of str
        Unit ids as :func:`coding_sample` writes them: an article id,
        ``<article_id>:s<k>`` for its k-th sentence, ``<article_id>:q<k>`` for
        its k-th quote.

    Returns
    -------
    DataFrame
        ``[unit, article_id, outlet, text]``, one row per unit found, in the
        order given; units whose article (or sentence, or quote) the corpus
        does not hold are left out, and ``attrs["missing"]`` lists them.

    Examples
    --------
    >>> articles = pd.DataFrame({"article_id": ["a"], "outlet": ["A"], "text": ["One. Two."]})
    >>> coded_units(articles, ["a", "a:s2"])
       unit article_id outlet       text
    0     a          a      A  One. Two.
    1  a:s2          a      A       Two.
    """
    units = list(dict.fromkeys(str(u) for u in units))
    parsed = [_PART.match(u) for u in units]
    ids = {m["article"] if m else u for u, m in zip(units, parsed)}
    columns = ["article_id", *(["outlet"] if "outlet" in articles.columns else []), "text"]
    table = gather(articles, columns, keep=lambda part: part[part["article_id"].isin(ids)])
    table = table[table["article_id"].astype(str).isin(ids)].drop_duplicates("article_id")
    table = table.assign(article_id=table["article_id"].astype(str)).reset_index(drop=True)
    if "outlet" not in table.columns:
        table = table.assign(outlet=pd.NA)
    found = [table.assign(unit=table["article_id"])]
    for kind, parts in (("s", _sentences), ("q", _quotes)):
        wanted = {m["article"] for m in parsed if m and m["kind"] == kind}
        if wanted:
            some = table[table["article_id"].isin(wanted)]
            pieces = parts(some)
            rows = some.loc[pieces["row"].to_numpy()].reset_index(drop=True)
            found.append(
                rows.assign(unit=pieces["unit"].to_numpy(), text=pieces["text"].to_numpy())
            )
    every = pd.concat(found, ignore_index=True).drop_duplicates("unit").set_index("unit")
    kept = [u for u in units if u in every.index]
    out = every.loc[kept, ["article_id", "outlet", "text"]].reset_index()
    out.attrs["missing"] = [u for u in units if u not in every.index]
    return out
