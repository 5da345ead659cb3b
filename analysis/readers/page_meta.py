"""Metadata printed in a page dump: headline, outlet, publisher, byline, dateline, wire, date."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence

import pandas as pd

from analysis.readers.dates import _DATE_CUE, _UPDATED, _dates_in
from analysis.readers.lines import (
    _AGENCIES,
    _AGENCY_ALT,
    _BYLINE,
    _BYLINE_IN,
    _COPYRIGHT,
    _DATELINE,
    _coherence,
    _Feat,
    _vocabulary,
    _word_count,
    normalize_line,
)

# --------------------------------------------------------------------------- metadata

_COMPANY_SUFFIX = re.compile(
    r"[\s,]+(?:pte\.?|pvt\.?|private|public|ltd\.?|limited|inc\.?|llc|plc|corp\.?|corporation"
    r"|co\.?|company|gmbh|ag|s\.a\.|group|holdings?|media group)\b.*$",
    re.IGNORECASE,
)
_NAME = r"[A-Z][\w&.'’-]*(?:\s+(?:[A-Z][\w&.'’-]*|of|the|and|&)){0,4}"
_ABOUT = re.compile(rf"^(?i:about)\s+(?P<name>{_NAME})$")
_SECTIONS_OF = re.compile(rf"^(?P<name>{_NAME})\s+(?:sections|newsletters?|home)$")
_COPYRIGHT_HOLDER = re.compile(
    r"(?:copyright|©|\(c\))(?:\s*(?:copyright|©|\(c\)))*\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
    r"(?P<name>[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,4})",
    re.IGNORECASE,
)
#: Common names of newspaper sections.
SECTIONS = frozenset(
    """world news politics business economy markets money tech technology science health
    sport sports culture arts entertainment opinion comment lifestyle life travel style
    asia europe africa americas australia middle east us uk india china local national
    international environment climate education media society""".split()
)


def _clean_name(name: str) -> str | None:
    name = re.sub(r"^(?:all rights reserved\.?\s*)", "", name.strip(), flags=re.I)
    name = re.split(r"\.\s|\s[|•·]\s", name)[0]
    name = _COMPANY_SUFFIX.sub("", name.strip(" .,;:|-–—")).strip(" .,;:|-–—")
    name = re.sub(r"\s+\d{4}$", "", name).strip()
    if not name or name.lower() in {"all", "rights", "reserved", "copyright"}:
        return None
    return name


#: Words that follow "About" or precede "Sections" in furniture without naming an outlet.
_NOT_NAMES = frozenset("us me the this our author authors e-mail email news home all".split())


def _outlet_and_publisher(lines: Sequence[str]) -> tuple[str | None, str | None]:
    """
    Read the outlet and the company behind it from the page's own furniture.

    The publisher is the holder named in the copyright line. The outlet is the name
    the page uses for itself in short furniture lines ("About X", "X Sections",
    "X newsletters") or, failing those, in the copyright line.
    """
    publisher = None
    for line in reversed(lines):
        if _COPYRIGHT.search(line) and _word_count(line) <= 30:
            m = _COPYRIGHT_HOLDER.search(line)
            if m:
                publisher = _clean_name(m.group("name"))
                if publisher:
                    break
    names: Counter[str] = Counter()
    for line in lines:
        if _word_count(line) > 8:
            continue
        for pattern in (_ABOUT, _SECTIONS_OF):
            m = pattern.match(line.strip(" .:"))
            if m:
                name = _clean_name(m.group("name"))
                if name and name.lower() not in _NOT_NAMES:
                    names[name] += 2
    if names:
        # a name the page also uses elsewhere ("experience with CNA") confirms it
        text = "\n".join(lines)
        for name in list(names):
            names[name] += len(re.findall(rf"\b{re.escape(name)}\b", text))
        outlet = names.most_common(1)[0][0]
    else:
        outlet = publisher
    return outlet, publisher


def _headline_shape(line: str, f: _Feat, site_names: Collection[str]) -> bool:
    """
    Whether a line can be a headline by its own shape.

    A headline has 3 to 30 words, is not a sentence closed by a full stop, and is none of
    these: furniture (a menu or a label, a prompt, a copyright or comments line), a photo
    caption, a "By" line, a line holding a full date (a date line, a masthead), the
    opening of a dateline, the site's name (alone or after a section label: "World News |
    Daily Star"), a section label ("U.S. News"), a run of menu items ("News | Sport |
    Culture"), a line in capitals or an e-mail address.
    """
    if not 3 <= f.words <= 30 or (f.sentence and line.rstrip().endswith(".")):
        return False
    if f.cue or f.copyright or f.caption or f.promo or f.end or f.meta:
        return False
    if line.isupper() or "@" in line or not line.lstrip(_OPENERS)[:1].isalnum():
        return False
    if set(re.findall(r"[^\W\d_]+", line.lower().replace(".", ""))) <= SECTIONS:
        return False
    if _dateline(line)[0] is not None or _dates_in(line):
        return False
    parts = [p for p in _MENU_SEP.split(line) if p.strip()]
    if len(parts) >= 3 and all(_word_count(p) <= 3 for p in parts):
        return False
    names = {normalize_line(n) for n in site_names if n}
    if any(normalize_line(p) in names for p in parts):
        rest = [p for p in parts if normalize_line(p) not in names]
        return bool(rest) and all(_word_count(p) > 3 for p in rest)
    return True


_OPENERS = "\"'“‘«(["
_MENU_SEP = re.compile(r"\s+[|•·/]\s+|\s+[-–—]\s+(?=\S)")


def _title(
    lines: Sequence[str],
    feats: Sequence[_Feat],
    body: Sequence[int],
    *,
    site_names: Collection[str] = (),
    tops: Collection[str] = frozenset(),
) -> int | None:
    """
    Index of the headline, or None.

    The headline is the first line of the page when that line has a headline's shape (see
    :func:`_headline_shape`), is not the first line of other pages of the same outlet
    (``tops``: a site name heading every page) and shares a content word with the body.
    That the line also appears elsewhere, in other pages' lists of related stories, does
    not matter. Otherwise the candidates are headline-shaped lines in the 30 lines before
    the body that are neither learned chrome nor a byline ("Jane Roe in Kyiv"); the
    headline is the one whose content words the body uses most, longer ones preferred, and
    at least :data:`TITLE_MATCH` of them must appear in the body. Failing that, a
    headline-shaped first line is still taken.
    """
    if not lines:
        return None
    first_ok = (
        _headline_shape(lines[0], feats[0], site_names) and normalize_line(lines[0]) not in tops
    )
    if not body:
        return 0 if first_ok else None
    vocab = _vocabulary(lines[i] for i in body)
    if first_ok and _coherence(_vocabulary([lines[0]]), vocab) > 0:
        return 0
    start = body[0]
    best, best_score = None, 0.0
    candidates = list(range(max(1, start - 30), start))
    first = normalize_line(lines[start])
    if (
        start > 0
        and sum(normalize_line(ln) == first for ln in lines[max(0, start - 30) : start + 3]) > 1
    ):
        candidates.append(start)  # the headline printed twice, taken for the body's start
    for i in candidates:
        line = lines[i]
        if (
            feats[i].learned
            or _BYLINE_IN.match(line)
            or not _headline_shape(line, feats[i], site_names)
        ):
            continue
        match = _coherence(_vocabulary([line]), vocab)
        if match < TITLE_MATCH:
            continue
        # a full headline (several words) beats a short topic label that the body also uses
        rank = match + 0.02 * min(feats[i].words, 12)
        if best is None or rank > best_score or (rank == best_score and i > best):
            best, best_score = i, rank
    if best is None and first_ok:
        return 0
    return best


#: Smallest share of a headline's content words that the body must use.
TITLE_MATCH = 0.25


def _dateline(first: str) -> tuple[str | None, str | None]:
    """Place and agency of a dateline opening the body: "LVIV:", "KYIV, Ukraine (AP) —"."""
    m = _DATELINE.match(first)
    if not m:
        return None, None
    place = m.group("place")
    if len(place) < 3 or place.upper() in {"UPDATE", "BREAKING", "NOTE", "EDITOR", "WATCH"}:
        return None, None
    name = " ".join(w.capitalize() if w.isupper() else w for w in place.split())
    name = re.sub(r"(?<=-)(\w)", lambda x: x.group(1).upper(), name)
    agency = m.group("agency")
    return name, _AGENCIES.get(agency.strip().lower()) if agency else None


_WIRE_TEXT = re.compile(
    rf"(?:\((?P<a>{_AGENCY_ALT})\)\s*[-—–]|\b(?:told|according to|reported by|contacted by|"
    rf"by the|via)\s+(?:the\s+)?(?P<b>{_AGENCY_ALT})\b|\b(?P<c>{_AGENCY_ALT})\s+"
    rf"(?:was unable|could not|has not been able|reported|contributed|news agency)"
    rf"|\b(?:reporting|additional reporting|writing) by\b[^;]*?\b(?P<d>{_AGENCY_ALT})\b)",
    re.IGNORECASE,
)
_WIRE_CREDIT = re.compile(
    r"\b(?P<a>REUTERS|AFP|AP|EPA|XINHUA|TASS|PTI|ANI|ANADOLU)\s*(?:Photo)?\s*/"
    r"|\((?P<b>AP|AFP|Reuters)\s+Photo\b|\bvia\s+(?P<c>Reuters|AP|AFP)\b",
    re.IGNORECASE,
)


def _wire(body: Sequence[str], captions: Sequence[str], byline: str | None) -> str | None:
    """The wire agency credited in the text, else in bylines or photo credits."""
    votes: Counter[str] = Counter()
    for line in body:
        for m in _WIRE_TEXT.finditer(line):
            key = next(g for g in m.groups() if g)
            votes[_AGENCIES[key.lower()]] += 2
    if byline:
        for key, name in _AGENCIES.items():
            if re.search(rf"\b{re.escape(key)}\b", byline, re.IGNORECASE) and len(key) > 2:
                votes[name] += 2
    for line in captions:
        for m in _WIRE_CREDIT.finditer(line):
            key = next(g for g in m.groups() if g).lower()
            if key in _AGENCIES:
                votes[_AGENCIES[key]] += 1
    return votes.most_common(1)[0][0] if votes else None


def _byline(lines: Sequence[str], lo: int, hi: int, *, loose: bool = False) -> str | None:
    """The name in a "By" line, else (with ``loose``) in a "Jane Roe in Kyiv" line."""
    for line in lines[lo:hi]:
        m = _BYLINE.match(line)
        if m and _word_count(line) <= 14:
            return m.group("name").strip(" ,")
    if loose:
        for line in lines[lo:hi]:
            m = _BYLINE_IN.match(line)
            if m:
                return m.group("name")
    return None


def _section(lines: Sequence[str], lo: int, hi: int) -> str | None:
    """The nearest short line before the body naming a common newspaper section."""
    for line in reversed(lines[lo:hi]):
        if line.lower() in SECTIONS and _word_count(line) <= 3:
            return line
    return None


def _published(
    lines: Sequence[str], feats: Sequence[_Feat], body: Sequence[int]
) -> pd.Timestamp | None:
    """
    The publication date printed on the page.

    Candidates are full dates (with a year). A date on a line that says "published" or
    "posted" ranks first, then one on a short line near the headline or in a caption, then
    one in the body; "updated" dates rank below "published" ones; among equals the
    earliest line wins.
    """
    start = body[0] if body else len(lines)
    end = body[-1] if body else len(lines)
    best: tuple[int, int, pd.Timestamp] | None = None
    for i, line in enumerate(lines):
        dates = _dates_in(line)
        if not dates:
            continue
        short = feats[i].words <= 20
        if _DATE_CUE.search(line) and short:
            rank = 0 if not _UPDATED.search(line) else 1
        elif short and start - 15 <= i <= start:
            rank = 2
        elif feats[i].caption and start - 15 <= i <= end:
            rank = 3
        elif short and i > end:
            rank = 4
        elif start <= i <= end:
            rank = 5
        else:
            continue
        cand = (rank, i, dates[0])
        if best is None or cand[:2] < best[:2]:
            best = cand
    return best[2] if best else None
