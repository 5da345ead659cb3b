"""Story groups across the partitions of a Dask table: MinHash per partition, LSH bands across them, stories found in bundles."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.corpus.duplicates import find_duplicates as pandas_find_duplicates
from analysis.corpus.parts import articles_path
from analysis.engine import either
from analysis.engine.partitions import partitions
from analysis.engine.reader import open_dask_corpus
from analysis.errors import ParameterError

if TYPE_CHECKING:
    import dask.dataframe as dd

log = logging.getLogger(__name__)


#: Columns ``find_duplicates`` reads.
_DUP_COLUMNS = ("article_id", "outlet", "title", "text", "url", "published", "wire")


#: Standard deviations of the MinHash estimate kept below the smallest similarity
#: at which two bodies can be joined; a pair the pandas engine joins is pruned
#: with a probability under 1e-12.
_PRUNE_SIGMAS = 7.0


def _dup_params(options: dict) -> dict:
    import inspect

    from analysis.corpus import duplicates as dup

    sig = inspect.signature(dup.find_duplicates)
    unknown = set(options) - set(sig.parameters)
    if unknown:
        raise ParameterError(f"find_duplicates has no option(s) {sorted(unknown)}")
    params = {
        name: p.default
        for name, p in sig.parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    params.update(options)
    params.pop("progress", None)
    return params


def _lsh_bands(params: dict) -> list[tuple[int, int]]:
    """The band ranges of the index ``find_duplicates`` builds with these options."""
    from datasketch import MinHashLSH

    t, c = params["threshold"], params["containment"]
    lsh_threshold = min(t, 0.3) if c is not None else 0.75 * t
    return list(MinHashLSH(threshold=lsh_threshold, num_perm=params["num_perm"]).hashranges)


def _lead_bands(params: dict) -> list[tuple[int, int]]:
    """The band ranges of the lead index ``find_duplicates`` builds (none without containment)."""
    from datasketch import MinHashLSH

    from analysis.corpus import duplicates as dup

    if params["containment"] is None:
        return []
    return list(MinHashLSH(threshold=dup.LEAD_LSH_THRESHOLD, num_perm=dup.LEAD_PERM).hashranges)


def _prune_below(params: dict) -> float:
    """Estimated Jaccard under which a candidate pair cannot be one the pandas engine joins."""
    from analysis.corpus import duplicates as dup

    t, c = params["threshold"], params["containment"]
    lowest = t
    if c is not None:
        ratio = float(dup.MIN_CONTAINMENT_RATIO)
        # shared >= c * small and small >= ratio * large  =>  J >= c*ratio / (1 + ratio - c*ratio)
        lowest = min(t, c * ratio / (1 + ratio - c * ratio)) if ratio > 0 else 0.0
    if lowest <= 0:
        return 0.0
    sd = (lowest * (1 - lowest) / params["num_perm"]) ** 0.5
    return max(0.0, lowest - _PRUNE_SIGMAS * sd)


def _band_hashes(sig: Any, bands: list[tuple[int, int]]) -> Any:
    """One 64-bit hash per signature and band (a collision only adds candidates, then checked)."""
    import numpy as np

    mult = np.random.default_rng(20_26).integers(
        1, 2**63, size=sig.shape[1], dtype=np.uint64
    ) | np.uint64(1)
    out = np.empty((len(sig), len(bands)), dtype=np.uint64)
    wide = sig.astype(np.uint64)
    with np.errstate(over="ignore"):
        for b, (lo, hi) in enumerate(bands):
            out[:, b] = (wide[:, lo:hi] * mult[lo:hi]).sum(axis=1, dtype=np.uint64)
    return out


def _key64(norm: str) -> int:
    """A 64-bit hash of an exact-match form."""
    return int.from_bytes(
        hashlib.blake2b(norm.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
    )


def _dup_sketch(
    part: pd.DataFrame,
    params: dict,
    bands: list[tuple[int, int]],
    sig_file: str,
    lead_bands: list[tuple[int, int]] = (),
) -> dict:
    """Exact keys, long-body flags and LSH band hashes (whole body, lead) of one partition; signatures to disk."""
    import numpy as np

    from analysis.corpus import duplicates as dup

    texts = part["text"].tolist()
    n = len(texts)
    keys = np.zeros(n, dtype=np.uint64)
    has_key = np.zeros(n, dtype=bool)
    long_rows: list[int] = []
    words: list[list[str]] = []
    seen: set[int] = set()
    listing = [part[c].tolist() if c in part else [None] * n for c in ("outlet", "url", "title")]
    for i, text in enumerate(texts):
        norm = dup.normalize_text(text if isinstance(text, str) else None)
        if not norm:  # no body: one listing's copies share a key (outlet, URL, title)
            norm = dup.listing_key(*(column[i] for column in listing))
            if norm:
                keys[i], has_key[i] = _key64(norm), True
            continue
        key = _key64(norm)
        keys[i], has_key[i] = key, True
        split = norm.split()
        if len(split) >= params["min_words"] and key not in seen:
            seen.add(key)
            long_rows.append(i)
            words.append(split)
    shingler = dup.Shingler(params["shingle_size"])
    both = [shingler.with_lead(w, dup.LEAD_WORDS) for w in words]
    del words
    sets = [whole for whole, _ in both]
    sizes = np.fromiter((len(x) for x in sets), dtype=np.int64, count=len(sets))
    # the lead index holds the bodies long enough to be a trimmed copy
    big = np.flatnonzero(sizes >= dup.MIN_CONTAINED_SHINGLES) if lead_bands else sizes[:0]
    leads = [both[k][1] for k in big.tolist()]
    del both
    if sets:
        sig = dup.minhash_signatures(sets, num_perm=params["num_perm"])
    else:
        sig = np.empty((0, params["num_perm"]), dtype=np.uint32)
    np.save(sig_file, sig)
    if leads:
        lead_sig = dup.minhash_signatures(leads, num_perm=dup.LEAD_PERM)
    else:
        lead_sig = np.empty((0, dup.LEAD_PERM), dtype=np.uint32)
    return {
        "n": n,
        "keys": keys,
        "has_key": has_key,
        "long_pos": np.asarray(long_rows, dtype=np.int64),
        "bands": _band_hashes(sig, bands),
        "lead_pos": np.asarray(long_rows, dtype=np.int64)[big],
        "lead_bands": _band_hashes(lead_sig, list(lead_bands)),
        "sig_file": sig_file,
    }


def _dup_components(
    sketches: list[dict], cutoff: float, chain_above: int | None
) -> tuple[Any, list[int]]:
    """Union rows into bundles holding every story ``find_duplicates`` can form; rows per partition."""
    import numpy as np

    lengths = [s["n"] for s in sketches]
    n = sum(lengths)
    starts = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64)
    for s, start in zip(sketches, starts):  # positions in the whole table
        s["long_pos"] = s["long_pos"] + start
        s["lead_pos"] = s["lead_pos"] + start
        s["start"] = start
    parent = np.arange(n, dtype=np.int64)

    def roots(idx: np.ndarray) -> np.ndarray:
        r = parent[idx]
        while True:
            nxt = parent[r]
            if np.array_equal(nxt, r):
                return r
            r = nxt

    def union(a: int, b: int) -> None:
        ra, rb = int(roots(np.array([a]))[0]), int(roots(np.array([b]))[0])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    # exact: rows whose normalised bodies are equal
    pos = np.concatenate([np.flatnonzero(s["has_key"]) + s["start"] for s in sketches])
    keys = np.concatenate([s["keys"][s["has_key"]] for s in sketches])
    order = np.argsort(keys, kind="stable")
    keys, pos = keys[order], pos[order]
    same = np.flatnonzero(keys[1:] == keys[:-1])
    parent[pos[same + 1]] = pos[same]  # chains point to an earlier copy: roots stay minimal
    parent[:] = _flatten(parent)
    first_copy = parent.copy()  # each body's first row: the one the pandas engine compares

    # near: rows sharing an LSH band, kept when their MinHash estimate can pass
    long_pos = np.concatenate([s["long_pos"] for s in sketches])
    if len(long_pos) < 2:
        return parent, lengths
    # trimmed copies: bodies sharing a band of the lead index. The pandas engine
    # may join any two of them, so a bucket goes whole into one bundle.
    lead_pos = np.concatenate([s["lead_pos"] for s in sketches])
    for b in range(sketches[0]["lead_bands"].shape[1]):
        h = np.concatenate([s["lead_bands"][:, b] for s in sketches])
        order = np.argsort(h, kind="stable")
        h = h[order]
        same = np.flatnonzero(h[1:] == h[:-1])
        for a, c in zip(lead_pos[order[same]].tolist(), lead_pos[order[same + 1]].tolist()):
            union(a, c)
        parent[:] = _flatten(parent)
    n_bands = sketches[0]["bands"].shape[1]
    sigs = [np.load(s["sig_file"], mmap_mode="r") for s in sketches]
    where = np.concatenate([np.full(len(s["long_pos"]), k) for k, s in enumerate(sketches)])
    offset = np.concatenate([np.arange(len(s["long_pos"])) for s in sketches])
    is_first = first_copy[long_pos] == long_pos

    def signature(row: int) -> np.ndarray:
        return np.asarray(sigs[where[row]][offset[row]])

    def check(a: int, b: int, sa: np.ndarray, sb: np.ndarray) -> None:
        if (sa == sb).mean() >= cutoff:
            union(int(long_pos[a]), int(long_pos[b]))

    for b in range(n_bands):
        h = np.concatenate([s["bands"][:, b] for s in sketches])
        order = np.argsort(h, kind="stable")
        h = h[order]
        starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
        sizes = np.diff(np.r_[starts, len(h)])
        multi = starts[sizes > 1]
        if not len(multi):
            continue
        multi_sizes = sizes[sizes > 1]
        members = np.concatenate([order[s : s + m] for s, m in zip(multi, multi_sizes)])
        r = roots(long_pos[members])
        bounds = np.r_[0, np.cumsum(multi_sizes)[:-1]]
        mixed = np.minimum.reduceat(r, bounds) != np.maximum.reduceat(r, bounds)
        for k in np.flatnonzero(mixed):
            rows = members[bounds[k] : bounds[k] + multi_sizes[k]]
            # one row per distinct body, in table order: the pandas engine's bucket
            rows = np.sort(rows[is_first[rows]])
            if len(rows) < 2:
                continue
            sig_rows = np.stack([signature(x) for x in rows])
            if chain_above is not None and len(rows) > chain_above:
                # a crowded bucket: the pandas engine compares neighbours only
                for i in range(1, len(rows)):
                    if np.ptp(roots(long_pos[rows[i - 1 : i + 1]])):
                        check(rows[i - 1], rows[i], sig_rows[i - 1], sig_rows[i])
                continue
            for i in range(1, len(rows)):
                ri = int(roots(long_pos[rows[i : i + 1]])[0])
                others = roots(long_pos[rows[:i]])
                todo = np.flatnonzero(others != ri)
                if not len(todo):
                    continue
                est = (sig_rows[todo] == sig_rows[i]).mean(axis=1)
                passing = todo[est >= cutoff]
                # one union per story met: joining one of its rows joins them all
                _, first = np.unique(others[passing], return_index=True)
                for j in passing[first]:
                    union(int(long_pos[rows[i]]), int(long_pos[rows[j]]))
        parent[:] = _flatten(parent)
    return _flatten(parent), lengths


def _flatten(parent: Any) -> Any:
    import numpy as np

    r = parent.copy()
    while True:
        nxt = r[r]
        if np.array_equal(nxt, r):
            return r
        r = nxt


def _bundle_rows(
    part: pd.DataFrame, start: int, bundle: Any, size: Any, *, single: bool
) -> pd.DataFrame:
    """Rows of one partition alone in their bundle (``single``) or sharing it, with positions."""
    import numpy as np

    keep = (size == 1) if single else (size > 1)
    out = part.reset_index(drop=True)[keep]
    return out.assign(_pos=np.flatnonzero(keep) + start, _bundle=bundle[keep])


def _stories(part: pd.DataFrame, params: dict, *, single: bool) -> pd.DataFrame:
    """Run the pandas ``find_duplicates`` on whole bundles; return positions and the new columns."""
    from analysis.corpus.duplicates import find_duplicates as pandas_find

    cols = ["story_id", "is_duplicate", "syndicated", "wire"]
    if not len(part):
        types = {"story_id": "string", "is_duplicate": "boolean", "syndicated": "boolean"}
        empty = pd.DataFrame(
            {
                **{c: pd.Series(dtype=t) for c, t in types.items()},
                "wire": pd.Series(dtype="string"),
                "_pos": pd.Series(dtype="int64"),
            }
        )
        return empty.assign(article_id=part["article_id"]) if "article_id" in part else empty
    part = part.sort_values("_pos", kind="stable").reset_index(drop=True)
    options = dict(params)
    if single:
        # Alone in its bundle, a row joins nothing: matching on title and body only
        # gives it the same story fields without building a MinHash index.
        options["min_words"] = 2**31
    found = pandas_find(part.drop(columns=["_pos", "_bundle"]), **options)
    out = found[cols].assign(_pos=part["_pos"].to_numpy())
    return out.assign(article_id=part["article_id"].array) if "article_id" in part else out


def _attach(part: pd.DataFrame, derived: pd.DataFrame) -> pd.DataFrame:
    values = {c: derived[c].to_numpy() for c in derived.columns if c != "_pos"}
    values = {c: pd.array(v, dtype=derived[c].dtype) for c, v in values.items()}
    return part.assign(**{c: pd.Series(v, index=part.index) for c, v in values.items()})


def _story_fields(
    articles: dd.DataFrame, *, scratch_dir: str | os.PathLike | None = None, **options: Any
) -> tuple[pd.DataFrame, pd.DataFrame, list[int], list[int]]:
    """Story fields of every row in table order (with ``_pos``), the output meta, partition extents."""
    import tempfile

    import dask
    import dask.dataframe as dd
    import numpy as np
    from dask import delayed

    from analysis.corpus import duplicates as dup
    from analysis.errors import SchemaError

    if "text" not in articles.columns:
        raise SchemaError("text", "missing: find_duplicates compares article bodies")
    params = _dup_params(options)
    # one made-up row checks the options and gives the output's columns and dtypes
    meta = dup.find_duplicates(articles._meta_nonempty.iloc[:1], **params).iloc[:0]
    cols = [c for c in _DUP_COLUMNS if c in articles.columns]
    sub = articles[cols]
    parts = partitions(sub)
    bands = _lsh_bands(params)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=scratch_dir, prefix="mca-minhash-") as tmp:
        lead_bands = _lead_bands(params)
        sketches = [
            delayed(_dup_sketch, pure=False)(
                p, params, bands, str(Path(tmp) / f"sig-{k:06d}.npy"), lead_bands
            )
            for k, p in enumerate(parts)
        ]
        chain_above = dup.MAX_BUCKET_PAIRS
        roots, lengths = delayed(_dup_components)(
            sketches, _prune_below(params), chain_above
        ).compute()
    starts = np.r_[0, np.cumsum(lengths)[:-1]].astype(int).tolist()
    size = np.bincount(roots, minlength=len(roots))[roots]
    log.info(
        "duplicates: %d rows in %d bundles (%d rows share one) in %.1f s",
        len(roots),
        int((np.bincount(roots) > 0).sum()),
        int((size > 1).sum()),
        time.perf_counter() - t0,
    )
    pieces = []
    for p, s, n in zip(parts, starts, lengths):
        rows = delayed(_bundle_rows)(p, s, roots[s : s + n], size[s : s + n], single=True)
        pieces.append(delayed(_stories)(rows, params, single=True))
    shared_meta = sub._meta.assign(_pos=np.int64(0), _bundle=np.int64(0)).iloc[:0]
    shared = dd.from_delayed(
        [
            delayed(_bundle_rows)(p, s, roots[s : s + n], size[s : s + n], single=False)
            for p, s, n in zip(parts, starts, lengths)
        ],
        meta=shared_meta,
        verify_meta=False,
    )
    story_meta = meta[["story_id", "is_duplicate", "syndicated", "wire"]].assign(_pos=np.int64(0))
    if "article_id" in sub.columns:
        story_meta = story_meta.assign(article_id=sub._meta["article_id"])
    if int((size > 1).sum()):
        grouped = shared.shuffle(on="_bundle", npartitions=max(1, len(parts)))
        pieces.extend(
            grouped.map_partitions(_stories, params, single=False, meta=story_meta).to_delayed()
        )
    derived = pd.concat(dask.compute(*pieces), ignore_index=True)
    derived = derived.sort_values("_pos", kind="stable").reset_index(drop=True)
    return derived, meta, starts, lengths


def dask_find_duplicates(
    articles: dd.DataFrame, *, scratch_dir: str | os.PathLike | None = None, **options: Any
) -> dd.DataFrame:
    """
    Group exact and near-duplicate copies of each story across all partitions.

    The result equals ``analysis.find_duplicates`` on the whole table (same
    options) with memory bounded by a partition:

    1. per partition: normalised-body keys, and MinHash signatures of the long
       bodies (written to ``scratch_dir``), cut into the LSH bands of the
       pandas engine's index;
    2. rows with equal keys, or sharing a band with a MinHash estimate that can
       reach the joining threshold, are united into bundles (work grows with the
       number of rows, not pairs of rows);
    3. each bundle holds whole stories, so the pandas ``find_duplicates`` runs on
       the bundles (rows alone in theirs stay in place; the others are shuffled
       together), and its story fields are attached to the rows.

    Parameters
    ----------
    articles : dask.dataframe.DataFrame
        Articles table with a ``text`` column and unique ``article_id`` values.
    scratch_dir : path or None, default None
        Where signatures are kept while the bands are compared; on a cluster of
        several machines, a folder every worker can read. ``None`` uses the
        system's temporary folder.
    **options
        Options of :func:`analysis.find_duplicates` (``threshold``, ``num_perm``,
        ``shingle_size``, ``containment``, ``min_words``, ``max_days``).

    Returns
    -------
    dask.dataframe.DataFrame
        ``articles`` with ``story_id``, ``is_duplicate``, ``syndicated`` and ``wire``.

    Raises
    ------
    SchemaError
        Without a ``text`` column.
    ParameterError
        For an unknown or out-of-range option.

    Examples
    --------
    >>> found = dask_find_duplicates(open_dask_corpus("data/corpus"))  # doctest: +SKIP
    >>> found["is_duplicate"].sum().compute()  # doctest: +SKIP
    """
    import dask
    import dask.dataframe as dd
    from dask import delayed

    derived, meta, starts, lengths = _story_fields(articles, scratch_dir=scratch_dir, **options)
    derived = derived.drop(columns=[c for c in ("article_id",) if c in derived.columns])
    out = [
        delayed(_attach)(p, derived.iloc[s : s + n])
        for p, s, n in zip(partitions(articles), starts, lengths)
    ]
    with dask.config.set({"dataframe.convert-string": False}):  # columns keep their types
        return dd.from_delayed(out, meta=meta, verify_meta=False)


def update_duplicates(
    corpus_dir: str | os.PathLike, *, scratch_dir: str | os.PathLike | None = None, **options: Any
) -> int:
    """
    Recompute the story groups of a corpus on the cluster and store them in ``duplicates.parquet``.

    The file is the one ``ingest`` writes with the pandas engine, with the same
    content, and is read by both engines' ``open_corpus``.

    Returns
    -------
    int
        Rows that are copies of another (``is_duplicate``).

    Examples
    --------
    >>> update_duplicates("data/corpus")  # doctest: +SKIP
    """
    from analysis.corpus.store import DERIVED_COLUMNS, write_stories

    path = articles_path(corpus_dir)
    ddf = open_dask_corpus(path, columns=list(_DUP_COLUMNS), story_fields=False)
    found, *_ = _story_fields(ddf, scratch_dir=scratch_dir, **options)
    table = found[["article_id", *[c for c in DERIVED_COLUMNS if c in found.columns]]]
    write_stories(table, path.parent)
    return int(table["is_duplicate"].sum())


def ingest(inputs: Any, corpus_dir: str | os.PathLike, **options: Any) -> Any:
    """
    Ingest input files with the store (streamed, bounded memory), then group stories on the cluster.

    Parameters
    ----------
    inputs, corpus_dir, **options
        As :func:`analysis.ingest`; its own duplicate pass is replaced by
        :func:`update_duplicates`.

    Returns
    -------
    IngestSummary
        The store's summary of the run.

    Examples
    --------
    >>> ingest(["data/raw/"], "data/corpus")  # doctest: +SKIP
    """
    from analysis.corpus.store import ingest as store_ingest

    options.pop("duplicates", None)
    summary = store_ingest(inputs, corpus_dir, duplicates=False, **options)
    if summary.articles_total:
        update_duplicates(corpus_dir)
    return summary


find_duplicates = either(pandas_find_duplicates, dask_find_duplicates)


def with_stories(ddf: dd.DataFrame) -> dd.DataFrame:
    """A Dask table with its story fields: as it is when it has them, else grouped across partitions."""
    return ddf if "is_duplicate" in ddf.columns else dask_find_duplicates(ddf)
