"""A fast, reference-exact re-implementation of the VADER sentiment rules.

Two engines are provided, each reproducing one published implementation to the
last rounding, quirks included:

``"vader"``
    vaderSentiment 3.3.2 (Hutto & Gilbert 2014), the reference tool: emoji are
    replaced by their descriptions, punctuation is stripped from word edges,
    ``"no"`` negates the next lexicon words, "without doubt" and "kind of"
    are special-cased, and a contrastive "but" reweights words with the
    reference's value-lookup quirk (a repeated valence is reweighted at its first
    occurrence).
``"nltk"``
    NLTK's port (``nltk.sentiment.vader``): single-character tokens are dropped,
    only listed punctuation strings are stripped from word edges (``."`` is not
    one), a repeated word is scored at the position of its first occurrence, a
    smaller booster list, case-sensitive "never so"/idiom checks, no special rule
    for ``"no"``, and a plain "but" reweighting.

Both read the lexicon shipped by the installed ``vaderSentiment`` package, offline.
Scores are ``(neg, neu, pos, compound)`` rounded like the references (3 and 4
decimals). The word lists and constants of the rules are in
:mod:`analysis.measures.vader_rules`.

Speed comes from doing each piece of work once: every distinct token is
analysed once (lowercase form, capitals, lexicon valence, booster value,
negation) and then looked up; a batch of texts is split and looked up in one
pass; the rules run only at rated words, and only when a word that can modify
them is within reach, reading neighbours from the cached analysis instead of
re-lowercasing the sentence for each check; the final arithmetic and rounding
run for the whole batch at once; identical texts are scored once; and a large
batch can be spread over processes.
"""

from __future__ import annotations

import logging
import os
import string
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from importlib import resources
from itertools import compress
from pathlib import Path
from typing import Literal

import numpy as np

from analysis.errors import AnalysisError, ParameterError
from analysis.measures.vader_rules import (
    B_DECR,
    BOOSTERS_NLTK,
    BOOSTERS_VADER,
    C_INCR,
    IDIOMS_NLTK,
    IDIOMS_VADER,
    N_SCALAR,
    NEGATE,
    PUNC_LIST_NLTK,
)

log = logging.getLogger(__name__)

Engine = Literal["vader", "nltk"]
ENGINES: tuple[str, ...] = ("vader", "nltk")

_PUNCT = string.punctuation
_PUNCT_SET = frozenset(_PUNCT)
_SO_THIS = ("so", "this")
#: Words, besides rated words, boosters and negations, that a rule reads before a rated word.
_NEIGHBOURS = frozenset(["least", "so", "this", "no"])
#: Rated words with a rule of their own.
_SELF_RULES = frozenset(["kind", "no"])

# Fields of a token analysis tuple (see ``_analyse``).
_WORD, _LOW, _UPPER, _LEX, _BOOST, _NEG = range(6)

_ZERO = (0.0, 0.0, 0.0, 0.0)
_NEUTRAL = (0.0, 1.0, 0.0, 0.0)


def _package_file(name: str) -> str:
    try:
        data = resources.files("vaderSentiment").joinpath(name).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise AnalysisError(
            f"the VADER file {name} comes from the vaderSentiment package (3.3.2): "
            "pip install vaderSentiment==3.3.2"
        ) from exc
    return data.decode("utf-8")


def read_lexicon(path: str | os.PathLike | None = None) -> dict[str, float]:
    """
    Read a VADER lexicon (``word<TAB>mean<TAB>...`` lines) into ``{word: valence}``.

    Parameters
    ----------
    path : path-like, optional
        Lexicon file; default the ``vader_lexicon.txt`` of the installed
        vaderSentiment package.

    Returns
    -------
    dict
        Word to mean valence, parsed exactly as the references do.

    Examples
    --------
    >>> read_lexicon()["good"]
    1.9
    """
    text = _package_file("vader_lexicon.txt") if path is None else Path(path).read_text("utf-8")
    lexicon: dict[str, float] = {}
    for line in text.rstrip("\n").split("\n"):
        if not line:
            continue
        word, measure = line.strip().split("\t")[0:2]
        lexicon[word] = float(measure)
    return lexicon


