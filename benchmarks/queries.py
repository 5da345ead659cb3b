"""Queries: the corpus's query index against reading the texts and against ``Series.str.contains``.

Case ``reuters Nk``: Reuters-21578 stories (title and body) repeated to
100,000 articles (``--quick``: 20,000), each copy with its own id and the
outlet ``Reuters <copy>``, written as a corpus folder of 50,000-row part
files (untimed). Rows:

- ``index build``: :func:`analysis.corpus.index.update_index` on the whole
  corpus in a fresh process (seconds, peak memory, ``index_mb`` on disk);
- per query, in one process that has the table in memory:

  - ``index (cold)``: :func:`analysis.match` on the table opened from the
    corpus, first query of the process, so loading the index is included;
  - ``index``: the same query again, the median of three (the index stays
    loaded, as in a notebook asking one question after another);
  - ``scan``: ``analysis.match(..., cache_dir=False)``, which reads the texts
    (tokenizing the rows that hold the query's words);
  - ``str.contains``: ``Series.str.contains`` on the lowercased text with a
    regular expression written for the same query (``AND`` is two
    ``contains`` combined), the tool a pandas user would reach for.

``ratio`` is throughput over ``str.contains`` for the same query; ``result``
the number of matching articles (``str.contains`` matches on characters, so it
can differ slightly from the token matches: ``oil`` in ``oil-rich``).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import common

NAME = "queries"

#: query -> (regex on the lowercased text, second regex that must also match or None)
QUERIES = {
    "crude OR oil OR opec": (r"\b(?:crude|oil|opec)\b", None),
    '"interest rates"': (r"\binterest\W+rates\b", None),
    "negotiat* AND NOT title:oil": (r"\bnegotiat", None),
    '"trade deficit"~5 OR tariff*': (r"\btrade\b(?:\W+\w+){0,5}?\W+deficit\b|\btariff", None),
    "wheat AND (export* OR shipment*)": (r"\bwheat\b", r"\b(?:export|shipment)"),
}


def _write_corpus(folder: Path, n: int) -> None:
    import pandas as pd

    from benchmarks.duplicates import read_reuters

    base = read_reuters(common.shared_corpus("reuters21578"))[["title", "text"]]
    base = base[base["text"].str.len() > 0].reset_index(drop=True)
    copies = -(-n // len(base))
    table = pd.concat(
        [base.assign(outlet=f"Reuters {c}") for c in range(copies)], ignore_index=True
    ).head(n)
    table.insert(0, "article_id", [f"r{i:07d}" for i in range(len(table))])
    parts = folder / "articles.parquet"
    parts.mkdir(parents=True)
    for k, start in enumerate(range(0, len(table), 50_000)):
        table.iloc[start : start + 50_000].to_parquet(parts / f"part-{k:06d}.parquet", index=False)


def _build(folder: str) -> int:
    from analysis.corpus.index import index_size, update_index

    update_index(folder)
    return index_size(folder)


def _timed(func, repeat: int = 1) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _compare(folder: str) -> list[dict]:
    import pandas as pd

    import analysis
    from analysis.engine import remember_folder

    table = pd.read_parquet(Path(folder) / "articles.parquet")
    remember_folder(table, folder)
    low = table["text"].str.lower()
    out = []
    for q, (rx, also) in QUERIES.items():
        cold, found = _timed(lambda q=q: analysis.match(table, q))
        warm, _ = _timed(lambda q=q: analysis.match(table, q), repeat=3)
        scan, scanned = _timed(lambda q=q: analysis.match(table, q, cache_dir=False))

        def contains(rx=rx, also=also):
            hit = low.str.contains(rx, regex=True)
            return hit & low.str.contains(also, regex=True) if also else hit

        plain, mask = _timed(contains)
        assert found.equals(scanned), q  # the index gives the rows reading the texts gives
        out.append(
            {
                "query": q,
                "index (cold)": (cold, len(found)),
                "index": (warm, len(found)),
                "scan": (scan, len(scanned)),
                "str.contains": (plain, int(mask.sum())),
            }
        )
    return out


def run(quick: bool = False) -> list[dict]:
    n = 20_000 if quick else 100_000
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        _write_corpus(folder, n)
        case = f"reuters {n // 1000}k"
        m = common.measure(_build, str(folder))
        rows.append(
            common.row(
                NAME, case, "index build", n, "articles", m, index_mb=round(m["result"] / 1e6, 1)
            )
        )
        results = common.measure(_compare, str(folder))["result"]
    for res in results:
        qcase = f"{case}: {res.pop('query')}"
        part = [
            common.row(NAME, qcase, tool, n, "articles", {"seconds": secs}, result=hits)
            for tool, (secs, hits) in res.items()
        ]
        rows.extend(common.add_ratios(part, "str.contains"))
    return rows
