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
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.corpus.parts import ARTICLES, DUPLICATES, articles_path, part_files
from analysis.engine import Plan
from analysis.errors import AnalysisError, ParameterError

if TYPE_CHECKING:  # dask is imported lazily: ``import analysis`` stays cheap
    import dask.dataframe as dd
    from distributed import Client

log = logging.getLogger(__name__)

#: Environment variable naming the scheduler of an existing cluster (``tcp://host:8786``).
SCHEDULER_ENV = "MCA_DASK_SCHEDULER"



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
            client = Client(address)  # waits distributed.comm.timeouts.connect
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


# ---------------------------------------------------------------------------
# Running a pandas helper partition by partition
# ---------------------------------------------------------------------------


def partitions(ddf: dd.DataFrame) -> list:
    """One delayed pandas DataFrame per partition, in row order."""
    return list(ddf.to_delayed(optimize_graph=True))


def tree_reduce(parts: list, combine: Callable[[list], Any], *, split_every: int = 8):
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

    parts = [delayed(call_on_part, pure=True)(func, part, options) for part in partitions(ddf)]
    results = dask.compute(*parts)
    return _concat(list(results))


def call_on_part(func: Callable[..., pd.DataFrame], part: pd.DataFrame, options: dict) -> pd.DataFrame:
    return func(part.reset_index(drop=True), **options)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if f is not None]
    if not frames:
        return pd.DataFrame()
    non_empty = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(non_empty, ignore_index=True)


# ---------------------------------------------------------------------------
# Duplicates: MinHash per partition, LSH bands across partitions, stories in bundles

# ---------------------------------------------------------------------------
# Plans on partitions
# ---------------------------------------------------------------------------

#: Rows of Dask tables already counted, by expression name: a selection knows its
#: size without reading the corpus again.
ROW_COUNTS: dict[str, int] = {}


def row_count(articles: dd.DataFrame) -> int:
    """
    Return the number of rows of a Dask table (known at once for a selection).

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> row_count(dd.from_pandas(pd.DataFrame({"n": range(5)}), npartitions=2))
    5
    """
    known = ROW_COUNTS.get(getattr(articles, "_name", None))
    return int(len(articles)) if known is None else known


def present(table: Any, names: Iterable[str | None]) -> list[str]:
    """The names that are columns of ``table``, each once, in order (``None`` skipped)."""
    return [c for c in dict.fromkeys(n for n in names if n) if c in table.columns]


def run_plan(plan: Plan, ddf: dd.DataFrame) -> Any:
    """
    Carry out a :class:`~analysis.engine.Plan` on the partitions of a Dask table.

    The step runs on every partition (index renumbered from 0); the pieces are
    combined in a tree with the plan's ``combine``, or concatenated in partition
    order when it has none; then the plan's ``finish`` runs once.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> from analysis.corpus.parts import ARTICLES, DUPLICATES, articles_path, part_files
from analysis.engine import Plan
    >>> ddf = dd.from_pandas(pd.DataFrame({"n": range(5)}), npartitions=2)
    >>> run_plan(Plan(step=lambda t: int(t["n"].sum()), combine=sum), ddf)
    10
    """
    table = ddf
    if plan.stories and "is_duplicate" not in table.columns:
        from analysis.engine.stories import find_duplicates

        table = find_duplicates(table)
    if plan.columns is not None:
        table = table[present(table, plan.columns)]
    if plan.combine is None:
        piece = map_concat(table, plan.step)
    else:
        piece = fold(table, plan.step, plan.combine)
    return piece if plan.finish is None else plan.finish(piece)