def read_emoji_lexicon() -> dict[str, str]:
    """Return vaderSentiment's emoji descriptions ``{emoji: description}``."""
    emojis: dict[str, str] = {}
    for line in _package_file("emoji_utf8_lexicon.txt").rstrip("\n").split("\n"):
        emoji, description = line.strip().split("\t")[0:2]
        emojis[emoji] = description
    return emojis


def _round_to(x: np.ndarray, digits: int) -> np.ndarray:
    """Python's ``round(x, digits)`` for each element, without formatting decimals.

    Away from a tie the nearest multiple of ``10**-digits`` is found with float
    arithmetic (its error, about 1e-13, cannot cross a boundary more than 1e-7
    away) and ``r / 10**digits`` is then the same correctly rounded double that
    ``round`` returns; close to a tie, ``round`` itself decides.
    """
    scale = 10.0**digits
    y = x * scale
    f = np.floor(y)
    frac = y - f
    out = np.where(frac > 0.5, f + 1, f) / scale
    for k in np.flatnonzero(np.abs(frac - 0.5) < 1e-7):
        out[k] = round(float(x[k]), digits)
    return out


def _finish(
    sums: list[float],
    pos: list[float],
    neg: list[float],
    neu: list[int],
    ep: list[int],
    qm: list[int],
    clamp: bool,
) -> list[tuple[float, float, float, float]]:
    """Turn per-text sums into rounded (neg, neu, pos, compound), as both references do.

    Every operation is the references' IEEE operation in the same order, done
    for all texts at once: ``sums`` are the sums of the word valences, ``pos``
    and ``neg`` the sums of ``v + 1`` over positive and ``v - 1`` over negative
    valences, ``neu`` the number of neutral words, ``ep`` and ``qm`` the counts
    of "!" and "?".
    """
    if not sums:
        return []
    s = np.asarray(sums, dtype=float)
    ps = np.asarray(pos, dtype=float)
    ns = np.asarray(neg, dtype=float)
    nu = np.asarray(neu, dtype=float)
    e = np.minimum(np.asarray(ep), 4)
    q = np.asarray(qm)
    amp = e * 0.292 + np.where(q > 1, np.where(q <= 3, q * 0.18, 0.96), 0.0)
    s = np.where(s > 0, s + amp, np.where(s < 0, s - amp, s))
    compound = s / np.sqrt((s * s) + 15)
    if clamp:
        compound = np.clip(compound, -1.0, 1.0)
    big_pos = ps > np.abs(ns)
    big_neg = ps < np.abs(ns)
    ps = np.where(big_pos, ps + amp, ps)
    ns = np.where(big_neg, ns - amp, ns)
    total = ps + np.abs(ns) + nu
    return list(
        zip(
            _round_to(np.abs(ns / total), 3).tolist(),
            _round_to(np.abs(nu / total), 3).tolist(),
            _round_to(np.abs(ps / total), 3).tolist(),
            _round_to(compound, 4).tolist(),
        )
    )


