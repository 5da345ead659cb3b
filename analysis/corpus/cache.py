"""The per-article cache: rows a helper computed for each article, kept beside the corpus and reused."""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.corpus.cachefile import CacheFile
from analysis.errors import ParameterError
from analysis.paths import (
    SAFE_NAME,
    write_arrow,
)

log = logging.getLogger(__name__)


_PREPARED_META = b"analysis.prepared"
#: Key of the cache's metadata naming the version of the helper's code its rows came from.
_CODE_META = b"analysis.code"


def cached_by_article(
    func: Any,
    articles: pd.DataFrame,
    *,
    cache_dir: str | Path | None,
    name: str,
    **options: Any,
) -> pd.DataFrame:
    """
    Run a per-article helper, reusing the rows it gave for unchanged articles last time.

    For helpers whose rows for one article depend only on that article (such as
    ``analysis.extract_quotes``), so that a scheduled report after a few new files
    processes only those. Rows are kept in ``<cache_dir>/cache_<name>_<options hash>.arrow``,
    keyed by article id and a hash of the text; other options give another file.

    Parameters
    ----------
    func : callable
        ``func(articles, **options)`` returning a table with an ``article_id`` column.
    articles : DataFrame
        Articles table with ``article_id`` and ``text``.
    cache_dir : str, Path or None
        Folder for the cache (the corpus folder); None or "" computes without caching.
    name : str
        Cache name: letters, digits, '.', '-', '_'.

    Returns
    -------
    DataFrame
        What ``func(articles, **options)`` returns, rows in article order.

    Examples
    --------
    >>> import tempfile
    >>> count = lambda df: df[["article_id"]].assign(n=df["text"].str.len())
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "text": ["one", "three"]})
    >>> cached_by_article(count, arts, cache_dir=tempfile.mkdtemp(), name="n")["n"].tolist()
    [3, 5]
    """
    check_cache_request(articles, name)
    if not cache_dir or not str(cache_dir).strip() or not Path(cache_dir).is_dir():
        return func(articles, **options)
    rows_file = _rows_file(cache_dir, name, options)
    rows_store, keys_store = _stores(rows_file)
    keys = _article_keys(articles)
    code = code_version(func)
    done: set[str] = set()
    old = rows_store.read()
    kept = None if old is None else keys_store.read()
    if kept is None:
        old = None
    elif (kept.schema.metadata or {}).get(_CODE_META, b"").decode() != code:
        log.info("cache %s: kept by other code; every article again", rows_file.name)
        old = None
    else:
        done = set(kept.column("key").to_pylist())
        old = _rows_of(old)
        old = old[old["_key"].isin(done).to_numpy()]  # rows written without their keys: again
    wanted = ~keys.isin(done).to_numpy()  # by position: the index may repeat labels
    todo, todo_keys = articles[wanted], keys[wanted]
    log.debug("%s: %d of %d articles to process", name, len(todo), len(articles))
    ready, rest = None, todo  # rows prepared ahead of the run, and the articles left to do
    if len(todo):
        from analysis.text.nlp import use_prepared_spans

        use_prepared_spans(cache_dir)  # sentences split ahead of the run, if any
        ready, found = _prepared_rows(rows_file, func, set(todo_keys))
        if found:
            rest = todo[~todo_keys.isin(found).to_numpy()]
    new = func(rest, **options) if len(todo) or old is None else None
    if ready is not None:
        new = pd.concat([t for t in (ready, new) if len(t)] or [new], ignore_index=True)
    by_id = dict(zip(articles["article_id"].astype(str), keys))
    if new is not None:
        new = new.assign(_key=new["article_id"].astype(str).map(by_id))
    parts = [t for t in (old, new) if t is not None and len(t)]
    table = pd.concat(parts, ignore_index=True) if parts else (new if new is not None else old)
    if new is not None and len(todo) and rows_store.write(table):
        import pyarrow as pa

        kept = pa.table({"key": sorted(done | set(todo_keys))})
        keys_store.write(kept.replace_schema_metadata({_CODE_META: code.encode()}))
    if "_key" not in table.columns:
        return table.reset_index(drop=True)
    # the rows of the wanted versions, in article order (a repeated article: its last place)
    last = ~keys.duplicated(keep="last").to_numpy()
    place = pd.Index(keys[last]).get_indexer(table["_key"])
    place = np.where(place >= 0, np.flatnonzero(last)[place], -1)
    rows = np.flatnonzero(place >= 0)
    rows = rows[np.argsort(place[rows], kind="stable")]
    if len(rows) != len(table) or (rows != np.arange(len(rows))).any():
        table = table.iloc[rows]
    return table.drop(columns="_key").reset_index(drop=True)


def _stores(rows_file: Path) -> tuple[CacheFile, CacheFile]:
    """The cache files of :func:`cached_by_article`: its rows, and the keys of the articles done."""
    keys_file = rows_file.with_name(rows_file.stem + "_keys.arrow")
    return tuple(
        CacheFile(
            path.parent,
            path.name,
            columns=[column],
            replaces=[path.with_suffix(".parquet").name],  # the file of earlier versions
            what="per-article cache",
        )
        for path, column in ((rows_file, "_key"), (keys_file, "key"))
    )


def _rows_file(cache_dir, name: str, options: Mapping[str, Any]) -> Path:

    tag = hashlib.blake2b(repr(sorted(options.items())).encode(), digest_size=4).hexdigest()
    return Path(cache_dir) / f"cache_{name}_{tag}.arrow"


