"""Who and where the coverage is about: people, organisations, places and groups it names.

:func:`entities` finds the names (:mod:`analysis.text.ner`: spaCy's small English
pipeline, run lean, with our rules), one row per mention, and gives each its
actor, the canonical name its spellings, titles and surnames share
(:mod:`analysis.text.actors`). The measures on that table (top actors, actors
on the rise, co-mentions, tone, mentioned against quoted) are in
:mod:`analysis.measures.actors`.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from analysis.engine import cache_folder, cached_by_article, gather, is_dask
from analysis.errors import SchemaError
from analysis.text.actors import canonical_names, read_aliases

#: Columns of the table :func:`entities` returns.
COLUMNS = ["article_id", "sentence", "start", "end", "text", "type", "actor"]
#: Above this many characters of text, recognition is shared between processes.
PARALLEL_MIN_CHARS = 1_000_000

_RAW = {
    "article_id": "string",
    "sentence": "int64",
    "start": "int64",
    "end": "int64",
    "text": "string",
    "label": "string",
}


def _empty_raw() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _RAW.items()})


def _recognise_slice(texts: list[str]) -> list[list[tuple]]:
    from analysis.text.ner import recognise

    return list(recognise(texts))


def spans_per_article(texts: list[str], n_jobs: int | None) -> list[list[tuple]]:
    """Entities of every text, in order; over several processes for large inputs."""
    from analysis.text.ner import load_model
    from analysis.workers import n_workers

    load_model()  # loaded once, before the processes fork, so each shares it
    chars = sum(len(t) for t in texts)
    workers = 1 if (n_jobs is None and chars < PARALLEL_MIN_CHARS) else n_workers(n_jobs, chars)
    if workers < 2 or len(texts) < 2 * workers:
        return _recognise_slice(texts)
    import multiprocessing as mp

    try:
        ctx = mp.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork
        return _recognise_slice(texts)
    n_parts = min(len(texts), 4 * workers)
    size = -(-len(texts) // n_parts)
    slices = [texts[i : i + size] for i in range(0, len(texts), size)]
    out: list[list[tuple]] = []
    with ctx.Pool(workers) as pool:
        for part in pool.imap(_recognise_slice, slices):
            out.extend(part)
    return out


def recognised_names(articles: pd.DataFrame, *, rules: str = "") -> pd.DataFrame:
    """
    The names in each article, as the recogniser and our rules find them (cached per article).

    ``rules`` (:func:`analysis.text.ner.rules_version`) only keys the cache: rows
    found by other rules or another model are kept apart.

    Returns
    -------
    DataFrame
        ``[article_id, sentence, start, end, text, label]``, ``label`` in
        OntoNotes' names (PERSON, ORG, GPE, LOC, FAC, NORP, ...), names of actors
        and places only.
    """
    from analysis.text.ner import TYPES

    if not len(articles):
        return _empty_raw()
    texts = [t if isinstance(t, str) else "" for t in articles["text"]]
    n_jobs = _N_JOBS.get("n")
    rows = []
    for aid, text, spans in zip(
        articles["article_id"], texts, spans_per_article(texts, n_jobs), strict=True
    ):
        for start, end, label, sentence in spans:
            if label in TYPES:
                rows.append((aid, sentence, start, end, text[start:end], label))
    if not rows:
        return _empty_raw()
    return pd.DataFrame(rows, columns=list(_RAW)).astype(_RAW)


#: processes asked for by the current :func:`entities` call (not part of the cache's key)
_N_JOBS: dict[str, Any] = {}


def entities(
    articles: pd.DataFrame,
    *,
    aliases: Any = None,
    cache_dir: str | os.PathLike | None = None,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """
    Find the people, organisations, places and groups each article names, one row per mention.

    Names are found by spaCy's small English pipeline (its entity recogniser alone,
    in batches, over the sentences that hold a capitalised word) and tidied by our
    rules: titles cut off ("President Zelensky" -> Zelensky), "the Kremlin" and
    "the White House" organisations, known places the model missed or mistyped
    (a dateline "LVIV:" too), a surname typed as an organisation or place where
    the article names that person in full. Each mention then gets its actor (see
    :func:`analysis.text.actors.canonical_names`): Zelensky, Zelenskiy, Zelenskyy,
    Volodymyr Zelensky and President Zelensky are one actor; Kuleba after Dmytro
    Kuleba is Dmytro Kuleba.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table with ``article_id`` and ``text`` (pandas or Dask).
    aliases : str, Path or mapping, optional
        A YAML alias file, ``{canonical: [variants]}`` under ``merge:`` and names
        kept apart under ``separate:`` (see :func:`analysis.text.actors.read_aliases`).
    cache_dir : str, Path or None
        Folder of the per-article cache (the corpus folder of ``articles`` by
        default; ``False`` computes afresh); a rerun recognises new or changed
        articles only. The alias file is applied after the cache, so changing it
        costs no recognition.
    n_jobs : int or None
        Processes; by default every core for more than a million characters of text.

    Returns
    -------
    DataFrame
        ``[article_id, sentence, start, end, text, type, actor]``: ``sentence``
        the index of the sentence in the article
        (:func:`analysis.text.nlp.sentence_spans`), ``start``/``end`` character
        offsets of ``text`` in the article's text, ``type`` PERSON, ORG, PLACE or
        GROUP (nationalities, religious and political groups), ``actor`` the
        canonical name.

    Raises
    ------
    analysis.text.ner.ModelMissing
        If spaCy or its English pipeline is not installed (the message says what
        to install).

    Examples
    --------
    >>> df = pd.DataFrame({"article_id": ["a"],
    ...     "text": ["President Zelenskiy met Dmytro Kuleba in Kyiv. Kuleba said the Kremlin lied."]})
    >>> entities(df)[["text", "type", "actor"]]  # doctest: +SKIP
                     text    type          actor
    0           Zelenskiy  PERSON      Zelensky
    1       Dmytro Kuleba  PERSON  Dmytro Kuleba
    2                Kyiv   PLACE           Kyiv
    3              Kuleba  PERSON  Dmytro Kuleba
    4             Kremlin     ORG        Kremlin
    """
    from analysis.text.ner import TYPES, rules_version

    for col in ("article_id", "text"):
        if col not in articles.columns:
            raise SchemaError(col, "missing; entities need the articles table")
    table = read_aliases(aliases)  # a bad alias file fails before any recognition
    rules = rules_version()  # a missing model is said at once, with what to install
    _N_JOBS["n"] = n_jobs
    try:
        raw = cached_by_article(
            recognised_names,
            articles[["article_id", "text"]],
            cache_dir=cache_folder(cache_dir, articles),
            name="entities",
            rules=rules,
        )
    finally:
        _N_JOBS.clear()
    raw = gather(raw, list(_RAW)) if is_dask(raw) else raw
    if not len(raw):
        return pd.DataFrame({c: pd.Series(dtype="string") for c in COLUMNS})
    mentions = raw.assign(type=raw["label"].map(TYPES)).drop(columns="label")
    out = canonical_names(mentions, aliases=table)
    return out[COLUMNS].reset_index(drop=True)
