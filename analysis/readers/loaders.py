"""Loaders: every input format becomes the one canonical articles table.

``load_articles`` is the single entry point. It takes files, folders or globs of

- text dumps (``.txt``): a saved news page, headline first, page chrome mixed in;
- HTML pages (``.html``, ``.htm``, also ``.gz``-compressed);
- tables: CSV/TSV, JSON Lines (``.jsonl``, ``.ndjson``), JSON arrays, Parquet;
- database exports (many articles per file, told by content, not only by
  extension): see :mod:`analysis.readers.exports`.

Every file is accounted for: each one gets a :class:`FileResult` (loaded,
skipped or failed, with the reason and the rows it gave), available as
``load_report(df)`` (kept in ``df.attrs["load_report"]`` as plain records) and
used by the corpus store's ingest log.

Finding files, telling their format and decoding them is :mod:`analysis.readers.files`;
reading tables and mapping their columns is :mod:`analysis.readers.tables`; pages are
parsed by :mod:`analysis.readers.cleaning` (text dumps) and :mod:`analysis.readers.html`.
"""

from __future__ import annotations

import codecs
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError, ParameterError
from analysis.readers.exports import find_reader, head_text, read_export
from analysis.readers.files import (
    MANIFEST_NAMES,
    FileResult,
    cut_body,
    decode_bytes,
    expand_paths,
    file_format,
    max_body_chars,
    outlet_from_path,
    outlet_keys,
    read_page_bytes,
    sniff_encoding,
)
from analysis.readers.tables import (
    ALIASES,
    _apply_manifest,
    _from_table,
    _table_chunks,
    read_manifest,
    table_columns,
)
from analysis.schema import article_id, conform, empty_articles, text_present

log = logging.getLogger(__name__)


