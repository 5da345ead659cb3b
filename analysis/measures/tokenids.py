"""Token ids of whitespace chunks of UTF-8 text, and the text column as the counters read it."""

from __future__ import annotations

import re
import string

import numpy as np
import pandas as pd

from analysis.text.tokens import tokenize

# --------------------------------------------------------------------------- the text column


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
    """
    What :func:`analysis.measures.counters.count_unigrams` reads: the Arrow text
    array, or per-row bytes.
    """
    arr = text_array(articles)
    return text_bytes(articles) if arr is None else arr


# --------------------------------------------------------------------------- chunks to tokens
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
