"""Who is quoted: find quotes and attributed statements in news text, and count sources.

The extractor is a set of transparent rules for English news attribution, in the
order a reader applies them:

1. **Direct quotes.** Quotation marks are paired inside each paragraph (curly
   ``“ ”``, straight ``"`` and the doubled apostrophes ``''`` of some archives).
   A quote left open at the end of a paragraph continues when the next paragraph
   opens with a quotation mark (the newspaper convention for a long quote). A
   quote is attributed by a cue next to it: ``"...," Kuleba said``, ``"...," said
   Kuleba``, ``Kuleba said: "..."``. A quote interrupted by its attribution (``"A,"
   she said, "B."``) and further quoted sentences right after it in the same
   paragraph are one quote.
2. **Reported speech.** In a sentence outside quotation marks, a cue verb (say,
   tell, add, argue, warn, believe, ...) with a subject before it attributes the
   clause after it (``X said (that) ...``, ``X told Reuters ...``) or, when
   nothing but time and place follows the cue, the clause before it (``..., two
   officials said.``).
3. **According to.** ``According to X, ...`` and ``..., according to X.``

Speakers are normalised: titles are dropped (``Kremlin spokesperson Dmitry
Peskov`` -> ``Dmitry Peskov``), a surname resolves to the fullest form of the name
used in the same article (``Kuleba`` -> ``Dmytro Kuleba``), and ``he``/``she``
resolves to the named speaker of an attribution in the same or the previous
sentence (otherwise the pronoun is kept as written). Unnamed sources ("a senior
official", "two officials", "a source", anything said "on condition of
anonymity") are kept with ``anonymous=True``.

:func:`evaluate_quotes` scores extracted quotes against hand-annotated content
spans (for example PolNeAR's brat files, read with :func:`read_brat`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .errors import SchemaError

log = logging.getLogger(__name__)

QUOTE_COLUMNS = [
    "article_id",
    "outlet",
    "published",
    "speaker",
    "mention",
    "anonymous",
    "cue",
    "quote",
    "kind",
    "start",
    "end",
    "speaker_start",
    "speaker_end",
]

# ---------------------------------------------------------------------------
# Word lists
# ---------------------------------------------------------------------------

#: verbs of saying: lemma -> the forms that cue an attribution
_SPEECH_VERBS = {
    "say": "say says said saying",
    "tell": "tell tells told telling",
    "add": "add adds added adding",
    "note": "note notes noted noting",
    "write": "write writes wrote writing",
    "argue": "argue argues argued arguing",
    "claim": "claim claims claimed claiming",
    "state": "stated stating",
    "explain": "explain explains explained explaining",
    "insist": "insist insists insisted insisting",
    "warn": "warn warns warned warning",
    "suggest": "suggest suggests suggested suggesting",
    "announce": "announce announces announced announcing",
    "acknowledge": "acknowledge acknowledges acknowledged acknowledging",
    "admit": "admit admits admitted admitting",
    "concede": "concede concedes conceded conceding",
    "contend": "contend contends contended contending",
    "assert": "assert asserts asserted asserting",
    "declare": "declare declares declared declaring",
    "predict": "predict predicts predicted predicting",
    "recall": "recall recalls recalled recalling",
    "reply": "reply replies replied replying",
    "respond": "respond responds responded responding",
    "complain": "complain complains complained complaining",
    "confirm": "confirm confirms confirmed confirming",
    "deny": "deny denies denied denying",
    "report": "reported reporting",
    "tweet": "tweet tweets tweeted tweeting",
    "post": "posted",
    "emphasize": "emphasize emphasizes emphasized emphasised emphasizing emphasising",
    "stress": "stressed stressing",
    "reveal": "reveal reveals revealed revealing",
    "indicate": "indicate indicates indicated indicating",
    "observe": "observed observes",
    "counter": "countered counters",
    "estimate": "estimated estimates",
    "ask": "ask asks asked asking",
    "describe": "describe describes described describing",
    "call": "call calls called calling",
    "cite": "cite cites cited citing",
    "point": "pointed",
    "reiterate": "reiterate reiterates reiterated reiterating",
    "propose": "propose proposes proposed proposing",
    "promise": "promise promises promised promising",
    "vow": "vow vows vowed vowing",
    "pledge": "pledge pledges pledged pledging",
    "urge": "urge urges urged urging",
    "question": "questioned questioning",
    "allege": "allege alleges alleged alleging",
    "maintain": "maintains maintained",
    "mention": "mentioned mentions",
    "boast": "boasted boasts",
    "remind": "reminded reminds reminding",
    "tout": "touted touts touting",
    "announce_": "unveiled",
    "conclude": "concluded concludes concluding",
    "quip": "quipped",
    "joke": "joked",
    "recount": "recounted",
    "testify": "testified",
}
#: verbs of thinking, wanting and judging: the attributed view is a stance, not a quote
_STANCE_VERBS = {
    "believe": "believe believes believed",
    "think": "think thinks thought",
    "fear": "fear fears feared",
    "hope": "hope hopes hoped hoping",
    "expect": "expect expects expected expecting",
    "know": "knows knew",
    "worry": "worry worries worried",
    "doubt": "doubts doubted",
    "show": "show shows showed",
    "find": "find finds found",
    "see": "sees",
    "accuse": "accuse accuses accused accusing",
    "criticize": "criticize criticizes criticized criticised criticizing",
    "praise": "praise praises praised praising",
    "blame": "blame blames blamed blaming",
    "defend": "defended defends defending",
    "reject": "rejected rejects rejecting",
    "dismiss": "dismissed dismisses dismissing",
    "agree": "agree agrees agreed",
    "disagree": "disagree disagrees disagreed",
    "seek": "sought seeks",
    "plan": "plans planned",
    "want": "wants wanted",
    "endorse": "endorsed endorses endorsing",
    "support": "supports supported",
    "oppose": "opposes opposed",
    "refuse": "refused refuses refusing",
    "decline": "declined declines",
    "attack": "attacked attacks attacking",
    "blast": "blasted blasts blasting",
    "slam": "slammed slams slamming",
    "welcome": "welcomed welcomes",
    "condemn": "condemned condemns condemning",
    "denounce": "denounced denounces denouncing",
    "express": "expressed expresses expressing",
    "wonder": "wondered wonders",
    "recognize": "recognized recognizes",
    "realize": "realized realizes",
    "consider": "considers considered",
    "seem": "seemed seems",
    "appear": "appears appeared",
}
_CUE_FORMS = {
    form: lemma
    for verbs in (_SPEECH_VERBS, _STANCE_VERBS)
    for lemma, forms in verbs.items()
    for form in forms.split()
}
#: cues that take the person spoken to as an object ("told Reuters", "asked reporters")
_OBJECT_CUES = {"tell", "ask", "urge", "remind"}
#: stance cues need a subject that can hold a view (a person, a group, a poll)
_WEAK_CUES = set(_STANCE_VERBS)

_CUE_RE = re.compile(r"\b(" + "|".join(sorted(_CUE_FORMS, key=len, reverse=True)) + r")\b")
_ACCORDING_RE = re.compile(r"\b[Aa]ccording to\b")

_TITLES = {
    w.lower()
    for w in """President Vice Prime Minister Ministers Deputy Secretary General Gen Gen. Lt Lt. Col Col.
    Maj Maj. Capt Capt. Sgt Sgt. Adm Adm. Mayor Governor Gov Gov. Senator Sen Sen. Representative Rep Rep.
    Congressman Congresswoman Chairman Chairwoman Chair Speaker Leader Spokesman Spokeswoman
    Spokesperson Ambassador Director Commissioner Chancellor Judge Justice Attorney Sheriff Chief
    Dr Dr. Mr Mr. Mrs Mrs. Ms Ms. Miss Prof Prof. Professor Rev Rev. Father Pope King Queen Prince
    Princess Sir Dame Lord Lady Foreign Defence Defense Interior Health Finance Economy Justice
    Home State Treasury Commerce Trade Foreign Affairs Officer Official Adviser Advisor Aide
    Commander Colonel Major Captain Sergeant Lieutenant Admiral General Candidate Nominee Former
    Acting Head Executive CEO Founder Presidential Press Mr.. Democratic Republican GOP Sens. Reps.
    Govs. Drs. Messrs.""".split()
}
_SOURCE_NOUNS = (
    "official|officials|source|sources|diplomat|diplomats|aide|aides|adviser|advisers|advisor|"
    "advisors|person|people|insider|insiders|officer|officers|staffer|staffers|member|members|"
    "spokesman|spokeswoman|spokesperson|representative|executive|executives|analyst|analysts|"
    "resident|residents|witness|witnesses|lawmaker|lawmakers|employee|employees|worker|workers"
)
_ANON_NP = re.compile(
    r"^(?:a|an|one|two|three|four|five|several|some|many|multiple|other|few|two other|a few)\b"
    r"[^,]{0,80}?\b(?:" + _SOURCE_NOUNS + r")\b",
    re.IGNORECASE,
)
_BARE_SOURCES = re.compile(r"^(?:sources?|officials|insiders|people familiar with [^,]+)$", re.I)
_ANON_MARKERS = re.compile(
    r"on (?:the )?condition of anonymity|declined to be (?:named|identified)|"
    r"(?:was|were|is|are) not authori[sz]ed to (?:speak|comment|discuss)|"
    r"asked not to be (?:named|identified)|speaking anonymously|requested anonymity|"
    r"spoke anonymously|who was not named",
    re.IGNORECASE,
)
_NAMED_AS = re.compile(
    r"\b(?:gave (?:his|her|their) (?:first )?name (?:only )?as|identified (?:only )?as|"
    r"who (?:asked to be )?identified (?:herself|himself|themselves)? ?(?:only )?as)\s+"
    r"([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)"
)
_FUNCTION_WORDS = {
    "the",
    "a",
    "an",
    "had",
    "has",
    "have",
    "did",
    "does",
    "do",
    "could",
    "would",
    "should",
    "will",
    "can",
    "may",
    "might",
    "must",
    "if",
    "to",
    "not",
    "why",
    "how",
    "what",
    "whether",
    "of",
    "in",
    "on",
    "at",
    "for",
    "with",
    "by",
    "from",
    "as",
    "than",
    "so",
    "such",
    "this",
    "these",
    "those",
    "some",
    "many",
    "most",
    "all",
    "both",
    "one",
    "two",
    "his",
    "her",
    "their",
    "its",
    "our",
    "my",
    "your",
    "is",
    "was",
    "were",
    "are",
    "be",
    "been",
    "being",
    "even",
    "also",
    "only",
    "just",
    "and",
    "or",
    "but",
    "no",
    "nor",
    "yet",
    "because",
    "about",
    "into",
    "over",
    "after",
    "before",
    "when",
    "while",
    "where",
    "there",
    "here",
}
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "who", "which", "that"}
_RESOLVABLE = {"he", "she"}
_LEADING_CONJ = re.compile(
    r"^(?:and|but|or|while|whereas|as|because|although|though|when|since|after|before|so|"
    r"yet|if|where|until|even as|even though|however)\b\s*,?\s*",
    re.IGNORECASE,
)
_AUX = {
    "has",
    "have",
    "had",
    "also",
    "later",
    "earlier",
    "previously",
    "repeatedly",
    "once",
    "will",
    "would",
    "could",
    "can",
    "may",
    "might",
    "did",
    "does",
    "do",
    "not",
    "never",
    "publicly",
    "privately",
    "recently",
    "then",
    "again",
    "further",
    "simply",
    "only",
    "often",
    "always",
    "still",
    "already",
    "even",
    "reportedly",
    "allegedly",
    "just",
    "now",
    "is",
    "was",
    "were",
    "are",
    "be",
    "been",
    "being",
    "separately",
    "quickly",
    "flatly",
    "frequently",
    "long",
    "first",
    "last",
    "likewise",
    "similarly",
    "specifically",
    "explicitly",
    "openly",
    "bluntly",
    "angrily",
    "told",
    "should",
    "must",
    "shall",
    "to",
    "went",
    "on",
}
_DAYS = (
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|tonight|"
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan\\.|Feb\\.|Aug\\.|Sept?\\.|Oct\\.|Nov\\.|Dec\\."
)
#: time, place and channel phrases that may sit between a cue and what was said
_ADVERBIAL = re.compile(
    r"""^(?:\s*,?\s*(?:
        (?:on|late|early|last|this|next|earlier|later)\s+(?:"""
    + _DAYS
    + r"""|week|month|year|night|morning|afternoon|evening)\b(?:\s+(?:night|morning|afternoon|evening))?
      | (?:"""
    + _DAYS
    + r""")\b(?:\s+(?:night|morning|afternoon|evening))?
      | earlier|later|previously|again|also|repeatedly|recently|publicly|privately|separately|frankly|bluntly|flatly|simply|then|too|once
      | (?:in|during|at|on|via|through|over)\s+(?:a|an|the|his|her|their|its|this|that)\s+(?:[\w-]+\s+){0,3}?
            (?:statement|interview|tweet|post|letter|speech|memo|email|e-mail|release|conference|briefing|call|appearance|rally|op-ed|column|message|video|broadcast|hearing|debate|address|meeting|session|event|show|podcast|program|programme|report|filing|note|book|blog|essay|article)s?
            (?:\s+(?:with|to|on|at|in|for|from|of)\s+(?:the\s+)?[A-Z][\w.'’&-]*(?:\s+[A-Z][\w.'’&-]*)*(?:'s|’s)?(?:\s+[\w-]+){0,2}?)?
      | on\s+(?:national\s+|state\s+)?(?:television|TV|radio|Twitter|Facebook|Instagram|camera|Sunday|the\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)
      | (?:to|for)\s+(?:reporters|journalists|the\s+press|supporters|a\s+crowd|the\s+crowd|the\s+audience|an\s+audience|students|voters|delegates)
      | in\s+(?:an?\s+)?(?:emailed\s+|written\s+|joint\s+|brief\s+)?(?:statement|interview|remarks|comments|testimony)s?
      | in\s+(?:[A-Z][\w-]*)(?:,\s+[A-Z][\w.-]*)?
    ))+""",
    re.VERBOSE,
)
_NAME_TOKEN = r"(?:[A-Z][\w'’.-]*|de|da|van|von|al-[A-Z][\w-]*|bin|le|la|du|del|der)"
_NAME_RUN = re.compile(_NAME_TOKEN + r"(?:[ \t\u00a0]+" + _NAME_TOKEN + r")*")
_QUOTE_MARK = re.compile(r"''|``|[\"“”„«»]")
_OPENERS = "“„«`"
_CLOSERS = "”»"

# ---------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------

_FALLBACK_BREAK = re.compile(r"(?<=[.!?])[\"”’')]*\s+(?=[\"“‘'(]?[A-Z0-9])")
_FALLBACK_NO_END = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Sen|Rep|Gov|St|Jr|Sr|No|Jan|Feb|Aug|Sept|Oct|Nov|Dec|[A-Z])|"
    r"\b(?:[A-Z]\.){1,3})\.[\"”’')]*\s+$"
)


def _fallback_sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split lines at sentence punctuation, never after a title or an initial."""
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for brk in _FALLBACK_BREAK.finditer(line.group()):
            end = line.start() + brk.start()
            if _FALLBACK_NO_END.search(text[start : line.start() + brk.end()]):
                continue
            if text[start:end].strip():
                spans.append((start, end))
            start = line.start() + brk.end()
        if text[start : line.end()].strip():
            spans.append((start, line.end()))
    return spans


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    try:
        from .nlp import sentence_spans
    except ImportError:  # the sentence splitter is optional for this module
        return _fallback_sentence_spans(text)
    return sentence_spans(text)


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------


def _strip_titles(tokens: list[str]) -> list[str]:
    """Drop title words and leading adjectives of nationality from a capitalised run."""
    i = 0
    while i < len(tokens) - 1 and tokens[i].lower().rstrip(",") in _TITLES:
        i += 1
    out = tokens[i:]
    # "Kyiv Mayor Vitali Klitschko": drop everything up to the last title word
    for j in range(len(out) - 2, -1, -1):
        if out[j].lower() in _TITLES:
            out = out[j + 1 :]
            break
    return out


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


def _speaker_from_np(
    np_text: str, offset: int, sentence: str, names: list[list[str]]
) -> _Speaker | None:
    """Turn a subject noun phrase into a speaker (name, as written, offsets, anonymous)."""
    raw = np_text
    lead = len(raw) - len(raw.lstrip(" ,:;–—-\u00a0"))
    np = raw.strip(" ,:;–—-\u00a0")
    stripped = _LEADING_CONJ.sub("", np)
    lead += len(np) - len(stripped)
    np = stripped
    if not np or len(np.split()) > 16 or _QUOTE_MARK.search(np):
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
    if (
        first
        in _FUNCTION_WORDS
        - {
            "the",
            "a",
            "an",
            "some",
            "many",
            "most",
            "all",
            "both",
            "one",
            "two",
            "his",
            "her",
            "their",
            "its",
            "our",
            "my",
        }
        and first not in _PRONOUNS
    ):
        return None
    if first in _PRONOUNS and len(words) == 1:
        return _Speaker(np, np, offset + lead, offset + lead + len(np), False)
    if first in {"who", "which", "that", "it", "there", "this"}:
        return None
    named = _NAMED_AS.search(np)
    if named:
        name = named.group(1).strip(" .,")
        return _Speaker(_fullest(name, names), np, offset + lead, offset + lead + len(np), False)
    anonymous = bool(
        _ANON_NP.search(np) or _BARE_SOURCES.match(np) or _ANON_MARKERS.search(sentence)
    )
    # appositive: "Brian Fallon, a spokesman for Mrs. Clinton" -> Brian Fallon
    person = _person_in(np.split(",")[0].strip(), anonymous)
    if person:
        return _Speaker(_fullest(person, names), np, offset + lead, offset + lead + len(np), False)
    return _Speaker(np, np, offset + lead, offset + lead + len(np), anonymous)


# ---------------------------------------------------------------------------
# Quotation marks
# ---------------------------------------------------------------------------


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]


