"""The files of a fitted topic model in the corpus folder: plain JSON, NPZ and Parquet, never pickle.

``<corpus>/topics/`` holds ``model.json`` (method, options, vocabulary, labels),
``arrays.npz`` (the topic x term matrix and the idf weights) and one Parquet
file per table (the topics' terms, representative articles and article
topics). Every file is written atomically; the model file last, so a folder
with a ``model.json`` is complete.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError, ParameterError
from analysis.paths import SAFE_NAME, replace_atomically, write_parquet, write_text

#: Sub-folder of the corpus folder that holds the model.
TOPICS_FOLDER = "topics"

#: Version of the file layout, checked when a model is read.
FORMAT = 1


def check_topic_name(name: str) -> str:
    """Return ``name`` when it is one safe folder name, never a path; else raise ParameterError."""
    if not isinstance(name, str) or not SAFE_NAME.fullmatch(name) or name in {".", ".."}:
        raise ParameterError(
            f"topic model name {name!r}: use letters, digits, '_', '-' and '.' (no path)"
        )
    return name


def topic_folder(folder: str | Path, name: str = TOPICS_FOLDER) -> Path:
    """
    Return where a topic model of a corpus folder lives (``<folder>/<name>``, by default
    ``<folder>/topics``); ``name`` is one safe folder name, never a path.
    """
    return Path(folder) / check_topic_name(name)


def write_topic_files(
    folder: str | Path,
    meta: dict,
    arrays: dict[str, np.ndarray],
    tables: dict[str, pd.DataFrame],
    *,
    name: str = TOPICS_FOLDER,
) -> Path:
    """Write a model's metadata, arrays and tables under ``<folder>/<name>``; return that folder."""
    out = topic_folder(folder, name)
    out.mkdir(parents=True, exist_ok=True)

    def write_npz(tmp: Path) -> None:
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        tmp.write_bytes(buffer.getvalue())

    replace_atomically(out / "arrays.npz", write_npz)
    for name, table in tables.items():
        write_parquet(table, out / f"{name}.parquet")
    write_text(json.dumps({"format": FORMAT, **meta}, ensure_ascii=False), out / "model.json")
    return out


def has_topic_files(folder: str | Path, name: str = TOPICS_FOLDER) -> bool:
    """Return whether ``folder`` holds a saved topic model under ``name``."""
    return (topic_folder(folder, name) / "model.json").is_file()


def read_topic_files(
    folder: str | Path, tables: list[str], *, name: str = TOPICS_FOLDER
) -> tuple[dict, dict[str, np.ndarray], dict[str, pd.DataFrame]]:
    """Read what :func:`write_topic_files` wrote; a missing or damaged file is named in the error."""
    where = topic_folder(folder, name)
    model = where / "model.json"
    if not model.is_file():
        raise InputError(
            model, "no topic model saved here (fit one with analysis.topics and .save)"
        )
    try:
        meta = json.loads(model.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(model, f"cannot read the topic model: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise InputError(model, f"not a topic model of format {FORMAT}")
    try:
        with np.load(where / "arrays.npz", allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError) as exc:
        raise InputError(where / "arrays.npz", f"cannot read the topic arrays: {exc}") from None
    frames = {}
    for name in tables:
        path = where / f"{name}.parquet"
        try:
            frames[name] = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several kinds for a damaged file
            raise InputError(path, f"cannot read this table of the topic model: {exc}") from None
    return meta, arrays, frames
