"""Tone against human judgement: VADER on NewsMTSC and on SemEval-2007 Affective Text.

Corpora (``../shared/corpora``; held-out splits are used when their files are there):

- ``newsmtsc``: sentences from US news, each with one or more target mentions
  and a human polarity for each target (2 negative, 4 neutral, 6 positive).
  A unit is one target mention. Three machine scores per unit, all VADER
  compounds (:func:`analysis.sentiment_scores`):

  - ``sentence``: the compound of the unit's own sentence;
  - ``targeted``: the mean compound of the sentences of the same article (in the
    split) that mention the target (:func:`analysis.mentions` with the mention's
    words), as :func:`analysis.targeted_tone` selects sentences;
  - ``article``: the mean compound of all sentences of the same article in the split.

  The article is the ``<source>_<article>_<event>`` head of ``primary_gid``;
  most articles have one sentence in the split, so the comparison of the three
  is also made on the units whose article has two or more.
- ``semeval2007``: news headlines with a valence -100..100 averaged over
  annotators; a unit is a headline, the machine score its VADER compound x 100
  (so interval alpha compares one scale). Classes follow the task's coarse
  evaluation: valence <= -50 negative, >= 50 positive, neutral between.

Beside VADER, ``dictionary_tone`` (:func:`analysis.dictionary_tone`) scores the
same units with a dictionary made here from VADER's own lexicon (its words rated
>= 1 positive, <= -1 negative; no emoticons), once without and once with
negated forms in Lexicoder's categories (each negator of ``NEGATORS`` followed by
a positive word is ``neg_positive``, by a negative word ``neg_negative``): it
tells whether Lexicoder's negation handling helps on news, apart from VADER's
other rules. (No Lexicoder dictionary is bundled: it has its own licence.)

Every comparison is :func:`analysis.validate_measure`: Pearson and Spearman
(Fisher intervals), F1 per class and macro F1 at VADER's thresholds (+-0.05)
and at the best thresholds found on the same units, Krippendorff's alpha with
VADER as one more coder.

``python -m benchmarks validation`` writes the usual results table; ``python -m
benchmarks.validation`` prints the markdown tables quoted in docs/validation.md.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

import analysis
from analysis.paths import shared_corpus

NAME = "validation"
POLARITY = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}
CLASSES = ["negative", "neutral", "positive"]
NEWSMTSC_SPLITS = ("train", "devtest_mt", "devtest_rw")
SEMEVAL_SPLITS = ("trial", "test")
NEGATORS = (
    "not", "no", "never", "isn't", "aren't", "wasn't", "weren't", "don't", "doesn't",
    "didn't", "can't", "cannot", "won't", "wouldn't", "shouldn't", "couldn't", "hasn't",
    "haven't", "hadn't", "nor", "without",
)  # fmt: skip


def lexicon_dictionary(negation: bool) -> dict[str, list[str]]:
    """A tone dictionary from VADER's lexicon words, with Lexicoder's negated forms or not."""
    from analysis.measures.vader import read_lexicon

    words = {w: v for w, v in read_lexicon().items() if re.fullmatch(r"[a-z][a-z'-]*[a-z]", w)}
    book = {
        "positive": sorted(w for w, v in words.items() if v >= 1.0),
        "negative": sorted(w for w, v in words.items() if v <= -1.0),
    }
    if negation:
        book["neg_positive"] = [f"{n} {w}" for n in NEGATORS for w in book["positive"]]
        book["neg_negative"] = [f"{n} {w}" for n in NEGATORS for w in book["negative"]]
    return book


def dictionary_scores(texts: pd.Series, negation: bool) -> np.ndarray:
    """``dictionary_tone`` of each text (percentage points), 0 for a text without tokens."""
    table = pd.DataFrame({"row": np.arange(len(texts)), "text": texts.to_numpy()})
    tone = analysis.dictionary_tone(table, lexicon_dictionary(negation), english_only=False)
    return tone.set_index("row")["tone"].reindex(table["row"]).fillna(0.0).to_numpy()


def read_newsmtsc(path: str | Path, limit: int | None = None) -> pd.DataFrame:
    """One row per target mention: ``unit, article, sentence, mention, label, n_targets``."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for k, line in enumerate(fh):
            if limit is not None and k >= limit:
                break
            item = json.loads(line)
            article = "_".join(item["primary_gid"].split("_")[:3])
            for t in item["targets"]:
                rows.append(
                    {
                        "unit": t["Input.gid"],
                        "article": article,
                        "sentence": item["sentence_normalized"],
                        "mention": t["mention"],
                        "label": POLARITY[t["polarity"]],
                        "n_targets": len(item["targets"]),
                    }
                )
    return pd.DataFrame(rows).drop_duplicates("unit").reset_index(drop=True)


