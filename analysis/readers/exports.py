"""Database exports: files that hold many articles (Nexis Uni, Factiva, Media Cloud, GDELT).

An export reader is a module of this package with three names:

- ``NAME``: a short name (``"nexis"``), shown as the file's format;
- ``detect(head, suffix) -> bool``: whether a file is one of its exports, told
  from the file's content (``head``, its first :data:`HEAD_CHARS` characters of
  decoded text) and its extension (``suffix``, lower case, ``.gz`` removed). A
  ``.txt`` may be a page dump, a Nexis export or a Factiva export: the content
  decides;
- ``read(path) -> Export``: the articles of one file, with the count the file
  declares.

:data:`READERS` lists the reader modules; the first whose ``detect`` answers
True reads the file. The loaders (:mod:`analysis.readers.loaders`) ask
:func:`find_reader` about every file that could be an export.
"""

from __future__ import annotations

import functools
import gzip
import importlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pandas as pd

from analysis.errors import InputError
from analysis.readers.files import decode_bytes, read_page_bytes, sniff_encoding

#: The reader modules, asked in this order.
READERS: tuple[str, ...] = ("analysis.readers.nexis", "analysis.readers.factiva")

#: How much decoded text ``detect`` sees.
HEAD_CHARS = 65536

#: Extensions a database export may have; other files are never asked about.
EXPORT_SUFFIXES = frozenset(
    {".txt", ".text", ".rtf", ".docx", ".htm", ".html", ".xhtml", ".xml"}
    | {".csv", ".tsv", ".json", ".jsonl", ".ndjson"}
)

#: Largest export file read (a Nexis or Factiva download of a few hundred articles
#: is a few MB; a bigger file is refused before it is read into memory).
MAX_EXPORT_BYTES = 256 * 2**20

#: The article fields an export reader fills (others may be added as extra columns).
EXPORT_COLUMNS = (
    "title",
    "text",
    "published",
    "outlet",
    "byline",
    "section",
    "dateline",
    "language",
    "url",
)


@dataclass
class Export:
    """
    The articles of one export file and what the file says about itself.

    Attributes
    ----------
    articles : DataFrame
        One row per article found, in file order, with the columns of
        :data:`EXPORT_COLUMNS` (missing values where the file gives none) and any
        extra metadata columns; ``published`` may hold timestamps or text.
    declared : int or None
        The number of articles the file says it holds ("Documents (25)",
        "3 of 25 DOCUMENTS"); None when it says nothing.
    positions_missing : list of int
        Positions (1-based, as the file numbers them) of declared articles that
        were not parsed.
    """

    articles: pd.DataFrame
    declared: int | None = None
    positions_missing: list[int] = field(default_factory=list)

    def audit(self) -> str:
        """
        Say how the parsed articles fall short of the declared count; ``""`` when they do not.

        Examples
        --------
        >>> Export(pd.DataFrame({"title": ["a", "b"]}), declared=3, positions_missing=[2]).audit()
        'declares 3 articles, 2 parsed; missing position 2'
        """
        if self.declared is None or self.declared == len(self.articles):
            return ""
        msg = f"declares {self.declared} articles, {len(self.articles)} parsed"
        if self.positions_missing:
            shown = ", ".join(map(str, self.positions_missing[:20]))
            more = len(self.positions_missing) - 20
            shown += f" and {more} more" if more > 0 else ""
            word = "position" if len(self.positions_missing) == 1 else "positions"
            msg += f"; missing {word} {shown}"
        return msg


