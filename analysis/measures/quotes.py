"""Who is quoted: find quotes and attributed statements in news text, and count sources.

The extractor is a set of transparent rules for English news attribution, in the
order a reader applies them:

1. **Direct quotes.** Quotation marks are paired inside each paragraph (curly
   ``“ ”``, straight ``"``, the doubled apostrophes ``''`` of some archives, and
   single marks ``‘ ’``/``'`` in a paragraph with no double ones, the British
   habit). A quote left open at the end of a paragraph continues when the next
   paragraph opens with a quotation mark (the newspaper convention for a long
   quote). A quote is attributed by a cue next to it: ``"...," Kuleba said``,
   ``"...," said Kuleba``, ``Kuleba said: "..."``. A quote interrupted by its
   attribution (``"A," she said, "B."``) and further quoted sentences right after
   it in the same paragraph are one quote. A quoted sentence of 8 words or more
   with no cue is kept; it takes the speaker of a direct quote ending at most two
   sentences before, else it stays ``"unattributed"``.
2. **Reported speech.** In a sentence outside quotation marks, a cue verb (say,
   tell, add, argue, warn, ...) with a subject before it attributes the clause
   after it (``X said (that) ...``, ``X told Reuters ...``) or, when nothing but
   time and place follows the cue, the clause before it (``..., two officials
   said.``). Verbs of thinking, wanting and judging (believe, plan, criticize,
   ...) give ``"stance"`` rows the same way.
3. **According to.** ``According to X, ...`` and ``..., according to X.``
4. **Speaker lines.** ``Ben Carson: ...`` (headlines, transcripts).

Speakers are normalised: titles are dropped (``Kremlin spokesperson Dmitry
Peskov`` -> ``Dmitry Peskov``), a surname resolves to the fullest form of the name
used in the same article (``Kuleba`` -> ``Dmytro Kuleba``). ``he``/``she``
resolves to the speaker of an attribution in the same or the two sentences
before when that speaker is a person (a name, or one unnamed official, who then
stays anonymous); failing that, to the person whose full name was used last in
the same or the previous sentence; otherwise the pronoun is kept as written.
Unnamed sources ("a senior official", "two officials", "a source", anything
said "on condition of anonymity") are kept with ``anonymous=True``.

:func:`evaluate_quotes` scores extracted quotes against hand-annotated content
spans (for example PolNeAR's brat files, read with :func:`read_brat`).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis.errors import ParameterError, SchemaError
from analysis.text.nlp import sentence_spans

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
    "spans",
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
    "unveil": "unveiled unveils unveiling",
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
    "conclude": "concluded concludes concluding",
    "quip": "quipped",
    "joke": "joked",
    "recount": "recounted",
    "testify": "testified",
    "discuss": "discuss discusses discussed discussing",
    "echo": "echoed echoes echoing",
    "disclose": "disclosed discloses disclosing",
    "signal": "signaled signalled signals signaling signalling",
    "voice": "voiced voices voicing",
    "request": "requested requests requesting",
    "plead": "pleaded pleads pleading",
    "encourage": "encouraged encourages encouraging",
    "offer": "offered offers offering",
    "order": "ordered orders",
    "talk": "talked talking",
    "refer": "referring referred refers",
    "imply": "implied implies implying",
    "thank": "thanked thanking",
    "yell": "yelled yelling",
    "shout": "shouted shouting",
    "recommend": "recommended recommends recommending",
    "hint": "hinted hints hinting",
    "assure": "assured assures assuring",
    "dispute": "disputed disputes disputing",
    "lament": "lamented laments lamenting",
    "scoff": "scoffed scoffs",
    "brag": "bragged brags bragging",
    "speculate": "speculated speculates speculating",
    "caution": "cautioned cautions cautioning",
    "threaten": "threatened threatens threatening",
    "forecast": "forecast forecasts forecasted",
    "reaffirm": "reaffirmed reaffirms",
    "retort": "retorted",
    "affirm": "affirmed affirms",
    "clarify": "clarified clarifies",
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
    "see": "see sees saw",
    "accuse": "accuse accuses accused accusing",
    "criticize": "criticize criticizes criticized criticised criticizing",
    "praise": "praise praises praised praising",
    "blame": "blame blames blamed blaming",
    "defend": "defended defends defending",
    "reject": "rejected rejects rejecting",
    "dismiss": "dismissed dismisses dismissing",
    "agree": "agree agrees agreed",
    "disagree": "disagree disagrees disagreed",
    "seek": "seek sought seeks seeking",
    "plan": "plans planned planning",
    "want": "want wants wanted wanting",
    "endorse": "endorsed endorses endorsing",
    "support": "support supports supported supporting",
    "oppose": "oppose opposes opposed opposing",
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
    "consider": "consider considers considered considering",
    "seem": "seemed seems",
    "appear": "appears appeared",
    "decide": "decided decides",
    "feel": "feel feels felt",
    "learn": "learned learns",
    "understand": "understand understands understood",
    "favor": "favor favors favored favour favours favoured",
    "prefer": "prefer prefers preferred",
    "demand": "demand demands demanded demanding",
    "remember": "remember remembers remembered",
    "trust": "trusts trusted",
    "accept": "accepted accepts",
    "back": "backed backing backs",
    "mock": "mocked mocks mocking",
    "challenge": "challenged challenges challenging",
    "highlight": "highlighted highlights highlighting",
    "portray": "portrayed portrays portraying",
    "rail": "railed rails railing",
    "project": "projected",
    "credit": "credited credits crediting",
    "fault": "faulted faults",
    "calculate": "calculated calculates",
    "determine": "determined",
    "applaud": "applauded applauds",
    "embrace": "embraced embraces embracing",
    "dislike": "dislike dislikes disliked",
    "like": "likes liked",
    "love": "loves loved",
    "hate": "hates hated",
    "suspect": "suspect suspects suspected",
    "assume": "assumed assumes",
    "imagine": "imagine imagined imagines",
    "anticipate": "anticipated anticipates",
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

_CUE_ALT = "|".join(sorted(_CUE_FORMS, key=len, reverse=True))
_CUE_RE = re.compile(r"(?<![\w-])(" + _CUE_ALT + r")(?![\w-])")
#: verbs that attribute only when they sit right next to a quotation ('"...," she continued')
_QUOTE_ONLY = (
    "continued exclaimed shouted yelled whispered laughed joked quipped mused retorted snapped "
    "cautioned offered remarked answered chimed interjected demanded pleaded sighed explained "
    "recalled added noted replied responded wondered asked insisted declared"
).split()
_QUOTE_CUE_ALT = "|".join(
    sorted(
        {f for f, lemma in _CUE_FORMS.items() if lemma in _SPEECH_VERBS} | set(_QUOTE_ONLY),
        key=len,
        reverse=True,
    )
)
_HEADLINE_CUE_RE = re.compile(
    r"(?<![\w-])("
    + "|".join(
        sorted({f.capitalize() for f in _CUE_FORMS} | set(_CUE_FORMS), key=len, reverse=True)
    )
    + r")(?![\w-])"
)
_ACCORDING_RE = re.compile(r"\b[Aa]ccording to\b")

_TITLES = {
    w.lower().replace(".", "")
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
_DETERMINERS = {
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
_FUNCTION_WORDS = _DETERMINERS | {
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
_LEADING_TIME = re.compile(
    r"^(?:(?:on|by|late|early|earlier|last|this)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday|today|yesterday)(?:\s+(?:night|morning|afternoon|evening))?\s*,?\s+",
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
_DAYS_WORDS = (
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|tonight|"
    "week|weekend|month|year"
)
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
_NAME_TOKEN = r"(?:[A-Z][\w'’\u2024-]*|de|da|van|von|al-[A-Z][\w-]*|bin|le|la|du|del|der)"
_NAME_RUN = re.compile(_NAME_TOKEN + r"(?:[ \t\u00a0]+" + _NAME_TOKEN + r")*")
_QUOTE_MARK = re.compile(r"''|``|[\"“”„«»]")
_ANY_MARK = re.compile(r"''|``|[\"“”„«»‘’']")

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


# ---------------------------------------------------------------------------
# Quotation marks
# ---------------------------------------------------------------------------


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]


def _mark_role(para: str, m: re.Match) -> str:
    """Say whether a quotation mark opens, closes, or could do either ("either")."""
    mark = m.group()
    if mark in ("“", "„", "«", "``"):
        return "open"
    if mark in ("”", "»"):
        return "close"
    before = para[m.start() - 1] if m.start() else " "
    after = para[m.end()] if m.end() < len(para) else " "
    opener = before.isspace() or before in "([{—–-/:"
    closer = after.isspace() or after in ".,;:!?)]}—–-"
    if opener and not closer:
        return "open"
    if closer and not opener:
        return "close"
    return "either"


_SINGLE_MARK = re.compile(r"[‘’']")
_SINGLE_OPENER = re.compile(r"(?:^|[\s(\[—–:])[‘'][A-Z0-9]")


def _single_role(para: str, m: re.Match) -> str:
    """Role of a single quotation mark; "" for an apostrophe (don't, Russia's)."""
    before = para[m.start() - 1] if m.start() else " "
    after = para[m.end()] if m.end() < len(para) else " "
    if before.isalnum() and after.isalnum():
        return ""
    if (before.isspace() or before in '([{—–-/:"“') and (after.isalnum() or after in "$£€…"):
        return "open"
    if not before.isspace() and (after.isspace() or after in '.,;:!?)]}—–-"”'):
        return "close"
    return ""


def _pair_quotes(text: str, paragraphs: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """
    Pair quotation marks; return quotes as lists of content pieces (start, end).

    Curly marks say which way they face; a straight mark is read from its
    neighbours (a space before it opens, a space or punctuation after it closes).
    A quote still open at the end of a paragraph runs on when the next paragraph
    opens with a quotation mark (the convention for a long quote); otherwise it
    closes at the paragraph end.
    """
    quotes: list[list[tuple[int, int]]] = []
    carry: list[tuple[int, int]] | None = None
    for p_start, p_end in paragraphs:
        para = text[p_start:p_end]
        marks = [(m, _mark_role(para, m)) for m in _QUOTE_MARK.finditer(para)]
        if not marks and _SINGLE_OPENER.search(para):
            # British style: 'single quotes' when a paragraph has no double ones
            marks = [(m, r) for m in _SINGLE_MARK.finditer(para) if (r := _single_role(para, m))]
        indent = len(para) - len(para.lstrip())
        opens_with_mark = bool(marks) and marks[0][0].start() == indent
        pending: list[tuple[int, int]] | None = None
        if carry is not None:
            if opens_with_mark:
                pending = carry  # the long quote goes on in this paragraph
            else:
                quotes.append(carry)
            carry = None
        stack: list[int] = []  # content starts of the open quotes, outermost first
        for m, role in marks:
            pos = p_start + m.start()
            if role == "open" or (role == "either" and not stack):
                if len(stack) < 2:
                    stack.append(pos + len(m.group()))
                else:
                    stack[-1] = pos + len(m.group())  # a stray opener: start again here
                continue
            if not stack:
                continue  # a closing mark with nothing open
            opened = stack.pop()
            if stack:
                continue  # a quote inside a quote
            piece = (opened, pos)
            quotes.append([*pending, piece] if pending is not None else [piece])
            pending = None
        if stack:
            carry = [*(pending or []), (stack[0], p_end)]
        elif pending is not None:
            quotes.append(pending)
    if carry is not None:
        quotes.append(carry)
    return [q for q in quotes if any(text[a:b].strip() for a, b in q)]


# ---------------------------------------------------------------------------
# Attribution around a quote
# ---------------------------------------------------------------------------

_AFTER_NP_CUE = re.compile(
    r"^[\s,]*(?P<np>[^.!?;:\"“”]{1,120}?)\s+(?P<cue>" + _QUOTE_CUE_ALT + r")(?![\w-])"
)
_AFTER_CUE_NP = re.compile(
    r"^[\s,]*(?P<cue>"
    + _QUOTE_CUE_ALT
    + r")\s+(?P<np>[^.!?;\"“”]{1,160}?)(?=\s*(?:[.!?;\"“”]|,\s*[\"“”]|$|,\s+(?:who|which|adding|noting|saying|according)\b))"
)


_QUOTE_CUE_SET = set(_QUOTE_CUE_ALT.split("|"))
_WORD = re.compile(r"(?<![\w-])[A-Za-z]+(?![\w-])")
_NP_STOP = re.compile(r"[.!?;:\"“”]")


def _after_np_cue(after: str) -> re.Match | None:
    """``_AFTER_NP_CUE.match(after)``, but only tried where a cue word stands (fast)."""
    stop = _NP_STOP.search(after)
    limit = min(len(after), stop.start() + 30 if stop else len(after), 160)
    for w in _WORD.finditer(after, 0, limit):
        if w.group() in _QUOTE_CUE_SET:
            m = _AFTER_NP_CUE.match(after[: w.end()])
            if m:
                return m
            if stop is not None and w.start() > stop.start():
                return None
    return None


_BEFORE_QUOTE = re.compile(
    r"(?<![\w-])(?P<cue>" + _QUOTE_CUE_ALT + r")(?![\w-])(?P<tail>[^.!?\"“”]{0,80}?)[:,]\s*$",
    re.IGNORECASE,
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
) -> tuple[_Speaker | None, str, int, bool]:
    """
    Find the speaker and cue of a direct quote from the words right after or before it.

    Returns the speaker, the cue, the cue's offset and whether the quote sits
    inside a longer sentence of reported speech.
    """
    q_start, q_end = q[0][0], q[-1][1]
    close_len = len(m.group()) if (m := _ANY_MARK.match(text, q_end)) else 0
    after_at = q_end + close_len
    after = text[after_at : min(para_end, after_at + 220)]
    inner_end = text[max(q_start, q_end - 2) : q_end]
    ends_open = bool(re.search(r"[,?!—–-]\s*$", inner_end)) or after.lstrip()[:1] == ","
    lead_in = text[max(para_start, q_start - 40) : q_start].rstrip("\"“„«`'‘ \u00a0")
    # a few quoted words inside a sentence ("golf clubs are ''just scratching out a profit,''
    # Mr. Hedge said"): the whole sentence is what was said
    embedded = bool(re.search(r"[a-z,]$", lead_in)) and not re.search(
        r"\b(?:said|says|added|asked|wrote|told \w+)[,:]?$", lead_in
    )
    if ends_open:
        m = _AFTER_CUE_NP.match(after)
        if m:
            sp = _speaker_from_np(m.group("np"), after_at + m.start("np"), after, names)
            if sp is not None:
                return sp, m.group("cue"), after_at + m.start("cue"), embedded
        m = _after_np_cue(after)
        if m:
            np = _np_before_cue(m.group("np"))
            if np and len(np.split()) <= 14:
                sp = _speaker_from_np(np, after_at + m.start("np"), after, names)
                if sp is not None:
                    return sp, m.group("cue"), after_at + m.start("cue"), embedded
    # before: "X said: "..." / "X said, "..."
    open_len = 0
    if q_start > 0:
        marks = list(_ANY_MARK.finditer(text, max(0, q_start - 2), q_start))
        open_len = (q_start - marks[-1].start()) if marks else 0
    before_end = q_start - open_len
    before = text[max(para_start, before_end - 220) : before_end]
    bm = _BEFORE_QUOTE.search(before)
    if bm:
        tail = bm.group("tail")
        if len(tail.split()) <= 10:
            pre = before[: bm.start()]
            cut = max(
                pre.rfind(". "), pre.rfind("? "), pre.rfind("! "), pre.rfind("” "), pre.rfind('" ')
            )
            np_start = cut + 2 if cut >= 0 else 0
            window = max(para_start, before_end - 220)
            if not pre[np_start:].strip() and tail.strip():
                # 'Said one resident, "..."': the speaker follows the cue
                sp = _speaker_from_np(tail, window + bm.start("tail"), before, names)
                if sp is not None:
                    return sp, bm.group("cue"), window + bm.start(), False
            if len(pre[np_start:].split()) > 8 and "," in pre[np_start:]:
                np_start += pre[np_start:].rfind(",") + 1  # "In an interview, Trump was asked,"
            np = _np_before_cue(pre[np_start:])
            if np and len(np.split()) <= 14 and bm.group("cue")[0].islower():
                base = max(para_start, before_end - 220) + np_start
                sp = _speaker_from_np(np, base, before, names)
                if sp is not None:
                    return sp, bm.group("cue"), base + len(before[: bm.start()]) - np_start, False
    return None, "", -1, False


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
            if re.match(r"^[A-Z][\w'’.\u2024-]*(?:\s+[A-Z][\w'’.\u2024-]*)+$", last):
                # "One of the authors of the report, Ari Fleischer, said"
                start = len(",".join(segs[:-1])) + 1
                return segs[-1], s_start + start
            if re.match(r"^(?:a|an|the|who|whose|which|one|[a-z])", last):
                start_seg = len(segs) - 2
                # keep "Hollywood, Fla.," inside one appositive
                while start_seg > 0 and re.match(r"^[A-Z][\w.]*\.?$", segs[start_seg].strip()):
                    start_seg -= 1
                subject = ",".join(segs[start_seg:])
                start = len(",".join(segs[:start_seg])) + (1 if start_seg else 0)
                return subject, s_start + start
    last_comma = max(
        head.rfind(","), head.rfind(";"), head.rfind(" — "), head.rfind(" -- "), head.rfind(" ― ")
    )
    start = last_comma + 1 if last_comma >= 0 else 0
    subject = head[start:]
    if not subject.strip():
        return None
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
        rest = text[pos:end]
    # "told Reuters on condition of anonymity that ...": what was said starts at "that"
    m = _THAT_AFTER_CIRCUMSTANCE.match(rest)
    if m is None and lemma in _OBJECT_CUES:
        m = _THAT_SOON.match(rest)
    if m:
        pos += m.start("that")
    return pos


_THAT_SOON = re.compile(r"^(?:\s+[^\s,;:\"“”]+){0,10}?\s+(?P<that>that)\b")
_THAT_AFTER_CIRCUMSTANCE = re.compile(
    r"^\s*(?:on|in|at|during|after|before|from|by|over|via|through|while|with)\b"
    r"(?:\s+[^\s,;:\"“”]+){1,7}?\s+(?P<that>that)\b"
)


def _reported(text: str, s_start: int, s_end: int, cue_m: re.Match, names) -> _Attribution | None:
    cue = cue_m.group(1)
    lemma = _CUE_FORMS[cue.lower()]
    c_start, c_end = cue_m.start(1), cue_m.end(1)
    # "..., saying that ..." / "..., adding ...": the subject is the sentence's subject
    progressive = re.search(
        r"\b(?:is|are|was|were|been|be|am)\s+(?:\w+ly\s+)?$|['’](?:s|re)\s+$", text[s_start:c_start]
    )
    if cue.endswith("ing") and not progressive:
        before = text[s_start:c_start].rstrip()
        if not before.endswith(",") or lemma in _WEAK_CUES:
            return None
        content_start = _skip_object_and_adverbials(text, c_end, lemma, s_end)
        content_start += len(text[content_start:s_end]) - len(text[content_start:s_end].lstrip())
        end = _content_end(text, content_start, s_end)
        if end - content_start < 8:
            return None
        sp = _main_subject(text, s_start, c_start, names)
        return _Attribution([(content_start, end)], sp, cue, _kind(lemma))
    subj = _subject_before(text, s_start, c_start)
    if subj is not None and (
        _CUE_RE.search(subj[0].split(",")[0])
        or (lemma in _WEAK_CUES and _CLAUSE_IN_SUBJECT.search(subj[0].split(",")[0]))
    ):
        subj = None  # the words before the cue hold a verb: not a subject
    after_pos = _skip_object_and_adverbials(text, c_end, lemma, s_end)
    tail = text[after_pos:s_end]
    tail_core = tail.strip(" .!?;\"”’'\u00a0")
    sentence = text[s_start:s_end]
    pre = text[s_start:c_start]
    lead = s_start + (len(pre) - len(pre.lstrip()))
    appositive_subject = subj is not None and subj[1] <= lead and "," in subj[0]
    if pre.rstrip().endswith(",") and not appositive_subject:
        inverted = _inverted(
            text, lead, s_start + len(pre.rstrip()) - 1, c_end, s_end, cue, lemma, names
        )
        if inverted is not None:
            return inverted
    if _COORDINATED.search(pre) and lemma not in _WEAK_CUES:
        # "Grassley downplayed the attack and said ...": the subject of the first verb
        sp = _main_subject(text, s_start, c_start, names)
        start = after_pos + (len(tail) - len(tail.lstrip()))
        end = _content_end(text, start, _clause_end(text, start, s_end))
        if sp is None or len(text[start:end].split()) < 2 or tail.lstrip()[:1] in ",:":
            return None
        return _Attribution([(start, end)], sp, cue, _kind(lemma))
    if subj is None:
        return None
    subject, subj_start = subj
    head_words = subject.split(",")[0].split()
    if not head_words or len(head_words) > 12 or len(subject.split()) > 40:
        return None
    if head_words[0].lower() in {"who", "which", "that"}:
        return _relative(text, s_start, s_end, subj_start, c_end, after_pos, cue, lemma, names)
    if lemma in _WEAK_CUES and not _is_sourcey(subject):
        return None
    comma = text.rfind(",", s_start, subj_start)
    after_text = tail.lstrip()
    before_words = len(text[s_start:comma].split()) if comma > s_start else 0
    before_content = before_words >= 2 or (before_words == 1 and after_text.startswith(","))
    if before_content and (
        not tail_core or _is_circumstance(after_text) or after_text.startswith(",")
    ):
        sp = _speaker_from_np(subject, subj_start, sentence, names)
        if sp is None:
            return None
        end = _content_end(text, lead, comma)
        rest = text[c_end:s_end]
        parenthetical = re.match(r"^[^,]{0,60},\s*(?P<more>\S.*)$", rest, re.S)
        if parenthetical and len(parenthetical.group("more").split()) >= 3:
            end = _content_end(text, lead, s_end)  # "The problem, she said, is that ..."
        if end - lead < 8:
            return None
        return _Attribution([(lead, end)], sp, cue, _kind(lemma))
    if not tail_core or after_text.startswith((",", ":", "—", "–")):
        return None
    if after_text.startswith(('"', "“", "''")):
        return None  # a direct quote, attributed by the quote rules
    if re.match(r"^\s+by\b", text[c_end:s_end]):
        return None  # passive: "proposals backed by the governor"
    sp = _speaker_from_np(subject, subj_start, sentence, names)
    if sp is None:
        return None
    start = after_pos + (len(tail) - len(after_text))
    end = _content_end(text, start, _clause_end(text, start, s_end))
    if end - start < 6 or len(text[start:end].split()) < 2:
        return None
    return _Attribution([(start, end)], sp, cue, _kind(lemma))


_NEXT_CLAUSE = re.compile(
    r"\s(?:—|–|--)\s(?=(?:\S+\s+){3})|,\s+(?:adding|saying|noting|arguing|citing|insisting|warning|"
    r"explaining|according to|though|although)\b"
)


def _clause_end(text: str, start: int, s_end: int) -> int:
    """Where reported content stops: a dash before a new clause, or ", adding ..."."""
    m = _NEXT_CLAUSE.search(text, start, s_end)
    return m.start() if m and m.start() - start >= 8 else s_end


def _relative(text, s_start, s_end, rel_start, c_end, after_pos, cue, lemma, names):
    """ "Clinton, who believes ...": the speaker is the name before the relative pronoun."""
    rel_start += len(text[rel_start:c_end]) - len(text[rel_start:c_end].lstrip())
    rel = re.match(r"(?:who|which)\b", text[rel_start:c_end])
    before = text[s_start:rel_start].rstrip()
    if rel is None or not before.endswith(","):
        return None
    segments = before[:-1].split(",")
    seg = segments[-1]
    if re.match(r"^\s*(?:a|an|the)\s", seg) and len(segments) > 1 and _name_runs(segments[-2]):
        seg = segments[-2]  # "Uihlein, an Illinois manufacturer, who ...": the name
    runs = _name_runs(seg)
    if runs and not seg[runs[-1][1] :].strip():
        phrase = seg[runs[-1][0] :]  # the name right before "who"
    else:  # "opposed by a senior official, who ...": the noun phrase after the last preposition
        phrase = " ".join(
            re.split(r"\b(?:by|of|from|to|with|for|at|in|on|than)\s+", seg)[-1].split()[-5:]
        )
    at = s_start + before.rfind(phrase)
    antecedent = _speaker_from_np(phrase, at, text[s_start:s_end], names)
    if antecedent is None or antecedent.name.lower() in _PRONOUNS:
        return None
    start = after_pos + len(text[after_pos:s_end]) - len(text[after_pos:s_end].lstrip())
    comma = text.find(",", start, s_end)
    end = _content_end(text, start, comma if comma > 0 else s_end)
    if len(text[start:end].split()) < 2:
        return None
    sp = _Speaker(
        antecedent.name, rel.group(), rel_start, rel_start + rel.end(), antecedent.anonymous
    )
    return _Attribution([(start, end)], sp, cue, _kind(lemma))


_CIRCUMSTANCE = re.compile(
    r"^(?:from|in|at|on|during|after|before|while|outside|inside|near|via|through|with|as|when|"
    r"by|without|over|under|amid|following|last|this|earlier|later|recently)\b"
)


def _is_circumstance(tail: str) -> bool:
    """True for a short tail of time, place or manner ("from his office in Orlando.")."""
    core = tail.strip(" .!?;\"”’'\u00a0")
    return bool(_CIRCUMSTANCE.match(core)) and len(core.split()) <= 8 and " that " not in core


def _inverted(text, lead, comma, c_end, s_end, cue, lemma, names) -> _Attribution | None:
    """ "..., said Hala Agha, a resident." (the speaker after the cue)."""
    m = re.match(r"^\s*(?P<np>[^.!?;,\"“”]{1,80})", text[c_end:s_end])
    if not m or not re.match(r"^\s*(?:[A-Z]|(?:a|an|the|one|two|three|several)\b)", m.group("np")):
        return None
    if len(text[lead:comma].split()) < 3 or _CUE_RE.search(m.group("np")):
        return None
    if len(m.group("np").split()) > 7:
        return None  # a clause, not a speaker
    sp = _speaker_from_np(m.group("np"), c_end + m.start("np"), text[lead:s_end], names)
    if sp is None:
        return None
    end = _content_end(text, lead, comma)
    rest = text[c_end + m.end() : s_end]
    more = re.match(r"^,\s*(?:[^,]{0,80},\s*)?(?P<more>[a-z]*\s*[A-Z]?\S.*)$", rest, re.S)
    if (
        more
        and len(more.group("more").split()) >= 3
        and not re.match(r"^(?:a|an|the|who|whose|which|his|her|their)\b", rest.lstrip(", "))
    ):
        end = _content_end(text, lead, s_end)
    if end - lead < 8:
        return None
    return _Attribution([(lead, end)], sp, cue, _kind(lemma))


_COORDINATED = re.compile(
    r"(?:,\s*|\s)(?:and|but|then|and then|but also|and also)\s+(?:\w+ly\s+)?$"
)
_FIRST_NP = re.compile(
    r"^(?:[A-Z][A-Z .,'-]{2,}(?:\([^)]*\))?\s*[:–—-]+\s*)?(?P<np>[^,;:\"“”]{1,80}?)"
    r"(?=\s+(?:\w+ly\s+)?(?:[a-z]+ed|[a-z]+s|said|told|took|made|went|came|gave|did|was|is|were|are|has|had|will|would|could)\b)"
)


def _main_subject(text: str, s_start: int, c_start: int, names) -> _Speaker | None:
    """The subject at the start of a sentence, for a cue whose own subject is left out."""
    m = _FIRST_NP.match(text, s_start, c_start)
    if not m:
        return None
    return _speaker_from_np(m.group("np"), m.start("np"), text[s_start:c_start], names)


#: the plainest verbs of saying come first when cues compete for a sentence
_PLAIN = {"say", "tell", "add", "note", "write", "ask"}


#: "Ms Georgieva is concerned that ...": a verb outside a relative clause
_CLAUSE_IN_SUBJECT = re.compile(
    r"^(?:(?!\b(?:who|which|that|whose)\b).)*\b(?:is|are|was|were|has|have|had|will|would|been)\b"
    r"(?:(?!\b(?:who|which|whose)\b).)*$",
    re.IGNORECASE,
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
    for att in found:
        if att.speaker is not None:
            att.speaker.name = att.speaker.name.replace(_DOT, ".")
    _resolve_pronouns(found, sentences, text, names)
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


def _last_mentioned(text: str, start: int, end: int, speakers: list[str]) -> str | None:
    """The speaker whose surname occurs last in ``text[start:end]``."""
    best, best_at = None, -1
    for name in speakers:
        for m in re.finditer(r"\b" + re.escape(name.split()[-1]) + r"\b", text[start:end]):
            if m.start() > best_at:
                best, best_at = name, m.start()
    return best


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
)


def _last_mentioned(text: str, start: int, end: int, people: list[str]) -> str | None:
    """The person whose surname occurs last in ``text[start:end]``."""
    best, best_at = None, -1
    for name in people:
        for m in re.finditer(r"\b" + re.escape(name.split()[-1]) + r"\b", text[start:end]):
            if m.start() > best_at:
                best, best_at = name, m.start()
    return best


def _resolve_pronouns(
    found: list[_Attribution], sentences: list[tuple[int, int]], text: str, names: list[list[str]]
) -> None:
    """
    Resolve "he"/"she" to a person.

    The pronoun takes the speaker of an attribution in the same or the two
    sentences before when that speaker is a person (a name, or one unnamed
    official, who stays anonymous); failing that, the person named last in the
    same or the previous sentence (full names used in the article).
    """
    people = [
        " ".join(n)
        for n in names
        if not any(t in _NOT_PERSON or not t.replace("'", "").isalpha() for t in n)
    ]
    people = list(dict.fromkeys(people))
    prev: tuple[int, _Speaker] | None = None
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
        if sp.name.lower() in _RESOLVABLE:
            if prev is not None and s_idx - prev[0] <= 2:
                sp.name, sp.anonymous = prev[1].name, prev[1].anonymous
            else:
                window = sentences[max(0, s_idx - 1)][0] if sentences else 0
                sp.name = _last_mentioned(text, window, sp.start, people) or sp.name
            if sp.name.lower() not in _RESOLVABLE:
                prev = (s_idx, sp)
            continue
        if _is_person(sp):
            end_idx = (
                _sentence_index(sentences, max(b for _, b in att.pieces) - 1) if sentences else 0
            )
            prev = (max(s_idx, end_idx), sp)
        else:
            prev = None


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def _check_articles(articles: pd.DataFrame, needed: Sequence[str]) -> None:
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError("<table>", f"expected a pandas DataFrame, got {type(articles).__name__}")
    for col in needed:
        if col not in articles.columns:
            raise SchemaError(col, "missing (needed to extract quotes)")


#: Above this many characters of text, :func:`extract_quotes` shares the work between processes.
PARALLEL_MIN_CHARS = 400_000

_SHARED: dict = {}


def _article_rows(text) -> list[tuple]:
    """The rows of one article (without its id, outlet and date)."""
    if not isinstance(text, str):
        return []
    rows = []
    for att in _quotes_in_text(text):
        sp = att.speaker
        rows.append(
            (
                sp.name if sp else pd.NA,
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


def _rows_of_slice(bounds: tuple[int, int]) -> list[list[tuple]]:
    start, stop = bounds
    return [_article_rows(t) for t in _SHARED["texts"][start:stop]]


def _rows_per_article(texts: list, *, n_jobs: int | None) -> list[list[tuple]]:
    """Rows of every article, in order, over several processes for large inputs."""
    from analysis.workers import n_workers, tqdm_class

    bar_of = tqdm_class()
    chars = [len(t) if isinstance(t, str) else 0 for t in texts]
    if n_jobs is None and sum(chars) < PARALLEL_MIN_CHARS:
        workers = 1
    else:
        workers = n_workers(n_jobs, sys.maxsize)  # n_jobs, else every available core
    show = len(texts) >= 2000 and sys.stderr.isatty()
    if workers > 1 and len(texts) >= 2 * workers:
        import multiprocessing as mp

        try:
            ctx = mp.get_context("fork")
        except ValueError:  # pragma: no cover - platforms without fork
            ctx = None
        if ctx is not None:
            # Slices of about equal characters, several per process so that none idles.
            cum = np.cumsum(chars)
            n_parts = min(len(texts), 8 * workers)
            cuts = sorted(
                {0, len(texts)}
                | {int(np.searchsorted(cum, cum[-1] * k / n_parts)) for k in range(1, n_parts)}
            )
            bounds = list(zip(cuts, cuts[1:]))
            _SHARED["texts"] = texts
            out: list[list[tuple]] = []
            try:
                with (
                    ctx.Pool(workers) as pool,
                    bar_of(
                        total=len(texts), disable=not show, desc="quotes", unit="article"
                    ) as bar,
                ):
                    for (a, b), part in zip(bounds, pool.imap(_rows_of_slice, bounds)):
                        out.extend(part)
                        bar.update(b - a)
            finally:
                _SHARED.clear()
            return out
    return [
        _article_rows(t) for t in bar_of(texts, disable=not show, desc="quotes", unit="article")
    ]


def extract_quotes(articles: pd.DataFrame, *, n_jobs: int | None = None) -> pd.DataFrame:
    """
    Find quotes and attributed statements, with their speakers, in article texts.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table; needs ``article_id`` and ``text``. ``outlet`` and
        ``published`` are carried over when present.
    n_jobs : int or None, default None
        Processes to share the articles between; None uses every available core
        when the texts hold more than ``PARALLEL_MIN_CHARS`` characters. The result
        is the same for any number.

    Returns
    -------
    DataFrame
        One row per attribution, in article order, with columns

        - ``article_id``, ``outlet``, ``published``: from the article;
        - ``speaker``: the source, normalised (titles dropped, fullest form of the
          name in the article, "he"/"she" resolved as the module documentation
          says, else kept as written); missing for an unattributed quote;
        - ``mention``: the speaker as written (``"Kuleba"``, ``"he"``,
          ``"a senior US State Department official"``);
        - ``anonymous``: True for an unnamed source;
        - ``cue``: the attributing word (``said``, ``told``, ``according to``);
        - ``quote``: what was said; for a quote in several pieces (interrupted by
          its attribution, or running over paragraphs) the pieces joined by a space;
        - ``kind``: ``"direct"`` (in quotation marks), ``"reported"`` (indirect
          speech: said, told, warned...), ``"according_to"``, ``"stance"`` (a
          view or intention attributed with a verb of thinking or judging:
          believes, fears, criticized, plans...) or ``"unattributed"`` (a quoted
          sentence whose speaker was not found);
        - ``start``, ``end``: character offsets into ``text`` from the first piece
          of the quote to the end of its last piece (quotation marks excluded);
        - ``spans``: the pieces as a list of ``(start, end)`` pairs;
        - ``speaker_start``, ``speaker_end``: offsets of ``mention``.

    Raises
    ------
    SchemaError
        When ``article_id`` or ``text`` is missing.

    Examples
    --------
    >>> df = pd.DataFrame({"article_id": ["a1"], "text": [
    ...     'Foreign Minister Dmytro Kuleba spoke. "We will not give up," Kuleba said.']})
    >>> extract_quotes(df)[["speaker", "cue", "quote", "kind"]]
             speaker   cue                 quote    kind
    0  Dmytro Kuleba  said  We will not give up,  direct
    """
    _check_articles(articles, ("article_id", "text"))
    n = len(articles)
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
    texts = articles["text"].tolist()
    rows = []
    per_article = _rows_per_article(texts, n_jobs=n_jobs)
    for aid, outlet, pub, found in zip(
        articles["article_id"], outlets, published, per_article, strict=True
    ):
        rows.extend((aid, outlet, pub, *r) for r in found)
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
        dtype = articles["published"].dtype
        if out["published"].isna().all():  # undated articles only: no value to convert
            out["published"] = pd.Series(pd.NaT, index=out.index, dtype=dtype)
        else:
            out["published"] = out["published"].astype(dtype)
    log.info("found %d quotes in %d articles", len(out), n)
    return out


#: label under which unnamed sources are pooled by :func:`who_is_quoted`
ANONYMOUS = "(anonymous)"
#: label under which unresolved pronouns ("he", "they") are pooled
UNRESOLVED = "(unresolved pronoun)"
QUOTED_KINDS = ("direct", "reported", "according_to")


def who_is_quoted(
    quotes: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "outlet",
    top_n: int | None = 10,
    kinds: Iterable[str] | None = QUOTED_KINDS,
    pool_anonymous: bool = True,
) -> pd.DataFrame:
    """
    Rank who is quoted, per group, with shares and the articles behind each count.

    Parameters
    ----------
    quotes : DataFrame
        Output of :func:`extract_quotes`.
    by : str, sequence of str or None, default "outlet"
        Column(s) to group by; ``None`` ranks the whole corpus.
    top_n : int or None, default 10
        Speakers kept per group (``None`` keeps all). Shares are computed before
        the cut, over every quote of the group.
    kinds : iterable of str or None, default ("direct", "reported", "according_to")
        Kinds of attribution counted; ``None`` counts all, including ``"stance"``.
    pool_anonymous : bool, default True
        Count every unnamed source as one speaker, ``"(anonymous)"``, and every
        unresolved pronoun as ``"(unresolved pronoun)"``.

    Returns
    -------
    DataFrame
        Long table ``[*by, "rank", "speaker", "quotes", "share", "articles",
        "anonymous", "group_quotes", "group_articles", "anonymous_share",
        "article_ids"]``: ``share`` is the speaker's part of the group's quotes,
        ``group_quotes`` is N, ``anonymous_share`` the part of the group's quotes
        from unnamed sources, ``article_ids`` the articles to read (drill-down:
        filter ``quotes`` on them).

    Raises
    ------
    SchemaError
        When a needed column is missing.
    ParameterError
        When ``top_n`` is not a positive integer.

    Examples
    --------
    >>> q = pd.DataFrame({"article_id": ["a", "a", "b"], "outlet": ["X", "X", "X"],
    ...     "speaker": ["Ann Lee", "a source", "Ann Lee"], "anonymous": [False, True, False],
    ...     "kind": ["direct", "reported", "direct"]})
    >>> who_is_quoted(q)[["outlet", "speaker", "quotes", "share", "anonymous_share"]]
      outlet      speaker  quotes     share  anonymous_share
    0      X      Ann Lee       2  0.666667         0.333333
    1      X  (anonymous)       1  0.333333         0.333333
    """
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    _check_articles(quotes, [*keys, "article_id", "speaker", "anonymous", "kind"])
    if top_n is not None and (not isinstance(top_n, int) or isinstance(top_n, bool) or top_n < 1):
        raise ParameterError(f"top_n must be a positive integer or None, got {top_n!r}")
    q = quotes if kinds is None else quotes[quotes["kind"].isin(list(kinds))]
    q = q[q["speaker"].notna()]
    speaker = q["speaker"].astype("string")
    if pool_anonymous:
        speaker = speaker.mask(q["anonymous"].astype(bool), ANONYMOUS)
        speaker = speaker.mask(speaker.str.lower().isin(_PRONOUNS), UNRESOLVED)
    q = q.assign(speaker=speaker, _one=1)
    group_cols = keys or ["_all"]
    if not keys:
        q = q.assign(_all="all")
    columns = [
        *keys,
        "rank",
        "speaker",
        "quotes",
        "share",
        "articles",
        "anonymous",
        "group_quotes",
        "group_articles",
        "anonymous_share",
        "article_ids",
    ]
    if q.empty:
        return pd.DataFrame(columns=columns)
    groups = q.groupby(group_cols, sort=True, dropna=False)
    totals = groups.agg(
        group_quotes=("_one", "size"),
        group_articles=("article_id", "nunique"),
        anonymous_share=("anonymous", "mean"),
    )
    per = (
        q.groupby([*group_cols, "speaker"], sort=False, dropna=False)
        .agg(
            quotes=("_one", "size"),
            articles=("article_id", "nunique"),
            anonymous=("anonymous", "all"),
        )
        .reset_index()
        .join(totals, on=group_cols)
    )
    per["share"] = per["quotes"] / per["group_quotes"]
    per = per.sort_values(
        [*group_cols, "quotes", "speaker"], ascending=[*([True] * len(group_cols)), False, True]
    )
    per["rank"] = per.groupby(group_cols, dropna=False).cumcount() + 1
    if top_n is not None:
        per = per[per["rank"] <= top_n]
    # the articles of the rows kept only (most speakers fall below top_n)
    pair = [*group_cols, "speaker"]
    kept = q.merge(per[pair], on=pair) if top_n is not None else q
    article_ids = (
        kept.groupby(pair, sort=False, dropna=False)["article_id"]
        .agg(lambda s: sorted(set(s)))
        .rename("article_ids")
        .reset_index()
    )
    # a merge, not a join: a join on a MultiIndex with a missing group key mismatches rows
    per = per.merge(article_ids, on=pair, how="left").set_index(per.index)
    per["anonymous_share"] = per["anonymous_share"].astype(float)
    return per[columns].reset_index(drop=True)


# ---------------------------------------------------------------------------
# Evaluation against hand annotation (brat standoff)
# ---------------------------------------------------------------------------

GOLD_COLUMNS = [
    "article_id",
    "attribution",
    "content_spans",
    "source_spans",
    "cue_spans",
    "source",
    "content",
]


_BRAT_LINE = re.compile(r"^[TE]\d+\t")


def parse_brat(ann: str, text: str | None = None, *, article_id: str = "") -> pd.DataFrame:
    r"""
    Parse brat standoff attribution annotation (``Source``/``Cue``/``Content`` spans and ``E`` relations).

    Parameters
    ----------
    ann : str
        Content of an ``.ann`` file: ``T`` lines ``T4<TAB>Content 461 494;500 510<TAB>words``
        and ``E`` lines ``E1<TAB>Attribution:T5 Content:T4 Cue:T3 Source:T2``.
    text : str, optional
        The article text, to fill ``source`` and ``content`` with the words spanned.
    article_id : str, default ""
        Written into every row.

    Returns
    -------
    DataFrame
        One row per attribution that has a content span: ``article_id``, ``attribution``
        (the ``E`` id), ``content_spans``, ``source_spans``, ``cue_spans`` (lists of
        ``(start, end)``), ``source`` and ``content`` (text, or ``""`` without ``text``).

    Raises
    ------
    ParameterError
        When a line is malformed (its number is given).

    Examples
    --------
    >>> ann = "T1\tSource 0 3\tAnn\nT2\tCue 4 8\tsaid\nT3\tContent 9 12\tno.\nE1\tAttribution:T2 Cue:T2 Source:T1 Content:T3"
    >>> parse_brat(ann, "Ann said no. ")[["attribution", "source", "content"]]
      attribution source content
    0          E1    Ann     no.
    """
    spans: dict[str, list[tuple[int, int]]] = {}
    events: list[tuple[str, dict[str, str]]] = []
    for number, line in enumerate(ann.splitlines(), 1):
        if not _BRAT_LINE.match(line):
            continue  # notes, comments, or the spill-over of an annotated text holding a newline
        parts = line.split("\t")
        try:
            if line[0] == "T":
                _, _, offsets = parts[1].partition(" ")
                spans[parts[0]] = [
                    (int(a), int(b)) for a, b in (f.split() for f in offsets.split(";"))
                ]
            else:
                events.append((parts[0], dict(arg.split(":", 1) for arg in parts[1].split())))
        except ValueError as exc:
            raise ParameterError(f"ann line {number}: cannot read {line[:60]!r} ({exc})") from exc
    rows = []
    for eid, args in events:
        content = spans.get(args.get("Content", ""), [])
        if not content:
            continue
        source = spans.get(args.get("Source", ""), [])
        cue = spans.get(args.get("Cue", ""), [])

        def words(pieces):
            return " ".join(text[a:b] for a, b in pieces) if text is not None else ""

        rows.append((article_id, eid, content, source, cue, words(source), words(content)))
    return pd.DataFrame(rows, columns=GOLD_COLUMNS)


def read_brat(folder, *, compartment: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """
    Read a brat-annotated attribution corpus: articles and gold attributions.

    Two layouts are understood: ``<folder>/[<compartment>/]text/<name>.txt`` beside
    ``attributions/<name>_<annotator>.ann`` (PolNeAR), or ``<name>.txt`` next to
    ``<name>.ann`` (brat's own). When several annotators annotated an article,
    the first annotation file in name order is used. A ``metadata.tsv`` with
    ``filename`` and ``publisher`` columns (PolNeAR) fills ``outlet``.

    Parameters
    ----------
    folder : str or Path
        Corpus folder.
    compartment : str, optional
        Sub-folder (``"train"``, ``"dev"``) of a PolNeAR-style corpus.

    Returns
    -------
    (articles, gold)
        ``articles``: ``article_id`` (file name stem), ``outlet``, ``text``;
        ``gold``: see :func:`parse_brat`.

    Raises
    ------
    InputError
        When the folder holds no annotation, or an annotation has no text file.
    """
    from pathlib import Path

    from analysis.errors import InputError

    root = Path(folder)
    base = root / compartment if compartment else root
    ann_dir = base / "attributions" if (base / "attributions").is_dir() else base
    text_dir = base / "text" if (base / "text").is_dir() else base
    ann_paths = sorted(ann_dir.glob("*.ann"))
    if not ann_paths:
        raise InputError(ann_dir, "no .ann files (brat attribution annotation) found")
    publishers: dict[str, str] = {}
    meta = root / "metadata.tsv"
    if meta.is_file():
        table = pd.read_csv(meta, sep="\t", dtype=str)
        if {"filename", "publisher"} <= set(table.columns):
            publishers = dict(zip(table["filename"], table["publisher"], strict=True))
    articles, gold = [], []
    seen: set[str] = set()
    for path in ann_paths:
        stem = path.stem
        txt = text_dir / f"{stem}.txt"
        if not txt.is_file() and "_" in stem:
            stem = stem.rsplit("_", 1)[0]  # "<article>_<annotator>.ann"
            txt = text_dir / f"{stem}.txt"
        if stem in seen:
            continue
        if not txt.is_file():
            raise InputError(path, f"no text file {txt.name} for this annotation")
        seen.add(stem)
        text = txt.read_text(encoding="utf-8")
        articles.append((stem, publishers.get(stem, pd.NA), text))
        gold.append(parse_brat(path.read_text(encoding="utf-8"), text, article_id=stem))
    arts = pd.DataFrame(articles, columns=["article_id", "outlet", "text"]).astype("string")
    return arts, pd.concat(gold, ignore_index=True)


def _charset(pieces) -> set[int]:
    out: set[int] = set()
    for a, b in pieces:
        out.update(range(int(a), int(b)))
    return out


def _match(
    pred: list[set[int]], gold: list[set[int]], threshold: float | None
) -> list[tuple[int, int]]:
    """One-to-one matching, best Jaccard first; ``threshold=None`` accepts any overlap."""
    pairs = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            inter = len(p & g)
            if not inter:
                continue
            jac = inter / len(p | g)
            if threshold is None or jac >= threshold:
                pairs.append((jac, i, j))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            out.append((i, j))
    return out


def _name_key(name: str, names: list[list[str]]) -> str:
    toks = _strip_titles([_clean_token(t) for t in str(name).split()])
    return _fullest(" ".join(toks), names).lower()


def _speaker_agrees(pred_row, gold_row, names: list[list[str]]) -> bool:
    """
    Our speaker agrees with the gold source when our mention overlaps the gold
    source span, or both resolve to the same name in the article.
    """
    gold_spans = gold_row.source_spans
    if not gold_spans:
        return False
    if pd.notna(pred_row.speaker_start):
        mention = set(range(int(pred_row.speaker_start), int(pred_row.speaker_end)))
        if mention & _charset(gold_spans):
            return True
    if pd.isna(pred_row.speaker) or not gold_row.source:
        return False
    ours = _name_key(pred_row.speaker, names)
    theirs = _name_key(_person_in(gold_row.source, False) or gold_row.source, names)
    return bool(ours) and ours == theirs


def evaluate_quotes(
    quotes: pd.DataFrame,
    gold: pd.DataFrame,
    *,
    articles: pd.DataFrame | None = None,
    threshold: float = 0.5,
) -> dict:
    """
    Score extracted quotes against gold attribution content spans.

    A predicted quote (the characters of its ``spans``) matches a gold content span
    when their overlap is at least ``threshold`` of their union (Jaccard); matching
    is one-to-one, best pairs first. The any-overlap scores accept any shared
    character instead. For the quotes matched under the Jaccard rule whose gold has
    a source, ``speaker_agreement`` is the share where our mention overlaps the
    gold source span or both name the same person once resolved to the fullest
    form of the name in the article (``Mr. Sanders`` and ``Bernie Sanders`` agree).

    Parameters
    ----------
    quotes : DataFrame
        Output of :func:`extract_quotes`.
    gold : DataFrame
        Output of :func:`parse_brat` / :func:`read_brat`.
    articles : DataFrame, optional
        ``article_id`` and ``text``: lets names resolve for speaker agreement.
    threshold : float, default 0.5
        Jaccard needed for a match.

    Returns
    -------
    dict
        ``precision, recall, f1`` (Jaccard rule), ``precision_overlap, recall_overlap,
        f1_overlap``, ``speaker_agreement``, ``n_predicted, n_gold, n_matched``.

    Raises
    ------
    ParameterError
        When ``threshold`` is not in (0, 1].

    Examples
    --------
    >>> pred = pd.DataFrame({"article_id": ["a"], "spans": [[(0, 10)]], "speaker": ["Ann"],
    ...     "speaker_start": [12], "speaker_end": [15]})
    >>> gold = pd.DataFrame({"article_id": ["a"], "content_spans": [[(0, 12)]],
    ...     "source_spans": [[(12, 15)]], "source": ["Ann"]})
    >>> evaluate_quotes(pred, gold)["f1"]
    1.0
    """
    if not 0 < threshold <= 1:
        raise ParameterError(f"threshold must be in (0, 1], got {threshold!r}")
    _check_articles(quotes, ["article_id", "spans", "speaker", "speaker_start", "speaker_end"])
    _check_articles(gold, ["article_id", "content_spans", "source_spans", "source"])
    texts = (
        {} if articles is None else dict(zip(articles["article_id"], articles["text"], strict=True))
    )
    n_pred, n_gold = len(quotes), len(gold)
    matched = matched_overlap = agree = with_source = 0
    pred_groups = dict(tuple(quotes.groupby("article_id", sort=False)))
    for aid, g in gold.groupby("article_id", sort=False):
        p = pred_groups.get(aid)
        if p is None:
            continue
        pred_sets = [_charset(s) for s in p["spans"]]
        gold_sets = [_charset(s) for s in g["content_spans"]]
        pairs = _match(pred_sets, gold_sets, threshold)
        matched += len(pairs)
        matched_overlap += len(_match(pred_sets, gold_sets, None))
        text = texts.get(aid)
        names = _article_names(_mask_abbreviations(text)) if isinstance(text, str) else []
        for i, j in pairs:
            grow = g.iloc[j]
            if grow.source_spans:
                with_source += 1
                agree += _speaker_agrees(p.iloc[i], grow, names)

    def prf(tp: int) -> tuple[float, float, float]:
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)

    p, r, f = prf(matched)
    po, ro, fo = prf(matched_overlap)
    return {
        "precision": p,
        "recall": r,
        "f1": f,
        "precision_overlap": po,
        "recall_overlap": ro,
        "f1_overlap": fo,
        "speaker_agreement": agree / with_source if with_source else float("nan"),
        "n_predicted": n_pred,
        "n_gold": n_gold,
        "n_matched": matched,
    }