def read_semeval(folder: str | Path, split: str = "trial") -> pd.DataFrame:
    """One row per headline: ``unit, text, valence``."""
    folder = Path(folder)
    xml = (folder / f"affectivetext_{split}.xml").read_text(encoding="utf-8", errors="replace")
    texts = dict(re.findall(r'<instance id="(\d+)">(.*?)</instance>', xml, re.S))
    gold = pd.read_csv(
        folder / f"affectivetext_{split}.valence.gold",
        sep=" ",
        header=None,
        names=["unit", "valence"],
    )
    gold["unit"] = gold["unit"].astype(str)
    return gold.assign(text=gold["unit"].map(texts).str.strip())[["unit", "text", "valence"]]


def newsmtsc_scores(units: pd.DataFrame, dictionaries: bool = True) -> pd.DataFrame:
    """
    The machine scores of every unit: ``unit``, VADER's ``sentence, targeted,
    article`` and (with ``dictionaries``) the two dictionary tones of the sentence.
    """
    sentences = units.drop_duplicates(["article", "sentence"])[["article", "sentence"]]
    distinct = sentences["sentence"].drop_duplicates()
    compound = pd.Series(
        analysis.sentiment_scores(distinct)["compound"].to_numpy(), index=distinct.to_numpy()
    )
    sentences = sentences.assign(compound=sentences["sentence"].map(compound))
    own = units["sentence"].map(compound)
    article_mean = units["article"].map(sentences.groupby("article")["compound"].mean())
    by_article = {a: part for a, part in sentences.groupby("article")}
    targeted = []
    for article, mention, score in zip(units["article"], units["mention"], own):
        part = by_article[article]
        if len(part) == 1:
            targeted.append(score)
            continue
        words = [w for w in re.findall(r"[\w'’-]+", mention) if len(w) > 1] or [mention]
        flags = analysis.mentions(part["sentence"].tolist(), {"t": [" ".join(words)]})["t"]
        hits = part.loc[flags.to_numpy(), "compound"]
        targeted.append(hits.mean() if len(hits) else score)
    out = pd.DataFrame(
        {"unit": units["unit"], "sentence": own, "targeted": targeted, "article": article_mean}
    )
    for negation, name in ((False, "dictionary"), (True, "dictionary + negation")):
        if not dictionaries:
            break
        tone = pd.Series(dictionary_scores(distinct, negation), index=distinct.to_numpy())
        out[name] = units["sentence"].map(tone).to_numpy()
    return out


def _summary(table: pd.DataFrame) -> dict:
    """The headline figures of one validation table."""

    def get(measure, mapping=None, cls=None):
        rows = table[table["measure"] == measure]
        if mapping is not None:
            rows = rows[rows["mapping"] == mapping]
        if cls is not None:
            rows = rows[rows["class"] == cls]
        return rows.iloc[0] if len(rows) else None

    out = {"units": int(get("n_units")["value"])}
    for name in ("pearson", "spearman"):
        row = get(name)
        if row is not None:
            out[name] = round(float(row["value"]), 3)
            out[f"{name}_ci"] = f"{row['ci_low']:.3f}..{row['ci_high']:.3f}"
    for cls in CLASSES:
        row = get("f1", "default", cls)
        if row is not None:
            out[f"f1_{cls}"] = round(float(row["value"]), 3)
    for mapping in ("default", "best"):
        row = get("macro_f1", mapping)
        if row is not None:
            out[f"macro_f1_{mapping}"] = round(float(row["value"]), 3)
    cuts = table[(table["measure"] == "threshold") & (table["mapping"] == "best")]["value"]
    if len(cuts):
        out["best_thresholds"] = ", ".join(f"{c:.3g}" for c in cuts)
    out["alpha"] = round(float(get("alpha")["value"]), 3)
    return out


