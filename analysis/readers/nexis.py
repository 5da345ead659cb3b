"""Nexis Uni, Lexis Advance, LexisNexis Academic and Nexis UK exports.

A Nexis download holds many articles in one DOCX, RTF, plain text or HTML file.
Two layouts are read, in English and in other interface languages:

- Nexis Uni and Lexis Advance: an optional cover page ("Documents (25)") and
  table of contents, then per article its title, publication, date, the fields
  ("Section:", "Length: 845 words", "Byline:", "Dateline:"), a line "Body", the
  body, a "Classification" block ("Language:", "Load-Date:") and a line
  "End of Document";
- LexisNexis Academic and Nexis UK: each article opens with "3 of 25 DOCUMENTS",
  then the publication, the date, the headline, upper-case fields ("BYLINE:",
  "LENGTH:"), the body and trailing fields ("LOAD-DATE:", "LANGUAGE:").

An article is found by its head (a date line with the title and publication
beside it and the fields after it), not by the separators alone, so a body line
that reads "End of Document" or "Body" does not split or shorten an article, and
a cover page or contents list is never taken for one.
"""

from __future__ import annotations

import html as html_module
import re
from pathlib import Path

import pandas as pd

from analysis.readers.dates import date_line, written_date
from analysis.readers.exports import Export, document_text, html_text, suffix_of
from analysis.text.language import language_of_name

NAME = "nexis"

# Field labels, lower case, "|"-separated, in the interface languages Nexis offers.
_HEAD_FIELDS = {
    "section": "section|rubrik|rubrique|sección|seccion|sezione|sectie|rubriek",
    "length": "length|länge|laenge|longueur|longitud|lunghezza|lengte",
    "byline": "byline|author|autor|auteur|auteurs|autore",
    "dateline": "dateline|ortsmarke",
    "highlight": "highlight",
    "headline": "headline",
}
_TAIL_FIELDS = {
    "load_date": "load-date|load date|ladedatum|date de chargement|fecha de carga|data di caricamento",
    "language": "language|sprache|langue|idioma|lingua|taal",
    "publication_type": "publication-type|publikationstyp|type de publication|tipo de publicación",
    "subject": "subject|thema|sujet|materia|soggetto|onderwerp",
    "graphic": "graphic|grafik|graphique",
    "url": "url",
    "notes": "notes",
    "other": "organization|person|geographic|industry|ticker|correction|correction-date"
    "|journal-code|document-type|type|city|state|country|company|distribution|acc-no"
    "|geografisch|branche",
}


def _labels(table: dict[str, str]) -> dict[str, str]:
    return {label: key for key, labels in table.items() for label in labels.split("|")}


_HEAD = _labels(_HEAD_FIELDS)
_TAIL = _labels(_TAIL_FIELDS)
_FIELD = re.compile(
    r"^\s*(?P<label>"
    + "|".join(re.escape(k) for k in sorted({**_HEAD, **_TAIL}, key=len, reverse=True))
    + r")\s*:\s*(?P<value>.*)$",
    re.I,
)
_BODY = re.compile(r"^\s*(?:body|text|corps|texte|cuerpo|texto|testo|tekst)\s*:?\s*$", re.I)
_CLASSIFICATION = re.compile(
    r"^\s*(?:classification|klassifikation|klassifizierung|classement|clasificación|classificazione|classificatie)\s*$",
    re.I,
)
_GRAPHIC = re.compile(r"^\s*(?:graphic|grafik|graphique)\s*$", re.I)
_END = re.compile(
    r"^[ \t]*(?:end of document|ende des dokuments|fin du document|fin del documento"
    r"|fine del documento|einde van document|fim do documento)[ \t]*$",
    re.I,
)
_DOCUMENTS = re.compile(
    r"^[ \t]*(?:documents?|dokumente?|documentos?|documenti|documenten)[ \t]*\([ \t]*(\d+)[ \t]*\)[ \t]*$",
    re.I | re.M,
)
_N_OF_M = re.compile(
    r"^[ \t]*(\d+)[ \t]+(?:of|von|de|sur|di|van|av|af)[ \t]+(\d+)[ \t]+"
    r"(?:documents?|dokumente[n]?|documentos|documenti|documenten|dokument)[ \t]*$",
    re.I,
)
_TOC_ENTRY = re.compile(r"^\s*(\d+)\.\s+(\S.*)$")
_COPYRIGHT = re.compile(r"^\s*(?:copyright\s*(?:©|\(c\))?|©|\(c\))\s*(?:19|20)\d\d\b", re.I)
_WORDS = re.compile(
    r"(\d[\d.,\s]*)\s*(?:words|wörter|worte|mots|palabras|parole|woorden|palavras)", re.I
)


