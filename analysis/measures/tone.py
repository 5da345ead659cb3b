"""Tone per group and period: bootstrap intervals, distributions, extreme sentences, targets."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.corpus.cachefile import CacheFile
from analysis.engine import cache_folder, gather
from analysis.errors import ParameterError, SchemaError
from analysis.measures.wordtable import as_list
from analysis.options import renamed

log = logging.getLogger(__name__)

#: Compound thresholds for a positive / negative sentence (Hutto & Gilbert).
POSITIVE = 0.05
NEGATIVE = -0.05


def _group_keys(
    scores: pd.DataFrame, by, freq: str | None, date_col: str
) -> tuple[pd.DataFrame, list[str]]:
    """Return the table with a ``period`` column when asked, and the grouping columns."""
    if isinstance(by, str):
        by = [by]
    by = list(by or [])
    if freq is None:
        # ``by="W"`` or ``by=["outlet", "M"]``: a name that is not a column but a frequency
        rest = []
        for b in by:
            if b not in scores.columns and _is_freq(b):
                if freq is not None:
                    raise ParameterError(f"by={by!r}: more than one period frequency")
                freq = b
            else:
                rest.append(b)
        by = rest
    missing = [b for b in by if b not in scores.columns]
    if missing:
        raise SchemaError(
            missing[0], "not a column of the scores table (and not a period frequency)"
        )
    if freq is None:
        return scores, by
    if date_col not in scores.columns:
        raise SchemaError(date_col, f"needed to group by period {freq!r}")
    dates = pd.to_datetime(scores[date_col], utc=True)
    undated = int(dates.isna().sum())
    if undated:
        log.info("tone by period: %d rows without a date left out", undated)
    try:
        period = dates.dt.tz_localize(None).dt.to_period(freq).dt.start_time
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"freq={freq!r} is not a pandas period frequency ({exc})") from None
    out = scores.assign(period=period)
    return out[out["period"].notna()], [*by, "period"]


def _is_freq(name: str) -> bool:
    try:
        pd.tseries.frequencies.to_offset(name)
    except (ValueError, TypeError):
        return False
    return True


def _units(values: np.ndarray, clusters: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Sum and size of each resampling unit: a cluster, or each value on its own."""
    if clusters is None:
        return values, np.ones_like(values)
    _, inverse = np.unique(clusters, return_inverse=True)
    return np.bincount(inverse, weights=values), np.bincount(inverse).astype(float)


