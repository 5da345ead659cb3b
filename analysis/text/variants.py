"""Spellings of one word (British and American, transliterations) counted as one term."""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from importlib import resources

from analysis.errors import ParameterError
from analysis.text.tokens import tokenize

VARIANTS_FILE = "spelling_variants.txt"


@functools.lru_cache(maxsize=1)
def _bundled() -> tuple[tuple[str, tuple[str, ...]], ...]:
    text = resources.files("analysis").joinpath("data", VARIANTS_FILE).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        words = line.split()
        if len(words) > 1 and not line.startswith("#"):
            rows.append((words[0], tuple(words[1:])))
    return tuple(rows)


def spelling_variants(
    extra: Mapping[str, Collection[str]] | Collection[str] | None = None, *, bundled: bool = True
) -> dict[str, list[str]]:
    """
    Return the spellings to count as one term: the bundled British/American pairs plus ``extra``.

    Parameters
    ----------
    extra : mapping of str to list of str, or list of str, optional
        More spellings, ``{"zelensky": ["zelenskiy", "zelenskyy"]}``: each key is the term
        shown, its values the spellings folded into it; or, as a report parameter gives
        them, ``["zelensky/zelenskiy/zelenskyy"]``: the first spelling is the term. A key of
        ``extra`` replaces the bundled entry of the same key.
    bundled : bool, default True
        Start from the list shipped in ``analysis/data/spelling_variants.txt`` (about
        seventy words such as defence/defense, centre/center, organisation/organization).

    Returns
    -------
    dict of str to list of str

    Examples
    --------
    >>> spelling_variants({"zelensky": ["Zelenskiy"]})["zelensky"]
    ['Zelenskiy']
    >>> spelling_variants()["defense"]
    ['defence']
    >>> spelling_variants(["kyiv/kiev"], bundled=False)
    {'kyiv': ['kiev']}
    """
    out = {key: list(spellings) for key, spellings in _bundled()} if bundled else {}
    if extra is not None and not isinstance(extra, Mapping):
        if isinstance(extra, str):
            extra = [extra]
        groups = [[w.strip() for w in entry.split("/") if w.strip()] for entry in extra]
        bad = [entry for entry, words in zip(extra, groups) if len(words) < 2]
        if bad:
            raise ParameterError(
                f"variants: {bad[0]!r} names no spellings; write the term first, then its "
                "spellings, separated by '/' (\"zelensky/zelenskiy/zelenskyy\")"
            )
        extra = {words[0]: words[1:] for words in groups}
    for key, spellings in (extra or {}).items():
        if isinstance(spellings, str):
            spellings = [spellings]
        out[key] = list(spellings)
    return out


def fold_map(variants, *, where: str = "variants") -> dict[str, str]:
    """
    Return ``{token: term}`` for the ``variants`` option: ``"default"`` (the bundled list),
    a mapping of term to spellings, or None (nothing folded).

    Terms and spellings are tokenized like text (lower case, no possessive).

    Examples
    --------
    >>> fold_map({"Zelensky": ["Zelenskiy", "zelenskyy"]})
    {'zelenskiy': 'zelensky', 'zelenskyy': 'zelensky'}
    """
    if variants is None or variants is False:
        return {}
    if isinstance(variants, str):
        if variants != "default":
            raise ParameterError(
                f"{where}={variants!r}; expected 'default', None or a mapping of term to spellings"
            )
        variants = spelling_variants()
    if not isinstance(variants, Mapping):
        raise ParameterError(
            f"{where}: expected a mapping of term to spellings, got {type(variants).__name__}"
        )
    out: dict[str, str] = {}
    for key, spellings in variants.items():
        term = _one_token(key, where)
        if isinstance(spellings, str):
            spellings = [spellings]
        for spelling in spellings:
            token = _one_token(spelling, where)
            if token != term:
                out[token] = term
    return out


def _one_token(word, where: str) -> str:
    tokens = tokenize(word) if isinstance(word, str) else []
    if len(tokens) != 1:
        raise ParameterError(f"{where}: {word!r} is not one word")
    return tokens[0]
