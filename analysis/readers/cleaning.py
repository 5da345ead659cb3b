"""Separate an article from the page chrome in plain-text dumps of news pages.

A scraper that saves a page "as text" writes one line per block of the page: the
headline, navigation menus, "Advertisement", share prompts, photo captions, the
article's paragraphs, newsletter pitches, copyright lines, browser notices. This
module finds the article body in such a dump and reads what metadata the text
itself offers (headline, captions, byline, dateline, outlet, publisher, section,
wire agency, publication date).

How the body is found
---------------------
Every line gets features that do not depend on any one outlet: its length in
words, whether it ends like a sentence, the share of function words (stopwords)
in it, whether it is a photo credit or a copyright notice, whether it belongs to
a run of short lines (the shape of a link list), and whether it repeats inside
the page or across many pages of the same outlet (learned chrome, see
:func:`learn_chrome`). Each line then carries a score, positive for prose and
negative for chrome, weighted by its length; the body is the contiguous stretch
of lines with the highest total score (a maximum-sum segment), from which the
remaining chrome lines (captions, repeated short lines, link runs) are removed.
A scrap of text among furniture (under :data:`MIN_WORDS` words and less than half of
the page) is no article: the page's text is then empty.

How the headline and the date are found
---------------------------------------
The headline is the page's first line unless that line is furniture by its own shape
(a menu, a label, the site's name, a prompt, a caption, a byline, a date line); that
other pages list it among their related stories does not matter. Otherwise it is the
headline-shaped line before the body whose words the body uses most. The publication
date is read with its time of day and zone when the page prints them ("1:15 p.m.
EST", "19.02 GMT") and given in UTC.

Where the parts live
--------------------
This module learns the chrome and puts a page together. The line features, scores and
body spans are :mod:`analysis.readers.lines`; the headline and the other metadata are
read by :mod:`analysis.readers.page_meta`, the printed dates by
:mod:`analysis.readers.dates`.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from analysis.readers.lines import (
    _body_lines,
    _body_span,
    _ends_sentence,
    _features,
    _word_count,
    normalize_line,
    split_lines,
)
from analysis.readers.page_meta import (
    _byline,
    _dateline,
    _outlet_and_publisher,
    _published,
    _section,
    _title,
    _wire,
)

log = logging.getLogger(__name__)

#: Keys of every parsed document, in order (``parse_text_dump``, ``parse_html``).
FIELDS = (
    "title",
    "text",
    "captions",
    "byline",
    "dateline",
    "outlet",
    "publisher",
    "section",
    "wire",
    "published",
    "date_source",
)

# --------------------------------------------------------------------------- chrome model


def _outlet_key(raw_lines: Sequence[str], source_path: str) -> str:
    """Group key for learning chrome: the outlet read from the page, else the file's folder."""
    outlet, _ = _outlet_and_publisher(raw_lines)
    if outlet:
        return outlet
    parent = PurePath(source_path).parent.name if source_path else ""
    return parent or ""


@dataclass
class _Doc:
    path: str
    lines: list[str]
    key: str


def _prepare(docs: Iterable[tuple[str, str]]) -> list[_Doc]:
    out = []
    for path, raw in docs:
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", errors="replace")
        lines = split_lines(raw or "")
        out.append(_Doc(str(path), lines, _outlet_key(lines, str(path))))
    return out


def learn_chrome(
    docs: Iterable[tuple[str, str]],
    *,
    min_docs: int = 3,
    min_share: float = 0.2,
) -> dict[str, set[str]]:
    """
    Learn per outlet the lines that repeat across many of its pages (page chrome).

    Pages are grouped by outlet (read from the page, else the name of the file's folder).
    In a group (copies of one story counted once), a normalized line is chrome when it
    appears in at least ``min_docs`` pages and in at least ``min_share`` of them, and it is
    either not a sentence or mostly found outside the stretch between the first and last
    lines of each page's own story. Running prose that repeats between lines of a story (a
    wire service's standard background paragraph) is therefore not learned, while a pitch
    appended to every article is.

    Parameters
    ----------
    docs : iterable of (source_path, raw_text)
        The pages of one load.
    min_docs : int, default 3
        Fewest pages a line must appear in.
    min_share : float, default 0.2
        Smallest share of the outlet's pages a line must appear in.

    Returns
    -------
    dict of str to set of str
        Outlet (group key) -> normalized chrome lines (see :func:`normalize_line`).

    Examples
    --------
    >>> pages = [(f"cna/{i}.txt", f"Menu\\nAbout CNA\\nStory {i} is told here at length, with facts.")
    ...          for i in range(4)]
    >>> sorted(learn_chrome(pages)["CNA"])
    ['about cna', 'menu']
    """
    prepared = _prepare(docs)
    return _learn(prepared, min_docs=min_docs, min_share=min_share)


