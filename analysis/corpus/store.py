"""The corpus store: articles ingested once into Parquet, read back as the table.

A corpus folder holds

- ``articles.parquet/``: a Parquet dataset, part files named after the source
  file they came from (written in bounded chunks, so memory stays flat);
- ``sources.parquet``: one row per source file ever ingested: path, content hash,
  size, status, rows, reason, which column became which field, the load options
  it was read with, the part files holding its articles;
- ``ingest_log.csv``: what the last run did with each input file (loaded,
  unchanged, skipped, failed, missing), why, and which column became which field; ``ingest_history.csv`` appends
  every run's rows;
- ``duplicates.parquet``: story groups over the whole corpus (``story_id``,
  ``is_duplicate``, ``syndicated``, ``wire``), recomputed after each ingest;
- ``chrome.json``: page-chrome lines learned per outlet from text dumps;
- ``furniture.json``: lines and sentences each outlet repeats across the bodies of
  its articles read from tables, removed at ingest (see :mod:`analysis.corpus.furniture`).

Re-running ``ingest`` on the same inputs reads only new or changed files (by
content hash) and never duplicates rows. A file that failed is reported once:
it is read again when its content or the load options change, or with
``strict``. A source file that disappeared keeps its
articles, and the log says so (``--prune`` removes them).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import logging
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.corpus.furniture import clean_parts
from analysis.corpus.index import update_index
from analysis.corpus.lock import corpus_lock
from analysis.corpus.parts import ARTICLES, DUPLICATES, remove_unfinished, written_whole_or_not
from analysis.errors import InputError
from analysis.paths import write_parquet, write_text
from analysis.readers.exports import find_reader
from analysis.readers.files import (
    MAX_BODY_CHARS,
    cut_body,
    max_body_chars,
    outlet_from_path,
    outlet_keys,
    read_page_bytes,
)
from analysis.readers.furniture import TABLE_FORMATS, Sample
from analysis.readers.loaders import (
    MANIFEST_NAMES,
    FileResult,
    IdIndex,
    check_columns,
    decode_bytes,
    expand_paths,
    file_format,
    iter_articles,
    unique_ids,
    with_language,
)
from analysis.schema import conform

log = logging.getLogger(__name__)

SOURCES = "sources.parquet"
CHROME = "chrome.json"
LOG = "ingest_log.csv"
HISTORY = "ingest_history.csv"
DERIVED_COLUMNS = ("story_id", "is_duplicate", "syndicated", "wire")
#: sources.parquet: one row per source file ever ingested
SOURCE_COLUMNS = [
    "path",
    "hash",
    "size",
    "status",
    "rows",
    "reason",
    "columns",
    "options",
    "parts",
    "ingested_at",
    "declared",
    "parsed",
    "missing",
    "bodies_cut",
]
#: ingest_log.csv: one row per input file of the run
#: (``declared``, ``parsed``, ``missing``: for a database export, the count the file
#: declares, the articles parsed and the positions missing; empty for other files;
#: ``bodies_cut``: the article bodies cut to the body limit, see ``max_body_chars``)
LOG_COLUMNS = [
    "run_at",
    "path",
    "status",
    "rows",
    "reason",
    "columns",
    "declared",
    "parsed",
    "missing",
    "bodies_cut",
]


@dataclass
class IngestSummary:
    """Counts of one ingest run; ``log`` has one row per input file."""

    corpus: Path
    log: pd.DataFrame
    articles_added: int = 0
    articles_removed: int = 0
    articles_total: int = 0
    seconds: float = 0.0
    counts: dict = field(default_factory=dict)
    #: Ids of the articles this run added.
    new_ids: list = field(default_factory=list)
    #: Article bodies this run cut to the body limit (each file's count is in ``log``).
    bodies_cut: int = 0

    @property
    def usable(self) -> bool:
        """True when the corpus holds articles after the run."""
        return self.articles_total > 0

    def __str__(self) -> str:
        parts = ", ".join(f"{n} {k}" for k, n in sorted(self.counts.items()))
        cut = f" ({self.bodies_cut} cut to the body limit)" if self.bodies_cut else ""
        return (
            f"{len(self.log)} input files: {parts or 'none'}; "
            f"{self.articles_added} articles added{cut}, {self.articles_removed} removed, "
            f"{self.articles_total} in {self.corpus} ({self.seconds:.1f} s)"
        )


def file_hash(path: Path) -> str:
    """Return the content hash (BLAKE2b, 16 bytes) of a file, read in blocks."""
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _part_stem(path: str) -> str:
    return hashlib.blake2b(path.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _read_sources(corpus: Path) -> pd.DataFrame:
    """The record of the source files ingested; a damaged one is named and taken as empty."""
    p = corpus / SOURCES
    if p.exists():
        try:
            table = pd.read_parquet(p)
            missing = {"path", "hash", "status", "parts"} - set(table.columns)
            if not missing:
                return table
            raise ValueError(f"no {sorted(missing)} column")
        except Exception as exc:  # cut short, garbage or a foreign table: every input read again
            log.warning(
                "%s is damaged (%s); every input file is read again, its articles keep their ids",
                p,
                exc,
            )
    return pd.DataFrame(columns=SOURCE_COLUMNS)


def _existing_ids(articles_dir: Path, exclude_parts: set[str]) -> IdIndex:
    """The ids stored in the corpus (but not in ``exclude_parts``), read part by part."""
    import pyarrow.parquet as pq

    ids = IdIndex()
    if not articles_dir.exists():
        return ids
    for part in sorted(articles_dir.glob("*.parquet")):
        if part.name in exclude_parts:
            continue
        ids.add(pq.read_table(part, columns=["article_id"]).column(0).to_pylist())
    return ids


def ingest(
    inputs: Iterable[str | os.PathLike] | str | os.PathLike,
    corpus_dir: str | os.PathLike,
    *,
    strict: bool = False,
    prune: bool = False,
    duplicates: bool = True,
    furniture: bool = True,
    progress: bool | None = None,
    **load_options,
) -> IngestSummary:
    """
    Ingest input files into a corpus folder, processing only new or changed files.

    Parameters
    ----------
    inputs : path-like or list of them
        Files, folders or globs (as :func:`analysis.load_articles`).
    corpus_dir : path-like
        The corpus folder (created when missing).
    strict : bool, default False
        Stop at the first file that cannot be used.
    prune : bool, default False
        Remove the articles of source files that no longer exist.
    duplicates : bool, default True
        Recompute story groups (exact and near duplicates, syndication).
    furniture : bool, default True
        Remove from the bodies of articles read from tables (CSV, JSON Lines,
        Parquet) the lines and sentences their outlet repeats across many articles
        (newsletter pitches, time stamps, photo credits); what was removed is kept
        in ``furniture.json`` (:func:`analysis.removed_lines`).
    **load_options
        Passed to the loaders (``outlet``, ``columns``, ``manifest``, ``max_body_mb``).

    Returns
    -------
    IngestSummary
        Counts and the per-file log (also written to ``ingest_log.csv``).
    """
    t0 = time.perf_counter()
    if "outlet" in load_options:  # paths made absolute once, not once per file
        load_options["outlet"] = outlet_keys(load_options["outlet"])
    if load_options.get("columns"):  # a usage error leaves no corpus folder behind
        check_columns(expand_paths(inputs), load_options["columns"])
    cap = max_body_chars(load_options.get("max_body_mb"))  # a bad limit: no corpus folder either
    corpus = Path(corpus_dir)
    corpus.mkdir(parents=True, exist_ok=True)
    # readers wait for the new version; a full disk stops the run with a message
    with corpus_lock(corpus, exclusive=True), written_whole_or_not(corpus):
        remove_unfinished(corpus)  # half-written by a run that was killed
        articles_dir = corpus / ARTICLES
        articles_dir.mkdir(exist_ok=True)
        sources = _read_sources(corpus)
        known = {r["path"]: r for r in sources.to_dict("records")}
        files = expand_paths(inputs)
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

        # Which files are new or changed? A changed manifest re-reads the pages below it.
        hashes = {str(f.resolve()): file_hash(f) for f in files}
        changed_manifest_dirs = [
            Path(p).parent
            for p in hashes
            if Path(p).name.lower() in MANIFEST_NAMES and known.get(p, {}).get("hash") != hashes[p]
        ]
        todo, log_rows = [], []
        for f in files:
            key = str(f.resolve())
            old = known.get(key)
            same = (
                old is not None
                and old["hash"] == hashes[key]
                and not any(d in Path(key).parents for d in changed_manifest_dirs)
                and _text(old.get("options")) == _read_options(f, load_options)
            )
            if same and old["status"] != "failed" and _parts_intact(articles_dir, old):
                log_rows.append(
                    dict(
                        path=key,
                        status="unchanged",
                        rows=int(old["rows"]),
                        reason="same content as last ingest",
                        columns=_text(old.get("columns")),
                        **_audit(old),
                    )
                )
            elif same and old["status"] == "failed" and not strict:
                # read again it would fail again: said once, when it failed
                log_rows.append(
                    dict(
                        path=key,
                        status="unchanged",
                        rows=0,
                        reason=f"same content and options as when it failed ({old['reason']})",
                        columns=_text(old.get("columns")),
                    )
                )
            else:
                todo.append(f)

        pages = [f for f in todo if file_format(f) == "txt" and find_reader(f) is None]
        chrome = _update_chrome(corpus, pages, cap)
        added = removed = 0
        new_sources = dict(known)
        results: dict[str, FileResult] = {}  # by path: one log row per input file
        parts_written: dict[str, list[str]] = {}
        new_ids: list[str] = []
        replaced_parts: set[str] = set()
        named = _parts_by_source(articles_dir)  # the folder listed once, not once per file
        for f in todo:
            key = str(f.resolve())
            if key in known:
                replaced_parts.update(_parts_of(known[key]))
            # parts a killed run renamed in but did not record: this file's own, replaced below
            replaced_parts.update(named.get(_part_stem(key), ()))
        taken = _existing_ids(articles_dir, replaced_parts) if todo else IdIndex()
        sample, table_parts = Sample(), []

        if todo:
            for res, chunk in iter_articles(
                todo, strict=strict, chrome=chrome, progress=progress, **load_options
            ):
                key = str(Path(res.path).resolve())
                results[key] = res
                if len(chunk) == 0:
                    continue
                chunk = unique_ids(chunk.assign(source_path=key), taken=taken)
                taken.add(chunk["article_id"].tolist())
                new_ids.extend(chunk["article_id"].astype(str).tolist())
                chunk = with_language(chunk)
                parts = parts_written.setdefault(key, [])
                name = f"{_part_stem(key)}-{len(parts):05d}.parquet"
                write_parquet(chunk, articles_dir / ("." + name + ".new"))
                parts.append(name)
                added += len(chunk)
                if furniture and res.format in TABLE_FORMATS:
                    labels = chunk["title"].astype(str) + "\x1f" + chunk["published"].astype(str)
                    sample.add(chunk["outlet"], labels, chunk["text"])
                    table_parts.append(articles_dir / ("." + name + ".new"))
        if table_parts:
            clean_parts(corpus, sample, table_parts)

        # Swap in new parts: drop the old parts of re-read files, then rename the new ones.
        for f in todo:
            key = str(f.resolve())
            old = known.get(key)
            if old is not None:
                for name in _parts_of(old):
                    p = articles_dir / name
                    if p.exists():
                        try:
                            removed += _count_rows(p)
                        except (OSError, ValueError):  # a damaged part: its rows cannot be counted
                            pass
                        p.unlink()
            new_parts = parts_written.get(key, [])
            for name in set(named.get(_part_stem(key), ())) - set(new_parts):
                (articles_dir / name).unlink(missing_ok=True)
            for name in new_parts:
                os.replace(articles_dir / ("." + name + ".new"), articles_dir / name)
        for res in results.values():
            key = str(Path(res.path).resolve())
            size = Path(key).stat().st_size if Path(key).exists() else 0
            new_sources[key] = dict(
                path=key,
                hash=hashes.get(key, ""),
                size=size,
                status=res.status,
                rows=int(res.rows),
                reason=res.reason or "; ".join(res.warnings),
                columns=res.columns,
                options=_read_options(Path(key), load_options),
                parts=json.dumps(parts_written.get(key, [])),
                ingested_at=now,
                declared=res.declared,
                parsed=res.parsed,
                missing=res.missing,
                bodies_cut=res.bodies_cut,
            )
            log_rows.append(
                dict(
                    path=key,
                    status=res.status,
                    rows=int(res.rows),
                    reason=res.reason or "; ".join(res.warnings),
                    columns=res.columns,
                    declared=res.declared,
                    parsed=res.parsed,
                    missing=res.missing,
                    bodies_cut=res.bodies_cut,
                )
            )

        # Source files that were ingested before but are gone now.
        for key, old in known.items():
            if Path(key).exists():
                continue
            kept = _count_parts_rows(articles_dir, _parts_of(old))
            if prune:
                for name in _parts_of(old):
                    (articles_dir / name).unlink(missing_ok=True)
                removed += kept
                new_sources.pop(key, None)
                log_rows.append(
                    dict(
                        path=key,
                        status="pruned",
                        rows=0,
                        reason=f"source file gone; its {kept} articles removed",
                    )
                )
            elif kept:
                log.warning(
                    "%s: source file is gone; its %d articles are kept (use --prune to remove them)",
                    key,
                    kept,
                )
                log_rows.append(
                    dict(
                        path=key,
                        status="missing",
                        rows=kept,
                        reason="source file gone; articles kept (use --prune to remove)",
                    )
                )

        table = pd.DataFrame(list(new_sources.values()), columns=SOURCE_COLUMNS)
        # sources ingested before these were kept (and no bodies cut recorded before there were)
        table = table.fillna({"columns": "", "options": "", "missing": "", "bodies_cut": 0})
        types = {"declared": "Int64", "parsed": "Int64", "bodies_cut": "int64"}
        write_parquet(table.astype({"rows": "int64", "size": "int64", **types}), corpus / SOURCES)
        run_log = pd.DataFrame(log_rows, columns=LOG_COLUMNS[1:])
        run_log = run_log.fillna({"bodies_cut": 0}).astype(
            {"columns": object, "missing": object, **types}
        )
        run_log = run_log.fillna({"columns": "", "missing": ""})
        run_log.insert(0, "run_at", now)
        write_text(run_log.to_csv(index=False), corpus / LOG)
        _append_history(corpus / HISTORY, run_log)

        total = _count_parts_rows(articles_dir, [p.name for p in articles_dir.glob("*.parquet")])
        if duplicates and total and (added or removed or not stories_current(corpus)):
            _update_duplicates(corpus)
        update_index(corpus)
        summary = IngestSummary(
            corpus=corpus,
            log=run_log,
            articles_added=added,
            articles_removed=removed,
            articles_total=total,
            seconds=time.perf_counter() - t0,
            counts=run_log["status"].value_counts().to_dict(),
            new_ids=new_ids,
            bodies_cut=sum(res.bodies_cut for res in results.values()),
        )
        log.info("%s", summary)
        return summary


def _text(value) -> str:
    """A text field of sources.parquet; empty when missing (a corpus from an older version)."""
    return value if isinstance(value, str) else ""


def _read_options(path: Path, load_options: dict) -> str:
    """
    The load options that change how ``path`` is read, as a key kept in sources.parquet.

    ``load_options["outlet"]`` is a string or a mapping made by ``outlet_keys``.

    A file read before with other columns, another outlet or another manifest is
    read again, not reported as unchanged.
    """
    given: dict = {}
    if load_options.get("columns") and file_format(path) not in (None, "txt", "html"):
        given["columns"] = dict(load_options["columns"])
    outlet = load_options.get("outlet")
    if outlet is not None and outlet_from_path(path, outlet) != outlet_from_path(path):
        given["outlet"] = outlet_from_path(path, outlet)
    if load_options.get("manifest"):
        given["manifest"] = str(Path(load_options["manifest"]).resolve())
    cap = max_body_chars(load_options.get("max_body_mb"))
    if cap != MAX_BODY_CHARS:  # a file read under another body limit is read again
        given["max_body_chars"] = cap
    return json.dumps(given, sort_keys=True) if given else ""


def _audit(old: dict) -> dict:
    """A database export's audit (empty for other files) and the bodies cut, as recorded."""
    counts = {k: old.get(k) for k in ("declared", "parsed", "bodies_cut")}
    counts = {k: None if v is None or pd.isna(v) else int(v) for k, v in counts.items()}
    return dict(counts, missing=_text(old.get("missing")))


