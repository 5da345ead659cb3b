"""Group copies of one story: exact duplicates, near-duplicates and wire syndication.

News corpora repeat themselves. An outlet re-runs its own article with a new
headline, an aggregator republishes an agency story word for word, a wire copy
is trimmed by one outlet and given a byline by another. Counting every copy
inflates whatever the copied story says, so every later count can choose between
"all copies" and "unique stories".

How copies are found
--------------------
1. **Exact duplicates**: the body is normalised (Unicode NFKC, case-folded, only
   word characters kept, single spaces) and hashed. Equal hashes are one story.
   Texts shorter than ``min_words`` words are keyed on title *and* body, so that a
   thousand rows reading "Photo" do not become one story. Empty texts (articles
   with only a title, date and link) are copies only of rows with the same
   outlet, URL and title (one story listed by two overlapping downloads);
   without a URL each is its own story.
2. **Near-duplicates**: each distinct body of at least ``min_words`` words is cut
   into overlapping shingles of ``shingle_size`` words and summarised by a
   MinHash signature (datasketch's ``affine32`` permutations, computed in bulk
   with numpy). Banded LSH over the signatures (datasketch's band layout) gives
   candidate pairs; a candidate is a copy when the exact shingle overlap reaches
   Jaccard ``threshold``, or when at least ``containment`` of the shorter body's
   shingles occur in the longer one (a copy with its last paragraphs trimmed),
   and the two were published within ``max_days``. A contained body joins a
   longer one at most twice its length; a longer one still, only when it opens
   as the shorter does (their first ``LEAD_WORDS`` words) and the shorter has at
   least ``MIN_CONTAINED_SHINGLES`` shingles: a copy that kept the first third
   of a wire story is found, a brief or a story quoted inside a live blog is
   not. Such copies overlap the whole story too little for the LSH above, so a
   second LSH over MinHash signatures of each body's opening finds them.
   Pairs are joined transitively (union-find) into stories. Work grows linearly
   with the corpus: no step compares all pairs.
3. **Canonical copy**: in each story the wire original is canonical (a row whose
   outlet is a news agency, then a row credited to the story's agency), else the
   earliest copy (missing dates last; ties by table order). Every other row is
   ``is_duplicate``. ``story_id`` is the ``article_id`` of the canonical row.
4. **Syndication**: a story is a wire story when one of its rows is published by
   an agency or credited to one (the ``wire`` column, or detected here from URLs
   such as ``/wires/ap/``, openings such as ``KYIV, Ukraine (AP) —`` and
   sign-offs such as ``Reporting by ...; Editing by ...``). Every row of a wire
   story that is not the agency's own copy is ``syndicated`` and its ``wire`` is
   filled when it was empty. A row on another site's wire pages (``/wires/ap/``)
   is a republished copy even when its outlet is labelled with the agency's name.

The signatures and candidate pairs of step 2 come from :mod:`analysis.corpus.minhash`;
the agency names and credits of step 4 from :mod:`analysis.corpus.wires`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.corpus.minhash import (  # noqa: F401 (MAX_BUCKET_PAIRS: re-exported)
    MAX_BUCKET_PAIRS,
    Shingler,
    _candidate_pairs,
    minhash_signatures,
)
from analysis.corpus.wires import (
    _URL_WIRE,
    _local_opening,
    _squash,
    detect_wire,
    local_agencies,
    wire_name,
)
from analysis.errors import ParameterError, SchemaError
from analysis.paths import write_parquet
from analysis.schema import article_id as _article_id
from analysis.workers import tqdm_class

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- text keys

_WORD = re.compile(r"\w+")


def normalize_text(text: object) -> str:
    """
    Return the comparison form of a text: NFKC, case-folded, words joined by single spaces.

    Punctuation, quotes and spacing differences do not make two texts different.

    Examples
    --------
    >>> normalize_text("  Kyiv's   “shelling” —\\nENDED. ")
    'kyiv s shelling ended'
    """
    if not isinstance(text, str) or not text:
        return ""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def _digest(s: str) -> str:
    return hashlib.blake2b(s.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


# --------------------------------------------------------------------------- grouping


class _UnionFind:
    def __init__(self, n: int):
        self.parent = np.arange(n)

    def find(self, i: int) -> int:
        p = self.parent
        root = i
        while p[root] != root:
            root = p[root]
        while p[i] != root:
            p[i], i = root, p[i]
        return root

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            # the smaller index becomes the root: results do not depend on pair order
            self.parent[max(ri, rj)] = min(ri, rj)

    def roots(self) -> np.ndarray:
        return np.array([self.find(i) for i in range(len(self.parent))], dtype=np.int64)


#: Containment joins a pair only when the shorter text has at least this share of
#: the longer one's shingles, so that a long page quoting a short story in full
#: (a live blog, a round-up) does not absorb it, nor chain unrelated stories...
MIN_CONTAINMENT_RATIO = 0.5

#: ... unless the shorter text opens as the longer one does (a copy that kept the
#: lead and dropped the rest, as republishers trim wire copy) and has at least
#: this many distinct shingles (about as many words): a one-paragraph brief that
#: opens a live blog does not make the blog, and whatever else opens with that
#: paragraph, one story.
MIN_CONTAINED_SHINGLES = 100

#: The lead: the first words of a body. Two bodies open alike when this share of
#: the shorter one's lead shingles occur in the longer one's lead.
LEAD_WORDS = 60
LEAD_MATCH = 0.5

#: Signature length and LSH threshold of the lead index that finds trimmed copies
#: (their overlap with the whole story is too small for the main index to find).
LEAD_PERM = 64
LEAD_LSH_THRESHOLD = 0.3


def _features(texts, titles, *, min_words, shingle_size, num_perm, progress) -> dict:
    """
    What grouping needs of each row, computed from its text and title alone.

    ``key``: digest of the exact-match form ('' for an empty body); ``long``: at
    least ``min_words`` words (matched by similarity too); ``sig`` and ``size``:
    MinHash signature and number of distinct shingles of a long body; ``lead``:
    MinHash signature (``LEAD_PERM`` long) of the shingles of its first
    ``LEAD_WORDS`` words, when the body has ``MIN_CONTAINED_SHINGLES`` (zeros
    otherwise). These only depend on the row, so they can be kept from one run
    to the next.
    """
    n = len(texts)
    keys = [""] * n
    long = np.zeros(n, dtype=bool)
    norms: dict[int, str] = {}
    for i, text in enumerate(_progress(texts, progress, "hashing")):
        norm = normalize_text(text)
        if not norm:
            continue
        is_long = norm.count(" ") + 1 >= min_words
        keys[i] = _digest(
            norm if is_long else "short\x1f" + normalize_text(titles[i]) + "\x1f" + norm
        )
        if is_long:
            long[i] = True
            norms[i] = norm
    sig = np.zeros((n, num_perm), dtype=np.uint32)
    lead = np.zeros((n, LEAD_PERM), dtype=np.uint32)
    size = np.zeros(n, dtype=np.int64)
    # one signature per distinct body: exact copies (same key) share it
    first: dict[str, int] = {}
    for i in np.flatnonzero(long).tolist():
        first.setdefault(keys[i], i)
    rows = list(first.values())
    shingler = Shingler(shingle_size)
    both = [
        shingler.with_lead(norms[i].split(), LEAD_WORDS)
        for i in _progress(rows, progress, "shingling")
    ]
    sets = [whole for whole, _ in both]
    if rows:
        sig[rows] = minhash_signatures(sets, num_perm=num_perm)
        size[rows] = [len(x) for x in sets]
        # the lead index only holds bodies long enough to be a trimmed copy
        big = [k for k, x in enumerate(sets) if len(x) >= MIN_CONTAINED_SHINGLES]
        if big:
            leads = [both[k][1] for k in big]
            lead[[rows[k] for k in big]] = minhash_signatures(leads, num_perm=LEAD_PERM)
        copies = [i for i in norms if first[keys[i]] != i]
        if copies:
            src = [first[keys[i]] for i in copies]
            sig[copies] = sig[src]
            lead[copies] = lead[src]
            size[copies] = size[src]
    # the shingle sets too: the exact check of candidate pairs in this call reuses them
    sets_of = dict(zip(rows, sets))
    return {"key": keys, "long": long, "sig": sig, "lead": lead, "size": size, "sets": sets_of}


def listing_key(outlet: object, url: object, title: object) -> str:
    r"""
    Return the exact-match form of an article without a body: outlet, URL and title.

    Two such rows are copies of one listing (the same story in two overlapping
    Media Cloud or GDELT downloads) when all three agree; a row without a URL
    gets ``""`` and is never grouped.

    Examples
    --------
    >>> listing_key("Harbour Post", "https://harbour-post.example/a ", "Talks open")
    'listed\x1fharbour post\x1fhttps://harbour-post.example/a\x1ftalks open'
    >>> listing_key("Harbour Post", None, "Talks open")
    ''
    """
    if not isinstance(url, str) or not url.strip():
        return ""
    parts = [normalize_text(_str(outlet)), url.strip(), normalize_text(_str(title))]
    return "\x1f".join(["listed", *parts])


def _with_listing_keys(features: dict, outlets, urls, titles) -> dict:
    """Give rows without a body (no exact key) the key of their listing, when they have a URL."""
    keys = list(features["key"])
    for i, key in enumerate(keys):
        if not key:
            listed = listing_key(outlets[i], urls[i], titles[i])
            keys[i] = _digest(listed) if listed else ""
    return {**features, "key": keys}


def lead_shingles(norm: str, shingler: Shingler) -> np.ndarray:
    """The shingles of the first ``LEAD_WORDS`` words of a normalised body."""
    return shingler(norm.split(" ", LEAD_WORDS)[:LEAD_WORDS])


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


#: Per-article grouping features kept in a corpus folder (see ``find_duplicates(cache_dir=)``).
FEATURES_CACHE = "duplicates_cache.parquet"
_CACHE_VERSION = "2"  # 2: the lead signature


def _cached_features(texts, titles, ids, folder: Path, *, prune: bool, **options) -> dict:
    """
    :func:`_features` of every row, reading kept rows from ``folder`` and adding new ones.

    The file keeps the rows' features and, unless ``prune``, those of other
    articles (an article id not among ``ids``); an edited article's old entry goes.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    num_perm = options["num_perm"]
    params = {
        "version": _CACHE_VERSION,
        **{k: str(options[k]) for k in ("min_words", "shingle_size", "num_perm")},
    }
    keys = [
        f"{i}:{_digest(_str(ti) + chr(31) + _str(te))}" for i, ti, te in zip(ids, titles, texts)
    ]
    path = folder / FEATURES_CACHE
    held: dict[str, int] = {}
    stored: dict = {}
    table = None
    if path.exists():
        try:
            table = pq.read_table(path)
            meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
            if all(meta.get(k) == v for k, v in params.items()):  # else: other options
                stored = {
                    "key": table.column("digest").to_pylist(),
                    "long": table.column("long").to_numpy(),
                    "size": table.column("size").to_numpy(),
                    "sig": _signatures(table.column("sig"), num_perm),
                    "lead": _signatures(table.column("lead"), LEAD_PERM),
                }
                held = {k: r for r, k in enumerate(table.column("key").to_pylist())}
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as exc:
            logger.warning("%s unreadable (%s); computing again", path.name, exc)
            held, stored, table = {}, {}, None
    todo = [i for i, k in enumerate(keys) if k not in held]
    fresh = _features([texts[i] for i in todo], [titles[i] for i in todo], **options)
    n = len(keys)
    out = {
        "key": [""] * n,
        "long": np.zeros(n, dtype=bool),
        "sig": np.zeros((n, num_perm), dtype=np.uint32),
        "lead": np.zeros((n, LEAD_PERM), dtype=np.uint32),
        "size": np.zeros(n, dtype=np.int64),
    }
    kept = np.array([i for i, k in enumerate(keys) if k in held], dtype=np.int64)
    if len(kept):
        src = np.array([held[keys[i]] for i in kept.tolist()], dtype=np.int64)
        for i, r in zip(kept.tolist(), src.tolist()):
            out["key"][i] = stored["key"][r]
        out["long"][kept] = stored["long"][src]
        out["size"][kept] = stored["size"][src]
        out["sig"][kept] = stored["sig"][src]
        out["lead"][kept] = stored["lead"][src]
    out["sets"] = {todo[j]: x for j, x in fresh["sets"].items()}
    if todo:
        at = np.asarray(todo, dtype=np.int64)
        for j, i in enumerate(todo):
            out["key"][i] = fresh["key"][j]
        out["long"][at] = fresh["long"]
        out["size"][at] = fresh["size"]
        out["sig"][at] = fresh["sig"]
        out["lead"][at] = fresh["lead"]
    # entries of articles not in this call stay unless pruning; an edited one's go
    ids_now = set(ids)
    others = [] if prune else [r for k, r in held.items() if k.rsplit(":", 1)[0] not in ids_now]
    dropped = len(held) - len(set(keys) & held.keys()) - len(others)
    if todo or dropped:
        # the current articles (one entry per key), then the others kept
        seen: dict[str, int] = {}
        for i, k in enumerate(keys):
            seen.setdefault(k, i)
        rows = np.fromiter(seen.values(), dtype=np.int64, count=len(seen))
        new = pa.table(
            {
                "key": pa.array([keys[i] for i in rows.tolist()], pa.string()),
                "digest": pa.array([out["key"][i] for i in rows.tolist()], pa.string()),
                "long": pa.array(out["long"][rows]),
                "size": pa.array(out["size"][rows]),
                "sig": _binary(out["sig"][rows]),
                "lead": _binary(out["lead"][rows]),
            }
        )
        if others and table is not None:
            kept = table.select(new.column_names).take(pa.array(others, pa.int64()))
            new = pa.concat_tables([new, kept.cast(new.schema)])
        new = new.replace_schema_metadata(params)
        try:
            write_parquet(new, path)
        except (OSError, pa.ArrowException) as exc:
            logger.warning("duplicate features not kept in %s (%s)", folder, exc)
    logger.debug("story grouping: %d articles, %d read again", n, len(todo))
    return out


