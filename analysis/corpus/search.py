"""Answer a query over articles: positional postings of their tokens and the evaluation of a query tree.

A :class:`Postings` holds, for one field of a table of articles, every token
with the positions where it occurs (``article << 32 | token position``, sorted
within each token). Words, phrases, wildcards and proximity are found from
those positions, so a query answered from the stored index of a corpus
(:mod:`analysis.corpus.index`) and one answered by reading the texts give the
same articles and the same hits.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from analysis.errors import ParameterError
from analysis.text.query import All, Any, Node, Not, Words, parse_query, query_fields
from analysis.text.tokens import TOKEN_PATTERN, literal_runs, normalize

__all__ = ["Postings", "evaluate", "match_table", "postings_of", "require_fields"]

_SHIFT = np.int64(32)
_LAST = "\U0010ffff"


class Postings:
    """
    The positions of every token of one field of a table, in token order.

    Attributes
    ----------
    blob, offs : ndarray of uint8, ndarray of int64
        The distinct tokens, sorted, as UTF-8 bytes: token ``i`` is
        ``blob[offs[i]:offs[i + 1]]``.
    ptr : ndarray of int64
        ``keys[ptr[i]:ptr[i + 1]]`` are the occurrences of token ``i``.
    keys : ndarray of int64
        Occurrences as ``article << 32 | position``, sorted within each token.
    n_docs : int
        Articles in the table.
    """

    _ARRAYS = ("blob", "offs", "ptr", "keys")

    def __init__(self, blob, offs, ptr, keys, n_docs: int):
        self.blob, self.offs, self.ptr, self.keys = blob, offs, ptr, keys
        self.n_docs = int(n_docs)
        self._decoded: list[str] | None = None

    @classmethod
    def _from_terms(cls, words: list[str], ptr, keys, n_docs: int) -> Postings:
        raw = [w.encode("utf-8") for w in words]
        offs = np.concatenate([[0], np.cumsum([len(b) for b in raw], dtype=np.int64)])
        blob = np.frombuffer(b"".join(raw), dtype=np.uint8)
        return cls(blob, offs.astype(np.int64), ptr, keys, n_docs)

    def __len__(self) -> int:
        return len(self.offs) - 1

    def term(self, i: int) -> str:
        """The token of rank ``i``."""
        return bytes(self.blob[self.offs[i] : self.offs[i + 1]]).decode("utf-8")

    def _bisect(self, word: str) -> int:
        lo, hi = 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.term(mid) < word:
                lo = mid + 1
            else:
                hi = mid
        return lo

    @classmethod
    def build(cls, texts: Iterable) -> Postings:
        """Tokenize texts (``None`` or missing: no tokens) and collect their positions."""
        vocab: defaultdict = defaultdict()
        vocab.default_factory = vocab.__len__  # a new token gets the next id
        get = vocab.__getitem__
        ids = array("q")
        lengths = array("q")
        findall = TOKEN_PATTERN.findall
        for text in texts:
            if isinstance(text, str) and text:
                toks = findall(normalize(text))
                ids.extend(map(get, toks))
                lengths.append(len(toks))
            else:
                lengths.append(0)
        n = len(lengths)
        if not ids:
            empty = np.empty(0, dtype=np.int64)
            return cls._from_terms([], np.zeros(1, dtype=np.int64), empty, n)
        tid = np.frombuffer(ids, dtype=np.int64)
        counts = np.frombuffer(lengths, dtype=np.int64)
        doc = np.repeat(np.arange(n, dtype=np.int64), counts)
        first = np.repeat(np.cumsum(counts) - counts, counts)
        pos = np.arange(len(tid), dtype=np.int64) - first
        words = list(vocab)
        alpha = np.array(sorted(range(len(words)), key=words.__getitem__), dtype=np.int64)
        rank = np.empty_like(alpha)
        rank[alpha] = np.arange(len(alpha))
        r = rank[tid]
        keys = (doc << _SHIFT) | pos
        order = np.argsort(r, kind="stable")  # keys already rise within each token
        ptr = np.concatenate([[0], np.cumsum(np.bincount(r, minlength=len(words)))])
        sorted_words = [words[i] for i in alpha.tolist()]
        return cls._from_terms(sorted_words, ptr.astype(np.int64), keys[order], n)

    def arrays(self, field: str) -> dict[str, np.ndarray]:
        """The arrays to store, named ``<field>.<array>``."""
        return {f"{field}.{name}": getattr(self, name) for name in self._ARRAYS}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], field: str, n_docs: int) -> Postings:
        """The postings of ``field`` from arrays stored by :meth:`arrays`."""
        return cls(*(arrays[f"{field}.{name}"] for name in cls._ARRAYS), n_docs)

    @property
    def nbytes(self) -> int:
        return int(sum(getattr(self, name).nbytes for name in self._ARRAYS))

    def _ranks(self, word) -> np.ndarray:
        """Ranks of the tokens a matcher (a token or a wildcard regex) matches."""
        if type(word) is str:
            i = self._bisect(word)
            ok = i < len(self) and self.term(i) == word
            return np.array([i] if ok else [], dtype=np.int64)
        prefix = literal_runs(word.pattern)[0]
        full = word.fullmatch
        if not prefix:
            if self._decoded is None:
                data = bytes(self.blob)
                offs = self.offs.tolist()
                self._decoded = [data[a:b].decode("utf-8") for a, b in zip(offs, offs[1:])]
            return np.array([i for i, t in enumerate(self._decoded) if full(t)], dtype=np.int64)
        lo, hi = self._bisect(prefix), self._bisect(prefix + _LAST)
        return np.array([i for i in range(lo, hi) if full(self.term(i))], dtype=np.int64)

    def occurrences(self, word) -> np.ndarray:
        """Sorted keys (``article << 32 | position``) of the tokens a matcher matches."""
        ranks = self._ranks(word)
        if len(ranks) == 0:
            return np.empty(0, dtype=np.int64)
        ptr = self.ptr
        parts = [np.asarray(self.keys[ptr[i] : ptr[i + 1]]) for i in ranks]
        out = parts[0] if len(parts) == 1 else np.sort(np.concatenate(parts))
        return out.astype(np.int64, copy=False)


def _words_hits(node: Words, postings: Postings) -> np.ndarray:
    first = postings.occurrences(node.words[0])
    n = len(node.words)
    if n > 1 and len(first):
        if node.slop is None:
            for k, word in enumerate(node.words[1:], start=1):
                other = postings.occurrences(word)
                at = np.searchsorted(other, first + k)
                ok = at < len(other)
                ok[ok] = other[at[ok]] == first[ok] + k
                first = first[ok]
        else:
            reach = np.int64(node.slop + n - 1)
            for word in node.words[1:]:
                other = postings.occurrences(word)
                pos = first & np.int64(0xFFFFFFFF)
                lo = np.searchsorted(other, first - np.minimum(pos, reach), side="left")
                hi = np.searchsorted(other, first + reach, side="right")
                first = first[hi > lo]
    return np.bincount(first >> _SHIFT, minlength=postings.n_docs).astype(np.int64)


def evaluate(node: Node, postings: Mapping[str, Postings], n_docs: int) -> np.ndarray:
    """
    Return the hits of a query tree in every article: ``-1`` where it does not match.

    A matching article has as many hits as the occurrences of its query's words
    and phrases (0 when it matches only by what it lacks: ``NOT talks``).
    """
    if isinstance(node, Words):
        hits = _words_hits(node, postings[node.field])
        return np.where(hits > 0, hits, -1)
    if isinstance(node, Not):
        inner = evaluate(node.part, postings, n_docs)
        return np.where(inner < 0, 0, -1)
    parts = [evaluate(p, postings, n_docs) for p in node.parts]
    total = np.sum([np.maximum(p, 0) for p in parts], axis=0)
    if isinstance(node, All):
        ok = np.logical_and.reduce([p >= 0 for p in parts])
    elif isinstance(node, Any):
        ok = np.logical_or.reduce([p >= 0 for p in parts])
    else:  # pragma: no cover - the parser builds no other node
        raise TypeError(node)
    return np.where(ok, total, -1)


def postings_of(articles: pd.DataFrame, fields: Iterable[str]) -> dict[str, Postings]:
    """Build the postings of the named fields of a table (a missing column has no tokens)."""
    out = {}
    for field in fields:
        if field in articles.columns:
            out[field] = Postings.build(articles[field].tolist())
        else:
            out[field] = Postings.build([None] * len(articles))
    return out


def require_fields(node: Node, columns: Iterable[str], *, where: str = "match") -> None:
    """
    Stop with a :class:`ParameterError` when a table lacks a column the query reads.

    A query reads ``text`` unless every term names another field
    (``title:``, ``outlet:``, ``section:``), which then needs that column alone.

    Examples
    --------
    >>> require_fields(parse_query("title:talks"), ["article_id", "title"])
    >>> require_fields(parse_query("talks"), ["article_id", "title"])
    Traceback (most recent call last):
    ...
    analysis.errors.ParameterError: match: the articles table has no 'text' column, which the query reads (only title:, outlet: and section: terms read other columns)
    """
    have = set(columns)
    missing = [f for f in sorted(query_fields(node)) if f not in have]
    if "text" in missing:
        raise ParameterError(
            f"{where}: the articles table has no 'text' column, which the query reads "
            "(only title:, outlet: and section: terms read other columns)"
        )
    if missing:
        raise ParameterError(
            f"{where}: the articles table has no {missing[0]!r} column, which the query "
            f"reads ({missing[0]}:)"
        )


def match_table(articles: pd.DataFrame, query: str | Node, *, default: str = "AND") -> pd.DataFrame:
    """
    Match a query against a table by reading its texts: ``[article_id, hits]`` of the matching rows.

    Examples
    --------
    >>> df = pd.DataFrame({"article_id": ["a", "b"], "text": ["Peace talks resume", "No talks"]})
    >>> match_table(df, '"peace talks" OR resume')
      article_id  hits
    0          a     2
    """
    node = parse_query(query, default=default) if isinstance(query, str) else query
    if "article_id" not in articles.columns:
        raise ParameterError("match: the table has no 'article_id' column")
    require_fields(node, articles.columns)
    rows = _candidates(node, articles, {})
    if rows is None:
        hits = evaluate(node, postings_of(articles, query_fields(node)), len(articles))
    else:  # only the rows holding the query's words can match: tokenize those alone
        some = articles[rows]
        hits = np.full(len(articles), -1, dtype=np.int64)
        hits[rows] = evaluate(node, postings_of(some, query_fields(node)), len(some))
    return hits_frame(articles["article_id"], hits)


def _anchor(node: Words) -> str:
    """The longest run of characters every match of ``node`` holds (tokens are substrings of the normalized text)."""
    runs = [w if type(w) is str else max(literal_runs(w.pattern), key=len) for w in node.words]
    return max(runs, key=len)


def _candidates(node: Node, articles: pd.DataFrame, lowered: dict) -> np.ndarray | None:
    """Rows that may match (a boolean array), or None when any row may (a NOT, say)."""
    if isinstance(node, Words):
        anchor = _anchor(node)
        if not anchor or node.field not in articles.columns:
            return None
        if node.field not in lowered:
            values = articles[node.field].tolist()
            lowered[node.field] = pd.Series(
                [normalize(v) if isinstance(v, str) else "" for v in values], dtype=object
            )
        return lowered[node.field].str.contains(anchor, regex=False).to_numpy(dtype=bool)
    if isinstance(node, Not):
        return None
    masks = [_candidates(p, articles, lowered) for p in node.parts]
    if isinstance(node, All):
        known = [m for m in masks if m is not None]
        return np.logical_and.reduce(known) if known else None
    if any(m is None for m in masks):
        return None
    return np.logical_or.reduce(masks)


def hits_frame(ids: pd.Series, hits: np.ndarray) -> pd.DataFrame:
    """The ``[article_id, hits]`` table of the rows with hits >= 0, in row order."""
    keep = hits >= 0
    return pd.DataFrame(
        {
            "article_id": pd.Series(np.asarray(ids, dtype=object)[keep], dtype="string"),
            "hits": hits[keep].astype("int64"),
        }
    )
