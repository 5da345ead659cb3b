"""Ingest speed and memory: our loaders and store beside plain pandas, same files, one run.

Cases
-----
- ``ukraine CSV``: the 14 CSV files of ``ukraine_media_2022``.
- ``reuters JSONL``: Reuters-21578 converted from SGML to JSON Lines first (untimed).
- ``one 50 MB cell``: a CSV of two articles, one body a single 50 MB line of text
  (10 MB with ``--quick``), which ingest cuts to the body limit (2 MB) first.

Tools: ``pandas.read_csv`` / ``pandas.read_json(lines=True)`` (reading only, what a
user would otherwise write), ``load_articles`` (mapping, dates, ids, language),
``ingest`` (the same plus Parquet store, duplicate grouping). Ratios are
throughput over pandas': below 1 means slower, and says what the extra work costs.
"""

from __future__ import annotations

import glob
import json
import tempfile
from pathlib import Path

import pandas as pd

from analysis.paths import shared_corpus
from benchmarks.common import add_ratios, measure, row


def pandas_csv(folder: str) -> int:
    return sum(len(pd.read_csv(f)) for f in sorted(glob.glob(f"{folder}/*.csv")))


def pandas_jsonl(path: str) -> int:
    return len(pd.read_json(path, lines=True))


def ours_load(path: str) -> int:
    from analysis import load_articles

    return len(load_articles(path))


def ours_ingest(path: str, corpus: str) -> int:
    from analysis.corpus.store import ingest

    return ingest([path], corpus).articles_total


def _reuters_jsonl(out: Path, limit: int | None) -> int:
    from benchmarks.duplicates import read_reuters

    df = read_reuters(shared_corpus("reuters21578"))
    if limit:
        df = df.head(limit)
    with open(out, "w", encoding="utf-8") as fh:
        for r in df.itertuples():
            rec = {
                "title": r.title,
                "text": r.text,
                "date": None if pd.isna(r.published) else r.published.isoformat(),
            }
            fh.write(json.dumps(rec) + "\n")
    return len(df)


def _one_long_cell(folder: Path, megabytes: int) -> None:
    """Write a CSV of two articles into ``folder``, one body a single line of ``megabytes`` MB."""
    sentence = "Negotiators met in Geneva on Tuesday and talked about the ceasefire line. "
    body = (sentence * (megabytes * 2**20 // len(sentence) + 1))[: megabytes * 2**20]
    folder.mkdir()
    rows = {"title": ["Talks resume", "Talks stall"], "text": [body, sentence]}
    rows["date"] = ["2022-03-01", "2022-03-02"]
    pd.DataFrame(rows).to_csv(folder / "cell.csv", index=False)


def _case(case: str, baseline: tuple, path: str, corpus: str) -> list[dict]:
    name, func = baseline
    base = measure(func, path)
    n = base["result"]
    tools = [
        (name, base),
        ("ours load_articles", measure(ours_load, path)),
        ("ours ingest (Parquet store)", measure(ours_ingest, path, corpus)),
    ]
    return [row("ingest", case, tool, n, "articles", m) for tool, m in tools]


def run(quick: bool = False) -> list[dict]:
    ukraine = str(shared_corpus("ukraine_media_2022") / "data")
    with tempfile.TemporaryDirectory() as tmp:
        rows = _case(
            "ukraine CSV (14 files)", ("pandas.read_csv", pandas_csv), ukraine, f"{tmp}/c1"
        )
        jsonl = Path(tmp) / "reuters.jsonl"
        _reuters_jsonl(jsonl, 2000 if quick else None)
        rows += _case(
            "reuters-21578 JSONL", ("pandas.read_json", pandas_jsonl), str(jsonl), f"{tmp}/c2"
        )
        megabytes = 10 if quick else 50
        _one_long_cell(Path(tmp) / "cell", megabytes)
        rows += _case(
            f"one {megabytes} MB cell CSV",
            ("pandas.read_csv", pandas_csv),
            f"{tmp}/cell",
            f"{tmp}/c3",
        )
    return _ratios(rows)


def _ratios(rows: list[dict]) -> list[dict]:
    for base in ("pandas.read_csv", "pandas.read_json"):
        add_ratios(rows, base)
    return rows
