"""The articles table on disk: ``articles.parquet``, one file or a folder of part files written in bounded chunks."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from analysis.errors import InputError, ParameterError

log = logging.getLogger(__name__)

#: Rows per part file when a corpus is written in chunks.
ROWS_PER_FILE = 50_000


#: Name of the articles table inside a corpus folder (a file or a folder of parts).
ARTICLES = "articles.parquet"


#: Story fields found over the whole corpus, beside the articles.
DUPLICATES = "duplicates.parquet"


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


def part_files(path: Path) -> list[Path]:
    """Part files of a Parquet dataset folder in name order (the row order of the corpus)."""
    files = sorted(
        p for p in path.rglob("*.parquet") if p.is_file() and not hidden(p.relative_to(path))
    )
    if not files:
        raise InputError(path, "Parquet folder holds no part files")
    return files


def hidden(rel: Path) -> bool:
    return any(part.startswith((".", "_")) for part in rel.parts)


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
    files = part_files(path) if path.is_dir() else [path]
    for file in files:
        for batch in pq.ParquetFile(file).iter_batches(batch_size=rows):
            yield batch.to_pandas()


def remove_unfinished(corpus: Path) -> int:
    """
    Remove the files a run left half-written in a corpus folder; return how many.

    Those are the hidden ``.*.tmp`` files of atomic writes (in the folder, its
    articles and its query index) and the ``.*.new`` parts not yet renamed in.
    Called by ``ingest`` while it holds the folder's lock, so none is another run's.
    """
    removed = 0
    for folder in (corpus, corpus / ARTICLES, corpus / "query_index"):
        if not folder.is_dir():
            continue
        for leftover in [*folder.glob(".*.tmp"), *folder.glob(".*.new")]:
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink(missing_ok=True)
            removed += 1
    return removed


#: System errors that say the disk or the folder takes no more writes.
_FULL = {"ENOSPC", "EDQUOT", "EFBIG"}
_READ_ONLY = {"EROFS", "EACCES", "EPERM"}


@contextlib.contextmanager
def written_whole_or_not(corpus: Path) -> Iterator[None]:
    """
    Run a write to a corpus folder; when a system error stops it (a full disk, a
    read-only folder), remove what it left half-written and raise :class:`InputError`
    naming the folder and the reason, instead of a traceback.
    """
    try:
        yield
    except OSError as exc:
        with contextlib.suppress(OSError):
            remove_unfinished(corpus)
        code = errno.errorcode.get(exc.errno or 0, "")
        where = f" ({exc.filename})" if exc.filename else ""
        if code in _FULL:
            reason = "the disk is full"
        elif code in _READ_ONLY:
            reason = "the folder cannot be written"
        else:
            reason = "a file could not be written"
        raise InputError(
            corpus,
            f"ingest stopped, {reason}: {exc.strerror or exc}{where}. The files it had begun "
            "were removed and the corpus still opens; run ingest again when there is room",
        ) from exc