def code_version(func: Any) -> str:
    """
    A short hash of the source of ``func``'s module and of the modules named after it.

    For ``analysis.measures.quotes`` that covers ``quotes_lexicon``,
    ``quotes_speakers`` and the rest, so a change to any of their rules (an
    upgrade) gives another version, and rows cached by the old rules are not
    served again. A function whose source file cannot be read has version ``"0"``.
    """
    module = getattr(func, "__module__", None)
    if not module:
        return "0"
    h = hashlib.blake2b(digest_size=4)
    found = False
    for mod_name in sorted(sys.modules):
        if mod_name != module and not mod_name.startswith((module + "_", module + ".")):
            continue
        file = getattr(sys.modules[mod_name], "__file__", None)
        if file and file.endswith(".py") and Path(file).is_file():
            h.update(mod_name.encode() + b"\0" + Path(file).read_bytes())
            found = True
    return h.hexdigest() if found else "0"


def _article_keys(articles: pd.DataFrame) -> pd.Series:
    """Cache keys of :func:`cached_by_article`: article id and a hash of the text."""

    def digest(text: Any) -> str:
        return hashlib.blake2b(
            str(text).encode("utf-8", "surrogatepass"), digest_size=8
        ).hexdigest()

    return articles["article_id"].astype(str) + ":" + articles["text"].fillna("").map(digest)


def _prepared_file(rows_file: Path) -> Path:
    """Where :func:`prepare_by_article` keeps rows for the cache ``rows_file``."""
    return rows_file.with_name(rows_file.stem + "_prepared.arrow")


def _helper_name(func: Any) -> str:
    return f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', repr(func))}"


def prepare_by_article(
    func: Any,
    articles: pd.DataFrame,
    *,
    cache_dir: str | Path,
    name: str,
    run_with: Mapping[str, Any] | None = None,
    **options: Any,
) -> int:
    """
    Run a per-article helper now and keep its rows for a later
    :func:`cached_by_article` call with the same helper, name and options, which
    takes them instead of running the helper on those articles (its own cache is
    left to it). A scheduled report uses this to process new articles on a second
    core while its notebook starts. The file is replaced on each call; returns the
    number of articles processed.

    ``run_with`` are arguments that do not change the rows (``n_jobs``): passed to
    the helper, not part of the options the rows are kept for.
    """
    import pyarrow as pa

    check_cache_request(articles, name)
    keys = _article_keys(articles)
    rows = func(articles, **options, **dict(run_with or {}))
    rows = rows.assign(
        _key=rows["article_id"].astype(str).map(dict(zip(articles["article_id"].astype(str), keys)))
    )
    table = pa.Table.from_pandas(rows, preserve_index=False)
    record = json.dumps(
        {"helper": _helper_name(func), "code": code_version(func), "keys": sorted(set(keys))}
    ).encode()
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), _PREPARED_META: record})
    write_arrow(table, _prepared_file(_rows_file(cache_dir, name, options)))
    return len(articles)


def _prepared_rows(
    rows_file: Path, func: Any, wanted: set[str]
) -> tuple[pd.DataFrame | None, set[str]]:
    """The rows :func:`prepare_by_article` kept for the ``wanted`` keys, and those keys."""
    path = _prepared_file(rows_file)
    if not path.is_file():
        return None, set()
    try:
        table = _read_table(path)  # once: the list of articles and their rows agree
        record = json.loads(table.schema.metadata[_PREPARED_META])
        if record["helper"] != _helper_name(func) or record.get("code") != code_version(func):
            return None, set()
        found = wanted & set(record["keys"])
        if not found:
            return None, set()
        rows = _rows_of(table)
    except Exception as exc:  # a torn or foreign file: the helper runs as usual
        log.info("prepared rows %s not used (%s)", path.name, exc)
        return None, set()
    rows = rows[rows["_key"].isin(found).to_numpy()].drop(columns="_key")
    return rows.reset_index(drop=True), found


def check_cache_request(articles: Any, name: str) -> None:
    """Raise :class:`ParameterError` for a cache name or an articles table :func:`cached_by_article` refuses."""
    if not SAFE_NAME.fullmatch(name):
        raise ParameterError(f"cache name {name!r}: use letters, digits, '.', '-', '_' only")
    for column in ("article_id", "text"):
        if column not in articles.columns:
            raise ParameterError(f"cached_by_article: the articles table has no {column!r} column")


def _read_table(path: Path) -> Any:
    import pyarrow.feather as feather

    return feather.read_table(path)


def _rows_of(table: Any) -> pd.DataFrame:
    """
    Kept rows as a table, list cells back as they were: a list of tuples for a list
    of lists (``[(start, end), ...]``), else a list.
    """
    import pyarrow as pa

    nested = [
        name
        for name, kind in zip(table.column_names, table.schema.types)
        if pa.types.is_list(kind) or pa.types.is_large_list(kind)
    ]
    out = table.drop_columns(nested).to_pandas() if nested else table.to_pandas()
    for name in nested:
        values = table[name].to_pylist()
        if pa.types.is_list(table[name].type.value_type) or pa.types.is_large_list(
            table[name].type.value_type
        ):
            values = [None if v is None else [tuple(x) for x in v] for v in values]
        out.insert(table.column_names.index(name), name, pd.Series(values, dtype=object))
    return out
