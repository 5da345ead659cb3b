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
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from analysis.errors import InputError, ParameterError
from analysis.paths import write_parquet

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
#: Story fields found over the whole corpus, beside the articles.
DUPLICATES = "duplicates.parquet"

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
    files = _part_files(path) if path.is_dir() else [path]
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
        from analysis.corpus.store import open_corpus

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

    from analysis.corpus import duplicates as dup

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
    from analysis.corpus import duplicates as dup

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
    part: pd.DataFrame, params: dict, bands: list[tuple[int, int]], sig_file: str
) -> dict:
    """Exact keys, long-body flags and LSH band hashes of one partition; signatures to disk."""
    import numpy as np

    from analysis.corpus import duplicates as dup

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
    # 64 bits per band: a collision (odds ~1e-7 at a million rows) would only add
    # candidates, which are then checked
    band_hash = np.empty((len(sig), len(bands)), dtype=np.uint64)
    wide = sig.astype(np.uint64)
    with np.errstate(over="ignore"):
        for b, (lo, hi) in enumerate(bands):
            band_hash[:, b] = (wide[:, lo:hi] * mult[lo:hi]).sum(axis=1, dtype=np.uint64)
    return {
        "n": n,
        "keys": keys,
        "has_key": has_key,
        "long_pos": np.asarray(long_rows, dtype=np.int64),
        "bands": band_hash,
        "sig_file": sig_file,
    }


def _dup_components(
    sketches: list[dict], cutoff: float, chain_above: int | None
) -> tuple[Any, list[int]]:
    """Union rows into bundles holding every story ``find_duplicates`` can form; rows per partition."""
    import numpy as np

    lengths = [s["n"] for s in sketches]
    n = sum(lengths)
    starts = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64)
    for s, start in zip(sketches, starts):  # positions in the whole table
        s["long_pos"] = s["long_pos"] + start
        s["start"] = start
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
    first_copy = parent.copy()  # each body's first row: the one the pandas engine compares

    # near: rows sharing an LSH band, kept when their MinHash estimate can pass
    long_pos = np.concatenate([s["long_pos"] for s in sketches])
    if len(long_pos) < 2:
        return parent, lengths
    n_bands = sketches[0]["bands"].shape[1]
    sigs = [np.load(s["sig_file"], mmap_mode="r") for s in sketches]
    where = np.concatenate([np.full(len(s["long_pos"]), k) for k, s in enumerate(sketches)])
    offset = np.concatenate([np.arange(len(s["long_pos"])) for s in sketches])
    is_first = first_copy[long_pos] == long_pos

    def signature(row: int) -> np.ndarray:
        return np.asarray(sigs[where[row]][offset[row]])

    def check(a: int, b: int, sa: np.ndarray, sb: np.ndarray) -> None:
        if (sa == sb).mean() >= cutoff:
            union(int(long_pos[a]), int(long_pos[b]))

    for b in range(n_bands):
        h = np.concatenate([s["bands"][:, b] for s in sketches])
        order = np.argsort(h, kind="stable")
        h = h[order]
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
            rows = members[bounds[k] : bounds[k] + multi_sizes[k]]
            # one row per distinct body, in table order: the pandas engine's bucket
            rows = np.sort(rows[is_first[rows]])
            if len(rows) < 2:
                continue
            sig_rows = np.stack([signature(x) for x in rows])
            if chain_above is not None and len(rows) > chain_above:
                # a crowded bucket: the pandas engine compares neighbours only
                for i in range(1, len(rows)):
                    if np.ptp(roots(long_pos[rows[i - 1 : i + 1]])):
                        check(rows[i - 1], rows[i], sig_rows[i - 1], sig_rows[i])
                continue
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
    return _flatten(parent), lengths


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
    from analysis.corpus.duplicates import find_duplicates as pandas_find

    cols = ["story_id", "is_duplicate", "syndicated", "wire"]
    if not len(part):
        types = {"story_id": "string", "is_duplicate": "boolean", "syndicated": "boolean"}
        empty = pd.DataFrame(
            {
                **{c: pd.Series(dtype=t) for c, t in types.items()},
                "wire": pd.Series(dtype="string"),
                "_pos": pd.Series(dtype="int64"),
            }
        )
        return empty.assign(article_id=part["article_id"]) if "article_id" in part else empty
    part = part.sort_values("_pos", kind="stable").reset_index(drop=True)
    options = dict(params)
    if single:
        # Alone in its bundle, a row joins nothing: matching on title and body only
        # gives it the same story fields without building a MinHash index.
        options["min_words"] = 2**31
    found = pandas_find(part.drop(columns=["_pos", "_bundle"]), **options)
    out = found[cols].assign(_pos=part["_pos"].to_numpy())
    return out.assign(article_id=part["article_id"].array) if "article_id" in part else out


def _attach(part: pd.DataFrame, derived: pd.DataFrame) -> pd.DataFrame:
    values = {c: derived[c].to_numpy() for c in derived.columns if c != "_pos"}
    values = {c: pd.array(v, dtype=derived[c].dtype) for c, v in values.items()}
    return part.assign(**{c: pd.Series(v, index=part.index) for c, v in values.items()})


def _story_fields(
    articles: dd.DataFrame, *, scratch_dir: str | os.PathLike | None = None, **options: Any
) -> tuple[pd.DataFrame, pd.DataFrame, list[int], list[int]]:
    """Story fields of every row in table order (with ``_pos``), the output meta, partition extents."""
    import tempfile

    import dask
    import dask.dataframe as dd
    import numpy as np
    from dask import delayed

    from analysis.corpus import duplicates as dup
    from analysis.errors import SchemaError

    if "text" not in articles.columns:
        raise SchemaError("text", "missing: find_duplicates compares article bodies")
    params = _dup_params(options)
    # one made-up row checks the options and gives the output's columns and dtypes
    meta = dup.find_duplicates(articles._meta_nonempty.iloc[:1], **params).iloc[:0]
    cols = [c for c in _DUP_COLUMNS if c in articles.columns]
    sub = articles[cols]
    parts = _partitions(sub)
    bands = _lsh_bands(params)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=scratch_dir, prefix="mca-minhash-") as tmp:
        sketches = [
            delayed(_dup_sketch, pure=False)(p, params, bands, str(Path(tmp) / f"sig-{k:06d}.npy"))
            for k, p in enumerate(parts)
        ]
        chain_above = getattr(dup, "MAX_BUCKET_PAIRS", None)
        roots, lengths = delayed(_dup_components)(
            sketches, _prune_below(params), chain_above
        ).compute()
    starts = np.r_[0, np.cumsum(lengths)[:-1]].astype(int).tolist()
    size = np.bincount(roots, minlength=len(roots))[roots]
    log.info(
        "duplicates: %d rows in %d bundles (%d rows share one) in %.1f s",
        len(roots),
        int((np.bincount(roots) > 0).sum()),
        int((size > 1).sum()),
        time.perf_counter() - t0,
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
    if "article_id" in sub.columns:
        story_meta = story_meta.assign(article_id=sub._meta["article_id"])
    if int((size > 1).sum()):
        grouped = shared.shuffle(on="_bundle", npartitions=max(1, len(parts)))
        pieces.extend(
            grouped.map_partitions(_stories, params, single=False, meta=story_meta).to_delayed()
        )
    derived = pd.concat(dask.compute(*pieces), ignore_index=True)
    derived = derived.sort_values("_pos", kind="stable").reset_index(drop=True)
    return derived, meta, starts, lengths


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
        ``shingle_size``, ``containment``, ``min_words``, ``max_days``).

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
    import dask
    import dask.dataframe as dd
    from dask import delayed

    derived, meta, starts, lengths = _story_fields(articles, scratch_dir=scratch_dir, **options)
    derived = derived.drop(columns=[c for c in ("article_id",) if c in derived.columns])
    out = [
        delayed(_attach)(p, derived.iloc[s : s + n])
        for p, s, n in zip(_partitions(articles), starts, lengths)
    ]
    with dask.config.set({"dataframe.convert-string": False}):  # columns keep their types
        return dd.from_delayed(out, meta=meta, verify_meta=False)