def _signatures(column, width: int) -> np.ndarray:
    """Signatures kept as fixed-size binary values, back as a (rows, width) uint32 array."""
    import pyarrow as pa

    col = column.combine_chunks()
    if col.type != pa.binary(4 * width):
        raise ValueError(f"signature column of type {col.type}")
    raw = np.frombuffer(col.buffers()[1], dtype=np.uint32)
    return raw[col.offset * width : (col.offset + len(col)) * width].reshape(-1, width)


def _binary(sig: np.ndarray):
    """A (rows, width) uint32 array as one fixed-size binary value per row."""
    import pyarrow as pa

    data = np.ascontiguousarray(sig).tobytes()
    return pa.Array.from_buffers(pa.binary(4 * sig.shape[1]), len(sig), [None, pa.py_buffer(data)])


def _group(
    texts,
    days,
    features,
    *,
    threshold,
    num_perm,
    shingle_size,
    containment,
    max_days,
):
    """Return (root row of each row's story, number of exact copies)."""
    n = len(texts)
    uf = _UnionFind(n)
    # 1. exact keys; rows with the same key share one representative
    first_of: dict[str, int] = {}
    long_rows: list[int] = []
    n_keyed = 0
    is_long = features["long"]
    for i, key in enumerate(features["key"]):
        if not key:
            continue
        n_keyed += 1
        j = first_of.setdefault(key, i)
        if j != i:
            uf.union(j, i)
        elif is_long[i]:
            long_rows.append(i)
    n_exact = n_keyed - len(first_of)
    if len(long_rows) < 2:
        return uf.roots(), n_exact

    # 2. near duplicates among the distinct long bodies: MinHash + LSH for
    # candidates, then the exact shingle overlap of each candidate pair decides
    rows = np.asarray(long_rows)
    sig = features["sig"][rows]
    sizes = features["size"][rows]
    # the index misses many pairs right at its own threshold, so it is asked for more
    lsh_threshold = min(threshold, 0.3) if containment is not None else 0.75 * threshold
    pairs = _candidate_pairs(sig, lsh_threshold, num_perm)
    pairs = pairs[_plausible(pairs, sig, sizes, threshold, containment)]
    # trimmed copies: bodies long enough to be contained that open alike (lead index)
    via_lead = np.zeros(len(pairs), dtype=bool)
    if containment is not None:
        pairs, via_lead = _with_lead_pairs(pairs, features["lead"][rows], sizes)
    if max_days is not None:
        # compare the date spans of the exact groups the two bodies stand for
        span = (
            pd.DataFrame({"root": uf.roots(), "day": days})
            .groupby("root")["day"]
            .agg(["min", "max"])
        )
        lo, hi = span["min"].reindex(rows).to_numpy(), span["max"].reindex(rows).to_numpy()
        a, b = pairs[:, 0], pairs[:, 1]
        gap = np.maximum(lo[b] - hi[a], lo[a] - hi[b])
        near = ~(gap > max_days)  # unknown dates (NaN) never block a pair
        pairs, via_lead = pairs[near], via_lead[near]
    # shingle sets only of the bodies in a candidate pair
    shingler = Shingler(shingle_size)
    sets: dict[int, np.ndarray] = {}

    known = features.get("sets", {})

    def shingles(k: int) -> np.ndarray:
        got = sets.get(k)
        if got is None:
            got = known.get(long_rows[k])
            if got is None:
                got = shingler(normalize_text(texts[long_rows[k]]).split())
            sets[k] = got
        return got

    leads: dict[int, np.ndarray] = {}

    def opening(k: int) -> np.ndarray:
        got = leads.get(k)
        if got is None:
            got = leads[k] = lead_shingles(normalize_text(texts[long_rows[k]]), shingler)
        return got

    def opens_alike(short: int, other: int) -> bool:
        la, lb = opening(short), opening(other)
        return len(np.intersect1d(la, lb, assume_unique=True)) >= LEAD_MATCH * len(la)

    for (a, b), lead_pair in zip(pairs.tolist(), via_lead.tolist()):
        sa, sb = shingles(a), shingles(b)
        shared = len(np.intersect1d(sa, sb, assume_unique=True))
        small, large = sorted((len(sa), len(sb)))
        same = shared / (small + large - shared) >= threshold or (
            containment is not None
            and shared / small >= containment
            and (
                small >= MIN_CONTAINMENT_RATIO * large
                or (lead_pair and opens_alike(*((a, b) if len(sa) <= len(sb) else (b, a))))
            )
        )
        if same:
            uf.union(long_rows[a], long_rows[b])
    return uf.roots(), n_exact


