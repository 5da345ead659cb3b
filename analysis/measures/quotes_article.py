"""One article's attributions (rules in order, overlaps settled, pronouns resolved) as rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from analysis.errors import SchemaError
from analysis.measures.quotes_direct import _attribute_quote, _pair_quotes, _paragraphs
from analysis.measures.quotes_lexicon import (
    _ACCORDING_RE,
    _CUE_FORMS,
    _CUE_RE,
    _FEMALE_NAMES,
    _HEADLINE_CUE_RE,
    _LEADING_CONJ,
    _MALE_NAMES,
    _PRONOUNS,
    _RESOLVABLE,
    _TITLES,
    _WORD,
)
from analysis.measures.quotes_reported import _PLAIN, _according_to, _content_end, _reported
from analysis.measures.quotes_speakers import (
    _DOT,
    _ORG_HEADS,
    _article_names,
    _Attribution,
    _fullest,
    _mask_abbreviations,
    _person_in,
    _sentence_index,
    _sentence_spans,
    _Speaker,
    _speaker_from_np,
)


def _overlaps(a: int, b: int, claimed: list[tuple[int, int]]) -> bool:
    return any(a < y and x < b for x, y in claimed)


def _quotes_in_text(text: str) -> list[_Attribution]:
    """All attributions in one article text, in text order."""
    if not text or not text.strip():
        return []
    sentences = _sentence_spans(text)
    text = _mask_abbreviations(text)
    names = _article_names(text)
    paragraphs = _paragraphs(text)
    raw_quotes = _pair_quotes(text, paragraphs)
    para_of = {}
    for q in raw_quotes:
        para_of[q[-1][0]] = next(
            ((a, b) for a, b in paragraphs if a <= q[-1][0] < b), (0, len(text))
        )
    found: list[_Attribution] = []
    unattributed: list[_Attribution] = []
    # 1. direct quotes, with their attribution; merge follow-on pieces
    last: _Attribution | None = None
    last_para: tuple[int, int] | None = None
    for q in raw_quotes:
        p_start, p_end = para_of[q[-1][0]]
        pieces_text = " ".join(text[a:b] for a, b in q).strip()
        n_words = len(pieces_text.split())
        sp, cue, cue_at, embedded = _attribute_quote(text, q, p_end, p_start, names)
        if sp is not None and last is not None and last.cue_start == cue_at:
            last.pieces.extend(q)  # "A," she said, "B.": one quote
            continue
        if embedded and sp is not None:
            q = [(_clause_start(text, q[0][0], p_start), q[0][1]), *q[1:]]
        if sp is None and last is not None and last.kind == "direct":
            gap = text[last.pieces[-1][1] : q[0][0]]
            same_para = last_para == (p_start, p_end)
            # "A," she said, "B."  /  "A," she said. "B."  /  a new paragraph continuing the quote
            if (
                same_para
                and len(gap) < 160
                and not re.search(r"[\"“”]\s*\w[^\"“”]{0,160}[.!?]\s+[A-Z][^\"“”]*[.!?]", gap)
            ) or (
                not same_para
                and n_words >= 6
                and _starts_paragraph(text, q[0][0], p_start)
                and _para_gap(last_para, (p_start, p_end), paragraphs) <= 1
            ):
                last.pieces.extend(q)
                last_para = (p_start, p_end)
                continue
        if sp is None:
            # a quoted sentence with no cue beside it: most often its speaker was named
            # in a paragraph before; kept, without a speaker, when it reads as speech
            if n_words >= _MIN_UNATTRIBUTED_WORDS:
                unattributed.append(_Attribution(list(q), None, "", "unattributed", -1))
            last = None
            continue
        att = _Attribution(list(q), sp, cue, "direct", cue_at)
        found.append(att)
        last, last_para = att, (p_start, p_end)
    claimed = [(min(a for a, _ in f.pieces), max(b for _, b in f.pieces)) for f in found]
    quote_extents = [(q[0][0], q[-1][1]) for q in raw_quotes]
    # "Ben Carson: Clinton 'not fit to serve'" (headlines, transcripts)
    labels = [m for p in paragraphs if (m := _SPEAKER_COLON.match(text, *p))]
    for m in labels:
        if m.group("np").isupper() and sum(x.group("np").isupper() for x in labels) < 2:
            continue  # a lone dateline ("LVIV:"), not a transcript
        if _overlaps(m.start("said"), m.end("said"), claimed) or m.group("np").strip() in _LABELS:
            continue
        sp = _speaker_from_np(m.group("np"), m.start("np"), m.group(), names)
        if sp is None or (not m.group("np").isupper() and _person_in(m.group("np"), False) is None):
            continue
        end = _content_end(text, m.start("said"), m.end("said"))
        found.append(_Attribution([(m.start("said"), end)], sp, ":", "direct", m.start("said") - 1))
        claimed.append((m.start("said"), end))
    # 2 and 3. reported speech and "according to", one sentence at a time
    for s_start, s_end in sentences:
        sentence = text[s_start:s_end]
        candidates: list[_Attribution] = []
        cue_re = _HEADLINE_CUE_RE if _is_headline(sentence) else _CUE_RE
        for regex, rule in ((_ACCORDING_RE, _according_to), (cue_re, _reported)):
            for pos in _cue_positions(regex, sentence, s_start):
                if _inside(pos, quote_extents) or _inside(pos, claimed):
                    continue
                m = regex.match(text, pos)
                if m is None:
                    continue  # a cue word in capitals ("PLANS")
                att = rule(text, s_start, s_end, m, names)
                if att is None:
                    continue
                a, b = att.pieces[0]
                if _overlaps(a, b, claimed) and _covered(a, b, claimed):
                    continue
                att.cue_start = pos
                candidates.append(att)
        accepted: list[_Attribution] = []
        ranked = sorted(
            candidates,
            key=lambda c: (
                _PRIORITY[c.kind],
                _CUE_FORMS.get(c.cue.lower()) not in _PLAIN,
                c.cue_start,
            ),
        )
        for att in ranked:
            if _fits(att, accepted, text):
                accepted.append(att)
        for att in accepted:
            found.append(att)
            claimed.append((att.pieces[0][0], att.pieces[-1][1]))
    for att in unattributed:
        a, b = att.pieces[0][0], att.pieces[-1][1]
        if not _overlaps(a, b, claimed):
            found.append(att)
    found.sort(key=lambda f: f.pieces[0][0])
    _resolve_pronouns(found, sentences, text, names, quoted=quote_extents)
    for att in found:  # after resolution: a name a pronoun took is written with its dots too
        if att.speaker is not None:
            att.speaker.name = att.speaker.name.replace(_DOT, ".")
    return found


_PRIORITY = {"according_to": 0, "reported": 1, "stance": 2, "direct": 0, "unattributed": 0}
_CLAUSE_JOIN = re.compile(
    r"(?:,?\s+(?:and|but|while|whereas|as|although|though)|;|,|\s(?:—|–|--))\s*$"
)


def _fits(att: _Attribution, accepted: list[_Attribution], text: str) -> bool:
    """
    Accept ``att`` beside the attributions already taken from its sentence.

    Two attributions may share a sentence when one clause ends where the other's
    subject begins ("X denied it, while Y said ..."): the first content is cut there.
    A cue inside another attribution's content (nested speech) is not taken.
    """
    a0, a1 = att.pieces[0][0], att.pieces[-1][1]
    for other in accepted:
        o0, o1 = other.pieces[0][0], other.pieces[-1][1]
        if o0 <= att.cue_start < o1:
            if att.kind == "stance":
                return False  # a view held inside what was said
            first, second = other, att
        elif a0 <= other.cue_start < a1:
            first, second = att, other
        elif a0 < o1 and o0 < a1:
            return False
        else:
            continue
        f0 = first.pieces[0][0]
        boundary = second.cue_start
        if second.speaker is not None and f0 < second.speaker.start < boundary:
            boundary = second.speaker.start
        if boundary <= f0:
            return False
        cut = _CLAUSE_JOIN.search(text, f0, boundary)
        if cut is None or cut.start() - f0 < 8:
            return False
        first.pieces[-1] = (first.pieces[-1][0], f0 + len(text[f0 : cut.start()].rstrip(" ,;")))
    return True


def _clause_start(text: str, pos: int, p_start: int) -> int:
    """Start of the sentence holding ``pos`` (within its paragraph)."""
    best = p_start
    for m in re.finditer(r"[.!?][\"”’']*\s+", text[p_start:pos]):
        best = p_start + m.end()
    return best + len(text[best:pos]) - len(text[best:pos].lstrip())


_SPEAKER_COLON = re.compile(
    r"[ \t\u00a0]*(?P<np>(?:[A-Z][\w.'’\u2024-]*[ \t\u00a0]+){0,4}[A-Z][\w'’-]+)[ \t\u00a0]*:[ \t\u00a0]+"
    r"(?P<said>\S[^\n]{8,})"
)
_LABELS = {
    "Editor's Note",
    "Editor’s Note",
    "Note",
    "Related",
    "Photo",
    "Video",
    "Watch",
    "Read More",
    "Update",
    "Correction",
    "Source",
    "Sources",
    "Warning",
    "Click Here",
    "Breaking News",
    "Full Text",
    "Abstract",
    "Caption",
    "Credit",
    "Disclosure",
    "Clarification",
    "Q",
    "A",
}


def _is_headline(sentence: str) -> bool:
    """True for a line in title case ("Trump Says He Will Win")."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", sentence) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


