"""Shared plumbing for the word measurements: row selection, groups, periods, fast counts.

Private to :mod:`analysis.measures.terms`, :mod:`analysis.measures.kwic` and :mod:`analysis.measures.dictionaries`
(:mod:`analysis.measures.quotes` takes its process count from :func:`n_workers`).
"""

from __future__ import annotations

import logging
import os
import re
import string
from array import array
from collections import Counter
from collections.abc import Collection, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis.errors import ParameterError, SchemaError
from analysis.paths import write_arrow
from analysis.text.tokens import default_stopwords, normalize, tokenize

log = logging.getLogger(__name__)

FREQS = {"D": "D", "day": "D", "W": "W", "week": "W", "M": "M", "month": "M"}

#: Above this many characters of text, counting is split over threads (or processes).
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


def tqdm_class():
    """
    ``tqdm.auto``'s bar: a widget in a notebook that has ipywidgets, text otherwise.

    Without ipywidgets tqdm warns ("IProgress not found") into every notebook that
    imports it, a report's among them; the text bar it then falls back to is
    what we want there, so the warning is left out.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        from tqdm.auto import tqdm
    return tqdm


def progress(items, desc: str):
    """Wrap a long loop in a tqdm bar, shown only on a terminal and for large inputs."""
    if len(items) < 20_000:
        return items
    return tqdm_class()(items, desc=desc, unit="article", disable=None, leave=False)


def texts_of(articles: pd.DataFrame) -> list[str]:
    """Return the text column as a list of str ('' for missing)."""
    return [t if isinstance(t, str) else "" for t in articles["text"].tolist()]


def _offsets(chunk) -> np.ndarray:
    """The ``len(chunk) + 1`` offsets of an Arrow string or large string array, unsliced."""
    width = np.int64 if str(chunk.type) == "large_string" else np.int32
    return np.frombuffer(chunk.buffers()[1], dtype=width)[
        chunk.offset : chunk.offset + len(chunk) + 1
    ]


def text_bytes(articles: pd.DataFrame) -> list:
    """
    Return the ``text`` column as a sequence of per-row UTF-8 sources for the counters.

    Arrow-backed string columns (the canonical table's) are read straight from
    their buffers: each row becomes a ``memoryview`` of its bytes, with no Python
    string made and no re-encoding. Other columns give their strings.
    """
    col = articles["text"].array
    arrow = getattr(col, "__arrow_array__", None)
    if arrow is None:
        return texts_of(articles)
    try:
        chunked = arrow()
    except (TypeError, ValueError):  # pragma: no cover - odd extension arrays
        return texts_of(articles)
    out: list = []
    for chunk in getattr(chunked, "chunks", [chunked]):
        kind = str(chunk.type)
        if kind not in ("string", "large_string"):
            return texts_of(articles)
        if len(chunk) == 0:
            continue
        data = chunk.buffers()[2]
        off = _offsets(chunk).tolist()
        view = memoryview(data) if data is not None else memoryview(b"")
        rows = [view[a:b] for a, b in zip(off, off[1:])]
        if chunk.null_count:
            for i in np.flatnonzero(chunk.is_null().to_numpy(zero_copy_only=False)).tolist():
                rows[i] = view[0:0]
        out.extend(rows)
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


# --------------------------------------------------------------------------- fast unigram counts
#
# Counting works on whitespace-separated pieces ("chunks") of UTF-8 bytes, which
# Python splits and hashes faster than a regular expression can scan: each distinct
# chunk is tokenized once (a chunk such as "Russia's," gives "russia") and stands
# for an integer id; ids are gathered in C arrays and counted with numpy's
# bincount, documents' id sets likewise for document frequencies. Because no token
# spans whitespace, the result equals counting ``tokenize(text)`` directly; the
# exactness test holds this to the last token.


_ASCII_PUNCT = string.punctuation.encode("ascii")
_PUNCT_STR = string.punctuation
# Typographic punctuation (E2 80 xx) written as the ASCII character that plays the
# same part for the tokenizer: ’ is an apostrophe; ‘ “ ” quotes; – — dashes; … dots.
_TYPOGRAPHIC = [
    ("\u2019".encode(), b"'"),
    ("\u2018".encode(), b'"'),
    ("\u201c".encode(), b'"'),
    ("\u201d".encode(), b'"'),
    ("\u2013".encode(), b"-"),
    ("\u2014".encode(), b"-"),
    ("\u2026".encode(), b"."),
]


# Lowercase ASCII cores that are one token as they stand: a word (the tokenizer's
# word rule joins single inner hyphens and apostrophes, unless a lone "s" follows)
# or a number with decimal or thousands separators.
_ONE_TOKEN = r"^(?:[a-z0-9]+(?:['-][a-z0-9]+)*|[0-9]+(?:[.,][0-9]+)+)$"
_LONE_S = r"['-]s(?:['-]|$)|^s['-]"
# Chunks whose outer punctuation may not be stripped: an underscore is a word
# character to the tokenizer's \b ("_russia's_" keeps its 's), and a URL's start
# keeps what follows it ("https://..." is one token).
_NOT_STRIPPABLE = re.compile(rb"_|://|www\.")
_NOT_JOINING = "[\u2018\u201c\u201d\u2013\u2014\u2026]"


class _Resolver(dict):
    """
    Map a bytes chunk to an integer key id (``get`` is this dict's C-level lookup).

    Id 0 means "no token" (a chunk of punctuation); an id in :attr:`multi` stands
    for a chunk holding several tokens ("russia/ukraine") and maps to their ids.
    """

    def __init__(self) -> None:
        super().__init__()
        self.tokens: list[str | None] = [None]
        self.token_id: dict[str, int] = {}
        self.multi: dict[int, tuple[int, ...]] = {}
        # for keys_for: chunks resolved so far and their keys; tokens as an Arrow array
        self._known = None
        self._known_keys = np.zeros(0, dtype=np.int64)
        self._vocab = None

    def _id(self, token: str) -> int:
        i = self.token_id.get(token)
        if i is None:
            i = self.token_id[token] = len(self.tokens)
            self.tokens.append(token)
        return i

    def __missing__(self, chunk: bytes) -> int:
        # Most chunks are one ASCII word or number wrapped in punctuation ("(Kyiv),",
        # "“Kyiv’s”"): nothing stripped here ever joins such a core to anything, so
        # the core (without a possessive 's) is the token. Not so for an underscore
        # (punctuation, yet a word character to the tokenizer's \b) or a URL's start.
        core = chunk
        if b"\xe2\x80" in core:
            for old, new in _TYPOGRAPHIC:
                core = core.replace(old, new)
        core = core.strip(_ASCII_PUNCT)
        if core.endswith(b"'s"):
            core = core[:-2]
        if core.isalnum() and not _NOT_STRIPPABLE.search(chunk):
            key = self._id(core.decode("ascii"))
        else:
            toks = tokenize(chunk.decode("utf-8", "surrogatepass"))
            if len(toks) == 1:
                key = self._id(toks[0])
            elif not toks:
                key = 0
            else:
                parts = tuple(self._id(t) for t in toks)
                key = len(self.tokens)
                self.tokens.append(None)
                self.multi[key] = parts
        self[chunk] = key
        return key

    def resolve_many(self, chunks: list[bytes]) -> np.ndarray:
        """Return the key id of each chunk, as :meth:`__missing__` would, in one batch."""
        import pyarrow as pa

        if not chunks:
            return np.zeros(0, dtype=np.int64)
        try:
            text = pa.array(chunks, pa.binary()).cast(pa.large_string())
        except pa.ArrowInvalid:  # not UTF-8 (a lone surrogate): the slow path throughout
            return np.fromiter(map(self.__getitem__, chunks), np.int64, len(chunks))
        return self._resolve_text(text)

    def _resolve_text(self, text) -> np.ndarray:
        """
        Key ids of an Arrow string array of chunks.

        The common shapes (an ASCII word, number, hyphenated word or decimal number
        wrapped in punctuation) are recognised with Arrow's compiled string kernels
        and numbered in bulk; the rest go through :func:`analysis.tokenize` one by one.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        # typographic dashes, quotes and dots inside a core do not join it (only the
        # outer ones are written as ASCII, for stripping): joined cores come from
        # chunks without them
        plain = pc.invert(pc.match_substring_regex(text, _NOT_JOINING))
        core = text
        for old, new in _TYPOGRAPHIC:
            core = pc.replace_substring(core, old.decode(), new.decode())
        core = pc.ascii_trim(core, characters=_PUNCT_STR)
        core = pc.if_else(pc.ends_with(core, "'s"), pc.utf8_slice_codeunits(core, 0, -2), core)
        joined = pc.and_not(
            pc.match_substring_regex(core, _ONE_TOKEN), pc.match_substring_regex(core, _LONE_S)
        )
        simple = pc.and_(
            pc.or_(pc.ascii_is_alnum(core), pc.and_(plain, joined)),
            pc.invert(pc.match_substring_regex(text, _NOT_STRIPPABLE.pattern.decode())),
        )
        words = core.filter(simple)
        out = np.zeros(len(text), dtype=np.int64)
        out[simple.to_numpy(zero_copy_only=False)] = self._word_ids(words)
        rest = pc.invert(simple)
        if pc.any(rest).as_py():
            get = self.__getitem__
            chunks = text.filter(rest).cast(pa.binary()).to_pylist()
            out[rest.to_numpy(zero_copy_only=False)] = list(map(get, chunks))
        return out

    def _word_ids(self, words) -> np.ndarray:
        """Token id of each word of an Arrow string array (new words numbered in order)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        tokens = self.tokens
        if self._vocab is None:
            self._vocab = pa.array([], pa.large_string())
        if len(self._vocab) < len(tokens):  # tokens added one by one since
            more = pa.array(tokens[len(self._vocab) :], pa.large_string())
            self._vocab = pa.concat_arrays([self._vocab, more])
        pos = pc.index_in(words, value_set=self._vocab)
        if pos.null_count:
            fresh = pc.unique(words.filter(pc.is_null(pos)))
            base = len(tokens)
            names = fresh.to_pylist()
            tokens.extend(names)
            self.token_id.update(zip(names, range(base, base + len(names))))
            self._vocab = pa.concat_arrays([self._vocab, fresh])
            pos = pc.index_in(words, value_set=self._vocab)
        return pos.to_numpy(zero_copy_only=False).astype(np.int64)

    def keys_for(self, distinct) -> np.ndarray:
        """Key id of each chunk of an Arrow string array of distinct chunks (remembered)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        distinct = distinct.cast(pa.large_string())
        if self._known is None:
            self._known = pa.array([], pa.large_string())
        out = np.zeros(len(distinct), dtype=np.int64)
        pos = pc.index_in(distinct, value_set=self._known).fill_null(-1).to_numpy()
        new = pos < 0
        out[~new] = self._known_keys[pos[~new]]
        if new.any():
            fresh = distinct.filter(pa.array(new))
            keys = self._resolve_text(fresh)
            out[new] = keys
            self._known = pa.concat_arrays([self._known, fresh])
            self._known_keys = np.concatenate([self._known_keys, keys])
        return out


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


def may_start_processes() -> bool:
    """
    False inside a daemonic process (a Dask or multiprocessing worker), which may
    not start processes of its own: work there runs in the process itself.
    """
    import multiprocessing as mp

    return not mp.current_process().daemon


def n_workers(n_jobs: int | None, total_chars: int) -> int:
    if n_jobs is not None and n_jobs < 1:
        raise ParameterError(f"n_jobs={n_jobs!r}; expected a positive integer or None")
    if not may_start_processes():
        return 1
    if n_jobs is not None:
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
    if not isinstance(texts, Sequence):  # an Arrow string array (see text_source)
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


# --------------------------------------------------------------------------- Arrow counting

#: Text bytes per batch of the Arrow counter: the smallest and the largest batch
#: (which bounds its working memory), and the number of batches aimed at between.
BATCH_BYTES = 4_000_000
MAX_BATCH_BYTES = 32_000_000
BATCHES = 16


def text_array(articles: pd.DataFrame):
    """
    Return the ``text`` column as an Arrow string array or chunked array (nulls for
    missing texts), or ``None`` when it cannot be one (a text with a lone surrogate
    is not UTF-8).

    An Arrow-backed column is used as it is, never copied; other columns are
    converted once.
    """
    import pyarrow as pa

    col = articles["text"].array
    arrow = getattr(col, "__arrow_array__", None)
    try:
        if arrow is not None:  # used as it is (a chunked array stays in its chunks)
            arr = arrow()
            if isinstance(arr, pa.ChunkedArray) and arr.num_chunks == 1:
                arr = arr.chunk(0)
        else:
            values = [t if isinstance(t, str) else None for t in col.tolist()]
            arr = pa.array(values, pa.large_string())
    except (pa.ArrowException, UnicodeError, TypeError, ValueError):
        return None
    if str(arr.type) not in ("string", "large_string"):
        return None
    return arr


def text_source(articles: pd.DataFrame):
    """What :func:`count_unigrams` reads: the Arrow text array, or per-row bytes."""
    arr = text_array(articles)
    return text_bytes(articles) if arr is None else arr


def _batches(arr, n: int) -> list:
    """
    Slices of ``arr`` (an Arrow string array or chunked array, never copied), at
    least ``n``, of :data:`BATCH_BYTES` to :data:`MAX_BATCH_BYTES` of text each:
    about :data:`BATCHES` of them in between, so that a large input is cut into
    few batches (each batch looks its chunks up among all those seen before).
    """
    import pyarrow as pa

    chunks = [c for c in (arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]) if len(c)]
    spans = [_offsets(c) for c in chunks]
    sizes = [int(o[-1] - o[0]) for o in spans]
    total = sum(sizes)
    step = min(max(BATCH_BYTES, total // BATCHES), MAX_BATCH_BYTES)
    out = []
    for chunk, offsets, size in zip(chunks, spans, sizes):
        k = max(-(-size // step), -(-n * size // max(total, 1)), 1)
        cuts = np.searchsorted(offsets, offsets[0] + size * np.arange(1, k) / k)
        edges = np.unique(np.concatenate([[0], np.clip(cuts, 0, len(chunk)), [len(chunk)]]))
        out.extend(chunk.slice(a, b - a) for a, b in zip(edges[:-1].tolist(), edges[1:].tolist()))
    return out


def _split_batch(batch):
    """Chunks of a batch as Arrow's kernels cut them: (chunks per row, distinct, indices)."""
    import pyarrow.compute as pc

    lists = pc.ascii_split_whitespace(pc.ascii_lower(batch))
    lengths = pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False)
    encoded = pc.dictionary_encode(pc.list_flatten(lists))
    return lengths.astype(np.int64), encoded.dictionary, encoded.indices.to_numpy()


#: Largest groups x tokens table counted densely per batch (bigger ones are summed sparsely).
DENSE_CELLS = 4_000_000


def _key_sums(keys: np.ndarray, weights: np.ndarray | None = None):
    """The distinct ``keys`` in order and the sum of ``weights`` (or the count) of each."""
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else keys
    if weights is None:
        return keys[starts], np.diff(np.r_[starts, len(keys)])
    return keys[starts], np.add.reduceat(weights[order], starts) if len(keys) else weights


def _spread_multi(parts: tuple, multi: dict, width: int) -> tuple:
    """(row, id, n) entries with each chunk of several tokens replaced by its tokens."""
    rows, ids, n = parts
    hit = np.isin(ids, np.fromiter(multi, np.int64, len(multi)))
    spread = [
        (r, t, c)
        for r, i, c in zip(rows[hit].tolist(), ids[hit].tolist(), n[hit].tolist())
        for t in multi[i]
    ]
    more = np.asarray(spread, dtype=np.int64).reshape(-1, 3)
    plain = (rows[~hit], ids[~hit], n[~hit])
    return _merge([plain, (more[:, 0], more[:, 1], more[:, 2])], width)


def _group_sums(groups: np.ndarray | None, ids: np.ndarray, n_groups: int, width: int):
    """(group, id, n) of every nonzero tally of the (group, id) pairs (no groups: one)."""
    if groups is None:
        cells = np.bincount(ids, minlength=width)
        i = np.flatnonzero(cells)
        return np.zeros(len(i), dtype=np.int64), i, cells[i]
    if n_groups * width <= DENSE_CELLS:
        cells = np.bincount(groups * width + ids, minlength=n_groups * width)
        flat = np.flatnonzero(cells)
        g, i = np.divmod(flat, width)
        return g, i, cells[flat]
    keys, n = _key_sums(groups * width + ids)
    g, i = np.divmod(keys, width)
    return g, i, n


def _tally_batch(
    lengths, indices, keys, codes, n_groups: int, width: int, doc_freq: bool, multi: dict
):
    """
    Per group (counts, doc freqs) of each key id over one batch, each as (group, id, n).

    Document frequencies come from the sorted (article, id) pairs: consecutive
    equal pairs are one article holding one id.
    """
    ids = keys[indices]
    rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    one = n_groups == 1
    counts = _group_sums(None if one else codes[rows], ids, n_groups, width)
    if not doc_freq:
        return counts, None
    pairs = rows * width
    pairs += ids
    del rows, ids
    pairs.sort()
    keep = np.empty(len(pairs), dtype=bool)
    keep[:1] = True
    np.not_equal(pairs[1:], pairs[:-1], out=keep[1:])
    pairs = pairs[keep]
    held_row, held_id = np.divmod(pairs, width)
    if multi:
        # an article holding a chunk of several tokens ("russia/ukraine") also holds
        # each of them: add each one it does not hold otherwise
        is_multi = np.zeros(width, dtype=bool)
        is_multi[[k for k in multi if k < width]] = True
        hit = is_multi[held_id]
        if hit.any():
            extra_rows, extra_ids = [], []
            bounds = np.searchsorted(held_row, np.arange(len(lengths) + 1))
            for r in np.unique(held_row[hit]).tolist():
                mine = held_id[bounds[r] : bounds[r + 1]].tolist()
                spread = {t for i in mine if i in multi for t in multi[i]} - set(mine)
                extra_rows.extend([r] * len(spread))
                extra_ids.extend(spread)
            keep = ~hit
            held_row = np.concatenate([held_row[keep], np.asarray(extra_rows, dtype=np.int64)])
            held_id = np.concatenate([held_id[keep], np.asarray(extra_ids, dtype=np.int64)])
    return counts, _group_sums(None if one else codes[held_row], held_id, n_groups, width)


def _merge(parts: list, width: int):
    """One (group, id, n) part summing ``parts``, sorted by group then id."""
    g = np.concatenate([p[0] for p in parts] or [np.zeros(0, np.int64)])
    i = np.concatenate([p[1] for p in parts] or [np.zeros(0, np.int64)])
    n = np.concatenate([p[2] for p in parts] or [np.zeros(0, np.int64)])
    if not len(g):
        return g, i, n
    keys, n = _key_sums(g * width + i, n)
    g, i = np.divmod(keys, width)
    return g, i, n


def _counters(parts: list, resolve: _Resolver, n_groups: int) -> list[Counter]:
    """Sum per-batch (group, id, n) parts into one Counter of tokens per group."""
    width = max(len(resolve.tokens), 1)
    g, i, n = _merge(parts, width)
    if resolve.multi:  # a chunk of several tokens counts for each of them
        g, i, n = _spread_multi((g, i, n), resolve.multi, width)
    bounds = np.searchsorted(g, np.arange(n_groups + 1))
    tokens = resolve.tokens
    out = []
    for r in range(n_groups):
        cols, vals = i[bounds[r] : bounds[r + 1]], n[bounds[r] : bounds[r + 1]]
        nz = cols != 0
        out.append(Counter(dict(zip([tokens[c] for c in cols[nz].tolist()], vals[nz].tolist()))))
    return out


#: Per-batch tallies kept before they are summed into one (bounds memory).
MERGE_AT = 16


def count_arrow(arr, codes: np.ndarray, n_groups: int, doc_freq: bool, workers: int = 1):
    """
    :func:`count_part` of an Arrow string array, in compiled kernels.

    Arrow lowercases (ASCII, as ``bytes.lower``) and cuts each batch at ASCII
    whitespace (as ``bytes.split``) and numbers its distinct chunks; only distinct
    chunks reach Python, to be resolved to tokens as :class:`_Resolver` does. Counts
    are ``bincount`` sums; document frequencies come from sorted (article, id)
    pairs. With ``workers`` > 1, batches are cut and tallied on that many threads
    (the kernels release the GIL) while this thread resolves chunks, batch after
    batch in order, so tokens are numbered in order of first sight either way.
    """
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    codes = np.asarray(codes, dtype=np.int64)
    resolve = _Resolver()
    batches = _batches(arr, workers if workers > 1 else 1)
    starts = np.cumsum([0] + [len(b) for b in batches])
    tallies: list = []
    n_docs = np.bincount(codes, minlength=n_groups)[:n_groups].tolist()

    def tally(k, lengths, indices, keys, width, multi):
        part = codes[starts[k] : starts[k + 1]]
        return _tally_batch(lengths, indices, keys, part, n_groups, width, doc_freq, multi)

    def keep(done: list) -> None:
        tallies.extend(done)
        if len(tallies) >= MERGE_AT:
            width = len(resolve.tokens)
            counts = _merge([c for c, _ in tallies], width)
            docs = _merge([d for _, d in tallies], width) if doc_freq else None
            tallies[:] = [(counts, docs)]

    if workers <= 1:  # everything in this thread
        for k, batch in enumerate(batches):
            lengths, distinct, indices = _split_batch(batch)
            keys = resolve.keys_for(distinct)
            keep([tally(k, lengths, indices, keys, len(resolve.tokens), resolve.multi)])
    else:
        with ThreadPoolExecutor(workers) as pool:
            # at most a few batches cut ahead of the one being resolved
            ahead = deque(pool.submit(_split_batch, b) for b in batches[: 2 * workers])
            waiting: deque = deque()
            for k in range(len(batches)):
                lengths, distinct, indices = ahead.popleft().result()
                if k + len(ahead) + 1 < len(batches):
                    ahead.append(pool.submit(_split_batch, batches[k + len(ahead) + 1]))
                keys = resolve.keys_for(distinct)
                width, multi = len(resolve.tokens), dict(resolve.multi)
                waiting.append(pool.submit(tally, k, lengths, indices, keys, width, multi))
                while waiting and (waiting[0].done() or len(waiting) > 2 * workers):
                    keep([waiting.popleft().result()])
            keep([f.result() for f in waiting])
    counts = _counters([c for c, _ in tallies], resolve, n_groups)
    dfs = (
        _counters([d for _, d in tallies], resolve, n_groups)
        if doc_freq
        else [Counter() for _ in range(n_groups)]
    )
    n_words = [sum(c.values()) for c in counts]
    return counts, dfs, n_docs, n_words


def per_article_arrays(arr):
    """
    Token counts of each text of an Arrow string array, with Arrow's kernels.

    Returns ``(tokens, rows, ids, counts)``: entry ``k`` says that text ``rows[k]``
    holds token ``tokens[ids[k]]`` ``counts[k]`` times; entries are sorted by text,
    then token id, and texts without tokens have none.
    """
    resolve = _Resolver()
    parts = []
    start = 0
    for batch in _batches(arr, 1):
        lengths, distinct, indices = _split_batch(batch)
        keys = resolve.keys_for(distinct)
        width = max(len(resolve.tokens), 1)
        pairs = np.repeat(np.arange(len(lengths), dtype=np.int64) + start, lengths) * width
        pairs += keys[indices]
        pairs, n = _key_sums(pairs)
        rows, ids = np.divmod(pairs, width)
        parts.append((rows, ids, n))
        start += len(batch)
    rows, ids, n = (
        np.concatenate([p[k] for p in parts]) if parts else np.zeros(0, np.int64) for k in range(3)
    )
    if resolve.multi:  # a chunk of several tokens counts for each of them
        width = max(len(resolve.tokens), 1)
        rows, ids, n = _spread_multi((rows, ids, n), resolve.multi, width)
    keep = ids != 0
    return resolve.tokens, rows[keep], ids[keep], n[keep]


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


# --------------------------------------------------------------------------- per-article cache
#
# With a cache folder (the corpus folder), the unigram counts of each article are
# kept in ``term_counts_cache.arrow`` (rows ``key, term, count``; ``key`` is the
# article id and a hash of its text). A measurement sums the cached counts of the
# selected articles, and only new or changed articles are tokenized. The sums are
# those of :func:`count_unigrams` (the order of a Counter's keys may differ; no
# result depends on it: top lists break ties alphabetically).

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
    def read(cls, path) -> _ArticleCounts:
        import pyarrow.compute as pc
        import pyarrow.feather as feather

        table = feather.read_table(path)
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

    def write(self, path) -> None:
        import pyarrow as pa

        keys = [None] * len(self.row_of)
        for key, r in self.row_of.items():
            keys[r] = key
        lengths = np.diff(self.indptr)
        # an article without tokens gets one row with no term (see read)
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
        table = pa.table({"key": key_col, "term": term_col, "count": pa.array(count)})
        write_arrow(table, path)
        path.with_name(OLD_CACHE_FILE).unlink(missing_ok=True)


_LOADED: dict = {}


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


def _cached_counts(cache_dir, table: pd.DataFrame) -> tuple[_ArticleCounts, np.ndarray]:
    """The cache (read once per process and file state) with ``table``'s rows added."""
    from pathlib import Path

    path = Path(cache_dir) / CACHE_FILE
    stamp = (path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else None
    held = _LOADED.get(str(path))
    if held is not None and held[0] == stamp:
        cache = held[1]
    elif stamp is not None:
        try:
            cache = _ArticleCounts.read(path)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("%s unreadable (%s); counting again", path.name, exc)
            cache = _ArticleCounts()
    else:
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
            cache.add_arrays(todo_keys, *per_article_arrays(arr))
        else:  # a text that is not valid UTF-8: one text at a time
            sources = text_bytes(table)
            cache.add(todo_keys, per_article_counts([sources[r] for r in picked]))
        try:
            cache.write(path)
            stamp = (path.stat().st_mtime_ns, path.stat().st_size)
        except OSError as exc:
            log.warning("term counts cache not written in %s (%s)", cache_dir, exc)
    _LOADED.clear()
    _LOADED[str(path)] = (stamp, cache)
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
    if n_groups * width <= DENSE_CELLS:  # one pass, no sort
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
