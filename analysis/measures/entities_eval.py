"""Scoring an entity recogniser against CoNLL-2003: exact spans, per type."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from analysis.errors import InputError

#: CoNLL-2003 type of each of our types (GROUP is scored as MISC)
CONLL_TYPE = {"PERSON": "PER", "ORG": "ORG", "PLACE": "LOC", "GROUP": "MISC"}


def read_conll(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """
    Read a CoNLL-2003 file (``token POS chunk NER`` lines, IOB2 tags) as articles and gold spans.

    Each ``-DOCSTART-`` starts an article; its text is its tokens joined by spaces,
    one sentence a line, so that character offsets are exact.

    Returns
    -------
    (DataFrame, DataFrame)
        Articles ``[article_id, text, sentences]`` and gold entities
        ``[article_id, start, end, type]`` (type PER, ORG, LOC or MISC).
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(path, f"cannot read the CoNLL file ({exc.strerror or exc})") from exc
    docs: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for n, line in enumerate(lines, 1):
        parts = line.split()
        if not parts:
            if sentence and docs:
                docs[-1].append(sentence)
            sentence = []
            continue
        if parts[0] == "-DOCSTART-":
            docs.append([])
            continue
        if len(parts) < 2:
            raise InputError(path, f"line {n}: expected 'token ... tag', got {line!r}")
        if not docs:
            docs.append([])
        sentence.append((parts[0], parts[-1]))
    if sentence and docs:
        docs[-1].append(sentence)
    articles, gold = [], []
    for i, sentences in enumerate(docs):
        aid = f"conll-{i:03d}"
        pieces, offset = [], 0
        for tokens in sentences:
            open_span = None
            for token, tag in tokens:
                start, end = offset, offset + len(token)
                if tag.startswith("B-") or (tag.startswith("I-") and open_span is None):
                    if open_span:
                        gold.append((aid, *open_span))
                    open_span = [start, end, tag[2:]]
                elif tag.startswith("I-"):
                    open_span[1] = end
                else:
                    if open_span:
                        gold.append((aid, *open_span))
                    open_span = None
                pieces.append(token)
                offset = end + 1
            if open_span:
                gold.append((aid, *open_span))
            pieces[-1] = pieces[-1] + "\n"
        text = " ".join(pieces).replace("\n ", "\n")
        articles.append((aid, text.rstrip("\n"), len(sentences)))
    return (
        pd.DataFrame(articles, columns=["article_id", "text", "sentences"]),
        pd.DataFrame(gold, columns=["article_id", "start", "end", "type"]),
    )


def score_entities(
    predicted: Iterable[tuple[str, int, int, str]], gold: pd.DataFrame
) -> pd.DataFrame:
    """
    Precision, recall and F1 per CoNLL type and overall (micro), on exact spans.

    Parameters
    ----------
    predicted : iterable of (article_id, start, end, type)
        Types as CoNLL names them (PER, ORG, LOC, MISC); others are dropped.
    gold : DataFrame
        ``[article_id, start, end, type]`` from :func:`read_conll`.

    Returns
    -------
    DataFrame
        ``[type, precision, recall, f1, predicted, gold, correct]``, one row a type
        and a last row ``all``.

    Examples
    --------
    >>> g = pd.DataFrame({"article_id": ["a", "a"], "start": [0, 10], "end": [4, 15], "type": ["PER", "LOC"]})
    >>> score_entities([("a", 0, 4, "PER"), ("a", 10, 14, "LOC")], g)[["type", "f1"]].to_dict("list")
    {'type': ['LOC', 'MISC', 'ORG', 'PER', 'all'], 'f1': [0.0, 0.0, 0.0, 1.0, 0.5]}
    """
    kinds = ["LOC", "MISC", "ORG", "PER"]
    pred = {tuple(p) for p in predicted if p[3] in kinds}
    true = set(gold[["article_id", "start", "end", "type"]].itertuples(index=False, name=None))
    rows = []
    for kind in [*kinds, "all"]:
        p = {x for x in pred if kind == "all" or x[3] == kind}
        t = {x for x in true if kind == "all" or x[3] == kind}
        hit = len(p & t)
        precision = hit / len(p) if p else 0.0
        recall = hit / len(t) if t else 0.0
        f1 = 2 * precision * recall / (precision + recall) if hit else 0.0
        rows.append((kind, precision, recall, f1, len(p), len(t), hit))
    return pd.DataFrame(
        rows, columns=["type", "precision", "recall", "f1", "predicted", "gold", "correct"]
    )
