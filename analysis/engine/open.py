"""Opening a corpus with the chosen engine."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from analysis.corpus.store import read_corpus
from analysis.engine import Engine, remember_folder
from analysis.errors import InputError, ParameterError
from analysis.paths import (
    default_corpus_dir,
)

log = logging.getLogger(__name__)


#: Engines a report can run on (the ``engine`` parameter).
ENGINES = ("pandas", "dask")


def corpus_path(corpus: str | Path = "") -> Path:
    """Return the corpus folder for a ``corpus`` parameter; ``""`` means the bundled corpus."""
    return Path(corpus).expanduser() if str(corpus).strip() else default_corpus_dir()


def open_corpus(
    corpus_dir: str | os.PathLike = "",
    *,
    engine: Engine = "pandas",
    scheduler: str | None = None,
    npartitions: int | None = None,
    columns: Sequence[str] | None = None,
    ids: Iterable[str] | None = None,
) -> Any:
    """
    Open an ingested corpus as its articles table, in memory or partitioned.

    The one way to open a corpus. The table remembers its folder
    (``articles.attrs["corpus"]`` on pandas), where the measures that cache
    per article keep their caches.

    Parameters
    ----------
    corpus_dir : path, default ""
        Corpus folder written by ``python -m analysis ingest``; ``""`` opens the
        bundled corpus (``make ingest``).
    engine : {"pandas", "dask"}, default "pandas"
        ``"pandas"`` reads the whole table into memory; ``"dask"`` opens it as a
        partitioned Dask table read partition by partition when a measure runs,
        with a client made ready first (``scheduler``, else
        ``$MCA_DASK_SCHEDULER``, else the active client, else a local cluster).
        Every measure takes either table.
    scheduler : str or None, default None
        Dask scheduler address of an existing cluster (dask engine only).
    npartitions : int or None, default None
        Partitions of the Dask table (dask engine only); ``None`` keeps one per
        part file.
    columns : sequence of str or None, default None
        Read only these columns (dask engine only).
    ids : iterable of str or None, default None
        Only these articles (pandas engine only), read without holding the rest.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame

    Raises
    ------
    InputError
        When the folder holds no corpus.
    ParameterError
        For an unknown engine, an option the engine does not take, or a
        scheduler that cannot be reached.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.corpus.store import ingest
    >>> from analysis.paths import repo_path
    >>> d = tempfile.mkdtemp()
    >>> _ = ingest([repo_path("seeds")], d)
    >>> open_corpus(d).loc[0, "outlet"]
    'CNA'
    """
    check_engine(engine)
    path = corpus_path(corpus_dir)
    if not path.is_dir() and not (path.suffix == ".parquet" and path.exists()):
        raise InputError(
            path, "no corpus here; build one with `python -m analysis ingest INPUT... --corpus DIR`"
        )
    if engine == "dask":
        if ids is not None:
            raise ParameterError("open_corpus: ids= needs the pandas engine")
        from analysis.engine.dask import get_client
        from analysis.engine.reader import open_dask_corpus

        get_client(str(scheduler or "").strip() or None)
        opened = open_dask_corpus(path, npartitions=npartitions, columns=columns)
        return remember_folder(opened, path if path.is_dir() else path.parent)
    if npartitions is not None or columns is not None or scheduler:
        raise ParameterError(
            "open_corpus: npartitions=, columns= and scheduler= need engine='dask'"
        )
    return read_corpus(path, ids=ids)


def load_corpus(corpus: str | Path = "", *, engine: str = "pandas", scheduler: str = "") -> Any:
    """Open a corpus: the former name of :func:`open_corpus` (deprecated)."""
    warnings.warn(
        "load_corpus is deprecated; use analysis.open_corpus(corpus, engine=..., scheduler=...)",
        DeprecationWarning,
        stacklevel=2,
    )
    return open_corpus(corpus, engine=engine, scheduler=scheduler or None)


def open_corpus_engine(
    corpus_dir: str | os.PathLike,
    engine: Engine = "pandas",
    *,
    scheduler: str | None = None,
    npartitions: int | None = None,
) -> Any:
    """Open a corpus with an engine: the former name of :func:`open_corpus` (deprecated)."""
    warnings.warn(
        "open_corpus_engine is deprecated; use analysis.open_corpus(corpus_dir, engine=...)",
        DeprecationWarning,
        stacklevel=2,
    )
    return open_corpus(corpus_dir, engine=engine, scheduler=scheduler, npartitions=npartitions)


def check_engine(engine: str) -> str:
    """Return ``engine`` when it names an engine, else raise :class:`ParameterError`."""
    if engine not in ENGINES:
        raise ParameterError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    return engine