def _pair_quotes(text: str, paragraphs: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """
    Pair quotation marks; return quotes as lists of content pieces (start, end).

    A quote still open at the end of a paragraph runs on when the next paragraph
    opens with a quotation mark; otherwise it closes at the paragraph end.
    """
    quotes: list[list[tuple[int, int]]] = []
    carry: list[tuple[int, int]] | None = None
    for p_start, p_end in paragraphs:
        para = text[p_start:p_end]
        marks = list(_QUOTE_MARK.finditer(para))
        opens_with_mark = (
            para.lstrip()[:1] in "\"“„«'`"
            and bool(marks)
            and marks[0].start() == len(para) - len(para.lstrip())
        )
        if carry is not None:
            if opens_with_mark and not (
                len(marks) >= 2 and marks[0].group() in "“„«``" and _balanced(marks)
            ):
                pass
            if opens_with_mark:
                # continuation: the carried pieces join this paragraph's first quote
                pending = carry
            else:
                quotes.append(carry)
                pending = None
            carry = None
        else:
            pending = None
        open_at: int | None = None
        for m in marks:
            mark = m.group()
            pos = p_start + m.start()
            if open_at is None:
                if mark in _CLOSERS and mark != '"':
                    continue
                # a straight mark followed by a space and preceded by a word closes nothing
                open_at = pos + len(mark)
            else:
                if mark in _OPENERS:
                    open_at = pos + len(mark)  # a stray opener: restart
                    continue
                piece = (open_at, pos)
                if pending is not None:
                    pending.append(piece)
                    quotes.append(pending)
                    pending = None
                else:
                    quotes.append([piece])
                open_at = None
        if open_at is not None:
            piece = (open_at, p_end)
            carry = (pending or []) + [piece]
        elif pending is not None:
            quotes.append(pending)
    if carry is not None:
        quotes.append(carry)
    return [q for q in quotes if any(text[a:b].strip() for a, b in q)]


def _balanced(marks) -> bool:
    return len(marks) % 2 == 0


# ---------------------------------------------------------------------------
# Attribution around a quote
# ---------------------------------------------------------------------------

_AFTER_NP_CUE = re.compile(
    r"^[\s,]*(?P<np>[^.!?;:\"“”]{1,120}?)\s+(?P<cue>" + _CUE_RE.pattern[3:-3] + r")\b"
)
_AFTER_CUE_NP = re.compile(
    r"^[\s,]*(?P<cue>"
    + _CUE_RE.pattern[3:-3]
    + r")\s+(?P<np>[^.!?;\"“”]{1,160}?)(?=\s*(?:[.!?;\"“”]|,\s*[\"“”]|$|,\s+(?:who|which|adding|noting|saying|according)\b))"
)


def _sentence_index(spans: list[tuple[int, int]], pos: int) -> int:
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid][1] <= pos:
            lo = mid + 1
        else:
            hi = mid
    return min(lo, len(spans) - 1) if spans else -1


