"""Tone of coverage: VADER sentiment per sentence, per article and per group.

What the numbers mean
---------------------
VADER (Hutto & Gilbert 2014) sums the valences of words from a rated lexicon,
adjusted by rules for negation, intensifiers, capitals, "but" and punctuation,
and squashes the sum into ``compound`` in [-1, 1]; ``neg``, ``neu`` and ``pos``
are the shares of the text's weight that fall in each class. It was built and
validated on social-media posts; on news it agrees only moderately with human
readers, and it scores the *words* of a sentence, not the stance of the outlet:
a neutral report of a massacre is strongly negative, quoted speech counts like
the reporter's own, and "killed" weighs the same for either side. Compare groups
and periods with each other, read the extreme sentences, and do not read a
compound of -0.3 as "the outlet is hostile".

Pipeline
--------
``sentence_sentiment`` splits each article into sentences
(:func:`analysis.text.nlp.split_sentences`) and scores each one (each distinct
sentence once). ``article_sentiment`` summarises them per article: the mean
compound and the shares of positive (compound >= 0.05) and negative
(<= -0.05) sentences, the thresholds of the VADER authors. With ``cache_dir``
(a corpus directory) the sentence scores are kept in
``sentiment_<method>.arrow`` keyed by article id and a hash of the text, so a
rerun scores only new or changed articles. ``tone_by`` compares groups and
periods with bootstrap confidence intervals; ``targeted_tone`` does the same for
sentences that mention a target; ``extreme_sentences`` shows what drives a number.
"""

from __future__ import annotations

import hashlib
import logging
import os
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from analysis.errors import ParameterError, SchemaError
from analysis.measures.vader import ENGINES, score_texts
from analysis.paths import write_arrow, write_parquet

log = logging.getLogger(__name__)

Method = Literal["vader", "nltk"]
SCORE_COLUMNS = ["neg", "neu", "pos", "compound"]
#: Compound thresholds for a positive / negative sentence (Hutto & Gilbert).
POSITIVE = 0.05
NEGATIVE = -0.05
#: Changes whenever the cached sentence table would differ for the same text.
CACHE_VERSION = "1"


def _check_method(method: str) -> None:
    if method not in ENGINES:
        raise ParameterError(f"method must be one of {ENGINES}, got {method!r}")


def sentiment_scores(
    texts: Sequence[str] | pd.Series, *, method: Method = "vader", n_jobs: int | None = None
) -> pd.DataFrame:
    """
    Score texts (ideally single sentences) with VADER.

    Parameters
    ----------
    texts : sequence of str or Series
        Texts to score; missing values give a row of NaN.
    method : {"vader", "nltk"}, default "vader"
        ``"vader"`` gives exactly the scores of vaderSentiment 3.3.2, the
        published tool; ``"nltk"`` exactly those of NLTK's port
        (``nltk.sentiment.vader``). They differ on some sentences (see README).
    n_jobs : int, optional
        Worker processes; ``None`` uses every core only for very large inputs.

    Returns
    -------
    DataFrame
        Columns ``neg, neu, pos, compound``, one row per input text in input
        order (the Series' index is kept).

    Examples
    --------
    >>> sentiment_scores(["Talks were useful.", "Shelling killed ten people."])
       neg    neu    pos  compound
    0  0.0  0.408  0.592    0.4404
    1  0.6  0.400  0.000   -0.6705
    """
    _check_method(method)
    index = texts.index if isinstance(texts, pd.Series) else None
    values = list(texts)
    present = []
    for k, t in enumerate(values):
        if isinstance(t, str):
            present.append(k)
        elif not (t is None or t is pd.NA or (isinstance(t, float) and np.isnan(t))):
            raise ParameterError(f"texts[{k}] is a {type(t).__name__}, expected str")
    out = np.full((len(values), 4), np.nan)
    if present:
        scored = score_texts([values[k] for k in present], engine=method, n_jobs=n_jobs)
        out[present] = np.asarray(scored, dtype=float)
    return pd.DataFrame(out, columns=SCORE_COLUMNS, index=index)


