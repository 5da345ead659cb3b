"""Sentences, names and speakers for the quote rules; the speaker and attribution records."""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.measures.quotes_lexicon import (
    _ANON_MARKERS,
    _ANON_NP,
    _AUX,
    _BARE_SOURCES,
    _DAYS_WORDS,
    _DETERMINERS,
    _FUNCTION_WORDS,
    _LEADING_CONJ,
    _LEADING_TIME,
    _NAME_RUN,
    _NAMED_AS,
    _PRONOUNS,
    _QUOTE_MARK,
    _TITLES,
)
from analysis.text.nlp import sentence_spans

# ---------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------

#: stands in for the full stop of an abbreviation while rules run (same length)
_DOT = "\u2024"
_ABBREVIATION = re.compile(
    r"\b(?:Mr|Mrs|Ms|Messrs|Dr|Drs|Sen|Sens|Rep|Reps|Gov|Govs|Gen|Lt|Col|Capt|Sgt|Maj|Adm|Cmdr|"
    r"Gens|St|Ste|Mt|Ft|Jr|Sr|Prof|Rev|Hon|Pres|Sec|Atty|Supt|Insp|Det|Cpl|Pvt|No|Nos|Inc|Corp|Co|"
    r"Ltd|Bros|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|etc|approx|Univ|Dept|Ave|Blvd|"
    r"Ariz|Calif|Colo|Conn|Del|Fla|Ga|Ill|Ind|Kan|Ky|La|Md|Mass|Mich|Minn|Miss|Mo|Mont|Neb|Nev|"
    r"Okla|Ore|Pa|Tenn|Tex|Va|Vt|Wash|Wis|Wyo)(\.)(?=[\s,;:)\-–—]|$)"
    r"|\b(?:[A-Z]\.){1,3}(?=\s*[A-Z])|\b(?:[A-Z]\.){2,}"
)


def _mask_abbreviations(text: str) -> str:
    """Replace the full stops of titles, initials and acronyms with a placeholder of the same length."""

    def swap(m: re.Match) -> str:
        return m.group().replace(".", _DOT)

    return _ABBREVIATION.sub(swap, text)


#: "... in the U.S. He says ...": an initialism can end a sentence
_INITIALISM_END = re.compile(
    r"(?<=\b[A-Z]\.[A-Z]\.)\s+(?=(?:He|She|They|It|We|I|The|But|While|In|And|This|That|His|Her|"
    r"Their|Its|A|An|Some|Many|Most|After|When|As|If|At|On)\s)"
)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """
    Sentences from :func:`analysis.text.nlp.sentence_spans`, adjusted for attribution.

    A sentence that starts in lower case joins the one before ("Sen. Bernie
    Sanders (I-Vt.) | said ..."), and an initialism followed by a sentence opener
    ends a sentence ("... in the U.S. He says ...").
    """
    spans = sentence_spans(text)
    split: list[tuple[int, int]] = []
    for a, b in spans:
        for m in _INITIALISM_END.finditer(text, a, b):
            split.append((a, m.start()))
            a = m.end()
        split.append((a, b))
    merged: list[tuple[int, int]] = []
    for a, b in split:
        if merged and text[a : a + 1].islower() and "\n" not in text[merged[-1][1] : a]:
            merged[-1] = (merged[-1][0], b)  # "Sen. Bernie Sanders (I-Vt.) | said ..."
        else:
            merged.append((a, b))
    return merged


def _sentence_index(spans: list[tuple[int, int]], pos: int) -> int:
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid][1] <= pos:
            lo = mid + 1
        else:
            hi = mid
    return min(lo, len(spans) - 1) if spans else -1


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------


def _is_title(token: str) -> bool:
    return token.replace("\u2024", "").replace(".", "").rstrip(",").lower() in _TITLES


def _strip_titles(tokens: list[str]) -> list[str]:
    """Drop title words ("Kyiv Mayor Vitali Klitschko" -> "Vitali Klitschko")."""
    out = [t for t in tokens if t not in _DAY_NAMES]
    if out and out[-1].replace("’", "'").rstrip("'s") in _ORG_HEADS:
        return out  # "Russian Defense Ministry" is a name as a whole
    for j in range(len(out) - 2, -1, -1):
        if _is_title(out[j]):
            return out[j + 1 :]
    return out


_DAY_NAMES = set(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April June "
    "July August September October November December".split()
)
#: last words of organisations, whose names contain title words ("Defense Ministry")
_ORG_HEADS = set(
    "Ministry Department Office Council Committee Agency Service Services Commission Party Army "
    "Forces Command Government Court Bank Union Organization Organisation Institute University "
    "Police Guard House Administration Authority Board Bureau Cabinet Parliament Assembly "
    "Congress Senate Staff Directorate Inspectorate Embassy Mission Secretariat".split()
)


def _clean_token(tok: str) -> str:
    return tok.rstrip(",.;:").replace("’", "'")


def _name_runs(text: str) -> list[tuple[int, int, list[str]]]:
    """Capitalised runs with titles dropped: (start, end, tokens)."""
    runs = []
    for m in _NAME_RUN.finditer(text):
        toks = [_clean_token(t) for t in m.group().split()]
        toks = [t for t in toks if t]
        while toks and (not toks[0][:1].isupper() or toks[0].lower() in _FUNCTION_WORDS):
            toks.pop(0)
        while toks and not toks[-1][:1].isupper():
            toks.pop()
        if toks:
            runs.append((m.start(), m.end(), toks))
    return runs