def _append_history(hist: Path, run_log: pd.DataFrame) -> None:
    """
    Append a run's log to the history; a history written with fewer columns gains them.

    A history cut short loses its last, unfinished row; one that cannot be read at
    all is set aside as ``ingest_history.csv.damaged`` (with a warning) and begun anew.
    """
    if hist.exists():
        try:
            with open(hist, "rb") as fh:
                header = fh.readline().decode("utf-8").rstrip("\r\n").split(",")
                size = fh.seek(0, os.SEEK_END)
                fh.seek(max(size - 1, 0))
                whole = not size or fh.read(1) == b"\n"
            if header != list(run_log.columns) or not whole:
                raw = hist.read_bytes()
                if not whole:  # the row a killed run left unfinished is dropped
                    raw = raw[: raw.rfind(b"\n") + 1]
                old = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
                if not set(old.columns) & set(run_log.columns):
                    raise ValueError("none of the history's columns")
                write_text(
                    old.reindex(columns=run_log.columns, fill_value="").to_csv(index=False), hist
                )
        except ValueError as exc:  # garbage, not UTF-8, a foreign table
            aside = hist.with_name(hist.name + ".damaged")
            os.replace(hist, aside)
            log.warning(
                "%s is damaged (%s); set aside as %s, history begun anew", hist, exc, aside.name
            )
    run_log.to_csv(hist, index=False, mode="a", header=not hist.exists())