def _np_before_cue(np: str) -> str:
    """Strip trailing auxiliaries and adverbs between a subject and its cue."""
    words = np.split()
    while words and words[-1].lower().strip(",") in _AUX:
        words.pop()
    return " ".join(words)


@dataclass
class _Attribution:
    pieces: list[tuple[int, int]]
    speaker: _Speaker | None
    cue: str
    kind: str
    cue_start: int = -1


def _attribute_quote(
    text: str, q: list[tuple[int, int]], para_end: int, para_start: int, names
) -> tuple[_Speaker | None, str]:
    """Find the speaker and cue of a direct quote from the words right after or before it."""
    q_start, q_end = q[0][0], q[-1][1]
    close_len = len(m.group()) if (m := _QUOTE_MARK.match(text, q_end)) else 0
    after_at = q_end + close_len
    after = text[after_at : min(para_end, after_at + 220)]
    inner_end = text[max(q_start, q_end - 2) : q_end]
    ends_open = bool(re.search(r"[,?!—–-]\s*$", inner_end)) or after.lstrip()[:1] == ","
    lead_in = text[max(para_start, q_start - 40) : q_start].rstrip("\"“„«`' \u00a0")
    if re.search(r"[a-z]$", lead_in) and not re.search(
        r"\b(?:said|says|added|asked|wrote|told \w+)$", lead_in
    ):
        ends_open = False  # a few quoted words inside a sentence of reported speech
    if ends_open:
        m = _AFTER_CUE_NP.match(after)
        if m and _CUE_FORMS[m.group("cue")] in _SPEECH_VERBS:
            sp = _speaker_from_np(m.group("np"), after_at + m.start("np"), after, names)
            if sp is not None:
                return sp, m.group("cue")
        m = _AFTER_NP_CUE.match(after)
        if m and _CUE_FORMS[m.group("cue")] in _SPEECH_VERBS:
            np = _np_before_cue(m.group("np"))
            if np and len(np.split()) <= 14:
                sp = _speaker_from_np(np, after_at + m.start("np"), after, names)
                if sp is not None:
                    return sp, m.group("cue")
    # before: "X said: "..." / "X said, "..."
    open_len = 0
    if q_start > 0:
        marks = list(_QUOTE_MARK.finditer(text, max(0, q_start - 2), q_start))
        open_len = (q_start - marks[-1].start()) if marks else 0
    before_end = q_start - open_len
    before = text[max(para_start, before_end - 220) : before_end]
    bm = re.search(
        r"(?P<cue>" + _CUE_RE.pattern[3:-3] + r")\b(?P<tail>[^.!?\"“”]{0,80}?)[:,]\s*$", before
    )
    if bm and _CUE_FORMS[bm.group("cue")] in _SPEECH_VERBS:
        tail = bm.group("tail")
        if len(tail.split()) <= 10:
            pre = before[: bm.start()]
            cut = max(
                pre.rfind(". "), pre.rfind("? "), pre.rfind("! "), pre.rfind("” "), pre.rfind('" ')
            )
            np_start = cut + 2 if cut >= 0 else 0
            np = _np_before_cue(pre[np_start:])
            if np and len(np.split()) <= 14:
                base = max(para_start, before_end - 220) + np_start
                sp = _speaker_from_np(np, base, before, names)
                if sp is not None:
                    return sp, bm.group("cue")
    return None, ""