def _learn(prepared: list[_Doc], *, min_docs: int, min_share: float) -> dict[str, set[str]]:
    groups: dict[str, list[_Doc]] = defaultdict(list)
    for d in prepared:
        groups[d.key].append(d)
    model: dict[str, set[str]] = {}
    for key, members in groups.items():
        # copies of one story (same running prose) count once
        pages, seen_stories = [], set()
        for d in members:
            norms = [normalize_line(ln) for ln in d.lines]
            story = frozenset(
                n for n, ln in zip(norms, d.lines) if _ends_sentence(ln) and _word_count(ln) >= 8
            )
            if story and story in seen_stories:
                continue
            seen_stories.add(story)
            spans = _body_span(d.lines, chrome=frozenset())
            body = [i for a, b in spans for i in range(a, b)]
            pages.append((d.lines, norms, body))
        if len(pages) < min_docs:
            continue
        need = max(min_docs, math.ceil(min_share * len(pages)))
        df: Counter[str] = Counter()
        sample: dict[str, str] = {}
        for lines, norms, _ in pages:
            for norm, line in zip(norms, lines):
                sample.setdefault(norm, line)
            df.update({n for n in norms if n})
        candidates = {n for n, c in df.items() if c >= need}
        # repeated prose is chrome unless it sits inside bodies, between lines of the story
        interior: Counter[str] = Counter()
        for _, norms, body in pages:
            own = [k for k, i in enumerate(body) if norms[i] not in candidates]
            if not own:
                continue
            for k, i in enumerate(body):
                if norms[i] in candidates and own[0] < k < own[-1]:
                    interior[norms[i]] += 1
        chrome = set()
        for norm in candidates:
            line = sample[norm]
            prose = _ends_sentence(line) and _word_count(line) >= 8
            if not prose or interior[norm] * 2 < df[norm]:
                chrome.add(norm)
        if chrome:
            model[key] = chrome
    return model


def _top_lines(prepared: Sequence[_Doc]) -> dict[str, frozenset[str]]:
    """
    Per outlet, the first lines shared by several of its pages (a site name heading each
    page is no headline); copies of one page count once.
    """
    firsts: dict[str, dict[str, set[frozenset[str]]]] = defaultdict(lambda: defaultdict(set))
    for d in prepared:
        if d.lines:
            firsts[d.key][normalize_line(d.lines[0])].add(frozenset(d.lines))
    return {
        key: frozenset(line for line, pages in tops.items() if len(pages) > 1)
        for key, tops in firsts.items()
    }


# --------------------------------------------------------------------------- public API


#: Fewest words of an article body, unless the body is most of the page's text.
MIN_WORDS = 40


