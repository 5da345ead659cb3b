"""Detect each article's language and keep other languages out of English-only analyses.

Detection uses py3langid (a small offline naive Bayes model over byte n-grams, 97
languages), on the first ``max_chars`` characters of the body (the title when the
body is empty). A text with fewer than ``min_letters`` letters, or whose best
language has a probability under ``min_confidence``, gets no language (None):
a guess on "Photo: AP" is worse than no answer. The model is py3langid's; it is
applied to whole batches of texts at once with numpy (see :func:`_classify`), which
gives py3langid's answers several times faster.

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
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from analysis.errors import ParameterError, SchemaError

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
    out: list[str | None] = []
    block: list[str | None] = []
    for text in texts:
        sample = text[:max_chars] if isinstance(text, str) else ""
        block.append(sample if sum(map(str.isalpha, sample)) >= min_letters else None)
        if len(block) == BLOCK_TEXTS:
            out += _decide(block, min_confidence)
            block = []
    return out + _decide(block, min_confidence)


#: Texts read and classified together (bounds the memory of a long input).
BLOCK_TEXTS = 50_000


def _decide(samples: list[str | None], min_confidence: float) -> list[str | None]:
    todo = [s for s in samples if s is not None]
    found = iter(zip(*_classify(todo)) if todo else ())
    out: list[str | None] = []
    for sample in samples:
        if sample is None:
            out.append(None)
            continue
        lang, prob = next(found)
        out.append(lang if prob >= min_confidence else None)
    return out


# --------------------------------------------------------------------------- batch classifier
#
# py3langid classifies one text at a time: a walk through a byte automaton in a
# Python loop, then a naive Bayes score. The same model is applied here to a
# batch of texts at once: the automaton advances every text of the batch by one
# byte per numpy step, the features each text reaches are counted in a sparse
# matrix, and one sparse-dense product gives every text's scores. The decisions
# equal py3langid's ``classify`` (tests compare them on the real corpora); the
# probabilities agree to float32 rounding (the sums run in another order).

#: Bytes of padded batch (texts x longest text) handled per numpy step.
BATCH_BYTES = 4_000_000


@functools.lru_cache(maxsize=1)
def _model() -> dict:
    from importlib.metadata import version

    from analysis.text.nlp import cached_arrays

    def build() -> dict:
        ident = _identifier()
        return {
            "nextmove": np.frombuffer(ident.tk_nextmove, dtype=f"u{ident.tk_nextmove.itemsize}"),
            "rowbase": np.asarray(ident.tk_row, dtype=np.int64) << 8,
            "output": np.asarray(ident.tk_output, dtype=np.int64),
            "ptc": np.asarray(ident.nb_ptc, dtype=np.float32),
            "pc": np.asarray(ident.nb_pc, dtype=np.float32),
            "classes": np.asarray(ident.nb_classes, dtype=str),
            "aliases": np.asarray(ident._alias_pairs, dtype=np.int64).reshape(-1, 2),
        }

    arrays = cached_arrays(f"langid-{version('py3langid')}-f32", build, mmap=True)
    return {
        **arrays,
        "ptc": np.asarray(arrays["ptc"], dtype=np.float32),
        "classes": arrays["classes"].tolist(),
        "aliases": [tuple(p) for p in arrays["aliases"].tolist()],
    }


def _encode(text: str) -> bytes:
    """The bytes py3langid reads for a text (upper-case texts lowered, NFC)."""
    import unicodedata

    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf-8", errors="surrogatepass")


def _classify(texts: list[str]) -> tuple[list[str], list[float]]:
    """Best language and its probability for each text (py3langid, normalised probabilities)."""
    model = _model()
    encoded = [_encode(t) for t in texts]
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    order = np.argsort(-lengths, kind="stable")
    labels: list[str] = [""] * len(texts)
    probs = np.zeros(len(texts), dtype=np.float64)
    start = 0
    while start < len(order):
        longest = max(int(lengths[order[start]]), 1)
        stop = min(len(order), start + max(1, BATCH_BYTES // longest))
        rows = order[start:stop]
        scores = _scores([encoded[i] for i in rows.tolist()], lengths[rows], model)
        best = scores.argmax(axis=1)
        probs[rows] = scores[np.arange(len(rows)), best]
        for r, b in zip(rows.tolist(), best.tolist()):
            labels[r] = model["classes"][b]
        start = stop
    return labels, probs.tolist()


def _scores(encoded: list[bytes], lengths: np.ndarray, model: dict) -> np.ndarray:
    """Normalised class probabilities (texts x classes, float32) of texts sorted longest first."""
    from scipy.sparse import csr_matrix

    n, longest = len(encoded), int(lengths[0]) if len(lengths) else 0
    # byte ``pos`` of every text in row ``pos`` (position-major: each step reads one row)
    grid = np.zeros((max(longest, 1), n), dtype=np.uint8)
    flat = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    starts = np.cumsum(lengths) - lengths
    grid[np.arange(len(flat)) - np.repeat(starts, lengths), np.repeat(np.arange(n), lengths)] = flat
    # texts still running at each position: a prefix, as the batch is sorted longest first
    running = n - np.searchsorted(lengths[::-1], np.arange(longest), side="right")
    nextmove, rowbase, output = model["nextmove"], model["rowbase"], model["output"]
    state = np.zeros(n, dtype=np.int64)
    feats = np.full((max(longest, 1), n), -1, dtype=np.int32)
    for pos in range(longest):
        k = int(running[pos])
        s = nextmove[rowbase[state[:k]] + grid[pos, :k]]
        state[:k] = s
        feats[pos, :k] = output[s]
    feats = feats.T
    hit = feats >= 0
    rows = np.nonzero(hit)[0]
    counts = csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, feats[hit])),
        shape=(n, len(model["ptc"])),
    )
    counts.sum_duplicates()
    counts.data = np.log1p(counts.data)
    scores = np.asarray(counts @ model["ptc"], dtype=np.float32) + model["pc"]
    featureless = np.diff(counts.indptr) == 0
    scores[featureless] = 0.0
    scores *= (1.0 / np.sqrt(np.maximum(lengths, 1))).astype(np.float32)[:, None]
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    scores /= scores.sum(axis=1, keepdims=True)
    for i, j in model["aliases"]:
        scores[:, i] += scores[:, j]
        scores[:, j] = 0.0
    return scores


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


#: Exclusion warnings already given by this process (each is given once).
_SAID: set[str] = set()


def _copy_on_write() -> bool:
    if int(pd.__version__.split(".")[0]) >= 3:
        return True  # always on
    return pd.options.mode.copy_on_write is True


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
    # primary subtag ("en-GB" -> "en"), worked out once per distinct value
    lookup = {v: re.split(r"[-_]", v.lower(), maxsplit=1)[0] for v in language.dropna().unique()}
    code = language.map(lookup).astype("string")
    unknown = code.isna() | (code == "")
    keep = (code == ENGLISH).fillna(False) | (unknown & include_unknown)
    keep = keep.to_numpy(dtype=bool)
    # a new table either way (a mask takes a copy); with every row kept and pandas
    # copying on write, the columns are shared until one side changes them
    kept = articles.copy(deep=not _copy_on_write()) if keep.all() else articles.loc[keep]
    if detect:
        kept = kept.assign(language=language[keep].astype("string"))
    dropped = code[~keep].fillna("unknown")
    counts = {str(k): int(v) for k, v in dropped.value_counts().items()}
    kept.attrs["excluded_languages"] = counts
    if counts:
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
        message = (
            f"English-only analysis: excluded {len(dropped)} of {len(articles)} articles "
            f"not detected as English ({detail})"
        )
        # said once per process: every helper of a report selects the same rows again
        logger.log(logging.INFO if message in _SAID else logging.WARNING, "%s", message)
        _SAID.add(message)
    else:
        logger.info("English-only analysis: all %d articles kept", len(articles))
    return kept


# ------------------------------------------------ language names in exports

#: Language names as database exports and article lists write them (in the
#: languages of their interfaces), by ISO 639-1 code: Factiva's "Allemand",
#: Nexis's "Englisch", GDELT's "Portuguese".
LANGUAGE_NAMES: dict[str, str] = {
    "af": "afrikaans",
    "ar": "arabic",
    "az": "azerbaijani",
    "be": "belarusian",
    "bg": "bulgarian",
    "bn": "bengali",
    "bs": "bosnian",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german deutsch allemand alemán aleman tedesco duits alemão немецкий",
    "el": "greek",
    "en": "english englisch anglais inglés ingles inglese engels inglês английский 英語 英文 영어",
    "es": "spanish spanisch espagnol español espanol spagnolo spaans espanhol испанский",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french französisch francais français francés frances francese frans francês французский",
    "gl": "galician",
    "gu": "gujarati",
    "he": "hebrew",
    "hi": "hindi",
    "hr": "croatian",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "is": "icelandic",
    "it": "italian italienisch italien italiano italiaans итальянский",
    "ja": "japanese japonais japanisch japonés giapponese 日本語",
    "ka": "georgian",
    "kk": "kazakh",
    "kn": "kannada",
    "ko": "korean",
    "lt": "lithuanian",
    "lv": "latvian",
    "mk": "macedonian",
    "ml": "malayalam",
    "mn": "mongolian",
    "mr": "marathi",
    "ms": "malay",
    "ne": "nepali",
    "nl": "dutch niederländisch néerlandais neerlandais neerlandés nederlands olandese holandês",
    "no": "norwegian",
    "pa": "punjabi",
    "pl": "polish polnisch polonais polaco",
    "pt": "portuguese portugiesisch portugais portugués português portugues portoghese portugees",
    "ro": "romanian",
    "ru": "russian russisch russe ruso russo русский",
    "si": "sinhala",
    "sk": "slovak",
    "sl": "slovenian",
    "so": "somali",
    "sq": "albanian",
    "sr": "serbian",
    "sv": "swedish schwedisch suédois sueco",
    "sw": "swahili",
    "ta": "tamil",
    "te": "telugu",
    "th": "thai",
    "tl": "tagalog",
    "tr": "turkish",
    "uk": "ukrainian ukrainisch ukrainien ucraniano",
    "ur": "urdu",
    "vi": "vietnamese",
    "zh": "chinese chinois chinesisch chino cinese chinês 中文",
}  # fmt: skip
_CODE_OF_NAME = {name: code for code, names in LANGUAGE_NAMES.items() for name in names.split()}


def language_of_name(name: str | None) -> str | None:
    """
    Return the ISO 639-1 code of a language written out by name, or None.

    Examples
    --------
    >>> language_of_name("Allemand"), language_of_name(" English "), language_of_name("Klingon")
    ('de', 'en', None)
    """
    if not isinstance(name, str):
        return None
    return _CODE_OF_NAME.get(name.strip().lower())