# ---------------------------------------------------------------------------
# Reported speech
# ---------------------------------------------------------------------------

_SENT_END_TRIM = re.compile(r"[\s.;:!?,]*$")


def _content_end(text: str, a: int, b: int) -> int:
    """End of a clause, without its final punctuation (a closing quote mark is kept)."""
    seg = text[a:b]
    m = re.search(r"[\"”']+\s*$", seg)
    if m and re.search(r"[.,!?;]\s*[\"”']+\s*$", seg):
        return a + m.end() - len(seg[m.end() :])
    return a + len(_SENT_END_TRIM.sub("", seg))


def _subject_before(text: str, s_start: int, cue_start: int) -> tuple[str, int] | None:
    """The subject noun phrase before a cue in the same sentence: (text, start)."""
    pre = text[s_start:cue_start]
    np = _np_before_cue(pre)
    if not np:
        return None
    np_len = len(pre.rstrip())
    words_end = pre.rstrip()
    # trailing auxiliaries were removed from np; locate np inside pre
    idx = words_end.rfind(np.split()[-1]) if np.split() else -1
    if idx < 0:
        return None
    end = idx + len(np.split()[-1])
    head = pre[:end]
    if head.rstrip().endswith(","):
        # "Brian Fallon, a spokesman for Mrs. Clinton, said": keep the appositive with its name
        segs = head.rstrip().rstrip(",").split(",")
        if len(segs) >= 2:
            last = segs[-1].strip()
            if re.match(r"^(?:a|an|the|who|whose|which|one|[a-z])", last):
                start_seg = len(segs) - 2
                # keep "Hollywood, Fla.," inside one appositive
                while start_seg > 0 and re.match(r"^[A-Z][\w.]*\.?$", segs[start_seg].strip()):
                    start_seg -= 1
                subject = ",".join(segs[start_seg:])
                start = len(",".join(segs[:start_seg])) + (1 if start_seg else 0)
                return subject, s_start + start
    last_comma = max(head.rfind(","), head.rfind(";"), head.rfind(" — "), head.rfind(" -- "))
    start = last_comma + 1 if last_comma >= 0 else 0
    subject = head[start:]
    if not subject.strip():
        return None
    del np_len
    return subject, s_start + start


