"""Keyword in context: every occurrence of a word, phrase or wildcard, with its article.

Queries use the toolkit's tokens (:func:`analysis.tokenize`), so a KWIC line
exists exactly where :func:`analysis.term_counts` counted the term:

- a word: ``ceasefire`` (case and possessive ``'s`` ignored: ``Russia's`` is ``russia``);
- a phrase: ``peace talks`` (consecutive tokens; punctuation between them is allowed);
- wildcards: ``negotiat*`` (``*`` any characters, ``?`` one character), also
  inside phrases: ``humanitarian corridor*``.

:func:`kwic` answers one query over a table. For many queries over a large
table, build a :class:`KwicIndex` once (its build cost is logged) and call
:meth:`KwicIndex.search`: each answer then costs time proportional to the hits.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from array import array
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.engine import Plan, is_dask, run
from analysis.errors import ParameterError
from analysis.measures import wordtable as wt
from analysis.options import Copies, renamed, unique_copies
from analysis.text.tokens import TOKEN_PATTERN, normalize
from analysis.workers import progress

__all__ = ["kwic", "KwicIndex"]

log = logging.getLogger(__name__)

_COLUMNS = ["article_id", "outlet", "published", "title", "left", "match", "right", "position"]


def _spans(text: str) -> tuple[list[str], list[int], list[int]]:
    """Return the tokens of ``text`` (as :func:`tokenize` gives them) with their offsets in ``text``."""
    low = normalize(text)
    toks = TOKEN_PATTERN.findall(low)
    starts = [m.start(1) for m in TOKEN_PATTERN.finditer(low)]
    ends = [s + len(t) for s, t in zip(starts, toks)]
    if len(low) != len(text):
        # A few characters ("İ") lowercase to several: map offsets back to the original.
        cum = np.cumsum([0] + [len(ch.lower()) for ch in text])
        starts = (np.searchsorted(cum, starts, side="right") - 1).tolist()
        ends = np.searchsorted(cum, ends, side="left").tolist()
    return toks, starts, ends


_SPACE = re.compile(r"\s")


def _squash(s: str) -> str:
    """Strip a slice of a space-normalized text and collapse runs of spaces."""
    s = s.strip()
    return " ".join(s.split()) if "  " in s else s


class KwicIndex:
    """
    A positional index of an articles table for fast keyword-in-context queries.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table (needs ``text``; ``article_id``, ``outlet``,
        ``published`` and ``title`` are carried into the results when present).
    copies : {"unique", "all"}, default "all"
        Index one copy per story (see :func:`analysis.dedupe`).
    english_only : bool, default False
        Index only rows whose ``language`` is English or unknown.

    Attributes
    ----------
    build_seconds : float
        Time the index took to build.
    n_tokens : int
        Tokens indexed.
    nbytes : int
        Memory held by the index arrays (texts not included).

    Examples
    --------
    >>> df = pd.DataFrame({"article_id": ["a1", "a2"], "outlet": ["A", "B"],
    ...                    "text": ["Peace talks began in Istanbul.", "Negotiators met; talks stalled."]})
    >>> index = KwicIndex(df)
    >>> index.search("talks", window=2)[["article_id", "left", "match", "right"]]
      article_id              left  match     right
    0         a1             Peace  talks  began in
    1         a2  Negotiators met;  talks   stalled
    """

    @renamed(unique_stories="copies")
    def __init__(
        self, articles: pd.DataFrame, *, copies: Copies = "all", english_only: bool = False
    ):
        t0 = time.perf_counter()
        table = wt.select_rows(
            articles,
            english_only=english_only,
            unique_stories=unique_copies(copies),
            where="KwicIndex",
        )
        self._meta = table[[c for c in _COLUMNS[:4] if c in table.columns]].reset_index(drop=True)
        # Every whitespace character becomes one space: same offsets, one-line contexts.
        self._texts = [_SPACE.sub(" ", t) for t in wt.texts_of(table)]
        vocab: defaultdict = defaultdict()
        vocab.default_factory = vocab.__len__
        get = vocab.__getitem__
        # array('i') holds C ints: a quarter of the memory of lists of Python ints.
        ids, starts, ends, offsets = array("i"), array("i"), array("i"), [0]
        for text in progress(self._texts, "KWIC index"):
            toks, s, e = _spans(text)
            ids.extend(map(get, toks))
            starts.extend(s)
            ends.extend(e)
            offsets.append(offsets[-1] + len(toks))
        self._vocab = dict(vocab)
        self._terms = list(self._vocab)
        self._ids = np.frombuffer(ids, dtype=np.int32)
        self._starts = np.frombuffer(starts, dtype=np.int32)
        self._ends = np.frombuffer(ends, dtype=np.int32)
        self._offsets = np.asarray(offsets, dtype=np.int64)
        order = np.argsort(self._ids, kind="stable")
        self._postings = order.astype(np.int32 if len(order) < 2**31 else np.int64)
        self._ptr = np.concatenate(
            [[0], np.cumsum(np.bincount(self._ids, minlength=len(self._terms)))]
        )
        self.n_tokens = len(self._ids)
        self.build_seconds = time.perf_counter() - t0
        log.info(
            "KwicIndex: %d articles, %d tokens, %d distinct, built in %.2f s, %.0f MB",
            len(self._texts),
            self.n_tokens,
            len(self._terms),
            self.build_seconds,
            self.nbytes / 1e6,
        )

    @property
    def nbytes(self) -> int:
        arrays = (
            self._ids,
            self._starts,
            self._ends,
            self._offsets,
            self._postings,
            self._ptr,
        )
        return int(sum(a.nbytes for a in arrays))

    def __len__(self) -> int:
        return len(self._texts)

    def _doc_of(self, pos: np.ndarray) -> np.ndarray:
        """Return the article (row) index of each global token position."""
        return np.searchsorted(self._offsets, pos, side="right") - 1

    def _term_ids(self, word) -> np.ndarray:
        if type(word) is str:
            i = self._vocab.get(word)
            return np.array([] if i is None else [i], dtype=np.int64)
        return np.array([i for i, t in enumerate(self._terms) if word.fullmatch(t)], dtype=np.int64)

    def _positions(self, ids: np.ndarray) -> np.ndarray:
        if len(ids) == 0:
            return np.array([], dtype=np.int64)
        parts = [self._postings[self._ptr[i] : self._ptr[i + 1]] for i in ids]
        return np.sort(np.concatenate(parts)).astype(np.int64)

    def search(self, query: str, *, window: int = 8, max_hits: int | None = None) -> pd.DataFrame:
        """
        Return one row per occurrence of ``query``, with its context.

        Parameters
        ----------
        query : str
            A word, phrase or wildcard pattern (see the module documentation).
        window : int, default 8
            Tokens of context on each side (within the article).
        max_hits : int or None
            Return at most this many hits (in article order).

        Returns
        -------
        DataFrame
            ``article_id, outlet, published, title, left, match, right, position``
            (the columns the table had), in article order: ``left``/``right`` are
            the original text around the match (whitespace collapsed), ``match``
            the matched text as written, ``position`` the token index of the match
            in its article.
        """
        if not isinstance(window, int) or window < 0:
            raise ParameterError(f"window={window!r}; expected a non-negative integer")
        words = wt.parse_entry(query, where="kwic query")
        pos = self._positions(self._term_ids(words[0]))
        n = len(words)
        if n > 1 and len(pos):
            doc_end = self._offsets[self._doc_of(pos) + 1]
            keep = pos + n - 1 < doc_end
            pos = pos[keep]
            for k, w in enumerate(words[1:], start=1):
                ok = np.isin(self._ids[pos + k], self._term_ids(w))
                pos = pos[ok]
        if max_hits is not None:
            pos = pos[:max_hits]
        return self._rows(pos, n, window)

    def _rows(self, pos: np.ndarray, n: int, window: int) -> pd.DataFrame:
        meta_cols = list(self._meta.columns)
        if len(pos) == 0:
            return pd.DataFrame(
                columns=[
                    c
                    for c in _COLUMNS
                    if c in meta_cols or c in ("left", "match", "right", "position")
                ]
            )
        doc = self._doc_of(pos)
        first = self._offsets[doc]
        last = self._offsets[doc + 1] - 1
        lo = np.maximum(first, pos - window)
        hi = np.minimum(last, pos + n - 1 + window)
        m_start = self._starts[pos]
        m_end = self._ends[pos + n - 1]
        l_start = self._starts[lo]
        r_end = self._ends[hi]
        hit_texts = [self._texts[d] for d in doc.tolist()]
        left = [_squash(t[a:b]) for t, a, b in zip(hit_texts, l_start.tolist(), m_start.tolist())]
        match = [_squash(t[a:b]) for t, a, b in zip(hit_texts, m_start.tolist(), m_end.tolist())]
        right = [_squash(t[a:b]) for t, a, b in zip(hit_texts, m_end.tolist(), r_end.tolist())]
        out = self._meta.iloc[doc].reset_index(drop=True)
        return out.assign(
            left=left, match=match, right=right, position=(pos - first).astype(np.int64)
        )

    def count(self, query: str) -> int:
        """Return the number of occurrences of ``query`` (no context built)."""
        words = wt.parse_entry(query, where="kwic query")
        if len(words) == 1:
            ids = self._term_ids(words[0])
            return int(sum(self._ptr[i + 1] - self._ptr[i] for i in ids))
        return len(self.search(query, window=0))


def _anchor(words: Sequence) -> str | None:
    """Return a literal that every text holding the query contains (lowercased), if any."""
    pieces = []
    for w in words:
        if type(w) is str:
            pieces.extend(w.split("'"))
        else:
            pieces.extend(re.split(r"\.\*|\.", w.pattern.replace("\\", "")))
    pieces = [p for p in pieces if p]
    return max(pieces, key=len) if pieces else None


@renamed(unique_stories="copies")
def kwic(
    articles: pd.DataFrame,
    query: str,
    *,
    window: int = 8,
    max_hits: int | None = None,
    copies: Copies = "all",
    english_only: bool = False,
) -> pd.DataFrame:
    """
    Find every occurrence of a word, phrase or wildcard, with its context and article.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table.
    query : str
        ``"ceasefire"``, ``"peace talks"``, ``"negotiat*"``... (see the module documentation).
    window : int, default 8
        Tokens of context on each side.
    max_hits : int or None
        Return at most this many hits.
    copies : {"unique", "all"}, default "all"
        ``"unique"`` searches one copy per story.
    english_only : bool, default False
        Search only rows whose ``language`` is English or unknown.

    Returns
    -------
    DataFrame
        ``article_id, outlet, published, title, left, match, right, position``:
        one row per hit, so every line links back to its article.

    Examples
    --------
    >>> df = pd.DataFrame({"article_id": ["a1", "a2"], "outlet": ["A", "B"],
    ...                    "text": ["Kyiv is negotiating. Talks resume.", "Negotiations in Istanbul stalled."]})
    >>> kwic(df, "negotiat*", window=2)[["article_id", "left", "match", "right"]]
      article_id     left         match           right
    0         a1  Kyiv is   negotiating  . Talks resume
    1         a2           Negotiations     in Istanbul
    """
    unique_stories = unique_copies(copies)
    if is_dask(articles):  # this function on every partition, hits in article order
        step = functools.partial(
            kwic,
            query=query,
            window=window,
            max_hits=max_hits,
            copies=copies,
            english_only=english_only,
        )
        hits = run(Plan(step=step, stories=unique_stories), articles)
        return hits if max_hits is None else hits.head(max_hits).reset_index(drop=True)
    words = wt.parse_entry(query, where="kwic query")
    wt.need_columns(articles, ["text"], "kwic")
    anchor = _anchor(words)
    table = articles
    if anchor:
        low = pd.Series(
            [normalize(t) if isinstance(t, str) else "" for t in articles["text"]], dtype=object
        )
        table = articles[low.str.contains(anchor, regex=False).to_numpy(dtype=bool)]
    if max_hits is None or unique_stories:
        index = KwicIndex(table, copies=copies, english_only=english_only)
        return index.search(query, window=window, max_hits=max_hits)
    # The first max_hits hits in article order come from the first articles: index
    # them in growing slices and stop once there are enough (one copy per story is
    # chosen among all rows, so that case indexes them all at once).
    table = wt.select_rows(table, english_only=english_only, unique_stories=False, where="kwic")
    parts: list[pd.DataFrame] = []
    found, start, step = 0, 0, 64
    while start < len(table) and found < max_hits:
        index = KwicIndex(table.iloc[start : start + step])
        part = index.search(query, window=window, max_hits=max_hits - found)
        if len(part):
            parts.append(part)
            found += len(part)
        start, step = start + step, step * 2
    if not parts:
        return KwicIndex(table.iloc[:0]).search(query, window=window)
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