def _parts_by_source(articles_dir: Path) -> dict[str, list[str]]:
    """The part files by the stem of the source they are named after (:func:`_part_stem`).

    A source's parts, recorded for it or left by a killed run, are ``<stem>-<n>.parquet``.
    """
    found: dict[str, list[str]] = {}
    for part in articles_dir.glob("*-*.parquet"):
        found.setdefault(part.name.split("-", 1)[0], []).append(part.name)
    return found


def _parts_of(row: dict) -> list[str]:
    parts = row.get("parts")
    if not isinstance(parts, str) or not parts:
        return []
    return json.loads(parts)


def _count_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def _count_parts_rows(articles_dir: Path, names: Iterable[str]) -> int:
    return sum(_count_rows(articles_dir / n) for n in names if (articles_dir / n).exists())


def _update_chrome(corpus: Path, pages: list[Path], cap: int) -> dict | None:
    """Learn chrome lines from new pages (cut to ``cap`` characters), merge, save, return them."""
    path = corpus / CHROME
    saved = _read_chrome(path)
    if not pages:
        if path.exists() and not saved:  # damaged: written anew, so that it is said once
            with contextlib.suppress(OSError):
                write_text("{}", path)
        return saved or None
    from analysis.readers.cleaning import learn_chrome

    docs = []
    for p in pages:
        try:
            docs.append((str(p), cut_body(decode_bytes(read_page_bytes(p), p)[0], cap)))
        except (InputError, OSError):
            continue  # the loader reports it
    for outlet, lines in learn_chrome(docs).items():
        saved.setdefault(outlet, set()).update(lines)
    write_text(json.dumps({k: sorted(v) for k, v in sorted(saved.items())}, indent=1), path)
    return saved


