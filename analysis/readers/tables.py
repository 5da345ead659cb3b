"""Table inputs (CSV/TSV, JSON Lines, JSON, Parquet): column mapping, chunked reading, manifests."""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import re
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.readers.files import (
    FileResult,
    _CleanReader,
    file_format,
    inflated_size,
    outlet_from_path,
    sniff_encoding,
)
from analysis.readers.lists import as_fields, recognise

#: Files at or above this size are read in chunks (memory stays bounded).
STREAM_BYTES = 16 * 1024 * 1024
CHUNK_ROWS = 5_000

#: canonical column -> accepted source names, compared lowercased without spaces,
#: underscores, dashes and dots (``Published At`` = ``published_at`` = ``publishedat``).
#: When two columns of a file could give the same field, the name earlier in its
#: tuple wins (``title`` before ``headline``), then the column further left; the
#: ingest log says which column was chosen over which.
ALIASES: dict[str, tuple[str, ...]] = {
    "published": (
        "published",
        "publishedat",
        "publishedon",
        "publisheddate",
        "publishdate",
        "publicationdate",
        "datepublished",
        "pubdate",
        "publishtime",
        "publishedtime",
        "date",
        "datetime",
        "timestamp",
        "time",
        "created",
        "createdat",
        "dates",
    ),
    "title": (
        "title",
        "headline",
        "headlines",
        "heading",
        "hed",
        "head",
        "storytitle",
        "articletitle",
        "newstitle",
        "posttitle",
        "pagetitle",
        "titles",
    ),
    "text": (
        "text",
        "body",
        "bodytext",
        "articletext",
        "articlebody",
        "fulltext",
        "content",
        "maintext",
        "storytext",
        "storybody",
        "articlecontent",
        "article",
        "articles",
        "story",
        "texts",
        "contents",
    ),
    "url": (
        "url",
        "link",
        "permalink",
        "articleurl",
        "storyurl",
        "canonicalurl",
        "sourceurl",
        "weburl",
        "pageurl",
        "articlelink",
        "href",
        "uri",
        "urls",
        "links",
    ),
    "outlet": (
        "outlet",
        "outletname",
        "medianame",
        "mediaoutlet",
        "publication",
        "publicationname",
        "newspaper",
        "source",
        "sourcename",
        "newssource",
        "site",
        "sitename",
        "media",
        "medium",
    ),
    "byline": ("byline", "author", "authors", "by", "writer"),
    "section": ("section", "category", "desk", "rubric"),
    "language": ("language", "lang"),
    "dateline": ("dateline",),
    "publisher": ("publisher",),
    "wire": ("wire", "agency"),
}
_ALIAS_LOOKUP = {alias: canon for canon, names in ALIASES.items() for alias in names}


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
    named: dict[str, list[tuple[int, int, str]]] = {}  # canon -> (alias rank, position, column)
    for pos, col in enumerate(df.columns):
        canon = _ALIAS_LOOKUP.get(_norm_name(col))
        if canon and canon not in mapping and col not in sum(mapping.values(), []):
            named.setdefault(canon, []).append((ALIASES[canon].index(_norm_name(col)), pos, col))
    for canon, found in named.items():
        mapping[canon] = [min(found)[2]]
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


#: The fields the ingest log always accounts for, and what a file without them gets.
_REPORTED = {
    "title": "titles empty",
    "text": "texts empty",
    "published": "dates empty",
    "url": "urls empty",
}
_SEPARATOR_NAMES = {";": "semicolon", "\t": "tab", "|": "pipe", ",": "comma"}


def describe_columns(
    columns: list[str], mapping: Mapping[str, list[str]], *, outlet: str = ""
) -> str:
    """
    Say which source column became which field, and which fields have none.

    ``outlet`` says where outlets came from when no column gave them. A field two
    columns could give names the one chosen over the other.

    Examples
    --------
    >>> describe_columns(
    ...     ["published", "headlines", "articles", "title"],
    ...     {"published": ["published"], "title": ["title"], "text": ["articles"]},
    ...     outlet="file name 'nyt'",
    ... )
    "title<-'title' (chosen over 'headlines'), text<-'articles', published<-'published', outlet<-file name 'nyt'; no url column: urls empty"
    """
    used = {c for srcs in mapping.values() for c in srcs}
    said, missing = [], []
    order = [*_REPORTED, "outlet", *(c for c in mapping if c not in _REPORTED and c != "outlet")]
    for canon in order:
        if canon in mapping:
            part = f"{canon}<-" + "+".join(repr(c) for c in mapping[canon])
            over = [
                c for c in columns if c not in used and _ALIAS_LOOKUP.get(_norm_name(c)) == canon
            ]
            if over:
                part += " (chosen over " + ", ".join(repr(c) for c in over) + ")"
            said.append(part)
        elif canon == "outlet":
            said.append(f"outlet<-{outlet}" if outlet else "no outlet column")
        elif canon in _REPORTED:
            missing.append(
                f"no {'date' if canon == 'published' else canon} column: {_REPORTED[canon]}"
            )
    return "; ".join([", ".join(said), *missing])


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