def _skip_object_and_adverbials(text: str, pos: int, lemma: str, end: int) -> int:
    """Skip "Reuters", "on Monday", "in a statement" after a cue; return where content starts."""
    rest = text[pos:end]
    if lemma in _OBJECT_CUES:
        m = re.match(
            r"^\s+(?:(?:the|a|an|his|her|their|its)\s+)?(?:[A-Z][\w.'’&-]*(?:\s+[A-Z][\w.'’&-]*)*(?:'s|’s)?(?:\s+[A-Z][\w.'’-]*)*|reporters|journalists|supporters|the\s+\w+|him|her|them|me|us|you|lawmakers|voters|listeners|viewers|an?\s+\w+(?:\s+\w+)?)",
            rest,
        )
        if m:
            pos += m.end()
            rest = text[pos:end]
    m = _ADVERBIAL.match(rest)
    if m:
        pos += m.end()
    return pos


def _reported(text: str, s_start: int, s_end: int, cue_m: re.Match, names) -> _Attribution | None:
    cue = cue_m.group(1)
    lemma = _CUE_FORMS[cue]
    c_start, c_end = cue_m.start(1), cue_m.end(1)
    # "..., saying that ..." / "..., adding ...": the subject is the sentence's subject
    if cue.endswith("ing"):
        before = text[s_start:c_start].rstrip()
        if not before.endswith(",") or lemma in _WEAK_CUES:
            return None
        content_start = _skip_object_and_adverbials(text, c_end, lemma, s_end)
        end = _content_end(text, content_start, s_end)
        if end - content_start < 8:
            return None
        first_np = re.match(
            r"^[^,]{1,80}?(?=\s+(?:\w+\s+){0,2}?(?:" + "|".join(_AUX_VERB_HINTS) + r")\b)",
            text[s_start:c_start],
        )
        sp = None
        if first_np:
            sp = _speaker_from_np(first_np.group(), s_start, text[s_start:s_end], names)
        return _Attribution([(content_start, end)], sp, cue, _kind(lemma))
    subj = _subject_before(text, s_start, c_start)
    after_pos = _skip_object_and_adverbials(text, c_end, lemma, s_end)
    tail = text[after_pos:s_end]
    tail_core = tail.strip(" .!?;\"”’'\u00a0")
    sentence = text[s_start:s_end]
    if subj is not None and tail_core and not tail.lstrip().startswith((",", ":", "—", "–")):
        subject, subj_start = subj
        if tail.lstrip().startswith(('"', "“", "''")):
            return None  # a direct quote, attributed by the quote rules
        words = subject.split()
        if not words or len(words) > 16:
            return None
        if words[0].lower() in {"who", "which", "that"}:
            return None
        if lemma in _WEAK_CUES and not _is_sourcey(subject):
            return None
        if lemma in {"ask"} and not re.match(
            r"^\s*(?:whether|if|why|how|what|who|when|where|for|about|that)\b", tail
        ):
            return None
        sp = _speaker_from_np(subject, subj_start, sentence, names)
        if sp is None:
            return None
        end = _content_end(text, after_pos, s_end)
        start = after_pos + (len(tail) - len(tail.lstrip()))
        if end - start < 6:
            return None
        return _Attribution([(start, end)], sp, cue, _kind(lemma))
    # content before: "..., two Ukrainian officials said." / "..., said X."
    pre = text[s_start:c_start]
    comma = pre.rstrip().rfind(",")
    if not tail_core and subj is not None:
        subject, subj_start = subj
        if comma > 0 and subj_start - s_start > comma:
            if len(subject.split()) > 14:
                return None
            sp = _speaker_from_np(subject, subj_start, sentence, names)
            if sp is None:
                return None
            start = s_start + (len(pre) - len(pre.lstrip()))
            end = _content_end(text, start, s_start + comma)
            if end - start < 8:
                return None
            return _Attribution([(start, end)], sp, cue, _kind(lemma))
        return None
    if pre.rstrip().endswith(",") and comma > 0:
        # inverted: "..., said Hala Agha, a resident."
        m = re.match(r"^\s*(?P<np>[^.!?;,\"“”]{1,80})", text[c_end:s_end])
        if m and re.match(r"^\s*[A-Z]|^\s*(?:a|an|the)\b", m.group("np")):
            sp = _speaker_from_np(m.group("np"), c_end + m.start("np"), sentence, names)
            if sp is None:
                return None
            start = s_start + (len(pre) - len(pre.lstrip()))
            end = _content_end(text, start, s_start + comma)
            if end - start < 8:
                return None
            return _Attribution([(start, end)], sp, cue, _kind(lemma))
    return None