class Vader:
    """
    Score text with the VADER rules, exactly as one reference implementation does.

    Parameters
    ----------
    engine : {"vader", "nltk"}, default "vader"
        Which reference to reproduce: vaderSentiment 3.3.2 or NLTK's port.
    lexicon : dict, optional
        ``{word: valence}``; default the lexicon of the installed vaderSentiment.

    Examples
    --------
    >>> Vader().score("The talks were very useful.")
    (0.0, 0.556, 0.444, 0.4927)
    >>> Vader(engine="nltk").polarity_scores("No problem.")["compound"]
    -0.5994
    """

    def __init__(self, engine: Engine = "vader", *, lexicon: dict[str, float] | None = None):
        if engine not in ENGINES:
            raise ParameterError(f"engine must be one of {ENGINES}, got {engine!r}")
        self.engine = engine
        self.lexicon = dict(read_lexicon() if lexicon is None else lexicon)
        self.boosters = BOOSTERS_VADER if engine == "vader" else BOOSTERS_NLTK
        idioms = IDIOMS_VADER if engine == "vader" else IDIOMS_NLTK
        self.idioms = idioms
        multiword = [k for k in (*idioms, *self.boosters) if " " in k]
        self._idiom_keys = [frozenset(k.split()) for k in multiword]
        self._idiom_words = frozenset().union(*self._idiom_keys)
        self._anchors = frozenset(_anchor(k) for k in multiword)
        self._info: dict[str, tuple | None] = {}
        self._flags: dict[str, int] = {}
        if engine == "vader":
            self._emojis = {k: v for k, v in read_emoji_lexicon().items() if len(k) == 1}
            self._emoji_chars = frozenset(self._emojis)
            if any(k.isascii() for k in self._emojis):  # the package lexicon has none
                raise AnalysisError("an ASCII character in the emoji lexicon is not supported")

    # -- token analysis ---------------------------------------------------
    def _analyse(self, tokens: set[str]) -> None:
        """Analyse tokens not seen before, all at once, and cache them.

        ``_info[token]`` is ``(word, lower, isupper, valence, booster, negation)``;
        ``_flags[token]`` is a bit mask telling the batch loop where to stop:
        1 a scored lexicon word, 2 "but", 4 a word that can complete an idiom or
        booster phrase, 8 a token NLTK drops, 16 (set per batch) a text boundary,
        32 a capitalised lexicon or booster word (needs the capitals count),
        64 a word that can change a rated word up to three words later (rated,
        booster, negation, "least", "so", "this"), 128 a rated word with a rule
        of its own ("kind" of, "no").
        """
        punct = _PUNCT_SET
        if self.engine == "vader":
            toks = list(tokens)
            stripped = [t.strip(_PUNCT) for t in toks]
            words = [w if len(w) > 2 else t for t, w in zip(toks, stripped)]
        else:
            dropped = [t for t in tokens if len(t) <= 1]
            self._info.update(dict.fromkeys(dropped))
            self._flags.update(dict.fromkeys(dropped, 8))
            toks = [t for t in tokens if len(t) > 1]
            words = [_nltk_word(t) if t[0] in punct or t[-1] in punct else t for t in toks]
        lows = [w.lower() for w in words]
        lex = list(map(self.lexicon.get, lows))
        boost = list(map(self.boosters.get, lows))
        upper = [w.isupper() for w in words]
        neg = [low in NEGATE or "n't" in low for low in lows]
        self._info.update(zip(toks, zip(words, lows, upper, lex, boost, neg)))
        anchors = self._anchors
        keys = lows if self.engine == "vader" else words
        self._flags.update(
            zip(
                toks,
                [
                    (h := (x is not None and b is None))
                    | (2 if low == "but" else 0)
                    | (4 if k in anchors else 0)
                    | (32 if u and (h or b is not None) else 0)
                    | (64 if x is not None or b is not None or n or low in _NEIGHBOURS else 0)
                    | (128 if low in _SELF_RULES else 0)
                    for x, b, low, k, u, n in zip(lex, boost, lows, keys, upper, neg)
                ],
            )
        )

    def _lookup(self, tokens: list[str]) -> list[int]:
        """Return the flag of every token, analysing unseen tokens first."""
        flags = self._flags
        try:
            return list(map(flags.__getitem__, tokens))
        except KeyError:
            self._analyse(set(tokens).difference(flags))
            return list(map(flags.__getitem__, tokens))

    # -- rules ------------------------------------------------------------
    def _modifiers(self, valence: float, p1, p2, p3, cap: bool, key: int) -> float:
        """Apply the checks on the three preceding words (boosters and negation).

        ``p1``, ``p2``, ``p3`` are the analyses of the words one, two and three
        back (``None`` before the start of the text).
        """
        vader = self.engine == "vader"
        # a preceding word that is no booster adds 0.0, which changes nothing
        if p1 is not None and p1[_LEX] is None:
            if p1[_BOOST] is not None:
                valence = valence + _scalar(p1, valence, cap, 1.0)
            if p1[_NEG]:
                valence = valence * N_SCALAR
        if p2 is not None and p2[_LEX] is None:
            if p2[_BOOST] is not None:
                valence = valence + _scalar(p2, valence, cap, 0.95)
            w2, w1 = p2[key], p1[key]
            if w2 == "never" and w1 in _SO_THIS:
                valence = valence * (1.25 if vader else 1.5)
            elif vader and w2 == "without" and w1 == "doubt":
                pass
            elif p2[_NEG]:
                valence = valence * N_SCALAR
        if p3 is not None and p3[_LEX] is None:
            if p3[_BOOST] is not None:
                valence = valence + _scalar(p3, valence, cap, 0.9)
            w3, w2, w1 = p3[key], p2[key], p1[key]
            if (w3 == "never" and w2 in _SO_THIS) or w1 in _SO_THIS:
                valence = valence * 1.25
            elif vader and w3 == "without" and (w2 == "doubt" or w1 == "doubt"):
                pass
            elif p3[_NEG]:
                valence = valence * N_SCALAR
        return valence

    def _idioms_check(self, valence: float, w: list[str], i: int) -> float:
        idioms = self.idioms
        onezero = f"{w[i - 1]} {w[i]}"
        twoonezero = f"{w[i - 2]} {w[i - 1]} {w[i]}"
        twoone = f"{w[i - 2]} {w[i - 1]}"
        threetwoone = f"{w[i - 3]} {w[i - 2]} {w[i - 1]}"
        threetwo = f"{w[i - 3]} {w[i - 2]}"
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in idioms:
                valence = idioms[seq]
                break
        n = len(w)
        if n - 1 > i:
            zeroone = f"{w[i]} {w[i + 1]}"
            if zeroone in idioms:
                valence = idioms[zeroone]
        if n - 1 > i + 1:
            zeroonetwo = f"{w[i]} {w[i + 1]} {w[i + 2]}"
            if zeroonetwo in idioms:
                valence = idioms[zeroonetwo]
        boosters = self.boosters
        if self.engine == "vader":
            for gram in (threetwoone, threetwo, twoone):
                if gram in boosters:
                    valence = valence + boosters[gram]
        elif threetwo in boosters or twoone in boosters:
            valence = valence + B_DECR
        return valence

    def _sentence(
        self, tokens: list[str], s: int, n: int, group: list[int], flags: list[int]
    ) -> list:
        """Return the word valences of one text whose ``n`` tokens start at ``tokens[s]``.

        ``group`` holds the positions of its flagged tokens (lexicon words,
        "but", idiom anchors, capitals).
        """
        info = self._info
        vader = self.engine == "vader"
        key = _LOW if vader else _WORD
        idioms = need_cap = False
        bi = -1
        for j in group:
            f = flags[j]
            if f & 4:
                idioms = True
            if f & 32:
                need_cap = True
            if f & 2 and bi < 0:
                bi = j - s
        cap = False
        if need_cap:
            n_upper = sum(1 for t in tokens[s : s + n] if info[t][_UPPER])
            cap = 0 < n - n_upper < n
        words = None
        hits, vals = [], []
        done: dict[str, float] = {}
        for j in group:
            if not flags[j] & 1:
                continue
            i = j - s
            hits.append(i)
            x = info[tokens[j]]
            if not vader and x[_WORD] in done:
                # NLTK scores every occurrence of a word at its first position.
                vals.append(done[x[_WORD]])
                continue
            if (
                not flags[j] & 160
                and not idioms
                and (i < 1 or not flags[j - 1] & 64)
                and (i < 2 or not flags[j - 2] & 64)
                and (i < 3 or not flags[j - 3] & 64)
            ):
                # nothing around the word can change it: its lexicon valence stands
                done[x[_WORD]] = x[_LEX]
                vals.append(x[_LEX])
                continue
            nxt = info[tokens[j + 1]] if i < n - 1 else None
            low = x[_LOW]
            if low == "kind" and nxt is not None and nxt[_LOW] == "of":
                done[x[_WORD]] = 0
                vals.append(0)
                continue
            p1 = info[tokens[j - 1]] if i > 0 else None
            p2 = info[tokens[j - 2]] if i > 1 else None
            p3 = info[tokens[j - 3]] if i > 2 else None
            valence = lex = x[_LEX]
            if vader:
                if low == "no" and nxt is not None and nxt[_LEX] is not None:
                    valence = 0.0
                if (
                    (p1 is not None and p1[_LOW] == "no")
                    or (p2 is not None and p2[_LOW] == "no")
                    or (p3 is not None and p3[_LOW] == "no" and p1[_LOW] in ("or", "nor"))
                ):
                    valence = lex * N_SCALAR
            if x[_UPPER] and cap:
                if valence > 0:
                    valence += C_INCR
                else:
                    valence -= C_INCR
            valence = self._modifiers(valence, p1, p2, p3, cap, key)
            if idioms and p3 is not None and p3[_LEX] is None:
                if words is None:
                    words = [info[t][key] for t in tokens[s : s + n]]
                    present = self._idiom_words.intersection(words)
                    idioms = any(k <= present for k in self._idiom_keys)
                if idioms:
                    valence = self._idioms_check(valence, words, i)
            # "least" before a word negates it, unless it reads "at least" or "very least"
            if p1 is not None and p1[_LEX] is None and p1[_LOW] == "least":
                if p2 is None or (p2[_LOW] != "at" and p2[_LOW] != "very"):
                    valence = valence * N_SCALAR
            done[x[_WORD]] = valence
            vals.append(valence)
        if bi >= 0:
            if vader:
                _but_first_value(vals, hits, bi)
            else:
                for k, pos in enumerate(hits):
                    if pos < bi:
                        vals[k] = vals[k] * 0.5
                    elif pos > bi:
                        vals[k] = vals[k] * 1.5
        return vals

    # -- batches ----------------------------------------------------------
    def _replace_emojis(self, text: str) -> str:
        emojis = self._emojis
        out = []
        prev_space = True
        for ch in text:
            description = emojis.get(ch)
            if description is not None:
                if not prev_space:
                    out.append(" ")
                out.append(description)
                prev_space = False
            else:
                out.append(ch)
                prev_space = ch == " "
        return "".join(out).strip()

    def _batch(self, texts: list[str]) -> list[tuple[float, float, float, float]]:
        """Score a list of texts in one pass over all their tokens."""
        if self.engine == "vader":
            chars = self._emoji_chars
            if not chars.isdisjoint("".join(texts)):
                texts = [
                    t if t.isascii() or chars.isdisjoint(t) else self._replace_emojis(t)
                    for t in texts
                ]
        # Join the texts with a boundary token that none of them contains, so that
        # one split and one lookup serve the whole batch.
        for code in range(0xE000, 0xF900):
            sep = chr(code)
            joined = f" {sep} ".join(texts) + f" {sep}"
            if joined.count(sep) == len(texts):
                break
        else:  # pragma: no cover - every private-use character occurs in the batch
            return [self._batch([t])[0] for t in texts]
        tokens = joined.split()
        flag_table = self._flags
        if len(flag_table) > 2_000_000:
            flag_table.clear()
            self._info.clear()
        flag_table[sep] = 16
        try:
            flags = self._lookup(tokens)
        finally:
            del flag_table[sep]
        if self.engine == "nltk" and 8 in flags:
            keep = list(map((8).__ne__, flags))
            tokens = list(compress(tokens, keep))
            flags = list(compress(flags, keep))
        out: list = []
        where, sums, pos, neg, neu, ep, qm = [], [], [], [], [], [], []
        start = 0
        group: list[int] = []
        scored = False
        for j in compress(range(len(tokens)), flags):
            f = flags[j]
            if f != 16:
                group.append(j)
                if f & 1:
                    scored = True
                continue
            n = j - start
            if scored:
                vals = self._sentence(tokens, start, n, group, flags)
                text = texts[len(out)]
                where.append(len(out))
                out.append(None)
                # neutral words add 0 to every sum; -0.0 and 0.0 score alike
                p = m = 0.0
                signed = 0
                for v in vals:
                    if v > 0:
                        p += float(v) + 1
                        signed += 1
                    elif v < 0:
                        m += float(v) - 1
                        signed += 1
                sums.append(float(sum(vals)))
                pos.append(p)
                neg.append(m)
                neu.append(n - signed)
                ep.append(text.count("!"))
                qm.append(text.count("?"))
                scored = False
            else:
                out.append(_NEUTRAL if n else _ZERO)
            start = j + 1
            group = []
        for k, result in zip(where, _finish(sums, pos, neg, neu, ep, qm, self.engine == "vader")):
            out[k] = result
        return out

    # -- public -----------------------------------------------------------
    def score(self, text: str) -> tuple[float, float, float, float]:
        """
        Return ``(neg, neu, pos, compound)`` for one text, rounded like the reference.

        Examples
        --------
        >>> Vader().score("")
        (0.0, 0.0, 0.0, 0.0)
        """
        return self._batch([text])[0]

    def polarity_scores(self, text: str) -> dict[str, float]:
        """Return the reference's dict ``{"neg", "neu", "pos", "compound"}`` for one text."""
        neg, neu, pos, compound = self.score(text)
        return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}

    def score_many(
        self, texts: Iterable[str], *, memoize: bool = True, batch_size: int = 20_000
    ) -> list[tuple[float, float, float, float]]:
        """
        Score many texts; return one ``(neg, neu, pos, compound)`` per input, in order.

        Parameters
        ----------
        texts : iterable of str
            Texts (sentences) to score.
        memoize : bool, default True
            Score each distinct text once (repeats are common in syndicated news).
        batch_size : int, default 20000
            Texts scored per pass.

        Examples
        --------
        >>> Vader().score_many(["Good.", "Good.", "Bad."])[2]
        (1.0, 0.0, 0.0, -0.5423)
        """
        texts = list(texts)
        todo = list(dict.fromkeys(texts)) if memoize else texts
        scored: list[tuple] = []
        for k in range(0, len(todo), batch_size):
            scored.extend(self._batch(todo[k : k + batch_size]))
        if not memoize:
            return scored
        table = dict(zip(todo, scored))
        return [table[t] for t in texts]


