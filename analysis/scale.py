"""Run the analyses on Dask: a partitioned corpus, memory-bounded, local or on a cluster.

A corpus store keeps its articles in ``articles.parquet``: one file, or a folder of
part files written in bounded chunks by :func:`write_partitioned`. With
``engine="dask"`` the corpus opens as a :class:`dask.dataframe.DataFrame` whose
partitions are read lazily, and the functions of this module run each analysis
partition by partition and combine the pieces. Their results equal the pandas
engine's exactly: every per-article computation is the pandas helper itself, run
on one partition, and every combination step adds counts that are additive
(term counts, document frequencies, word totals) before the pandas helper's own
finishing step (rates, ranking, statistics) runs on the combined table.

The cluster is local by default (:func:`get_client` starts a
``dask.distributed.LocalCluster`` sized to the machine); pass a scheduler address,
or set ``MCA_DASK_SCHEDULER``, to use an existing cluster instead.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from .errors import InputError, ParameterError

if TYPE_CHECKING:  # dask is imported lazily: ``import analysis`` stays cheap
    import dask.dataframe as dd
    from distributed import Client

log = logging.getLogger(__name__)

#: Environment variable naming the scheduler of an existing cluster (``tcp://host:8786``).
SCHEDULER_ENV = "MCA_DASK_SCHEDULER"
#: Rows per part file when a corpus is written in chunks.
ROWS_PER_FILE = 50_000
#: Name of the articles table inside a corpus folder (a file or a folder of parts).
ARTICLES = "articles.parquet"

Engine = Literal["pandas", "dask"]


# ---------------------------------------------------------------------------
# Cluster
# ---------------------------------------------------------------------------


def get_client(
    scheduler: str | None = None,
    *,
    n_workers: int | None = None,
    threads_per_worker: int = 1,
    processes: bool = True,
    memory_limit: str | int | None = "auto",
    dashboard_address: str | None = None,
) -> Client:
    """
    Return a Dask client: an existing cluster when one is named, else a local one.

    Parameters
    ----------
    scheduler : str or None, default None
        Address of a running scheduler (``tcp://10.0.0.5:8786``). When ``None``,
        the environment variable ``MCA_DASK_SCHEDULER`` is used if set; otherwise
        the client already active in this process is reused, or a new
        ``LocalCluster`` is started.
    n_workers : int or None, default None
        Workers of a new local cluster; ``None`` gives one per CPU available to
        this process (cgroup and affinity limits respected).
    threads_per_worker : int, default 1
        Threads per local worker. The text analyses hold the GIL, so processes
        rather than threads give parallelism.
    processes : bool, default True
        Local workers as processes; ``False`` runs them as threads of this process
        (quick to start, for small corpora and tests).
    memory_limit : str, int or None, default "auto"
        Memory per local worker; ``"auto"`` splits the machine's memory evenly.
        A worker spills to disk at 60% and pauses at 80% of it.
    dashboard_address : str or None, default None
        Where a local cluster serves its diagnostic dashboard (``":8787"``);
        ``None`` serves none.

    Returns
    -------
    distributed.Client
        Also made the default client, so ``.compute()`` calls run on it.

    Raises
    ------
    ParameterError
        When the named scheduler cannot be reached.

    Examples
    --------
    >>> client = get_client(n_workers=1, processes=False)  # doctest: +SKIP
    >>> client.close()  # doctest: +SKIP
    """
    from distributed import Client
    from distributed import get_client as active_client

    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if address:
        try:
            client = Client(address, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise ParameterError(f"scheduler {address!r}: cannot connect ({exc})") from exc
        log.info("connected to Dask scheduler %s", address)
        return client
    try:
        client = active_client()
    except ValueError:
        pass
    else:
        log.debug("reusing the active Dask client %s", client)
        return client
    workers = n_workers or _cpu_count()
    if workers < 1 or threads_per_worker < 1:
        raise ParameterError("n_workers and threads_per_worker must be at least 1")
    client = Client(
        n_workers=workers,
        threads_per_worker=threads_per_worker,
        processes=processes,
        memory_limit=memory_limit,
        dashboard_address=dashboard_address,
    )
    log.info("started a local Dask cluster: %d workers x %d threads", workers, threads_per_worker)
    return client


def _cpu_count() -> int:
    from dask.system import CPU_COUNT

    return max(1, int(CPU_COUNT))


# ---------------------------------------------------------------------------
# Corpus on disk
# ---------------------------------------------------------------------------


def articles_path(corpus_dir: str | os.PathLike) -> Path:
    """
    Return the articles table of a corpus folder: ``articles.parquet``, a file or a folder.

    ``corpus_dir`` may also name the Parquet file or folder itself.

    Raises
    ------
    InputError
        When neither exists.
    """
    path = Path(corpus_dir)
    if (path / ARTICLES).exists():
        return path / ARTICLES
    if path.suffix == ".parquet" and path.exists():
        return path
    raise InputError(path, f"not a corpus folder: no {ARTICLES} inside (run `ingest` first)")


def _part_files(path: Path) -> list[Path]:
    """Part files of a Parquet dataset folder in name order (the row order of the corpus)."""
    files = sorted(
        p for p in path.rglob("*.parquet") if p.is_file() and not _hidden(p.relative_to(path))
    )
    if not files:
        raise InputError(path, "Parquet folder holds no part files")
    return files


def _hidden(rel: Path) -> bool:
    return any(part.startswith((".", "_")) for part in rel.parts)


def open_dask_corpus(
    corpus_dir: str | os.PathLike,
    *,
    npartitions: int | None = None,
    columns: Sequence[str] | None = None,
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

    path = articles_path(corpus_dir)
    if npartitions is not None and (not isinstance(npartitions, int) or npartitions < 1):
        raise ParameterError(f"npartitions must be a positive integer, got {npartitions!r}")
    source: Any = [str(p) for p in _part_files(path)] if path.is_dir() else str(path)
    ddf = dd.read_parquet(source, columns=list(columns) if columns else None)
    if npartitions is not None and npartitions != ddf.npartitions:
        ddf = ddf.repartition(npartitions=npartitions)
    log.debug("opened %s as %d partitions", path, ddf.npartitions)
    return ddf


def open_corpus_engine(
    corpus_dir: str | os.PathLike,
    engine: Engine = "pandas",
    *,
    scheduler: str | None = None,
    npartitions: int | None = None,
) -> pd.DataFrame | dd.DataFrame:
    """
    Open a corpus with the chosen engine: a pandas table, or a partitioned Dask one.

    With ``engine="dask"`` a client is made ready first (:func:`get_client`:
    ``scheduler``, else ``$MCA_DASK_SCHEDULER``, else a local cluster).

    Parameters
    ----------
    corpus_dir : path
        Corpus folder written by ``ingest``.
    engine : {"pandas", "dask"}, default "pandas"
        ``"pandas"`` reads the whole table into memory; ``"dask"`` reads it
        partition by partition when an analysis runs.
    scheduler : str or None, default None
        Dask scheduler address (dask engine only).
    npartitions : int or None, default None
        Partitions of the Dask table (dask engine only).

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame

    Raises
    ------
    ParameterError
        For an unknown engine.

    Examples
    --------
    >>> articles = open_corpus_engine("data/corpus", engine="dask")  # doctest: +SKIP
    """
    if engine == "pandas":
        from .store import open_corpus

        return open_corpus(corpus_dir)
    if engine == "dask":
        get_client(scheduler)
        return open_dask_corpus(corpus_dir, npartitions=npartitions)
    raise ParameterError(f"engine must be 'pandas' or 'dask', got {engine!r}")


def is_dask(obj: object) -> bool:
    """Return True for a Dask DataFrame (without importing dask when it is not loaded)."""
    import sys

    if "dask.dataframe" not in sys.modules:
        return False
    import dask.dataframe as dd

    return isinstance(obj, dd.DataFrame)


def write_partitioned(
    batches: Iterable[pd.DataFrame],
    path: str | os.PathLike,
    *,
    rows_per_file: int = ROWS_PER_FILE,
    append: bool = False,
) -> int:
    """
    Write tables as a folder of Parquet part files, holding at most one file's rows in memory.

    Rows keep their order: part files are named ``part-000000.parquet``,
    ``part-000001.parquet``... Every batch must have the columns and dtypes of
    the first (a canonical articles table, for a corpus). Without ``append`` the
    folder is replaced only once every part is written, so a failed run leaves
    the previous table intact.

    Parameters
    ----------
    batches : iterable of DataFrame
        Tables in row order, of any size (a generator reading files one by one).
    path : path
        The dataset folder to write (``<corpus>/articles.parquet``).
    rows_per_file : int, default 50_000
        Rows per part file; memory stays around one file's worth.
    append : bool, default False
        Add part files after the existing ones instead of replacing the folder.

    Returns
    -------
    int
        Rows written.

    Raises
    ------
    ParameterError
        For ``rows_per_file`` below 1, or a batch whose columns differ from the first.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "articles.parquet"
    >>> chunks = (pd.DataFrame({"n": range(i, i + 3)}) for i in (0, 3, 6))
    >>> write_partitioned(chunks, out, rows_per_file=4)
    9
    >>> sorted(p.name for p in out.iterdir())
    ['part-000000.parquet', 'part-000001.parquet', 'part-000002.parquet']
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not isinstance(rows_per_file, int) or rows_per_file < 1:
        raise ParameterError(f"rows_per_file must be a positive integer, got {rows_per_file!r}")
    target = Path(path)
    if append and target.is_file():
        raise InputError(target, "is a single Parquet file; cannot append part files to it")
    first = 0
    if append and target.is_dir():
        existing = sorted(target.glob("part-*.parquet"))
        first = int(existing[-1].stem.split("-")[1]) + 1 if existing else 0
        out_dir = target
    else:
        out_dir = target.parent / f".{target.name}.{uuid.uuid4().hex[:8]}.tmp"
    out_dir.mkdir(parents=True, exist_ok=True)
    schema: pa.Schema | None = None
    pending: list[pa.Table] = []
    n_pending = total = 0
    index = first
    written: list[Path] = []

    def flush(limit: int) -> None:
        nonlocal pending, n_pending, index
        while n_pending >= limit and n_pending > 0:
            table = pa.concat_tables(pending)
            head, rest = table.slice(0, rows_per_file), table.slice(rows_per_file)
            dest = out_dir / f"part-{index:06d}.parquet"
            pq.write_table(head, dest)
            written.append(dest)
            index += 1
            pending = [rest] if rest.num_rows else []
            n_pending = rest.num_rows

    try:
        for batch in batches:
            if not len(batch):
                continue
            table = pa.Table.from_pandas(batch, preserve_index=False)
            if schema is None:
                schema = table.schema
            elif table.schema.names != schema.names:
                raise ParameterError(
                    f"batch columns {table.schema.names} differ from the first batch's {schema.names}"
                )
            elif not table.schema.equals(schema, check_metadata=False):
                table = table.cast(schema)
            pending.append(table.replace_schema_metadata(schema.metadata))
            n_pending += table.num_rows
            total += table.num_rows
            flush(rows_per_file)
        flush(1)
    except BaseException:
        if out_dir == target:
            for dest in written:
                dest.unlink(missing_ok=True)
        else:
            shutil.rmtree(out_dir, ignore_errors=True)
        raise
    if out_dir != target:
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        out_dir.rename(target)
    log.info("wrote %d rows in %d part files to %s", total, len(written), target)
    return total


def iter_batches(
    corpus_dir: str | os.PathLike, *, rows: int = ROWS_PER_FILE
) -> Iterator[pd.DataFrame]:
    """
    Yield the articles table of a corpus in row order, ``rows`` rows at a time.

    Lets a pandas helper that works article by article stream through a corpus
    bigger than memory without a cluster.

    Examples
    --------
    >>> sum(len(b) for b in iter_batches("data/corpus"))  # doctest: +SKIP
    """
    import pyarrow.parquet as pq

    path = articles_path(corpus_dir)
    files = _part_files(path) if path.is_dir() else [path]
    for file in files:
        for batch in pq.ParquetFile(file).iter_batches(batch_size=rows):
            yield batch.to_pandas()


# ---------------------------------------------------------------------------
# Running a pandas helper partition by partition
# ---------------------------------------------------------------------------


def _partitions(ddf: dd.DataFrame) -> list:
    """One delayed pandas DataFrame per partition, in row order."""
    return list(ddf.to_delayed(optimize_graph=True))


def _tree_reduce(parts: list, combine: Callable[[list], Any], *, split_every: int = 8):
    """Combine delayed pieces ``split_every`` at a time until one is left (a delayed object)."""
    from dask import delayed

    if not parts:
        raise ParameterError("the corpus has no partitions")
    level = list(parts)
    while len(level) > 1:
        level = [
            delayed(combine, pure=True)(level[i : i + split_every])
            for i in range(0, len(level), split_every)
        ]
    return level[0]


def map_concat(
    ddf: dd.DataFrame, func: Callable[..., pd.DataFrame], /, **options: Any
) -> pd.DataFrame:
    """
    Run a pandas helper on every partition and concatenate the results in row order.

    Exact for any helper whose output for an article depends on that article
    alone (KWIC hits, quotes, sentence scores): the concatenation equals the
    helper run on the whole table, index renumbered from 0.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        Articles table.
    func : callable
        ``func(articles, **options) -> DataFrame``.
    **options
        Passed to ``func``.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> ddf = dd.from_pandas(pd.DataFrame({"n": range(5)}), npartitions=2)
    >>> map_concat(ddf, lambda df: df[df["n"] % 2 == 0])["n"].tolist()
    [0, 2, 4]
    """
    import dask
    from dask import delayed

    parts = [delayed(_call, pure=True)(func, part, options) for part in _partitions(ddf)]
    results = dask.compute(*parts)
    return _concat(list(results))


def _call(func: Callable[..., pd.DataFrame], part: pd.DataFrame, options: dict) -> pd.DataFrame:
    return func(part.reset_index(drop=True), **options)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if f is not None]
    if not frames:
        return pd.DataFrame()
    non_empty = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(non_empty, ignore_index=True)


def partition_key(part: pd.DataFrame, *parts: object) -> str:
    """
    Return a content key of a partition: its article ids plus any parameters.

    Used to name cached results, so an unchanged partition is not computed twice.

    Examples
    --------
    >>> partition_key(pd.DataFrame({"article_id": ["a", "b"]}), "vader")
    '455359d73062119d12fb941b'
    """
    h = hashlib.blake2b(digest_size=12)
    for value in part["article_id"].astype(str):
        h.update(value.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    for value in parts:
        h.update(b"\x1e" + repr(value).encode())
    return h.hexdigest()
