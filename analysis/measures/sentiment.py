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
Those aggregates live in :mod:`analysis.measures.tone` and are imported here too.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from analysis.corpus.cachefile import CacheFile
from analysis.engine import cache_folder, corpus_folder, each_partition, is_dask, remember_folder
from analysis.errors import ParameterError, SchemaError
from analysis.measures.tone import (  # noqa: F401 (the aggregates are imported from here too)
    INTERVALS_FILE,
    INTERVALS_KEEP,
    NEGATIVE,
    POSITIVE,
    _group_keys,
    extreme_sentences,
    mentions,
    targeted_tone,
    tone_by,
    tone_distribution,
)
from analysis.measures.vader import ENGINES, score_texts
from analysis.schema import with_text

log = logging.getLogger(__name__)

Method = Literal["vader", "nltk"]
SCORE_COLUMNS = ["neg", "neu", "pos", "compound"]
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
        (``nltk.sentiment.vader``). They differ on some sentences (see docs/measures.md).
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
    """Validate the columns; return a shallow copy without ``attrs`` (load reports) and without metadata-only rows."""
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError("<table>", f"expected a pandas DataFrame, got {type(articles).__name__}")
    for col in ("article_id", "text"):
        if col not in articles.columns:
            raise SchemaError(
                col, "missing; pass the canonical articles table (analysis.load_articles)"
            )
    table = with_text(articles).copy(deep=False)
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


def _cache_file(cache_dir, method: str) -> CacheFile:
    """The sentence-score cache of ``method`` in ``cache_dir`` (Arrow IPC: read back fast)."""
    return CacheFile(
        cache_dir,
        f"sentiment_{method}.arrow",
        version=CACHE_VERSION,
        columns=["article_id", "text_hash", "sentence_no", "sentence", *SCORE_COLUMNS],
        replaces=[f"sentiment_{method}.parquet"],  # the cache of earlier versions
        what="sentiment cache",
    )


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


def _per_partition(measure, articles, method: str, cache_dir, english_only: bool):
    """A sentiment measure on every partition of a Dask table, each with its own score cache."""
    return each_partition(
        articles,
        measure,
        cache=f"sentiment_{method}",
        cache_dir=cache_dir,
        meta_options={"english_only": False},
        method=method,
        english_only=english_only,
        n_jobs=1,  # one partition is one task: the cluster's workers are the parallelism
    )


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
    cache_dir : path-like, None or False, default None
        ``None``: the folder of the corpus the table was read from, when known
        (``analysis.open_corpus``); ``False``: no cache.
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
    cache_dir = cache_folder(cache_dir, articles)
    _check_method(method)
    if is_dask(articles):
        return _per_partition(sentence_sentiment, articles, method, cache_dir, english_only)
    table = _check_articles(articles)
    table = _english(table) if english_only else table
    table = table.drop_duplicates("article_id")
    table.attrs = {}
    ids = table["article_id"].astype("string").tolist()
    texts = [t if isinstance(t, str) else "" for t in table["text"].tolist()]
    hashes = [text_hash(t) for t in texts]

    store = _cache_file(cache_dir, method)
    cached = store.read()
    cached = None if cached is None else cached.to_pandas()
    wanted = [f"{aid}:{h}" for aid, h in zip(ids, hashes)]
    if cached is not None:
        have = set(_runs(cached)[1])
        todo = [k for k, key in enumerate(wanted) if key not in have]
    else:
        todo = list(range(len(ids)))
    if todo and store.path is not None:
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
    if store.path is not None and len(new):
        store.write(full)  # a read-only or full folder: no cache, the same scores
        log.info(
            "sentiment cache %s: %d articles scored, %d reused",
            store.path,
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
    return remember_folder(mine, corpus_folder(articles))  # where tone_by keeps its intervals


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
        One row per article with a body (metadata-only articles are left out):
        ``article_id`` (and ``outlet, published, title`` when present), ``n_sentences``, ``compound`` (mean sentence compound),
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
    cache_dir = cache_folder(cache_dir, articles)
    if is_dask(articles):
        _check_method(method)
        return _per_partition(article_sentiment, articles, method, cache_dir, english_only)
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
