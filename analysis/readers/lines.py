"""Line classifier of page dumps: text units, furniture cues, line scores and the body spans."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analysis.readers.dates import _DATE_PATTERNS

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


#: Longest line the line classifier reads whole: a paragraph is a few thousand
#: characters, and a longer line (a page dumped without newlines) is cut before it,
#: so that cleaning takes time in proportion to the page, not to its longest line.
MAX_LINE_CHARS = 10_000


def split_lines(raw: str) -> list[str]:
    """
    Split a dump into stripped, non-empty lines (any newline convention, NBSPs as spaces).

    A line longer than :data:`MAX_LINE_CHARS` is cut into pieces of at most that
    length, after a sentence where there is one in its second half, else at a space.

    Examples
    --------
    >>> split_lines("Talks resume\r\n\n  Negotiators\u00a0met.  ")
    ['Talks resume', 'Negotiators met.']
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    lines = [" ".join(ln.split()) for ln in text.split("\n") if ln.strip()]
    if any(len(ln) > MAX_LINE_CHARS for ln in lines):
        lines = [piece for ln in lines for piece in _pieces(ln, MAX_LINE_CHARS)]
    return lines


def _pieces(line: str, cap: int) -> list[str]:
    """``line`` cut into pieces of at most ``cap`` characters (see :func:`split_lines`)."""
    out, start = [], 0
    while len(line) - start > cap:
        end, half = start + cap, start + cap // 2
        cut = max(line.rfind(mark, half, end) for mark in (". ", "? ", "! ")) + 1
        if cut <= 0:
            cut = line.rfind(" ", half, end)
        if cut <= start:
            cut = end
        out.append(line[start:cut].strip())
        start = cut
    out.append(line[start:].strip())
    return [piece for piece in out if piece]


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
