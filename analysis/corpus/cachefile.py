"""
Cache files kept in a corpus folder: read whole and checked, written atomically, never fatal.

A measure that keeps work between runs (sentence scores, bootstrap intervals,
per-article term counts, per-article rows) names its file and says what it
holds; this module does the reading and writing. A cache is only ever a
shortcut, so whatever happens to its file the numbers stay those of a run
without it:

- a file that is missing gives ``None``;
- a file that is cut short, is not a table of its format, fails its checksum
  (a CRC-32 of an Arrow file's bytes; Parquet's page checksums), lacks a
  column, or was written for another version of the cache gives ``None`` and
  one warning naming it, and the measure's next write replaces it;
- a write goes to a hidden file beside the target and is renamed over it, so a
  reader sees the old file or the new one, never half a file; a write that fails
  (a read-only folder, a full disk) leaves no file behind, logs one warning, and
  the run goes on without the cache.

Each file is named in at most one warning per process until it is written
whole again, however often a measure asks for it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from analysis.paths import replace_atomically

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Key of a cache file's schema metadata holding the version of the cache it was written for.
VERSION_META = b"analysis.cache_version"
#: The version of a file without the version key: every cache of this module is "1" or later,
#: and the files written before the key existed were all of that first version.
FIRST_VERSION = "1"
#: The column where earlier sentence-score caches kept their version (dropped on reading).
_OLD_VERSION_COLUMN = "cache_version"
#: Key of the custom metadata of an Arrow cache file's last, empty record batch:
#: ``b"<length>:<crc32>"`` of the file's bytes before that batch.
CHECKSUM_META = b"analysis.checksum"
#: Rows per record batch of an Arrow cache file (as ``pyarrow.feather.write_feather``).
BATCH_ROWS = 64 * 1024

#: Cache files named in a warning by this process, until they are written whole again.
_WARNED: set[str] = set()
#: Parsed contents of cache files, one file per cache name: ``name -> (path, stamp, value)``.
_HELD: dict[str, tuple[str, tuple | None, Any]] = {}


class CacheFile:
    """
    One cache file in a folder: Arrow IPC (``.arrow``, LZ4) or Parquet (``.parquet``).

    Parameters
    ----------
    folder : path-like, None or False
        Where the file lives (a corpus folder); ``None``, ``False`` or ``""``
        means no cache: :meth:`read` gives ``None`` and :meth:`write` writes nothing.
    name : str
        File name; its suffix chooses the format. Arrow IPC is for caches read
        back whole and often (written about three and read about eight times
        faster than Parquet).
    version : str, default "1"
        Version of what the file holds; a file of another version is not read.
    columns : sequence of str, default ()
        Columns a file must have to be read.
    replaces : sequence of str, default ()
        Names of files of earlier versions of this cache, removed beside it once
        it is written.
    what : str, default "cache"
        What the file holds, for the log (``"sentiment cache"``).

    Examples
    --------
    >>> import tempfile, pyarrow as pa
    >>> scores = CacheFile(tempfile.mkdtemp(), "scores.arrow", columns=["id"])
    >>> scores.read() is None
    True
    >>> scores.write(pa.table({"id": ["a", "b"]}))
    True
    >>> scores.read().column("id").to_pylist()
    ['a', 'b']
    """

    def __init__(
        self,
        folder: str | os.PathLike | None,
        name: str,
        *,
        version: str = FIRST_VERSION,
        columns: Sequence[str] = (),
        replaces: Sequence[str] = (),
        what: str = "cache",
    ) -> None:
        if Path(name).suffix not in (".arrow", ".parquet") or Path(name).name != name:
            raise ValueError(f"cache file {name!r}: a file name ending in .arrow or .parquet")
        self.name = name
        self.path = Path(folder) / name if folder and str(folder).strip() else None
        self.version = str(version)
        self.columns = tuple(columns)
        self.replaces = tuple(replaces)
        self.what = what

    def __repr__(self) -> str:
        return f"CacheFile({str(self.path or self.name)!r}, version={self.version!r})"

    def read(self) -> Any:
        """
        Return the file as a ``pyarrow.Table``, or None when it is missing or cannot be used.

        A file that cannot be used (cut short, garbage, another version, a
        column missing) is named in one warning per process.
        """
        if self.path is None:
            return None
        try:
            table = _read(self.path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except Exception as exc:  # whatever the bytes are: no cache, never a traceback
            self._unusable(f"unreadable ({type(exc).__name__}: {exc})")
            return None
        return self._checked(table)

    def load(self, parse: Callable[[Any], T]) -> T | None:
        """
        Return ``parse(self.read())``, reused within the process while the file is unchanged.

        One parsed file is held per cache name (the last one loaded or kept with
        :meth:`write`), so a second call on an unchanged file costs nothing. A
        ``parse`` that fails on the table counts as a damaged file.
        """
        if self.path is None:
            return None
        stamp = _stamp(self.path)
        held = _HELD.get(self.name)
        if held is not None and held[:2] == (str(self.path), stamp):
            return held[2]
        table = self.read()
        if table is None:
            return None
        try:
            value = parse(table)
        except Exception as exc:  # a table of the right columns holding nonsense
            self._unusable(f"unreadable ({type(exc).__name__}: {exc})")
            return None
        _HELD[self.name] = (str(self.path), stamp, value)
        return value

    def write(self, table: Any, *, keep: Any = None) -> bool:
        """
        Write ``table`` (a ``pyarrow.Table`` or a DataFrame) atomically; return whether it was written.

        A write that fails (read-only folder, full disk, missing folder) leaves
        the old file and no temporary one, and is named in one warning per
        process. ``keep`` is the parsed form of ``table``, for :meth:`load` to
        return without reading the file again (even when the write failed, for
        the rest of the process).
        """
        if self.path is None:
            return False
        try:
            table = self._marked(table)
            _write(table, self.path)
        except (OSError, ValueError) as exc:
            self._warn(f"not written ({exc}); going on without it")
            written = False
        else:
            _WARNED.discard(str(self.path))  # whole again: a later damage is named again
            written = True
            for old in self.replaces:
                with contextlib.suppress(OSError):  # left behind, it is only never read
                    self.path.with_name(old).unlink(missing_ok=True)
        if keep is not None:
            _HELD[self.name] = (str(self.path), _stamp(self.path), keep)
        return written

    def _marked(self, table: Any) -> Any:
        import pyarrow as pa

        if not isinstance(table, pa.Table):
            table = pa.Table.from_pandas(table, preserve_index=False)
        meta = {**(table.schema.metadata or {}), VERSION_META: self.version.encode()}
        return table.replace_schema_metadata(meta)

    def _checked(self, table: Any) -> Any:
        """The table when it is whole and of this cache's version and columns, else None."""
        meta = table.schema.metadata or {}
        if VERSION_META in meta:
            found = meta[VERSION_META].decode("utf-8", "replace")
        elif _OLD_VERSION_COLUMN in table.column_names:
            found = _old_version(table.column(_OLD_VERSION_COLUMN))
            table = table.drop_columns([_OLD_VERSION_COLUMN])
        else:
            found = FIRST_VERSION
        if found != self.version:
            self._unusable(f"written for version {found!r} of the cache, not {self.version!r}")
            return None
        missing = [c for c in self.columns if c not in table.column_names]
        if missing:
            self._unusable(f"has no column {missing[0]!r}")
            return None
        try:
            table.validate()  # lengths and offsets agree with the data
        except Exception as exc:
            self._unusable(f"inconsistent ({exc})")
            return None
        return table

    def _unusable(self, why: str) -> None:
        self._warn(f"{why}; computing again, and the next write replaces it")

    def _warn(self, message: str) -> None:
        key = str(self.path)
        if key in _WARNED:
            log.info("%s %s: %s", self.what, self.path, message)
        else:
            _WARNED.add(key)
            log.warning("%s %s: %s", self.what, self.path, message)