# ---------------------------------------------------------------------------
# Words: term counts, keyness, volume, KWIC
# ---------------------------------------------------------------------------


def _rows_for(articles: dd.DataFrame, unique_stories: bool, options: dict) -> dd.DataFrame:
    """The rows a measurement reads: with ``unique_stories``, story fields found across partitions."""
    if unique_stories and "is_duplicate" not in articles.columns:
        return find_duplicates(articles, **options)
    return articles


def _word_partial(part: pd.DataFrame, by: list[str], options: dict) -> dict:
    """Per-group token Counters of one partition, keyed by the group's values."""
    from analysis.measures import wordtable as wt
    from analysis.measures.terms import _count

    table = wt.select_rows(
        part,
        english_only=options["english_only"],
        unique_stories=options["unique_stories"],
        where=options["where"],
    )
    if options.get("freq"):
        table = wt.add_period(table, options["freq"], where=options["where"])
    codes, groups = wt.group_codes(table, by)
    # the same text form the pandas engine hands its counter
    bytes_form = options["ngram"] == 1
    counts, dfs, n_docs, n_words = _count(
        wt.text_source(table) if bytes_form else wt.texts_of(table),
        codes,
        len(groups),
        ngram=options["ngram"],
        doc_freq=options["doc_freq"],
        stop=options["stop"],
        n_jobs=1,
    )
    keys = list(groups.itertuples(index=False, name=None)) if by else [()]
    return {
        key: (
            _term_table(counts[g], dfs[g]),
            n_docs[g],
            n_words[g],
            {c: groups[c].iloc[g] for c in by},
        )
        for g, key in enumerate(keys)
        if n_docs[g]
    }


def _term_table(counts: Any, dfs: Any) -> pd.DataFrame:
    """A Counter of terms (and one of documents) as a table indexed by term: compact to ship."""
    import numpy as np

    terms = list(counts)
    return pd.DataFrame(
        {
            "count": np.fromiter(counts.values(), np.int64, len(terms)),
            "doc_freq": np.fromiter((dfs.get(t, 0) for t in terms), np.int64, len(terms)),
        },
        index=pd.Index(terms, name="term", dtype=object),
    )


def _merge_word_partials(partials: list[dict]) -> dict:
    """Add per-group term counts, document frequencies, articles and tokens."""
    grouped: dict = {}
    for partial in partials:
        for key, value in partial.items():
            grouped.setdefault(key, []).append(value)
    out = {}
    for key, values in grouped.items():
        tables = [v[0] for v in values]
        table = (
            tables[0] if len(tables) == 1 else pd.concat(tables).groupby(level=0, sort=False).sum()
        )
        out[key] = (table, sum(v[1] for v in values), sum(v[2] for v in values), values[0][3])
    return out


def _word_counts(articles: dd.DataFrame, by: list[str], options: dict) -> dict:
    from dask import delayed

    parts = [delayed(_word_partial, pure=True)(p, by, options) for p in _partitions(articles)]
    return _tree_reduce(parts, _merge_word_partials).compute()


def _counter(table: pd.DataFrame) -> Any:
    from collections import Counter

    return Counter(dict(zip(table.index.tolist(), table["count"].tolist())))