#: a quote with no attribution is kept from this length on (shorter ones are mostly
#: scare quotes and titles)
_MIN_UNATTRIBUTED_WORDS = 8


def _cue_positions(regex: re.Pattern, sentence: str, s_start: int) -> list[int]:
    """Offsets where ``regex`` matches in a sentence; cue words are found by set lookup."""
    if regex is _ACCORDING_RE:
        return [s_start + m.start() for m in regex.finditer(sentence)]
    headline = regex is _HEADLINE_CUE_RE
    return [
        s_start + w.start()
        for w in _WORD.finditer(sentence)
        if (w.group().lower() if headline else w.group()) in _CUE_FORMS
        and (not headline or w.group()[0].isupper() or w.group() in _CUE_FORMS)
    ]


def _starts_paragraph(text: str, pos: int, p_start: int) -> bool:
    return not text[p_start:pos].strip(" \u00a0\"“'`„")


def _para_gap(
    a: tuple[int, int] | None, b: tuple[int, int], paragraphs: list[tuple[int, int]]
) -> int:
    if a is None:
        return 99
    try:
        return paragraphs.index(b) - paragraphs.index(a)
    except ValueError:
        return 99


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _covered(a: int, b: int, spans: list[tuple[int, int]]) -> bool:
    """True when more than half of [a, b) lies inside ``spans``."""
    inside = sum(max(0, min(b, y) - max(a, x)) for x, y in spans)
    return inside * 2 > (b - a)


