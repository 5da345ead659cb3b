"""The query index of a corpus: the positions of every token, one index per part file.

``ingest`` keeps, for each part file of ``articles.parquet``,
``<corpus>/query_index/<part>.npz`` (the ids of the part's articles and, for
each field a query can name: ``text``, ``title``, ``outlet``, ``section``, the
sorted tokens and their positions, :class:`analysis.corpus.search.Postings`,
as plain NumPy arrays) and ``<part>.json`` (the size and time of the part file
it was built from, written last). A part whose file changed is indexed again
and the index of a removed part is deleted, so a new ingest costs time for
the new parts only.

:func:`match_indexed` answers a query from the index when every part of the
corpus has a current index and the table's articles are all in it; otherwise
it says so (``None``) and the caller reads the texts.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.corpus.parts import ARTICLES
from analysis.corpus.search import Postings, evaluate, hits_frame, match_table, require_fields
from analysis.text.query import FIELDS, Node
from analysis.workers import progress

__all__ = [
    "INDEX",
    "update_index",
    "load_index",
    "match_indexed",
    "match_frame",
    "matching_ids",
    "index_size",
]

log = logging.getLogger(__name__)

#: The folder of the query index inside a corpus folder.
INDEX = "query_index"

#: Version of the index files; an index of another version is built again.
VERSION = 1


def _parts(corpus: Path) -> dict[str, Path]:
    """Part files of the corpus by index entry name."""
    path = corpus / ARTICLES
    if path.is_file():
        return {"articles": path}
    if not path.is_dir():
        return {}
    return {p.stem: p for p in sorted(path.glob("*.parquet"))}


def _stamp(part: Path) -> dict[str, int]:
    st = part.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "version": VERSION}


def _meta(root: Path, name: str) -> dict | None:
    try:
        return json.loads((root / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


#: What reading a damaged ``.npz`` raises (cut short, overwritten, other arrays).
DAMAGED = (OSError, ValueError, KeyError, IndexError, EOFError, zipfile.BadZipFile, zlib.error)


def _current(root: Path, name: str, part: Path) -> bool:
    """Whether the index of ``part`` was built from its current file and is whole on disk."""
    meta = _meta(root, name)
    if meta is None or any(meta.get(k) != v for k, v in _stamp(part).items()):
        return False
    try:
        size = (root / f"{name}.npz").stat().st_size
    except OSError:
        return False
    return meta.get("npz_size", size) == size  # a cut-short file is built again


def _write_atomic(path: Path, write) -> None:
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with open(tmp, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _build_entry(part: Path, root: Path, name: str) -> None:
    import pyarrow.parquet as pq

    stamp = _stamp(part)
    names = pq.ParquetFile(part).schema_arrow.names
    table = pq.read_table(part, columns=[c for c in ("article_id", *FIELDS) if c in names])
    arrays = {"ids": np.array([str(i) for i in table.column("article_id").to_pylist()], dtype=str)}
    for field in FIELDS:
        present = field in table.column_names
        texts = table.column(field).to_pylist() if present else [None] * table.num_rows
        arrays.update(Postings.build(texts).arrays(field))
    _write_atomic(root / f"{name}.npz", lambda fh: np.savez(fh, allow_pickle=False, **arrays))
    meta = {**stamp, "part": part.name, "articles": table.num_rows, "fields": list(FIELDS)}
    meta["npz_size"] = (root / f"{name}.npz").stat().st_size
    _write_atomic(root / f"{name}.json", lambda fh: fh.write(json.dumps(meta).encode("utf-8")))


def _build_entries(todo: list[tuple[str, Path]], root: Path) -> None:
    """Index parts, on every available core when there are several large ones (fork only)."""
    import multiprocessing as mp

    from analysis.workers import n_workers

    size = sum(part.stat().st_size for _, part in todo)
    workers = min(len(todo), n_workers(None, size)) if len(todo) > 1 else 1
    if workers > 1 and "fork" in mp.get_all_start_methods():
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            done = [pool.submit(_build_entry, part, root, name) for name, part in todo]
            for future in done:
                future.result()
        return
    for name, part in progress(todo, "query index"):
        _build_entry(part, root, name)


def update_index(corpus_dir: str | os.PathLike) -> dict[str, int]:
    """
    Bring the query index of a corpus up to date: index new or changed parts, drop removed ones.

    Called by :func:`analysis.ingest`. A folder that cannot be written means no
    index (queries then read the texts) and one warning.

    Returns
    -------
    dict
        ``{"built": n, "kept": n, "removed": n}`` part indexes.

    Examples
    --------
    >>> update_index("data/corpus")  # doctest: +SKIP
    {'built': 1, 'kept': 0, 'removed': 0}
    """
    corpus = Path(corpus_dir)
    root = corpus / INDEX
    parts = _parts(corpus)
    counts = {"built": 0, "kept": 0, "removed": 0}
    try:
        root.mkdir(exist_ok=True)
        todo = [(name, part) for name, part in parts.items() if not _current(root, name, part)]
        counts["kept"] = len(parts) - len(todo)
        _build_entries(todo, root)
        counts["built"] = len(todo)
        for entry in root.iterdir():
            if entry.name.startswith(".") or Path(entry.name).stem not in parts:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
                counts["removed"] += entry.suffix == ".npz"
    except OSError as exc:
        log.warning("%s: the query index cannot be written (%s); queries read the texts", root, exc)
    log.info("query index of %s: %s", corpus, counts)
    return counts


#: Parts loaded before, by entry folder, with the stamp they were loaded at.
_LOADED: dict[str, tuple[dict, Any]] = {}


def load_index(
    corpus_dir: str | os.PathLike,
) -> list[tuple[np.ndarray, dict[str, Postings]]] | None:
    """
    Return ``(ids, {field: Postings})`` for every part of a corpus, or None when any part has no current index.

    Examples
    --------
    >>> load_index("no/such/corpus") is None
    True
    """
    corpus = Path(corpus_dir)
    parts = _parts(corpus)
    if not parts:
        return None
    out = []
    root = corpus / INDEX
    for name, part in parts.items():
        try:
            meta = _meta(root, name)
            stamp = _stamp(part)
        except OSError:
            return None
        if meta is None or any(meta.get(k) != v for k, v in stamp.items()):
            log.info("%s: no current query index; reading the texts", part)
            return None
        key = str((root / name).resolve())
        known = _LOADED.get(key)
        if known is None or known[0] != meta:
            try:
                known = (meta, _read_entry(root, name, meta))
            except DAMAGED as exc:  # cut short, garbage, a zip member failing its CRC, or not fitting
                known = _rebuilt(root, name, part, exc)
                if known is None:
                    return None
            _LOADED[key] = known
        out.append(known[1])
    return out


def _whole(p: Postings) -> bool:
    """Whether the arrays of stored postings agree in length."""
    ends = (p.offs[-1] if len(p.offs) else 0, p.ptr[-1] if len(p.ptr) else 0)
    return len(p.ptr) == len(p.offs) >= 1 and ends == (len(p.blob), len(p.keys))


def _read_entry(root: Path, name: str, meta: dict) -> tuple[np.ndarray, dict[str, Postings]]:
    """The ids and postings of one part's index, as its files hold them."""
    n = int(meta["articles"])
    with np.load(root / f"{name}.npz", allow_pickle=False) as stored:
        arrays = dict(stored)  # each member's CRC is checked as it is read
    if len(arrays["ids"]) != n:
        raise ValueError(f"{len(arrays['ids'])} ids where {n} were indexed")
    postings = {f: Postings.from_arrays(arrays, f, n) for f in meta["fields"]}
    if not all(map(_whole, postings.values())):
        raise ValueError("postings arrays of the wrong length")
    return arrays["ids"], postings


