"""Loaders: every input format becomes the one canonical articles table.

``load_articles`` is the single entry point. It takes files, folders or globs of

- text dumps (``.txt``): a saved news page, headline first, page chrome mixed in;
- HTML pages (``.html``, ``.htm``, also ``.gz``-compressed);
- tables: CSV/TSV, JSON Lines (``.jsonl``, ``.ndjson``), JSON arrays, Parquet.

Every file is accounted for: each one gets a :class:`FileResult` (loaded,
skipped or failed, with the reason and the rows it gave), available as
``load_report(df)`` (kept in ``df.attrs["load_report"]`` as plain records) and
used by the corpus store's ingest log.
"""

from __future__ import annotations

import codecs
import glob as globmod
import gzip
import io
import json
import logging
import os
import re
import sys
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.schema import article_id, conform, empty_articles

log = logging.getLogger(__name__)

TEXT_EXT = {".txt", ".text"}
HTML_EXT = {".html", ".htm", ".xhtml"}
TABLE_EXT = {".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".json", ".parquet", ".pq"}
MANIFEST_NAMES = {"manifest.csv", "manifest.tsv", "manifest.jsonl", "manifest.json"}
#: Files at or above this size are read in chunks (memory stays bounded).
STREAM_BYTES = 16 * 1024 * 1024
CHUNK_ROWS = 5_000

#: canonical column -> accepted source names (compared lowercased, without
#: spaces, underscores, dashes and dots)
ALIASES: dict[str, tuple[str, ...]] = {
    "published": (
        "published",
        "date",
        "pubdate",
        "publishdate",
        "publicationdate",
        "publishedat",
        "datepublished",
        "datetime",
        "timestamp",
        "time",
        "created",
    ),
    "title": ("title", "headline", "heading", "head", "hed"),
    "text": (
        "text",
        "body",
        "content",
        "articlebody",
        "article",
        "articletext",
        "fulltext",
        "story",
        "maintext",
    ),
    "url": ("url", "link", "href", "permalink", "sourceurl", "articleurl", "uri"),
    "outlet": (
        "outlet",
        "source",
        "publication",
        "newspaper",
        "site",
        "sitename",
        "media",
        "medium",
        "sourcename",
    ),
    "byline": ("byline", "author", "authors", "by", "writer"),
    "section": ("section", "category", "desk", "rubric"),
    "language": ("language", "lang"),
    "dateline": ("dateline",),
    "publisher": ("publisher",),
    "wire": ("wire", "agency"),
}
_ALIAS_LOOKUP = {alias: canon for canon, names in ALIASES.items() for alias in names}
_MAGIC = {
    b"%PDF": "PDF document",
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"PK\x03\x04": "ZIP archive (or an Office document)",
    b"\x7fELF": "executable",
    b"\x1f\x8b": "gzip archive",
}


@dataclass
class FileResult:
    """What happened to one input file."""

    path: str
    status: str  # "loaded", "skipped", "failed"
    rows: int = 0
    reason: str = ""
    format: str = ""
    encoding: str = ""
    warnings: list[str] = field(default_factory=list)

    def as_row(self) -> dict:
        d = asdict(self)
        d["warnings"] = "; ".join(self.warnings)
        return d


# --------------------------------------------------------------------------- paths


def expand_paths(paths) -> list[Path]:
    """
    Expand files, folders (recursively) and globs into a sorted list of files.

    Hidden files and folders (starting with ".") are ignored. A path that does not
    exist raises :class:`InputError`.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[Path] = []
    for p in paths:
        s = os.fspath(p)
        if any(ch in s for ch in "*?["):
            hits = sorted(Path(h) for h in globmod.glob(s, recursive=True))
            if not hits:
                raise InputError(s, "glob matched no files")
            for h in hits:
                out.extend(_walk(h))
            continue
        path = Path(s)
        if not path.exists():
            raise InputError(path, "no such file or folder")
        out.extend(_walk(path))
    seen, unique = set(), []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _walk(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    files = []
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files.extend(Path(root) / n for n in sorted(names) if not n.startswith("."))
    return files


def file_format(path: Path) -> str | None:
    """Return ``"txt"``, ``"html"``, ``"csv"``, ``"tsv"``, ``"jsonl"``, ``"json"``, ``"parquet"`` or None."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    ext = os.path.splitext(name)[1]
    if ext in TEXT_EXT:
        return "txt"
    if ext in HTML_EXT:
        return "html"
    if ext == ".csv":
        return "csv"
    if ext in (".tsv", ".tab"):
        return "tsv"
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    if ext == ".json":
        return "json"
    if ext in (".parquet", ".pq"):
        return "parquet"
    return None


# ------------------------------------------------------------------------ decoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


def sniff_encoding(sample: bytes, path: object = "<bytes>") -> str:
    """
    Guess the text encoding of ``sample`` (the start of a file).

    BOMs decide first; then strict UTF-8; then UTF-16 without BOM (every other byte
    NUL); then Windows-1252 when it has no undefined byte; then charset-normalizer.
    Binary content raises :class:`InputError`.
    """
    for bom, enc in _BOMS:
        if sample.startswith(bom):
            return enc
    for magic, what in _MAGIC.items():
        if sample.startswith(magic):
            raise InputError(path, f"binary file ({what}), not text")
    if sample:
        even, odd = sample[0::2], sample[1::2]
        if len(sample) >= 4 and odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if len(sample) >= 4 and even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if sample.count(0) > 0.3 * len(sample) or (sample and controls > 0.1 * len(sample)):
        raise InputError(path, "binary file (control bytes), not text")
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut off at the end of the sample is still UTF-8.
        if exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    if not _CP1252_UNDEFINED.search(sample):
        return "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return best.encoding if best is not None else "latin-1"


def decode_bytes(raw: bytes, path: object = "<bytes>") -> tuple[str, str]:
    """Decode a whole file's bytes; return ``(text, encoding)``. NULs are dropped."""
    if not raw.strip():
        raise InputError(path, "empty file")
    enc = sniff_encoding(raw[:65536], path)
    text = raw.decode(enc, errors="replace")
    return text.replace("\x00", ""), enc


def _read_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InputError(path, f"corrupt gzip file ({exc})") from None
    return raw


class _CleanReader(io.TextIOBase):
    """A text stream over a file that drops NUL characters (pandas' C parser trips on them)."""

    def __init__(self, fh):
        self._fh = fh
        self.nuls = 0

    def readable(self) -> bool:
        return True

    def _clean(self, text: str) -> str:
        if "\x00" in text:
            self.nuls += text.count("\x00")
            text = text.replace("\x00", "")
        return text

    def read(self, size: int = -1) -> str:
        return self._clean(self._fh.read(size))

    def readline(self, size: int = -1) -> str:
        return self._clean(self._fh.readline(size))

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


# ------------------------------------------------------------------------- columns


def _norm_name(name: object) -> str:
    return re.sub(r"[\s_\-.]+", "", str(name).strip().lower())


_URLISH = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)