def _scalar(prev: tuple, valence: float, cap: bool, damp: float) -> float:
    """Booster (or dampener) effect of a preceding word, as ``scalar_inc_dec`` computes it."""
    scalar = prev[_BOOST]
    if scalar is None:
        return 0.0
    if valence < 0:
        scalar *= -1
    if prev[_UPPER] and cap:
        if valence > 0:
            scalar += C_INCR
        else:
            scalar -= C_INCR
    if damp != 1.0:
        scalar = scalar * damp
    return scalar


def _nltk_word(token: str) -> str:
    """NLTK's edge-punctuation rule for one token (of two or more characters).

    NLTK maps ``p + w`` and ``w + p`` to ``w`` when ``p`` is one of its listed
    punctuation strings and ``w`` is a word of two or more characters that holds
    no punctuation at all; anything else is kept as it is.
    """
    n = len(token)
    lead = 0
    while lead < n and token[lead] in _PUNCT_SET:
        lead += 1
    if lead == n:
        return token
    trail = n
    while token[trail - 1] in _PUNCT_SET:
        trail -= 1
    if lead and trail == n:
        edge, core = token[:lead], token[lead:]
    elif trail < n and not lead:
        edge, core = token[trail:], token[:trail]
    else:
        return token
    if edge in PUNC_LIST_NLTK and len(core) > 1 and _PUNCT_SET.isdisjoint(core):
        return core
    return token