def text_hash(text: str) -> str:
    """Return the short hash that keys a text's cached scores."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _english(articles: pd.DataFrame) -> pd.DataFrame:
    from analysis.text.language import english_only

    return english_only(articles)


def _check_articles(articles: pd.DataFrame) -> pd.DataFrame:
    """Validate the columns; return a shallow copy without ``attrs`` (load reports)."""
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError("<table>", f"expected a pandas DataFrame, got {type(articles).__name__}")
    for col in ("article_id", "text"):
        if col not in articles.columns:
            raise SchemaError(
                col, "missing; pass the canonical articles table (analysis.load_articles)"
            )
    table = articles.copy(deep=False)
    table.attrs = {}
    return table


def _split_and_score(
    ids: list[str], hashes: list[str], texts: list, method: str, n_jobs
) -> pd.DataFrame:
    from analysis.text.nlp import split_sentences

    rows_id, rows_hash, rows_no, sentences = [], [], [], []
    for aid, h, text in zip(ids, hashes, texts):
        parts = split_sentences(text) if isinstance(text, str) and text else []
        if not parts:  # keep a marker so the article counts as done
            rows_id.append(aid)
            rows_hash.append(h)
            rows_no.append(-1)
            sentences.append(None)
            continue
        rows_id.extend([aid] * len(parts))
        rows_hash.extend([h] * len(parts))
        rows_no.extend(range(len(parts)))
        sentences.extend(parts)
    real = [s for s in sentences if s is not None]
    scores = np.full((len(sentences), 4), np.nan)
    if real:
        mask = np.array([s is not None for s in sentences])
        scores[mask] = np.asarray(score_texts(real, engine=method, n_jobs=n_jobs), dtype=float)
    table = pd.DataFrame(
        {
            "article_id": pd.array(rows_id, dtype="string"),
            "text_hash": pd.array(rows_hash, dtype="string"),
            "sentence_no": np.asarray(rows_no, dtype="int32"),
            "sentence": pd.array(sentences, dtype="string"),
        }
    )
    table[SCORE_COLUMNS] = scores
    table.attrs["sentences_scored"] = len(real)
    return table


def _cache_file(cache_dir, method: str) -> Path:
    return Path(cache_dir) / f"sentiment_{method}.arrow"


def _read_cache(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    try:
        import pyarrow.feather as feather

        table = feather.read_table(path).to_pandas()
    except Exception as exc:  # a torn or foreign file is rebuilt, not fatal
        log.warning("ignoring unreadable sentiment cache %s (%s)", path, exc)
        return None
    if "cache_version" not in table.columns or not (table["cache_version"] == CACHE_VERSION).all():
        log.info("sentiment cache %s is from another version; rescoring", path)
        return None
    return table.drop(columns="cache_version")


def _write_cache(path: Path, table: pd.DataFrame) -> None:
    """Write the sentence cache (LZ4 Arrow IPC: read back about five times faster than Parquet)."""
    import pyarrow as pa

    write_arrow(
        pa.Table.from_pandas(table.assign(cache_version=CACHE_VERSION), preserve_index=False), path
    )
    path.with_suffix(".parquet").unlink(missing_ok=True)  # the cache of earlier versions


def _runs(sentences: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """
    Cut a sentence table into runs of rows of one article version: the first row of
    each run, and its ``"article_id:text_hash"`` key.
    """
    ids = sentences["article_id"].to_numpy(dtype=object)
    hashes = sentences["text_hash"].to_numpy(dtype=object)
    if not len(ids):
        return np.zeros(0, dtype=np.int64), []
    change = (ids[1:] != ids[:-1]) | (hashes[1:] != hashes[:-1])
    starts = np.concatenate([[0], np.flatnonzero(change) + 1])
    return starts, [f"{a}:{h}" for a, h in zip(ids[starts].tolist(), hashes[starts].tolist())]


def sentence_sentiment(
    articles: pd.DataFrame,
    *,
    method: Method = "vader",
    cache_dir: str | os.PathLike | None = None,
    english_only: bool = True,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """
    Score every sentence of every article.

    Parameters
    ----------
    articles : DataFrame
        Articles table with at least ``article_id`` and ``text``; ``outlet``,
        ``published`` and ``title`` are carried over when present.
    method : {"vader", "nltk"}, default "vader"
        Scoring engine (see :func:`sentiment_scores`).
    cache_dir : path-like, optional
        Corpus directory; sentence scores are kept in
        ``sentiment_<method>.arrow`` there, keyed by article id and text
        hash, and only new or changed articles are scored.
    english_only : bool, default True
        Leave out articles not detected as English (VADER's lexicon is English);
        see :func:`analysis.text.language.english_only`.
    n_jobs : int, optional
        Worker processes for scoring (``None``: all cores for very large inputs).

    Returns
    -------
    DataFrame
        One row per sentence: ``article_id, sentence_no, sentence, neg, neu,
        pos, compound`` plus the carried article columns. ``attrs`` holds
        ``articles_scored``, ``articles_cached`` and ``sentences_scored``.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a1"], "outlet": ["X"],
    ...                      "text": ["Talks were useful. Shelling killed ten people."]})
    >>> sentence_sentiment(arts, english_only=False)[["sentence_no", "compound"]]
       sentence_no  compound
    0            0    0.4404
    1            1   -0.6705
    """
    _check_method(method)
    table = _check_articles(articles)
    table = _english(table) if english_only else table
    table = table.drop_duplicates("article_id")
    table.attrs = {}
    ids = table["article_id"].astype("string").tolist()
    texts = [t if isinstance(t, str) else "" for t in table["text"].tolist()]
    hashes = [text_hash(t) for t in texts]

    cached = None
    path = None
    if cache_dir is not None:
        path = _cache_file(cache_dir, method)
        cached = _read_cache(path)
    wanted = [f"{aid}:{h}" for aid, h in zip(ids, hashes)]
    if cached is not None:
        have = set(_runs(cached)[1])
        todo = [k for k, key in enumerate(wanted) if key not in have]
    else:
        todo = list(range(len(ids)))
    if todo and cache_dir is not None:
        from analysis.text.nlp import use_prepared_spans

        use_prepared_spans(cache_dir)
    new = _split_and_score(
        [ids[k] for k in todo], [hashes[k] for k in todo], [texts[k] for k in todo], method, n_jobs
    )
    n_scored = new.attrs["sentences_scored"]
    if cached is not None:
        # keep other articles' rows; drop stale versions of the rescored ones
        rescored = set(new["article_id"])
        keep_old = cached[~cached["article_id"].isin(rescored)]
        full = pd.concat([keep_old, new], ignore_index=True) if len(new) else keep_old
    else:
        full = new
    if path is not None and len(new):
        _write_cache(path, full)
        log.info(
            "sentiment cache %s: %d articles scored, %d reused",
            path,
            len(todo),
            len(ids) - len(todo),
        )

    # the rows of the wanted versions, in article order, then sentence order
    starts, keys = _runs(full)
    position = {key: k for k, key in enumerate(wanted)}
    run_article = np.fromiter((position.get(key, -1) for key in keys), np.int64, len(keys))
    row_article = np.repeat(run_article, np.diff(np.append(starts, len(full))))
    number = full["sentence_no"].to_numpy()
    rows = np.flatnonzero((row_article >= 0) & (number >= 0))
    rows = rows[np.lexsort((number[rows], row_article[rows]))]
    mine = full.iloc[rows].drop(columns="text_hash").reset_index(drop=True)
    mine["article_id"] = mine["article_id"].astype(object)
    carry = [c for c in ("outlet", "published", "title") if c in table.columns]
    if carry:
        meta = table[carry].iloc[row_article[rows]].reset_index(drop=True)
        mine = pd.concat([mine, meta], axis=1)
    mine = mine[["article_id", *carry, "sentence_no", "sentence", *SCORE_COLUMNS]]
    mine.attrs.update(
        {
            "method": method,
            "articles_scored": len(todo),
            "articles_cached": len(ids) - len(todo),
            "sentences_scored": n_scored,
        }
    )
    return mine


def article_sentiment(
    articles: pd.DataFrame,
    *,
    method: Method = "vader",
    cache_dir: str | os.PathLike | None = None,
    english_only: bool = True,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """
    Summarise the tone of each article from its sentence scores.

    Parameters
    ----------
    articles : DataFrame
        Articles table (``article_id`` and ``text`` required).
    method, cache_dir, english_only, n_jobs
        As for :func:`sentence_sentiment`.

    Returns
    -------
    DataFrame
        One row per article: ``article_id`` (and ``outlet, published, title``
        when present), ``n_sentences``, ``compound`` (mean sentence compound),
        ``share_pos`` and ``share_neg`` (shares of sentences with compound
        >= 0.05 and <= -0.05). Articles without sentences have ``n_sentences``
        0 and NaN scores. ``attrs`` carries the cache counters of
        :func:`sentence_sentiment`.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a1"],
    ...                      "text": ["Talks were useful. Shelling killed ten people. It rained."]})
    >>> article_sentiment(arts, english_only=False).round(3)
      article_id  n_sentences  compound  share_pos  share_neg
    0         a1            3    -0.077      0.333      0.333
    """
    sents = sentence_sentiment(
        articles, method=method, cache_dir=cache_dir, english_only=english_only, n_jobs=n_jobs
    )
    summary = _summarise(sents, ["article_id"])
    table = _check_articles(articles)
    table = _english(table) if english_only else table
    base = table.drop_duplicates("article_id")
    base.attrs = {}
    carry = [c for c in ("outlet", "published", "title") if c in base.columns]
    out = (
        base[["article_id", *carry]]
        .astype({"article_id": "string"})
        .merge(summary, on="article_id", how="left")
    )
    out["n_sentences"] = out["n_sentences"].fillna(0).astype("int64")
    out = out.reset_index(drop=True)
    out.attrs.update(sents.attrs)
    return out


def _summarise(sents: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    c = sents["compound"]
    work = sents[keys].assign(
        compound=c, _pos=(c >= POSITIVE).astype(float), _neg=(c <= NEGATIVE).astype(float)
    )
    g = work.groupby(keys, sort=False, dropna=False)
    return pd.DataFrame(
        {
            "n_sentences": g["compound"].size(),
            "compound": g["compound"].mean(),
            "share_pos": g["_pos"].mean(),
            "share_neg": g["_neg"].mean(),
        }
    ).reset_index()


# -- aggregates ---------------------------------------------------------------


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
        self.path = None
        self.known: dict[str, tuple[float, float]] = {}
        self.new: dict[str, tuple[float, float]] = {}
        if cache_dir is None or not str(cache_dir).strip() or not Path(cache_dir).is_dir():
            return
        self.path = Path(cache_dir) / INTERVALS_FILE
        if self.path.is_file():
            try:
                table = pd.read_parquet(self.path)
                self.known = dict(
                    zip(table["key"].tolist(), zip(table["lo"].tolist(), table["hi"].tolist()))
                )
            except Exception as exc:  # a torn or foreign file is rebuilt, not fatal
                log.warning("ignoring unreadable interval cache %s (%s)", self.path, exc)

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
        if self.path is None or not self.new:
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
        try:
            write_parquet(table, self.path)
        except OSError as exc:
            log.warning("interval cache %s not written: %s", self.path, exc)


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
        Article scores (:func:`article_sentiment`) or sentence scores
        (:func:`sentence_sentiment`).
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
    cache_dir : path-like, optional
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
    if value not in scores.columns:
        raise SchemaError(value, "not a column of the scores table")
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


def extreme_sentences(
    sentences: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "outlet",
    n: int = 5,
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
        Sentence scores from :func:`sentence_sentiment`.
    by : str, sequence of str or None, default "outlet"
        Grouping column(s).
    n : int, default 5
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
    >>> extreme_sentences(s, n=1)[["direction", "sentence"]].values.tolist()
    [['positive', 'Great win.'], ['negative', 'Awful loss.']]
    """
    for col in (value, "sentence", "article_id"):
        if col not in sentences.columns:
            raise SchemaError(col, "missing; pass the table from sentence_sentiment")
    if not isinstance(n, int) or n < 1:
        raise ParameterError(f"n must be a positive int, got {n!r}")
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
        top = side.groupby(keys, sort=False, dropna=False).head(n) if keys else side.head(n)
        top = top.assign(direction=direction)
        top["rank"] = (
            top.groupby(keys, sort=False, dropna=False).cumcount() + 1
            if keys
            else np.arange(1, len(top) + 1)
        )
        parts.append(top)
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
        Sentence scores from :func:`sentence_sentiment`.
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
    for col in ("sentence", "compound", "article_id"):
        if col not in sentences.columns:
            raise SchemaError(col, "missing; pass the table from sentence_sentiment")
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