_AUX_VERB_HINTS = tuple(
    sorted(
        {f for f, lem in _CUE_FORMS.items()}
        | {
            "is",
            "was",
            "are",
            "were",
            "has",
            "had",
            "have",
            "will",
            "would",
            "did",
            "does",
            "declined",
            "refused",
            "criticized",
            "called",
            "pushed",
            "took",
            "went",
            "came",
            "made",
            "urged",
            "accused",
            "praised",
            "defended",
            "attacked",
            "rejected",
            "dismissed",
        },
        key=len,
        reverse=True,
    )
)


def _kind(lemma: str) -> str:
    return "stance" if lemma in _STANCE_VERBS else "reported"


def _is_sourcey(subject: str) -> bool:
    """True for a subject that can hold a view: a person, a group, a poll, a pronoun."""
    s = subject.strip().lower()
    if s.split()[0] in {"he", "she", "they", "we", "i", "you"}:
        return True
    if re.search(
        r"\b(?:poll|polls|survey|surveys|study|studies|report|reports|analysis|data|research|experts?|voters|officials?|analysts?|critics|supporters|democrats|republicans)\b",
        s,
    ):
        return True
    return bool(re.search(r"[A-Z]", subject))


def _according_to(text: str, s_start: int, s_end: int, m: re.Match, names) -> _Attribution | None:
    sentence = text[s_start:s_end]
    a, b = m.start(), m.end()
    np_m = re.match(r"^\s*(?P<np>[^,.;!?\"“”]{1,120}?)(?=\s*(?:[,.;!?\"“”]|$))", text[b:s_end])
    if not np_m:
        return None
    np = np_m.group("np")
    sp = _speaker_from_np(np, b + np_m.start("np"), sentence, names)
    if sp is None:
        return None
    if a - s_start <= 2 or not text[s_start:a].strip():
        # "According to X, content."
        start = b + np_m.end()
        rest = text[start:s_end]
        start += len(rest) - len(rest.lstrip(" ,"))
        end = _content_end(text, start, s_end)
    else:
        start = s_start + (len(sentence) - len(sentence.lstrip()))
        end = _content_end(text, start, a)
        # "content, according to X, more content."
        after = b + np_m.end()
        tail = text[after:s_end]
        if tail.lstrip().startswith(",") and len(tail.strip(" ,.")) > 12:
            end = _content_end(text, after, s_end)
    if end - start < 8:
        return None
    return _Attribution([(start, end)], sp, "according to", "according_to")