def _anchor(phrase: str) -> str:
    """The word of a phrase that must be present for it to match (not a common word)."""
    words = phrase.split()
    rare = [w for w in words if w not in ("the", "of", "to", "for")]
    return (rare or words)[0]


def _but_first_value(vals: list, hits: list[int], bi: int) -> None:
    """vaderSentiment's "but" rule, in place, with its lookup-by-value quirk.

    The reference walks the list and, for each value, reweights the *first*
    element equal to it (``list.index``), which for repeated valences is not the
    element being visited. Neutral zeros are left out of ``vals``: reweighting a
    zero leaves a zero, so they never change a score.
    """
    for k in range(len(vals)):
        v = vals[k]
        si = vals.index(v)
        if hits[si] < bi:
            vals[si] = v * 0.5
        elif hits[si] > bi:
            vals[si] = v * 1.5


@lru_cache(maxsize=4)
def get_analyzer(engine: Engine = "vader") -> Vader:
    """Return the shared :class:`Vader` for ``engine`` (built once per process)."""
    return Vader(engine)


def _score_chunk(engine: str, texts: list[str]) -> list[tuple]:
    return get_analyzer(engine).score_many(texts)


#: Below this many distinct texts, ``n_jobs=None`` scores in the calling process.
PARALLEL_MIN = 200_000