def _is_person(sp: _Speaker) -> bool:
    """True for a speaker "he" or "she" can stand for: a personal name or one unnamed person."""
    if sp.anonymous:
        return bool(_PERSON_SOURCE.search(sp.name)) and not re.search(r"(?:s|people)$", sp.name)
    toks = sp.name.split()
    if not toks or not sp.name[:1].isupper() or any(t in _NOT_PERSON for t in toks):
        return False
    return len(toks) >= 2 or toks[0].isalpha() and not toks[0].isupper()


_PERSON_SOURCE = re.compile(
    r"\b(?:official|source|diplomat|aide|adviser|advisor|person|insider|officer|staffer|member|"
    r"spokesman|spokeswoman|spokesperson|representative|executive|analyst|resident|witness|"
    r"lawmaker|employee|worker|man|woman|soldier|commander|doctor|teacher|mother|father)$"
)
_NOT_PERSON = _ORG_HEADS | set(
    "Republic Council Union States Kingdom Nations Sea City Street Square Region Oblast Island "
    "Islands Europe European America American Russia Russian Ukraine Ukrainian Kremlin Moscow "
    "Kyiv Kiev Washington London Beijing China Chinese Britain British NATO EU UN US UK "
    "North South East West New United Central Street Times Post News Press Reuters".split()
    # places, bodies and headline words that read like names ("Fort Pierce", "Signature Issue")
    + "USA Fort Mount Mall Convention Conference Foundation Association Center Centre Society "
    "Network Club Church School College Airport Hospital Hotel League Today Show Issue Plan "
    "Act Museum Hall Bridge Park State Islamic".split()
)


def _named_in(
    text: str,
    start: int,
    end: int,
    people: list[str],
    *,
    avoid: set[str] = frozenset(),
    quoted: list[tuple[int, int]] = (),
    owner: dict[str, str] | None = None,
) -> str | None:
    """
    The person named first in ``text[start:end]`` outside ``quoted``: most often the subject.

    A person is found by surname; where two people share it, the one whose full
    name is written there wins ("Rakeyia Scott" over "Keith Lamont Scott"). Names
    in ``avoid``, names inside a quote and names that qualify another ("McConnell
    spokesman Don Stewart") are passed over. A surname alone stands for its
    ``owner``, the person of that surname the article names first.
    """
    owner = owner or {}
    best, best_at = None, (len(text) + 1, False)
    for name in people:
        if name in avoid:
            continue
        for full in (False, True):
            if not full and owner.get(name.split()[-1], name) != name:
                continue  # "Clinton" alone is Hillary Clinton in an article naming her most
            pattern = re.escape(name) if full else re.escape(name.split()[-1])
            for m in re.finditer(r"\b" + pattern + r"\b", text[start:end]):
                if _inside(start + m.start(), quoted) or _ATTRIBUTIVE.match(text, start + m.end()):
                    continue
                if (m.end(), not full) < (best_at[0], not best_at[1]):
                    best, best_at = name, (m.end(), full)
                break
    return best