def forget() -> None:
    """Drop every parsed cache file held and every warning given, as a new process would start."""
    _HELD.clear()
    _WARNED.clear()


def _read(path: Path) -> Any:
    """The table a cache file holds, its checksum verified when it has one."""
    import pyarrow as pa

    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path, page_checksum_verification=True)
    data = path.read_bytes()
    reader = pa.ipc.open_file(pa.py_buffer(data))
    n = reader.num_record_batches
    if n:
        last, meta = reader.get_batch_with_custom_metadata(n - 1)
        if last.num_rows == 0 and meta is not None and CHECKSUM_META in meta:
            length, crc = (int(x) for x in meta[CHECKSUM_META].split(b":"))
            if length > len(data) or zlib.crc32(memoryview(data)[:length]) != crc:
                raise ValueError("its bytes fail the checksum written with them")
            n -= 1
    return pa.Table.from_batches([reader.get_batch(i) for i in range(n)], schema=reader.schema)


def _write(table: Any, path: Path) -> None:
    """
    Write a cache file atomically: Parquet with page checksums, or Arrow IPC (LZ4)
    ending in an empty record batch that carries the length and CRC-32 of the bytes before it.

    A byte changed in an LZ4 block often decompresses without complaint; the
    checksum tells such a file from a whole one.
    """
    import pyarrow as pa

    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        replace_atomically(path, lambda tmp: pq.write_table(table, tmp, write_page_checksum=True))
        return

    def write(tmp: Path) -> None:
        options = pa.ipc.IpcWriteOptions(compression="lz4")
        with open(tmp, "wb") as raw:
            sink = _Summed(raw)
            batches = table.to_batches(max_chunksize=BATCH_ROWS)
            with pa.ipc.new_file(sink, table.schema, options=options) as writer:
                for batch in batches:
                    writer.write_batch(batch)
                check = f"{sink.length}:{sink.crc}".encode()
                end = _no_rows(table.schema, batches[-1] if batches else None)
                writer.write_batch(end, custom_metadata={CHECKSUM_META: check})

    replace_atomically(path, write)


def _no_rows(schema: Any, like: Any) -> Any:
    """
    A record batch without rows whose dictionaries are those of ``like`` (an Arrow
    file holds one dictionary a column). Not a slice of ``like``: a slice of no
    rows would still carry, and have written, all of its string data.
    """
    import pyarrow as pa

    columns = [
        pa.DictionaryArray.from_arrays(pa.array([], field.type.index_type), column.dictionary)
        if like is not None and pa.types.is_dictionary(field.type)
        else pa.array([], field.type)
        for field, column in zip(schema, like.columns if like is not None else schema)
    ]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


class _Summed:
    """A binary file that keeps the length and CRC-32 of what is written to it."""

    def __init__(self, raw: Any) -> None:
        self.raw, self.length, self.crc = raw, 0, 0
        self.closed = False

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.crc = zlib.crc32(view, self.crc)
        self.length += view.nbytes
        return self.raw.write(view)

    def flush(self) -> None:
        self.raw.flush()

    def close(self) -> None:
        self.closed = True

    def tell(self) -> int:
        return self.length


def _stamp(path: Path) -> tuple | None:
    """What tells one state of a file from another: inode, size and modification time."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _old_version(column: Any) -> str:
    """The version an earlier cache kept in a column: its one value, else ``"mixed"``."""
    values = column.unique().to_pylist()
    if not values:  # an empty table: nothing in it can be of the wrong version
        return FIRST_VERSION
    return str(values[0]) if len(values) == 1 else "mixed"
