"""Lines and sentences an outlet repeats across its articles: newsletter pitches, time stamps, credits.

Article bodies exported as tables (CSV, JSON Lines, Parquet) often carry the
outlet's furniture inside the text: "Sign up to First Edition, our free daily
newsletter", "First published on Mon 4 Jul 2022 07.00 BST", "Photograph: Handout",
"Good evening. Here's what you need to know at the end of the day." Counted as
words, they make an outlet's vocabulary look distinctive when it is only its
template. This module learns them per outlet and removes them from the bodies.

How a recurring segment is found
--------------------------------
A body is cut into segments: its lines, the blocks a table export separates with
runs of spaces, and the sentences of each (:func:`analysis.text.nlp.sentence_spans`).
A segment is compared in a normal form (lower case, digits, weekday and month names
replaced), so that time stamps of different days are one segment. Within one outlet
(identical bodies counted once), a segment recurs when it is found in at least
``min_docs`` articles and at least ``min_share`` of them. It is furniture when it is no
sentence (a label, a credit, a pitch without a full stop) or when, in most of the
articles holding it, it stands before or after the article's own text rather than
between sentences of it and is short (``MAX_EDGE_WORDS``): a long recurring
sentence at the end of stories, such as an outlet's background paragraph, is part
of how it frames them and is kept. An article made mostly of recurring sentences (versions of
one story) keeps them: they are its story, not furniture.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping

import pandas as pd

#: Fewest articles of an outlet a segment must be found in.
MIN_DOCS = 5
#: Smallest share of an outlet's articles a segment must be found in.
MIN_SHARE = 0.01
#: Articles per outlet learned from in one ingest (the first ones read).
SAMPLE = 2000
#: Longest sentence (in words) removed for standing before or after an article's
#: own text: pitches and sign-offs are short; a longer recurring sentence is more
#: likely the outlet's own framing of the story (a background paragraph) and stays.
MAX_EDGE_WORDS = 30

_BLOCK_GAP = re.compile(r"\n|[ \t\u00a0]{3,}")
#: Weekday and month names and their short forms (mon, monday, tue, tues, tuesday, ...,
#: sep, sept, september), looked for only where a word starts with one of their first
#: letters: most words are passed over at once.
_NAMES = re.compile(
    r"\b(?=[adfjmnostw])(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?"
    r"|fri(?:day)?|sat(?:urday)?|sun(?:day)?|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?"
    r"|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


def segment_spans(text: str) -> list[tuple[int, int]]:
    """
    Return ``(start, end)`` offsets of the segments of a body: lines, space-separated
    blocks, sentences.

    Examples
    --------
    >>> t = "Talks resumed. Both sides met.   Photograph: Handout\\nSign up now"
    >>> [t[a:b] for a, b in segment_spans(t)]
    ['Talks resumed.', 'Both sides met.', 'Photograph: Handout', 'Sign up now']
    """
    from analysis.text.nlp import sentence_spans

    # a gap between blocks becomes as many line breaks: the offsets stay those of ``text``
    lines = _BLOCK_GAP.sub(lambda m: "\n" * len(m.group()), text)
    return [(a, b) for a, b in sentence_spans(lines) if text[a:b].strip()]


_LABEL = re.compile(r"^\s*([^\W\d_][\w’'-]*(?: [^\W\d_][\w’'-]*)?):\s+\S")


def segment_key(segment: str) -> str:
    """
    The normal form segments are compared in: lower case, numbers, weekdays and months
    replaced, spaces collapsed.

    Examples
    --------
    >>> segment_key("First published on Mon 4 Jul 2022 07.00 BST")
    'first published on <d> 0 <d> 0 0.0 bst'

    A label of one or two words before a colon, on a segment that does not end like a
    sentence (a credit, a link), stands for the whole segment:

    >>> segment_key("Photograph: Ludovic Marin/AP"), segment_key("Related: What we know")
    ('photograph: …', 'related: …')
    """
    label = _LABEL.match(segment)
    if label and not _SENTENCE_END.search(segment.strip()):
        return label.group(1).lower() + ": …"
    key = _DIGITS.sub("0", _NAMES.sub("<d>", segment))
    return " ".join(key.split()).lower()


def cut_segments(text: str) -> list[tuple[int, int, str]]:
    """
    Return the segments of a body (:func:`segment_spans`) with their normal forms
    (:func:`segment_key`): ``(start, end, normal form)``.

    Examples
    --------
    >>> cut_segments("Talks resumed.   Photograph: Handout")
    [(0, 14, 'talks resumed.'), (17, 36, 'photograph: …')]
    """
    return [(a, b, segment_key(text[a:b])) for a, b in segment_spans(text)]


def _is_prose(segment: str) -> bool:
    """
    A sentence, which may be the article's own: two words or more, ending like a sentence
    (a short quote inside a story is one; a label, a credit or a pitch without a full stop
    is not).
    """
    return bool(_SENTENCE_END.search(segment.strip())) and len(segment.split()) >= 2


def learn_furniture(
    texts: Mapping[str, Iterable[str]],
    *,
    min_docs: int = MIN_DOCS,
    min_share: float = MIN_SHARE,
    known: Mapping[str, Collection[str]] | None = None,
    segments: dict | None = None,
) -> dict[str, dict[str, str]]:
    """
    Learn per outlet the segments its article bodies repeat (see the module's notes).

    Parameters
    ----------
    texts : mapping of outlet to iterable of str or of (label, body) pairs
        The bodies of each outlet's articles. Identical articles (the same label, such
        as the title and date, and the same body; the same body when no label is
        given) count once.
    min_docs : int, default 5
        Fewest articles a segment must be found in: a segment seen a few times stays.
    min_share : float, default 0.01
        Smallest share of the outlet's articles a segment must be found in.
    known : mapping of outlet to collection of str, optional
        Normal forms already known as an outlet's furniture (learned at an earlier
        ingest), for ``segments``.
    segments : dict, optional
        Filled with ``(outlet, body) -> [(start, end, normal form), ...]`` for every body
        learned from: its segments (:func:`cut_segments`) whose normal form is furniture
        of the outlet, learned here or ``known``. :func:`remove_furniture` given them
        does not cut these bodies again.

    Returns
    -------
    dict of str to dict of str to str
        Outlet -> {normal form (:func:`segment_key`) -> the segment as first seen}.

    Examples
    --------
    >>> topics = ["parks", "roads", "schools", "taxes", "water", "housing"]
    >>> bodies = [f"The council decided what to do about the {t} of the city. "
    ...           "Sign up for our newsletter" for t in topics]
    >>> learn_furniture({"Gazette": bodies})
    {'Gazette': {'sign up for our newsletter': 'Sign up for our newsletter'}}
    """
    model: dict[str, dict[str, str]] = {}
    for outlet, bodies in texts.items():
        found, cuts = _learn_outlet(bodies, min_docs=min_docs, min_share=min_share)
        if found:
            model[str(outlet)] = found
        if segments is not None:
            keep = set(found).union((known or {}).get(str(outlet), ()))
            for text, cut in cuts.items():
                segments[str(outlet), text] = [s for s in cut if s[2] in keep]
    return model


def _learn_outlet(
    bodies: Iterable, *, min_docs: int, min_share: float
) -> tuple[dict[str, str], dict[str, list[tuple[int, int, str]]]]:
    """The furniture of one outlet's ``bodies`` and the segments of each body learned from."""
    pairs = [b if isinstance(b, tuple) else ("", b) for b in bodies]
    pairs = [(str(h or ""), t) for h, t in pairs if isinstance(t, str) and t.strip()]
    if len(pairs) < min_docs:
        return {}, {}  # too few articles for anything to recur
    docs, seen, cuts = [], set(), {}
    for title, text in pairs:
        digest = hashlib.blake2b(f"{title}\x1f{text}".encode("utf-8", "replace"), digest_size=8)
        if digest.digest() in seen:
            continue  # copies of one article count once
        seen.add(digest.digest())
        if text not in cuts:  # one body under several titles is cut once
            cuts[text] = cut_segments(text)
        docs.append(([text[a:b] for a, b, _ in cuts[text]], [k for _, _, k in cuts[text]]))
    return _recurring(docs, min_docs=min_docs, min_share=min_share), cuts


