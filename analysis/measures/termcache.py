"""Per-article term counts kept in a corpus folder, summed over groups of rows."""

from __future__ import annotations

import logging
from collections import Counter

import numpy as np
import pandas as pd

from analysis.corpus.cachefile import CacheFile
from analysis.errors import ParameterError
from analysis.measures import arrowcounters
from analysis.measures.counters import GroupCounts, per_article_counts
from analysis.measures.tokenids import text_array, text_bytes

log = logging.getLogger(__name__)

# With a cache folder (the corpus folder), the unigram counts of each article are
# kept in ``term_counts_cache.arrow`` (rows ``key, term, count``; ``key`` is the
# article id and a hash of its text). A measurement sums the cached counts of the
# selected articles, and only new or changed articles are tokenized. The sums are
# those of :func:`analysis.measures.counters.count_unigrams` (the order of a Counter's
# keys may differ; no result depends on it: top lists break ties alphabetically).

CACHE_FILE = "term_counts_cache.arrow"
#: The file of the same cache in Parquet, as earlier versions kept it (removed on write).
OLD_CACHE_FILE = "term_counts_cache.parquet"

#: What the last cached count did: articles counted and articles newly tokenized.
LAST_CACHE_STATS: dict[str, int] = {}


class _ArticleCounts:
    """Per-article term counts in CSR layout, terms numbered in one vocabulary."""

    def __init__(self) -> None:
        self.vocab: list[str] = []
        self.term_id: dict[str, int] = {}
        self.row_of: dict[str, int] = {}
        self.indptr = np.zeros(1, dtype=np.int64)
        self.indices = np.zeros(0, dtype=np.int64)
        self.data = np.zeros(0, dtype=np.int64)

    def add(self, keys: list[str], per_article: list[Counter]) -> None:
        """Append articles (``per_article``: one Counter of terms per key)."""
        ids: list[int] = []
        counts: list[int] = []
        lengths = []
        term_id, vocab = self.term_id, self.vocab
        for key, c in zip(keys, per_article):
            for term, n in c.items():
                i = term_id.get(term)
                if i is None:
                    i = term_id[term] = len(vocab)
                    vocab.append(term)
                ids.append(i)
                counts.append(n)
            lengths.append(len(c))
            self.row_of[key] = len(self.row_of)
        self.indptr = np.concatenate(
            [self.indptr, self.indptr[-1] + np.cumsum(np.asarray(lengths, dtype=np.int64))]
        )
        self.indices = np.concatenate([self.indices, np.asarray(ids, dtype=np.int64)])
        self.data = np.concatenate([self.data, np.asarray(counts, dtype=np.int64)])

    def add_arrays(self, keys: list[str], tokens: list, rows, ids, counts) -> None:
        """Append articles from :func:`per_article_arrays` (``rows`` index ``keys``)."""
        used = np.unique(ids)
        remap = np.zeros(max(len(tokens), 1), dtype=np.int64)
        term_id, vocab = self.term_id, self.vocab
        for i in used.tolist():
            term = tokens[i]
            t = term_id.get(term)
            if t is None:
                t = term_id[term] = len(vocab)
                vocab.append(term)
            remap[i] = t
        lengths = np.bincount(rows, minlength=len(keys)).astype(np.int64)
        for key in keys:
            self.row_of[key] = len(self.row_of)
        self.indptr = np.concatenate([self.indptr, self.indptr[-1] + np.cumsum(lengths)])
        self.indices = np.concatenate([self.indices, remap[ids]])
        self.data = np.concatenate([self.data, np.asarray(counts, dtype=np.int64)])

    @classmethod
    def from_table(cls, table) -> _ArticleCounts:
        """The counts a table of :meth:`to_table` holds."""
        import pyarrow.compute as pc

        out = cls()
        if table.num_rows == 0:
            return out
        keys = table.column("key").combine_chunks().dictionary_encode()
        key_idx = keys.indices.to_numpy()
        starts = np.flatnonzero(np.r_[True, key_idx[1:] != key_idx[:-1]])
        names = keys.dictionary.to_pylist()
        out.row_of = {names[k]: r for r, k in enumerate(key_idx[starts].tolist())}
        # an article without tokens has one row with no term, to be known as counted
        real = table.filter(pc.is_valid(table.column("term")))
        terms = real.column("term").combine_chunks().dictionary_encode()
        out.vocab = terms.dictionary.to_pylist()
        out.term_id = {t: i for i, t in enumerate(out.vocab)}
        out.indices = terms.indices.to_numpy().astype(np.int64)
        out.data = pc.cast(real.column("count"), "int64").to_numpy()
        per_row = np.bincount(
            np.searchsorted(
                starts,
                np.flatnonzero(pc.is_valid(table.column("term")).to_numpy(zero_copy_only=False)),
                side="right",
            )
            - 1,
            minlength=len(starts),
        )
        out.indptr = np.r_[0, np.cumsum(per_row)].astype(np.int64)
        return out

    def to_table(self):
        """The counts as an Arrow table: rows ``key, term, count``, keys and terms dictionary-encoded."""
        import pyarrow as pa

        keys = [None] * len(self.row_of)
        for key, r in self.row_of.items():
            keys[r] = key
        lengths = np.diff(self.indptr)
        # an article without tokens gets one row with no term (see from_table)
        empty = lengths == 0
        rows_per = np.where(empty, 1, lengths)
        term_idx = np.full(int(rows_per.sum()), -1, dtype=np.int64)
        at = np.cumsum(rows_per) - rows_per
        filled = np.repeat(at[~empty], lengths[~empty]) + (
            np.arange(len(self.indices)) - np.repeat(self.indptr[:-1][~empty], lengths[~empty])
        )
        term_idx[filled] = self.indices
        count = np.zeros(len(term_idx), dtype=np.int32)
        count[filled] = self.data
        key_col = pa.DictionaryArray.from_arrays(
            pa.array(np.repeat(np.arange(len(keys), dtype=np.int32), rows_per)),
            pa.array(keys, type=pa.string()),
        )
        term_col = pa.DictionaryArray.from_arrays(
            pa.array(term_idx.astype(np.int32), mask=term_idx < 0),
            pa.array(self.vocab, type=pa.string()),
        )
        return pa.table({"key": key_col, "term": term_col, "count": pa.array(count)})