def score_texts(
    texts: Sequence[str], *, engine: Engine = "vader", n_jobs: int | None = None
) -> list[tuple[float, float, float, float]]:
    """
    Score texts, each distinct text once, optionally across processes.

    Parameters
    ----------
    texts : sequence of str
        Texts (sentences) to score.
    engine : {"vader", "nltk"}, default "vader"
        Reference to reproduce.
    n_jobs : int, optional
        Worker processes. ``None`` uses every core when there are at least
        ``PARALLEL_MIN`` distinct texts, else the calling process; ``1`` never
        starts processes; ``-1`` means every core.

    Returns
    -------
    list of tuple
        ``(neg, neu, pos, compound)`` per input text, in input order.

    Examples
    --------
    >>> score_texts(["Good.", "Bad."], n_jobs=1)[0]
    (0.0, 0.0, 1.0, 0.4404)
    """
    if engine not in ENGINES:
        raise ParameterError(f"method must be one of {ENGINES}, got {engine!r}")
    distinct = list(dict.fromkeys(texts))
    cores = os.cpu_count() or 1
    if n_jobs is None:
        n_jobs = cores if len(distinct) >= PARALLEL_MIN else 1
    elif n_jobs == -1:
        n_jobs = cores
    elif not isinstance(n_jobs, int) or n_jobs < 1:
        raise ParameterError(f"n_jobs must be a positive int, -1 or None, got {n_jobs!r}")
    n_jobs = min(n_jobs, max(1, len(distinct) // 1000))
    if n_jobs > 1:
        from analysis.workers import may_start_processes

        n_jobs = n_jobs if may_start_processes() else 1
    if n_jobs == 1:
        scored = get_analyzer(engine).score_many(distinct)
    else:
        import multiprocessing as mp

        size = -(-len(distinct) // n_jobs)
        chunks = [distinct[k : k + size] for k in range(0, len(distinct), size)]
        log.info("scoring %d distinct texts in %d processes", len(distinct), len(chunks))
        with ProcessPoolExecutor(len(chunks), mp_context=mp.get_context("spawn")) as pool:
            scored = [
                r for part in pool.map(_score_chunk, [engine] * len(chunks), chunks) for r in part
            ]
    table = dict(zip(distinct, scored))
    return [table[t] for t in texts]