#: Separators a delimited text file may use.
SEPARATORS = ",;\t|"


def sniff_separator(sample: str, default: str = ",") -> str:
    r"""
    Guess the field separator of a delimited text file from its first lines.

    :class:`csv.Sniffer` chooses among comma, semicolon, tab and pipe; its choice
    is kept only when it splits the header line into more fields than ``default``
    does (long quoted texts full of semicolons do not turn a comma file into a
    semicolon one). Anything undecided falls back to ``default``.

    Examples
    --------
    >>> sniff_separator('date;title;text\n2022-03-01;Talks;"Kyiv, Monday"\n')
    ';'
    >>> sniff_separator("title,text\nTalks;stall,Both sides met.\n")
    ','
    """
    sample = sample[:20_000]
    if "\n" in sample.rstrip("\r\n"):
        sample = sample[: sample.rstrip("\r\n").rfind("\n") + 1]  # whole lines only
    try:
        found = csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        return default
    header = sample.splitlines()[0] if sample else ""

    def fields(sep: str) -> int:
        return len(next(csv.reader([header], delimiter=sep), []))

    return found if fields(found) > fields(default) else default


def _text_head(path: Path) -> tuple[bytes, str]:
    """The first 64 KiB of a text file (decompressed) and its encoding."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if path.name.lower().endswith(".gz"):
        with gzip.open(path) as fh:
            head = fh.read(65536)
    if not head.strip():
        raise InputError(path, "empty file")
    return head, sniff_encoding(head, path)


def table_columns(path: Path) -> list[str] | None:
    """
    Return the column names of a table file, read from its start.

    ``None`` when the file cannot be read that far; loading it then says why.
    """
    fmt = file_format(path)
    try:
        if fmt in ("csv", "tsv"):
            head, enc = _text_head(path)
            text = head.decode(enc, errors="replace")
            sep = sniff_separator(text, "\t" if fmt == "tsv" else ",")
            return [str(c) for c in pd.read_csv(io.StringIO(text), sep=sep, nrows=0).columns]
        with contextlib.closing(_table_chunks(path, fmt, FileResult(str(path), ""))) as chunks:
            return [str(c) for c in next(chunks, pd.DataFrame()).columns]
    except (InputError, OSError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None


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
    head, enc = _text_head(path)
    result.encoding = enc
    if path.name.lower().endswith(".gz"):  # how much it holds, not how small it came
        size = inflated_size(path)
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding=enc, errors="replace", newline="") as raw:
        fh = _CleanReader(raw)
        if fmt in ("csv", "tsv"):
            sep = sniff_separator(head.decode(enc, errors="replace"), "\t" if fmt == "tsv" else ",")
            result.separator = sep
            yield from _csv_chunks(fh, path, sep, size, result)
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


def _csv_chunks(fh, path: Path, sep: str, size: int, result: FileResult) -> Iterator[pd.DataFrame]:
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
    kind = None if columns else recognise(list(raw.columns))
    keep: dict[str, str] = {}
    if kind is not None:
        raw, keep = as_fields(raw, kind)
    mapping, notes = map_columns(raw, columns=columns, path=path)
    for n in notes:
        if n not in result.warnings:
            result.warnings.append(n)
    if not result.columns:  # said once per file, from its first chunk
        said = mapping
        if "outlet" in mapping and _clean_str(raw[mapping["outlet"][0]]).isna().all():
            said = {k: v for k, v in mapping.items() if k != "outlet"}  # a blank outlet column
        result.columns = describe_columns(
            list(raw.columns), said, outlet=_outlet_origin(path, outlet)
        )
        if result.separator not in ("", ","):
            result.columns += f"; {_SEPARATOR_NAMES[result.separator]}-separated"
        if kind is not None:
            result.columns = f"{kind.name}: {result.columns}"
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
        out[keep.get(name, name)] = raw[c]
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


def _outlet_origin(path: Path, outlet) -> str:
    """Where a table's outlets come from when no column gives them (for the ingest log)."""
    name = outlet_from_path(path, outlet)
    if isinstance(outlet, str) or (outlet is not None and name != outlet_from_path(path)):
        return f"given {name!r}"
    return f"file name {name!r}"


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