def detect(head: str, suffix: str) -> bool:
    """
    Tell a Nexis export from its first characters.

    Examples
    --------
    >>> detect("User Name: =\\nDocuments (3)\\n1. Talks resume", ".docx")
    True
    >>> detect("Talks resume\\n\\nOfficials said on Monday...", ".txt")
    False
    """
    if suffix not in (".txt", ".text", ".rtf", ".docx", ".htm", ".html", ".xhtml"):
        return False
    low = head.lower()
    if "document" not in low and "dokument" not in low:  # every marker holds one of them
        return False
    if suffix in (".htm", ".html", ".xhtml"):  # markers only: tags become line breaks
        head = html_module.unescape(re.sub(r"<[^>]*>", "\n", head))
    text = "\n".join(_lines(head))
    if _N_OF_M_LINES.search(text) or _DOCUMENTS.search(text):
        return True
    return bool(_END_LINES.search(text) and _LENGTH_OR_LOAD_LINES.search(text))


def _anywhere(pattern: re.Pattern) -> re.Pattern:
    """The same line pattern, to search a whole text at once."""
    return re.compile(pattern.pattern, re.I | re.M)


_N_OF_M_LINES = _anywhere(_N_OF_M)
_END_LINES = _anywhere(_END)
_LENGTH_OR_LOAD_LINES = re.compile(
    r"^[ \t]*(?:"
    + "|".join(re.escape(k) for k, v in {**_HEAD, **_TAIL}.items() if v in ("length", "load_date"))
    + r")[ \t]*:",
    re.I | re.M,
)


def read(path: Path) -> Export:
    """
    Read every article of a Nexis export (DOCX, RTF, text or HTML).

    Returns
    -------
    Export
        The articles with title, text, published, outlet, byline, section,
        dateline, language and the extra columns ``length_words`` (the length the
        file states) and ``load_date``; the count the file declares; the positions
        of declared articles not parsed.
    """
    text = document_text(path)
    if suffix_of(path) in (".htm", ".html", ".xhtml"):
        text = html_text(text)
    return parse(text)


def parse(text: str) -> Export:
    """
    Parse the text of a Nexis export into its articles.

    Examples
    --------
    >>> export = parse(
    ...     "Documents (1)\\nGrain talks resume\\nThe Coast Ledger\\nMarch 4, 2024 Monday\\n"
    ...     "Length: 6 words\\nBody\\nGrain talks resumed in Geneva today.\\nEnd of Document\\n"
    ... )
    >>> export.declared, export.articles.loc[0, ["title", "outlet"]].tolist()
    (1, ['Grain talks resume', 'The Coast Ledger'])
    """
    lines = _lines(text)
    ends = [i for i, line in enumerate(lines) if _END.match(line)]
    if any(_separates(lines, i) for i in ends):
        return _parse_uni(lines)
    numbered = _numbered(lines)
    if numbered:
        return _parse_numbered(lines, numbered)
    return _parse_uni(lines)


def _numbered(lines: list[str]) -> list[tuple[int, re.Match]]:
    """
    The "N of M DOCUMENTS" lines that open articles: M the file's count, N rising.

    A body line that reads like one (another M, or an N out of order) is not.
    """
    found = [(i, m) for i, line in enumerate(lines) if (m := _N_OF_M.match(line))]
    if not found:
        return []
    counts = pd.Series([int(m.group(2)) for _, m in found])
    modes = set(counts.mode().tolist())
    total = int(counts.iloc[0]) if counts.iloc[0] in modes else max(modes)  # a tie: the first
    out, last = [], 0
    for i, m in found:
        n = int(m.group(1))
        if int(m.group(2)) == total and last < n <= total:
            out.append((i, m))
            last = n
    return out


