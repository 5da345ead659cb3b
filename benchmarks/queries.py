"""Queries: the corpus's query index against reading the texts and against ``Series.str.contains``.

Cases ``reuters 100k`` and ``reuters 1000k`` (``--quick``: ``reuters 20k``):
Reuters-21578 stories (title, body and date) repeated to that many articles,
each copy with its own id and the outlet ``Reuters <copy>``, written as a
corpus folder of 50,000-row part files (untimed; a million articles take
about a minute). Rows:

- ``index build``: :func:`analysis.corpus.index.update_index` on the whole
  corpus in a fresh process, which indexes the parts on every core (seconds,
  peak memory of the process and its workers, ``index_mb`` on disk);
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

Case ``attention``, on the largest corpus: the weekly share of each outlet's
articles that match ``crude OR oil OR opec``, each in a fresh process whose
whole process tree is sampled for peak memory:

- ``analysis.attention dask``: :func:`analysis.attention` on the corpus opened
  with ``engine="dask"`` on a local cluster of 2 worker processes (starting
  it and loading the modules not timed), the query answered from the index;
- ``str.contains + groupby``: plain pandas, the same shares from
  ``Series.str.contains`` on the lowercased text and a groupby on outlet and
  week (all columns it needs read into memory).

``result`` is the number of matching articles summed over the table.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import common

NAME = "queries"

SIZES = (100_000, 1_000_000)
QUICK_SIZES = (20_000,)
#: Rows per part file of the corpus.
ROWS_PER_PART = 50_000
#: Workers of the local Dask cluster, and the memory of each.
WORKERS = 2
WORKER_MEMORY = "3GB"
ATTENTION = "crude OR oil OR opec"

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

    base = read_reuters(common.shared_corpus("reuters21578"))[["published", "title", "text"]]
    base = base[base["text"].str.len() > 0].reset_index(drop=True)
    copies = -(-n // len(base))
    parts = folder / "articles.parquet"
    parts.mkdir(parents=True)
    table = pd.concat([base.assign(outlet=f"Reuters {c}") for c in range(copies)]).head(n)
    table.insert(0, "article_id", [f"r{i:07d}" for i in range(len(table))])
    for k, start in enumerate(range(0, len(table), ROWS_PER_PART)):
        part = table.iloc[start : start + ROWS_PER_PART]
        part.to_parquet(parts / f"part-{k:06d}.parquet", index=False)


def build_index(folder: str) -> tuple[float, int]:
    """Index the whole corpus (its parts on every core); return the seconds and the bytes on disk."""
    from analysis.corpus.index import index_size, update_index

    t0 = time.perf_counter()
    update_index(folder)
    return time.perf_counter() - t0, index_size(folder)


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


def attention_dask(folder: str) -> tuple[float, int]:
    """Weekly attention per outlet on Dask (a local cluster; its start-up is not timed)."""
    import importlib

    import analysis
    from analysis.engine.dask import get_client

    client = get_client(n_workers=WORKERS, memory_limit=WORKER_MEMORY)
    for module in ("analysis.measures.attention", "analysis.engine.reader", "lark"):
        importlib.import_module(module)  # start-up: the modules loaded where they run
        client.run(importlib.import_module, module)
    t0 = time.perf_counter()
    articles = analysis.open_corpus(folder, engine="dask")
    table = analysis.attention(articles, ATTENTION, by="outlet", freq="W", copies="all")
    seconds = time.perf_counter() - t0
    client.close()
    return seconds, int(table["matching"].sum())


def attention_pandas(folder: str) -> tuple[float, int]:
    """The same weekly shares with plain pandas: ``str.contains`` and a groupby."""
    import pandas as pd

    rx, _ = QUERIES[ATTENTION]
    t0 = time.perf_counter()
    table = pd.read_parquet(
        Path(folder) / "articles.parquet", columns=["outlet", "published", "text"]
    )
    hit = table["text"].str.lower().str.contains(rx, regex=True)
    week = table["published"].dt.tz_convert(None).dt.to_period("W").dt.start_time
    counts = hit.groupby([table["outlet"], week]).agg(["sum", "size"])
    shares = counts["sum"] / counts["size"]
    seconds = time.perf_counter() - t0
    assert len(shares) > 0
    return seconds, int(counts["sum"].sum())


def _attention_rows(folder: Path, n: int) -> list[dict]:
    rows = []
    for tool, func in (
        (f"analysis.attention dask {WORKERS} workers", "attention_dask"),
        ("str.contains + groupby", "attention_pandas"),
    ):
        m = common.measure_tree(f"benchmarks.queries:{func}", str(folder))
        case = f"attention reuters {n // 1000}k"
        rows.append(common.row(NAME, case, tool, n, "articles", m, result=m["result"]))
    return common.add_ratios(rows, "str.contains + groupby")


def _size_rows(folder: Path, n: int, *, attention: bool) -> list[dict]:
    case = f"reuters {n // 1000}k"
    m = common.measure_tree("benchmarks.queries:build_index", str(folder))
    rows = [
        common.row(
            NAME, case, "index build", n, "articles", m, index_mb=round(m["result"] / 1e6, 1)
        )
    ]
    for res in common.measure(_compare, str(folder))["result"]:
        qcase = f"{case}: {res.pop('query')}"
        part = [
            common.row(NAME, qcase, tool, n, "articles", {"seconds": secs}, result=hits)
            for tool, (secs, hits) in res.items()
        ]
        rows.extend(common.add_ratios(part, "str.contains"))
    if attention:
        rows.extend(_attention_rows(folder, n))
    return rows


def run(quick: bool = False, sizes: tuple[int, ...] | None = None) -> list[dict]:
    sizes = sizes or (QUICK_SIZES if quick else SIZES)
    rows: list[dict] = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "corpus"
            _write_corpus(folder, n)
            rows.extend(_size_rows(folder, n, attention=n == max(sizes)))
    return rows


if __name__ == "__main__":
    # python -m benchmarks.queries [SIZE...]: chosen sizes only, e.g. 1000000
    import sys

    chosen = tuple(int(a) for a in sys.argv[1:] if a.isdigit()) or None
    for r in run(quick="--quick" in sys.argv, sizes=chosen):
        print({k: v for k, v in r.items() if v is not None}, flush=True)