def _article_names(text: str) -> list[list[str]]:
    """Person-like names used in an article: runs of two or more name tokens after titles."""
    names = []
    for _, _, toks in _name_runs(text):
        toks = _strip_titles(toks)
        toks = [t[:-2] if t.endswith("'s") else t for t in toks]
        if len(toks) >= 2 and all(len(t) > 1 or t.isalpha() for t in toks):
            names.append(toks)
    return names


def _fullest(name: str, names: list[list[str]]) -> str:
    """Return the longest name in ``names`` that ends with (or equals) ``name``."""
    toks = name.split()
    if not toks:
        return name
    best = toks
    for cand in names:
        if len(cand) > len(best) and cand[-len(toks) :] == toks:
            best = cand
    return " ".join(best)


_PREPOSITION_END = re.compile(r"\b(?:of|from|for|in|at|with|to|by|on|about|against)$", re.I)


def _person_in(head: str, anonymous: bool) -> str | None:
    """The name a noun phrase ends with ("Kyiv Mayor Vitali Klitschko" -> "Vitali Klitschko")."""
    runs = _name_runs(head)
    if not runs:
        return None
    start, end, toks = runs[-1]
    if _PREPOSITION_END.search(head[:start].rstrip()):
        return None  # "the mayor of Irpin": the name is not the speaker
    trailing = head[end:].strip()
    if trailing and not re.match(r"^(?:who|whose|himself|herself|themselves)\b", trailing):
        return None  # "Russia's defence ministry", "a US official"
    toks = _strip_titles(toks)
    if not toks or toks[-1].endswith("'s") or (anonymous and len(toks) < 2):
        return None
    return " ".join(toks)


@dataclass
class _Speaker:
    name: str
    mention: str
    start: int
    end: int
    anonymous: bool


@dataclass
class _Attribution:
    pieces: list[tuple[int, int]]
    speaker: _Speaker | None
    cue: str
    kind: str
    cue_start: int = -1


def _speaker_from_np(
    np_text: str, offset: int, sentence: str, names: list[list[str]]
) -> _Speaker | None:
    """Turn a subject noun phrase into a speaker (name, as written, offsets, anonymous)."""
    raw = np_text
    lead = len(raw) - len(raw.lstrip(" ,:;–—-\u00a0'‘’"))
    np = raw.strip(" ,:;–—-\u00a0'‘’")
    stripped = _LEADING_TIME.sub("", _LEADING_CONJ.sub("", np))
    stripped = re.sub(r"\s+(?:who|which|that)$", "", stripped)  # "a businessman who"
    lead += len(np) - len(stripped)
    np = stripped
    if not np or _QUOTE_MARK.search(np) or len(np.split()) > 40:
        return None
    if len(np.split(",")[0].split()) > 12:
        return None
    words = np.split()
    # strip a dateline ("LVIV:", "WASHINGTON (Reuters) -")
    m = re.match(r"^[A-Z][A-Z .,'-]{2,}(?:\([^)]*\))?\s*[:–—-]+\s*", np)
    if m and len(np) > m.end():
        lead += m.end()
        np = np[m.end() :]
        words = np.split()
    first = words[0].lower()
    if all(w.lower() in _FUNCTION_WORDS for w in words) and not (
        first in _PRONOUNS and len(words) == 1
    ):
        return None
    if first in _FUNCTION_WORDS - _DETERMINERS and first not in _PRONOUNS:
        return None
    start, end = offset + lead, offset + lead + len(np)
    if first in _PRONOUNS and len(words) == 1:
        return _Speaker(np, np, start, end, False)
    if first in {"who", "which", "that", "it", "there", "this"}:
        return None
    named = _NAMED_AS.search(np)
    if named:
        return _Speaker(_fullest(named.group(1).strip(" .,"), names), np, start, end, False)
    core = _NP_NOISE.sub("", np).strip(" ,") or np
    anonymous = bool(
        _ANON_NP.search(core) or _BARE_SOURCES.match(core) or _ANON_MARKERS.search(sentence)
    )
    # appositive: "Brian Fallon, a spokesman for Mrs. Clinton" -> Brian Fallon
    person = _person_in(core.split(",")[0].strip(), anonymous)
    if person:
        return _Speaker(_fullest(person, names), np, start, end, False)
    head = re.match(r"^([^,]+?)\s*,\s*(?:who|whose|which|that|a|an|the|one|[a-z])", core)
    if head:  # "The report, which was published on Friday" -> "The report"
        return _Speaker(head.group(1), np, start, end, anonymous)
    return _Speaker(core, np, start, end, anonymous)


#: parentheses ("(R-Iowa)") and a trailing time ("on Wednesday") are not part of a name
_NP_NOISE = re.compile(
    r"\s*\([^)]*\)|\s+(?:(?:on|last|this|late|early|earlier)\s+)?(?:" + _DAYS_WORDS + r")"
    r"(?:\s+(?:night|morning|afternoon|evening))?\s*$"
)


def _np_before_cue(np: str) -> str:
    """Strip trailing auxiliaries and adverbs between a subject and its cue."""
    words = np.split()
    while words and words[-1].lower().strip(",") in _AUX:
        words.pop()
    return " ".join(words)