def collect(table: dd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """
    Compute a few columns of a Dask table as one pandas table, rows in order.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> ddf = dd.from_pandas(pd.DataFrame({"a": [1, 2, 3], "b": list("xyz")}), npartitions=2)
    >>> collect(ddf, ["a"])["a"].tolist()
    [1, 2, 3]
    """
    return map_concat(table[list(dict.fromkeys(columns))], _identity)


def _identity(part: pd.DataFrame) -> pd.DataFrame:
    return part


def fold(
    table: dd.DataFrame,
    step: Callable[..., Any],
    combine: Callable[[list], Any],
    /,
    **options: Any,
) -> Any:
    """``step(part, **options)`` on every partition, folded with ``combine`` (a list -> one piece)."""
    from dask import delayed

    parts = [delayed(call_on_part, pure=True)(step, p, options) for p in partitions(table)]
    return tree_reduce(parts, combine).compute()


def map_rows(
    ddf: dd.DataFrame,
    func: Callable[..., pd.DataFrame],
    /,
    *,
    cache: str | None = None,
    cache_dir: str | os.PathLike | None = None,
    meta_options: dict | None = None,
    **options: Any,
) -> dd.DataFrame:
    """
    Run a per-article pandas helper lazily on every partition (see :func:`analysis.engine.each_partition`).

    The result's columns and types are those of the helper run on a one-row
    sample (with ``meta_options`` added to its options). With ``cache``, each
    partition's helper gets its own folder under ``<cache_dir>/dask_cache/<cache>/``.
    """
    sample = ddf._meta_nonempty.iloc[:1].reset_index(drop=True)
    sample_options = {**options, **({"cache_dir": None} if cache else {}), **(meta_options or {})}
    meta = func(sample, **sample_options).iloc[:0]
    return ddf.map_partitions(
        _apply, func, options, cache, cache_dir, meta, meta=meta, align_dataframes=False
    )


def _apply(
    part: pd.DataFrame,
    func: Callable[..., pd.DataFrame],
    options: dict,
    cache: str | None,
    cache_dir: str | os.PathLike | None,
    empty: pd.DataFrame,
) -> pd.DataFrame:
    if not len(part):  # an empty partition (a filter left nothing) gives an empty result
        return empty
    part = part.reset_index(drop=True)
    if cache is not None:
        options = {**options, "cache_dir": partition_cache(cache_dir, part, cache)}
    return func(part, **options)


def partition_cache(
    cache_dir: str | os.PathLike | None, part: pd.DataFrame, kind: str
) -> Path | None:
    """Cache folder of one partition, named after its first article (stable when others change)."""
    if cache_dir is None or not str(cache_dir).strip() or not len(part):
        return None
    if not Path(cache_dir).is_dir():
        return None
    first = str(part["article_id"].iloc[0])
    name = hashlib.blake2b(first.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    folder = Path(cache_dir) / "dask_cache" / kind / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def with_articles(
    table: Any, articles: Any, func: Callable[..., Any], columns: Sequence[str], /, *args: Any
) -> Any:
    """
    ``func(rows, articles, *args)`` where the rows or the articles (or both) are Dask tables.

    Rows made from the articles partition by partition (sentence scores,
    quotes) are matched partition by partition, lazily; a pandas table of rows
    gets the ``columns`` of its own articles only.
    """
    import dask.dataframe as dd

    from analysis.engine import is_dask

    lookup = articles[list(columns)]
    if not is_dask(table):
        ids = frozenset(table["article_id"].tolist())
        return func(table, map_concat(lookup, _with_ids, ids=ids), *args)
    if not is_dask(articles):
        meta = func(table._meta, articles.iloc[:0], *args)
        return table.map_partitions(func, lookup, *args, meta=meta)
    if table.npartitions != articles.npartitions:
        raise ParameterError(
            "the table and the articles have different partitions; "
            "compute the table from these articles"
        )
    meta = func(table._meta, articles._meta, *args)
    return dd.map_partitions(
        _aligned, table, lookup, func, *args, meta=meta, align_dataframes=False
    )


def _aligned(table: pd.DataFrame, articles: pd.DataFrame, func: Callable, *args: Any):
    found = table["article_id"].isin(articles["article_id"])
    if not found.all():
        raise AnalysisError(
            "a partition of the table holds articles of another partition; "
            "compute the table from the articles it is matched with"
        )
    return func(table, articles, *args)


def _with_ids(part: pd.DataFrame, ids: frozenset) -> pd.DataFrame:
    return part[part["article_id"].isin(ids).to_numpy()]