def _looks_like_dates(values: pd.Series) -> float:
    vals = values.dropna().astype(str).str.strip()
    vals = vals[vals != ""].head(200)
    if vals.empty:
        return 0.0
    dates_like = vals.str.match(
        r"^\d{4}-\d{2}-\d{2}|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|^[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}"
    )
    return float(dates_like.mean())


def _looks_like_urls(values: pd.Series) -> float:
    vals = values.dropna().astype(str).str.strip()
    vals = vals[vals != ""].head(200)
    return float(vals.str.match(_URLISH).mean()) if len(vals) else 0.0


def map_columns(
    df: pd.DataFrame, *, columns: Mapping[str, str] | None = None, path: object = ""
) -> tuple[dict[str, list[str]], list[str]]:
    """
    Decide which source columns give each canonical column.

    Returns ``(mapping, notes)`` where mapping is canonical name -> list of source
    columns (``text`` may be made of several, joined by blank lines) and notes say
    what was inferred. Explicit ``columns`` (canonical -> source) always win.
    A header that does not match its rows (e.g. a ``URL`` column holding dates) is
    detected, and the columns are then assigned by their content.
    """
    notes: list[str] = []
    mapping: dict[str, list[str]] = {}
    explicit = dict(columns or {})
    for canon, src in explicit.items():
        if src not in df.columns:
            raise InputError(
                path,
                f"column {src!r} (given for {canon!r}) not in file; columns are {list(df.columns)}",
            )
        mapping[canon] = [src]
    for col in df.columns:
        canon = _ALIAS_LOOKUP.get(_norm_name(col))
        if canon and canon not in mapping and col not in sum(mapping.values(), []):
            mapping[canon] = [col]
    # Header/content mismatch: a "url" column whose values are dates, not links.
    url_cols = mapping.get("url", [])
    if (
        url_cols
        and "url" not in explicit
        and _looks_like_urls(df[url_cols[0]]) < 0.3
        and _looks_like_dates(df[url_cols[0]]) > 0.8
    ):
        mapping = {k: v for k, v in mapping.items() if k in explicit}
        used = set(sum(mapping.values(), []))
        free = [c for c in df.columns if c not in used and not _is_index_column(df[c], c)]
        date_col = url_col = None
        texts = []
        for c in free:
            if date_col is None and _looks_like_dates(df[c]) > 0.8:
                date_col = c
            elif url_col is None and _looks_like_urls(df[c]) > 0.8:
                url_col = c
            else:
                texts.append(c)
        if date_col and "published" not in mapping:
            mapping["published"] = [date_col]
        if url_col and "url" not in mapping:
            mapping["url"] = [url_col]
        lengths = {c: df[c].fillna("").astype(str).str.len().mean() for c in texts}
        if texts and "title" not in mapping:
            title = min(texts, key=lambda c: lengths[c])
            mapping["title"] = [title]
            texts.remove(title)
        if texts and "text" not in mapping:
            mapping["text"] = texts
        notes.append(
            "header does not match the rows (column 'URL' holds dates); columns assigned by content: "
            + ", ".join(f"{k}<-{'+'.join(map(str, v))}" for k, v in sorted(mapping.items()))
        )
    if "text" not in mapping:
        # No named body column: take the longest free-text column.
        used = set(sum(mapping.values(), []))
        cands = [
            c
            for c in df.columns
            if c not in used and df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype)
        ]
        cands = [c for c in cands if c not in used]
        if cands:
            best = max(cands, key=lambda c: df[c].fillna("").astype(str).str.len().mean())
            if df[best].fillna("").astype(str).str.len().mean() > 80:
                mapping["text"] = [best]
                notes.append(f"no body column by name; using {best!r} (longest text)")
    return mapping, notes


