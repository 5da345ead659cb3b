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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.corpus.parts import ARTICLES
from analysis.corpus.search import Postings, evaluate, hits_frame
from analysis.text.query import FIELDS, Node

__all__ = ["INDEX", "update_index", "load_index", "match_indexed", "index_size"]

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


def _current(root: Path, name: str, part: Path) -> bool:
    meta = _meta(root, name)
    return meta is not None and all(meta.get(k) == v for k, v in _stamp(part).items())


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
    _write_atomic(root / f"{name}.json", lambda fh: fh.write(json.dumps(meta).encode("utf-8")))


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
        for name, part in parts.items():
            if _current(root, name, part):
                counts["kept"] += 1
                continue
            _build_entry(part, root, name)
            counts["built"] += 1
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
            n = int(meta["articles"])
            try:
                with np.load(root / f"{name}.npz", allow_pickle=False) as stored:
                    arrays = dict(stored)
            except (OSError, ValueError, KeyError):
                log.warning("%s: damaged query index; reading the texts", root / f"{name}.npz")
                return None
            postings = {f: Postings.from_arrays(arrays, f, n) for f in meta["fields"]}
            known = (meta, (arrays["ids"], postings))
            _LOADED[key] = known
        out.append(known[1])
    return out


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
