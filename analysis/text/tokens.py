"""The one tokenizer used by every word measurement of the toolkit.

:func:`tokenize` turns a text into lowercase tokens with a single regular
expression, so that counts, keyness, trends, KWIC and dictionaries all agree on
what a "word" is. The rules, in the order they are tried at each position:

1. **URLs** (``http://``, ``https://`` or ``www.``) stay whole, lowercased, without
   trailing punctuation: ``https://bbc.co.uk/news``.
2. **Dotted abbreviations** of single letters are one token without the final dot:
   ``U.S.`` and ``U.S`` both give ``u.s``; ``e.g.`` gives ``e.g``.
3. **Numbers** with decimal or thousands separators stay whole: ``1,000``, ``3.5``.
4. **Words**: runs of letters and digits (any script), joined by single inner
   hyphens or apostrophes: ``pro-russian``, ``covid-19``, ``don't``, ``f-16s``,
   ``then-u.s``.
   Underscores and every other character separate tokens.

After any token, a trailing ``'s`` is dropped: ``Russia's`` gives ``russia``
(so do the contractions ``it's`` and ``let's``, giving ``it`` and ``let``).
A trailing plural apostrophe is dropped too (``Ukrainians'`` gives ``ukrainians``).
The typographic apostrophe ``’``, the acute accent ``´`` and the modifier
letter ``ʼ`` count as ``'`` (wire copy uses all three). Tokens never contain whitespace,
so tokenizing a text equals tokenizing its whitespace-separated pieces one by
one; the fast counters in :mod:`analysis.measures.terms` rely on that.

Stopwords are not removed here: measurements remove them (English plus a news
list, from :func:`analysis.text.nlp.stopwords`), so a caller can still count "war"
against "the".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

__all__ = [
    "TOKEN_PATTERN",
    "tokenize",
    "normalize",
    "ngrams",
    "default_stopwords",
    "word_matchers",
    "literal_runs",
]

_URL_BODY = r"[^\s<>\"'“”()\[\]{}]*[^\s<>\"'“”()\[\]{}.,;:!?]"

_ABBR = r"[^\W\d_](?:\.[^\W\d_])+(?![^\W_])"

#: The compiled pattern behind :func:`tokenize`; group 1 is the token.
TOKEN_PATTERN: re.Pattern[str] = re.compile(
    r"("
    r"https?://" + _URL_BODY + r"|www\." + _URL_BODY + r"|(?<![^\W_])" + _ABBR + r"|\d+(?:[.,]\d+)+"
    r"|[^\W_]+(?:['\-](?!s\b)(?:" + _ABBR + r"|[^\W_]+))*"
    r")(?:'s\b)?"
)

_findall = TOKEN_PATTERN.findall


def tokenize(text: str) -> list[str]:
    """
    Split a text into lowercase tokens (the toolkit's one definition of a word).

    Parameters
    ----------
    text : str
        Any text; ``None`` and missing values give an empty list.

    Returns
    -------
    list of str
        Tokens in text order. Stopwords are kept; see the module documentation
        for the rules on URLs, abbreviations, numbers, hyphens and possessives.

    Examples
    --------
    >>> tokenize("Russia's pro-Russian forces fired 1,000 shells at U.S. allies.")
    ['russia', 'pro-russian', 'forces', 'fired', '1,000', 'shells', 'at', 'u.s', 'allies']
    >>> tokenize("See https://example.org/news, it’s covid-19.")
    ['see', 'https://example.org/news', 'it', 'covid-19']
    """
    if not isinstance(text, str):
        return []
    return _findall(normalize(text))


def normalize(text: str) -> str:
    """
    Lowercase a text and write every apostrophe as ``'`` (the length never changes
    except for the rare characters whose lowercase form is longer).

    Examples
    --------
    >>> normalize("Kyiv’s")
    "kyiv's"
    """
    return text.lower().replace("\u2019", "'").replace("\u00b4", "'").replace("\u02bc", "'")


def word_matchers(entry: str) -> tuple:
    """
    Turn a term or phrase into one matcher per token: a token, or a regex for a wildcard.

    ``*`` stands for any characters and ``?`` for one, inside one token; a
    regex is matched against whole tokens. Words are normalized like text, so
    ``"Russia's"`` gives ``("russia",)``. Punctuation alone gives ``()``.

    Examples
    --------
    >>> word_matchers("Peace talks")
    ('peace', 'talks')
    >>> word_matchers("negotiat*")[0].pattern
    'negotiat.*'
    """
    words: list = []
    for part in entry.split():
        if "*" in part or "?" in part:
            low = normalize(part)
            if low.endswith("'s"):
                low = low[:-2]
            rx = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in low)
            words.append(re.compile(rx, re.DOTALL))
        else:
            words.extend(tokenize(part))
    return tuple(words)


def literal_runs(pattern: str) -> list[str]:
    """
    Split a wildcard regex of :func:`word_matchers` into its runs of literal characters.

    Examples
    --------
    >>> literal_runs(word_matchers("ne?otiat*")[0].pattern)
    ['ne', 'otiat', '']
    """
    runs, run, i = [], [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            run.append(pattern[i + 1])
            i += 2
            continue
        if ch == ".":  # "." or ".*": a wildcard ends the run
            runs.append("".join(run))
            run = []
            i += 2 if pattern[i + 1 : i + 2] == "*" else 1
            continue
        run.append(ch)
        i += 1
    runs.append("".join(run))
    return runs


def ngrams(tokens: list[str], n: int) -> Iterator[str]:
    """
    Yield the ``n``-grams of a token list as space-joined strings.

    Examples
    --------
    >>> list(ngrams(["peace", "talks", "resume"], 2))
    ['peace talks', 'talks resume']
    """
    if n == 1:
        return iter(tokens)
    return map(" ".join, zip(*(tokens[i:] for i in range(n))))


def default_stopwords(extra: Iterable[str] | None = None) -> frozenset[str]:
    """
    Return the stopword list used by default (English plus news words), extended.

    Extra words are tokenized like text, so ``"Russia's"`` adds ``russia``.

    Examples
    --------
    >>> "the" in default_stopwords() and "kyiv" in default_stopwords(["Kyiv"])
    True
    """
    from analysis.text.nlp import stopwords

    base = stopwords()
    if not extra:
        return base
    if isinstance(extra, str):
        extra = [extra]
    return base | {t for word in extra for t in tokenize(word)}