def _read_chrome(path: Path) -> dict[str, set[str]]:
    """The chrome lines saved per outlet; a damaged file is learned afresh (with a warning)."""
    if not path.exists():
        return {}
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): {str(line) for line in v} for k, v in saved.items()}
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        log.warning("%s is damaged (%s); page chrome is learned afresh", path, exc)
        return {}


def _update_duplicates(corpus: Path) -> None:
    from analysis.corpus.duplicates import find_duplicates

    arts = _read_articles(
        corpus, columns=["article_id", "outlet", "title", "text", "url", "published", "wire"]
    )
    found = find_duplicates(arts, cache_dir=corpus, cache_prune=True)
    cols = ["article_id", *[c for c in DERIVED_COLUMNS if c in found.columns]]
    write_stories(found[cols], corpus)


def _parts_intact(articles_dir: Path, source: dict) -> bool:
    """Whether every part file of a source is there and readable (else the source is read again)."""
    import pyarrow.parquet as pq

    for name in _parts_of(source):
        try:
            pq.read_metadata(articles_dir / name)
        except (OSError, ValueError) as exc:  # missing, cut short or garbage
            log.warning(
                "%s: part %s is damaged (%s); reading the source again", source["path"], name, exc
            )
            return False
    return True


#: Key of the story-group table's metadata naming the articles it was computed from.
_STORIES_OF = b"analysis.stories_of"