def _parse(
    lines: list[str], chrome: frozenset[str] | set[str], tops: Collection[str] = frozenset()
) -> dict:
    result: dict = {k: None for k in FIELDS}
    result["date_source"] = "none"
    if not lines:
        return result
    feats = _features(lines, chrome)
    spans = _body_span(lines, chrome=chrome, feats=feats)
    body = _body_lines(lines, feats, spans)
    result["outlet"], result["publisher"] = _outlet_and_publisher(lines)
    names = (result["outlet"], result["publisher"])
    title_i = _title(lines, feats, body, site_names=[n for n in names if n], tops=tops)
    if title_i is not None:
        result["title"] = lines[title_i]
        title_norm = normalize_line(lines[title_i])
        body = [i for i in body if normalize_line(lines[i]) != title_norm]
    words = sum(feats[i].words for i in body)
    if words < MIN_WORDS and words < 0.5 * sum(f.words for f in feats):
        body = []  # a scrap of text among furniture is no article (a page that never loaded)
    lo = body[0] if body else len(lines)
    hi = body[-1] + 1 if body else len(lines)
    caption_idx = [i for i in range(max(0, lo - 15), hi) if feats[i].caption]
    captions = [lines[i] for i in caption_idx]
    body_text = [lines[i] for i in body]
    result["text"] = "\n\n".join(body_text) or None
    result["captions"] = "\n".join(captions) or None
    head_lo = title_i if title_i is not None else max(0, lo - 15)
    result["byline"] = _byline(lines, head_lo, min(hi, lo + 1), loose=True) or _byline(
        lines, hi, min(len(lines), hi + 3)
    )
    dateline, agency = _dateline(body_text[0]) if body_text else (None, None)
    result["dateline"] = dateline
    result["section"] = _section(lines, max(0, lo - 20), lo)
    result["wire"] = agency or _wire(body_text, captions, result["byline"])
    published = _published(lines, feats, body)
    if published is not None:
        result["published"] = published
        result["date_source"] = "text"
    return result


def parse_text_dump(raw: str | bytes, *, source_path: str = "") -> dict:
    """
    Parse one plain-text dump of a news page into its article and metadata.

    Parameters
    ----------
    raw : str or bytes
        The saved page text (bytes are decoded as UTF-8, bad bytes replaced).
    source_path : str, default ""
        File the text came from (used only in log messages).

    Returns
    -------
    dict
        Keys ``title, text, captions, byline, dateline, outlet, publisher, section,
        wire, published, date_source``; unknown values are ``None``. ``published`` is a
        UTC :class:`pandas.Timestamp`; ``date_source`` is ``"text"`` when a date was
        read from the page, else ``"none"``.

    Examples
    --------
    >>> page = "Talks resume in Istanbul\\nMenu\\nISTANBUL (Reuters) - Russia and Ukraine met " \\
    ...        "again on Tuesday, officials said, and agreed to keep talking.\\nCopyright 2022 Example"
    >>> doc = parse_text_dump(page)
    >>> doc["title"], doc["dateline"], doc["wire"]
    ('Talks resume in Istanbul', 'Istanbul', 'Reuters')
    """
    return parse_text_dumps([(source_path, raw)])[0]


def parse_text_dumps(
    docs: Sequence[tuple[str, str | bytes]],
    *,
    chrome: dict[str, set[str]] | None = None,
) -> list[dict]:
    """
    Parse the plain-text dumps of one load, learning each outlet's chrome from them.

    Lines that repeat across many pages of the same outlet are page furniture
    (:func:`learn_chrome`); they are learned from ``docs`` and merged with ``chrome``
    (a model saved from earlier loads) before each page is parsed.

    Parameters
    ----------
    docs : sequence of (source_path, raw_text)
        The pages, in load order.
    chrome : dict of str to set of str, optional
        A saved chrome model (outlet -> normalized lines) to merge.

    Returns
    -------
    list of dict
        One dict per page, in order, with the keys of :func:`parse_text_dump`.

    Examples
    --------
    >>> docs = [(f"site/{i}.txt", f"Share\\nStory {i}: a council met and voted on a plan "
    ...          "for the city's parks, members said.") for i in range(3)]
    >>> [d["text"][:8] for d in parse_text_dumps(docs)]
    ['Story 0:', 'Story 1:', 'Story 2:']
    """
    prepared = _prepare(docs)
    model = _learn(prepared, min_docs=3, min_share=0.2)
    for key, lines in (chrome or {}).items():
        model.setdefault(key, set()).update(lines)
    out = []
    tops = _top_lines(prepared)
    for d in prepared:
        result = _parse(d.lines, frozenset(model.get(d.key, ())), tops.get(d.key, frozenset()))
        if result["text"] is None:
            log.info("%s: no article body found", d.path or "<text>")
        out.append(result)
    return out
