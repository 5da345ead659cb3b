"""Who is named: entity recognition quality on CoNLL-2003 and speed, ours beside the candidates.

Tools, each on the same articles:

- ``spaCy plain``: ``en_core_web_sm`` loaded whole (tagger, parser, lemmatizer,
  NER), one ``nlp(text)`` per article, its labels mapped to CoNLL's: how the
  library is used out of the box;
- ``entities (1 process)``: :func:`analysis.text.ner.recognise`, the recogniser
  of :func:`analysis.entities`: the NER component alone, batches of sentences
  through ``nlp.pipe``, only the sentences holding a capitalised word, then our rules;
- ``entities (2 processes)``: the same shared between two processes, as
  :func:`analysis.entities` does for a large corpus;
- ``baseline: capitalised runs``: a recogniser of our own without a model:
  every run of capitalised words, typed by the bundled names list
  (``analysis/data/entity_names.txt``), else PERSON.

Quality (CoNLL-2003 development split, exact spans, per type; GROUP and the other
OntoNotes labels CoNLL calls MISC are scored as MISC) is computed once per tool;
speed is articles per second of recognition alone (the model is loaded before the
clock starts), in a fresh process. ``ratio`` is throughput over ``spaCy plain``.
"""

from __future__ import annotations

import re
import time

import pandas as pd

from analysis.measures.entities_eval import read_conll, score_entities
from analysis.text.ner import MISC_LABELS, MODEL_PACKAGES, known_names

from . import common

_CONLL = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
_RUN = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:of\s+|de\s+)?[A-Z][\w'’.-]*)*")


def _conll_type(label: str) -> str | None:
    return _CONLL.get(label) or ("MISC" if label in MISC_LABELS else None)


def _full_pipeline():
    import spacy

    for name in MODEL_PACKAGES:
        try:
            return spacy.load(name)
        except OSError:
            continue
    raise RuntimeError("no spaCy English pipeline installed")


def spacy_plain(texts: list[str], nlp=None) -> list[list[tuple[int, int, str]]]:
    """The library used plainly: the whole pipeline, one call per text."""
    nlp = nlp or _full_pipeline()
    return [[(e.start_char, e.end_char, e.label_) for e in nlp(t).ents] for t in texts]


def ours(texts: list[str], n_jobs: int = 1) -> list[list[tuple[int, int, str]]]:
    """The recogniser of analysis.entities, in one process or shared between several."""
    from analysis.measures.entities import spans_per_article

    return [
        [(a, b, label) for a, b, label, _ in spans] for spans in spans_per_article(texts, n_jobs)
    ]


def capitalised_runs(texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """Baseline without a model: capitalised runs, typed by the names list, else PERSON."""
    names = known_names()
    onto = {"PLACE": "GPE", "ORG": "ORG"}
    out = []
    for text in texts:
        spans = []
        for m in _RUN.finditer(text):
            a, b = m.span()
            if a == 0 or text[a - 1] == "\n" or text[max(0, a - 2) : a] in (". ", "? ", "! "):
                if " " not in m.group() and m.group() not in names:
                    continue  # a capital that starts a sentence
            kind = names.get(m.group())
            spans.append((a, b, onto[kind] if kind else "PERSON"))
        out.append(spans)
    return out


TOOLS = {
    "spaCy plain": spacy_plain,
    "entities (1 process)": ours,
    "entities (2 processes)": lambda texts: ours(texts, n_jobs=2),
    "baseline: capitalised runs": capitalised_runs,
}


def _conll_articles(limit: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    articles, gold = read_conll(common.shared_corpus("conll2003") / "dev.txt")
    if limit:
        articles = articles.iloc[:limit]
        gold = gold[gold["article_id"].isin(articles["article_id"])]
    return articles, gold


def _news_articles(limit: int) -> pd.DataFrame:
    from analysis.readers.loaders import load_articles

    articles = load_articles(common.shared_corpus("ukraine_media_2022") / "data")
    articles = articles[articles["text"].str.len() > 500]
    # the same number of articles from each outlet, in a fixed order
    per = max(1, limit // max(1, articles["outlet"].nunique()))
    return articles.groupby("outlet", sort=True).head(per).head(limit)


def _texts(case: str, limit: int | None) -> list[str]:
    if case.startswith("conll"):
        return _conll_articles(limit)[0]["text"].tolist()
    return _news_articles(limit or 140)["text"].tolist()


def timed_run(tool: str, case: str, limit: int | None) -> tuple[int, float]:
    """Recognise with one tool in this process; return (entities, seconds of recognition only)."""
    texts = _texts(case, limit)
    warm = ["Dmytro Kuleba met Sergei Lavrov in Antalya."]
    if tool == "spaCy plain":
        nlp = _full_pipeline()
        spacy_plain(warm, nlp)
        t0 = time.perf_counter()
        n = sum(len(s) for s in spacy_plain(texts, nlp))
        return n, time.perf_counter() - t0
    TOOLS[tool](warm)
    t0 = time.perf_counter()
    n = sum(len(s) for s in TOOLS[tool](texts))
    return n, time.perf_counter() - t0


def run(quick: bool = False) -> list[dict]:
    rows = []
    if common.shared_corpus("conll2003").is_dir():
        limit = 40 if quick else None
        articles, gold = _conll_articles(limit)
        case = "conll2003 dev" + (" (40 articles)" if quick else "")
        for tool, func in TOOLS.items():
            m = common.measure(timed_run, tool, "conll", limit)
            m["seconds"] = m["result"][1]
            spans = func(articles["text"].tolist())
            predicted = [
                (aid, a, b, _conll_type(label))
                for aid, found in zip(articles["article_id"], spans)
                for a, b, label in found
            ]
            scores = score_entities(predicted, gold).set_index("type")
            extra = {
                f"f1_{k.lower()}": round(scores.loc[k, "f1"], 4)
                for k in ("PER", "ORG", "LOC", "MISC")
            }
            rows.append(
                common.row(
                    "entities",
                    case,
                    tool,
                    len(articles),
                    "articles",
                    m,
                    precision=round(scores.loc["all", "precision"], 4),
                    recall=round(scores.loc["all", "recall"], 4),
                    f1=round(scores.loc["all", "f1"], 4),
                    **extra,
                    notes="exact spans; GROUP and other MISC-like labels scored as MISC",
                )  # fmt: skip
            )
    if common.shared_corpus("ukraine_media_2022").is_dir():
        limit = 28 if quick else 140
        for tool in TOOLS:
            m = common.measure(timed_run, tool, "news", limit)
            m["seconds"] = m["result"][1]
            rows.append(
                common.row(
                    "entities",
                    f"ukraine_media_2022 ({limit} articles)",
                    tool,
                    limit,
                    "articles",
                    m,
                    notes="speed only: no gold names",
                )  # fmt: skip
            )
    return common.add_ratios(rows, "spaCy plain")