#: Index entries found damaged in this process (each is named once).
_DAMAGED: set[str] = set()


def _rebuilt(root: Path, name: str, part: Path, exc: Exception) -> tuple | None:
    """Index a part again after its entry was found damaged; None when that cannot be done."""
    path = root / f"{name}.npz"
    if str(path) not in _DAMAGED:
        _DAMAGED.add(str(path))
        log.warning("%s: damaged query index (%s); indexing the part again", path, exc)
    try:
        (root / f"{name}.json").unlink(missing_ok=True)  # stale until rebuilt, even if that fails
        _build_entry(part, root, name)
        meta = _meta(root, name)
        entry = meta, _read_entry(root, name, meta)
        _DAMAGED.discard(str(path))  # whole again: a later damage is named again
        return entry
    except Exception as again:  # a read-only or full folder: queries read the texts
        log.info("%s: query index not rebuilt (%s); reading the texts", path, again)
        return None


def index_size(corpus_dir: str | os.PathLike) -> int:
    """Bytes the query index of a corpus takes on disk."""
    root = Path(corpus_dir) / INDEX
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def match_indexed(table_ids: Any, node: Node, corpus_dir: Any) -> pd.DataFrame | None:
    """
    Answer a parsed query from a corpus's index for the articles ``table_ids`` (a table's ``article_id``).

    Returns ``[article_id, hits]`` of the matching rows in the table's order,
    or None when the index cannot answer (no current index, or articles that
    are not in it).
    """
    index = load_index(corpus_dir)
    if index is None:
        return None
    all_ids, all_hits = [], []
    for ids, postings in index:
        all_ids.append(ids)
        all_hits.append(evaluate(node, postings, len(ids)))
    ids = np.concatenate(all_ids) if all_ids else np.empty(0, dtype=str)
    hits = np.concatenate(all_hits) if all_hits else np.empty(0, dtype=np.int64)
    table_ids = np.asarray(table_ids, dtype=object)
    known = pd.Index(ids)
    if not known.is_unique:
        keep = ~known.duplicated()
        known, hits = known[keep], hits[keep]
    at = known.get_indexer(table_ids)
    if (at < 0).any():
        log.info("the table holds articles that are not in the index of %s", corpus_dir)
        return None
    return hits_frame(pd.Series(table_ids), hits[at])


def matching_ids(node: Node, corpus_dir: Any) -> np.ndarray | None:
    """The ids of every article of a corpus that a parsed query matches, or None without a current index."""
    index = load_index(corpus_dir)
    if index is None:
        return None
    found = [ids[evaluate(node, postings, len(ids)) >= 0] for ids, postings in index]
    return np.concatenate(found).astype(object) if found else np.empty(0, dtype=object)


def match_frame(articles: pd.DataFrame, node: Node, corpus_dir: Any = None) -> pd.DataFrame:
    """
    Match a parsed query against a pandas table: from the index of ``corpus_dir`` when it can answer, else by reading the texts.

    Returns ``[article_id, hits]`` of the matching rows, in row order; a table
    without a column the query reads is refused (:func:`require_fields`), even
    when the index could answer, so that both ways give the same answer.
    """
    require_fields(node, articles.columns)
    if corpus_dir and "article_id" in articles.columns:
        ids = articles["article_id"].astype(str).to_numpy(dtype=object)
        found = match_indexed(ids, node, corpus_dir)
        if found is not None:
            return found
    return match_table(articles, node)
