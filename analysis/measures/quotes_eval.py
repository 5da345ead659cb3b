"""Brat attribution annotation read, and extracted quotes scored against it."""

from __future__ import annotations

import re

import pandas as pd

from analysis.errors import ParameterError
from analysis.measures.quotes_article import _check_articles
from analysis.measures.quotes_speakers import (
    _article_names,
    _clean_token,
    _fullest,
    _mask_abbreviations,
    _person_in,
    _strip_titles,
)

GOLD_COLUMNS = [
    "article_id",
    "attribution",
    "content_spans",
    "source_spans",
    "cue_spans",
    "source",
    "content",
]


_BRAT_LINE = re.compile(r"^[TE]\d+\t")


def parse_brat(ann: str, text: str | None = None, *, article_id: str = "") -> pd.DataFrame:
    r"""
    Parse brat standoff attribution annotation (``Source``/``Cue``/``Content`` spans and ``E`` relations).

    Parameters
    ----------
    ann : str
        Content of an ``.ann`` file: ``T`` lines ``T4<TAB>Content 461 494;500 510<TAB>words``
        and ``E`` lines ``E1<TAB>Attribution:T5 Content:T4 Cue:T3 Source:T2``.
    text : str, optional
        The article text, to fill ``source`` and ``content`` with the words spanned.
    article_id : str, default ""
        Written into every row.

    Returns
    -------
    DataFrame
        One row per attribution that has a content span: ``article_id``, ``attribution``
        (the ``E`` id), ``content_spans``, ``source_spans``, ``cue_spans`` (lists of
        ``(start, end)``), ``source`` and ``content`` (text, or ``""`` without ``text``).

    Raises
    ------
    ParameterError
        When a line is malformed (its number is given).

    Examples
    --------
    >>> ann = "T1\tSource 0 3\tAnn\nT2\tCue 4 8\tsaid\nT3\tContent 9 12\tno.\nE1\tAttribution:T2 Cue:T2 Source:T1 Content:T3"
    >>> parse_brat(ann, "Ann said no. ")[["attribution", "source", "content"]]
      attribution source content
    0          E1    Ann     no.
    """
    spans: dict[str, list[tuple[int, int]]] = {}
    events: list[tuple[str, dict[str, str]]] = []
    for number, line in enumerate(ann.splitlines(), 1):
        if not _BRAT_LINE.match(line):
            continue  # notes, comments, or the spill-over of an annotated text holding a newline
        parts = line.split("\t")
        try:
            if line[0] == "T":
                _, _, offsets = parts[1].partition(" ")
                spans[parts[0]] = [
                    (int(a), int(b)) for a, b in (f.split() for f in offsets.split(";"))
                ]
            else:
                events.append((parts[0], dict(arg.split(":", 1) for arg in parts[1].split())))
        except ValueError as exc:
            raise ParameterError(f"ann line {number}: cannot read {line[:60]!r} ({exc})") from exc
    rows = []
    for eid, args in events:
        content = spans.get(args.get("Content", ""), [])
        if not content:
            continue
        source = spans.get(args.get("Source", ""), [])
        cue = spans.get(args.get("Cue", ""), [])

        def words(pieces):
            return " ".join(text[a:b] for a, b in pieces) if text is not None else ""

        rows.append((article_id, eid, content, source, cue, words(source), words(content)))
    return pd.DataFrame(rows, columns=GOLD_COLUMNS)


