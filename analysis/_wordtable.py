"""Shared plumbing for the word measurements: row selection, groups, periods, fast counts.

Private to :mod:`analysis.terms`, :mod:`analysis.kwic` and :mod:`analysis.dictionaries`.
"""

from __future__ import annotations

import logging
import os
import string
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import ParameterError, SchemaError
from .tokens import default_stopwords, normalize, tokenize

log = logging.getLogger(__name__)

FREQS = {"D": "D", "day": "D", "W": "W", "week": "W", "M": "M", "month": "M"}

#: Above this many characters of text, counting is split over processes.
PARALLEL_MIN_CHARS = 3_000_000


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
    :func:`analysis.language.flag_languages`, or ingest, to fill it).

    ``unique_stories`` keeps the canonical copy of each story: it uses the
    ``is_duplicate`` column when present, otherwise it runs
    :func:`analysis.find_duplicates` first (see :func:`analysis.duplicates.dedupe`).
    """
    need_columns(articles, ["text"], where)
    out = articles
    if english_only and "language" in out.columns:
        from .language import english_only as keep_english

        before = len(out)
        out = keep_english(out, detect=False)
        if len(out) < before:
            log.info("%s: left out %d non-English rows", where, before - len(out))
    if unique_stories:
        from .duplicates import dedupe

        out = dedupe(out)
    return out


def progress(items, desc: str):
    """Wrap a long loop in a tqdm bar, shown only on a terminal and for large inputs."""
    if len(items) < 20_000:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=desc, unit="article", disable=None, leave=False)


def texts_of(articles: pd.DataFrame) -> list[str]:
    """Return the text column as a list of str ('' for missing)."""
    return [t if isinstance(t, str) else "" for t in articles["text"].tolist()]


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


# --------------------------------------------------------------------------- fast unigram counts
#
# Counting works on whitespace-separated pieces ("chunks") of UTF-8 bytes, which
# Python splits and hashes faster than a regular expression can scan: each distinct
# chunk is tokenized once (a chunk such as "Russia's," gives "russia"), and the
# chunk counts are turned into token counts. Because no token spans whitespace,
# the result equals counting ``tokenize(text)`` directly; the exactness test holds
# this to the last token.


_ASCII_PUNCT = string.punctuation.encode("ascii")


class _Resolver(dict):
    """Map a bytes chunk to its token key: one str, a tuple of several, or None."""

    def __init__(self) -> None:
        super().__init__()
        self.multi: set[tuple[str, ...]] = set()

    def __missing__(self, chunk: bytes):
        # Most chunks are one ASCII word or number wrapped in punctuation ("(Kyiv),"):
        # no ASCII punctuation ever joins such a core to anything, so it is the token.
        core = chunk.strip(_ASCII_PUNCT)
        if core.isalnum():
            key = core.decode("ascii")
            self[chunk] = key
            return key
        toks = tokenize(chunk.decode("utf-8", "surrogatepass"))
        if len(toks) == 1:
            key = toks[0]
        elif not toks:
            key = None
        else:
            key = tuple(toks)
            self.multi.add(key)
        self[chunk] = key
        return key


def _expand(counts: Counter) -> tuple[Counter, int]:
    """Turn counts of token keys into token counts; return them and the token total."""
    counts.pop(None, None)
    multi = [k for k in counts if type(k) is tuple]
    for key in multi:
        c = counts.pop(key)
        for t in key:
            counts[t] += c
    return counts, sum(counts.values())


def _doc_tokens(keys: set) -> set:
    """Expand the tuple keys of one document into a set of tokens."""
    out = set()
    for k in keys:
        if type(k) is tuple:
            out.update(k)
        else:
            out.add(k)
    return out


def count_part(texts: Sequence[str], codes: np.ndarray, n_groups: int, doc_freq: bool):
    """Count tokens of ``texts`` into ``n_groups`` groups; return token-level results."""
    resolve = _Resolver()
    get = resolve.__getitem__
    multi = resolve.multi
    key_counts = [Counter() for _ in range(n_groups)]
    dfs = [Counter() for _ in range(n_groups)]
    n_docs = [0] * n_groups
    for text, g in zip(texts, codes.tolist()):
        keys = map(get, text.encode("utf-8", "surrogatepass").lower().split())
        n_docs[g] += 1
        if not doc_freq:
            key_counts[g].update(keys)
        else:
            keys = list(keys)
            key_counts[g].update(keys)
            seen = set(keys)
            if multi and not seen.isdisjoint(multi):
                seen = _doc_tokens(seen)
            dfs[g].update(seen)
    counts, n_words = [], []
    for kc in key_counts:
        c, n = _expand(kc)
        counts.append(c)
        n_words.append(n)
    for d in dfs:
        d.pop(None, None)
    return counts, dfs, n_docs, n_words


_SHARED: dict = {}


def _count_slice(args):
    start, stop, n_groups, doc_freq = args
    texts, codes = _SHARED["texts"], _SHARED["codes"]
    return count_part(texts[start:stop], codes[start:stop], n_groups, doc_freq)


def n_workers(n_jobs: int | None, total_chars: int) -> int:
    if n_jobs is not None:
        if n_jobs < 1:
            raise ParameterError(f"n_jobs={n_jobs!r}; expected a positive integer or None")
        return n_jobs
    if total_chars < PARALLEL_MIN_CHARS:
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def count_unigrams(
    texts: list[str],
    codes: np.ndarray,
    n_groups: int,
    *,
    doc_freq: bool = True,
    n_jobs: int | None = None,
):
    """
    Count unigram tokens per group, over several processes for large inputs.

    Returns ``(counts, doc_freqs, n_docs, n_words)``: per group a Counter of
    token counts, a Counter of documents containing each token, the number of
    documents and the number of tokens.
    """
    workers = n_workers(n_jobs, sum(map(len, texts)) if n_jobs is None else 0)
    if workers == 1 or len(texts) < 2 * workers:
        return count_part(texts, codes, n_groups, doc_freq)
    import multiprocessing as mp

    try:
        ctx = mp.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork
        return count_part(texts, codes, n_groups, doc_freq)
    # Balance the parts by characters, not rows.
    cum = np.cumsum([len(t) for t in texts])
    cuts = (
        [0]
        + [int(np.searchsorted(cum, cum[-1] * k / workers)) for k in range(1, workers)]
        + [len(texts)]
    )
    parts = [
        (cuts[k], cuts[k + 1], n_groups, doc_freq) for k in range(workers) if cuts[k + 1] > cuts[k]
    ]
    _SHARED.update(texts=texts, codes=codes)
    try:
        with ctx.Pool(len(parts)) as pool:
            results = pool.map(_count_slice, parts, chunksize=1)
    finally:
        _SHARED.clear()
    counts, dfs, n_docs, n_words = results[0]
    for c2, d2, nd2, nw2 in results[1:]:
        for g in range(n_groups):
            counts[g].update(c2[g])
            dfs[g].update(d2[g])
            n_docs[g] += nd2[g]
            n_words[g] += nw2[g]
    return counts, dfs, n_docs, n_words


# --------------------------------------------------------------------------- query words


def parse_entry(entry: str, where: str = "entry") -> tuple:
    """
    Parse a term, phrase or wildcard into a tuple of word matchers.

    Each element is either a token (str, compared exactly) or a compiled regular
    expression (from ``*``: any run of characters, ``?``: one character) matched
    against a whole token. Words are normalized like text, so ``"Russia's"``
    gives ``("russia",)`` and ``"peace talks"`` gives ``("peace", "talks")``.
    """
    import re

    if not isinstance(entry, str) or not entry.strip():
        raise ParameterError(f"{where}: {entry!r} is not a non-empty string")
    words: list = []
    for part in entry.split():
        if "*" in part or "?" in part:
            low = normalize(part)
            if low.endswith("'s"):
                low = low[:-2]
            rx = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in low)
            words.append(re.compile(rx, re.DOTALL))
        else:
            words.extend(tokenize(part))
    if not words:
        raise ParameterError(f"{where}: {entry!r} holds no word (only punctuation?)")
    return tuple(words)


def word_matches(matcher, token: str) -> bool:
    """Return whether one element of :func:`parse_entry` matches a token."""
    if type(matcher) is str:
        return matcher == token
    return matcher.fullmatch(token) is not None


def entry_label(words: tuple) -> str:
    """Return a readable label for a parsed entry."""
    return " ".join(w if type(w) is str else w.pattern.replace(".*", "*") for w in words)
