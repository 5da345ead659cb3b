"""Shared plumbing for the word measurements: row selection, groups, periods, term counts.

Private to :mod:`analysis.measures.terms`, :mod:`analysis.measures.keyness`,
:mod:`analysis.measures.kwic` and :mod:`analysis.measures.dictionaries`. The counters
behind :func:`count_terms` live in :mod:`analysis.measures.tokenids`,
:mod:`analysis.measures.counters`, :mod:`analysis.measures.arrowcounters` and
:mod:`analysis.measures.termcache`; the names the measurements use are exported here.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from analysis.errors import ParameterError, SchemaError
from analysis.measures.arrowcounters import count_arrow, per_article_arrays
from analysis.measures.counters import (
    GroupCounts,
    alphabetical_rank,
    count_part,
    count_unigrams,
    per_article_counts,
)
from analysis.measures.termcache import (
    CACHE_FILE,
    LAST_CACHE_STATS,
    OLD_CACHE_FILE,
    article_keys,
    cached_entries,
    count_unigrams_cached,
    group_counts_cached,
    use_cache,
)
from analysis.measures.tokenids import text_array, text_bytes, text_source, texts_of
from analysis.text.tokens import default_stopwords, tokenize, word_matchers

__all__ = [
    # rows, groups, periods, stopwords, query words (this module)
    "FREQS", "Stopwords", "need_columns", "as_list", "select_rows", "group_codes",
    "add_period", "stopword_set", "count_terms", "parse_entry", "word_matches", "entry_label",
    # the text column (tokenids)
    "texts_of", "text_bytes", "text_array", "text_source",
    # counters (counters, arrowcounters)
    "count_part", "count_unigrams", "count_arrow", "per_article_counts", "per_article_arrays",
    "GroupCounts", "add_group_counts", "alphabetical_rank",
    # per-article cache (termcache)
    "CACHE_FILE", "OLD_CACHE_FILE", "LAST_CACHE_STATS", "use_cache", "article_keys",
    "cached_entries", "group_counts_cached", "count_unigrams_cached",
]  # fmt: skip

log = logging.getLogger(__name__)

FREQS = {"D": "D", "day": "D", "W": "W", "week": "W", "M": "M", "month": "M"}

#: The ``stopwords`` option of the word measurements (see :func:`stopword_set`).
Stopwords = Literal["default"] | Collection[str] | None


def need_columns(articles: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    """Raise SchemaError naming the first of ``columns`` missing from ``articles``."""
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError(
            "<table>", f"{where}: expected a pandas DataFrame, got {type(articles).__name__}"
        )
    for col in columns:
        if col not in articles.columns:
            raise SchemaError(
                col, f"{where} needs this column; the table has {list(articles.columns)}"
            )


def as_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def select_rows(
    articles: pd.DataFrame, *, english_only: bool, unique_stories: bool, where: str
) -> pd.DataFrame:
    """
    Return the rows a word measurement uses: English (or unknown) only, one per story.

    The language is read from the ``language`` column (no detection here: run
    :func:`analysis.text.language.flag_languages`, or ingest, to fill it).

    ``unique_stories`` keeps the canonical copy of each story: it uses the
    ``is_duplicate`` column when present, otherwise it runs
    :func:`analysis.find_duplicates` first (see :func:`analysis.corpus.duplicates.dedupe`).
    """
    need_columns(articles, ["text"], where)
    out = articles
    if english_only and "language" in out.columns:
        from analysis.text.language import english_only as keep_english

        before = len(out)
        out = keep_english(out, detect=False)
        if len(out) < before:
            log.info("%s: left out %d non-English rows", where, before - len(out))
    if unique_stories:
        from analysis.corpus.duplicates import dedupe

        out = dedupe(out)
    return out


def group_codes(articles: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """
    Return one integer code per row and the table of group keys (one row per code).

    Rows with a missing key get the key ``<NA>`` rather than disappearing.
    """
    if not by:
        return np.zeros(len(articles), dtype=np.int64), pd.DataFrame(index=[0])
    need_columns(articles, by, "grouping")
    keys = articles[by].reset_index(drop=True)
    for col in by:
        if keys[col].isna().any() and not pd.api.types.is_datetime64_any_dtype(keys[col]):
            keys[col] = keys[col].astype("string").fillna("<NA>")
    grouped = keys.groupby(by, sort=True, dropna=False)
    codes = grouped.ngroup().to_numpy()
    table = grouped.size().reset_index()[by]
    return np.asarray(codes, dtype=np.int64), table


def add_period(
    articles: pd.DataFrame, freq: str, *, column: str = "period", where: str
) -> pd.DataFrame:
    """
    Return a copy with ``period`` (start of the day/week/month, UTC, tz-naive) added.

    Rows without a publication time are dropped, with a log message.
    """
    code = FREQS.get(freq)
    if code is None:
        raise ParameterError(f"{where}: freq={freq!r}; expected one of {sorted(FREQS)}")
    need_columns(articles, ["published"], where)
    pub = pd.to_datetime(articles["published"], utc=True, errors="coerce")
    missing = pub.isna()
    if missing.any():
        log.info("%s: left out %d rows with no publication time", where, int(missing.sum()))
    naive = pub[~missing].dt.tz_convert(None)
    period = naive.dt.to_period(code).dt.start_time
    return articles[~missing.to_numpy()].assign(**{column: period.to_numpy()})


def stopword_set(stopwords, extra_stopwords) -> frozenset[str]:
    """Resolve the ``stopwords``/``extra_stopwords`` options to one set."""
    if stopwords is None or stopwords is False:
        base: frozenset[str] = frozenset()
    elif stopwords == "default" or stopwords is True:
        base = default_stopwords()
    elif isinstance(stopwords, str):
        raise ParameterError(
            f"stopwords={stopwords!r}; expected 'default', None or a collection of words"
        )
    else:
        base = frozenset(t for w in stopwords for t in tokenize(w))
    if extra_stopwords:
        if isinstance(extra_stopwords, str):
            extra_stopwords = [extra_stopwords]
        base = base | {t for w in extra_stopwords for t in tokenize(w)}
    return base


# --------------------------------------------------------------------------- term counts


def count_terms(
    texts, codes, n_groups, *, ngram, doc_freq, stop, n_jobs, table=None, cache_dir=None,
    grouped=False,
):  # fmt: skip
    """
    Per group: token (or n-gram) Counters, doc-frequency Counters, docs, tokens.

    With ``cache_dir`` (and ``table``, the rows of ``texts``), single tokens are
    summed from per-article counts kept there (see :func:`count_unigrams_cached`).
    With ``grouped`` (single tokens only), the same counts as one
    :class:`GroupCounts`, stopwords left out.
    """
    if grouped:
        if table is not None and use_cache(cache_dir, table):
            counts = group_counts_cached(
                table, codes, n_groups, doc_freq=doc_freq, cache_dir=cache_dir
            )
        else:
            counts = GroupCounts.from_counters(
                *count_unigrams(texts, codes, n_groups, doc_freq=doc_freq, n_jobs=n_jobs),
                doc_freq=doc_freq,
            )
        return counts.without(stop)
    if ngram == 1:
        if table is not None and use_cache(cache_dir, table):
            counts, dfs, n_docs, n_words = count_unigrams_cached(
                table, codes, n_groups, doc_freq=doc_freq, cache_dir=cache_dir
            )
        else:
            counts, dfs, n_docs, n_words = count_unigrams(
                texts, codes, n_groups, doc_freq=doc_freq, n_jobs=n_jobs
            )
        if stop:
            for c in counts + dfs:
                for w in stop & c.keys():
                    del c[w]
        return counts, dfs, n_docs, n_words
    counts = [Counter() for _ in range(n_groups)]
    dfs = [Counter() for _ in range(n_groups)]
    n_docs = [0] * n_groups
    n_words = [0] * n_groups
    for text, g in zip(texts, codes.tolist()):
        toks = tokenize(text)
        n_docs[g] += 1
        n_words[g] += len(toks)
        grams = [
            " ".join(w)
            for w in zip(*(toks[i:] for i in range(ngram)))
            if not stop or (w[0] not in stop and w[-1] not in stop)
        ]
        counts[g].update(grams)
        if doc_freq:
            dfs[g].update(set(grams))
    return counts, dfs, n_docs, n_words


def add_group_counts(pieces: list[tuple[pd.DataFrame, object]]) -> tuple[pd.DataFrame, tuple]:
    """
    Add the counts of several partitions group by group, groups matched on their values.

    Pieces are ``(groups, counted)`` with the Counters of :func:`count_terms`, or
    come from this function; the result lists the groups in order of their values.
    """
    merged: dict[tuple, list] = {}
    columns = list(pieces[0][0].columns)
    for groups, (counts, dfs, n_docs, n_words) in pieces:
        keys = list(groups.itertuples(index=False, name=None)) if columns else [()]
        for g, key in enumerate(keys):
            if not n_docs[g]:
                continue
            total = merged.setdefault(key, [Counter(), Counter(), 0, 0])
            total[0].update(counts[g])
            total[1].update(dfs[g])
            total[2] += n_docs[g]
            total[3] += n_words[g]
    order = sorted(merged, key=lambda key: tuple((v is None, str(type(v)), v) for v in key))
    groups = pd.DataFrame(order, columns=columns) if columns else pd.DataFrame(index=[0])
    sums = [merged[key] for key in order]
    return groups, tuple([s[i] for s in sums] for i in range(4))


# --------------------------------------------------------------------------- query words


def parse_entry(entry: str, where: str = "entry") -> tuple:
    """
    Parse a term, phrase or wildcard into a tuple of word matchers.

    Each element is either a token (str, compared exactly) or a compiled regular
    expression (from ``*``: any run of characters, ``?``: one character) matched
    against a whole token. Words are normalized like text, so ``"Russia's"``
    gives ``("russia",)`` and ``"peace talks"`` gives ``("peace", "talks")``.
    """
    if not isinstance(entry, str) or not entry.strip():
        raise ParameterError(f"{where}: {entry!r} is not a non-empty string")
    words = word_matchers(entry)
    if not words:
        raise ParameterError(f"{where}: {entry!r} holds no word (only punctuation?)")
    return words


def word_matches(matcher, token: str) -> bool:
    """Return whether one element of :func:`parse_entry` matches a token."""
    if type(matcher) is str:
        return matcher == token
    return matcher.fullmatch(token) is not None


def entry_label(words: tuple) -> str:
    """Return a readable label for a parsed entry."""
    return " ".join(w if type(w) is str else w.pattern.replace(".*", "*") for w in words)