def _recurring(docs: list, *, min_docs: int, min_share: float) -> dict[str, str]:
    if len(docs) < min_docs:
        return {}
    need = max(min_docs, math.ceil(min_share * len(docs)))
    df: Counter[str] = Counter()
    for _, keys in docs:
        df.update(set(keys))
    candidates = {k for k, n in df.items() if n >= need and k}
    if not candidates:
        return {}
    example: dict[str, str] = {}
    inside: Counter[str] = Counter()  # articles where the segment sits within own text
    about: Counter[str] = Counter()  # articles whose own text shares most of its words
    for segments, keys in docs:
        for seg, key in zip(segments, keys):
            if key in candidates:
                example.setdefault(key, seg.strip())
                if key.endswith(": …"):  # a label stands for its segments
                    example[key] = seg.strip().split(":", 1)[0] + ": …"
        recurring_prose = sum(1 for s, k in zip(segments, keys) if k in candidates and _is_prose(s))
        own = [i for i, k in enumerate(keys) if k not in candidates]
        if recurring_prose >= 4 and recurring_prose * 2 >= len(keys):
            inside.update({k for k in keys if k in candidates})  # a version of one story
            continue
        if own:
            inside.update(
                {k for i, k in enumerate(keys) if k in candidates and own[0] < i < own[-1]}
            )
            own_words = set().union(*(_words(segments[i]) for i in own))
            for seg, key in zip(segments, keys):
                words = _words(seg) if key in candidates else set()
                if words and len(words & own_words) * 2 >= len(words):
                    about[key] += 1
    return {
        key: example[key]
        for key in sorted(candidates)
        if key.endswith(": …")
        or not _is_prose(example[key])
        or (
            inside[key] * 2 < df[key]
            and about[key] * 2 < df[key]
            and len(example[key].split()) <= MAX_EDGE_WORDS
        )
    }