#: "Mr. Obama", "Ms. Lynch": a surname, and whether "he" or "she" stands for it
_HONORIFIC = re.compile(r"\b(Mr|Mrs|Ms|Miss)[.\u2024]?\s+([A-Z][a-z][\w-]*)")
_SHE_HONORIFICS = {"Mrs", "Ms", "Miss"}


def _people(
    text: str, names: list[list[str]]
) -> tuple[list[str], dict[str, set[str]], dict[str, str]]:
    """
    People named in an article, and the pronoun each one takes when the text tells.

    People are the full names used (two or more name tokens, no place or
    organisation word) and the surnames used after Mr., Mrs., Ms. or Miss
    (resolved to the fullest form of the name in the article). ``he``/``she`` of
    a person is known from those honorifics and from first names that are
    nearly always a man's or a woman's (``_MALE_NAMES``, ``_FEMALE_NAMES``).
    """
    people = [
        " ".join(n)
        for n in names
        if not any(
            t in _NOT_PERSON or not t.replace("'", "").replace(_DOT, "").isalpha() for t in n
        )
        and not _LEADING_CONJ.match(n[0] + " ")  # "Although Weiner"
        and "I" not in n  # "Then I"
    ]
    pronoun: dict[str, set[str]] = {}
    for name in people:
        first = name.split()[0]
        if first in _MALE_NAMES or first in _FEMALE_NAMES:
            pronoun.setdefault(name, set()).add("he" if first in _MALE_NAMES else "she")
    for m in _HONORIFIC.finditer(text):
        if m.group(2) in _NOT_PERSON:
            continue
        name = _fullest(m.group(2), names)
        people.append(name)
        pronoun.setdefault(name, set()).add("she" if m.group(1) in _SHE_HONORIFICS else "he")
    people = list(dict.fromkeys(people))
    return people, pronoun, _surname_owners(text, people)


def _surname_owners(text: str, people: list[str]) -> dict[str, str]:
    """For a surname several people share, the one whose full name the article uses first."""
    by_surname: dict[str, list[str]] = {}
    for name in people:
        by_surname.setdefault(name.split()[-1], []).append(name)
    owners = {}
    for surname, names in by_surname.items():
        if len(names) > 1:
            owners[surname] = min(names, key=lambda n: text.find(n) % (len(text) + 1))
    return owners


def _is_plural(sp: _Speaker) -> bool:
    """True for a speaker "they" can stand for: several people ("two officials", "X and Y")."""
    toks = sp.name.split()
    if not toks:
        return False
    if " and " in sp.name:
        return len(toks) <= 6  # "Mr. Grassley and Mr. Leahy", not a clause
    last = toks[-1]
    return last.islower() and (last.endswith("s") and not last.endswith("ss") or last == "people")


def _antecedent(
    pronoun: str, att: _Attribution, last: tuple[int, _Attribution] | None, s_idx: int
) -> _Speaker | None:
    """
    The speaker of the attribution just before that ``it`` or ``they`` stands for.

    ``it`` takes an organisation or a document that said or wrote something (a
    speaker that is not a person, not anonymous and not plural: "The ministry
    said ... It added"), and only for words said, not a stance ("It showed ..."
    is most often about a thing); ``they`` takes several people ("two officials
    said ... They added"). Only an attribution in the same or the two sentences
    before counts.
    """
    if last is None or s_idx - last[0] > 2 or last[1].speaker is None:
        return None
    sp = last[1].speaker
    if pronoun == "they":
        return sp if _is_plural(sp) else None
    if pronoun != "it" or "stance" in (att.kind, last[1].kind):
        return None
    return None if _is_person(sp) or sp.anonymous or _is_plural(sp) else sp


#: a name that qualifies another ("McConnell spokesman Don Stewart", "Trump's campaign
#: manager Paul Manafort"); "Carson's renewed endorsement" is still Carson
_ATTRIBUTIVE = re.compile(
    r"['’]s\s+(?:[\w-]+\s+){0,3}?[A-Z][a-z]+\s+[A-Z]|\s+(?i:"
    + "|".join(sorted(t for t in _TITLES if t.isalpha()))
    + r")\b"
)


def _person_before(
    text: str,
    sentences: list[tuple[int, int]],
    s_idx: int,
    pos: int,
    people: list[str],
    **outside: Any,
) -> str | None:
    """The person a "he"/"she" at ``pos`` stands for: named first in its sentence, else in the one before."""
    if not sentences:
        return _named_in(text, 0, pos, people, **outside)
    here = _named_in(text, sentences[s_idx][0], pos, people, **outside)
    if here or s_idx == 0:
        return here
    return _named_in(text, sentences[s_idx - 1][0], sentences[s_idx - 1][1], people, **outside)