def _parse_numbered(lines: list[str], numbered) -> Export:
    """LexisNexis Academic / Nexis UK: every article opens with "N of M DOCUMENTS"."""
    declared = max(int(m.group(2)) for _, m in numbered)
    rows, positions = [], []
    bounds = [i for i, _ in numbered] + [len(lines)]
    for (start, m), end in zip(numbered, bounds[1:]):
        row = _article(lines[start + 1 : end], marked=False)
        if row is not None:
            rows.append(row)
            positions.append(int(m.group(1)))
    missing = [p for p in range(1, declared + 1) if p not in set(positions)]
    return Export(pd.DataFrame(rows), declared=declared, positions_missing=missing)


def _parse_uni(lines: list[str]) -> Export:
    """Nexis Uni / Lexis Advance: articles close with "End of Document"."""
    cover = lines[: _first_head(lines)]
    found = _DOCUMENTS.search("\n".join(cover))
    declared = int(found.group(1)) if found else None
    ends = [i for i, line in enumerate(lines) if _END.match(line)]
    cuts = [i for i in ends if _separates(lines, i)]
    rows, start = [], 0
    for cut in cuts:
        row = _article(lines[start:cut], marked=True)
        if row is not None:
            rows.append(row)
        start = cut + 1
    # what follows the last "End of Document" is an article cut off, unless the file uses none
    rest = lines[start:]
    if not cuts and any(line.strip() for line in rest):
        row = _article(rest, marked=True)
        if row is not None:
            rows.append(row)
    toc = _contents(cover)
    if declared is None and toc:
        declared = len(toc)
    return Export(
        pd.DataFrame(rows), declared=declared, positions_missing=_missing(rows, toc, declared)
    )


def _separates(lines: list[str], i: int) -> bool:
    """
    Whether the "End of Document" line ``i`` closes an article.

    It does when what follows reaches an article's fields ("Section:", "Length:",
    "Body") before any closing field ("Classification", "Load-Date:", another
    "End of Document"): a body line reading "End of Document" is followed by the
    rest of its body and then its own closing fields.
    """
    for line in lines[i + 1 :]:
        if _starts_fields(line):
            return True
        if _END.match(line) or _CLASSIFICATION.match(line) or _field(line)[0] in _TAIL_KEYS:
            return False
    return True


_HEAD_KEYS = frozenset(_HEAD_FIELDS)


def _first_head(lines: list[str]) -> int:
    """Index of the first article's first field: what comes before is cover and contents."""
    for i, line in enumerate(lines):
        if _BODY.match(line) or _field(line)[0] in _HEAD_KEYS:
            return i
    return len(lines)


def _contents(cover: list[str]) -> list[str]:
    """Titles listed in a cover page's contents ("1. Title"), in order."""
    entries: dict[int, str] = {}
    for line in cover:
        m = _TOC_ENTRY.match(line)
        if m and int(m.group(1)) == len(entries) + 1:
            entries[int(m.group(1))] = m.group(2).strip()
    return list(entries.values())


def _missing(rows: list[dict], toc: list[str], declared: int | None) -> list[int]:
    if declared is None:
        return []
    if toc:
        titles = [_key(r["title"]) for r in rows]
        missing = []
        for pos, title in enumerate(toc, 1):
            if _key(title) in titles:
                titles.remove(_key(title))
            else:
                missing.append(pos)
        return missing if len(toc) - len(missing) == len(rows) else _tail(rows, declared)
    return _tail(rows, declared)


def _tail(rows: list[dict], declared: int) -> list[int]:
    return list(range(len(rows) + 1, declared + 1))


def _key(title: str) -> str:
    return re.sub(r"\W+", " ", title).strip().lower()


# ------------------------------------------------------------------------ articles