def _is_index_column(values: pd.Series, name: object) -> bool:
    n = str(name)
    if not (n == "" or n.startswith("Unnamed:") or _norm_name(n) in ("index", "")):
        return False
    nums = pd.to_numeric(values, errors="coerce")
    return bool(nums.notna().all())


# --------------------------------------------------------------------------- dates


def parse_dates(values: pd.Series) -> pd.Series:
    """
    Parse a column of dates to UTC timestamps; unparseable values become NaT.

    ISO 8601 is tried first (fast, vectorized), then a mixed-format parser for the
    rest. Timestamps without a zone are taken as UTC; dates as midnight UTC.
    """
    s = values.astype("string").str.strip()
    s = s.where(s != "", pd.NA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = pd.to_datetime(s, utc=True, errors="coerce", format="ISO8601")
        rest = out.isna() & s.notna()
        if rest.any():
            out.loc[rest] = pd.to_datetime(s[rest], utc=True, errors="coerce", format="mixed")
    return out.astype("datetime64[ns, UTC]")


# ------------------------------------------------------------------------- readers


def _table_chunks(path: Path, fmt: str, result: FileResult) -> Iterator[pd.DataFrame]:
    """Yield raw string DataFrames from a table file, in bounded chunks."""
    size = path.stat().st_size
    if size == 0:
        raise InputError(path, "empty file")
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(path)
            for batch in pf.iter_batches(batch_size=CHUNK_ROWS):
                yield batch.to_pandas()
        except Exception as exc:  # pyarrow raises many types for corrupt files
            raise InputError(
                path, f"not a readable Parquet file ({type(exc).__name__}: {exc})"
            ) from None
        return
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if path.name.lower().endswith(".gz"):
        head = gzip.open(path).read(65536)
    if not head.strip():
        raise InputError(path, "empty file")
    enc = sniff_encoding(head, path)
    result.encoding = enc
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding=enc, errors="replace", newline="") as raw:
        fh = _CleanReader(raw)
        if fmt in ("csv", "tsv"):
            yield from _csv_chunks(fh, path, fmt, size, result)
        elif fmt == "jsonl":
            yield from _jsonl_chunks(fh, path, result)
        elif fmt == "json":
            try:
                data = json.loads(fh.read())
            except json.JSONDecodeError as exc:
                raise InputError(path, f"invalid JSON ({exc.msg} at line {exc.lineno})") from None
            if isinstance(data, dict):
                data = next((v for v in data.values() if isinstance(v, list)), [data])
            if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
                raise InputError(path, "JSON must be a list of objects (or use JSON Lines)")
            yield pd.DataFrame(data)
        if fh.nuls:
            result.warnings.append(f"removed {fh.nuls} NUL characters")