def _resolve_pronouns(
    found: list[_Attribution],
    sentences: list[tuple[int, int]],
    text: str,
    names: list[list[str]],
    *,
    quoted: list[tuple[int, int]] = (),
) -> None:
    """
    Resolve pronoun speakers; leave the speaker of the rest empty (unattributed).

    "he"/"she" takes the speaker of an attribution in the same or the two
    sentences before when that speaker is a person (a name, or one unnamed
    official, who stays anonymous); failing that, the person named first in the
    same sentence before it, else the first one named in the sentence before (the
    subject, most often; full names, and surnames after Mr., Mrs., Ms. or Miss;
    names inside ``quoted``, the spans in quotation marks, do not count). A person known to be a man (Mr., or a first name such as Donald) is
    never a "she", nor a woman a "he". "it" and "they" take the speaker of the
    attribution just before (see :func:`_antecedent`). Any other pronoun ("I",
    "we", "you"), and one that cannot be resolved, leaves the speaker empty: the
    mention keeps the pronoun as written.
    """
    people, pronoun_of, owner = _people(text, names)
    prev: tuple[int, _Speaker] | None = None
    last: tuple[int, _Attribution] | None = None
    previous: _Attribution | None = None
    for att in found:
        sp = att.speaker
        if (
            att.kind == "unattributed"
            and previous is not None
            and previous.kind == "direct"
            and previous.speaker
        ):
            gap = _sentence_index(sentences, att.pieces[0][0]) - _sentence_index(
                sentences, previous.pieces[-1][1] - 1
            )
            if gap <= 2:
                # a quote with no cue of its own, right after another: the same speaker
                att.speaker = replace(previous.speaker)
                att.kind = "direct"
        if (
            sp is None
            and att.kind in ("reported", "stance")
            and previous is not None
            and previous.speaker is not None
            and _sentence_index(sentences, previous.cue_start)
            == _sentence_index(sentences, att.cue_start)
        ):
            # '"...," said Devine, suggesting that ...': the same speaker
            att.speaker = sp = replace(previous.speaker)
        previous = att
        if sp is None:
            continue
        s_idx = _sentence_index(sentences, sp.start) if sentences else 0
        word = sp.name.lower()
        if word in _RESOLVABLE:
            other = "she" if word == "he" else "he"
            avoid = {n for n, said in pronoun_of.items() if said == {other}}
            if prev is not None and s_idx - prev[0] <= 2 and prev[1].name not in avoid:
                sp.name, sp.anonymous = prev[1].name, prev[1].anonymous
            else:
                sp.name = (
                    _person_before(
                        text,
                        sentences,
                        s_idx,
                        sp.start,
                        people,
                        avoid=avoid,
                        quoted=quoted,
                        owner=owner,
                    )
                    or ""
                )
            if sp.name:
                prev, last = (s_idx, sp), (s_idx, att)
            continue
        if word in _PRONOUNS:
            found_sp = _antecedent(word, att, last, s_idx)
            sp.name = found_sp.name if found_sp else ""
            sp.anonymous = bool(found_sp and found_sp.anonymous)
            continue
        end_idx = _sentence_index(sentences, max(b for _, b in att.pieces) - 1) if sentences else 0
        last = (max(s_idx, end_idx), att)
        prev = (last[0], sp) if _is_person(sp) else None


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------


def _check_articles(articles: pd.DataFrame, needed: Sequence[str]) -> None:
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError("<table>", f"expected a pandas DataFrame, got {type(articles).__name__}")
    for col in needed:
        if col not in articles.columns:
            raise SchemaError(col, "missing (needed to extract quotes)")


def _article_rows(text) -> list[tuple]:
    """The rows of one article (without its id, outlet and date)."""
    if not isinstance(text, str):
        return []
    rows = []
    for att in _quotes_in_text(text):
        sp = att.speaker
        rows.append(
            (
                sp.name if sp and sp.name else pd.NA,
                text[sp.start : sp.end] if sp else pd.NA,
                bool(sp.anonymous) if sp else False,
                att.cue,
                " ".join(text[a:b].strip() for a, b in att.pieces).strip(),
                att.kind,
                att.pieces[0][0],
                att.pieces[-1][1],
                [tuple(p) for p in att.pieces],
                sp.start if sp else pd.NA,
                sp.end if sp else pd.NA,
            )
        )
    return rows