# ---------------------------------------------------------------------------
# Per article
# ---------------------------------------------------------------------------


def _overlaps(a: int, b: int, claimed: list[tuple[int, int]]) -> bool:
    return any(a < y and x < b for x, y in claimed)


def _quotes_in_text(text: str) -> list[_Attribution]:
    """All attributions in one article text, in text order."""
    if not text or not text.strip():
        return []
    names = _article_names(text)
    paragraphs = _paragraphs(text)
    sentences = _sentence_spans(text)
    raw_quotes = _pair_quotes(text, paragraphs)
    para_of = {}
    for q in raw_quotes:
        para_of[q[0][0]] = next(((a, b) for a, b in paragraphs if a <= q[0][0] < b), (0, len(text)))
    found: list[_Attribution] = []
    # 1. direct quotes, with their attribution; merge follow-on pieces
    last: _Attribution | None = None
    last_para: tuple[int, int] | None = None
    for q in raw_quotes:
        p_start, p_end = para_of[q[0][0]]
        pieces_text = " ".join(text[a:b] for a, b in q).strip()
        n_words = len(pieces_text.split())
        sp, cue = _attribute_quote(text, q, p_end, p_start, names)
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
            last = None
            continue
        att = _Attribution(list(q), sp, cue, "direct")
        found.append(att)
        last, last_para = att, (p_start, p_end)
    claimed = [(min(a for a, _ in f.pieces), max(b for _, b in f.pieces)) for f in found]
    quote_extents = [(q[0][0], q[-1][1]) for q in raw_quotes]
    # 2 and 3. reported speech and "according to", one sentence at a time
    for s_start, s_end in sentences:
        if _overlaps(s_start, s_end, claimed) and _covered(s_start, s_end, claimed):
            continue
        sentence = text[s_start:s_end]
        candidates: list[_Attribution] = []
        for regex, rule in ((_ACCORDING_RE, _according_to), (_CUE_RE, _reported)):
            for m in regex.finditer(sentence):
                pos = s_start + m.start()
                if _inside(pos, quote_extents) or _inside(pos, claimed):
                    continue
                att = rule(text, s_start, s_end, regex.match(text, pos), names)
                if att is None:
                    continue
                a, b = att.pieces[0]
                if _overlaps(a, b, claimed) and _covered(a, b, claimed):
                    continue
                att.cue_start = pos
                candidates.append(att)
        accepted: list[_Attribution] = []
        for att in sorted(candidates, key=lambda c: (_PRIORITY[c.kind], c.cue_start)):
            if _fits(att, accepted, text):
                accepted.append(att)
        for att in accepted:
            found.append(att)
            claimed.append((att.pieces[0][0], att.pieces[-1][1]))
    found.sort(key=lambda f: f.pieces[0][0])
    _resolve_pronouns(found, sentences)
    return found


