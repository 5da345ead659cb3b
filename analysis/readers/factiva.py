"""Factiva exports: RTF, HTML, XML and text downloads of many articles.

Factiva prints every article either with its field codes (the "indexing"
display: one field a line, ``HD`` headline, ``BY`` byline, ``WC`` word count,
``PD`` date, ``SN`` source, ``SC`` source code, ``LA`` language, ``CY``
copyright, ``LP`` lead paragraph, ``TD`` text, ``CO``/``IN``/``NS``/``RE``
codes, ``AN`` accession number) or without them (the "full article" display:
headline, byline, "1,234 words", date, source, source code, language,
copyright, then the body). Either way an article ends with its accession
number, ``Document GRDN000020220312ei3c0001a``, which is its stable id.

Files are read as text here (:mod:`analysis.readers.exports` decodes RTF and
turns HTML into lines); XML is read by element names. A cover page, search
summary or table of contents before the first article is skipped; a numbered
table of contents gives the count the file declares. An article cut off at
the end of a file (no ``Document`` line) is not kept: it is counted as
declared but missing, so the ingestion audit names it.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.readers.dates import MONTHS_WRITTEN
from analysis.readers.exports import Export, document_text, html_text, suffix_of
from analysis.text.language import language_of_name

log = logging.getLogger(__name__)

NAME = "factiva"

#: The word the "Document <AN>" line starts with, in Factiva's interface languages.
_DOCUMENT_WORD = r"(?:Document|Dokument|Documento|Документ|ドキュメント|文档|文件|문서)"
#: An accession number: source code (zero-padded), the date, then Factiva's own letters.
_AN = r"[A-Za-z0-9]{1,12}(?:19|20)\d{6}[A-Za-z0-9]{5,16}"
_DOC_LINE = re.compile(rf"^(?:AN[\s|]+)?{_DOCUMENT_WORD}\s+({_AN})\s*$")
_CODE_LINE = re.compile(r"^([A-Z]{2,3})(?:[ \t|]+(.*))?$")
#: Field codes Factiva prints before the body, in any order.
_HEADER_CODES = frozenset(
    "SE CLM HD CR BY WC PD ET SN SC ED PG LA CY RST VOL".split()
)  # fmt: skip
#: Field codes Factiva prints after the body.
_TRAILER_CODES = frozenset("CT RF ART CO IN NS RE IPC IPD PUB".split())
#: Trailer codes whose value is a list of "code : name" pairs.
_CODE_LISTS = {"CO": "companies", "IN": "industries", "NS": "subjects", "RE": "regions"}
_CODE_PAIR = re.compile(r"^\S+\s+:\s+\S")
#: Factiva's page footer, "Page 1 of 3 © 2022 Factiva, Inc. All rights reserved." in any language.
_PAGE_FOOTER = re.compile(r"©\s*\d{4}\s+(?:Dow Jones\s*&\s*Company|Factiva)", re.I)
_WORDS = (
    r"(?:words?|mots?|w[öo]rter|wort|palabras?|parole|palavras?|woorden|ord|"
    r"слов[ао]?|語|字|단어|ワード)"
)
_WORD_COUNT = re.compile(rf"^(\d{{1,3}}(?:[ ,.\u00a0\u202f]\d{{3}})+|\d+)\s*{_WORDS}$", re.I)
_TIME = re.compile(r"^\d{1,2}[:.]\d\d(?:\s*[AP]\.?M\.?)?(?:\s+[A-Z]{2,4})?$", re.I)
_BYLINE_CUE = re.compile(r"^(?:by|par|von|por|di|door|af|av|от)\s+(?=\S)", re.I)
#: A line that is only a name or two ("Marta Quill", "JANE ROE and TOM POE, Kyiv"):
#: a byline printed without "By" in the full-article display.
_NAME = r"[A-ZÀ-ÖØ-ÞА-Я][\w'’.-]*"
_NAME_LINE = re.compile(
    rf"^{_NAME}(?:\s+(?:{_NAME}|de|van|von|der|da|di|del|le|la|and|und|et|y|&)){{1,5}}"
    r"(?:[,;]\s+[^,;]{1,40})?$"
)
_NOT_NAMES = frozenset("the a an of in on to for at with after over is are as from by".split())
_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)|copyright|tous droits|alle rechte|todos los derechos)|"
    r"all rights reserved|droits réservés|rechte vorbehalten|derechos reservados",
    re.I,
)
_SOURCE_CODE = re.compile(r"^[A-Z0-9]{2,10}$")
_TOC_ENTRY = re.compile(r"^(\d{1,4})[.)]\s+(.+?)(?:\s*\.{3,}\s*\d+|\s{2,}\d+)?$")

_DATE_FORMS = (
    re.compile(
        r"^(\d{1,2})(?:er|st|nd|rd|th)?\.?\s+(?:de\s+)?([^\W\d_]+)\.?,?\s+(?:de\s+)?(\d{4})$"
    ),
    re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})$"),
    re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]$"),
)
#: The language codes Factiva writes in its LA field (other values are names).
_CODES = frozenset("en fr de es it pt nl ru ja zh".split())


# ---------------------------------------------------------------------------- values


def parse_date(value: str | None) -> pd.Timestamp | None:
    """
    Read a Factiva date ("12 March 2022", "12 mars 2022", "12. März 2022") as UTC midnight.

    Returns None when ``value`` is not a whole date.

    Examples
    --------
    >>> parse_date("12. März 2022"), parse_date("1er mars 2022").day, parse_date("Talks")
    (Timestamp('2022-03-12 00:00:00+0000', tz='UTC'), 1, None)
    """
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit() and len(value) >= 10:  # milliseconds since 1970 (XML snapshots)
        return pd.Timestamp(int(value[:13].ljust(13, "0")), unit="ms", tz="UTC").normalize()
    for i, form in enumerate(_DATE_FORMS):
        m = form.match(value)
        if not m:
            continue
        a, b, c = m.groups()
        if i == 0:
            day, month, year = a, MONTHS_WRITTEN.get(b.lower()), c
        elif i == 1:
            day, month, year = b, MONTHS_WRITTEN.get(a.lower()), c
        else:
            year, month, day = a, int(b), c
        if not month:
            continue
        try:
            return pd.Timestamp(int(year), int(month), int(day), tz="UTC")
        except ValueError:
            return None
    return None


def language_code(value: str | None) -> str | None:
    """
    Return the ISO 639-1 code of a language as Factiva names it ("English", "Allemand", "de").

    Examples
    --------
    >>> language_code("Allemand"), language_code("en"), language_code("Klingon")
    ('de', 'en', None)
    """
    value = (value or "").strip().lower()
    return value if value in _CODES else language_of_name(value)


def _word_count(value: str | None) -> int | None:
    m = _WORD_COUNT.match((value or "").strip())
    if m:
        return int(re.sub(r"\D", "", m.group(1)))
    digits = re.sub(r"\D", "", value or "")
    return int(digits) if digits and len(digits) < 8 else None


def _name(byline: str | None) -> str | None:
    """A byline without its "By" ("Par", "Von" ...)."""
    return _BYLINE_CUE.sub("", byline).strip(" ,") or None if byline else None


def _joined(fields: dict[str, list[str]], name: str) -> str | None:
    return " ".join(fields.get(name, [])).strip() or None


def _key(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.findall(r"\w+", text))


# ----------------------------------------------------------------------------- text


def _lines(text: str) -> list[str]:
    out = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        # RTF table cells (the indexing display) end with "|"
        line = line.replace("\xa0", " ").strip().removesuffix("|").strip()
        if not (_PAGE_FOOTER.search(line) and len(line.split()) <= 16):
            out.append(line)
    return out


def _split(lines: list[str]) -> tuple[list[tuple[list[str], str]], list[str]]:
    """Cut the lines at each ``Document <AN>`` line: ``[(lines, an), ...]`` and the tail."""
    blocks, start = [], 0
    for i, line in enumerate(lines):
        m = _DOC_LINE.match(line)
        if m:
            blocks.append((lines[start:i], m.group(1)))
            start = i + 1
    return blocks, lines[start:]


def _is_coded(lines: list[str]) -> bool:
    codes = {m.group(1) for m in map(_CODE_LINE.match, lines) if m}
    return "HD" in codes and bool(codes & {"PD", "SN", "WC"})


def _coded(lines: list[str]) -> tuple[dict, list[str]]:
    """One article in the indexing display: its fields, and the lines before it (a cover)."""
    start = next(
        (i for i, line in enumerate(lines) if (m := _CODE_LINE.match(line)) and m.group(1) in ("SE", "CLM", "HD")),
        len(lines),
    )  # fmt: skip
    cover, lines = lines[:start], lines[start:]
    # the trailer: the longest run of code lines at the end (codes, publisher)
    end = len(lines)
    while end > 0:
        line = lines[end - 1]
        m = _CODE_LINE.match(line)
        if not line:
            end -= 1
        elif (
            m
            and m.group(1) in _TRAILER_CODES
            and (m.group(1) not in _CODE_LISTS or _CODE_PAIR.match(m.group(2) or ""))
        ):
            end -= 1
        else:
            break
    fields: dict[str, list[str]] = {}
    current = None
    for line in lines[:end]:
        m = _CODE_LINE.match(line)
        code = m.group(1) if m else None
        if (
            code
            and code not in fields
            and (
                (code in _HEADER_CODES and current in _HEADER_CODES | {None})
                or (code == "LP" and current not in ("LP", "TD"))
                or (code == "TD" and current != "TD")
            )
        ):
            current = code
            fields[code] = [m.group(2).strip()] if m.group(2) and m.group(2).strip() else []
        elif current is not None and line:
            fields[current].append(line)
    for line in lines[end:]:
        m = _CODE_LINE.match(line)
        if m:
            fields.setdefault(m.group(1), []).append((m.group(2) or "").strip())

    def one(code: str) -> str | None:
        return _joined(fields, code)

    body = [p for code in ("LP", "TD") for p in fields.get(code, [])]
    record = {
        "title": one("HD"),
        "text": "\n\n".join(body) or None,
        "published": parse_date(one("PD")),
        "outlet": one("SN"),
        "byline": _name(one("BY")),
        "section": one("SE") or one("CLM"),
        "language": language_code(one("LA")),
        "length_words": _word_count(one("WC")),
        "source_code": one("SC"),
        "edition": one("ED"),
        "page": one("PG"),
        "copyright": one("CY"),
        "publisher": one("PUB"),
    }
    for code, column in _CODE_LISTS.items():
        record[column] = " | ".join(v for v in fields.get(code, []) if v) or None
    return record, cover


def _is_byline(line: str, previous: str) -> bool:
    """Whether the line under a headline is its byline: "By ..." or a name no longer than it."""
    if _BYLINE_CUE.match(line):
        return True
    names = re.split(r"[,;]", line)[0].split()
    first = re.split(r"\s+(?:and|und|et|y|&)\s+", " ".join(names))[0].split()
    return (
        bool(_NAME_LINE.match(line))
        and not {w.lower() for w in names} & _NOT_NAMES
        and len(previous.split()) >= len(first)
    )


def _plain(lines: list[str]) -> tuple[dict, list[str]]:
    """One article in the full-article display (no codes), and the lines before it."""
    kept = [line for line in lines if line]
    # the first word count of the block, however long the cover page above it
    at = next((k for k, line in enumerate(kept) if _WORD_COUNT.match(line)), None)
    if at is not None:
        word_count, before, rest = _word_count(kept[at]), kept[:at], kept[at + 1 :]
    else:  # no word count: the header ends at the first whole-line date
        at = next((k for k, line in enumerate(kept[:40]) if k and parse_date(line)), None)
        if at is None:
            return {}, kept
        word_count, before, rest = None, kept[:at], kept[at:]
    if not before:
        return {}, kept
    byline = before.pop() if len(before) >= 2 and _is_byline(before[-1], before[-2]) else None
    title = before.pop()
    published = parse_date(rest[0]) if rest else None
    if published is not None:
        rest = rest[1:]
    if rest and _TIME.match(rest[0]):
        rest = rest[1:]
    outlet, rest = (rest[0], rest[1:]) if rest else (None, [])
    # source code, edition, page, language, copyright: the body starts after the
    # language and the copyright line under it, else after the source code
    header = rest[:6]
    stop = next((k for k, line in enumerate(header) if language_code(line)), None)
    if stop is None:
        stop = next((k for k, line in enumerate(header[:3]) if _COPYRIGHT.search(line)), None)
    elif stop + 1 < len(rest) and _COPYRIGHT.search(rest[stop + 1]):
        stop += 1
    if stop is None:
        stop = 0 if header and _SOURCE_CODE.match(header[0]) else -1
    meta, body = rest[: stop + 1], rest[stop + 1 :]
    record = {
        "title": title,
        "text": "\n\n".join(body) or None,
        "published": published,
        "outlet": outlet,
        "byline": _name(byline),
        "section": None,
        "language": next((language_code(v) for v in meta if language_code(v)), None),
        "length_words": word_count,
        "source_code": meta[0] if meta and _SOURCE_CODE.match(meta[0]) else None,
        "edition": None,
        "page": None,
        "copyright": next((v for v in meta if _COPYRIGHT.search(v)), None),
        "publisher": None,
        **{column: None for column in _CODE_LISTS.values()},
    }
    return record, before


def _article(lines: list[str]) -> tuple[dict, list[str]]:
    return _coded(lines) if _is_coded(lines) else _plain(lines)


def _contents(cover: list[str]) -> list[str]:
    """The headlines of a numbered table of contents (1., 2., 3. ...) in a cover page."""
    entries = [m for m in map(_TOC_ENTRY.match, cover) if m]
    numbers = [int(m.group(1)) for m in entries]
    if not numbers or numbers != list(range(1, len(numbers) + 1)):
        return []
    return [m.group(2).strip() for m in entries]


def _complete(record: dict) -> bool:
    return bool(record.get("title") and record.get("text"))


def parse_factiva_text(text: str, *, source_path: str = "") -> Export:
    """
    Parse the text of a Factiva export (RTF or HTML already turned into text, or a text file).

    Parameters
    ----------
    text : str
        The decoded text, one paragraph a line.
    source_path : str, default ""
        The file it came from, named in log messages.

    Returns
    -------
    Export
        One row per article, in file order: ``title``, ``text`` (lead paragraph then
        body), ``published``, ``outlet`` (the source name), ``byline``, ``section``,
        ``language``, and ``accession`` (the AN), ``source_code``, ``length_words``
        (the length the file states), ``edition``, ``page``, ``copyright``,
        ``publisher`` and the ``companies``,
        ``industries``, ``subjects`` and ``regions`` codes. ``declared`` is the
        length of a numbered table of contents before the first article; without
        one it is None, unless an article could not be read or the file ends inside
        an article: then it is the number of articles seen, and the unread ones are
        ``positions_missing``.

    Examples
    --------
    >>> export = parse_factiva_text(
    ...     "HD Talks resume\\nWC 9 words\\nPD 12 March 2022\\nSN The Daily Example\\n"
    ...     "LA English\\nTD Talks between the two delegations resumed on Tuesday.\\n"
    ...     "AN Document DEX0000020220312ei3c0001a"
    ... )
    >>> export.articles.loc[0, ["title", "outlet", "accession"]].tolist()
    ['Talks resume', 'The Daily Example', 'DEX0000020220312ei3c0001a']
    """
    blocks, tail = _split(_lines(text))
    rows, missing, cover = [], [], []
    for position, (lines, an) in enumerate(blocks, start=1):
        record, before = _article(lines)
        if position == 1:
            cover = before
        if not _complete(record):
            log.info(
                "%s: article %d (%s) has no headline or body", source_path or "<text>", position, an
            )
            missing.append(position)
            continue
        rows.append({**record, "accession": an, "source_row": position - 1})
    if not blocks:
        record, cover = _article(tail)
    else:
        record, _ = _article(tail)
    cut = bool(record.get("title") or record.get("published"))
    if cut:
        log.info("%s: the file ends inside article %d", source_path or "<text>", len(blocks) + 1)
        missing.append(len(blocks) + 1)
    contents = _contents(cover)
    declared: int | None = None
    if contents:
        declared = len(contents)
        found = {_key(r["title"]) for r in rows}
        by_title = [i for i, t in enumerate(contents, start=1) if _key(t) not in found]
        if len(rows) + len(by_title) == declared:
            missing = by_title
        else:
            missing = [p for p in missing if p <= declared] or list(
                range(len(rows) + 1, declared + 1)
            )
    elif missing:
        declared = len(blocks) + int(cut)
    if declared is not None and declared == len(rows):
        missing = []
    return Export(_frame(rows), declared, missing)


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    df["length_words"] = df["length_words"].astype("Int64")
    return df


# ------------------------------------------------------------------------------ XML

#: XML element names (lower case, no namespace) of each field: Factiva's own XML
#: (``<article>`` with ``<headline>``, ``<sourceName>``, ``<tailParagraphs>`` ...)
#: and the same fields named by their codes (``<HD>``, ``<SN>``, ``<TD>`` ...).
_XML_FIELDS = {
    "title": ("headline", "hd"),
    "byline": ("byline", "by"),
    "length_words": ("wordcount", "wc"),
    "published": ("publicationdate", "pd"),
    "outlet": ("sourcename", "sn"),
    "source_code": ("sourcecode", "sc"),
    "language": ("baselanguage", "la"),
    "copyright": ("copyright", "cy"),
    "section": ("sectionname", "se"),
    "edition": ("edition", "ed"),
    "page": ("pages", "pg"),
    "publisher": ("publishername", "pub"),
    "accession": ("accessionno", "an"),
    "reference": ("reference",),
    "lead": ("leadparagraph", "lp"),
    "body": ("tailparagraphs", "td"),
    "companies": ("company", "co"),
    "industries": ("industry", "in"),
    "subjects": ("newssubject", "ns"),
    "regions": ("region", "re"),
}
_XML_NAME = {name: field for field, names in _XML_FIELDS.items() for name in names}


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _flat(el) -> str:
    return " ".join("".join(el.itertext()).split())


def _xml_values(el, field: str) -> list[str]:
    """The text of one field element: its paragraphs, or "code : name" for a coded one."""
    if field in _CODE_LISTS.values() and el.get("code"):
        name = next((_flat(c) for c in el if _local(c.tag) == "name"), "") or _flat(el)
        return [f"{el.get('code')} : {name}" if name else el.get("code")]
    paras = [c for c in el.iter() if _local(c.tag) in ("paragraph", "p", "para")]
    return [t for t in map(_flat, paras or [el]) if t]


def _xml_date(value: str | None) -> pd.Timestamp | None:
    """A date, or an ISO date and time ("2022-03-19T05:10:00Z"), in UTC."""
    if value and re.match(r"^\d{4}-\d\d-\d\dT\d", value):
        try:
            ts = pd.Timestamp(value)
        except ValueError:
            return None
        return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return parse_date(value)


def parse_factiva_xml(text: str, *, source_path: str = "") -> Export:
    """
    Parse a Factiva XML export: one ``<article>`` element per article.

    Factiva's XML names its fields ``accessionNo``, ``headline``, ``byline``,
    ``publicationDate``, ``sourceName``, ``sourceCode``, ``baseLanguage``,
    ``copyright``, ``leadParagraph``, ``tailParagraphs``, ``wordCount`` and repeats
    ``newsSubject``, ``region``, ``company`` and ``industry`` once per code; the same
    fields named by their codes (``HD``, ``SN``, ``TD`` ...) are read too. The
    ``count`` of the result set is the declared count. A file cut off inside an
    article is read up to the cut; the cut article is missing. The columns are
    those of :func:`parse_factiva_text`.
    """
    import lxml.etree

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    parser = lxml.etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=True
    )
    try:
        root = lxml.etree.fromstring(text.encode("utf-8"), parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise InputError(source_path or "<xml>", f"not readable XML ({exc})") from None
    if root is None:
        raise InputError(source_path or "<xml>", "not readable XML (no root element)")
    articles = [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and any(_XML_NAME.get(_local(c.tag)) == "title" for c in el)
        and not any(_XML_NAME.get(_local(c.tag)) == "title" for c in el.iterancestors())
    ]
    rows, missing = [], []
    for position, el in enumerate(articles, start=1):
        fields: dict[str, list[str]] = {}
        for child in el:
            field = _XML_NAME.get(_local(child.tag))
            if field:
                fields.setdefault(field, []).extend(_xml_values(child, field))
        reference = (_joined(fields, "reference") or "").rsplit("/", 1)[-1] or None
        record = {
            "title": _joined(fields, "title"),
            "text": "\n\n".join(fields.get("lead", []) + fields.get("body", [])) or None,
            "published": _xml_date(_joined(fields, "published")),
            "outlet": _joined(fields, "outlet"),
            "byline": _name(_joined(fields, "byline")),
            "section": _joined(fields, "section"),
            "language": language_code(_joined(fields, "language")),
            "length_words": _word_count(_joined(fields, "length_words")),
            "source_code": _joined(fields, "source_code"),
            "edition": _joined(fields, "edition"),
            "page": _joined(fields, "page"),
            "copyright": _joined(fields, "copyright"),
            "publisher": _joined(fields, "publisher"),
            **{c: " | ".join(fields.get(c, [])) or None for c in _CODE_LISTS.values()},
            "accession": _joined(fields, "accession") or reference,
            "source_row": position - 1,
        }
        if not _complete(record) or not record["accession"]:
            log.info("%s: article %d is incomplete", source_path or "<xml>", position)
            missing.append(position)
            continue
        rows.append(record)
    declared = _result_count(articles[0]) if articles else None
    if declared is None and missing:
        declared = len(articles)
    return Export(_frame(rows), declared, missing)


def _result_count(article) -> int | None:
    """The ``count`` a result set gives of its articles (``<ppsarticleResultSet count="3">``)."""
    for el in article.iterancestors():
        value = el.get("count")
        if value and value.strip().isdigit():
            return int(value)
    return None


# --------------------------------------------------------------------------- reader


#: What every Factiva export shows early on: "Document <AN>" (in its interface
#: language), or the HD code at the start of a line or a table cell. Each pattern
#: starts with a literal word, which ``re`` finds fast.
_MARKER_AN = {
    w: re.compile(w + r"\s+" + _AN)
    for w in ("Document", "Dokument", "Документ", "ドキュメント", "文档", "文件", "문서")
}
_MARKER_HD = re.compile(r"HD(?=[ \t|<\r\n]|$)")


def _has_markers(head: str) -> bool:
    words = list(_MARKER_AN)[:2] if head.isascii() else _MARKER_AN
    if any(word in head and _MARKER_AN[word].search(head) for word in words):
        return True
    for m in _MARKER_HD.finditer(head):
        before = head[max(0, m.start() - 40) : m.start()].rstrip(" \t")
        if not before or before[-1] in "\n>|":
            return True
    return False


def detect(head: str, suffix: str) -> bool:
    """
    Tell a Factiva export from its first characters: a ``Document <AN>`` line, or field codes.

    Examples
    --------
    >>> detect("HD Talks\\nPD 12 March 2022\\nSN The Daily Example\\n", ".txt")
    True
    >>> detect("Talks resume\\nBy Ana Ruiz\\nKYIV - Talks resumed.", ".txt")
    False
    """
    if suffix == ".xml" or head.lstrip().startswith("<?xml"):
        if not re.search(r"<html", head[:2000], re.I):
            return bool(
                re.search(r"<(?:\w+:)?(?:HD|hd|headline)\b", head)
                and re.search(r"<(?:\w+:)?(?:AN|an|accession\w*)\b|accessionNo=", head)
            )
    if not _has_markers(head):
        return False
    if suffix in (".htm", ".html", ".xhtml") or re.match(r"\s*<(?:!doctype|html)", head, re.I):
        try:
            head = html_text(head)
        except (ValueError, TypeError):
            return False
    lines = _lines(head)
    if any(_DOC_LINE.match(line) for line in lines):
        return True
    codes = {m.group(1) for m in map(_CODE_LINE.match, lines) if m and m.group(2)}
    return {"HD", "PD", "SN"} <= codes


def read(path: Path) -> Export:
    """Read one Factiva export file (RTF, HTML, XML or text)."""
    path = Path(path)
    text = document_text(path)
    suffix = suffix_of(path)
    if suffix == ".xml" or (
        text.lstrip().startswith("<?xml") and "<html" not in text[:2000].lower()
    ):
        return parse_factiva_xml(text, source_path=str(path))
    if suffix in (".htm", ".html", ".xhtml") or re.match(r"\s*<(?:!doctype|html)", text, re.I):
        text = html_text(text)
    return parse_factiva_text(text, source_path=str(path))