def suffix_of(path: Path) -> str:
    """Return the extension that tells a file's kind, lower case, with ``.gz`` removed."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return os.path.splitext(name)[1]


def readers() -> list[ModuleType]:
    """Return the export reader modules, in the order they are asked."""
    return [importlib.import_module(name) for name in READERS]


def _raw(path: Path) -> bytes:
    return read_page_bytes(path, limit=MAX_EXPORT_BYTES)


def docx_text(raw: bytes, path: object = "<bytes>") -> str:
    """
    Return the text of a Word (DOCX) document: one line per paragraph, in order.

    Table cells are read too (cover pages and result lists are often tables),
    one line per cell, row by row.
    """
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise InputError(path, f"not a readable Word document ({exc})") from None
    except Exception as exc:  # a damaged zip raises zipfile/lxml errors of several kinds
        raise InputError(path, f"not a readable Word document ({type(exc).__name__})") from None
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def rtf_text(raw: bytes, path: object = "<bytes>") -> str:
    """
    Return the text of an RTF document.

    Escaped characters (``\\'e9``, ``\\u233``) are decoded with the document's
    code page (``\\ansicpg``), Windows-1252 when it names none.
    """
    from striprtf.striprtf import rtf_to_text

    text = raw.decode("cp1252", errors="replace")
    if not text.lstrip().startswith("{\\rtf"):
        raise InputError(path, "not an RTF document (it does not start with {\\rtf)")
    try:
        out = rtf_to_text(text, errors="replace")
    except Exception as exc:  # striprtf raises plain errors on damaged control words
        raise InputError(path, f"unreadable RTF ({type(exc).__name__}: {exc})") from None
    # a character beyond U+FFFF (an emoji, a flag) is written as two \u escapes, a
    # UTF-16 surrogate pair: join them into the one character
    out = out.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return out.replace("\r\n", "\n").replace("\r", "\n")


_BLOCKS = (
    "p div br li tr h1 h2 h3 h4 h5 h6 table section article header footer "
    "blockquote pre title dt dd hr"
).split()


def html_text(html: str) -> str:
    """
    Return the visible text of an HTML export, one line per block element.

    Scripts and styles are dropped; table cells in a row are separated by a
    space; empty lines are dropped.

    Examples
    --------
    >>> html_text("<html><body><p>Byline: Ana <b>Ruiz</b></p><p>Body</p></body></html>")
    'Byline: Ana Ruiz\\nBody'
    """
    import lxml.html

    if not html.strip():
        return ""
    root = lxml.html.document_fromstring(html)
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
            if el.tag != "br":
                el.text = "\n" + (el.text or "")
        elif el.tag in ("td", "th"):
            el.tail = "\t" + (el.tail or "")
    text = root.text_content().replace("\xa0", " ")
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def document_text(path: Path) -> str:
    """
    Return the whole text of an export file: DOCX and RTF decoded, other files as text.

    HTML is returned as markup; a reader that wants its text calls :func:`html_text`.

    Raises
    ------
    InputError
        Naming the file: unreadable, empty or too large.
    """
    stat = path.stat()
    return _document_text(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _document_text(name: str, mtime_ns: int, size: int) -> str:
    """The decoded text of one version of a file: detection and reading decode a DOCX once."""
    path = Path(name)
    raw = _raw(path)
    suffix = suffix_of(path)
    if suffix == ".docx":
        return docx_text(raw, path)
    if suffix == ".rtf":
        return rtf_text(raw, path)
    return decode_bytes(raw, path)[0]


def head_text(path: Path) -> str:
    """Return the first :data:`HEAD_CHARS` characters of a file's decoded text."""
    suffix = suffix_of(path)
    if suffix in (".docx", ".rtf"):
        return document_text(path)[:HEAD_CHARS]
    if path.name.lower().endswith(".gz"):
        try:
            with gzip.open(path, "rb") as fh:
                raw = fh.read(HEAD_CHARS)
        except (OSError, EOFError):
            return ""
    else:
        with open(path, "rb") as fh:
            raw = fh.read(HEAD_CHARS)
    if not raw.strip():
        return ""
    # the encoding told from the first 4 KB: enough to read markers, far quicker on many files
    return raw.decode(sniff_encoding(raw[:4096], path), errors="replace").replace("\x00", "")


def find_reader(path: Path) -> ModuleType | None:
    """
    Return the export reader that recognises the file, or None.

    A file that cannot be read or decoded is not an export here; the loaders
    report it when they read it as the kind its extension says.
    """
    suffix = suffix_of(path)
    if suffix not in EXPORT_SUFFIXES:
        return None
    try:
        head = head_text(path)
    except (InputError, OSError):
        return None
    if not head:
        return None
    for reader in readers():
        if reader.detect(head, suffix):
            return reader
    return None


def read_export(path: Path, reader: ModuleType) -> Export:
    """
    Read one export file with its reader; check the table it gives.

    Raises
    ------
    InputError
        Naming the file: no article found, or a reader that gave no table.
    """
    export = reader.read(path)
    if not isinstance(export, Export) or not isinstance(export.articles, pd.DataFrame):
        raise InputError(path, f"the {reader.NAME} reader gave no articles table")
    if export.articles.empty:
        what = f" (it declares {export.declared})" if export.declared else ""
        raise InputError(path, f"no articles found in this {reader.NAME} export{what}")
    articles = export.articles.reindex(
        columns=[*EXPORT_COLUMNS, *[c for c in export.articles.columns if c not in EXPORT_COLUMNS]]
    )
    texts = [c for c in EXPORT_COLUMNS if c != "published"]
    articles = articles.astype(dict.fromkeys(texts, "string")).reset_index(drop=True)
    return Export(articles, export.declared, list(export.positions_missing))
