"""Validations kept with a corpus: tables from :func:`analysis.validate_measure`, by name.

A validation is saved as ``<corpus>/validation/<name>.parquet`` (written
atomically), with the time it was saved in the file's metadata, so that a report
on the corpus can cite the latest one (:func:`load_validation` without a name).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd

from analysis.errors import InputError, ParameterError
from analysis.paths import SAFE_NAME, default_corpus_dir, replace_atomically

__all__ = ["save_validation", "load_validation", "validations", "VALIDATION_FOLDER"]

#: Folder of a corpus that holds its validations.
VALIDATION_FOLDER = "validation"
_META_KEY = b"analysis.validation"
_NEEDED = ("measure", "value")


def _folder(corpus_dir: str | os.PathLike) -> Path:
    """The corpus's validation folder; ``""`` names the bundled corpus, as in ``open_corpus``."""
    corpus = Path(corpus_dir).expanduser() if str(corpus_dir).strip() else default_corpus_dir()
    return corpus / VALIDATION_FOLDER


def save_validation(
    table: pd.DataFrame, corpus_dir: str | os.PathLike, name: str, *, note: str = ""
) -> Path:
    """
    Save a validation table with a corpus, under a name.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`analysis.validate_measure`.
    corpus_dir : path-like
        The corpus folder (made if missing); ``""`` is the bundled corpus.
    name : str
        Letters, digits, ``.``, ``-``, ``_`` (e.g. ``"vader-newsmtsc"``); saving
        again under a name replaces that validation.
    note : str, optional
        What was validated against what, kept with the table (``attrs["note"]``
        when loaded).

    Returns
    -------
    Path
        The file written.
    """
    if not isinstance(name, str) or not SAFE_NAME.fullmatch(name):
        raise ParameterError(
            f"name={name!r}: use letters, digits, '.', '-' or '_' (at most 100, no leading dot)"
        )
    if not isinstance(table, pd.DataFrame) or any(c not in table.columns for c in _NEEDED):
        raise ParameterError("table: expected the table of validate_measure (measure, value, ...)")
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = _folder(corpus_dir)
    folder.mkdir(parents=True, exist_ok=True)
    saved = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    meta = dict(arrow.schema.metadata or {})
    meta[_META_KEY] = json.dumps({"name": name, "saved": saved, "note": note}).encode()
    arrow = arrow.replace_schema_metadata(meta)
    target = folder / f"{name}.parquet"
    replace_atomically(target, lambda tmp: pq.write_table(arrow, tmp))
    return target


def _info(path: Path) -> dict:
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
        info = json.loads(meta[_META_KEY])
    except Exception as exc:  # damaged file or one not written here
        raise InputError(path, f"not a saved validation ({exc})") from None
    return {"name": path.stem, "saved": info.get("saved", ""), "note": info.get("note", "")}


def validations(corpus_dir: str | os.PathLike) -> pd.DataFrame:
    """
    List the validations saved with a corpus, the latest first.

    Returns
    -------
    DataFrame
        ``name, saved, note, path``; empty when there are none. Damaged files
        are left out.
    """
    folder = _folder(corpus_dir)
    rows = []
    for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
        try:
            rows.append({**_info(path), "path": str(path)})
        except InputError:
            continue
    out = pd.DataFrame(rows, columns=["name", "saved", "note", "path"])
    return out.sort_values("saved", ascending=False, kind="stable").reset_index(drop=True)


def load_validation(corpus_dir: str | os.PathLike, name: str | None = None) -> pd.DataFrame | None:
    """
    Load a validation saved with a corpus: by name, or the latest one.

    Parameters
    ----------
    corpus_dir : path-like
        The corpus folder; ``""`` is the bundled corpus.
    name : str, optional
        The name it was saved under; ``None`` loads the latest saved.

    Returns
    -------
    DataFrame or None
        The table, with ``attrs`` ``name``, ``saved`` (UTC, ISO 8601) and
        ``note``; ``None`` when no name is given and the corpus has no validation.

    Raises
    ------
    InputError
        The named validation does not exist or cannot be read.
    """
    folder = _folder(corpus_dir)
    if name is None:
        listed = validations(corpus_dir)
        if not len(listed):
            return None
        path = Path(listed["path"].iloc[0])
    else:
        path = folder / f"{name}.parquet"
        if not path.is_file():
            known = validations(corpus_dir)["name"].tolist()
            raise InputError(path, f"no validation named {name!r} (saved: {known})")
    info = _info(path)
    table = pd.read_parquet(path)
    table.attrs.update(name=info["name"], saved=info["saved"], note=info["note"])
    return table
