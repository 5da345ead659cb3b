"""Unigram counts per group of texts, one text at a time or over a pool of processes."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from typing import NamedTuple

import numpy as np

from analysis.measures.arrowcounters import count_arrow
from analysis.measures.tokenids import _Resolver
from analysis.workers import n_workers


class _ChunkIds(dict):
    """
    Number each distinct chunk in order of first sight (``get`` is the dict's C lookup).

    Chunks are resolved to tokens in batches (:meth:`keys_of`), not one lookup
    miss at a time: the counting loop itself runs no Python code per chunk.
    """

    def __init__(self) -> None:
        super().__init__()
        self.resolver = _Resolver()
        self.keys = np.zeros(0, dtype=np.int64)

    def __missing__(self, chunk: bytes) -> int:
        i = self[chunk] = len(self)
        return i

    def keys_of(self) -> np.ndarray:
        """Key id (see :class:`_Resolver`) of every chunk numbered so far."""
        done = len(self.keys)
        if done < len(self):
            from itertools import islice

            fresh = self.resolver.resolve_many(list(islice(self, done, None)))
            self.keys = np.concatenate([self.keys, fresh])
        return self.keys


class _Tally:
    """
    Token ids of one group's articles, gathered in C arrays and folded with numpy.

    Counts come from ``bincount`` over the ids; document frequencies from the same
    ids laid out one article per row of a sparse matrix whose duplicates within a
    row are merged (a sort per row in compiled code), so no per-article Python set
    is ever built.
    """

    FOLD_AT = 4_000_000

    def __init__(self, chunks: _ChunkIds, doc_freq: bool) -> None:
        self.chunks = chunks
        self.resolve = chunks.resolver
        self.doc_freq = doc_freq
        self.pending = array("i")
        self.lengths = array("i")
        self.total = np.zeros(0, dtype=np.int64)
        self.docs = np.zeros(0, dtype=np.int64)

    def add(self, ids: list[int]) -> None:
        self.pending.fromlist(ids)
        if self.doc_freq:
            self.lengths.append(len(ids))
        if len(self.pending) > self.FOLD_AT:
            self.fold()

    @staticmethod
    def _plus(total: np.ndarray, add: np.ndarray) -> np.ndarray:
        if len(add) > len(total):
            add[: len(total)] += total
            return add
        total[: len(add)] += add
        return total

    def fold(self) -> tuple[np.ndarray, np.ndarray]:
        if len(self.pending):
            ids = self.chunks.keys_of()[np.frombuffer(self.pending, dtype=np.int32)]
            self.total = self._plus(self.total, np.bincount(ids))
            if self.doc_freq:
                self.docs = self._plus(self.docs, self._doc_counts(ids))
            self.pending = array("i")
            self.lengths = array("i")
        return self.total, self.docs

    def _doc_counts(self, ids: np.ndarray) -> np.ndarray:
        """Number of articles holding each id, over the pending articles."""
        from scipy.sparse import csr_matrix

        lengths = np.frombuffer(self.lengths, dtype=np.int32)
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        width = len(self.resolve.tokens)
        matrix = csr_matrix(
            (np.ones(len(ids), dtype=np.int32), ids.astype(np.int32), indptr),
            shape=(len(lengths), width),
        )
        matrix.sum_duplicates()
        docs = np.bincount(matrix.indices, minlength=width).astype(np.int64)
        multi = self.resolve.multi
        if multi:
            # an article holding a chunk of several tokens ("russia/ukraine") also
            # holds each of them: count it once for each one not already counted
            is_multi = np.zeros(width, dtype=bool)
            is_multi[np.fromiter(multi, np.int64, len(multi))] = True
            hit = is_multi[matrix.indices]
            if hit.any():
                rows = np.unique(
                    np.searchsorted(matrix.indptr, np.flatnonzero(hit), side="right") - 1
                )
                extra: list[int] = []
                for r in rows.tolist():
                    held = matrix.indices[matrix.indptr[r] : matrix.indptr[r + 1]].tolist()
                    plain = set(held)
                    spread = {t for i in held if i in multi for t in multi[i]}
                    extra.extend(spread - plain)
                if extra:
                    docs += np.bincount(np.asarray(extra, dtype=np.int64), minlength=width)
            docs[is_multi] = 0
        return docs


def _to_counter(counts: np.ndarray, resolve: _Resolver) -> Counter:
    """Turn id counts into a Counter of tokens (multi-token ids spread to their tokens)."""
    counts = np.pad(counts, (0, len(resolve.tokens) - len(counts)))
    for key, parts in resolve.multi.items():
        for t in parts:
            counts[t] += counts[key]
        counts[key] = 0
    counts[0] = 0
    nz = np.flatnonzero(counts)
    tokens = resolve.tokens
    return Counter(dict(zip([tokens[i] for i in nz.tolist()], counts[nz].tolist())))


def count_part(texts: Sequence, codes: np.ndarray, n_groups: int, doc_freq: bool):
    """Count tokens of ``texts`` (str or UTF-8 bytes-like) into ``n_groups`` groups."""
    chunks = _ChunkIds()
    get = chunks.__getitem__
    resolve = chunks.resolver
    tallies = [_Tally(chunks, doc_freq) for _ in range(n_groups)]
    n_docs = [0] * n_groups
    if n_groups == 1:
        add = tallies[0].add
        for text in texts:
            raw = text.encode("utf-8", "surrogatepass") if type(text) is str else bytes(text)
            add(list(map(get, raw.lower().split())))
        n_docs[0] = len(texts)
    else:
        for text, g in zip(texts, codes.tolist()):
            raw = text.encode("utf-8", "surrogatepass") if type(text) is str else bytes(text)
            tallies[g].add(list(map(get, raw.lower().split())))
            n_docs[g] += 1
    folded = [t.fold() for t in tallies]
    counts = [_to_counter(total, resolve) for total, _ in folded]
    dfs = [_to_counter(docs, resolve) if doc_freq else Counter() for _, docs in folded]
    n_words = [sum(c.values()) for c in counts]
    return counts, dfs, n_docs, n_words


_SHARED: dict = {}


def _count_slice(args):
    start, stop, n_groups, doc_freq = args
    texts, codes = _SHARED["texts"], _SHARED["codes"]
    return count_part(texts[start:stop], codes[start:stop], n_groups, doc_freq)


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
    if not isinstance(texts, Sequence):  # an Arrow string array (see tokenids.text_source)
        size = texts.nbytes if n_jobs is None else 0
        return count_arrow(texts, codes, n_groups, doc_freq, n_workers(n_jobs, size))
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
    if len(parts) == 1:  # one text holds nearly all the characters
        return count_part(texts, codes, n_groups, doc_freq)
    _SHARED.update(texts=texts, codes=codes)
    try:
        # the workers count every part but the first, which this process counts meanwhile
        with ctx.Pool(len(parts) - 1) as pool:
            rest = pool.map_async(_count_slice, parts[1:], chunksize=1)
            results = [_count_slice(parts[0]), *rest.get()]
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


def per_article_counts(texts: Sequence) -> list[Counter]:
    """Token counts of each text, each Counter in the order its tokens first occur."""
    resolve = _Resolver()
    get = resolve.__getitem__
    tokens, multi = resolve.tokens, resolve.multi
    out = []
    for text in texts:
        raw = text.encode("utf-8", "surrogatepass") if type(text) is str else bytes(text)
        ids = list(map(get, raw.lower().split()))
        if multi and not multi.keys().isdisjoint(ids):
            ids = [p for i in ids for p in (multi[i] if i in multi else (i,))]
        c = Counter(ids)
        c.pop(0, None)
        out.append(Counter({tokens[i]: n for i, n in c.items()}))
    return out


class GroupCounts(NamedTuple):
    """
    Token counts of groups of rows, one sparse row per group.

    Group ``g`` holds the terms ``terms[cols[indptr[g]:indptr[g + 1]]]`` with those
    ``counts`` (and ``doc_freqs``: articles holding the term, when counted);
    ``n_words`` counts every token, stopwords included.
    """

    terms: np.ndarray  # object array of str, one per column
    indptr: np.ndarray
    cols: np.ndarray
    counts: np.ndarray
    doc_freqs: np.ndarray | None
    n_docs: list[int]
    n_words: list[int]

    def row(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.indptr[g], self.indptr[g + 1]
        return self.cols[a:b], self.counts[a:b]

    def without(self, stop: Collection[str]) -> GroupCounts:
        """The same counts without the columns of ``stop`` (``n_words`` unchanged)."""
        if not stop or not len(self.cols):
            return self
        dropped = np.zeros(len(self.terms), dtype=bool)
        hits = [i for i, t in enumerate(self.terms.tolist()) if t in stop]
        if not hits:
            return self
        dropped[hits] = True
        keep = ~dropped[self.cols]
        rows = np.repeat(np.arange(len(self.indptr) - 1), np.diff(self.indptr))[keep]
        indptr = np.zeros(len(self.indptr), dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(self.indptr) - 1), out=indptr[1:])
        dfs = None if self.doc_freqs is None else self.doc_freqs[keep]
        return self._replace(
            indptr=indptr, cols=self.cols[keep], counts=self.counts[keep], doc_freqs=dfs
        )

    def folded(self, terms: Mapping[str, str]) -> GroupCounts:
        """
        The same counts with the columns of ``terms`` (spelling -> term) added into their term.

        Counts add up; so do document frequencies (an article using two spellings
        counts twice).
        """
        names = self.terms.tolist()
        if not terms or not len(self.cols) or terms.keys().isdisjoint(names):
            return self
        mapped = np.array([terms.get(t, t) for t in names], dtype=object)
        new_terms, inverse = np.unique(mapped.astype(str), return_inverse=True)
        n_groups = len(self.indptr) - 1
        rows = np.repeat(np.arange(n_groups), np.diff(self.indptr))
        keys = rows * len(new_terms) + inverse.ravel()[self.cols]
        uniq, where = np.unique(keys, return_inverse=True)
        counts = np.bincount(where, weights=self.counts, minlength=len(uniq)).astype(np.int64)
        dfs = None
        if self.doc_freqs is not None:
            dfs = np.bincount(where, weights=self.doc_freqs, minlength=len(uniq)).astype(np.int64)
        indptr = np.zeros(n_groups + 1, dtype=np.int64)
        np.cumsum(np.bincount(uniq // len(new_terms), minlength=n_groups), out=indptr[1:])
        return self._replace(
            terms=new_terms.astype(object), indptr=indptr, cols=uniq % len(new_terms),
            counts=counts, doc_freqs=dfs,
        )  # fmt: skip

    def alphabetical_rank(self) -> np.ndarray:
        """Rank of each column's term in code point order (ties at a cut go to the first)."""
        return alphabetical_rank(self.terms)

    def counters(self) -> tuple[list[Counter], list[Counter]]:
        """Per group: token Counters and document-frequency Counters (empty if not counted)."""
        names = self.terms.tolist()
        counts, dfs = [], []
        for g in range(len(self.indptr) - 1):
            a, b = self.indptr[g], self.indptr[g + 1]
            terms = [names[c] for c in self.cols[a:b].tolist()]
            counts.append(Counter(dict(zip(terms, self.counts[a:b].tolist()))))
            if self.doc_freqs is None:
                dfs.append(Counter())
            else:
                dfs.append(Counter(dict(zip(terms, self.doc_freqs[a:b].tolist()))))
        return counts, dfs

    @classmethod
    def from_counters(cls, counts, dfs, n_docs, n_words, *, doc_freq: bool) -> GroupCounts:
        """The matrix form of per-group Counters (as :func:`count_unigrams` gives)."""
        index: dict[str, int] = {}
        cols, vals, fr, sizes = [], [], [], []
        for g, c in enumerate(counts):
            sizes.append(len(c))
            cols.extend(index.setdefault(t, len(index)) for t in c)
            vals.extend(c.values())
            if doc_freq:
                fr.extend(dfs[g].get(t, 0) for t in c)
        indptr = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])
        return cls(
            np.array(list(index), dtype=object),
            indptr,
            np.array(cols, dtype=np.int64),
            np.array(vals, dtype=np.int64),
            np.array(fr, dtype=np.int64) if doc_freq else None,
            list(n_docs),
            list(n_words),
        )


def alphabetical_rank(terms: Sequence[str]) -> np.ndarray:
    """Rank of each term in code point order, as Python orders strings."""
    order = np.argsort(np.asarray(terms, dtype=str), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank
