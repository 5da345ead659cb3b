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
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

import pandas as pd

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

# --------------------------------------------------------------------------- text units

#: English function words: their density separates running prose from labels and menus.
FUNCTION_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves said says also would could may might must shall one two new""".split()
)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
#: Characters of scripts written without spaces between words.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SENTENCE_END = tuple(".!?…。！？")
_CLOSERS = "\"'”’»)]）」』"


def normalize_line(line: str) -> str:
    """
    Return the comparison form of a line: NFKC, lowercase, spaces collapsed, ends trimmed.

    Lines that differ only in case, spacing or punctuation at the ends compare equal.
    In lines that are not full sentences (footers, counters, menus) numbers are folded
    too, so "Copyright 2021" and "Copyright 2022" count as one chrome line; sentences keep
    their numbers, so two reports that differ only in their figures stay apart.

    Examples
    --------
    >>> normalize_line("  Copyright© Mediacorp 2022. ")
    'copyright© mediacorp 0.'
    """
    s = " ".join(unicodedata.normalize("NFKC", line).lower().split())
    if not (_ends_sentence(s) and _word_count(s) >= 8):
        s = re.sub(r"\d+", "0", s)
    return s.strip(" -–—|•·:")


def _word_count(line: str) -> float:
    """Words in a line; text in scripts without spaces counts one word per two characters."""
    cjk = len(_CJK.findall(line))
    if cjk:
        rest = _CJK.sub(" ", line)
        return len(_WORD.findall(rest)) + cjk / 2
    return float(len(_WORD.findall(line)))


def _ends_sentence(line: str) -> bool:
    s = line.rstrip().rstrip(_CLOSERS).rstrip()
    return s.endswith(_SENTENCE_END)


def split_lines(raw: str) -> list[str]:
    """Split a dump into stripped, non-empty lines (any newline convention, NBSPs as spaces)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    return [" ".join(ln.split()) for ln in text.split("\n") if ln.strip()]


# --------------------------------------------------------------------------- cue patterns
# These are forms of web-page furniture shared by news sites in general (photo
# credits, copyright notices, share and subscription prompts), not strings of any
# one outlet.

_AGENCIES = {
    "reuters": "Reuters",
    "associated press": "AP",
    "ap": "AP",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "bloomberg": "Bloomberg",
    "dpa": "dpa",
    "efe": "EFE",
    "ansa": "ANSA",
    "xinhua": "Xinhua",
    "tass": "TASS",
    "interfax": "Interfax",
    "kyodo": "Kyodo",
    "yonhap": "Yonhap",
    "pti": "PTI",
    "ani": "ANI",
    "upi": "UPI",
    "pa": "PA",
    "press association": "PA",
    "anadolu": "Anadolu",
    "ukrinform": "Ukrinform",
}
_AGENCY_ALT = "|".join(sorted((re.escape(a) for a in _AGENCIES), key=len, reverse=True))

#: A photo credit: "REUTERS/Name", "(AP Photo/Name)", "Photo: X", "Getty Images", "(Photo Credit : PTI)".
_CREDIT = re.compile(
    r"(?:\b(?:REUTERS|AFP|AP|EPA(?:-EFE)?|ANADOLU|XINHUA|TASS|PTI|ANI)\s*(?:Photo)?\s*/\s*[A-Z][\w.'-]*"
    r"|\((?:AP|AFP|Reuters)\s+Photo\b[^)]*\)"
    r"|\b(?:Photo|Photograph|Picture|Image|Pic|Credit|Photo credit|Foto)s?\s*(?:credit)?\s*(?::|by\b)"
    r"|\bGetty\s+Images\b|\bShutterstock\b|\bAlamy\b|\bvia\s+(?:Reuters|AP|AFP)\b"
    r"|\bFile\s+Photo\b|^(?:image|media|photo|video)\s+caption\b|^caption\s*:)",
    re.IGNORECASE,
)
#: A credit alone, in parentheses: "(Reed Saxon / Associated Press)", "(Walt Disney Co.)".
_PAREN_ONLY = re.compile(r"^\([^()]{2,80}\)$")
#: A credit naming a photographer and an organisation: "THE DAILY STAR/Jane Roe" (the
#: organisation in capitals, like "REUTERS/Name"), "(Jane Roe / Daily Star)" closing a line.
_CREDIT_ORG = re.compile(
    r"\b[A-Z][A-Z&'’.-]+(?:\s+[A-Z][A-Z&'’.-]+){0,3}\s*/\s*[A-Z][a-z][\w.'’-]*"
    r"(?:\s+(?:[A-Z][\w.'’-]*|handout|pool|file|photo|via)){0,4}\s*$"
    r"|\((?:[A-Z][\w.'’-]*\s+){1,3}[A-Z][\w.'’-]*\s*/\s*[A-Z][^()/]{1,60}\)\s*$"
)
_COPYRIGHT = re.compile(r"(?:©|\(c\)|\bcopyright\b|\ball rights reserved\b)", re.IGNORECASE)
_CHROME_CUE = re.compile(
    r"^(?:advertisement|advertising|sponsored(?: content)?|ad|ads|promoted|skip (?:to|ad)\b.*"
    r"|share(?: this.*)?|print|email|comments?|menu|search|close|sign (?:in|up)|log ?in|subscribe.*"
    r"|read more.*|see more.*|more from .*|related.*|recommended.*|trending.*|most (?:popular|read).*"
    r"|follow (?:us|our) .*|also (?:read|see|worth reading).*|you (?:may|might) also like.*"
    r"|next article|previous article|back to top.*|main navigation|navigation|loading.*"
    r"|reply|report|like|\d+ (?:comments?|responses?|replies).*|leave a (?:comment|reply).*"
    r"|.{1,40} (?:says|said|wrote|replied):|posted in .*|filed under.*|tags?:.*|.*\(opens in new window\))$",
    re.IGNORECASE,
)
_CHROME_PROSE = re.compile(
    r"\b(?:cookies?|newsletters?|subscribe|subscription|sign up|browser|javascript|privacy policy"
    r"|terms (?:of|and) (?:use|service|conditions)|all rights reserved|click here|follow us"
    r"|download (?:our|the) app|ad blocker|enable|unsubscribe|if you enjoyed|join our"
    r"|get access|sign in|log in|your inbox|our (?:website|site)|this (?:website|site)"
    r"|refresh (?:the|this|your) (?:page|browser))\b",
    re.IGNORECASE,
)
#: Lines after which a page holds no more article: comment sections, the copyright footer.
_END_MARK = re.compile(
    r"^(?:\d+\s+(?:comments?|responses?|replies)\b|comments?\s*\(\d+\)$|leave a (?:comment|reply)"
    r"|join the (?:conversation|discussion)|(?:copyright\s*)?(?:©|\(c\))\s*(?:\d{4}|copyright)"
    r"|copyright\s+\d{4}|all rights reserved|about the authors?$|more (?:stories|articles) from\b)",
    re.IGNORECASE,
)
#: Brackets and spaces around a counter or a label: "[ 167 comments ]".
_BRACKETS = " []{}()<>"
_COMMENTS = re.compile(
    r"^(?:\d+\s+(?:comments?|responses?|replies)\b|comments?\s*\(\d+\)$"
    r"|leave a (?:comment|reply)|join the (?:conversation|discussion))",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(?i:by|written by|words by|reporting by|text:?|author:?)\s+"
    r"(?P<name>[A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]+|and|&|de|van|von|der|la|le|al|bin|,)){0,7})",
)
#: A byline without "By": "Jane Roe in Kyiv", "Jane Roe and John Doe in Lviv", "Jane Roe for
#: the Daily Star" (two or three capitalised names, then "in" or "for" and a name).
_BYLINE_IN = re.compile(
    r"^(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,2}"
    r"(?:\s+and\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,2})?)"
    r"\s+(?:in|for)\s+(?:the\s+)?[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}$"
)
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z'’.-]+(?:\s+[A-Z][A-Z'’.-]+){0,3})"
    r"(?P<region>,\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,2})?"
    r"(?:,?\s+\w{3,9}\.?\s+\d{1,2})?"
    r"(?:\s*\((?P<agency>[A-Za-z .-]{2,30})\))?"
    r"\s*(?::|—|–|-{1,2})\s+\S"
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


# --------------------------------------------------------------------------- line scoring


@dataclass
class _Feat:
    words: float
    sentence: bool
    stop: float
    caption: bool
    copyright: bool
    cue: bool
    promo: bool
    repeated: bool
    learned: bool
    titlecase: bool
    end: bool
    meta: bool
    dup: bool


def _features(lines: Sequence[str], chrome: frozenset[str] | set[str]) -> list[_Feat]:
    norms = [normalize_line(ln) for ln in lines]
    counts = Counter(norms)
    feats = []
    seen: set[str] = set()
    for line, norm in zip(lines, norms):
        dup = norm in seen
        seen.add(norm)
        words = _word_count(line)
        toks = [t.lower() for t in _WORD.findall(line)]
        stop = sum(t in FUNCTION_WORDS for t in toks) / len(toks) if toks else 0.0
        feats.append(
            _Feat(
                words=words,
                sentence=_ends_sentence(line) and not (_TEASER.search(line) and words <= 20),
                stop=stop,
                caption=_is_caption(line),
                copyright=bool(_COPYRIGHT.search(line)) and words < 40,
                cue=bool(_CHROME_CUE.match(line.strip(" |•·>»«<-–—"))) and words <= 8,
                promo=len(_CHROME_PROSE.findall(line)) >= (1 if words < 30 else 2),
                repeated=counts[norm] > 1 and words < 12,
                learned=norm in chrome,
                end=bool(_END_MARK.search(line.strip(_BRACKETS))) and words <= 12,
                meta=_is_meta(line, words),
                dup=dup and words >= 12,
                titlecase=len(toks) >= 2
                and sum(t[:1].isupper() for t in _WORD.findall(line)) >= 0.7 * len(toks),
            )
        )
    return feats


_TEASER = re.compile(r"(?:…|\.\.\.)\s*$")
_META = re.compile(r"^(?:published|updated|posted|last updated|first published|modified)\b", re.I)


def _is_meta(line: str, words: float) -> bool:
    """A byline or a date line: "By Jane Roe", "Updated: 19 November 2019, 09:01 AM"."""
    if words > 16:
        return False
    if _BYLINE.match(line) or _META.match(line):
        return True
    dates = sum(len(p.findall(line)) for p in _DATE_PATTERNS)
    return dates > 0 and words <= 8 and not _ends_sentence(line)


def _is_caption(line: str) -> bool:
    """A photo caption (or a bare credit): a credit form near the end of the line."""
    if _PAREN_ONLY.match(line) and _word_count(line) <= 8:
        return True
    matches = [*_CREDIT.finditer(line), *_CREDIT_ORG.finditer(line)]
    if not matches:
        return False
    last = max(m.start() for m in matches)
    return len(line) - last <= 80 or last == 0


def _line_scores(feats: Sequence[_Feat], english: bool) -> list[float]:
    """Score each line: about +1 per word of prose, negative for chrome, by its features."""
    scores = []
    for i, f in enumerate(feats):
        w = f.words
        if f.end:
            scores.append(-math.inf)
            continue
        if f.learned or f.cue or f.copyright or f.repeated:
            scores.append(-max(HARD, w))
            continue
        if f.caption:
            scores.append(-1.0)
            continue
        if f.sentence and w >= 8:
            s = w
        elif f.sentence and w >= 4:
            s = 0.5 * w
        elif w >= 20:
            s = 0.3 * w
        else:
            # a label; costlier when it is a menu item: very short, in title case, among labels
            run = sum(
                1
                for j in range(max(0, i - 2), min(len(feats), i + 3))
                if feats[j].words < 8 and not feats[j].sentence
            )
            s = -(MENU if w <= 3 else LABEL) - (1.0 if f.titlecase else 0.0) - RUN * run
        if english and w >= 4 and s > 0 and f.stop < 0.25:
            s *= 0.5 + 2 * f.stop
        if f.promo and s > 0:
            s = -0.5 * w
        scores.append(s)
    return scores


#: Cost of a line of page furniture (menu label, prompt, copyright) at least.
HARD = 3.0
#: Cost of a short label of up to three words, and of a longer one.
MENU, LABEL = 1.5, 0.5
#: Extra cost per neighbouring label (a run of labels is a link list).
RUN = 0.6


def _max_segment(scores: Sequence[float]) -> tuple[int, int, float] | None:
    """Return ``(start, end, total)`` of the contiguous lines with the largest total score."""
    best, best_span = 0.0, None
    run, start = 0.0, 0
    for i, s in enumerate(scores):
        if run <= 0:
            run, start = 0.0, i
        run += s
        if run > best:
            best, best_span = run, (start, i + 1, run)
    return best_span


def _regions(scores: Sequence[float], *, gap: int) -> list[tuple[int, int]]:
    """
    Split the page at every run of ``gap`` or more lines of furniture (score <= -HARD)
    and at every end marker (score -inf: copyright line, comments header).
    """
    regions, start, dry = [], 0, 0
    for i, s in enumerate(scores):
        if s == -math.inf:
            regions.append((start, i - dry))
            start, dry = i + 1, 0
            continue
        if s <= -HARD:
            dry += 1
            continue
        if dry >= gap:
            regions.append((start, i - dry))
            start = i - dry
        dry = 0
    regions.append((start, len(scores)))
    return regions


def _vocabulary(lines: Iterable[str]) -> Counter[str]:
    """Content words of lines (function words dropped; runs of CJK split into bigrams)."""
    out: Counter[str] = Counter()
    for line in lines:
        for tok in _WORD.findall(line.lower()):
            if _CJK.search(tok):
                out.update(tok[k : k + 2] for k in range(max(1, len(tok) - 1)))
            elif len(tok) > 2 and tok not in FUNCTION_WORDS:
                out[tok] += 1
    return out


def _coherence(block: Counter[str], vocab: Counter[str]) -> float:
    """Share of a block's content words that the article so far also uses."""
    total = sum(block.values())
    return sum(n for w, n in block.items() if w in vocab) / total if total else 0.0


def _segments(lines: Sequence[str], scores: Sequence[float]) -> list[tuple[int, int]]:
    """
    Return the spans of lines that make up the article body.

    The page is cut into regions at every long run of furniture (:data:`GAP`); each
    region's best segment is found; the best of all seeds the body, which then grows
    into neighbouring regions whose segment is substantial and speaks of the same
    things (shares :data:`COHERENCE` of its content words with the body so far).
    Comments, teasers of other stories and company boilerplate fail that test.
    """
    found = []
    for a, b in _regions(scores, gap=GAP):
        seg = _max_segment(scores[a:b])
        if seg is not None:
            found.append((a + seg[0], a + seg[1], seg[2]))
    if not found:
        return []
    markers = [i for i, s in enumerate(scores) if s == -math.inf]
    comments = next((i for i in markers if _COMMENTS.match(lines[i].strip(_BRACKETS))), len(lines))
    # a comment section is never the article, unless nothing precedes it
    eligible = [k for k in range(len(found)) if found[k][0] < comments] or range(len(found))
    main = max(eligible, key=lambda k: found[k][2])
    chosen = [main]
    vocab = _vocabulary(lines[found[main][0] : found[main][1]])
    for step in (-1, 1):
        k = main + step
        while 0 <= k < len(found):
            a, b, total = found[k]
            block = _vocabulary(lines[a:b])
            lo, hi = (found[k][1], found[k + 1][0]) if step < 0 else (found[k - 1][1], a)
            crosses_end = any(lo <= i < hi for i in markers)
            if total < MIN_BLOCK or crosses_end or _coherence(block, vocab) < COHERENCE:
                break
            chosen.append(k)
            vocab.update(block)
            k += step
    return [found[k][:2] for k in sorted(chosen)]


#: Consecutive lines of furniture that separate two regions of a page.
GAP = 2
#: Smallest score of a region joined to the body, and the share of shared content words.
MIN_BLOCK, COHERENCE = 80.0, 0.25


def _is_english(lines: Sequence[str]) -> bool:
    toks = [t.lower() for ln in lines for t in _WORD.findall(ln)]
    return bool(toks) and sum(t in FUNCTION_WORDS for t in toks) / len(toks) > 0.15


def _body_span(
    lines: Sequence[str], *, chrome: frozenset[str] | set[str], feats: list[_Feat] | None = None
) -> list[tuple[int, int]]:
    if not lines:
        return []
    feats = feats if feats is not None else _features(lines, chrome)
    return _segments(lines, _line_scores(feats, _is_english(lines)))


def _body_lines(
    lines: Sequence[str], feats: Sequence[_Feat], spans: Sequence[tuple[int, int]]
) -> list[int]:
    """
    Indices of the body lines inside ``spans``.

    Furniture inside the spans is removed (captions, prompts, byline and date lines,
    repeated lines), and so are labels at either end of a span: an article starts and
    ends with a sentence.
    """
    keep = []
    for a, b in spans:
        part = []
        for i in range(a, b):
            f = feats[i]
            if f.learned or f.cue or f.copyright or f.repeated or f.caption or f.meta or f.dup:
                continue
            if f.promo and not (f.sentence and f.words >= 8 and f.stop >= 0.25):
                continue
            part.append(i)
        while part and not _prose(feats[part[0]]):
            part.pop(0)
        while part and not _prose(feats[part[-1]]):
            part.pop()
        keep.extend(part)
    return keep


def _prose(f: _Feat) -> bool:
    return f.sentence and f.words >= 4


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


#: Fewest words of an article body, unless the body is most of the page's text.
MIN_WORDS = 40
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


_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            "january jan", "february feb", "march mar", "april apr", "may", "june jun",
            "july jul", "august aug", "september sep sept", "october oct", "november nov",
            "december dec",
        ]
    )
    for m in names.split()
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
#: UTC offsets, in hours, of the zone abbreviations news pages print after a time
#: (IST is India's, the one news sites use most; CST is US Central).
ZONES = {
    "GMT": 0, "UTC": 0, "Z": 0, "WET": 0, "BST": 1, "CET": 1, "CEST": 2, "EET": 2,
    "EEST": 3, "MSK": 3, "IST": 5.5, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
}  # fmt: skip
_ZONE_ALT = "|".join(sorted((z for z in ZONES if len(z) > 1), key=len, reverse=True))
#: A time of day after a date: "4:40 PM GMT", "at 1:15 p.m. EST", "19.02 GMT", "5 p.m. CST",
#: "16:40:00Z", "09:01 +02:00". A time written with a dot needs a zone or am/pm after it.
_TIME = (
    r"(?:,?\s*(?:at\s+|[-–—|·•]\s*|T)?"
    r"(?:(?P<H>\d{1,2}):(?P<M>\d\d)(?::(?P<S>\d\d)(?:\.\d+)?)?"
    r"|(?P<H2>\d{1,2})\.(?P<M2>\d\d)(?=\s*(?:[ap]\.?m\.?(?![a-z])|(?:" + _ZONE_ALT + r")\b))"
    r"|(?P<H3>\d{1,2})(?=\s*[ap]\.?m\.?(?![a-z])))"
    r"\s*(?P<ampm>[ap]\.?m\.?(?![a-z]))?"
    r"\s*(?:\(?(?P<tz>" + _ZONE_ALT + r"|Z)\b\)?)?"
    r"\s*(?P<off>[+-]\d\d:?\d\d\b|(?<=UTC)[+-]\d{1,2}\b|(?<=GMT)[+-]\d{1,2}\b)?)?"
)
_DATE_PATTERNS = (
    re.compile(
        rf"\b(?P<m>{_MONTH_ALT})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b"
        + _TIME,
        re.I,
    ),
    re.compile(
        rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH_ALT})\.?,?\s+(?P<y>(?:19|20)\d\d)\b"
        + _TIME,
        re.I,
    ),
    re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<mn>\d\d)-(?P<d>\d\d)(?!\d)" + _TIME),
)
_DATE_CUE = re.compile(r"\b(?:published|posted|updated|first published|last updated|date)\b", re.I)
_UPDATED = re.compile(r"\b(?:updated|last updated|modified)\b", re.I)


def _dates_in(line: str) -> list[pd.Timestamp]:
    """Full dates (with a year) in a line, in UTC; a time of day and its zone when printed."""
    out = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(line):
            month = int(m.group("mn")) if "mn" in m.groupdict() else _MONTHS[m.group("m").lower()]
            try:
                day = pd.Timestamp(int(m.group("y")), month, int(m.group("d")))
            except ValueError:
                continue
            out.append((m.start(), day + _time_of_day(m)))
    return [ts.tz_localize("UTC") for _, ts in sorted(out, key=lambda x: x[0])]


def _time_of_day(m: re.Match) -> pd.Timedelta:
    """
    Offset from midnight UTC of a matched date's time: "1:15 p.m. EST" gives 18:15.

    A time without a zone is taken as UTC; a date without a time is midnight.
    """
    hour = m.group("H") or m.group("H2") or m.group("H3")
    if hour is None:
        return pd.Timedelta(0)
    h = int(hour)
    minute = int(m.group("M") or m.group("M2") or 0)
    second = int(m.group("S") or 0)
    ampm = (m.group("ampm") or "").lower()[:1]
    if ampm and not 1 <= h <= 12:
        return pd.Timedelta(0)
    if ampm == "p" and h < 12:
        h += 12
    elif ampm == "a" and h == 12:
        h = 0
    if h > 23 or minute > 59 or second > 59:
        return pd.Timedelta(0)
    offset = 0.0
    if m.group("tz"):
        offset = ZONES[m.group("tz").upper()]
    if m.group("off"):
        sign = -1 if m.group("off")[0] == "-" else 1
        digits = m.group("off")[1:].replace(":", "")
        hh, mm = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
        offset += sign * (int(hh) + int(mm) / 60)
    return pd.Timedelta(hours=h - offset, minutes=minute, seconds=second)


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


# --------------------------------------------------------------------------- public API


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
