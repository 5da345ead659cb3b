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


# ---------------------------------------------------------------------------
# Duplicates: MinHash per partition, LSH bands across partitions, stories in bundles
# ---------------------------------------------------------------------------

#: Columns ``find_duplicates`` reads.
_DUP_COLUMNS = ("article_id", "outlet", "title", "text", "url", "published", "wire")
#: Standard deviations of the MinHash estimate kept below the smallest similarity
#: at which two bodies can be joined; a pair the pandas engine joins is pruned
#: with a probability under 1e-12.
_PRUNE_SIGMAS = 7.0


def _dup_params(options: dict) -> dict:
    import inspect

    from . import duplicates as dup

    sig = inspect.signature(dup.find_duplicates)
    unknown = set(options) - set(sig.parameters)
    if unknown:
        raise ParameterError(f"find_duplicates has no option(s) {sorted(unknown)}")
    params = {
        name: p.default
        for name, p in sig.parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    params.update(options)
    params.pop("progress", None)
    return params


def _lsh_bands(params: dict) -> list[tuple[int, int]]:
    """The band ranges of the index ``find_duplicates`` builds with these options."""
    from datasketch import MinHashLSH

    t, c = params["threshold"], params["containment"]
    lsh_threshold = min(t, 0.3) if c is not None else 0.75 * t
    return list(MinHashLSH(threshold=lsh_threshold, num_perm=params["num_perm"]).hashranges)


def _prune_below(params: dict) -> float:
    """Estimated Jaccard under which a candidate pair cannot be one the pandas engine joins."""
    from . import duplicates as dup

    t, c = params["threshold"], params["containment"]
    lowest = t
    if c is not None:
        ratio = float(getattr(dup, "MIN_CONTAINMENT_RATIO", 0.0))
        # shared >= c * small and small >= ratio * large  =>  J >= c*ratio / (1 + ratio - c*ratio)
        lowest = min(t, c * ratio / (1 + ratio - c * ratio)) if ratio > 0 else 0.0
    if lowest <= 0:
        return 0.0
    sd = (lowest * (1 - lowest) / params["num_perm"]) ** 0.5
    return max(0.0, lowest - _PRUNE_SIGMAS * sd)


def _dup_sketch(
    part: pd.DataFrame, start: int, params: dict, bands: list[tuple[int, int]], sig_file: str
) -> dict:
    """Exact keys, long-body flags and LSH band hashes of one partition; signatures to disk."""
    import numpy as np

    from . import duplicates as dup

    texts = part["text"].tolist()
    n = len(texts)
    keys = np.zeros(n, dtype=np.uint64)
    has_key = np.zeros(n, dtype=bool)
    long_rows: list[int] = []
    words: list[list[str]] = []
    seen: set[int] = set()
    for i, text in enumerate(texts):
        norm = dup.normalize_text(text if isinstance(text, str) else None)
        if not norm:
            continue
        key = int.from_bytes(
            hashlib.blake2b(norm.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
        )
        keys[i], has_key[i] = key, True
        split = norm.split()
        if len(split) >= params["min_words"] and key not in seen:
            seen.add(key)
            long_rows.append(i)
            words.append(split)
    shingler = dup._Shingler(params["shingle_size"])
    sets = [shingler(w) for w in words]
    del words
    if sets:
        sig = dup.minhash_signatures(sets, num_perm=params["num_perm"])
    else:
        sig = np.empty((0, params["num_perm"]), dtype=np.uint32)
    np.save(sig_file, sig)
    mult = np.random.default_rng(20_26).integers(
        1, 2**63, size=params["num_perm"], dtype=np.uint64
    ) | np.uint64(1)
    band_hash = np.empty((len(sig), len(bands)), dtype=np.uint64)
    wide = sig.astype(np.uint64)
    with np.errstate(over="ignore"):
        for b, (lo, hi) in enumerate(bands):
            band_hash[:, b] = (wide[:, lo:hi] * mult[lo:hi]).sum(
                axis=1, dtype=np.uint64
            ) ^ np.uint64(b)
    return {
        "start": start,
        "n": n,
        "keys": keys,
        "has_key": has_key,
        "long_pos": np.asarray(long_rows, dtype=np.int64) + start,
        "bands": band_hash,
        "sig_file": sig_file,
    }


def _dup_components(sketches: list[dict], cutoff: float) -> Any:
    """Union rows into bundles that contain every story ``find_duplicates`` can form."""
    import numpy as np

    n = sum(s["n"] for s in sketches)
    parent = np.arange(n, dtype=np.int64)

    def roots(idx: np.ndarray) -> np.ndarray:
        r = parent[idx]
        while True:
            nxt = parent[r]
            if np.array_equal(nxt, r):
                return r
            r = nxt

    def union(a: int, b: int) -> None:
        ra, rb = int(roots(np.array([a]))[0]), int(roots(np.array([b]))[0])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    # exact: rows whose normalised bodies are equal
    pos = np.concatenate([np.flatnonzero(s["has_key"]) + s["start"] for s in sketches])
    keys = np.concatenate([s["keys"][s["has_key"]] for s in sketches])
    order = np.argsort(keys, kind="stable")
    keys, pos = keys[order], pos[order]
    same = np.flatnonzero(keys[1:] == keys[:-1])
    parent[pos[same + 1]] = pos[same]  # chains point to an earlier copy: roots stay minimal
    parent[:] = _flatten(parent)

    # near: rows sharing an LSH band, kept when their MinHash estimate can pass
    long_pos = np.concatenate([s["long_pos"] for s in sketches])
    if len(long_pos) < 2:
        return parent
    bands = np.concatenate([s["bands"] for s in sketches])
    sigs = [np.load(s["sig_file"], mmap_mode="r") for s in sketches]
    where = np.concatenate([np.full(len(s["long_pos"]), k) for k, s in enumerate(sketches)])
    offset = np.concatenate([np.arange(len(s["long_pos"])) for s in sketches])

    def signature(row: int) -> np.ndarray:
        return np.asarray(sigs[where[row]][offset[row]])

    for b in range(bands.shape[1]):
        order = np.argsort(bands[:, b], kind="stable")
        h = bands[order, b]
        starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
        sizes = np.diff(np.r_[starts, len(h)])
        multi = starts[sizes > 1]
        if not len(multi):
            continue
        multi_sizes = sizes[sizes > 1]
        members = np.concatenate([order[s : s + m] for s, m in zip(multi, multi_sizes)])
        r = roots(long_pos[members])
        bounds = np.r_[0, np.cumsum(multi_sizes)[:-1]]
        mixed = np.minimum.reduceat(r, bounds) != np.maximum.reduceat(r, bounds)
        for k in np.flatnonzero(mixed):
            rows = np.sort(members[bounds[k] : bounds[k] + multi_sizes[k]])
            sig_rows = np.stack([signature(x) for x in rows])
            for i in range(1, len(rows)):
                ri = int(roots(long_pos[rows[i : i + 1]])[0])
                others = roots(long_pos[rows[:i]])
                todo = np.flatnonzero(others != ri)
                if not len(todo):
                    continue
                est = (sig_rows[todo] == sig_rows[i]).mean(axis=1)
                passing = todo[est >= cutoff]
                # one union per story met: joining one of its rows joins them all
                _, first = np.unique(others[passing], return_index=True)
                for j in passing[first]:
                    union(int(long_pos[rows[i]]), int(long_pos[rows[j]]))
        parent[:] = _flatten(parent)
    return _flatten(parent)


def _flatten(parent: Any) -> Any:
    import numpy as np

    r = parent.copy()
    while True:
        nxt = r[r]
        if np.array_equal(nxt, r):
            return r
        r = nxt


def _bundle_rows(
    part: pd.DataFrame, start: int, bundle: Any, size: Any, *, single: bool
) -> pd.DataFrame:
    """Rows of one partition alone in their bundle (``single``) or sharing it, with positions."""
    import numpy as np

    keep = (size == 1) if single else (size > 1)
    out = part.reset_index(drop=True)[keep]
    return out.assign(_pos=np.flatnonzero(keep) + start, _bundle=bundle[keep])


def _stories(part: pd.DataFrame, params: dict, *, single: bool) -> pd.DataFrame:
    """Run the pandas ``find_duplicates`` on whole bundles; return positions and the new columns."""
    from .duplicates import find_duplicates as pandas_find

    cols = ["story_id", "is_duplicate", "syndicated", "wire"]
    if not len(part):
        empty = {"story_id": "string", "is_duplicate": "boolean", "syndicated": "boolean"}
        return pd.DataFrame(
            {
                **{c: pd.Series(dtype=t) for c, t in empty.items()},
                "wire": pd.Series(dtype="string"),
                "_pos": pd.Series(dtype="int64"),
            }
        )
    part = part.sort_values("_pos", kind="stable").reset_index(drop=True)
    options = dict(params)
    if single:
        # Alone in its bundle, a row joins nothing: matching on title and body only
        # gives it the same story fields without building a MinHash index.
        options["min_words"] = 2**31
    found = pandas_find(part.drop(columns=["_pos", "_bundle"]), **options)
    return found[cols].assign(_pos=part["_pos"].to_numpy())


def _attach(part: pd.DataFrame, derived: pd.DataFrame) -> pd.DataFrame:
    values = {c: derived[c].to_numpy() for c in derived.columns if c != "_pos"}
    values = {c: pd.array(v, dtype=derived[c].dtype) for c, v in values.items()}
    return part.assign(**{c: pd.Series(v, index=part.index) for c, v in values.items()})


def find_duplicates(
    articles: dd.DataFrame, *, scratch_dir: str | os.PathLike | None = None, **options: Any
) -> dd.DataFrame:
    """
    Group exact and near-duplicate copies of each story across all partitions.

    The result equals ``analysis.find_duplicates`` on the whole table (same
    options) with memory bounded by a partition:

    1. per partition: normalised-body keys, and MinHash signatures of the long
       bodies (written to ``scratch_dir``), cut into the LSH bands of the
       pandas engine's index;
    2. rows with equal keys, or sharing a band with a MinHash estimate that can
       reach the joining threshold, are united into bundles (work grows with the
       number of rows, not pairs of rows);
    3. each bundle holds whole stories, so the pandas ``find_duplicates`` runs on
       the bundles (rows alone in theirs stay in place; the others are shuffled
       together), and its story fields are attached to the rows.

    Parameters
    ----------
    articles : dask.dataframe.DataFrame
        Articles table with a ``text`` column and unique ``article_id`` values.
    scratch_dir : path or None, default None
        Where signatures are kept while the bands are compared; on a cluster of
        several machines, a folder every worker can read. ``None`` uses the
        system's temporary folder.
    **options
        Options of :func:`analysis.find_duplicates` (``threshold``, ``num_perm``,
        ``shingle_size``, ``containment``, ``min_words``).

    Returns
    -------
    dask.dataframe.DataFrame
        ``articles`` with ``story_id``, ``is_duplicate``, ``syndicated`` and ``wire``.

    Raises
    ------
    SchemaError
        Without a ``text`` column.
    ParameterError
        For an unknown or out-of-range option.

    Examples
    --------
    >>> found = find_duplicates(open_dask_corpus("data/corpus"))  # doctest: +SKIP
    >>> found["is_duplicate"].sum().compute()  # doctest: +SKIP
    """
    import tempfile

    import dask
    import dask.dataframe as dd
    import numpy as np
    from dask import delayed

    from . import duplicates as dup
    from .errors import SchemaError

    if "text" not in articles.columns:
        raise SchemaError("text", "missing: find_duplicates compares article bodies")
    params = _dup_params(options)
    # one made-up row checks the options and gives the output's columns and dtypes
    meta = dup.find_duplicates(articles._meta_nonempty.iloc[:1], **params).iloc[:0]
    cols = [c for c in _DUP_COLUMNS if c in articles.columns]
    sub = articles[cols]
    parts = _partitions(sub)
    lengths = [int(x) for x in dask.compute(*[delayed(len)(p) for p in parts])]
    starts = np.r_[0, np.cumsum(lengths)[:-1]].astype(int).tolist()
    bands = _lsh_bands(params)
    with tempfile.TemporaryDirectory(dir=scratch_dir, prefix="mca-minhash-") as tmp:
        sketches = [
            delayed(_dup_sketch, pure=False)(
                p, s, params, bands, str(Path(tmp) / f"sig-{k:06d}.npy")
            )
            for k, (p, s) in enumerate(zip(parts, starts))
        ]
        roots = delayed(_dup_components)(sketches, _prune_below(params)).compute()
    size = np.bincount(roots, minlength=len(roots))[roots]
    log.info(
        "duplicates: %d rows in %d bundles (%d rows share one)",
        len(roots),
        int((np.bincount(roots) > 0).sum()),
        int((size > 1).sum()),
    )
    pieces = []
    for p, s, n in zip(parts, starts, lengths):
        rows = delayed(_bundle_rows)(p, s, roots[s : s + n], size[s : s + n], single=True)
        pieces.append(delayed(_stories)(rows, params, single=True))
    shared_meta = sub._meta.assign(_pos=np.int64(0), _bundle=np.int64(0)).iloc[:0]
    shared = dd.from_delayed(
        [
            delayed(_bundle_rows)(p, s, roots[s : s + n], size[s : s + n], single=False)
            for p, s, n in zip(parts, starts, lengths)
        ],
        meta=shared_meta,
        verify_meta=False,
    )
    story_meta = meta[["story_id", "is_duplicate", "syndicated", "wire"]].assign(_pos=np.int64(0))
    if int((size > 1).sum()):
        grouped = shared.shuffle(on="_bundle", npartitions=max(1, len(parts)))
        pieces.extend(
            grouped.map_partitions(_stories, params, single=False, meta=story_meta).to_delayed()
        )
    derived = pd.concat(dask.compute(*pieces), ignore_index=True)
    derived = derived.sort_values("_pos", kind="stable").reset_index(drop=True)
    out = [
        delayed(_attach)(p, derived.iloc[s : s + n])
        for p, s, n in zip(_partitions(articles), starts, lengths)
    ]
    return dd.from_delayed(out, meta=meta, verify_meta=False)