def _finish(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    df = df.assign(source_path=str(path))
    df["n_words"] = df["text"].fillna("").str.split().str.len().astype("Int64")
    df["has_text"] = text_present(df[["text"]])
    keys = zip(
        df["outlet"].fillna(""),
        df.get("url", pd.Series("", index=df.index)).fillna(""),
        df["title"].fillna(""),
        df["text"].fillna(""),
    )
    df["article_id"] = [article_id(o, u, t, x) for o, u, t, x in keys]
    return conform(df)


def _within_cap(
    df: pd.DataFrame, path: Path, result: FileResult, *, cap: int, strict: bool
) -> pd.DataFrame:
    """
    Cut the bodies longer than ``cap`` characters, counting them in ``result``.

    Under ``strict`` a body over the limit raises :class:`InputError` naming the file.
    """
    lengths = df["text"].str.len()
    over = (lengths > cap).fillna(False).to_numpy(dtype=bool)
    if not over.any():
        return df
    cut = int(over.sum())
    if strict:
        raise InputError(path, _cut_note(cut, cap, strict=True))
    result.bodies_cut += cut
    texts = df["text"].copy()
    texts[over] = [cut_body(t, cap) for t in df["text"][over]]
    return df.assign(text=texts)


def _cut_note(cut: int, cap: int, *, strict: bool = False) -> str:
    """What the body limit did to a file's articles, for its warning and its log row."""
    bodies = "article body" if cut == 1 else "article bodies"
    limit = f"{cap:,} characters ({cap / 2**20:.3g} MB of text)"
    setting = "MCA_MAX_BODY_MB or max_body_mb= sets the limit"
    if strict:
        return f"{cut} {bodies} longer than {limit}; not read in strict mode ({setting})"
    return f"{cut} {bodies} longer than {limit} cut to it ({setting})"


# -------------------------------------------------------------------------- pages


def _page_rows(items: list[tuple[Path, str]], *, outlet, chrome) -> list[dict]:
    from analysis.readers.cleaning import parse_text_dumps

    parsed = parse_text_dumps([(str(p), text) for p, text in items], chrome=chrome)
    rows = []
    for (path, _), rec in zip(items, parsed):
        rec = {k: v for k, v in rec.items() if v is not None}
        rec.setdefault("title", "")
        rec.setdefault("text", "")
        if isinstance(outlet, str):
            rec["outlet"] = outlet
        rec.setdefault("outlet", outlet_from_path(path, outlet))
        rec.setdefault("date_source", "none")
        if rec["date_source"] == "none":
            rec.pop("published", None)
        rows.append(rec)
    return rows


def _html_row(raw: bytes, path: Path, *, outlet) -> dict:
    from analysis.readers.html import parse_html

    rec = {k: v for k, v in parse_html(raw, source_path=str(path)).items() if v is not None}
    if not str(rec.get("text", "")).strip():
        raise InputError(path, "no article body found in the HTML page")
    rec.setdefault("title", "")
    if isinstance(outlet, str):
        rec["outlet"] = outlet
    rec.setdefault("outlet", outlet_from_path(path, outlet))
    rec.setdefault("date_source", "html" if rec.get("published") is not None else "none")
    return rec


# ------------------------------------------------------------------------- public


def iter_articles(
    paths,
    *,
    outlet: str | Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
    manifest: str | os.PathLike | None = None,
    strict: bool = False,
    chrome: dict | None = None,
    progress: bool | None = None,
    max_body_mb: float | None = None,
) -> Iterator[tuple[FileResult, pd.DataFrame]]:
    """
    Load inputs file by file, yielding ``(FileResult, articles chunk)`` pairs.

    A large table yields several chunks (same FileResult object, its ``rows``
    growing). A skipped or failed file yields once with an empty table. This is
    the streaming form of :func:`load_articles`; the corpus store uses it.
    """
    cap = max_body_chars(max_body_mb)
    files = expand_paths(paths)
    outlet = outlet_keys(outlet)
    manifests = {}
    if manifest is not None:
        m = read_manifest(Path(manifest))
        manifests[None] = m
    pages: dict[Path, list[Path]] = {}
    exports = {}
    ordered: list[Path] = []
    for f in files:
        if f.name.lower() in MANIFEST_NAMES:
            try:
                manifests[f.parent.resolve()] = read_manifest(f)
                yield (
                    FileResult(
                        str(f),
                        "skipped",
                        reason="manifest (metadata for the pages beside it)",
                        format="manifest",
                    ),
                    empty_articles(),
                )
            except InputError as exc:
                yield _failure(
                    exc,
                    strict,
                    FileResult(
                        str(f), "failed", reason=f"bad manifest: {exc.reason}", format="manifest"
                    ),
                )
            continue
        ordered.append(f)
        reader = find_reader(f)
        if reader is not None:
            exports[f] = reader
        elif file_format(f) == "txt":
            pages.setdefault(f.parent, []).append(f)

    def manifest_for(p: Path):
        return manifests.get(None) if None in manifests else _nearest_manifest(manifests, p)

    if columns:
        check_columns(ordered, columns)
    show = progress if progress is not None else (sys.stderr.isatty() and len(ordered) > 50)
    from analysis.workers import tqdm_class

    bar = tqdm_class()(total=len(ordered), unit="file", desc="loading", disable=not show)
    done_pages: set[Path] = set()
    for f in ordered:
        fmt = file_format(f)
        if f in exports:
            yield _load_export(f, exports[f], outlet=outlet, strict=strict, cap=cap)
            bar.update()
            continue
        if fmt in (None, "docx", "rtf", "xml"):
            bar.update()
            unreadable = _unreadable_document(f) if fmt in ("docx", "rtf") else None
            if unreadable is not None:  # a damaged or cut-off download: say so, not "skipped"
                yield _failure(
                    unreadable,
                    strict,
                    FileResult(str(f), "failed", reason=unreadable.reason, format=fmt),
                )
                continue
            what = "not a database export this toolkit reads" if fmt else "not an article format"
            yield (
                FileResult(str(f), "skipped", reason=f"{what} ({f.suffix or 'no extension'})"),
                empty_articles(),
            )
            continue
        if fmt == "txt":
            if f.parent in done_pages:
                continue
            done_pages.add(f.parent)
            yield from _load_pages(
                pages[f.parent],
                outlet=outlet,
                manifest_for=manifest_for,
                strict=strict,
                chrome=chrome,
                cap=cap,
            )
            bar.update(len(pages[f.parent]))
            continue
        result = FileResult(str(f), "loaded", format=fmt)
        try:
            if fmt == "html":
                raw = read_page_bytes(f)
                if not raw.strip():
                    raise InputError(f, "empty file")
                sniff_encoding(raw[:512] if raw[:3] != codecs.BOM_UTF8 else b"", f)
                page = pd.DataFrame([_html_row(raw, f, outlet=outlet)]).assign(source_row=0)
                df = _finish(_within_cap(page, f, result, cap=cap, strict=strict), f)
                df = _apply_manifest(df, manifest_for(f))
                result.rows = len(df)
                yield result, df
            else:
                start = 0
                for chunk in _table_chunks(f, fmt, result):
                    df = _from_table(
                        chunk, f, columns=columns, outlet=outlet, result=result, start_row=start
                    )
                    df = _finish(_within_cap(df, f, result, cap=cap, strict=strict), f)
                    start += len(chunk)
                    result.rows += len(df)
                    yield result, df
                if start == 0:
                    raise InputError(f, "no rows (empty table)")
        except InputError as exc:
            # the same FileResult the file's chunks were paired with: one record per file
            result.status = "failed" if result.rows == 0 else "partial"
            result.reason = exc.reason
            yield _failure(exc, strict, result)
        else:
            if result.bodies_cut:  # one warning for the file, however many chunks it came in
                result.warnings.append(_cut_note(result.bodies_cut, cap))
            if result.columns:
                log.info("%s: %s", f, result.columns)
            for w in result.warnings:
                log.warning("%s: %s", f, w)
            if strict and result.warnings:
                raise InputError(f, "; ".join(result.warnings))
        bar.update()
    bar.close()


def check_columns(files: list[Path], columns: Mapping[str, str]) -> None:
    """
    Check explicit ``columns`` (field -> source column) before anything is loaded.

    Raises
    ------
    ParameterError
        When a field is not one of the table fields, or a table file among
        ``files`` has no column of the name given; the message names the file and
        lists its columns.
    """
    unknown = sorted(set(columns) - set(ALIASES))
    if unknown:
        raise ParameterError(
            f"columns: unknown field {', '.join(map(repr, unknown))}; "
            f"the fields are {', '.join(ALIASES)}"
        )
    for f in files:
        if file_format(f) in (None, "txt", "html", "docx", "rtf", "xml"):
            continue
        have = table_columns(f)
        absent = [f"{k}={v}" for k, v in columns.items() if have is not None and v not in have]
        if absent:
            raise ParameterError(
                f"{f}: no column {' or '.join(repr(a.split('=', 1)[1]) for a in absent)} "
                f"(asked for as {', '.join(absent)}); its columns are {have}"
            )


def _failure(exc: InputError, strict: bool, result: FileResult) -> tuple[FileResult, pd.DataFrame]:
    """Raise under ``strict``; otherwise log the problem and pair its result with no rows."""
    if strict:
        raise exc
    log.warning("%s", exc)
    return result, empty_articles()


def _unreadable_document(f: Path) -> InputError | None:
    """The error decoding a Word or RTF document gives, or None when it decodes."""
    try:
        head_text(f)
    except InputError as exc:
        return exc
    return None


def _load_export(f: Path, reader, *, outlet, strict, cap) -> tuple[FileResult, pd.DataFrame]:
    """Read one database export: many articles, audited against the count the file declares."""
    result = FileResult(str(f), "loaded", format=reader.NAME)
    try:
        export = read_export(f, reader)
    except InputError as exc:
        result.status, result.reason = "failed", exc.reason
        return _failure(exc, strict, result)
    rows = export.articles
    if isinstance(outlet, str):
        rows = rows.assign(outlet=outlet)
    else:
        named = rows["outlet"].fillna("").astype(str).str.strip()
        rows = rows.assign(outlet=named.where(named != "", outlet_from_path(f, outlet)))
    published = pd.to_datetime(rows["published"], utc=True, errors="coerce")
    rows = rows.assign(
        published=published,
        date_source=np.where(published.notna(), "export", "none"),
        source_row=range(len(rows)),
    )
    df = _finish(_within_cap(rows, f, result, cap=cap, strict=strict), f)
    if result.bodies_cut:
        note = _cut_note(result.bodies_cut, cap)
        log.warning("%s: %s", f, note)
        result.warnings.append(note)
    result.rows = result.parsed = len(df)
    result.declared = export.declared
    result.missing = ", ".join(map(str, export.positions_missing))
    audit = export.audit()
    if audit:
        if strict:
            raise InputError(f, audit)
        log.warning("%s: %s", f, audit)
        result.warnings.append(audit)
    return result, df


def _nearest_manifest(manifests: dict, p: Path):
    for parent in p.resolve().parents:
        if parent in manifests:
            return manifests[parent]
    return None


def _load_pages(
    files: list[Path], *, outlet, manifest_for, strict, chrome, cap
) -> Iterator[tuple[FileResult, pd.DataFrame]]:
    good: list[tuple[Path, str]] = []
    results: dict[Path, FileResult] = {}
    for f in files:
        res = FileResult(str(f), "loaded", format="txt")
        try:
            text, res.encoding = decode_bytes(read_page_bytes(f), f)
            if len(text) > cap:  # cut before the page is cleaned: cleaning takes time by length
                if strict:
                    raise InputError(f, _cut_note(1, cap, strict=True))
                text, res.bodies_cut = cut_body(text, cap), 1
                res.warnings.append(_cut_note(1, cap))
                log.warning("%s: %s", f, res.warnings[-1])
            good.append((f, text))
            results[f] = res
        except InputError as exc:
            yield _failure(
                exc, strict, FileResult(str(f), "failed", reason=exc.reason, format="txt")
            )
    if not good:
        return
    rows = _page_rows(good, outlet=outlet, chrome=chrome)
    for (f, _), rec in zip(good, rows):
        res = results[f]
        if not rec.get("text", "").strip():
            reason = "no article body found (only page chrome?)"
            if strict:
                raise InputError(f, reason)
            log.warning("%s: %s", f, reason)
            res.status, res.reason = "skipped", reason
            yield res, empty_articles()
            continue
        df = _finish(pd.DataFrame([rec]).assign(source_row=0), f)
        df = _apply_manifest(df, manifest_for(f))
        res.rows = len(df)
        yield res, df


def load_articles(paths, **options) -> pd.DataFrame:
    """
    Load articles from files, folders or globs into the canonical articles table.

    Parameters
    ----------
    paths : path-like, str or list of them
        Files, folders (searched recursively) or glob patterns.
    outlet : str or mapping, optional
        Outlet for every row (str), or a mapping to outlets from paths of files or
        folders (the nearest one holding a file wins) or from file stems / folder
        names. Default: a column, the page itself, or the file/folder name.
    columns : mapping, optional
        Explicit column names, field -> source (``{"text": "story_body"}``); the
        fields are the keys of ``analysis.readers.tables.ALIASES``. An unknown
        field, or a table file without that column, raises
        :class:`~analysis.errors.ParameterError` before anything is loaded.
    manifest : path-like, optional
        A sidecar CSV/JSON Lines file mapping pages to url/outlet/published/...;
        files named ``manifest.csv``/``manifest.jsonl`` in a folder are used
        automatically for the pages below them.
    strict : bool, default False
        Raise :class:`~analysis.errors.InputError` at the first problem instead of
        skipping the file with a warning; an article body over the body limit
        is such a problem.
    max_body_mb : float, optional
        Longest article body kept, in megabytes of text (2**20 characters).
        Default: ``$MCA_MAX_BODY_MB``, else 2. A longer body is cut at a sentence
        end or a space near the limit, before the page is cleaned or the text
        measured; each file's warning and ``bodies_cut`` in its report row say
        how many were cut.
    detect_language : bool, default True
        Fill the ``language`` column (offline detector).

    Returns
    -------
    DataFrame
        The canonical table (see ``analysis.schema.SCHEMA``). ``load_report(df)``
        holds one row per input file: path, status, rows, reason, warnings.

    Raises
    ------
    InputError
        When a path does not exist, or nothing usable was loaded.

    Examples
    --------
    >>> from analysis.paths import repo_path
    >>> df = load_articles(repo_path("seeds"))
    >>> df.loc[0, "title"][:26]
    'Ukraine sets ceasefire goa'
    """
    detect = options.pop("detect_language", True)
    results: dict[str, FileResult] = {}
    chunks = []
    for res, df in iter_articles(paths, **options):
        results[res.path] = res
        if len(df):
            chunks.append(df)
    report = [r.as_row() for r in results.values()]
    if not chunks:
        reasons = (
            "; ".join(f"{Path(r.path).name}: {r.reason or r.status}" for r in results.values())
            or "no files"
        )
        raise InputError(
            paths if isinstance(paths, (str, os.PathLike)) else ", ".join(map(str, paths)),
            f"no usable articles loaded ({reasons})",
        )
    df = pd.concat(chunks, ignore_index=True)
    df = unique_ids(df)
    if detect:
        df = with_language(df)
    # Plain records, not a DataFrame: pandas compares attrs when it combines frames.
    df.attrs["load_report"] = report
    return df


def load_report(articles: pd.DataFrame) -> pd.DataFrame:
    """
    Return what :func:`load_articles` did with each input file.

    Columns: path, status (loaded, skipped, failed, partial), rows, reason,
    format, encoding, warnings, columns, separator, declared, parsed, missing
    and bodies_cut (the article bodies cut to the body limit). Empty when the
    table did not come from ``load_articles``.
    """
    cols = list(FileResult("", "").as_row())
    return pd.DataFrame(articles.attrs.get("load_report", []), columns=cols)


class IdIndex:
    """
    The article ids of a corpus, held as 64-bit hashes: about 8 bytes per article.

    :meth:`contains` may answer "taken" for an id that is not (two ids with the
    same hash, odds about one in 10^7 at a million articles); the only effect is
    a suffixed id for that new article. It never misses an id that is taken.

    Examples
    --------
    >>> index = IdIndex()
    >>> index.add(["a1", "b2"])
    >>> index.contains(["b2", "c3"]).tolist()
    [True, False]
    """

    MERGE_AT = 65_536

    def __init__(self) -> None:
        self._sorted = np.zeros(0, dtype=np.uint64)
        self._recent: list[np.ndarray] = []
        self._n_recent = 0

    @staticmethod
    def _hash(ids) -> np.ndarray:
        return pd.util.hash_array(np.asarray(list(ids), dtype=object), categorize=False)

    def add(self, ids) -> None:
        h = self._hash(ids)
        self._recent.append(h)
        self._n_recent += len(h)
        # merge when the recent ids reach an eighth of the sorted ones: O(n log n) overall
        if self._n_recent >= max(self.MERGE_AT, len(self._sorted) // 8):
            self._sorted = np.unique(np.concatenate([self._sorted, *self._recent]))
            self._recent, self._n_recent = [], 0

    def contains(self, ids) -> np.ndarray:
        h = self._hash(ids)
        found = np.zeros(len(h), dtype=bool)
        if len(self._sorted):
            at = np.searchsorted(self._sorted, h).clip(max=len(self._sorted) - 1)
            found = self._sorted[at] == h
        for recent in self._recent:
            found |= np.isin(h, recent)
        return found

    def __len__(self) -> int:
        return len(self._sorted) + self._n_recent


def unique_ids(df: pd.DataFrame, *, taken: IdIndex | None = None) -> pd.DataFrame:
    """
    Make ``article_id`` unique: a repeated id gets a suffix derived from its source.

    The first occurrence (in table order, after any ids in ``taken``) keeps the
    plain id, so ids already stored never change.
    """
    ids = df["article_id"]
    seen = np.zeros(len(df), dtype=bool)
    if taken is not None and len(taken):
        seen = taken.contains(ids.tolist())
    dup = ids.duplicated().to_numpy() | seen
    if not dup.any():
        return df
    df = df.copy()
    sub = df.loc[dup]
    salts = sub["source_path"].astype(str) + ":" + sub["source_row"].astype(str)
    df.loc[dup, "article_id"] = [
        base + "-" + article_id(salt, "", "", "")[:6]
        for base, salt in zip(sub["article_id"], salts)
    ]
    return df


def with_language(df: pd.DataFrame) -> pd.DataFrame:
    """
    Fill the missing values of an articles table's ``language`` column.

    Languages already given (by a column or an HTML page) are kept. Without the
    offline language detector installed, the table is returned unchanged.

    Parameters
    ----------
    df : DataFrame
        Articles table with ``language`` and ``text`` columns.

    Returns
    -------
    DataFrame
        ``df`` itself when no language is missing, else a copy with them filled
        where the detector can tell.
    """
    try:
        from analysis.text.language import flag_languages
    except ImportError:
        return df
    missing = df["language"].isna()
    if not missing.any():
        return df
    filled = flag_languages(df.loc[missing])
    df = df.copy()
    df.loc[missing, "language"] = filled["language"].astype("string")
    return df
