"""Dictionary tone: positive minus negative words, with Lexicoder's negation categories.

The Lexicoder Sentiment Dictionary (Young & Soroka 2012) has four categories:
``positive`` and ``negative`` words, and negated forms of each,
``neg_positive`` ("not good") and ``neg_negative`` ("not bad"). Following
Lexicoder, a negated form is matched first and its words are not counted again
as plain positive or negative words: "not good" is one negative hit, not a
positive one. The two poles are

- positive = ``positive`` + ``neg_negative``
- negative = ``negative`` + ``neg_positive``

and tone is Young & Soroka's difference of percentages,
``tone = 100 * (positive - negative) / n_words`` (percentage points of the
text's tokens). A dictionary without the negation categories counts plain words
only. Any dictionary with a positive and a negative category works; name its
categories with ``categories={"positive": "posemo", "negative": "negemo"}``.

Counting rules per text: negated forms are matched left to right, the longest
entry first, across both negation categories; the remaining runs of tokens
(between negated forms) are counted with the usual dictionary rules
(:mod:`analysis.measures.dictionaries`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from analysis.engine import Plan, run
from analysis.errors import ParameterError
from analysis.measures import wordtable as wt
from analysis.measures.dictionaries import Dictionary, Matcher, load_dictionary
from analysis.options import Copies, unique_copies
from analysis.text.tokens import tokenize

__all__ = ["dictionary_tone", "ROLES"]

#: The four categories of a Lexicoder-style tone dictionary; the last two may be absent.
ROLES = ("positive", "negative", "neg_positive", "neg_negative")


def _roles(book: Mapping, categories: Mapping[str, str] | None) -> dict[str, str | None]:
    names = {role: role for role in ROLES}
    if categories is not None:
        unknown = sorted(set(categories) - set(ROLES))
        if unknown:
            raise ParameterError(f"categories: unknown role(s) {unknown}; roles are {list(ROLES)}")
        names.update(categories)
    out: dict[str, str | None] = {}
    for role, name in names.items():
        if name in book:
            out[role] = name
        elif role in ("positive", "negative"):
            raise ParameterError(
                f"dictionary: no category {name!r} for the {role} words (has {list(book)}); "
                f"name it with categories={{{role!r}: ...}}"
            )
        else:
            out[role] = None
    return out


class ToneCounter:
    """Count the four tone categories in token lists (negated forms first)."""

    def __init__(self, book: Mapping, roles: dict[str, str | None]):
        self.plain = Matcher({r: book[roles[r]] for r in ("positive", "negative")})
        #: negated forms of plain words only: length -> words -> category (0 or 1)
        self.exact: dict[int, dict[tuple[str, ...], int]] = {}
        #: negated forms with a wildcard, by their first word (exact) or pattern
        self.wild_first: dict[str, list[tuple[tuple, int]]] = {}
        self.wild_any: list[tuple[object, tuple, int]] = []
        for k, role in enumerate(("neg_positive", "neg_negative")):
            if roles[role] is None:
                continue
            for entry in book[roles[role]]:
                words = wt.parse_entry(entry, where=f"category {roles[role]!r}")
                if all(type(w) is str for w in words):
                    self.exact.setdefault(len(words), {}).setdefault(words, k)
                elif type(words[0]) is str:
                    self.wild_first.setdefault(words[0], []).append((words, k))
                else:
                    self.wild_any.append((words[0], words, k))
        self.lengths = sorted(self.exact, reverse=True)
        self.first_words = {w[0] for table in self.exact.values() for w in table}
        self.starts: dict[str, list[tuple[tuple, int]]] = {}

    def _wild_starting(self, token: str) -> list[tuple[tuple, int]]:
        found = self.starts.get(token)
        if found is None:
            found = list(self.wild_first.get(token, ()))
            found += [(w, k) for rx, w, k in self.wild_any if rx.fullmatch(token)]
            found.sort(key=lambda item: -len(item[0]))
            self.starts[token] = found
        return found

    def _negated_at(self, tokens: list[str], i: int) -> tuple[int, int] | None:
        """The longest negated form starting at ``tokens[i]``: (length, category) or None."""
        n, hit = len(tokens), None
        if tokens[i] in self.first_words:
            for m in self.lengths:
                k = self.exact[m].get(tuple(tokens[i : i + m])) if i + m <= n else None
                if k is not None:
                    hit = (m, k)
                    break
        if self.wild_first or self.wild_any:
            for words, k in self._wild_starting(tokens[i]):
                m = len(words)
                if hit is not None and m <= hit[0]:
                    break
                if i + m <= n and all(
                    wt.word_matches(w, tokens[i + j]) for j, w in enumerate(words)
                ):
                    return m, k
        return hit

    def count(self, tokens: list[str]) -> list[int]:
        """Return ``[positive, negative, neg_positive, neg_negative]`` for one token list."""
        counts = [0, 0, 0, 0]
        runs, start, i, n = [], 0, 0, len(tokens)
        negations = bool(self.exact or self.wild_first or self.wild_any)
        while i < n:
            hit = self._negated_at(tokens, i) if negations else None
            if hit is None:
                i += 1
                continue
            counts[2 + hit[1]] += 1
            runs.append(tokens[start:i])
            i += hit[0]
            start = i
        runs.append(tokens[start:])
        for run_tokens in runs:
            if run_tokens:
                pos, neg = self.plain.count(run_tokens)
                counts[0] += pos
                counts[1] += neg
        return counts


def _tone(frame: pd.DataFrame) -> pd.Series:
    net = frame["positive"] + frame["neg_negative"] - frame["negative"] - frame["neg_positive"]
    words = frame["n_words"]
    return (100 * net / words.where(words > 0)).astype(float)


def _article_rows(
    table: pd.DataFrame,
    *,
    book: Dictionary,
    roles: dict,
    freq: str | None,
    english_only: bool,
    unique: bool,
) -> pd.DataFrame:
    table = wt.select_rows(
        table, english_only=english_only, unique_stories=unique, where="dictionary_tone"
    )
    if freq is not None:
        table = wt.add_period(table, freq, where="dictionary_tone")
    counter = ToneCounter(book, roles)
    texts = wt.texts_of(table)
    counts = np.zeros((len(texts), 4), dtype=np.int64)
    n_words = np.zeros(len(texts), dtype=np.int64)
    for i, text in enumerate(texts):
        tokens = tokenize(text)
        n_words[i] = len(tokens)
        if tokens:
            counts[i] = counter.count(tokens)
    keep = [c for c in table.columns if c not in ("text", "title", "is_duplicate", "has_text")]
    out = (
        table[keep]
        .reset_index(drop=True)
        .assign(n_words=n_words, **{role: counts[:, k] for k, role in enumerate(ROLES)})
    )
    return out.assign(tone=_tone(out))


def _per_group(rows: pd.DataFrame, *, keys: list[str]) -> pd.DataFrame:
    sums = ["n_words", *ROLES]
    grouped = rows.groupby(keys, sort=True, dropna=False, observed=True)
    out = grouped[sums].sum().join(grouped.size().rename("n_articles")).reset_index()
    out = out[[*keys, "n_articles", *sums]]
    return out.assign(tone=_tone(out))


def dictionary_tone(
    articles: pd.DataFrame,
    dictionary: Mapping | str | os.PathLike,
    *,
    by: str | Sequence[str] | None = None,
    freq: Literal["D", "W", "M"] | None = None,
    categories: Mapping[str, str] | None = None,
    copies: Copies = "all",
    english_only: bool = True,
) -> pd.DataFrame:
    """
    Score the tone of texts with a sentiment dictionary, negations counted as Lexicoder does.

    Parameters
    ----------
    articles : DataFrame
        A table with a ``text`` column: articles, sentences or headlines.
    dictionary : Dictionary, mapping, path or bundled name
        Anything :func:`analysis.load_dictionary` accepts (a Lexicoder ``.lc3``
        file, say) with categories ``positive`` and ``negative`` and, optionally,
        ``neg_positive`` and ``neg_negative``.
    by : str, sequence of str or None
        Group columns; with neither ``by`` nor ``freq`` one row per text.
    freq : {"D", "W", "M"} or None
        Also group by day, week or month of ``published``.
    categories : mapping, optional
        Role -> category name, for dictionaries that name them otherwise
        (``{"positive": "posemo", "negative": "negemo"}``).
    copies : {"unique", "all"}, default "all"
        Count each story once (see :func:`analysis.dedupe`).
    english_only : bool, default True
        Leave out rows whose ``language`` is known and not English.

    Returns
    -------
    DataFrame
        Per text: the table's columns (without the text), ``n_words``,
        ``positive, negative, neg_positive, neg_negative`` (hits) and ``tone``
        (percentage points: ``100 * (positive + neg_negative - negative -
        neg_positive) / n_words``; NaN for a text without tokens). Per group:
        ``[*by, period?], n_articles``, the summed counts and the tone of the
        summed counts.

    Examples
    --------
    >>> book = {"positive": ["good", "peace"], "negative": ["bad*"],
    ...         "neg_positive": ["not good"], "neg_negative": ["not bad*"]}
    >>> texts = pd.DataFrame({"text": ["Not good at all.", "Peace is not bad."]})
    >>> dictionary_tone(texts, book)[["positive", "negative", "neg_positive", "neg_negative", "tone"]]
       positive  negative  neg_positive  neg_negative  tone
    0         0         0             1             0 -25.0
    1         1         0             0             1  50.0
    """
    book = load_dictionary(dictionary) if not isinstance(dictionary, Dictionary) else dictionary
    roles = _roles(book, categories)
    unique = unique_copies(copies)
    keys = [*wt.as_list(by), *(["period"] if freq else [])]
    options = {"freq": freq, "english_only": english_only, "unique": unique}
    plan = Plan(
        step=functools.partial(_article_rows, book=book, roles=roles, **options),
        finish=functools.partial(_per_group, keys=keys) if keys else None,
        stories=unique,
    )
    return run(plan, articles)