def articles_fingerprint(corpus_dir: str | os.PathLike) -> str:
    """A short hash of the corpus's part files (names, sizes, times): changes with any article."""
    h = hashlib.blake2b(digest_size=8)
    for part in sorted((Path(corpus_dir) / ARTICLES).glob("*.parquet")):
        st = part.stat()
        h.update(f"{part.name}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def write_stories(table: pd.DataFrame, corpus_dir: str | os.PathLike) -> None:
    """Write the story-group table, stamped with the articles it was computed from."""
    import pyarrow as pa

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    stamp = {_STORIES_OF: articles_fingerprint(corpus_dir).encode()}
    write_parquet(
        arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), **stamp}),
        Path(corpus_dir) / DUPLICATES,
    )


def stories_current(corpus_dir: str | os.PathLike) -> bool:
    """Whether ``duplicates.parquet`` is there, readable and computed from the articles now stored."""
    import pyarrow.parquet as pq

    path = Path(corpus_dir) / DUPLICATES
    try:
        meta = pq.read_schema(path).metadata or {}
    except (OSError, ValueError):  # missing, or damaged: computed again
        return False
    return meta.get(_STORIES_OF, b"").decode() == articles_fingerprint(corpus_dir)


def _read_articles(
    corpus: Path, columns: list[str] | None = None, ids: Iterable[str] | None = None
) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    parts = sorted((corpus / ARTICLES).glob("*.parquet"))
    if not parts:
        return conform(pd.DataFrame())
    wanted = None if ids is None else pa.array(sorted(set(map(str, ids))), pa.string())
    tables = []
    for p in parts:
        try:
            t = pq.read_table(p)
        except (OSError, ValueError) as exc:  # ArrowInvalid is a ValueError
            raise InputError(
                p, f"damaged part file ({exc}); run ingest again to read its source again"
            ) from None
        if wanted is not None:  # part by part: memory grows with the rows kept only
            t = t.filter(pc.is_in(pc.cast(t["article_id"], pa.string()), value_set=wanted))
        if columns:
            t = t.select([c for c in columns if c in t.column_names])
        tables.append(t.to_pandas())
    return pd.concat(tables, ignore_index=True)


