"""Place resolution: accuracy on the written list of mentions, coverage on CoNLL-2003 locations.

Cases:

- ``written list``: ``tests/fixtures/places/gold.csv``, place mentions we wrote in
  small invented articles with the place each one means (ambiguous names such as
  Paris, Georgia, Springfield, Athens, Odessa beside the places that tell them
  apart; transliterations; names the gazetteer lacks). ``accuracy`` is the share
  resolved to the right place and country (a name the gazetteer lacks counts
  as wrong); ``accuracy_shared`` the same over the mentions whose name several
  places share.
- ``conll2003 dev LOC``: the 1,837 location entities of the CoNLL-2003
  development split (Reuters, 1996) as mentions, one article per ``-DOCSTART-``:
  no coordinates are given there, so only ``resolved`` (the share placed) and
  the speed are measured.

Tools: ``resolve_places`` (the article's other places read a shared name) and
``baseline: no context`` (each mention alone: largest place, country first).
"""

from __future__ import annotations

import time

import pandas as pd

from analysis.measures.gazetteer import gazetteer
from analysis.measures.places import resolve_places
from analysis.paths import repo_path
from benchmarks import common

NAME = "places"
GOLD = repo_path("tests", "fixtures", "places", "gold.csv")


def written_list() -> pd.DataFrame:
    gold = pd.read_csv(GOLD, keep_default_na=False)
    return gold.rename(columns={"place": "want", "country_code": "want_cc"})


def conll_locations(limit: int | None = None) -> pd.DataFrame:
    """LOC entities of CoNLL-2003 dev as ``[article_id, text]`` rows."""
    path = common.shared_corpus("conll2003") / "dev.txt"
    rows, article, words = [], -1, []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        parts = line.split()
        tag = parts[-1] if len(parts) == 4 else "O"
        if words and not tag.startswith("I-"):
            rows.append((f"d{article}", " ".join(words)))
            words = []
        if parts[:1] == ["-DOCSTART-"]:
            article += 1
        elif tag.endswith("-LOC"):
            words.append(parts[0])
    table = pd.DataFrame(rows, columns=["article_id", "text"])
    if limit:
        table = table[table["article_id"].isin(table["article_id"].unique()[:limit])]
    return table


def alone(mentions: pd.DataFrame) -> pd.DataFrame:
    """The baseline: every mention read as if it were the only one of its article."""
    out = resolve_places(mentions.assign(article_id=[f"m{i}" for i in range(len(mentions))]))
    return out.assign(article_id=mentions["article_id"].to_numpy())


TOOLS = {"resolve_places": resolve_places, "baseline: no context": alone}


def _timed(tool: str, case: str, limit: int | None) -> tuple[int, float]:
    mentions = written_list() if case == "written list" else conll_locations(limit)
    gazetteer()  # built once per process, before the clock
    t0 = time.perf_counter()
    n = len(TOOLS[tool](mentions))
    return n, time.perf_counter() - t0


def run(quick: bool = False) -> list[dict]:
    rows = []
    cases = ["written list"]
    if common.shared_corpus("conll2003").is_dir():
        cases.append("conll2003 dev LOC")
    limit = 40 if quick else None
    for case in cases:
        mentions = written_list() if case == "written list" else conll_locations(limit)
        for tool, func in TOOLS.items():
            m = common.measure(_timed, tool, case, limit)
            m["seconds"] = m["result"][1]
            out = func(mentions)
            extra = {"resolved": round(float(out["place"].notna().mean()), 4)}
            if case == "written list":
                right = (out["place"].fillna("") == out["want"]) & (
                    out["country_code"].fillna("") == out["want_cc"]
                )
                shared = out["candidates"] > 1
                extra["accuracy"] = round(float(right.mean()), 4)
                extra["accuracy_shared"] = round(float(right[shared].mean()), 4)
                extra["n_shared"] = int(shared.sum())
            rows.append(common.row(NAME, case, tool, len(mentions), "mentions", m, **extra))
    return common.add_ratios(rows, "baseline: no context")
