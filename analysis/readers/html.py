"""Read a saved HTML news page: article body and metadata through trafilatura, date through htmldate.

Everything happens offline on the bytes given: no URL is fetched. Gzipped pages
(``.html.gz``) are recognised by their magic bytes and decompressed here, so a
loader can pass a file's bytes as they are.
"""

from __future__ import annotations

import logging
import re

import pandas as pd

from analysis.errors import InputError
from analysis.readers.cleaning import FIELDS
from analysis.readers.files import gunzip
from analysis.readers.lines import (
    _ends_sentence,
    _is_caption,
    _word_count,
    normalize_line,
    split_lines,
)
from analysis.readers.page_meta import _dateline, _outlet_and_publisher, _wire

log = logging.getLogger(__name__)

#: Keys of :func:`parse_html`'s result.
HTML_FIELDS = (*FIELDS, "url", "language")

#: htmldate settings: the original publication date (not the last update), time kept.
_DATE_PARAMS = {
    "original_date": True,
    "extensive_search": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}
_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w-]+)", re.IGNORECASE)
_LANG = re.compile(rb"<html[^>]*\blang=[\"']?([A-Za-z]{2,3})\b", re.IGNORECASE)


def decode_html(raw: bytes, *, source_path: str = "") -> str:
    """
    Decode the bytes of a page: gunzip if gzipped, then the declared charset, UTF-8, or a guess.

    Raises
    ------
    InputError
        When gzipped bytes are corrupt or inflate past ``MAX_PAGE_BYTES``.

    Examples
    --------
    >>> decode_html(gzip.compress("<p>Kyiv – café</p>".encode()))
    '<p>Kyiv – café</p>'
    """
    if raw[:2] == b"\x1f\x8b":
        raw = gunzip(raw, source_path or "<html>")
    declared = _CHARSET.search(raw[:4096])
    candidates = [declared.group(1).decode("ascii")] if declared else []
    for encoding in [*candidates, "utf-8"]:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    return str(best) if best is not None else raw.decode("utf-8", errors="replace")


def _figure_captions(tree) -> list[str]:
    out = []
    for el in tree.iter("figcaption"):
        text = " ".join(el.text_content().split())
        if text and text not in out:
            out.append(text)
    return out


def _timestamp(value: str | None) -> pd.Timestamp | None:
    ts = pd.to_datetime(value, errors="coerce", utc=True) if value else None
    return None if ts is None or pd.isna(ts) else ts


def parse_html(raw: bytes | str, *, source_path: str = "") -> dict:
    """
    Parse one saved HTML news page into its article and metadata, offline.

    The body, headline, author, site name, URL and section come from
    ``trafilatura.bare_extraction`` (comments excluded), the publication date from
    ``htmldate`` as trafilatura runs it (the original date, not the last update, with
    its time and zone when the page gives them), the language from the page's
    ``<html lang>``. Photo captions
    are the page's ``<figcaption>`` texts; dateline and wire agency are read from the
    body as in :func:`analysis.readers.cleaning.parse_text_dump`, the publisher from the
    copyright line.

    Parameters
    ----------
    raw : bytes or str
        The page, as saved (gzipped bytes are decompressed here).
    source_path : str, default ""
        File the page came from (named in errors and log messages).

    Returns
    -------
    dict
        The keys of :func:`analysis.readers.cleaning.parse_text_dump` plus ``url`` and
        ``language``; ``date_source`` is ``"html"`` when a date was found, else ``"none"``.

    Raises
    ------
    InputError
        When ``raw`` is neither bytes nor text, or is corrupt gzip data.

    Examples
    --------
    >>> page = (b"<html lang='en'><head><title>Talks resume</title></head><body>"
    ...         b"<article><h1>Talks resume</h1><p>KYIV (AP) - Talks between the two "
    ...         b"delegations resumed on Tuesday in Istanbul, officials said, after a pause "
    ...         b"of two weeks in which the fighting went on.</p></article></body></html>")
    >>> doc = parse_html(page)
    >>> doc["dateline"], doc["wire"], doc["language"]
    ('Kyiv', 'AP', 'en')
    """
    import lxml.html
    import trafilatura

    if isinstance(raw, str):
        html = raw
    elif isinstance(raw, (bytes, bytearray)):
        html = decode_html(bytes(raw), source_path=source_path)
    else:
        raise InputError(
            source_path or "<html>", f"expected bytes or str, got {type(raw).__name__}"
        )
    result: dict = {k: None for k in HTML_FIELDS}
    result["date_source"] = "none"
    if not html.strip():
        return result
    head = html[:8192].encode("utf-8", errors="replace")
    lang = _LANG.search(head)
    result["language"] = lang.group(1).decode("ascii").lower() if lang else None
    try:
        doc = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params=dict(_DATE_PARAMS),
        )
    except (ValueError, TypeError) as exc:
        log.warning("%s: trafilatura could not parse the page (%s)", source_path or "<html>", exc)
        doc = None
    meta = doc.as_dict() if doc is not None else {}
    text = (meta.get("text") or "").strip()
    paragraphs = split_lines(text)
    result["title"] = meta.get("title") or None
    if result["title"] and paragraphs:
        title = normalize_line(result["title"])
        while paragraphs and normalize_line(paragraphs[0]) == title:
            paragraphs = paragraphs[1:]
    if all(_word_count(p) <= 3 and not _ends_sentence(p) for p in paragraphs):
        paragraphs = []  # menu labels only (trafilatura's fallback on a page with no article)
    result["text"] = "\n\n".join(paragraphs) or None
    result["byline"] = meta.get("author") or None
    result["url"] = meta.get("url") or None
    categories = meta.get("categories") or []
    result["section"] = categories[0] if categories else None
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        tree = None
    captions = _figure_captions(tree) if tree is not None else []
    captions = [c for c in captions if _is_caption(c) or len(c.split()) >= 4]
    result["captions"] = "\n".join(captions) or None
    page_lines = split_lines(tree.text_content()) if tree is not None else []
    outlet, publisher = _outlet_and_publisher(page_lines)
    result["outlet"] = meta.get("sitename") or outlet
    result["publisher"] = publisher
    dateline, agency = _dateline(paragraphs[0]) if paragraphs else (None, None)
    result["dateline"] = dateline
    result["wire"] = agency or _wire(paragraphs, captions, result["byline"])
    published = _timestamp(meta.get("date"))
    if published is not None:
        result["published"] = published
        result["date_source"] = "html"
    if result["text"] is None:
        log.info("%s: no article body found in the HTML", source_path or "<html>")
    return result
