"""Who gets quoted: attribution quality and speed on PolNeAR, beside two simple baselines.

For each compartment (train, and dev held out), three tools run on the same
articles:

- ``extract_quotes``: ours;
- ``baseline: quoted strings``: every span between quotation marks is a quote;
- ``baseline: said sentences``: every sentence with said/says/told/according to
  is a quote.

Quality is scored by :func:`analysis.measures.quotes.evaluate_quotes` (content spans,
one-to-one, Jaccard >= 0.5; any-overlap too; speaker agreement for matches).
Speed is articles per second of extraction alone (files are read before the
clock starts), in a fresh process.
"""

from __future__ import annotations

import re
import time

import pandas as pd

from analysis.measures.quotes import evaluate_quotes, extract_quotes, read_brat
from analysis.text.nlp import sentence_spans

from . import common

_QUOTED = re.compile(r"(?:“|''|``|\")(?P<q>[^“”\"\n]{1,3000}?)(?:”|''|\")")
_SAID = re.compile(r"\b(?:said|says|say|told|tells|according to)\b")


def _baseline_frame(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["article_id", "start", "end"])
    return frame.assign(
        spans=[[(a, b)] for a, b in zip(frame["start"], frame["end"], strict=True)],
        speaker=pd.NA,
        speaker_start=pd.NA,
        speaker_end=pd.NA,
    )


def quoted_strings(articles: pd.DataFrame) -> pd.DataFrame:
    """Baseline: every string between quotation marks."""
    rows = [
        (aid, m.start("q"), m.end("q"))
        for aid, text in zip(articles["article_id"], articles["text"], strict=True)
        for m in _QUOTED.finditer(text)
    ]
    return _baseline_frame(rows)


def said_sentences(articles: pd.DataFrame) -> pd.DataFrame:
    """Baseline: every sentence with a verb of saying (said, says, told) or "according to"."""
    rows = [
        (aid, a, b)
        for aid, text in zip(articles["article_id"], articles["text"], strict=True)
        for a, b in sentence_spans(text)
        if _SAID.search(text, a, b)
    ]
    return _baseline_frame(rows)


TOOLS = {
    "extract_quotes": extract_quotes,
    "baseline: quoted strings": quoted_strings,
    "baseline: said sentences": said_sentences,
}


def _load(compartment: str, limit: int | None):
    articles, gold = read_brat(common.shared_corpus("polnear"), compartment=compartment)
    if limit:
        articles = articles.iloc[:limit]
        gold = gold[gold["article_id"].isin(articles["article_id"])]
    return articles, gold


def timed_run(tool: str, compartment: str, limit: int | None) -> tuple[int, float]:
    """Extract with one tool in this process; return (rows, seconds of extraction only)."""
    articles, _ = _load(compartment, limit)
    sentence_spans("Warm up. The sentence splitter loads its model once.")
    t0 = time.perf_counter()
    n = len(TOOLS[tool](articles))
    return n, time.perf_counter() - t0


def run(quick: bool = False) -> list[dict]:
    if not common.shared_corpus("polnear").is_dir():
        return []
    plan = [("dev", 40)] if quick else [("train", None), ("dev", None)]
    rows = []
    for compartment, limit in plan:
        articles, gold = _load(compartment, limit)
        for tool, func in TOOLS.items():
            m = common.measure(timed_run, tool, compartment, limit)
            m["seconds"] = m["result"][1]
            scores = evaluate_quotes(func(articles), gold, articles=articles)
            rows.append(
                common.row(
                    "quotes",
                    f"polnear {compartment}",
                    tool,
                    len(articles),
                    "articles",
                    m,
                    precision=round(scores["precision"], 4),
                    recall=round(scores["recall"], 4),
                    f1=round(scores["f1"], 4),
                    precision_overlap=round(scores["precision_overlap"], 4),
                    recall_overlap=round(scores["recall_overlap"], 4),
                    f1_overlap=round(scores["f1_overlap"], 4),
                    speaker_agreement=round(scores["speaker_agreement"], 4)
                    if tool == "extract_quotes"
                    else None,
                    n_predicted=scores["n_predicted"],
                    n_gold=scores["n_gold"],
                    notes="content spans, one-to-one, Jaccard >= 0.5",
                )
            )
    return common.add_ratios(rows, "baseline: said sentences")