def _csv_chunks(fh, path: Path, fmt: str, size: int, result: FileResult) -> Iterator[pd.DataFrame]:
    sep = "\t" if fmt == "tsv" else ","
    opts = dict(sep=sep, dtype=str, keep_default_na=False, na_values=[""])
    if size < STREAM_BYTES:
        text = fh.read()
        try:
            yield pd.read_csv(io.StringIO(text), **opts)
            return
        except pd.errors.EmptyDataError:
            raise InputError(path, "no rows (empty table)") from None
        except pd.errors.ParserError:
            pass
        # Ragged rows (usually an unquoted separator inside the body): the fields
        # left of the body column map from the left, those right of it from the
        # right, and the surplus is joined back into the body. Nothing is lost.
        folded = []
        try:
            header = pd.read_csv(io.StringIO(text), nrows=0, **opts)
        except pd.errors.ParserError as exc:  # the header itself is broken (an open quote)
            raise InputError(path, f"unreadable CSV header ({exc})") from None
        ncols = len(header.columns)
        names = [_ALIAS_LOOKUP.get(_norm_name(c)) for c in header.columns]
        body = names.index("text") if "text" in names else ncols - 1
        tail = ncols - body - 1

        def fold(fields: list[str]) -> list[str]:
            folded.append(len(fields))
            end = len(fields) - tail
            return fields[:body] + [sep.join(fields[body:end])] + fields[end:]

        try:
            df = pd.read_csv(io.StringIO(text), engine="python", on_bad_lines=fold, **opts)
        except pd.errors.ParserError as exc:
            raise InputError(path, f"unreadable CSV ({exc})") from None
        result.warnings.append(
            f"{len(folded)} ragged rows had more than {ncols} fields; the surplus was joined into column {header.columns[body]!r}"
        )
        yield df
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            reader = pd.read_csv(fh, chunksize=CHUNK_ROWS, on_bad_lines="warn", **opts)
            yield from reader
        except pd.errors.EmptyDataError:
            raise InputError(path, "no rows (empty table)") from None
        except pd.errors.ParserError as exc:
            raise InputError(path, f"unreadable CSV ({exc})") from None
    bad = [
        str(w.message).strip() for w in caught if issubclass(w.category, pd.errors.ParserWarning)
    ]
    if bad:
        lines = "; ".join(bad[:3]) + (" ..." if len(bad) > 3 else "")
        result.warnings.append(
            f"skipped {sum(m.count('Skipping line') for m in bad)} ragged rows ({lines})"
        )


def _jsonl_chunks(fh, path: Path, result: FileResult) -> Iterator[pd.DataFrame]:
    batch, bad = [], []
    for lineno, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append(f"line {lineno}: {exc.msg}")
            continue
        if not isinstance(rec, dict):
            bad.append(f"line {lineno}: not an object")
            continue
        batch.append(rec)
        if len(batch) >= CHUNK_ROWS:
            yield pd.DataFrame(batch)
            batch = []
    if batch:
        yield pd.DataFrame(batch)
    if bad:
        result.warnings.append(f"skipped {len(bad)} invalid lines ({'; '.join(bad[:3])})")


# ---------------------------------------------------------------------- finishing


def _clean_str(s: pd.Series) -> pd.Series:
    s = s.astype("string")
    return s.str.strip().where(lambda x: x != "", pd.NA)