def _bootstrap(
    sums: np.ndarray, counts: np.ndarray, n_boot: int, ci: float, rng
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of units (see :func:`_units`)."""
    k = len(sums)
    if k < 2 or n_boot < 1:
        return (np.nan, np.nan)
    means = np.empty(n_boot)
    step = max(1, 4_000_000 // k)
    for a in range(0, n_boot, step):
        idx = rng.integers(0, k, size=(min(step, n_boot - a), k))
        means[a : a + len(idx)] = sums[idx].sum(axis=1) / counts[idx].sum(axis=1)
    tail = (1 - ci) / 2
    lo, hi = np.quantile(means, [tail, 1 - tail])
    return float(lo), float(hi)


#: Bootstrap intervals kept in a corpus folder by :func:`tone_by` (most recent kept).
INTERVALS_FILE = "cache_intervals.parquet"
INTERVALS_KEEP = 100_000


class _Intervals:
    """
    Bootstrap intervals of :func:`tone_by`, kept in ``cache_dir`` when one is given.

    An interval depends only on the group's key, its units' sums and sizes, the seed,
    ``n_boot`` and ``ci``; a digest of all of them keys it, so a group whose scores
    did not change since a previous report takes its interval from there, the same
    numbers, without resampling.
    """

    def __init__(self, cache_dir) -> None:
        self.file = CacheFile(
            cache_dir, INTERVALS_FILE, columns=["key", "lo", "hi"], what="interval cache"
        )
        self.new: dict[str, tuple[float, float]] = {}
        self.known: dict[str, tuple[float, float]] = {}
        table = self.file.read()
        if table is not None:
            # to_numpy: a stored NaN (an interval of fewer than two units) comes back NaN, not None
            bounds = zip(*(table.column(c).to_numpy().tolist() for c in ("lo", "hi")))
            self.known = dict(zip(table.column("key").to_pylist(), bounds))

    def interval(self, values, clusters, key: tuple, n_boot: int, ci: float, seed: int):
        sums, counts = _units(values, clusters)
        digest = hashlib.blake2b(
            repr((seed, key, n_boot, ci, clusters is not None)).encode(), digest_size=16
        )
        digest.update(np.ascontiguousarray(sums, dtype=float).tobytes())
        digest.update(np.ascontiguousarray(counts, dtype=float).tobytes())
        name = digest.hexdigest()
        found = self.known.get(name) or self.new.get(name)
        if found is None:
            rng = np.random.default_rng([seed, zlib.crc32(repr(key).encode())])
            found = self.new[name] = _bootstrap(sums, counts, n_boot, ci, rng)
        return found

    def save(self) -> None:
        if not self.new:
            return
        kept = {**self.known, **self.new}
        keys = list(kept)[-INTERVALS_KEEP:]
        table = pd.DataFrame(
            {
                "key": keys,
                "lo": [kept[k][0] for k in keys],
                "hi": [kept[k][1] for k in keys],
            }
        )
        self.file.write(table)  # a read-only or full folder: no cache, the same intervals


def tone_by(
    scores: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "outlet",
    freq: str | None = None,
    value: str = "compound",
    cluster: str | None = None,
    n_boot: int = 2000,
    ci: float = 0.95,
    seed: int = 0,
    date_col: str = "published",
    cache_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """
    Mean tone per group and/or period, with a bootstrap confidence interval and N.

    Parameters
    ----------
    scores : DataFrame
        Article scores (:func:`analysis.article_sentiment`) or sentence scores
        (:func:`analysis.sentence_sentiment`).
    by : str, sequence of str or None, default "outlet"
        Grouping column(s). A pandas period frequency that is not a column name
        (``"W"``, ``"M"``, ``"D"``) groups by period of ``date_col`` instead.
    freq : str, optional
        Period frequency, combined with ``by`` (``by="outlet", freq="M"``).
    value : str, default "compound"
        Column to average.
    cluster : str, optional
        Resample whole clusters (e.g. ``"article_id"`` for sentence scores:
        sentences of one article are not independent). Default resamples rows.
    n_boot : int, default 2000
        Bootstrap resamples; 2000 puts the Monte-Carlo error of a 95 % bound
        well below the third decimal of compound for groups of 30 or more.
    ci : float, default 0.95
        Confidence level of the percentile interval.
    seed : int, default 0
        Seed; each group's resamples depend only on the seed and the group's
        key, so adding a group does not move the others' intervals.
    date_col : str, default "published"
        Date column for periods.
    cache_dir : path-like, None or False, default None
        ``None``: the folder of the corpus the table was read from, when known
        (``analysis.open_corpus``); ``False``: no cache.
        Corpus folder where intervals are kept (``cache_intervals.parquet``): a
        group whose scores are unchanged since an earlier call gets the same
        interval without resampling (a scheduled report resamples only the groups
        that new articles changed).

    Returns
    -------
    DataFrame
        ``[*by, period?, n, (n_clusters), mean, ci_low, ci_high, median,
        share_pos, share_neg]``: ``share_pos``/``share_neg`` are the shares of
        rows whose value is >= 0.05 / <= -0.05. Intervals are NaN for fewer
        than two units.

    Examples
    --------
    >>> arts = pd.DataFrame({"outlet": ["A", "A", "A", "B", "B"],
    ...                      "compound": [0.5, 0.1, -0.2, -0.6, -0.4]})
    >>> tone_by(arts, by="outlet")[["outlet", "n", "mean"]]
      outlet  n      mean
    0      A  3  0.133333
    1      B  2 -0.500000
    """
    cache_dir = cache_folder(cache_dir, scores)
    if value not in scores.columns:
        raise SchemaError(value, "not a column of the scores table")
    # the bootstrap resamples single scores: on Dask, one small row per score is gathered
    scores = gather(scores, [*as_list(by), date_col, value, cluster])
    if not 0 < ci < 1:
        raise ParameterError(f"ci must be between 0 and 1, got {ci!r}")
    if cluster is not None and cluster not in scores.columns:
        raise SchemaError(cluster, "cluster column not in the scores table")
    table, keys = _group_keys(scores, by, freq, date_col)
    table = table[table[value].notna()]
    rows = []
    intervals = _Intervals(cache_dir)
    groups = table.groupby(keys, sort=True, dropna=False) if keys else [((), table)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        x = part[value].to_numpy(dtype=float)
        cl = part[cluster].to_numpy() if cluster else None
        lo, hi = intervals.interval(x, cl, key, n_boot, ci, seed)
        row = dict(zip(keys, key))
        row["n"] = len(x)
        if cluster:
            row["n_clusters"] = int(pd.Series(cl).nunique())
        row.update(
            mean=float(x.mean()),
            ci_low=lo,
            ci_high=hi,
            median=float(np.median(x)),
            share_pos=float((x >= POSITIVE).mean()),
            share_neg=float((x <= NEGATIVE).mean()),
        )
        rows.append(row)
    intervals.save()
    cols = [*keys, "n", *(["n_clusters"] if cluster else []), "mean", "ci_low", "ci_high", "median"]
    return pd.DataFrame(rows, columns=[*cols, "share_pos", "share_neg"])


def tone_distribution(
    scores: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "outlet",
    value: str = "compound",
    bins: int = 20,
) -> pd.DataFrame:
    """
    Histogram of tone per group, as a long table (shares sum to 1 per group).

    Parameters
    ----------
    scores : DataFrame
        Article or sentence scores.
    by : str, sequence of str or None, default "outlet"
        Grouping column(s).
    value : str, default "compound"
        Column to bin; bins split [-1, 1] evenly.
    bins : int, default 20
        Number of bins.

    Returns
    -------
    DataFrame
        ``[*by, bin_left, bin_right, count, share]``.

    Examples
    --------
    >>> s = pd.DataFrame({"outlet": ["A", "A"], "compound": [-0.9, 0.2]})
    >>> tone_distribution(s, bins=2)[["bin_left", "count"]].values.tolist()
    [[-1.0, 1.0], [0.0, 1.0]]
    """
    if value not in scores.columns:
        raise SchemaError(value, "not a column of the scores table")
    if not isinstance(bins, int) or bins < 1:
        raise ParameterError(f"bins must be a positive int, got {bins!r}")
    table, keys = _group_keys(scores, by, None, "published")
    edges = np.linspace(-1.0, 1.0, bins + 1)
    rows = []
    groups = table.groupby(keys, sort=True, dropna=False) if keys else [((), table)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        x = part[value].dropna().to_numpy(dtype=float)
        counts, _ = np.histogram(np.clip(x, -1, 1), bins=edges)
        total = counts.sum()
        for b in range(bins):
            rows.append(
                {
                    **dict(zip(keys, key)),
                    "bin_left": edges[b],
                    "bin_right": edges[b + 1],
                    "count": int(counts[b]),
                    "share": counts[b] / total if total else np.nan,
                }
            )
    return pd.DataFrame(rows, columns=[*keys, "bin_left", "bin_right", "count", "share"])


@renamed(n="top")
def extreme_sentences(
    sentences: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "outlet",
    top: int = 5,
    value: str = "compound",
    min_words: int = 0,
) -> pd.DataFrame:
    """
    The most positive and most negative sentences per group, with their articles.

    A sentence repeated in several articles (syndicated copy) is shown once, with
    the number of copies.

    Parameters
    ----------
    sentences : DataFrame
        Sentence scores from :func:`analysis.sentence_sentiment`.
    by : str, sequence of str or None, default "outlet"
        Grouping column(s).
    top : int, default 5
        Sentences per direction and group.
    value : str, default "compound"
        Score to rank by.
    min_words : int, default 0
        Skip sentences shorter than this (headline fragments, bylines).

    Returns
    -------
    DataFrame
        ``[*by, direction, rank, value, sentence, article_id, n_copies]``,
        direction ``"positive"`` then ``"negative"``, rank 1 the most extreme.

    Examples
    --------
    >>> s = pd.DataFrame({"outlet": ["A"] * 3, "article_id": ["a", "b", "c"],
    ...                   "sentence": ["Great win.", "It rained.", "Awful loss."],
    ...                   "compound": [0.8, 0.0, -0.7]})
    >>> extreme_sentences(s, top=1)[["direction", "sentence"]].values.tolist()
    [['positive', 'Great win.'], ['negative', 'Awful loss.']]
    """
    for col in (value, "sentence", "article_id"):
        if col not in sentences.columns:
            raise SchemaError(col, "missing; pass the table from sentence_sentiment")
    if not isinstance(top, int) or top < 1:
        raise ParameterError(f"top must be a positive int, got {top!r}")
    sentences = gather(
        sentences,
        [*as_list(by), "published", value, "sentence", "article_id"],
        keep=functools.partial(_extreme_candidates, by=by, n=top, value=value, min_words=min_words),
    )
    table, keys = _group_keys(sentences, by, None, "published")
    table = table[table[value].notna()]
    if min_words:
        table = table[table["sentence"].str.split().str.len() >= min_words]
    dedup = keys + ["sentence"]
    copies = table.groupby(dedup, sort=False, dropna=False)["article_id"].transform("size")
    table = table.assign(n_copies=copies).drop_duplicates(dedup)
    parts = []
    for direction, ascending in (("positive", False), ("negative", True)):
        side = table[table[value] > 0] if direction == "positive" else table[table[value] < 0]
        side = side.sort_values(
            [*keys, value], ascending=[True] * len(keys) + [ascending], kind="stable"
        )
        best = side.groupby(keys, sort=False, dropna=False).head(top) if keys else side.head(top)
        best = best.assign(direction=direction)
        best["rank"] = (
            best.groupby(keys, sort=False, dropna=False).cumcount() + 1
            if keys
            else np.arange(1, len(best) + 1)
        )
        parts.append(best)
    out = pd.concat(parts, ignore_index=True)
    if keys:
        out = out.sort_values(keys, kind="stable")
    cols = [*keys, "direction", "rank", value, "sentence", "article_id", "n_copies"]
    return out[cols].reset_index(drop=True)


def _targets(targets, categories: Sequence[str] | None):
    from analysis.measures.dictionaries import Dictionary, as_dictionary

    if isinstance(targets, str):
        targets = {targets: targets}
    if isinstance(targets, Mapping) and not isinstance(targets, Dictionary):
        targets = {k: (v.split("|") if isinstance(v, str) else list(v)) for k, v in targets.items()}
    elif isinstance(targets, Sequence) and not isinstance(targets, Dictionary):
        targets = {"|".join(targets): list(targets)}
    book = as_dictionary(targets, "targets")
    if categories is not None:
        unknown = [c for c in categories if c not in book]
        if unknown:
            raise ParameterError(f"categories: {unknown} not in the dictionary (has {list(book)})")
        book = as_dictionary({c: book[c] for c in categories}, "targets")
    return book


def mentions(
    texts: Sequence[str], targets, *, categories: Sequence[str] | None = None
) -> pd.DataFrame:
    """
    Flag which texts mention each target.

    Parameters
    ----------
    texts : sequence of str
        Sentences (or any texts).
    targets : mapping, Dictionary, str or list of str
        ``{name: terms}`` where terms is a list or a ``|``-separated string of
        words, wildcards (``Zelensk*``) and phrases, matched like dictionary
        entries (:mod:`analysis.measures.dictionaries`, case-insensitive, whole tokens);
        a loaded dictionary (each category a target); or one term list.
    categories : sequence of str, optional
        Use only these categories of a dictionary.

    Returns
    -------
    DataFrame
        One boolean column per target, one row per text.

    Examples
    --------
    >>> mentions(["Putin spoke.", "Kyiv was calm."], {"russia": "Russia|Putin", "ukraine": "Kyiv"})
       russia  ukraine
    0    True    False
    1   False     True
    """
    from analysis.measures.dictionaries import Matcher
    from analysis.text.tokens import tokenize

    book = _targets(targets, categories)
    matcher = Matcher(book)
    none = [0] * len(matcher.labels)
    seen: dict[str, list[int]] = {}
    rows = []
    for t in texts:
        if not isinstance(t, str):
            rows.append([0] * len(matcher.labels))
            continue
        counts = seen.get(t)
        if counts is None:
            counts = seen[t] = matcher.count(tokenize(t)) if matcher.may_match(t) else none
        rows.append(counts)
    flags = np.asarray(rows, dtype=int).reshape(len(rows), len(matcher.labels)) > 0
    return pd.DataFrame(flags, columns=matcher.labels)


def targeted_tone(
    sentences: pd.DataFrame,
    targets,
    *,
    by: str | Sequence[str] | None = "outlet",
    freq: str | None = None,
    categories: Sequence[str] | None = None,
    exclusive: bool = False,
    n_boot: int = 2000,
    ci: float = 0.95,
    seed: int = 0,
    cache_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """
    Tone of the sentences that mention a target, per group and/or period.

    Parameters
    ----------
    sentences : DataFrame
        Sentence scores from :func:`analysis.sentence_sentiment`.
    targets : mapping, Dictionary, str or list of str
        What to look for, e.g. ``{"Russia": "Russia|Russian|Kremlin|Putin",
        "Ukraine": "Ukraine|Ukrainian|Kyiv|Zelensk*"}`` (see :func:`mentions`).
    by, freq
        Grouping, as for :func:`tone_by` (``by=None, freq="W"``: weekly overall).
    categories : sequence of str, optional
        Use only these categories of a dictionary.
    exclusive : bool, default False
        Count only sentences that mention exactly one of the targets (a
        sentence naming both sides says little about either).
    n_boot, ci, seed, cache_dir
        Bootstrap settings of :func:`tone_by`; sentences are resampled by
        article (``cluster="article_id"``).

    Returns
    -------
    DataFrame
        ``[target, *by, period?, n, n_clusters, mean, ci_low, ci_high, median,
        share_pos, share_neg]``; ``n`` counts sentences and ``n_clusters``
        articles.

    Examples
    --------
    >>> s = pd.DataFrame({"outlet": ["A"] * 3, "article_id": ["a", "a", "b"],
    ...                   "sentence": ["Putin lied.", "Kyiv held.", "Putin won."],
    ...                   "compound": [-0.5, 0.2, 0.6]})
    >>> targeted_tone(s, {"Russia": "Putin", "Ukraine": "Kyiv"}, n_boot=10)[["target", "n", "mean"]]
        target  n  mean
    0   Russia  2  0.05
    1  Ukraine  1  0.20
    """
    cache_dir = cache_folder(cache_dir, sentences)
    for col in ("sentence", "compound", "article_id"):
        if col not in sentences.columns:
            raise SchemaError(col, "missing; pass the table from sentence_sentiment")
    sentences = gather(
        sentences,
        ["sentence", "compound", "article_id", *as_list(by), "published"],
        keep=functools.partial(
            _mentioning, targets=targets, categories=categories, exclusive=exclusive
        ),
    )
    flags = mentions(sentences["sentence"].tolist(), targets, categories=categories)
    flags.index = sentences.index
    if exclusive:
        flags = flags[flags.sum(axis=1) == 1].reindex(sentences.index, fill_value=False)
    parts = []
    for name in flags.columns:
        sub = sentences[flags[name].to_numpy()]
        if not len(sub):
            continue
        res = tone_by(
            sub, by=by, freq=freq, cluster="article_id", n_boot=n_boot, ci=ci, seed=seed,
            cache_dir=cache_dir,
        )  # fmt: skip
        parts.append(res.assign(target=name))
    if not parts:
        return pd.DataFrame(columns=["target", "n", "n_clusters", "mean", "ci_low", "ci_high"])
    out = pd.concat(parts, ignore_index=True)
    return out[["target", *[c for c in out.columns if c != "target"]]]


def _mentioning(part: pd.DataFrame, *, targets: Any, categories: Any, exclusive: bool):
    """The sentences of one partition that mention a target (exactly one with ``exclusive``)."""
    flags = mentions(part["sentence"].tolist(), targets, categories=categories)
    hits = flags.sum(axis=1).to_numpy()
    return part[hits == 1] if exclusive else part[hits > 0]


def _extreme_candidates(
    part: pd.DataFrame, *, by: Any, n: int, value: str, min_words: int
) -> pd.DataFrame:
    """
    Every row whose score reaches the ``n``-th most extreme distinct sentence of its group.

    A sentence among the ``n`` most extreme of the whole table is among them in
    every partition where it occurs (any sentence ahead of it there is ahead of it
    overall), so all its copies are kept and the pandas engine finds the same
    sentences, ranks and copy counts in the kept rows.
    """
    import numpy as np

    table, keys = _group_keys(part, by, None, "published")
    table = table[table[value].notna()]
    if min_words:
        table = table[table["sentence"].str.split().str.len() >= min_words]
    keep = []
    for sign in (1, -1):
        side = table[table[value] * sign > 0]
        groups = side.groupby(keys, sort=False, dropna=False) if keys else [((), side)]
        for _, rows in groups:
            score = rows[value] * sign
            cut = score[~rows.duplicated([*keys, "sentence"])].nlargest(n).min()
            keep.append(rows.index[(score >= cut).to_numpy()])
    index = np.sort(np.concatenate(keep)) if keep else np.empty(0, dtype=np.int64)
    return part.loc[index]