def term_counts(
    articles: dd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    ngram: int = 1,
    stopwords: Any = "default",
    extra_stopwords: Any = None,
    min_count: int = 1,
    top: int | None = None,
    doc_freq: bool = True,
    unique_stories: bool = False,
    english_only: bool = True,
    n_jobs: int | None = None,
    cache_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """
    Count terms partition by partition and add the counts: :func:`analysis.term_counts` on Dask.

    Each partition is counted with the pandas engine's own counter; counts,
    document frequencies, articles and tokens per group are added across
    partitions, then rates, ``min_count`` and ``top`` are applied to the totals.
    Options and result are those of :func:`analysis.term_counts` (``n_jobs`` and
    ``cache_dir`` are accepted and ignored: the cluster's workers are the
    parallelism, and each partition is counted from its text). Under ``top``,
    terms tied at the cut are taken in alphabetical order.

    Returns
    -------
    DataFrame
        ``[*by, term, count, doc_freq, per_10k, n_articles, n_words]``.

    Examples
    --------
    >>> counts = term_counts(open_dask_corpus("data/corpus"), by="outlet")  # doctest: +SKIP
    """
    from analysis.measures import wordtable as wt
    from analysis.measures.terms import counts_frame, stack_counts

    if not isinstance(ngram, int) or ngram < 1:
        raise ParameterError(f"ngram={ngram!r}; expected a positive integer")
    by = wt.as_list(by)
    missing = [c for c in [*by, "text"] if c not in articles.columns]
    if missing:
        from analysis.errors import SchemaError

        raise SchemaError(
            missing[0], f"term_counts needs this column; the table has {list(articles.columns)}"
        )
    options = dict(
        english_only=english_only,
        unique_stories=unique_stories,
        where="term_counts",
        ngram=ngram,
        doc_freq=doc_freq,
        stop=wt.stopword_set(stopwords, extra_stopwords),
    )
    merged = _word_counts(_rows_for(articles, unique_stories, {}), by, options)
    parts = []
    for key in sorted(merged, key=_sort_key):
        table, n_docs, n_words, label = merged[key]
        table = table.rename_axis("term").reset_index()
        if min_count > 1:
            table = table[table["count"] >= min_count]
        table = table.sort_values(["count", "term"], ascending=[False, True], kind="stable")
        if top is not None:
            table = table.head(top)
        if not len(table):
            continue
        parts.append(
            counts_frame(
                table["term"].tolist(),
                table["count"].to_numpy(),
                table["doc_freq"].to_numpy() if doc_freq else None,
                n_articles=n_docs,
                n_words=n_words,
                keys=label,
            )
        )
    return stack_counts(parts, by=by, doc_freq=doc_freq)


def _sort_key(key: tuple) -> tuple:
    return tuple((v is None, str(type(v)), v) for v in key)


def keyness(
    articles: dd.DataFrame,
    *,
    by: str | None = None,
    target: object = None,
    reference: object = None,
    freq: Literal["D", "W", "M"] | None = None,
    min_count: int = 5,
    alpha: float = 0.05,
    correction: Literal["bh", "holm", "none"] = "bh",
    top: int | None = None,
    stopwords: Any = "default",
    extra_stopwords: Any = None,
    unique_stories: bool = False,
    english_only: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """
    Find distinctive terms from counts added across partitions: :func:`analysis.keyness` on Dask.

    Token counts per group (or per period) are computed partition by partition
    and added; the comparisons, G2 tests, corrections and effect sizes are then
    those of the pandas engine. ``reference`` may be a value of ``by``, or a
    pandas or Dask table (a reference corpus). ``cache_dir`` is accepted and
    ignored, as in :func:`term_counts`.

    Returns
    -------
    DataFrame
        As :func:`analysis.keyness`.

    Examples
    --------
    >>> keyness(open_dask_corpus("data/corpus"), by="outlet")  # doctest: +SKIP
    """
    from collections import Counter

    from analysis.measures import wordtable as wt
    from analysis.measures.terms import _compare

    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r}; expected a number between 0 and 1")
    if correction not in ("bh", "holm", "none"):
        raise ParameterError(f"correction={correction!r}; expected 'bh', 'holm' or 'none'")
    options = dict(
        english_only=english_only,
        unique_stories=unique_stories,
        where="keyness",
        ngram=1,
        doc_freq=False,
        stop=wt.stopword_set(stopwords, extra_stopwords),
    )
    table = _rows_for(articles, unique_stories, {})

    def counted(frame: Any, key: str | None, *, period: bool = False) -> tuple:
        if not is_dask(frame):
            import dask.dataframe as dd

            frame = dd.from_pandas(frame, npartitions=1, sort=False)
        keys = [key] if key else []
        merged = _word_counts(frame, keys, {**options, "freq": freq if period else None})
        ordered = sorted(merged, key=_sort_key)
        labels = [merged[k][3][key] for k in ordered] if key else ["all"]
        got = [merged[k] for k in ordered] or [(_term_table(Counter(), Counter()), 0, 0, None)]
        return labels, [_counter(g[0]) for g in got], [g[1] for g in got], [g[2] for g in got]

    comparisons = []
    if reference is not None and (isinstance(reference, pd.DataFrame) or is_dask(reference)):
        if by is not None and target is not None:
            table = table[table[by] == target]
        _, ct, dt_, nt = counted(table, None)
        _, cr, dr, nr = counted(reference, None)
        label = target if target is not None else "target"
        comparisons.append((label, "reference", ct[0], cr[0], nt[0], nr[0], dt_[0], dr[0]))
    elif freq is not None:
        if by is not None or target is not None or reference is not None:
            raise ParameterError(
                "keyness: freq compares periods; do not combine it with by/target/reference"
            )
        labels, counts, n_docs, n_words = counted(table, "period", period=True)
        for k in range(1, len(labels)):
            comparisons.append(
                (
                    labels[k],
                    labels[k - 1],
                    counts[k],
                    counts[k - 1],
                    n_words[k],
                    n_words[k - 1],
                    n_docs[k],
                    n_docs[k - 1],
                )
            )
    else:
        if by is None:
            raise ParameterError(
                "keyness needs by= (groups), reference= (a DataFrame) or freq= (periods)"
            )
        labels, counts, n_docs, n_words = counted(table, by)
        index = {lab: i for i, lab in enumerate(labels)}
        for value, name in ((target, "target"), (reference, "reference")):
            if value is not None and value not in index:
                raise ParameterError(
                    f"keyness: {name}={value!r} is not a value of column {by!r} (values: {labels[:20]})"
                )
        if len(labels) < 2:
            raise ParameterError(f"keyness: column {by!r} has fewer than two groups")
        total: Counter = Counter()
        for c in counts:
            total.update(c)
        n_all, d_all = sum(n_words), sum(n_docs)
        for lab in [target] if target is not None else labels:
            i = index[lab]
            if reference is not None:
                j = index[reference]
                comparisons.append(
                    (
                        lab,
                        reference,
                        counts[i],
                        counts[j],
                        n_words[i],
                        n_words[j],
                        n_docs[i],
                        n_docs[j],
                    )
                )
            else:
                rest = total.copy()
                rest.subtract(counts[i])
                comparisons.append(
                    (
                        lab,
                        "rest",
                        counts[i],
                        +rest,
                        n_words[i],
                        n_all - n_words[i],
                        n_docs[i],
                        d_all - n_docs[i],
                    )
                )
    parts = []
    for label, ref_label, ct, cr, n_t, n_r, d_t, d_r in comparisons:
        res = _compare(
            ct, cr, n_t, n_r, min_count=min_count, correction=correction, alpha=alpha, top=top
        )  # rows kept and in table order already
        res.insert(0, "reference", ref_label)
        res.insert(0, "group", label)
        parts.append(res.assign(n_articles=d_t, n_articles_ref=d_r, n_words=n_t, n_words_ref=n_r))
    if not parts:
        raise ParameterError("keyness: nothing to compare (a single period or an empty table)")
    return pd.concat(parts, ignore_index=True)


def volume(
    articles: dd.DataFrame,
    *,
    freq: Literal["D", "W", "M"] = "D",
    by: str | Sequence[str] | None = "outlet",
    unique_stories: bool = False,
    english_only: bool = False,
) -> pd.DataFrame:
    """
    Count articles per period and group: :func:`analysis.volume` on Dask.

    Each partition contributes only the columns volume reads (groups,
    ``published``, ``n_words``, ``language``, ``is_duplicate``), never the text;
    the pandas engine then counts them. Memory grows with the number of rows
    times those few small columns.

    Returns
    -------
    DataFrame
        As :func:`analysis.volume`.

    Examples
    --------
    >>> volume(open_dask_corpus("data/corpus"), freq="W")  # doctest: +SKIP
    """
    from analysis.measures import wordtable as wt
    from analysis.measures.terms import volume as pandas_volume

    table = _rows_for(articles, unique_stories, {})
    wanted = [*wt.as_list(by), "published", "n_words", "language", "is_duplicate"]
    cols = list(dict.fromkeys(c for c in wanted if c in table.columns))
    slim = map_concat(table[cols], _identity)
    if "text" in table.columns:  # counted, never read: an empty body per row stands in
        slim = slim.assign(text=pd.Series("", index=slim.index, dtype=table["text"].dtype))
    return pandas_volume(
        slim, freq=freq, by=by, unique_stories=unique_stories, english_only=english_only
    )


def _identity(part: pd.DataFrame) -> pd.DataFrame:
    return part


def kwic(
    articles: dd.DataFrame,
    query: str,
    *,
    window: int = 8,
    max_hits: int | None = None,
    unique_stories: bool = False,
    english_only: bool = False,
) -> pd.DataFrame:
    """
    Find every occurrence of a query, partition by partition: :func:`analysis.measures.kwic` on Dask.

    Hits come back in article order, as from the pandas engine.

    Returns
    -------
    DataFrame
        ``article_id, outlet, published, title, left, match, right, position``.

    Examples
    --------
    >>> kwic(open_dask_corpus("data/corpus"), "ceasefire*")  # doctest: +SKIP
    """
    from analysis.measures.kwic import kwic as pandas_kwic

    table = _rows_for(articles, unique_stories, {})
    hits = map_concat(
        table,
        pandas_kwic,
        query=query,
        window=window,
        max_hits=max_hits,
        unique_stories=unique_stories,
        english_only=english_only,
    )
    return hits if max_hits is None else hits.head(max_hits).reset_index(drop=True)


# ---------------------------------------------------------------------------
# Per-article analyses: sentiment, quotes
# ---------------------------------------------------------------------------


def _per_article(
    articles: dd.DataFrame, func: Callable[..., pd.DataFrame], meta_options: dict, **options: Any
) -> dd.DataFrame:
    """Run a per-article pandas helper lazily on every partition (index renumbered per partition)."""
    sample = articles._meta_nonempty.iloc[:1].reset_index(drop=True)
    meta = func(sample, **{**options, **meta_options}).iloc[:0]
    return articles.map_partitions(_apply, func, options, meta, meta=meta, align_dataframes=False)


def _apply(
    part: pd.DataFrame, func: Callable[..., pd.DataFrame], options: dict, empty: pd.DataFrame
) -> pd.DataFrame:
    if not len(part):  # an empty partition (a filter left nothing) gives an empty result
        return empty
    return func(part.reset_index(drop=True), **options)


def _partition_cache(
    cache_dir: str | os.PathLike | None, part: pd.DataFrame, kind: str
) -> Path | None:
    """Cache folder of one partition, named after its first article (stable when others change)."""
    if cache_dir is None or not len(part):
        return None
    first = str(part["article_id"].iloc[0])
    name = hashlib.blake2b(first.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    folder = Path(cache_dir) / "dask_cache" / kind / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sentiment_part(part: pd.DataFrame, *, which: str, cache_dir, **options) -> pd.DataFrame:
    from analysis.measures import sentiment

    func = sentiment.sentence_sentiment if which == "sentence" else sentiment.article_sentiment
    folder = _partition_cache(cache_dir, part, f"sentiment_{options.get('method', 'vader')}")
    return func(part, cache_dir=folder, n_jobs=1, **options)


def sentence_sentiment(
    articles: dd.DataFrame,
    *,
    method: Literal["vader", "nltk"] = "vader",
    cache_dir: str | os.PathLike | None = None,
    english_only: bool = True,
    n_jobs: int | None = None,
) -> dd.DataFrame:
    """
    Score every sentence, partition by partition: :func:`analysis.measures.sentiment.sentence_sentiment` on Dask.

    With ``cache_dir`` (the corpus folder), each partition keeps its sentence
    scores under ``dask_cache/sentiment_<method>/`` there, so a rerun scores only
    new or changed articles; on a cluster the folder must be one every worker
    can write. ``n_jobs`` is accepted and ignored: one partition is one task.

    Returns
    -------
    dask.dataframe.DataFrame
        One row per sentence, as the pandas engine (lazy: ``.compute()`` it, or
        aggregate it first).

    Examples
    --------
    >>> sents = sentence_sentiment(open_dask_corpus("data/corpus"))  # doctest: +SKIP
    """
    return _per_article(
        articles,
        _sentiment_part,
        {"cache_dir": None, "english_only": False},
        which="sentence",
        cache_dir=cache_dir,
        method=method,
        english_only=english_only,
    )


def article_sentiment(
    articles: dd.DataFrame,
    *,
    method: Literal["vader", "nltk"] = "vader",
    cache_dir: str | os.PathLike | None = None,
    english_only: bool = True,
    n_jobs: int | None = None,
) -> dd.DataFrame:
    """
    Summarise each article's tone from its sentences: :func:`analysis.article_sentiment` on Dask.

    Sentences are scored per partition (cached as in :func:`sentence_sentiment`;
    ``n_jobs`` ignored). The result has one small row per article: pass it to
    :func:`analysis.tone_by` (or :func:`tone_by`) for groups and periods.

    Returns
    -------
    dask.dataframe.DataFrame
        ``article_id, outlet, published, title, n_sentences, compound, share_pos, share_neg``.

    Examples
    --------
    >>> tone = article_sentiment(open_dask_corpus("data/corpus")).compute()  # doctest: +SKIP
    """
    return _per_article(
        articles,
        _sentiment_part,
        {"cache_dir": None, "english_only": False},
        which="article",
        cache_dir=cache_dir,
        method=method,
        english_only=english_only,
    )


def extract_quotes(articles: dd.DataFrame, *, n_jobs: int | None = None) -> dd.DataFrame:
    """
    Find quotes and speakers partition by partition: :func:`analysis.extract_quotes` on Dask.

    ``n_jobs`` is accepted and ignored: one partition is one task.

    Returns
    -------
    dask.dataframe.DataFrame
        One row per quote, as the pandas engine (lazy).

    Examples
    --------
    >>> quotes = extract_quotes(open_dask_corpus("data/corpus")).compute()  # doctest: +SKIP
    """
    from analysis.measures.quotes import extract_quotes as pandas_quotes

    return _per_article(articles, pandas_quotes, {})


# ---------------------------------------------------------------------------
# Ingest: the store streams the files; story groups are found on the cluster
# ---------------------------------------------------------------------------


def update_duplicates(
    corpus_dir: str | os.PathLike, *, scratch_dir: str | os.PathLike | None = None, **options: Any
) -> int:
    """
    Recompute the story groups of a corpus on the cluster and store them in ``duplicates.parquet``.

    The file is the one ``ingest`` writes with the pandas engine, with the same
    content, and is read by both engines' ``open_corpus``.

    Returns
    -------
    int
        Rows that are copies of another (``is_duplicate``).

    Examples
    --------
    >>> update_duplicates("data/corpus")  # doctest: +SKIP
    """
    from analysis.corpus.store import DERIVED_COLUMNS

    path = articles_path(corpus_dir)
    ddf = open_dask_corpus(path, columns=list(_DUP_COLUMNS), story_fields=False)
    found, *_ = _story_fields(ddf, scratch_dir=scratch_dir, **options)
    table = found[["article_id", *[c for c in DERIVED_COLUMNS if c in found.columns]]]
    write_parquet(table, path.parent / DUPLICATES)
    return int(table["is_duplicate"].sum())


def ingest(inputs: Any, corpus_dir: str | os.PathLike, **options: Any) -> Any:
    """
    Ingest input files with the store (streamed, bounded memory), then group stories on the cluster.

    Parameters
    ----------
    inputs, corpus_dir, **options
        As :func:`analysis.ingest`; its own duplicate pass is replaced by
        :func:`update_duplicates`.

    Returns
    -------
    IngestSummary
        The store's summary of the run.

    Examples
    --------
    >>> ingest(["data/raw/"], "data/corpus")  # doctest: +SKIP
    """
    from analysis.corpus.store import ingest as store_ingest

    options.pop("duplicates", None)
    summary = store_ingest(inputs, corpus_dir, duplicates=False, **options)
    if summary.articles_total:
        update_duplicates(corpus_dir)
    return summary


# ---------------------------------------------------------------------------
# The report's other helpers: small tables from one pass over the partitions
# ---------------------------------------------------------------------------

#: Rows of Dask tables already counted, by expression name: a selection made by
#: :func:`select_articles` knows its size without reading the corpus again.
_ROW_COUNTS: dict[str, int] = {}


def row_count(articles: dd.DataFrame) -> int:
    """
    Return the number of rows of a Dask table (known at once for a selection).

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> row_count(dd.from_pandas(pd.DataFrame({"n": range(5)}), npartitions=2))
    5
    """
    known = _ROW_COUNTS.get(getattr(articles, "_name", None))
    return int(len(articles)) if known is None else known


def collect(table: dd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """
    Compute a few columns of a Dask table as one pandas table, rows in order.

    For per-article or per-quote columns a pandas finishing step needs whole
    (scores for a bootstrap, speakers and article ids); never the text.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> ddf = dd.from_pandas(pd.DataFrame({"a": [1, 2, 3], "b": list("xyz")}), npartitions=2)
    >>> collect(ddf, ["a"])["a"].tolist()
    [1, 2, 3]
    """
    return map_concat(table[list(dict.fromkeys(columns))], _identity)


def _fold(
    table: dd.DataFrame,
    partial: Callable[..., Any],
    combine: Callable[[list], Any],
    /,
    **options: Any,
) -> Any:
    """``partial(part, **options)`` on every partition, folded with ``combine`` (a list -> one piece)."""
    from dask import delayed

    parts = [delayed(_call, pure=True)(partial, p, options) for p in _partitions(table)]
    return _tree_reduce(parts, combine).compute()


def _present(table: Any, names: Iterable[str | None]) -> list[str]:
    """The names that are columns of ``table``, each once, in order."""
    return [c for c in dict.fromkeys(n for n in names if n) if c in table.columns]


def corpus_overview(articles: dd.DataFrame, *, by: str = "outlet") -> pd.DataFrame:
    """
    Summarize a corpus per group: :func:`analysis.corpus_overview` on Dask.

    Each partition gives its per-group sums, first and last days; they are
    combined, then finished as by the pandas engine. The text is never read.

    Examples
    --------
    >>> corpus_overview(open_dask_corpus("data/corpus"))  # doctest: +SKIP
    """
    from analysis.measures.overview import combine_overview, overview_counts, overview_table

    if by not in articles.columns:
        raise ParameterError(f"group_by {by!r} is not a column of the articles table")
    cols = _present(articles, [by, "n_words", "published", "is_duplicate", "syndicated"])
    counts = _fold(articles[cols], overview_counts, combine_overview, by=by)
    return overview_table(counts, by=by)


def tally(articles: dd.DataFrame, column: str, *, by: str | None = None) -> pd.DataFrame:
    """
    Count rows per value of a column: :func:`analysis.tally` on Dask (counts added across partitions).

    Examples
    --------
    >>> tally(open_dask_corpus("data/corpus"), "language")  # doctest: +SKIP
    """
    from analysis.measures.overview import combine_tallies, tally_counts, tally_table

    for name in [column] + ([by] if by else []):
        if name not in articles.columns:
            raise ParameterError(f"{name!r} is not a column of the articles table")
    table = articles[_present(articles, [by, column])]
    counts = _fold(table, tally_counts, combine_tallies, column=column, by=by)
    return tally_table(counts, column, by=by)


def _distinct(parts: list) -> Any:
    return pd.concat(parts).drop_duplicates()


def n_groups(articles: dd.DataFrame, *, by: str | None = None, freq: str | None = None) -> int:
    """
    Count the groups or periods present: :func:`analysis.n_groups` on Dask.

    Examples
    --------
    >>> n_groups(open_dask_corpus("data/corpus"), by="outlet")  # doctest: +SKIP
    """
    from analysis.measures.overview import group_values

    if by is None and freq is None:
        return 1 if row_count(articles) else 0
    column = by if by is not None else "published"
    if column not in articles.columns:
        raise ParameterError(f"{column!r} is not a column of the articles table")
    return len(_fold(articles[[column]], group_values, _distinct, by=by, freq=freq))


def require_articles(articles: dd.DataFrame, *, what: str = "the selection") -> dd.DataFrame:
    """
    Return a Dask table unchanged, or stop with :class:`~analysis.corpus.selection.NoArticlesError` when empty.

    Examples
    --------
    >>> require_articles(open_dask_corpus("data/corpus"))  # doctest: +SKIP
    """
    from analysis.corpus.selection import check_not_empty

    check_not_empty(row_count(articles), what=what)
    return articles


def _selection_pass(part: pd.DataFrame, index: int, rules: dict) -> dict:
    """Counts after each rule, and the best row of each story, in one partition."""
    from analysis.corpus.selection import date_mask, outlet_mask, story_order

    dated = part[date_mask(part, rules)]
    kept = dated[outlet_mask(dated, rules)].reset_index(drop=True)
    out = {"n": len(part), "dates": len(dated), "outlets": len(kept)}
    out["grouped"] = "story_id" in kept.columns and bool(kept["story_id"].notna().all())
    out["flagged"] = "is_duplicate" in kept.columns and bool(kept["is_duplicate"].notna().all())
    stories = None
    if rules["copies"] == "unique" and out["grouped"]:
        best = story_order(kept).drop_duplicates("story_id")
        flags = best["is_duplicate"] if "is_duplicate" in best.columns else False
        stories = pd.DataFrame(
            {
                "story_id": best["story_id"].to_numpy(),
                "_dup": pd.Series(flags, index=best.index).fillna(False).astype(bool).to_numpy(),
                "_part": index,
                "_row": best.index.to_numpy(),
            }
        )
    out["stories"] = stories
    return out


def _selected_part(part: pd.DataFrame, rules: dict, rows: Any) -> pd.DataFrame:
    """The rows of one partition a selection keeps (``rows``: positions after the filters)."""
    from analysis.corpus.selection import date_mask, outlet_mask

    part = part.reset_index(drop=True)
    dated = part[date_mask(part, rules)]
    kept = dated[outlet_mask(dated, rules)].reset_index(drop=True)
    if rows is not None:
        kept = kept.iloc[rows].reset_index(drop=True)
    return kept


def _not_duplicate(part: pd.DataFrame) -> pd.DataFrame:
    return part[~part["is_duplicate"].astype(bool).to_numpy()]


def select_articles(
    articles: dd.DataFrame,
    *,
    date_range: str = "",
    outlets: Sequence[str] = (),
    copies: Literal["unique", "all"] = "unique",
    now: Any = None,
) -> tuple[dd.DataFrame, pd.DataFrame]:
    """
    Keep the articles a report is about: :func:`analysis.select_articles` on Dask.

    One pass over the partitions counts the rows each rule keeps and finds, for
    each story, the row the pandas engine keeps (the canonical copy when it is
    in the selection, else the first copy): memory grows with the number of
    stories (an id and two integers each), never with the text. The selection
    itself stays lazy.

    Returns
    -------
    (dask.dataframe.DataFrame, DataFrame)
        The selected articles (lazy, same rows and order as the pandas engine),
        and the table ``[step, rule, articles]``.

    Examples
    --------
    >>> kept, steps = select_articles(open_dask_corpus("data/corpus"), date_range="2022-03")  # doctest: +SKIP
    """
    import dask
    import dask.dataframe as dd
    import numpy as np
    from dask import delayed

    from analysis.corpus.selection import selection_rules, selection_steps

    rules = selection_rules(date_range=date_range, outlets=outlets, copies=copies, now=now)
    parts = _partitions(articles)
    passes = dask.compute(
        *[delayed(_selection_pass, pure=True)(p, i, rules) for i, p in enumerate(parts)]
    )
    counts = [sum(r[k] for r in passes) for k in ("n", "dates", "outlets")]
    rows: dict[int, Any] = {}
    unique = copies == "unique" and counts[2] > 0
    grouped = all(r["grouped"] for r in passes)
    if unique and grouped:
        stories = pd.concat([r["stories"] for r in passes], ignore_index=True)
        stories = stories.sort_values(["_dup", "_part", "_row"], kind="stable")
        stories = stories.drop_duplicates("story_id")
        rows = {int(i): np.sort(g.to_numpy()) for i, g in stories.groupby("_part")["_row"]}
        empty = np.empty(0, dtype=np.int64)
    pieces = [
        delayed(_selected_part)(p, rules, rows.get(i, empty) if unique and grouped else None)
        for i, p in enumerate(parts)
    ]
    with dask.config.set({"dataframe.convert-string": False}):  # columns keep their types
        selected = dd.from_delayed(pieces, meta=articles._meta, verify_meta=False)
    if unique and grouped:
        n_kept = sum(len(r) for r in rows.values())
    elif unique:
        if not all(r["flagged"] for r in passes):
            selected = find_duplicates(selected)
        selected = selected.map_partitions(_not_duplicate, meta=selected._meta)
        n_kept = row_count(selected)
    else:
        n_kept = counts[2]
    _ROW_COUNTS[selected._name] = n_kept
    return selected, selection_steps(rules, [*counts, n_kept])


def _one_group(part: pd.DataFrame, rules: dict, compare: str, label: str) -> pd.DataFrame:
    from analysis.corpus.selection import label_groups

    out = label_groups(part.reset_index(drop=True), rules, compare=compare)
    return out[(out["group"] == label).to_numpy(dtype=bool)].reset_index(drop=True)


def two_groups(
    articles: dd.DataFrame, *, compare: str = "outlet", a: str = "", b: str = ""
) -> dd.DataFrame:
    """
    Keep the articles of two groups, labelled in ``group``: :func:`analysis.two_groups` on Dask.

    One pass finds the groups (rows per value of the column, or the publication
    times for the two halves of the dates: one small value per article); the
    result stays lazy, the first group's rows before the second's, as from the
    pandas engine.

    Examples
    --------
    >>> two_groups(open_dask_corpus("data/corpus"), compare="outlet")  # doctest: +SKIP
    """
    import dask
    import dask.dataframe as dd
    from dask import delayed

    from analysis.corpus.selection import (
        combine_group_stats,
        group_rules,
        group_stats,
        label_groups,
    )

    if compare != "period" and compare not in articles.columns:
        raise ParameterError(f"compare {compare!r} is neither 'period' nor a column")
    stats: dict = {}
    if compare != "period" or not (a or b):
        column = "published" if compare == "period" else compare
        options = dict(compare=compare, a=a, b=b)
        stats = _fold(articles[[column]], group_stats, combine_group_stats, **options)
    rules = group_rules(stats, compare=compare, a=a, b=b)
    parts = _partitions(articles)
    pieces = [delayed(_one_group)(p, rules, compare, label) for label in rules for p in parts]
    meta = label_groups(articles._meta, rules, compare=compare)
    with dask.config.set({"dataframe.convert-string": False}):  # columns keep their types
        return dd.from_delayed(pieces, meta=meta, verify_meta=False)


def _aligned_column(table: pd.DataFrame, articles: pd.DataFrame, column: str) -> pd.DataFrame:
    from analysis.errors import AnalysisError
    from analysis.measures.overview import add_article_column as pandas_add

    found = table["article_id"].isin(articles["article_id"])
    if not found.all():
        raise AnalysisError(
            "add_article_column: a partition of the table holds articles of another "
            "partition; compute the table from the articles it is matched with"
        )
    return pandas_add(table, articles, column)


def _with_ids(part: pd.DataFrame, ids: frozenset) -> pd.DataFrame:
    return part[part["article_id"].isin(ids).to_numpy()]


def add_article_column(table: Any, articles: Any, column: str) -> Any:
    """
    Add a column of each row's article: :func:`analysis.add_article_column` with Dask tables.

    A Dask table made from the articles partition by partition (sentence scores,
    quotes) is matched partition by partition, lazily; a pandas table gets the
    column from the rows of its own articles only.

    Returns
    -------
    DataFrame or dask.dataframe.DataFrame
        Of the kind of ``table``.

    Examples
    --------
    >>> add_article_column(sentences, articles, "section")  # doctest: +SKIP
    """
    import dask.dataframe as dd

    from analysis.measures.overview import add_article_column as pandas_add
    from analysis.measures.overview import check_article_column

    if column in table.columns:
        return table
    check_article_column(table, articles, column)
    if not is_dask(table):
        ids = frozenset(table["article_id"].tolist())
        lookup = map_concat(articles[["article_id", column]], _with_ids, ids=ids)
        return pandas_add(table, lookup, column)
    if not is_dask(articles):
        meta = pandas_add(table._meta, articles.iloc[:0], column)
        return table.map_partitions(pandas_add, articles[["article_id", column]], column, meta=meta)
    if table.npartitions != articles.npartitions:
        raise ParameterError(
            "add_article_column: the table and the articles have different partitions; "
            "compute the table from these articles"
        )
    meta = pandas_add(table._meta, articles._meta, column)
    lookup = articles[["article_id", column]]
    return dd.map_partitions(
        _aligned_column, table, lookup, column, meta=meta, align_dataframes=False
    )


def _cached_part(
    part: pd.DataFrame, *, helper, name: str, cache_dir, options: dict
) -> pd.DataFrame:
    from analysis.corpus.cache import cached_by_article as pandas_cached

    folder = None
    if cache_dir is not None and str(cache_dir).strip() and Path(cache_dir).is_dir():
        folder = _partition_cache(cache_dir, part, name)
    return pandas_cached(helper, part, cache_dir=folder, name=name, **options)


def cached_by_article(
    func: Callable[..., pd.DataFrame],
    articles: dd.DataFrame,
    *,
    cache_dir: str | os.PathLike | None,
    name: str,
    **options: Any,
) -> dd.DataFrame:
    """
    Run a per-article helper on every partition, reusing cached rows: :func:`analysis.cached_by_article` on Dask.

    Each partition keeps its rows under ``<cache_dir>/dask_cache/<name>/``
    (named after its first article), so a rerun processes only new or changed
    articles; on a cluster the folder must be one every worker can write.

    Returns
    -------
    dask.dataframe.DataFrame
        What ``func`` returns, rows in article order (lazy).

    Examples
    --------
    >>> quotes = cached_by_article(extract_quotes, articles, cache_dir="data/corpus", name="quotes")  # doctest: +SKIP
    """
    from analysis.corpus.cache import check_cache_request

    check_cache_request(articles, name)
    return _per_article(
        articles,
        _cached_part,
        {"cache_dir": None},
        helper=func,
        name=name,
        cache_dir=cache_dir,
        options=options,
    )


def tone_by(scores: dd.DataFrame, *, by: Any = "outlet", **options: Any) -> pd.DataFrame:
    """
    Mean tone per group with a bootstrap interval: :func:`analysis.tone_by` on Dask scores.

    The bootstrap resamples single scores, so the columns it reads (groups,
    date, score, cluster) are computed, one small row per scored article or
    sentence; the rest of the table is not.

    Examples
    --------
    >>> tone_by(article_sentiment(articles), by="outlet")  # doctest: +SKIP
    """
    from analysis.measures import wordtable as wt
    from analysis.measures.sentiment import tone_by as pandas_tone

    wanted = [
        *wt.as_list(by),
        options.get("date_col", "published"),
        options.get("value", "compound"),
        options.get("cluster"),
    ]
    return pandas_tone(collect(scores, _present(scores, wanted)), by=by, **options)


def _mentioning(part: pd.DataFrame, *, targets: Any, categories: Any, exclusive: bool):
    from analysis.measures.sentiment import mentions

    flags = mentions(part["sentence"].tolist(), targets, categories=categories)
    hits = flags.sum(axis=1).to_numpy()
    return part[hits == 1] if exclusive else part[hits > 0]


def targeted_tone(
    sentences: dd.DataFrame,
    targets: Any,
    *,
    categories: Sequence[str] | None = None,
    exclusive: bool = False,
    **options: Any,
) -> pd.DataFrame:
    """
    Tone of the sentences that mention a target: :func:`analysis.targeted_tone` on Dask.

    Each partition keeps only its sentences that mention a target, with the
    columns the measurement reads; the pandas engine then measures those, so
    memory grows with the matching sentences.

    Examples
    --------
    >>> targeted_tone(sentence_sentiment(articles), {"talks": "talks"})  # doctest: +SKIP
    """
    from analysis.errors import SchemaError
    from analysis.measures import wordtable as wt
    from analysis.measures.sentiment import targeted_tone as pandas_targeted

    for col in ("sentence", "compound", "article_id"):
        if col not in sentences.columns:
            raise SchemaError(col, "missing; pass the table from sentence_sentiment")
    by = options.get("by", "outlet")
    wanted = ["sentence", "compound", "article_id", *wt.as_list(by), "published"]
    matched = map_concat(
        sentences[_present(sentences, wanted)],
        _mentioning,
        targets=targets,
        categories=categories,
        exclusive=exclusive,
    )
    if not len(matched.columns):  # no partition at all
        matched = sentences._meta
    return pandas_targeted(matched, targets, categories=categories, exclusive=exclusive, **options)


def _extreme_candidates(
    part: pd.DataFrame, *, by: Any, n: int, value: str, min_words: int
) -> pd.DataFrame:
    """
    Every row whose score reaches the ``n``-th most extreme distinct sentence of its group.

    A sentence among the ``n`` most extreme of the whole table is among them in
    every partition where it occurs (any sentence ahead of it there is ahead of it
    overall), so all its copies are kept and the pandas engine finds the same
    sentences, ranks and copy counts in the kept rows.
    """
    import numpy as np

    from analysis.measures.sentiment import _group_keys

    table, keys = _group_keys(part, by, None, "published")
    table = table[table[value].notna()]
    if min_words:
        table = table[table["sentence"].str.split().str.len() >= min_words]
    keep = []
    for sign in (1, -1):
        side = table[table[value] * sign > 0]
        groups = side.groupby(keys, sort=False, dropna=False) if keys else [((), side)]
        for _, rows in groups:
            score = rows[value] * sign
            cut = score[~rows.duplicated([*keys, "sentence"])].nlargest(n).min()
            keep.append(rows.index[(score >= cut).to_numpy()])
    index = np.sort(np.concatenate(keep)) if keep else np.empty(0, dtype=np.int64)
    return part.loc[index]


def extreme_sentences(
    sentences: dd.DataFrame,
    *,
    by: Any = "outlet",
    n: int = 5,
    value: str = "compound",
    min_words: int = 0,
) -> pd.DataFrame:
    """
    The most positive and negative sentences per group: :func:`analysis.extreme_sentences` on Dask.

    Each partition keeps the rows that can be among the ``n`` most extreme
    (with every copy of them, for the copy counts); the pandas engine then ranks
    those. Memory grows with ``n`` times the groups and partitions.

    Examples
    --------
    >>> extreme_sentences(sentence_sentiment(articles), n=2)  # doctest: +SKIP
    """
    from analysis.errors import SchemaError
    from analysis.measures import wordtable as wt
    from analysis.measures.sentiment import extreme_sentences as pandas_extreme

    for col in (value, "sentence", "article_id"):
        if col not in sentences.columns:
            raise SchemaError(col, "missing; pass the table from sentence_sentiment")
    if not isinstance(n, int) or n < 1:
        raise ParameterError(f"n must be a positive int, got {n!r}")
    options = dict(by=by, n=n, value=value, min_words=min_words)
    wanted = [*wt.as_list(by), "published", value, "sentence", "article_id"]
    candidates = map_concat(sentences[_present(sentences, wanted)], _extreme_candidates, **options)
    if not len(candidates.columns):
        candidates = sentences._meta
    return pandas_extreme(candidates, **options)


def who_is_quoted(quotes: dd.DataFrame, *, by: Any = "outlet", **options: Any) -> pd.DataFrame:
    """
    Rank who is quoted per group: :func:`analysis.who_is_quoted` on Dask quotes.

    The columns it reads (groups, article, speaker, kind) are computed, one
    small row per quote; the quoted text is not.

    Examples
    --------
    >>> who_is_quoted(extract_quotes(articles), by="outlet")  # doctest: +SKIP
    """
    from analysis.measures import wordtable as wt
    from analysis.measures.quotes import who_is_quoted as pandas_who

    wanted = [*wt.as_list(by), "article_id", "speaker", "anonymous", "kind"]
    return pandas_who(collect(quotes, _present(quotes, wanted)), by=by, **options)


#: Columns of a grouped dictionary or trend table that add up across partitions.
_ADDITIVE = ["count", "n_articles", "articles_with_hits", "n_words"]


def _combine_matches(parts: list[pd.DataFrame], keys: list[str], label: str) -> pd.DataFrame:
    """Add grouped dictionary counts of partitions and recompute their rates (pandas formulas)."""
    import numpy as np

    parts = [p for p in parts if len(p)] or parts[:1]
    both = pd.concat(parts, ignore_index=True)
    for col in keys:  # a group key with a missing value is text for the pandas engine
        if len({str(p[col].dtype) for p in parts}) > 1:
            both[col] = both[col].astype("string")
    out = both.groupby([*keys, label], sort=False, dropna=False)[_ADDITIVE].sum().reset_index()
    out = out.sort_values(keys, kind="stable").reset_index(drop=True) if keys else out
    words = out["n_words"]
    out["per_10k"] = np.where(words > 0, out["count"] * 10_000 / words.where(words > 0, 1), np.nan)
    if "share_articles" in both.columns:
        out["share_articles"] = out["articles_with_hits"] / out["n_articles"].where(
            out["n_articles"] > 0
        )
    return out[list(both.columns)]


def _match_counts(
    articles: dd.DataFrame,
    func: Callable[..., pd.DataFrame],
    what: Any,
    *,
    by: Any,
    freq: Any,
    label: str,
    unique_stories: bool,
    english_only: bool,
) -> pd.DataFrame:
    import dask

    from analysis.measures import wordtable as wt

    table = _rows_for(articles, unique_stories, {})
    options = dict(by=by, freq=freq, unique_stories=unique_stories, english_only=english_only)
    keys = [*wt.as_list(by), *(["period"] if freq else [])]
    if not keys:
        return map_concat(table, _call_with, func=func, what=what, options=options)
    from dask import delayed

    pieces = [
        delayed(_call, pure=True)(_call_with, p, {"func": func, "what": what, "options": options})
        for p in _partitions(table)
    ]
    return _combine_matches(list(dask.compute(*pieces)), keys, label)


def _call_with(part: pd.DataFrame, *, func: Callable[..., pd.DataFrame], what: Any, options: dict):
    return func(part, what, **options)


def dictionary_counts(
    articles: dd.DataFrame,
    dictionary: Any,
    *,
    by: str | Sequence[str] | None = None,
    freq: Literal["D", "W", "M"] | None = None,
    unique_stories: bool = False,
    english_only: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """
    Count dictionary categories partition by partition: :func:`analysis.dictionary_counts` on Dask.

    Matches, articles, articles with a match and tokens per group add up across
    partitions; rates and shares are then computed on the totals. Without
    ``by`` or ``freq`` the per-article rows are concatenated. ``cache_dir`` is
    accepted and ignored.

    Examples
    --------
    >>> dictionary_counts(articles, {"talks": ["talks"]}, by="outlet")  # doctest: +SKIP
    """
    from collections.abc import Mapping

    from analysis.measures.dictionaries import Dictionary, load_dictionary
    from analysis.measures.dictionaries import dictionary_counts as pandas_counts

    book = dictionary if isinstance(dictionary, Mapping) else load_dictionary(dictionary)
    if not isinstance(book, Dictionary):
        book = load_dictionary(book)
    return _match_counts(
        articles,
        pandas_counts,
        book,
        by=by,
        freq=freq,
        label="category",
        unique_stories=unique_stories,
        english_only=english_only,
    )


def term_trends(
    articles: dd.DataFrame,
    terms: Any,
    *,
    freq: Literal["D", "W", "M"] = "W",
    by: str | Sequence[str] | None = "outlet",
    unique_stories: bool = False,
    english_only: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """
    Rate of terms per period and group: :func:`analysis.term_trends` on Dask.

    Counted as :func:`dictionary_counts` (``cache_dir`` accepted and ignored).

    Examples
    --------
    >>> term_trends(articles, ["ceasefire", "talks"], freq="W", by=None)  # doctest: +SKIP
    """
    from analysis.measures.dictionaries import as_dictionary
    from analysis.measures.terms import term_trends as pandas_trends

    as_dictionary(terms, "term_trends")  # a bad term fails here, not on a worker
    return _match_counts(
        articles,
        pandas_trends,
        terms,
        by=by,
        freq=freq,
        label="term",
        unique_stories=unique_stories,
        english_only=english_only,
    )


# ---------------------------------------------------------------------------
# The same names on both engines
# ---------------------------------------------------------------------------

#: Helpers with a Dask version here: public name -> function of this module.
DASK_VERSIONS: dict[str, Callable[..., Any]] = {
    "term_counts": term_counts,
    "keyness": keyness,
    "volume": volume,
    "kwic": kwic,
    "sentence_sentiment": sentence_sentiment,
    "article_sentiment": article_sentiment,
    "extract_quotes": extract_quotes,
    "find_duplicates": find_duplicates,
    "term_trends": term_trends,
    "dictionary_counts": dictionary_counts,
    "tone_by": tone_by,
    "targeted_tone": targeted_tone,
    "extreme_sentences": extreme_sentences,
    "who_is_quoted": who_is_quoted,
    "corpus_overview": corpus_overview,
    "tally": tally,
    "n_groups": n_groups,
    "select_articles": select_articles,
    "two_groups": two_groups,
    "require_articles": require_articles,
    "add_article_column": add_article_column,
    "cached_by_article": cached_by_article,
}


def engine_aware(func: Callable[..., Any]) -> Callable[..., Any]:
    """
    Wrap a pandas helper so that, given a Dask table, it runs its Dask version.

    Lets a notebook call ``analysis.term_counts(articles)`` whichever engine
    opened ``articles``: any Dask table among the arguments (the articles, a
    reference corpus, the table of :func:`add_article_column`) selects the Dask
    version. A helper without a Dask version is returned unchanged.

    Examples
    --------
    >>> from analysis.measures.terms import term_counts as pandas_counts
    >>> counts = engine_aware(pandas_counts)
    >>> df = pd.DataFrame({"text": ["Talks stall", "talks resume"]})
    >>> counts(df, stopwords=None)["term"].tolist()
    ['talks', 'resume', 'stall']
    """
    dask_version = DASK_VERSIONS.get(getattr(func, "__name__", ""))
    if dask_version is None or dask_version is func:
        return func
    return _EngineAware(func, dask_version)


class _EngineAware:
    """A pandas helper that hands Dask tables to its Dask version (picklable, unlike a closure)."""

    def __init__(self, func: Callable[..., Any], dask_version: Callable[..., Any]):
        import functools

        functools.update_wrapper(self, func)  # name, docstring, signature of the pandas helper
        self.func, self.dask_version = func, dask_version

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if any(is_dask(a) for a in (*args, *kwargs.values())):
            return self.dask_version(*args, **kwargs)
        return self.func(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<{self.func.__module__}.{self.func.__qualname__} on pandas or Dask>"


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def add_engine_arguments(parser: Any) -> None:
    """
    Add ``--engine {pandas,dask}`` and ``--scheduler ADDRESS`` to a command's parser.

    A command then opens its corpus with
    ``open_corpus_engine(args.corpus, args.engine, scheduler=args.scheduler)``.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_engine_arguments(p)
    >>> p.parse_args(["--engine", "dask"]).engine
    'dask'
    """
    parser.add_argument(
        "--engine",
        choices=("pandas", "dask"),
        default="pandas",
        help="pandas (in memory) or dask (partitioned, for corpora bigger than memory)",
    )
    _scheduler_argument(parser)


def _scheduler_argument(parser: Any) -> None:
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help=f"Dask scheduler of an existing cluster (default: ${SCHEDULER_ENV}, else a local cluster)",
    )


def _cmd_info(args: Any) -> int:
    client = get_client(args.scheduler)
    info = client.scheduler_info()
    workers = info.get("workers", {})
    print(f"scheduler {info.get('address', '?')}: {len(workers)} workers")
    for address, w in sorted(workers.items()):
        memory = (w.get("memory_limit") or 0) / 2**30
        print(f"  {address}  threads={w.get('nthreads')}  memory_limit={memory:.1f} GiB")
    client.close()
    return 0


def _cmd_duplicates(args: Any) -> int:
    client = get_client(args.scheduler)
    try:
        n = update_duplicates(args.corpus, scratch_dir=args.scratch)
    finally:
        client.close()
    print(
        f"{n} articles are copies of another story; groups stored in {Path(args.corpus) / DUPLICATES}"
    )
    return 0


def register_cli(sub: Any) -> None:
    """Add ``dask-info`` and ``dask-duplicates`` to the command line."""
    from analysis.paths import default_corpus_dir

    p = sub.add_parser("dask-info", help="show the Dask cluster the engine would use")
    _scheduler_argument(p)
    p.set_defaults(func=_cmd_info)
    p = sub.add_parser(
        "dask-duplicates",
        help="find story groups of a large corpus on a Dask cluster (after ingest --no-duplicates)",
    )
    p.add_argument("--corpus", default=str(default_corpus_dir()), help="corpus folder")
    p.add_argument(
        "--scratch", default=None, help="folder for MinHash signatures (shared on a cluster)"
    )
    add_engine_arguments(p)
    p.set_defaults(func=_cmd_duplicates)