def _from_table(
    raw: pd.DataFrame, path: Path, *, columns, outlet, result: FileResult, start_row: int
) -> pd.DataFrame:
    raw = raw.rename(columns=lambda c: str(c))
    mapping, notes = map_columns(raw, columns=columns, path=path)
    for n in notes:
        if n not in result.warnings:
            result.warnings.append(n)
    if "text" not in mapping and "title" not in mapping:
        raise InputError(
            path,
            f"no text or title column found (columns: {list(raw.columns)}); name one with columns={{'text': ...}}",
        )
    out = pd.DataFrame(index=raw.index)
    for canon, srcs in mapping.items():
        if canon == "text" and len(srcs) > 1:
            parts = [raw[c].fillna("").astype(str).str.strip() for c in srcs]
            joined = parts[0]
            for p in parts[1:]:
                joined = joined.where(p == "", joined + "\n\n" + p).where(joined != "", p)
            out["text"] = joined
        else:
            out[canon] = raw[srcs[0]]
    used = set(sum(mapping.values(), []))
    for c in raw.columns:
        if c in used or _is_index_column(raw[c], c):
            continue
        name = _norm_name(c) or "extra"
        if name in out.columns or name in ALIASES:
            name = f"src_{name}"
        out[name] = raw[c]
    for c in ("title", "text"):
        out[c] = _clean_str(out[c]).fillna("") if c in out else ""
    for c in ("url", "byline", "section", "language", "dateline", "publisher", "wire", "outlet"):
        if c in out:
            out[c] = _clean_str(out[c])
    if "outlet" not in out or out["outlet"].isna().all():
        out["outlet"] = outlet_from_path(path, outlet)
    else:
        out["outlet"] = out["outlet"].fillna(outlet_from_path(path, outlet))
    if "published" in out:
        parsed = parse_dates(out["published"])
        given = _clean_str(out["published"]).notna()
        failed = given & parsed.isna()
        if failed.any():
            examples = ", ".join(repr(v) for v in out.loc[failed, "published"].head(3))
            result.warnings.append(
                f"{int(failed.sum())} dates did not parse (rows kept, date missing, "
                f"raw value in published_raw): {examples}"
            )
            out["published_raw"] = _clean_str(out["published"]).where(failed)
        out["published"] = parsed
        out["date_source"] = np.where(parsed.notna(), "column", "none")
    else:
        out["published"] = pd.NaT
        out["date_source"] = "none"
    out["source_row"] = np.arange(start_row, start_row + len(out))
    return out


def outlet_from_path(path: Path, outlet=None) -> str:
    """
    Outlet name for a file when no column or page gives one.

    ``outlet`` may be a string (used as is) or a mapping from file stem or folder
    name to outlet. Otherwise a table file's stem is the outlet (``ABC.csv`` ->
    ``ABC``) and a page's folder name is (``sample/harbor-city-tribune/x.txt`` ->
    ``harbor-city-tribune``).
    """
    if isinstance(outlet, str):
        return outlet
    stem = path.name.split(".")[0]
    folder = path.parent.name
    if isinstance(outlet, Mapping):
        for key in (stem, folder, path.name):
            if key in outlet:
                return outlet[key]
    return folder if file_format(path) in ("txt", "html") else stem


def _finish(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    df = df.assign(source_path=str(path))
    df["n_words"] = df["text"].fillna("").str.split().str.len().astype("Int64")
    keys = zip(
        df["outlet"].fillna(""),
        df.get("url", pd.Series("", index=df.index)).fillna(""),
        df["title"].fillna(""),
        df["text"].fillna(""),
    )
    df["article_id"] = [article_id(o, u, t, x) for o, u, t, x in keys]
    return conform(df)


# ----------------------------------------------------------------------- manifest


def read_manifest(path: Path) -> pd.DataFrame:
    """
    Read a sidecar manifest mapping files to metadata (url, outlet, published, ...).

    The file column may be called ``path``, ``file`` or ``filename``; paths are
    relative to the manifest's folder. Returns a table indexed by resolved path.
    """
    fmt = file_format(path)
    result = FileResult(str(path), "manifest")
    raw = pd.concat(list(_table_chunks(path, fmt, result)), ignore_index=True)
    key = next(
        (c for c in raw.columns if _norm_name(c) in ("path", "file", "filename", "sourcepath")),
        None,
    )
    if key is None:
        raise InputError(path, f"manifest needs a 'path' column (columns: {list(raw.columns)})")
    mapping, _ = map_columns(raw.drop(columns=[key]), path=path)
    out = pd.DataFrame({canon: raw[srcs[0]] for canon, srcs in mapping.items() if canon != "text"})
    for c in out.columns:
        out[c] = _clean_str(out[c])
    if "published" in out:
        out["published"] = parse_dates(out["published"])
    out.index = [str((path.parent / str(p)).resolve()) for p in raw[key]]
    return out[~out.index.duplicated(keep="last")]


def _apply_manifest(df: pd.DataFrame, manifest: pd.DataFrame | None) -> pd.DataFrame:
    if manifest is None or df.empty:
        return df
    key = str(Path(df["source_path"].iloc[0]).resolve())
    if key not in manifest.index:
        return df
    entry = manifest.loc[key]
    df = df.copy()
    for col, value in entry.items():
        if pd.isna(value):
            continue
        if col == "published":
            df["published"] = value
            df["date_source"] = "manifest"
        else:
            df[col] = value
    return df


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
) -> Iterator[tuple[FileResult, pd.DataFrame]]:
    """
    Load inputs file by file, yielding ``(FileResult, articles chunk)`` pairs.

    A large table yields several chunks (same FileResult object, its ``rows``
    growing). A skipped or failed file yields once with an empty table. This is
    the streaming form of :func:`load_articles`; the corpus store uses it.
    """
    files = expand_paths(paths)
    manifests = {}
    if manifest is not None:
        m = read_manifest(Path(manifest))
        manifests[None] = m
    pages: dict[Path, list[Path]] = {}
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
        if file_format(f) == "txt":
            pages.setdefault(f.parent, []).append(f)

    def manifest_for(p: Path):
        return manifests.get(None) if None in manifests else _nearest_manifest(manifests, p)

    show = progress if progress is not None else (sys.stderr.isatty() and len(ordered) > 50)
    from analysis.workers import tqdm_class

    bar = tqdm_class()(total=len(ordered), unit="file", desc="loading", disable=not show)
    done_pages: set[Path] = set()
    for f in ordered:
        fmt = file_format(f)
        if fmt is None:
            bar.update()
            yield (
                FileResult(
                    str(f),
                    "skipped",
                    reason=f"not an article format ({f.suffix or 'no extension'})",
                ),
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
            )
            bar.update(len(pages[f.parent]))
            continue
        result = FileResult(str(f), "loaded", format=fmt)
        try:
            if fmt == "html":
                raw = _read_bytes(f)
                if not raw.strip():
                    raise InputError(f, "empty file")
                sniff_encoding(raw[:512] if raw[:3] != codecs.BOM_UTF8 else b"", f)
                df = _finish(
                    pd.DataFrame([_html_row(raw, f, outlet=outlet)]).assign(source_row=0), f
                )
                df = _apply_manifest(df, manifest_for(f))
                result.rows = len(df)
                yield result, df
            else:
                start = 0
                for chunk in _table_chunks(f, fmt, result):
                    df = _finish(
                        _from_table(
                            chunk, f, columns=columns, outlet=outlet, result=result, start_row=start
                        ),
                        f,
                    )
                    start += len(chunk)
                    result.rows += len(df)
                    yield result, df
                if start == 0:
                    raise InputError(f, "no rows (empty table)")
        except InputError as exc:
            status = "failed" if result.rows == 0 else "partial"
            yield _failure(exc, strict, FileResult(str(f), status, result.rows, exc.reason, fmt))
        else:
            for w in result.warnings:
                log.warning("%s: %s", f, w)
            if strict and result.warnings:
                raise InputError(f, "; ".join(result.warnings))
        bar.update()
    bar.close()


