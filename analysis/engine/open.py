"""Opening a corpus with the chosen engine."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd

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


def load_corpus(corpus: str | Path = "", *, engine: str = "pandas", scheduler: str = "") -> Any:
    """
    Open a corpus folder (see ``python -m analysis ingest``) and return its articles table.

    Parameters
    ----------
    corpus : str or Path, default ""
        Corpus folder holding ``articles.parquet``; ``""`` uses the bundled corpus
        (``analysis.paths.default_corpus_dir()``, built by ``make ingest``).
    engine : {"pandas", "dask"}, default "pandas"
        ``"pandas"`` reads the table into memory; ``"dask"`` opens it as a
        partitioned Dask table read partition by partition (see ``analysis.engine.dask``).
        The helpers a notebook calls as ``analysis.<name>`` take either.
    scheduler : str, default ""
        Dask scheduler address of an existing cluster (dask engine only); ``""``
        uses ``$MCA_DASK_SCHEDULER`` when set, else a local cluster.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame

    Raises
    ------
    InputError
        When the folder holds no corpus.
    ParameterError
        For an unknown engine, or a scheduler that cannot be reached.
    """
    from analysis import open_corpus

    check_engine(engine)
    path = corpus_path(corpus)
    if not path.is_dir():
        raise InputError(
            path, "no corpus here; build one with `python -m analysis ingest INPUT... --corpus DIR`"
        )
    if engine == "dask":
        from analysis.engine.dask import open_corpus_engine

        return open_corpus_engine(path, "dask", scheduler=str(scheduler).strip() or None)
    opened = open_corpus(path)
    articles = opened if isinstance(opened, pd.DataFrame) else getattr(opened, "articles", None)
    if callable(articles):
        articles = articles()
    if not isinstance(articles, pd.DataFrame):
        raise InputError(path, f"open_corpus returned {type(opened).__name__}, not a table")
    return articles


def check_engine(engine: str) -> str:
    """Return ``engine`` when it names an engine, else raise :class:`ParameterError`."""
    if engine not in ENGINES:
        raise ParameterError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    return engine