def read_brat(folder, *, compartment: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """
    Read a brat-annotated attribution corpus: articles and gold attributions.

    Two layouts are understood: ``<folder>/[<compartment>/]text/<name>.txt`` beside
    ``attributions/<name>_<annotator>.ann`` (PolNeAR), or ``<name>.txt`` next to
    ``<name>.ann`` (brat's own). When several annotators annotated an article,
    the first annotation file in name order is used. A ``metadata.tsv`` with
    ``filename`` and ``publisher`` columns (PolNeAR) fills ``outlet``.

    Parameters
    ----------
    folder : str or Path
        Corpus folder.
    compartment : str, optional
        Sub-folder (``"train"``, ``"dev"``) of a PolNeAR-style corpus.

    Returns
    -------
    (articles, gold)
        ``articles``: ``article_id`` (file name stem), ``outlet``, ``text``;
        ``gold``: see :func:`parse_brat`.

    Raises
    ------
    InputError
        When the folder holds no annotation, or an annotation has no text file.
    """
    from pathlib import Path

    from analysis.errors import InputError

    root = Path(folder)
    base = root / compartment if compartment else root
    ann_dir = base / "attributions" if (base / "attributions").is_dir() else base
    text_dir = base / "text" if (base / "text").is_dir() else base
    ann_paths = sorted(ann_dir.glob("*.ann"))
    if not ann_paths:
        raise InputError(ann_dir, "no .ann files (brat attribution annotation) found")
    publishers: dict[str, str] = {}
    meta = root / "metadata.tsv"
    if meta.is_file():
        table = pd.read_csv(meta, sep="\t", dtype=str)
        if {"filename", "publisher"} <= set(table.columns):
            publishers = dict(zip(table["filename"], table["publisher"], strict=True))
    articles, gold = [], []
    seen: set[str] = set()
    for path in ann_paths:
        stem = path.stem
        txt = text_dir / f"{stem}.txt"
        if not txt.is_file() and "_" in stem:
            stem = stem.rsplit("_", 1)[0]  # "<article>_<annotator>.ann"
            txt = text_dir / f"{stem}.txt"
        if stem in seen:
            continue
        if not txt.is_file():
            raise InputError(path, f"no text file {txt.name} for this annotation")
        seen.add(stem)
        text = txt.read_text(encoding="utf-8")
        articles.append((stem, publishers.get(stem, pd.NA), text))
        gold.append(parse_brat(path.read_text(encoding="utf-8"), text, article_id=stem))
    arts = pd.DataFrame(articles, columns=["article_id", "outlet", "text"]).astype("string")
    return arts, pd.concat(gold, ignore_index=True)


def _charset(pieces) -> set[int]:
    out: set[int] = set()
    for a, b in pieces:
        out.update(range(int(a), int(b)))
    return out


def _match(
    pred: list[set[int]], gold: list[set[int]], threshold: float | None
) -> list[tuple[int, int]]:
    """One-to-one matching, best Jaccard first; ``threshold=None`` accepts any overlap."""
    pairs = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            inter = len(p & g)
            if not inter:
                continue
            jac = inter / len(p | g)
            if threshold is None or jac >= threshold:
                pairs.append((jac, i, j))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            out.append((i, j))
    return out


def _name_key(name: str, names: list[list[str]]) -> str:
    toks = _strip_titles([_clean_token(t) for t in str(name).split()])
    return _fullest(" ".join(toks), names).lower()


def _speaker_agrees(pred_row, gold_row, names: list[list[str]]) -> bool:
    """
    Our speaker agrees with the gold source when our mention overlaps the gold
    source span, or both resolve to the same name in the article.
    """
    gold_spans = gold_row.source_spans
    if not gold_spans:
        return False
    if pd.notna(pred_row.speaker_start):
        mention = set(range(int(pred_row.speaker_start), int(pred_row.speaker_end)))
        if mention & _charset(gold_spans):
            return True
    if pd.isna(pred_row.speaker) or not gold_row.source:
        return False
    ours = _name_key(pred_row.speaker, names)
    theirs = _name_key(_person_in(gold_row.source, False) or gold_row.source, names)
    return bool(ours) and ours == theirs


def evaluate_quotes(
    quotes: pd.DataFrame,
    gold: pd.DataFrame,
    *,
    articles: pd.DataFrame | None = None,
    threshold: float = 0.5,
) -> dict:
    """
    Score extracted quotes against gold attribution content spans.

    A predicted quote (the characters of its ``spans``) matches a gold content span
    when their overlap is at least ``threshold`` of their union (Jaccard); matching
    is one-to-one, best pairs first. The any-overlap scores accept any shared
    character instead. For the quotes matched under the Jaccard rule whose gold has
    a source, ``speaker_agreement`` is the share where our mention overlaps the
    gold source span or both name the same person once resolved to the fullest
    form of the name in the article (``Mr. Sanders`` and ``Bernie Sanders`` agree).

    Parameters
    ----------
    quotes : DataFrame
        Output of :func:`extract_quotes`.
    gold : DataFrame
        Output of :func:`parse_brat` / :func:`read_brat`.
    articles : DataFrame, optional
        ``article_id`` and ``text``: lets names resolve for speaker agreement.
    threshold : float, default 0.5
        Jaccard needed for a match.

    Returns
    -------
    dict
        ``precision, recall, f1`` (Jaccard rule), ``precision_overlap, recall_overlap,
        f1_overlap``, ``speaker_agreement``, ``n_predicted, n_gold, n_matched``.

    Raises
    ------
    ParameterError
        When ``threshold`` is not in (0, 1].

    Examples
    --------
    >>> pred = pd.DataFrame({"article_id": ["a"], "spans": [[(0, 10)]], "speaker": ["Ann"],
    ...     "speaker_start": [12], "speaker_end": [15]})
    >>> gold = pd.DataFrame({"article_id": ["a"], "content_spans": [[(0, 12)]],
    ...     "source_spans": [[(12, 15)]], "source": ["Ann"]})
    >>> evaluate_quotes(pred, gold)["f1"]
    1.0
    """
    if not 0 < threshold <= 1:
        raise ParameterError(f"threshold must be in (0, 1], got {threshold!r}")
    _check_articles(quotes, ["article_id", "spans", "speaker", "speaker_start", "speaker_end"])
    _check_articles(gold, ["article_id", "content_spans", "source_spans", "source"])
    texts = (
        {} if articles is None else dict(zip(articles["article_id"], articles["text"], strict=True))
    )
    n_pred, n_gold = len(quotes), len(gold)
    matched = matched_overlap = agree = with_source = 0
    pred_groups = dict(tuple(quotes.groupby("article_id", sort=False)))
    for aid, g in gold.groupby("article_id", sort=False):
        p = pred_groups.get(aid)
        if p is None:
            continue
        pred_sets = [_charset(s) for s in p["spans"]]
        gold_sets = [_charset(s) for s in g["content_spans"]]
        pairs = _match(pred_sets, gold_sets, threshold)
        matched += len(pairs)
        matched_overlap += len(_match(pred_sets, gold_sets, None))
        text = texts.get(aid)
        names = _article_names(_mask_abbreviations(text)) if isinstance(text, str) else []
        for i, j in pairs:
            grow = g.iloc[j]
            if grow.source_spans:
                with_source += 1
                agree += _speaker_agrees(p.iloc[i], grow, names)

    def prf(tp: int) -> tuple[float, float, float]:
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)

    p, r, f = prf(matched)
    po, ro, fo = prf(matched_overlap)
    return {
        "precision": p,
        "recall": r,
        "f1": f,
        "precision_overlap": po,
        "recall_overlap": ro,
        "f1_overlap": fo,
        "speaker_agreement": agree / with_source if with_source else float("nan"),
        "n_predicted": n_pred,
        "n_gold": n_gold,
        "n_matched": matched,
    }
