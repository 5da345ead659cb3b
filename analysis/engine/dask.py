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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.engine import Plan, is_dask
from analysis.engine.partitions import collect, fold, map_concat, present
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
# Plans on partitions
# ---------------------------------------------------------------------------


def run_plan(plan: Plan, ddf: dd.DataFrame) -> Any:
    """
    Carry out a :class:`~analysis.engine.Plan` on the partitions of a Dask table.

    The step runs on every partition (index renumbered from 0); the pieces are
    combined in a tree with the plan's ``combine``, or concatenated in partition
    order when it has none; then the plan's ``finish`` runs once.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> from analysis.engine import Plan, is_dask
    >>> ddf = dd.from_pandas(pd.DataFrame({"n": range(5)}), npartitions=2)
    >>> run_plan(Plan(step=lambda t: int(t["n"].sum()), combine=sum), ddf)
    10
    """
    table = _with_stories(ddf) if plan.stories else ddf
    if plan.columns is not None:
        table = table[present(table, plan.columns)]
    if plan.combine is None:
        piece = map_concat(table, plan.step)
    else:
        piece = fold(table, plan.step, plan.combine)
    return piece if plan.finish is None else plan.finish(piece)


def _with_stories(ddf: dd.DataFrame) -> dd.DataFrame:
    from analysis.engine.stories import with_stories

    return with_stories(ddf)


def gather_rows(
    ddf: dd.DataFrame,
    columns: Sequence[str | None],
    *,
    keep: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    stories: bool = False,
) -> pd.DataFrame:
    """The rows a pandas step needs from every partition (see :func:`analysis.engine.gather`)."""
    table = _with_stories(ddf) if stories else ddf
    sub = table[present(table, columns)]
    out = map_concat(sub, keep) if keep is not None else collect(sub, list(sub.columns))
    return sub._meta if not len(out.columns) else out  # no partition at all: an empty table


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