def _article(lines: list[str], *, marked: bool) -> dict | None:
    """
    One article from its lines; None when they hold no title or body.

    ``marked``: the layout has a "Body" line before the body (Nexis Uni); the
    first one after the fields is it. The older layout has none: the body starts
    at the first line after the fields that is not a field.
    """
    lines = [line.strip() for line in lines]
    first = next((i for i, line in enumerate(lines) if _starts_fields(line)), None)
    if first is None:
        return None
    head = [line for line in lines[:first] if line and not _COPYRIGHT.match(line)]
    fields: dict[str, str] = {}
    marker = next((i for i in range(first, len(lines)) if _BODY.match(lines[i])), None)
    body_at = None
    if marked and marker is not None:
        body_at = marker + 1
    for i in range(first, body_at - 1 if body_at else len(lines)):
        if body_at is None and _BODY.match(lines[i]):  # "BODY:" in some older exports
            body_at = i + 1
            break
        key, value = _field(lines[i])
        if key in _HEAD_KEYS:
            fields.setdefault(key, value)
        elif body_at is None and lines[i] and key is None and not _COPYRIGHT.match(lines[i]):
            body_at = i  # the older layout has no "Body" line: the body starts here
            break
    if body_at is None:
        return None
    body, tail = _split_tail(lines[body_at:], marked=marked)
    for line in tail:
        key, value = _field(line)
        if key is not None and key not in fields:
            fields[key] = value
    title, outlet, published = _head(head)
    title = fields.pop("headline", "") or title
    text = "\n".join(line for line in body if line)
    if not (title and text):
        return None
    return dict(
        title=title,
        text=text,
        published=published,
        outlet=outlet,
        byline=fields.get("byline") or None,
        section=fields.get("section") or None,
        dateline=fields.get("dateline") or None,
        language=_language(fields.get("language", "")),
        length_words=_length(fields.get("length", "")),
        load_date=written_date(fields.get("load_date", "")),
    )


def _starts_fields(line: str) -> bool:
    return bool(_BODY.match(line)) or _field(line)[0] in _HEAD_KEYS


def _split_tail(lines: list[str], *, marked: bool) -> tuple[list[str], list[str]]:
    """
    Split what follows the body's start into body and the trailing metadata.

    In the Nexis Uni layout the metadata opens with the last "Classification"
    line. Otherwise it is the run of closing fields ("Load-Date:", "Language:")
    and copyright lines that ends the article, so a body line that reads like a
    field stays in the body.
    """
    end = len(lines)
    marks = [i for i, line in enumerate(lines) if _CLASSIFICATION.match(line)] if marked else []
    if marks:
        end = marks[-1]
    else:
        run = end
        for i in range(len(lines) - 1, -1, -1):
            line = lines[i]
            if line and not (_field(line)[0] in _TAIL_KEYS or _COPYRIGHT.match(line)):
                break
            if line:
                run = i
        first = next((i for i, line in enumerate(lines) if _field(line)[0] in _TAIL_KEYS), end)
        # a field value wrapped over two lines ends the run early: then the first closing field
        end = run if run < end and _field(lines[run])[0] is not None else first
    body = lines[:end]
    graphic = [i for i, line in enumerate(body) if _GRAPHIC.match(line)]
    if graphic:
        body = body[: graphic[-1]]
    while body and (not body[-1] or _COPYRIGHT.match(body[-1])):
        body = body[:-1]
    tail = lines[end:]
    return body, tail


_TAIL_KEYS = frozenset(_TAIL_FIELDS)


def _head(head: list[str]) -> tuple[str, str, pd.Timestamp | None]:
    """Title, publication and date from the lines before an article's fields."""
    dated = [i for i, line in enumerate(head) if date_line(line) is not None]
    published = date_line(head[dated[-1]]) if dated else None
    if not dated:  # a date line not read ("Spring 2024"): the last short line with a year
        dated = [i for i, line in enumerate(head) if _YEAR.search(line) and len(line) < 60]
    if not dated:
        return (
            (head[-2] if len(head) >= 2 else "".join(head)),
            (head[-1] if len(head) >= 2 else ""),
            None,
        )
    d = dated[-1]
    after = head[d + 1 :]
    if after and d <= 1:  # older layout: publication, date, edition lines, headline
        return after[-1], head[0] if d == 1 else "", published
    if d >= 2:  # Nexis Uni: title, publication, date
        return head[d - 2], head[d - 1], published
    return "", head[0] if d == 1 else "", published


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _field(line: str) -> tuple[str | None, str]:
    m = _FIELD.match(line)
    if not m:
        return None, ""
    label = m.group("label").lower()
    return _HEAD.get(label) or _TAIL.get(label), m.group("value").strip()


def _language(value: str) -> str | None:
    first = re.split(r"[;,/]", value.strip().lower(), maxsplit=1)[0].strip()
    return language_of_name(first)


def _length(value: str) -> int | None:
    m = _WORDS.search(value)
    if not m:
        return None
    digits = re.sub(r"\D", "", m.group(1))
    return int(digits) if digits else None


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ").split("\n")