def _read_stories(path: Path) -> pd.DataFrame | None:
    """The story-group table; a damaged one is left out with a warning (the next ingest rebuilds it)."""
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        log.warning(
            "%s is damaged (%s): the articles are read without story groups; "
            "run ingest again to rebuild it",
            path,
            exc,
        )
        return None


def read_corpus(corpus_dir: str | os.PathLike, *, ids: Iterable[str] | None = None) -> pd.DataFrame:
    """
    Read an ingested corpus back as one pandas table: the articles and their story fields.

    Most code opens a corpus with :func:`analysis.open_corpus`, which reads
    through this function for the pandas engine.

    Parameters
    ----------
    corpus_dir : path-like
        A folder written by :func:`ingest`.
    ids : iterable of str, optional
        Only these articles: the same rows as in the whole table, read without
        holding the rest.

    Raises
    ------
    InputError
        When the folder is not a corpus.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.paths import repo_path
    >>> d = tempfile.mkdtemp()
    >>> _ = ingest([repo_path("seeds")], d)
    >>> read_corpus(d).loc[0, "outlet"]
    'CNA'
    """
    corpus = Path(corpus_dir)
    if not (corpus / ARTICLES).exists():
        raise InputError(
            corpus,
            f"not a corpus folder (no {ARTICLES}); run `python -m analysis ingest INPUT --corpus {corpus}` first",
        )
    with corpus_lock(corpus, exclusive=False):  # not while an ingest writes
        df = _read_articles(corpus, ids=ids)
        if df.empty:
            return conform(df)
        dup = corpus / DUPLICATES
        derived = _read_stories(dup) if dup.exists() else None
        if derived is not None:
            keep = [c for c in derived.columns if c != "article_id"]
            base = df.drop(columns=[c for c in keep if c in df.columns and c != "wire"])
            df = base.merge(derived, on="article_id", how="left", suffixes=("", "_derived"))
            if "wire_derived" in df:
                df["wire"] = (
                    df["wire"].fillna(df.pop("wire_derived"))
                    if "wire" in df
                    else df.pop("wire_derived")
                )
        df = conform(df)
        df.attrs["corpus"] = str(corpus)
        return df


def corpus_fingerprint(corpus_dir: str | os.PathLike) -> str:
    """Return a short hash of a corpus's sources (paths and content hashes)."""
    src = _read_sources(Path(corpus_dir))
    h = hashlib.blake2b(digest_size=8)
    for p, s in sorted(zip(src["path"], src["hash"])):
        h.update(f"{p}\x1f{s}\n".encode())
    return h.hexdigest()


# --------------------------------------------------------------------------- CLI


def remove_corpus(corpus_dir: str | os.PathLike) -> None:
    """Delete a corpus folder (only if it looks like one)."""
    corpus = Path(corpus_dir)
    if not (corpus / ARTICLES).exists():
        raise InputError(corpus, "not a corpus folder; refusing to delete")
    shutil.rmtree(corpus)