def validate_newsmtsc(units: pd.DataFrame, scores: pd.DataFrame, tool: str) -> pd.DataFrame:
    """validate_measure of one machine score against the per-target labels (ordinal)."""
    machine = scores[["unit", tool]].rename(columns={tool: "value"})
    human = units[["unit", "label"]].rename(columns={"label": "value"})
    return analysis.validate_measure(machine, human, level="ordinal", classes=CLASSES)


def validate_semeval(headlines: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Fine-grained (interval) and coarse (three classes) validation of VADER on headlines."""
    scores = analysis.sentiment_scores(headlines["text"])["compound"].to_numpy()
    machine = pd.DataFrame({"unit": headlines["unit"], "value": scores * 100})
    fine = analysis.validate_measure(
        machine, headlines[["unit", "valence"]].rename(columns={"valence": "value"})
    )
    coarse_codes = np.select(
        [headlines["valence"] <= -50, headlines["valence"] >= 50],
        ["negative", "positive"],
        "neutral",
    )
    coarse = analysis.validate_measure(
        machine.assign(value=scores),
        pd.DataFrame({"unit": headlines["unit"], "value": coarse_codes}),
        level="ordinal",
        classes=CLASSES,
    )
    out = {"valence": fine, "coarse classes": coarse}
    gold = headlines[["unit", "valence"]].rename(columns={"valence": "value"})
    for negation, name in ((False, "dictionary"), (True, "dictionary + negation")):
        tone = dictionary_scores(headlines["text"], negation)
        out[f"valence: {name}"] = analysis.validate_measure(
            pd.DataFrame({"unit": headlines["unit"], "value": tone}), gold
        )
    return out


#: The machine scores compared on each subset of NewsMTSC units.
TOOLS = {
    "all targets": ("sentence", "targeted", "dictionary", "dictionary + negation"),
    "articles with 2+ sentences": ("sentence", "targeted", "article"),
    "sentences with 2+ targets": ("sentence",),
}


def results(quick: bool = False) -> list[dict]:
    """Every comparison, one summary row each."""
    rows = []
    folder = shared_corpus("newsmtsc")
    for split in NEWSMTSC_SPLITS:
        path = folder / f"{split}.jsonl"
        if not path.exists():
            continue
        units = read_newsmtsc(path, limit=1500 if quick else None)
        scores = newsmtsc_scores(units)
        sizes = units.groupby("article")["sentence"].transform("nunique")
        subsets = {
            "all targets": units,
            "articles with 2+ sentences": units[sizes >= 2],
            "sentences with 2+ targets": units[units["n_targets"] >= 2],
        }
        for subset, part in subsets.items():
            for tool in TOOLS[subset]:
                table = validate_newsmtsc(part, scores, tool)
                rows.append(
                    {
                        "benchmark": NAME,
                        "case": f"newsmtsc {split}: {subset}",
                        "tool": tool if tool.startswith("dictionary") else f"vader {tool}",
                        **_summary(table),
                    }
                )
    semeval = shared_corpus("semeval2007")
    for split in SEMEVAL_SPLITS:
        sub = semeval / f"AffectiveText.{split}"
        if not sub.exists():
            continue
        for case, table in validate_semeval(read_semeval(sub, split)).items():
            rows.append(
                {
                    "benchmark": NAME,
                    "case": f"semeval2007 {split}: {case}",
                    "tool": {"valence": "vader x 100", "coarse classes": "vader"}.get(
                        case, case.split(": ")[-1]
                    ),
                    **_summary(table),
                }
            )
    return rows


def run(quick: bool = False) -> list[dict]:
    """Entry point of ``python -m benchmarks validation``."""
    return [{**r, "items": r["units"]} for r in results(quick)]


if __name__ == "__main__":
    table = pd.DataFrame(results())
    print(table.drop(columns="benchmark").to_markdown(index=False))