_PRIORITY = {"according_to": 0, "reported": 1, "stance": 2, "direct": 0}
_CLAUSE_JOIN = re.compile(r"(?:,?\s+(?:and|but|while|whereas|as|although|though)|;|,)\s*$")


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
            first, second = other, att
        elif a0 <= other.cue_start < a1:
            first, second = att, other
        elif a0 < o1 and o0 < a1:
            return False
        else:
            continue
        boundary = second.speaker.start if second.speaker is not None else second.cue_start
        boundary = min(boundary, second.cue_start)
        f0 = first.pieces[0][0]
        if boundary <= f0:
            return False
        cut = _CLAUSE_JOIN.search(text, f0, boundary)
        if cut is None or cut.start() - f0 < 8:
            return False
        first.pieces[-1] = (first.pieces[-1][0], f0 + len(text[f0 : cut.start()].rstrip(" ,;")))
    return True


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


def _resolve_pronouns(found: list[_Attribution], sentences: list[tuple[int, int]]) -> None:
    """Resolve "he"/"she" to the named speaker of an attribution in the same or previous sentence."""
    prev_named: tuple[int, str] | None = None
    for att in found:
        sp = att.speaker
        if sp is None:
            continue
        s_idx = _sentence_index(sentences, sp.start) if sentences else 0
        if sp.name.lower() in _RESOLVABLE:
            if prev_named is not None and s_idx - prev_named[0] <= 1:
                sp.name = prev_named[1]
                prev_named = (s_idx, sp.name)
            continue
        if not sp.anonymous and sp.name[:1].isupper():
            end_idx = (
                _sentence_index(sentences, max(b for _, b in att.pieces) - 1) if sentences else 0
            )
            prev_named = (max(s_idx, end_idx), sp.name)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def _check_articles(articles: pd.DataFrame, needed: Sequence[str]) -> None:
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError("<table>", f"expected a pandas DataFrame, got {type(articles).__name__}")
    for col in needed:
        if col not in articles.columns:
            raise SchemaError(col, "missing (needed to extract quotes)")


def extract_quotes(articles: pd.DataFrame) -> pd.DataFrame:
    """
    Find quotes and attributed statements, with their speakers, in article texts.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table; needs ``article_id`` and ``text``. ``outlet`` and
        ``published`` are carried over when present.

    Returns
    -------
    DataFrame
        One row per attribution, in article order, with columns

        - ``article_id``, ``outlet``, ``published``: from the article;
        - ``speaker``: the source, normalised (titles dropped, fullest form of the
          name in the article, "he"/"she" resolved when the previous sentence names
          the speaker); missing when a quote has no attribution;
        - ``mention``: the speaker as written (``"Kuleba"``, ``"he"``,
          ``"a senior US State Department official"``);
        - ``anonymous``: True for an unnamed source;
        - ``cue``: the attributing word (``said``, ``told``, ``according to``);
        - ``quote``: what was said; for a quote in several pieces (interrupted by
          its attribution, or running over paragraphs) the pieces joined by a space;
        - ``kind``: ``"direct"`` (in quotation marks), ``"reported"`` (indirect
          speech) or ``"according_to"``;
        - ``start``, ``end``: character offsets into ``text`` from the first piece
          of the quote to the end of its last piece (quotation marks excluded);
        - ``speaker_start``, ``speaker_end``: offsets of ``mention``.

    Raises
    ------
    SchemaError
        When ``article_id`` or ``text`` is missing.

    Examples
    --------
    >>> df = pd.DataFrame({"article_id": ["a1"],
    ...     "text": ['"We will not give up," Kuleba said. Foreign Minister Dmytro Kuleba spoke.']})
    >>> extract_quotes(df)[["speaker", "cue", "quote", "kind"]]
             speaker   cue                quote    kind
    0  Dmytro Kuleba  said  We will not give up,  direct
    """
    _check_articles(articles, ("article_id", "text"))
    rows = []
    outlets = (
        articles["outlet"]
        if "outlet" in articles.columns
        else pd.Series(pd.NA, index=articles.index)
    )
    published = (
        articles["published"]
        if "published" in articles.columns
        else pd.Series(pd.NaT, index=articles.index)
    )
    for aid, text, outlet, pub in zip(
        articles["article_id"], articles["text"], outlets, published, strict=True
    ):
        if not isinstance(text, str):
            continue
        for att in _quotes_in_text(text):
            start = att.pieces[0][0]
            end = att.pieces[-1][1]
            quote = " ".join(text[a:b].strip() for a, b in att.pieces).strip()
            sp = att.speaker
            rows.append(
                {
                    "article_id": aid,
                    "outlet": outlet,
                    "published": pub,
                    "speaker": sp.name if sp else pd.NA,
                    "mention": sp.mention if sp else pd.NA,
                    "anonymous": bool(sp.anonymous) if sp else False,
                    "cue": att.cue,
                    "quote": quote,
                    "kind": att.kind,
                    "start": start,
                    "end": end,
                    "speaker_start": sp.start if sp else pd.NA,
                    "speaker_end": sp.end if sp else pd.NA,
                }
            )
    out = pd.DataFrame(rows, columns=QUOTE_COLUMNS)
    out = out.astype(
        {
            "article_id": "string",
            "outlet": "string",
            "speaker": "string",
            "mention": "string",
            "anonymous": "bool",
            "cue": "string",
            "quote": "string",
            "kind": "string",
            "start": "int64",
            "end": "int64",
            "speaker_start": "Int64",
            "speaker_end": "Int64",
        }
    )
    if "published" in articles.columns:
        out["published"] = out["published"].astype(articles["published"].dtype)
    return out