def _failure(exc: InputError, strict: bool, result: FileResult) -> tuple[FileResult, pd.DataFrame]:
    """Raise under ``strict``; otherwise log the problem and pair its result with no rows."""
    if strict:
        raise exc
    log.warning("%s", exc)
    return result, empty_articles()


def _nearest_manifest(manifests: dict, p: Path):
    for parent in p.resolve().parents:
        if parent in manifests:
            return manifests[parent]
    return None


def _load_pages(
    files: list[Path], *, outlet, manifest_for, strict, chrome
) -> Iterator[tuple[FileResult, pd.DataFrame]]:
    good: list[tuple[Path, str]] = []
    results: dict[Path, FileResult] = {}
    for f in files:
        res = FileResult(str(f), "loaded", format="txt")
        try:
            text, res.encoding = decode_bytes(_read_bytes(f), f)
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
        Outlet for every row (str), or a mapping from file stem / folder name to
        outlet. Default: a column, the page itself, or the file/folder name.
    columns : mapping, optional
        Explicit column names, canonical -> source (``{"text": "story_body"}``).
    manifest : path-like, optional
        A sidecar CSV/JSON Lines file mapping pages to url/outlet/published/...;
        files named ``manifest.csv``/``manifest.jsonl`` in a folder are used
        automatically for the pages below them.
    strict : bool, default False
        Raise :class:`~analysis.errors.InputError` at the first problem instead of
        skipping the file with a warning.
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
    results: dict[int, FileResult] = {}
    chunks = []
    for res, df in iter_articles(paths, **options):
        results[id(res)] = res
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
        df = _with_language(df)
    # Plain records, not a DataFrame: pandas compares attrs when it combines frames.
    df.attrs["load_report"] = report
    return df


def load_report(articles: pd.DataFrame) -> pd.DataFrame:
    """
    Return what :func:`load_articles` did with each input file.

    Columns: path, status (loaded, skipped, failed, partial), rows, reason,
    format, encoding, warnings. Empty when the table did not come from
    ``load_articles``.
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


def _with_language(df: pd.DataFrame) -> pd.DataFrame:
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
