"""Detect each article's language and keep other languages out of English-only analyses.

Detection uses py3langid (a small offline naive Bayes model over byte n-grams, 97
languages), on the first ``max_chars`` characters of the body (the title when the
body is empty). A text with fewer than ``min_letters`` letters, or whose best
language has a probability under ``min_confidence``, gets no language (None):
a guess on "Photo: AP" is worse than no answer.

The rule for analyses
---------------------
Word lists, sentiment lexicons, quote patterns and sentence splitting in this
toolkit are English. Analyses that depend on them call :func:`english_only`
first, which drops articles detected as another language and logs how many it
dropped and which languages they were (a warning, never silent). Articles whose
language could not be told are kept by default (``include_unknown=True``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .errors import ParameterError, SchemaError

logger = logging.getLogger(__name__)

ENGLISH = "en"


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(
    texts: Iterable[str],
    *,
    min_letters: int = 20,
    max_chars: int = 1000,
    min_confidence: float = 0.5,
) -> list[str | None]:
    """
    Return the ISO 639-1 code of each text's language, or None when it cannot be told.

    Parameters
    ----------
    texts : iterable of str
        Texts; None and non-strings count as empty.
    min_letters : int, default 20
        Texts with fewer letters get None.
    max_chars : int, default 1000
        Only this many leading characters are read (enough for a reliable guess,
        and it bounds the cost of very long texts).
    min_confidence : float, default 0.5
        Probability the best language needs; below it the answer is None.

    Returns
    -------
    list of str or None
        One entry per text, in order.

    Raises
    ------
    ParameterError
        If an option is out of range.

    Examples
    --------
    >>> detect_language([
    ...     "The talks in Istanbul ended without an agreement on Tuesday evening.",
    ...     "Die Gespräche in Istanbul endeten am Dienstagabend ohne eine Einigung.",
    ...     "Photo: AP",
    ...     "",
    ... ])
    ['en', 'de', None, None]
    """
    if not isinstance(min_letters, int) or min_letters < 1:
        raise ParameterError(f"min_letters must be a positive integer, got {min_letters!r}")
    if not isinstance(max_chars, int) or max_chars < min_letters:
        raise ParameterError(f"max_chars must be an integer >= min_letters, got {max_chars!r}")
    if not isinstance(min_confidence, (int, float)) or not 0 <= min_confidence <= 1:
        raise ParameterError(f"min_confidence must be in [0, 1], got {min_confidence!r}")
    if isinstance(texts, str):
        raise ParameterError("texts must be an iterable of strings, not one string")
    ident = None
    out: list[str | None] = []
    for text in texts:
        sample = text[:max_chars] if isinstance(text, str) else ""
        if sum(map(str.isalpha, sample)) < min_letters:
            out.append(None)
            continue
        ident = ident or _identifier()
        lang, prob = ident.classify(sample)
        out.append(lang if prob >= min_confidence else None)
    return out


def flag_languages(articles: pd.DataFrame, *, overwrite: bool = False, **options) -> pd.DataFrame:
    """
    Fill the ``language`` column of an articles table.

    Parameters
    ----------
    articles : DataFrame
        Articles table with a ``text`` column (``title`` is used when a body is empty).
    overwrite : bool, default False
        Re-detect rows that already have a language (for example one declared by
        an HTML page); by default they are kept.
    **options
        Passed to :func:`detect_language`.

    Returns
    -------
    DataFrame
        A copy with ``language`` (string; missing where it cannot be told).

    Examples
    --------
    >>> df = pd.DataFrame({"text": ["Le gouvernement a annoncé de nouvelles sanctions contre la Russie.",
    ...                             "The government announced new sanctions against Russia today."]})
    >>> flag_languages(df)["language"].tolist()
    ['fr', 'en']
    """
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError("<table>", f"expected a pandas DataFrame, got {type(articles).__name__}")
    if "text" not in articles.columns:
        raise SchemaError("text", "missing: language is detected from article bodies")
    current = (
        articles["language"].astype("string")
        if "language" in articles.columns
        else pd.Series(pd.NA, index=articles.index, dtype="string")
    )
    if overwrite:
        todo = np.ones(len(articles), dtype=bool)
    else:
        todo = (current.isna() | (current.str.strip() == "")).fillna(True).to_numpy(dtype=bool)
    texts = articles["text"].where(articles["text"].notna(), "").astype(str)
    if "title" in articles.columns:
        titles = articles["title"].where(articles["title"].notna(), "").astype(str)
        texts = texts.where(texts.str.strip() != "", titles)
    found = detect_language(texts[todo].tolist(), **options)
    language = current.copy()
    language[todo] = pd.array(found, dtype="string")
    return articles.assign(language=language)


def english_only(
    articles: pd.DataFrame, *, include_unknown: bool = True, detect: bool = True
) -> pd.DataFrame:
    """
    Keep the articles an English-only analysis may read; log what was left out.

    Parameters
    ----------
    articles : DataFrame
        Articles table.
    include_unknown : bool, default True
        Keep articles whose language could not be told (very short texts).
    detect : bool, default True
        Detect the language of rows that have none yet (or no ``language``
        column); with False such rows count as unknown.

    Returns
    -------
    DataFrame
        The English (and, by default, unknown-language) rows, as a copy.
        ``attrs["excluded_languages"]`` maps each excluded language to its count.

    Examples
    --------
    >>> df = pd.DataFrame({"text": ["Les négociations ont repris à Istanbul mardi matin.",
    ...                             "Talks resumed in Istanbul on Tuesday morning, officials said.",
    ...                             "Ok"]})
    >>> english_only(df)["text"].str[:12].tolist()
    ['Talks resume', 'Ok']
    """
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError("<table>", f"expected a pandas DataFrame, got {type(articles).__name__}")
    if detect and "text" in articles.columns:
        table = flag_languages(articles)
        language = table["language"]
    elif "language" in articles.columns:
        language = articles["language"].astype("string")
    else:
        language = pd.Series(pd.NA, index=articles.index, dtype="string")
    code = language.str.lower().str.split(r"[-_]", n=1).str[0]
    unknown = code.isna() | (code == "")
    keep = (code == ENGLISH).fillna(False) | (unknown & include_unknown)
    keep = keep.to_numpy(dtype=bool)
    kept = articles.loc[keep]
    if detect:
        kept = kept.assign(language=language[keep].astype("string"))
    else:
        kept = kept.copy()
    dropped = code[~keep].fillna("unknown")
    counts = {str(k): int(v) for k, v in dropped.value_counts().items()}
    kept.attrs["excluded_languages"] = counts
    if counts:
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
        logger.warning(
            "English-only analysis: excluded %d of %d articles not detected as English (%s)",
            len(dropped),
            len(articles),
            detail,
        )
    else:
        logger.info("English-only analysis: all %d articles kept", len(articles))
    return kept
