"""Input files: finding them, telling their format, decoding their bytes, what became of each."""

from __future__ import annotations

import codecs
import glob as globmod
import io
import os
import re
import zlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from analysis.errors import InputError, ParameterError

TEXT_EXT = {".txt", ".text"}
HTML_EXT = {".html", ".htm", ".xhtml"}
#: Word and RTF documents are read only as database exports (see ``readers.exports``).
DOCUMENT_EXT = {".docx", ".rtf", ".xml"}
TABLE_EXT = {".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".json", ".parquet", ".pq"}
MANIFEST_NAMES = {"manifest.csv", "manifest.tsv", "manifest.jsonl", "manifest.json"}

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
    #: which source column became which field, and the fields no column gave (tables)
    columns: str = ""
    #: the field separator of a delimited text file
    separator: str = ""
    #: the number of articles a database export says it holds (None: not an export, or silent)
    declared: int | None = None
    #: the number of articles parsed from a database export (None: not an export)
    parsed: int | None = None
    #: positions (1-based) of declared articles not parsed, comma-separated
    missing: str = ""
    #: the number of article bodies cut to the body limit (see :func:`max_body_chars`)
    bodies_cut: int = 0

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
    """
    Return the kind of file its extension says, or None.

    One of ``"txt"``, ``"html"``, ``"csv"``, ``"tsv"``, ``"jsonl"``, ``"json"``,
    ``"parquet"``, or ``"docx"``, ``"rtf"``, ``"xml"`` (documents read only as
    database exports). Whether a file is a database export is told by its
    content: see :func:`analysis.readers.exports.find_reader`.
    """
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
    if ext in DOCUMENT_EXT:
        return ext[1:]
    return None


def outlet_from_path(path: Path, outlet=None) -> str:
    """
    Outlet name for a file when no column or page gives one.

    ``outlet`` may be a string (used as is) or a mapping to outlets from paths of
    files or folders (absolute, as :func:`outlet_keys` makes them; the nearest one
    holding the file wins), or from file stems or folder names. Otherwise a table file's stem is the outlet (``ABC.csv`` ->
    ``ABC``) and a page's folder name is (``sample/harbor-city-tribune/x.txt`` ->
    ``harbor-city-tribune``).
    """
    if isinstance(outlet, str):
        return outlet
    stem = path.name.split(".")[0]
    folder = path.parent.name
    if isinstance(outlet, Mapping):
        resolved = path.resolve()
        for place in (resolved, *resolved.parents):  # the nearest file or folder given wins
            if str(place) in outlet:
                return outlet[str(place)]
        for key in (stem, folder, path.name):
            if key in outlet:
                return outlet[key]
    return folder if file_format(path) in ("txt", "html") else stem


def outlet_keys(outlet):
    """
    Return an ``outlet`` mapping whose keys naming existing files or folders are absolute.

    Keys that are file stems or folder names stay as they are too, so
    ``{"data/nyt.csv": "NYT", "abc": "ABC"}`` matches by path and by stem.
    """
    if not isinstance(outlet, Mapping):
        return outlet
    out = dict(outlet)
    for key, name in outlet.items():
        if os.path.exists(key):
            out.setdefault(str(Path(key).resolve()), name)
    return out


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


#: Largest page (a text dump or an HTML file) one input file may hold, decompressed.
#: A news page is well under 1 MB; a bigger "page" is a wrong file or a decompression
#: bomb, refused before it is read into memory.
MAX_PAGE_BYTES = 16 * 2**20


def gunzip(raw: bytes, source: str | Path, *, limit: int = MAX_PAGE_BYTES) -> bytes:
    """
    Decompress gzip data, refusing to inflate past ``limit`` bytes.

    Raises
    ------
    InputError
        Naming ``source``: corrupt or truncated data, or more than ``limit`` bytes.

    Examples
    --------
    >>> import gzip
    >>> gunzip(gzip.compress(b"Kyiv"), "page.txt.gz")
    b'Kyiv'
    """
    out = bytearray()
    rest = raw
    while rest:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(rest, limit + 1 - len(out))
        except zlib.error as exc:
            raise InputError(source, f"corrupt gzip data ({exc})") from None
        if len(out) > limit:
            raise InputError(source, f"inflates to more than {_megabytes(limit)}; not read")
        if not inflater.eof:
            raise InputError(source, "corrupt gzip data (the file ends early)")
        rest = inflater.unused_data.lstrip(b"\x00")  # the next member, if any
    return bytes(out)


def _megabytes(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


#: Most bytes a compressed table (``.csv.gz``, ``.jsonl.gz``, ...) may inflate to: 1 GiB,
#: or ``$MCA_MAX_INFLATED_MB`` megabytes. A file past it is refused with its name before
#: any of its rows is read, and the others are read on.
MAX_INFLATED_BYTES = 2**30


def max_inflated_bytes() -> int:
    """The inflation limit of compressed tables: ``$MCA_MAX_INFLATED_MB`` or :data:`MAX_INFLATED_BYTES`."""
    return _megabytes_limit("MCA_MAX_INFLATED_MB", None, MAX_INFLATED_BYTES)


def _megabytes_limit(variable: str, given: float | None, default: int) -> int:
    """A limit in megabytes: ``given``, else ``$variable``, else ``default`` (a count of 2**20)."""
    raw = os.environ.get(variable, "").strip() if given is None else str(given)
    if not raw:
        return default
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = 0.0
    if not megabytes > 0:
        where = variable if given is None else variable.removeprefix("MCA_").lower()
        raise ParameterError(f"{where}={raw!r}: give a number of megabytes above 0")
    return int(megabytes * 2**20)


#: Longest article body kept, in characters: 2 MB of text (2,097,152 characters), or
#: ``$MCA_MAX_BODY_MB`` megabytes. A news article is well under 100 KB; a longer body
#: is a wrong column or a page without article boundaries, and is cut to the limit
#: before it is cleaned, split or measured.
MAX_BODY_CHARS = 2 * 2**20


def max_body_chars(megabytes: float | None = None) -> int:
    """
    Return the body limit in characters: ``megabytes``, else ``$MCA_MAX_BODY_MB``, else 2 MB.

    Raises
    ------
    ParameterError
        When the limit is not a number of megabytes above 0.

    Examples
    --------
    >>> max_body_chars(0.5)
    524288
    """
    return _megabytes_limit("MCA_MAX_BODY_MB", megabytes, MAX_BODY_CHARS)


_SENTENCE_ENDS = (". ", "? ", "! ", ".\n", "?\n", "!\n", "\n\n")


def cut_body(text: str, limit: int) -> str:
    """
    Return ``text`` cut to at most ``limit`` characters, at a boundary near the limit.

    The cut follows the last sentence end (or paragraph break) in the last tenth
    before the limit (at least its last 200 characters); without one, the last whitespace there; without either, the
    limit itself. Text within the limit is returned as it is.

    Examples
    --------
    >>> cut_body("Talks stall. Talks resume. Talks end.", 30)
    'Talks stall. Talks resume.'
    >>> cut_body("Talks stall.", 30)
    'Talks stall.'
    """
    if len(text) <= limit:
        return text
    near = max(limit - max(limit // 10, 200), 0)
    cut = max(text.rfind(mark, near, limit + 1) for mark in _SENTENCE_ENDS) + 1
    if cut <= 0:
        spaces = [text.rfind(space, near, limit + 1) for space in (" ", "\n", "\t")]
        cut = max(spaces) if max(spaces) > 0 else limit
    return text[:cut].rstrip()


def inflated_size(path: Path, *, limit: int | None = None) -> int:
    """
    Return the number of bytes a gzip file inflates to, reading it once in blocks.

    Raises
    ------
    InputError
        Naming the file: corrupt or cut-short data, or more than ``limit`` bytes
        (default :func:`max_inflated_bytes`).
    """
    import gzip

    limit = max_inflated_bytes() if limit is None else limit
    total = 0
    try:
        with gzip.open(path, "rb") as fh:
            while block := fh.read(2**20):
                total += len(block)
                if total > limit:
                    raise InputError(
                        path,
                        f"inflates to more than {_megabytes(limit)}; not read "
                        "(MCA_MAX_INFLATED_MB sets the limit)",
                    )
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(path, f"corrupt gzip data ({exc})") from None
    return total


def read_page_bytes(path: Path, *, limit: int = MAX_PAGE_BYTES) -> bytes:
    """The bytes of one page file (gunzipped), at most ``limit`` of them."""
    size = path.stat().st_size
    if size > limit:
        raise InputError(
            path, f"{_megabytes(size)} is too large for one page (limit {_megabytes(limit)})"
        )
    raw = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        raw = gunzip(raw, path, limit=limit)
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