def _with_lead_pairs(pairs: np.ndarray, lead: np.ndarray, sizes: np.ndarray):
    """
    Add the candidate pairs of the lead index to ``pairs``; say which pairs it found.

    Only bodies of at least ``MIN_CONTAINED_SHINGLES`` shingles enter the index,
    so every pair it gives may be joined as a trimmed copy.
    """
    big = np.flatnonzero(sizes >= MIN_CONTAINED_SHINGLES)
    if len(big) < 2:
        return pairs, np.zeros(len(pairs), dtype=bool)
    found = big[_candidate_pairs(lead[big], LEAD_LSH_THRESHOLD, LEAD_PERM)]
    m = len(sizes)
    codes = np.concatenate([pairs[:, 0] * m + pairs[:, 1], found[:, 0] * m + found[:, 1]])
    unique, inverse = np.unique(codes, return_inverse=True)
    via_lead = np.zeros(len(unique), dtype=bool)
    via_lead[inverse[len(pairs) :]] = True
    return np.stack([unique // m, unique % m], axis=1), via_lead


def _plausible(pairs, sig, sizes, threshold, containment) -> np.ndarray:
    """Mask of candidate pairs whose MinHash estimate is near enough to be checked exactly."""
    keep = np.zeros(len(pairs), dtype=bool)
    margin = 0.2  # several standard errors of a 128-permutation estimate
    for s in range(0, len(pairs), 50000):
        p = pairs[s : s + 50000]
        jac = (sig[p[:, 0]] == sig[p[:, 1]]).mean(axis=1)
        ok = jac >= threshold - margin
        if containment is not None:
            a, b = sizes[p[:, 0]].astype(float), sizes[p[:, 1]].astype(float)
            small, large = np.minimum(a, b), np.maximum(a, b)
            shared = jac * (a + b) / (1.0 + jac)
            ok |= (small >= (MIN_CONTAINMENT_RATIO - 0.1) * large) & (
                shared / small >= containment - margin
            )
        keep[s : s + 50000] = ok
    return keep


def _check(name: str, value: float, lo: float, hi: float) -> None:
    if not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise ParameterError(f"{name} must be a number in [{lo}, {hi}], got {value!r}")


def find_duplicates(
    articles: pd.DataFrame,
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    shingle_size: int = 4,
    containment: float | None = 0.85,
    min_words: int = 50,
    max_days: float | None = 7,
    progress: bool | None = None,
    cache_dir: str | os.PathLike | None = None,
    cache_prune: bool = False,
) -> pd.DataFrame:
    """
    Group exact and near-duplicate copies of each story and flag wire syndication.

    Parameters
    ----------
    articles : DataFrame
        Articles table with at least a ``text`` column; ``article_id``, ``outlet``,
        ``title``, ``url``, ``published`` and ``wire`` are used when present.
    threshold : float, default 0.8
        Estimated Jaccard similarity of word shingles from which two bodies are
        copies of one story.
    num_perm : int, default 128
        MinHash signature length (more is more precise and slower).
    shingle_size : int, default 4
        Words per shingle.
    containment : float or None, default 0.85
        Also join two bodies when this share of the shorter one's shingles
        occurs in the longer one (a trimmed copy): when the longer is at most
        twice as long, or when both open alike and the shorter has at least
        ``MIN_CONTAINED_SHINGLES`` (100) shingles. None turns it off.
    min_words : int, default 50
        Bodies with fewer words are matched exactly only (title and body), never
        by similarity; empty bodies only match rows of the same outlet, URL and title.
    max_days : float or None, default 7
        Near-duplicates must be published within this many days of each other
        (when both dates are known), so that a templated item repeated on many
        days ("The Federal Reserve entered the market to arrange ...") is not one
        story. None lifts the limit. Exact copies are grouped whatever the dates.
    progress : bool or None, default None
        Show a progress bar; None shows one on a terminal for large tables.
    cache_dir : path-like or None, default None
        Folder (the corpus folder) where each article's exact-match key, MinHash
        signature and shingle count are kept in ``duplicates_cache.parquet``, so
        that a later call only reads the articles that are new or changed. The
        result is the same with or without it.
    cache_prune : bool, default False
        With ``cache_dir``, keep features only for the rows of ``articles`` (the
        whole corpus: ingest prunes so). By default the features of articles not
        in ``articles`` stay, so that a call on a selection loses nothing; those of
        an edited article are replaced either way.

    Returns
    -------
    DataFrame
        A copy of ``articles`` with ``story_id`` (string), ``is_duplicate`` and
        ``syndicated`` (boolean), and ``wire`` filled where it was missing and an
        agency was detected.

    Raises
    ------
    SchemaError
        If ``articles`` has no ``text`` column.
    ParameterError
        If a parameter is out of range.

    Examples
    --------
    >>> body = "Russian and Ukrainian negotiators met in Istanbul on Tuesday " * 8
    >>> df = pd.DataFrame({"outlet": ["AP", "Daily Mail", "BBC"],
    ...                    "text": [body, "By Jo Bloggs. " + body, "A grain deal was signed."],
    ...                    "published": pd.to_datetime(["2022-03-29"] * 3, utc=True)})
    >>> out = find_duplicates(df)
    >>> out[["outlet", "is_duplicate", "syndicated", "wire"]]
           outlet  is_duplicate  syndicated  wire
    0          AP         False       False    AP
    1  Daily Mail          True        True    AP
    2         BBC         False       False  <NA>
    >>> out["story_id"].nunique()
    2
    """
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError("<table>", f"expected a pandas DataFrame, got {type(articles).__name__}")
    if "text" not in articles.columns:
        raise SchemaError("text", "missing: find_duplicates compares article bodies")
    _check("threshold", threshold, 0.0, 1.0)
    if containment is not None:
        _check("containment", containment, 0.0, 1.0)
    if not isinstance(num_perm, int) or num_perm < 16:
        raise ParameterError(f"num_perm must be an integer >= 16, got {num_perm!r}")
    if not isinstance(shingle_size, int) or shingle_size < 1:
        raise ParameterError(f"shingle_size must be a positive integer, got {shingle_size!r}")
    if not isinstance(min_words, int) or min_words < shingle_size:
        raise ParameterError(f"min_words must be an integer >= shingle_size, got {min_words!r}")
    if max_days is not None and not (isinstance(max_days, (int, float)) and max_days >= 0):
        raise ParameterError(f"max_days must be a non-negative number or None, got {max_days!r}")

    n = len(articles)
    out = articles.copy()
    col = _column_getter(articles)
    texts, titles, outlets, urls = col("text"), col("title"), col("outlet"), col("url")
    ids = _ids(articles, outlets, urls, titles, texts)

    published = _published(articles)
    days = (published - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds().to_numpy() / 86400
    options = dict(
        min_words=min_words, shingle_size=shingle_size, num_perm=num_perm, progress=progress
    )
    if cache_dir is not None and str(cache_dir).strip():
        features = _cached_features(
            texts, titles, ids, Path(cache_dir), prune=cache_prune, **options
        )
    else:
        features = _features(texts, titles, **options)
    features = _with_listing_keys(features, outlets, urls, titles)
    roots, n_exact = _group(
        texts,
        days,
        features,
        max_days=max_days,
        threshold=threshold,
        num_perm=num_perm,
        shingle_size=shingle_size,
        containment=containment,
    )

    # 3-4. canonical copy, wire and syndication per story
    local = local_agencies(outlets)

    def agency(name: object) -> str | None:
        if not isinstance(name, str):
            return None
        return wire_name(name) or local.get(_squash(name))

    given_wire = [agency(w) for w in col("wire")]
    detected = [detect_wire(t, u) or _local_opening(t, local) for t, u in zip(texts, urls)]
    row_wire = [g or d for g, d in zip(given_wire, detected)]
    # an agency's own copy: outlet is the agency and the URL is not another site's wire page
    outlet_wire = [
        None if isinstance(u, str) and _URL_WIRE.search(u) else agency(o)
        for o, u in zip(outlets, urls)
    ]

    story = pd.DataFrame({"root": roots, "pos": np.arange(n), "published": published})
    story["credit"] = pd.Series([ow or rw for ow, rw in zip(outlet_wire, row_wire)], dtype=object)
    story["wire"] = story["root"].map(_most_common_per(story["root"], story["credit"]))
    story["tier"] = np.where(
        [ow is not None and ow == gw for ow, gw in zip(outlet_wire, story["wire"])],
        0,
        np.where([rw is not None and rw == gw for rw, gw in zip(row_wire, story["wire"])], 1, 2),
    )
    order = story.sort_values(
        ["root", "tier", "published", "pos"], na_position="last", kind="stable"
    )
    canonical = order.drop_duplicates("root").set_index("root")["pos"]
    canon_pos = story["root"].map(canonical).to_numpy(dtype=np.int64, na_value=-1)
    story_ids = np.asarray(ids, dtype=object)[canon_pos]

    is_dup = canon_pos != np.arange(n)
    wire_col = story["wire"].to_numpy(dtype=object)
    syndicated = np.array(
        [w is not None and not pd.isna(w) and ow != w for w, ow in zip(wire_col, outlet_wire)],
        dtype=bool,
    )
    existing = out["wire"] if "wire" in out.columns else pd.Series(pd.NA, index=out.index)
    fill = [
        g if not pd.isna(g) else (w if not pd.isna(w) else pd.NA)
        for g, w in zip(existing.tolist(), wire_col)
    ]
    out = out.assign(
        story_id=pd.array(story_ids, dtype="string"),
        is_duplicate=pd.array(is_dup, dtype="boolean"),
        syndicated=pd.array(syndicated, dtype="boolean"),
        wire=pd.array(fill, dtype="string"),
    )
    logger.info(
        "%d articles: %d stories (%d exact and %d near-duplicate copies), %d syndicated",
        n,
        len(canonical),
        n_exact,
        int(is_dup.sum()) - n_exact,
        int(syndicated.sum()),
    )
    return out


def dedupe(articles: pd.DataFrame, **options) -> pd.DataFrame:
    """
    Keep one row per story: the canonical copy.

    Uses the ``story_id``/``is_duplicate`` columns when the table already has them
    (a stored corpus); otherwise runs :func:`find_duplicates` with ``options``.

    Examples
    --------
    >>> body = "Ukraine said it was hoping for a ceasefire at talks in Istanbul " * 6
    >>> df = pd.DataFrame({"outlet": ["A", "B"], "text": [body, body]})
    >>> len(dedupe(df))
    1
    """
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError("<table>", f"expected a pandas DataFrame, got {type(articles).__name__}")
    have = "is_duplicate" in articles.columns and articles["is_duplicate"].notna().all()
    table = articles if have and not options else find_duplicates(articles, **options)
    kept = table[~table["is_duplicate"].astype(bool).to_numpy()]
    logger.info("dedupe: kept %d of %d rows (one per story)", len(kept), len(table))
    return kept


# --------------------------------------------------------------------------- small parts


def _column_getter(df: pd.DataFrame):
    def get(name: str) -> list:
        if name not in df.columns:
            return [None] * len(df)
        return [None if pd.isna(v) else v for v in df[name].tolist()]

    return get


def _ids(df: pd.DataFrame, outlets, urls, titles, texts) -> list[str]:
    given = df["article_id"].tolist() if "article_id" in df.columns else [None] * len(df)
    ids = [
        str(g) if isinstance(g, str) and g else _article_id(o or "", u or "", ti or "", te or "")
        for g, o, u, ti, te in zip(given, outlets, urls, titles, texts)
    ]
    seen: dict[str, int] = {}
    for i, x in enumerate(ids):
        count = seen.get(x, 0)
        seen[x] = count + 1
        if count:  # identical rows still get distinct story ids when nothing groups them
            ids[i] = f"{x}-{count}"
    return ids


def _published(df: pd.DataFrame) -> pd.Series:
    if "published" not in df.columns:
        return pd.Series(pd.NaT, index=range(len(df)), dtype="datetime64[ns, UTC]")
    return pd.to_datetime(df["published"], utc=True, errors="coerce").reset_index(drop=True)


def _most_common_per(groups: pd.Series, values: pd.Series) -> pd.Series:
    """Most frequent non-null value per group; ties go to the value that sorts first."""
    pairs = pd.DataFrame({"g": groups, "v": values}).dropna()
    if pairs.empty:
        return pd.Series(dtype=object)
    counts = pairs.value_counts().rename("n").reset_index()
    best = counts.sort_values(["g", "n", "v"], ascending=[True, False, True], kind="stable")
    return best.drop_duplicates("g").set_index("g")["v"]


def _progress(items: Iterable, progress: bool | None, desc: str):
    import sys

    items = list(items)
    show = progress if progress is not None else (len(items) > 20000 and sys.stderr.isatty())
    if not show:
        return items
    return tqdm_class()(items, desc=desc, unit="doc")