def use_cache(cache_dir, table: pd.DataFrame) -> bool:
    """Whether counts come from the per-article cache: a folder given and article ids."""
    if cache_dir is None or not str(cache_dir).strip():
        return False
    from pathlib import Path

    if not Path(cache_dir).is_dir():
        raise ParameterError(f"cache_dir={str(cache_dir)!r} is not a folder")
    return "article_id" in table.columns


def article_keys(articles: pd.DataFrame) -> list[str]:
    """Cache keys of the rows: article id and a hash of the text."""
    import hashlib

    ids = articles["article_id"].astype(str).tolist()
    return [
        f"{aid}:{hashlib.blake2b(bytes(raw), digest_size=8).hexdigest()}"
        if type(raw) is not str
        else f"{aid}:{hashlib.blake2b(raw.encode('utf-8', 'surrogatepass'), digest_size=8).hexdigest()}"
        for aid, raw in zip(ids, text_bytes(articles))
    ]


def _cached_counts(cache_dir, table: pd.DataFrame) -> tuple[_ArticleCounts, np.ndarray]:
    """The cache (read once per process and file state) with ``table``'s rows added."""
    store = CacheFile(
        cache_dir,
        CACHE_FILE,
        columns=["key", "term", "count"],
        replaces=[OLD_CACHE_FILE],
        what="term counts cache",
    )
    cache = store.load(_ArticleCounts.from_table)
    if cache is None:
        cache = _ArticleCounts()
    keys = article_keys(table)
    todo = [i for i, k in enumerate(keys) if k not in cache.row_of]
    todo_keys = list(dict.fromkeys(keys[i] for i in todo))
    if todo_keys:
        first = {}
        for i in todo:
            first.setdefault(keys[i], i)
        picked = [first[k] for k in todo_keys]
        arr = text_array(table.iloc[picked])
        if arr is not None:  # Arrow's kernels
            cache.add_arrays(todo_keys, *arrowcounters.per_article_arrays(arr))
        else:  # a text that is not valid UTF-8: one text at a time
            sources = text_bytes(table)
            cache.add(todo_keys, per_article_counts([sources[r] for r in picked]))
        store.write(cache.to_table(), keep=cache)  # kept in memory when it cannot be written
    LAST_CACHE_STATS.clear()
    LAST_CACHE_STATS.update(articles=len(keys), tokenized=len(todo_keys))
    log.debug("term counts: %d articles, %d tokenized", len(keys), len(todo_keys))
    rows = np.fromiter((cache.row_of[k] for k in keys), np.int64, len(keys))
    return cache, rows