def _words(segment: str) -> set[str]:
    """The longer words of a segment (four letters or more), in lower case."""
    return {w for w in re.findall(r"[^\W\d_]{4,}", segment.lower())}


#: Formats whose bodies come from a table (page dumps and HTML pages are cleaned as pages).
TABLE_FORMATS = frozenset({"csv", "tsv", "jsonl", "json", "parquet"})


class Sample:
    """
    Up to ``size`` bodies per outlet, drawn evenly from all that were added (reservoir
    sampling with a fixed seed: the same inputs give the same sample).
    """

    def __init__(self, size: int = SAMPLE, seed: int = 0) -> None:
        import random

        self.size = size
        self._rng = random.Random(seed)
        self._seen: Counter[str] = Counter()
        self._kept: dict[str, list[tuple[str, str]]] = {}

    def add(self, outlets: Iterable, labels: Iterable, texts: Iterable) -> None:
        """
        Offer the articles of ``outlets`` with their bodies ``texts`` and ``labels`` (what
        tells apart two articles with one body: their title and date).
        """
        for outlet, title, text in zip(outlets, labels, texts):
            if not isinstance(text, str) or not text.strip():
                continue
            key = "" if outlet is None or outlet is pd.NA else str(outlet)
            self._seen[key] += 1
            kept = self._kept.setdefault(key, [])
            item = ("" if not isinstance(title, str) else title, text)
            if len(kept) < self.size:
                kept.append(item)
            else:
                j = self._rng.randrange(self._seen[key])
                if j < self.size:
                    kept[j] = item

    def texts(self) -> dict[str, list[tuple[str, str]]]:
        """The sampled (label, body) pairs per outlet."""
        return self._kept


def strip_segments(
    text: str,
    keys: Iterable[str] | set[str],
    *,
    cut: list[tuple[int, int, str]] | None = None,
) -> tuple[str, list[str]]:
    """
    Remove from ``text`` the segments whose normal form is in ``keys``.

    Everything else is kept as it was, character for character, but for the
    spaces that followed a removed segment. ``cut`` gives the segments of ``text``
    (:func:`cut_segments`; those of them not in ``keys`` may be left out); without
    it the text is cut here.

    Returns
    -------
    (str, list of str)
        The text and the normal forms removed, in order.

    Examples
    --------
    >>> strip_segments("Talks resumed.   Photograph: Handout   Both sides met.",
    ...                {"photograph: …"})
    ('Talks resumed.   Both sides met.', ['photograph: …'])
    """
    if not text:
        return text, []
    pieces, removed, pos = [], [], 0
    for a, b, key in cut_segments(text) if cut is None else cut:
        if a < pos:
            continue
        if key in keys:
            pieces.append(text[pos:a])
            removed.append(key)
            pos = b
            while pos < len(text) and text[pos].isspace():
                pos += 1
    if not removed:
        return text, []
    pieces.append(text[pos:])
    return "".join(pieces).strip(), removed


def remove_furniture(
    articles: pd.DataFrame,
    model: Mapping[str, Mapping[str, str]],
    *,
    segments: Mapping | None = None,
) -> tuple[pd.DataFrame, Counter]:
    """
    Remove each outlet's furniture (``model``, as :func:`learn_furniture` gives) from ``text``.

    ``segments`` holds bodies already cut, as :func:`learn_furniture` fills it: they are
    not cut again. Returns the table (``n_words`` counted again where a text changed) and
    a Counter of ``(outlet, normal form)`` -> articles it was removed from.
    """
    removed: Counter = Counter()
    if not model or articles.empty or "text" not in articles:
        return articles, removed
    outlets = articles["outlet"].astype("string").fillna("").tolist()
    texts = articles["text"].tolist()
    anchors = {outlet: _anchors(keys) for outlet, keys in model.items()}
    changed = {}
    for i, (outlet, text) in enumerate(zip(outlets, texts)):
        keys = model.get(outlet)
        if not keys or not isinstance(text, str):
            continue
        cut = segments.get((outlet, text)) if segments else None
        if cut is None and anchors[outlet] is not None:
            lower = text.lower()
            if not any(w in lower for w in anchors[outlet]):
                continue  # no furniture here: the text is not cut into sentences
        new, gone = strip_segments(text, keys, cut=cut)
        if gone:
            changed[i] = new or None
            removed.update((outlet, key) for key in set(gone))
    if not changed:
        return articles, removed
    text = articles["text"].copy()
    positions = list(changed)
    text.iloc[positions] = list(changed.values())
    out = articles.assign(text=text)
    if "n_words" in out:
        n_words = out["n_words"].copy()
        n_words.iloc[positions] = [len(t.split()) if t else 0 for t in changed.values()]
        out["n_words"] = n_words
    return out, removed


def _anchors(keys: Iterable[str]) -> list[str] | None:
    """
    One word of each normal form that a text holding it must contain (its longest);
    None when some normal form has no word to look for.
    """
    words = []
    for key in keys:
        found = re.findall(r"[^\W\d_]{3,}", key.replace("<d>", " "))
        if not found:
            return None
        words.append(max(found, key=len))
    return words
