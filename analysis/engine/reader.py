"""The corpus store read as a partitioned Dask table, lazily, one part file per partition."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.corpus.parts import ARTICLES, DUPLICATES, articles_path, part_files
from analysis.errors import ParameterError

if TYPE_CHECKING:  # dask is imported lazily: ``import analysis`` stays cheap
    import dask.dataframe as dd

log = logging.getLogger(__name__)


def open_dask_corpus(
    corpus_dir: str | os.PathLike,
    *,
    npartitions: int | None = None,
    columns: Sequence[str] | None = None,
    story_fields: bool = True,
) -> dd.DataFrame:
    """
    Open a corpus store as a partitioned Dask DataFrame, read lazily.

    Parameters
    ----------
    corpus_dir : path
        Corpus folder holding ``articles.parquet`` (a single file or a folder of
        part files), or that Parquet file or folder itself.
    npartitions : int or None, default None
        Repartition to this many partitions (row order kept); ``None`` keeps
        one partition per part file (or per group of row groups of a big file).
    columns : sequence of str or None, default None
        Read only these columns (an analysis that needs no text reads no text).
    story_fields : bool, default True
        Attach the story fields of ``duplicates.parquet`` (``story_id``,
        ``is_duplicate``, ``syndicated``, ``wire``) when the corpus has them.

    Returns
    -------
    dask.dataframe.DataFrame
        The canonical articles table, rows in the same order as the pandas
        engine's ``open_corpus``.

    Raises
    ------
    InputError
        When the folder holds no corpus.
    ParameterError
        When ``npartitions`` is not a positive integer.

    Examples
    --------
    >>> ddf = open_dask_corpus("data/corpus")  # doctest: +SKIP
    >>> ddf.npartitions, len(ddf)  # doctest: +SKIP
    """
    import dask.dataframe as dd
    import pyarrow.parquet as pq

    path = articles_path(corpus_dir)
    if npartitions is not None and (not isinstance(npartitions, int) or npartitions < 1):
        raise ParameterError(f"npartitions must be a positive integer, got {npartitions!r}")
    files = part_files(path) if path.is_dir() else [path]
    # part files written from different sources may lack optional columns: the union,
    # in order of first appearance, is what the pandas engine's concatenation gives
    union: list[str] = []
    for file in files:
        union.extend(c for c in pq.read_schema(file).names if c not in union)
    derived_file = path.parent / DUPLICATES
    use_derived = (
        story_fields and path.name == ARTICLES and derived_file.is_file() and "article_id" in union
    )
    finish = dict(
        union=union,
        derived=str(derived_file) if use_derived else None,
        select=list(columns) if columns else None,
    )
    meta = _read_part(files[0], empty=True, **finish)
    ddf = dd.from_map(
        _read_part, [str(f) for f in files], meta=meta, enforce_metadata=False, **finish
    )
    if npartitions is not None and npartitions != ddf.npartitions:
        ddf = ddf.repartition(npartitions=npartitions)
    log.debug("opened %s as %d partitions", path, ddf.npartitions)
    return ddf


def _read_part(
    file: str | Path,
    *,
    union: list[str],
    derived: str | None,
    select: list[str] | None,
    empty: bool = False,
) -> pd.DataFrame:
    """Read one part file as the pandas engine reads a corpus: all columns, story fields, schema."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from analysis.schema import conform

    schema = pq.read_schema(file)
    if select:
        union = [c for c in union if c in select or (c == "article_id" and derived)]
    names = [c for c in union if c in schema.names]
    table = (schema.empty_table() if empty else pq.read_table(file, columns=names)).select(names)
    part = table.to_pandas()
    for col in union:
        if col not in part.columns:
            part[col] = pd.Series(None, index=part.index, dtype=object)
    part = part[union]
    if derived is not None:
        ids = table.column("article_id")
        if len(ids):
            found = pq.read_table(derived, filters=pc.is_in(pc.field("article_id"), ids))
        else:
            found = pq.read_schema(derived).empty_table()
        story = found.to_pandas()
        keep = [c for c in story.columns if c != "article_id"]
        base = part.drop(columns=[c for c in keep if c in part.columns and c != "wire"])
        part = base.merge(story, on="article_id", how="left", suffixes=("", "_derived"))
        if "wire_derived" in part:
            extra = part.pop("wire_derived")
            part["wire"] = part["wire"].fillna(extra)
    part = conform(part)
    return part[[c for c in select if c in part.columns]] if select else part