def cached_entries(cache_dir, table: pd.DataFrame):
    """
    Return ``(vocab, lengths, term_ids, counts)``: the cached counts of ``table``'s rows.

    Row ``i`` has ``lengths[i]`` entries, laid out row after row;
    ``vocab[term_id]`` is the term.
    """
    cache, rows = _cached_counts(cache_dir, table)
    lengths = np.diff(cache.indptr)[rows]
    ends = np.cumsum(lengths)
    pos = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(ends - lengths, lengths)
    pos += np.repeat(cache.indptr[rows], lengths)
    return cache.vocab, lengths, cache.indices[pos], cache.data[pos]


def group_counts_cached(
    table: pd.DataFrame, codes: np.ndarray, n_groups: int, *, doc_freq: bool, cache_dir
) -> GroupCounts:
    """Sum the per-article counts kept in ``cache_dir`` over groups of ``table``'s rows."""
    vocab, lengths, cols, vals = cached_entries(cache_dir, table)
    groups = np.repeat(np.asarray(codes, dtype=np.int64), lengths)
    # the terms these rows hold, numbered 0, 1, ... in vocabulary order
    held = np.zeros(len(vocab), dtype=bool)
    held[cols] = True
    by_rank = np.flatnonzero(held)
    rank = np.zeros(len(vocab), dtype=np.int64)
    rank[by_rank] = np.arange(len(by_rank))
    width = max(len(by_rank), 1)
    combined = groups * width + rank[cols]
    if n_groups * width <= arrowcounters.DENSE_CELLS:  # one pass, no sort
        docs = np.bincount(combined, minlength=n_groups * width)
        uniq = np.flatnonzero(docs)
        sums = np.bincount(combined, weights=vals, minlength=n_groups * width)[uniq]
        sums, dfs_all = sums.astype(np.int64), docs[uniq].astype(np.int64)
    else:
        uniq, inverse = np.unique(combined, return_inverse=True)
        sums = np.bincount(inverse, weights=vals, minlength=len(uniq)).astype(np.int64)
        dfs_all = np.bincount(inverse, minlength=len(uniq)).astype(np.int64)
    g_of, r_of = np.divmod(uniq, width)
    indptr = np.searchsorted(g_of, np.arange(n_groups + 1)).astype(np.int64)
    terms = np.array([vocab[i] for i in by_rank.tolist()], dtype=object)
    n_docs = np.bincount(np.asarray(codes, dtype=np.int64), minlength=n_groups).tolist()
    running = np.concatenate([[0], np.cumsum(sums)])
    n_words = (running[indptr[1:]] - running[indptr[:-1]]).tolist()
    return GroupCounts(
        terms, indptr, r_of, sums, dfs_all if doc_freq else None, n_docs[:n_groups], n_words
    )


def count_unigrams_cached(
    table: pd.DataFrame, codes: np.ndarray, n_groups: int, *, doc_freq: bool, cache_dir
):
    """
    :func:`count_unigrams` of ``table``'s texts from per-article counts kept in ``cache_dir``.

    Returns the same ``(counts, doc_freqs, n_docs, n_words)``: equal Counters.
    """
    grouped = group_counts_cached(table, codes, n_groups, doc_freq=doc_freq, cache_dir=cache_dir)
    counts, dfs = grouped.counters()
    return counts, dfs, grouped.n_docs, grouped.n_words
