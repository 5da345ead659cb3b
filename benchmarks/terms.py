"""Term counting and KWIC: ours against the tools a user would otherwise pick, same texts.

Cases (texts prepared once, untimed, then read by every tool in a fresh process):

- ``ukraine``: the text column of ``ukraine_media_2022`` (``--quick``: first 2,000 rows);
- ``reuters x10``: Reuters-21578 ``<BODY>`` texts repeated 10 times (``--quick``: twice).

Tools (time of the counting only; texts are already in memory, and each tool
first runs untimed on the first 200 texts, so that imports and first-call set-up
are not counted, for every tool alike; peak memory is
the whole process, so the ``texts only`` row gives the baseline of the
list-based tools and ``table only`` that of ``term_counts``, whose input is a
DataFrame with an Arrow-backed text column; for the multi-core rows
``worker_peak_mb`` is the largest worker's, pages shared with the parent included):

- ``CountVectorizer``: scikit-learn ``CountVectorizer().fit_transform`` (default
  regex, lowercase): a document-term matrix, so counts and document frequencies;
- ``nltk word_tokenize + FreqDist``: ``word_tokenize(text, preserve_line=True)``,
  lowercased, into ``FreqDist``. ``preserve_line=True`` skips NLTK's Punkt
  sentence splitter, whose data is not downloaded here; it runs the Treebank word
  tokenizer on each whole text;
- ``Counter(tokenize)``: a bare ``collections.Counter`` updated with
  :func:`analysis.tokenize` per text: the floor for our own tokenization;
- ``term_counts``: :func:`analysis.term_counts` returning its finished table with
  document frequencies (the default) on 1 core and on every core, and with
  ``doc_freq=False`` (counts and rates only, like ``FreqDist``); stopwords are
  kept (``stopwords=None``) so that its totals can be checked against
  ``Counter(tokenize)`` in the ``result`` column.

``ratio`` is throughput over ``CountVectorizer`` in the same case; ``vs_counter``
is throughput over ``Counter(tokenize)``. ``load_avg`` is the machine's one-minute
load average after the tool ran: on a shared machine the wall-clock rows only
mean something when it stays below the number of cores. ``cpu_seconds`` counts
the CPU time of the tool and its worker processes; ``cpu_ratio`` is
CountVectorizer's CPU seconds over the tool's, and ``idle_ratio`` the ratio the
tool would reach with its workers on idle cores (CPU seconds divided by the
number of processes; an estimate, not a measurement).

KWIC case ``kwic 100k``: Reuters bodies repeated to about 100,000 articles
(``--quick``: 20,000). One row for the :class:`analysis.KwicIndex` build (its
seconds and peak memory, and the index arrays' size), then one row per query
with the median answer time over three runs and the number of hits.
"""

from __future__ import annotations

import os
import pickle
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import common

NAME = "terms"


# --------------------------------------------------------------------------- inputs


def _ukraine_texts(quick: bool) -> list[str]:
    from analysis import load_articles

    df = load_articles(common.shared_corpus("ukraine_media_2022") / "data", detect_language=False)
    texts = [t if isinstance(t, str) else "" for t in df["text"]]
    return texts[:2000] if quick else texts


def _reuters_bodies() -> list[str]:
    from benchmarks.duplicates import read_reuters

    df = read_reuters(common.shared_corpus("reuters21578"))
    return [t for t in df["text"] if isinstance(t, str) and t]


def _load(path: str) -> list[str]:
    with open(path, "rb") as fh:
        return pickle.load(fh)


# --------------------------------------------------------------------------- tools (run in a child)


#: Each tool first runs untimed on this many texts (imports and first-call set-up),
#: so that the timed call measures counting, for every tool alike.
WARM = 200


def _checksum(total: int, distinct: int) -> str:
    return f"{total} tokens, {distinct} distinct"


def _peaks() -> tuple[float, float]:
    """Return this process's peak resident memory (MB) and its largest worker's."""
    import resource

    return common.peak_rss_mb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _timed(func, *args, **kwargs):
    """Run ``func``; return its result, wall seconds and CPU seconds (own plus waited-for workers)."""
    import resource

    def cpu() -> float:
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + kids.ru_utime + kids.ru_stime

    t0, c0 = time.perf_counter(), cpu()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - t0, cpu() - c0


def tool_texts_only(path: str):
    texts = _load(path)
    return 0.0, 0.0, _checksum(0, len(texts)), _peaks()


def tool_table_only(path: str):
    import pandas as pd

    table = pd.DataFrame({"text": _load(path)})
    return 0.0, 0.0, _checksum(0, len(table)), _peaks()


def tool_countvectorizer(path: str):
    from sklearn.feature_extraction.text import CountVectorizer

    texts = _load(path)
    CountVectorizer().fit_transform(texts[:WARM])
    matrix, wall, cpu = _timed(CountVectorizer().fit_transform, texts)
    return wall, cpu, _checksum(int(matrix.sum()), matrix.shape[1]), _peaks()


def _nltk_counts(texts):
    from nltk import FreqDist
    from nltk.tokenize import word_tokenize

    return FreqDist(w.lower() for t in texts for w in word_tokenize(t, preserve_line=True))


def tool_nltk(path: str):
    texts = _load(path)
    _nltk_counts(texts[:WARM])
    fd, wall, cpu = _timed(_nltk_counts, texts)
    return wall, cpu, _checksum(fd.N(), fd.B()), _peaks()


def _bare_counter(texts):
    from collections import Counter

    from analysis import tokenize

    counts = Counter()
    for text in texts:
        counts.update(tokenize(text))
    return counts


def tool_counter(path: str):
    texts = _load(path)
    _bare_counter(texts[:WARM])
    counts, wall, cpu = _timed(_bare_counter, texts)
    return wall, cpu, _checksum(sum(counts.values()), len(counts)), _peaks()


def tool_term_counts(path: str, n_jobs: int, doc_freq: bool):
    import pandas as pd

    from analysis import term_counts

    table = pd.DataFrame({"text": _load(path)})
    term_counts(table.head(WARM), stopwords=None, n_jobs=n_jobs, doc_freq=doc_freq)
    out, wall, cpu = _timed(term_counts, table, stopwords=None, n_jobs=n_jobs, doc_freq=doc_freq)
    return wall, cpu, _checksum(int(out["count"].sum()), len(out)), _peaks()


def tool_kwic(path: str, queries: tuple[str, ...]):
    import pandas as pd

    from analysis import KwicIndex

    texts = _load(path)
    table = pd.DataFrame(
        {"article_id": [f"r{i}" for i in range(len(texts))], "outlet": "Reuters", "text": texts}
    )
    t0 = time.perf_counter()
    index = KwicIndex(table)
    build = time.perf_counter() - t0
    answers = {}
    for q in queries:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            hits = index.search(q)
            times.append(time.perf_counter() - t0)
        answers[q] = (statistics.median(times), len(hits))
    info = {"n_tokens": index.n_tokens, "index_mb": index.nbytes / 1e6, "answers": answers}
    return build, info, _peaks()


# --------------------------------------------------------------------------- run


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        return os.cpu_count() or 1


def _count_rows(case: str, path: str, n_texts: int, n_chars: int) -> list[dict]:
    cores = _cores()
    tools = [
        ("texts only", tool_texts_only, ()),
        ("table only", tool_table_only, ()),
        ("CountVectorizer", tool_countvectorizer, ()),
        ("nltk word_tokenize + FreqDist", tool_nltk, ()),
        ("Counter(tokenize)", tool_counter, ()),
        ("term_counts, 1 core", tool_term_counts, (1, True)),
        ("term_counts doc_freq=False, 1 core", tool_term_counts, (1, False)),
        (f"term_counts, {cores} cores", tool_term_counts, (cores, True)),
        (f"term_counts doc_freq=False, {cores} cores", tool_term_counts, (cores, False)),
    ]
    rows = []
    for name, func, args in tools:
        m = common.measure(func, path, *args)
        seconds, cpu, check, (own, child) = m["result"]
        m = {**m, "seconds": seconds, "peak_mb": own}
        extra_cpu = {"cpu_seconds": round(cpu, 3)} if cpu else {}
        extra = {"worker_peak_mb": round(child, 1)} if child else {}
        row = common.row(
            NAME, case, name, n_chars, "chars", m, texts=n_texts, result=check, **extra, **extra_cpu
        )
        row["load_avg"] = round(os.getloadavg()[0], 1)
        if name in ("texts only", "table only"):
            row["seconds"] = row["items_per_s"] = None
        rows.append(row)
    common.add_ratios(rows, "CountVectorizer")
    base = next(r["items_per_s"] for r in rows if r["tool"] == "Counter(tokenize)")
    cpu = {r["tool"]: r.get("cpu_seconds") for r in rows}
    for r in rows:
        if r.get("items_per_s"):
            r["vs_counter"] = round(r["items_per_s"] / base, 2)
        if r.get("cpu_seconds"):
            # Throughput over CountVectorizer counted in CPU seconds, and the wall
            # time the tool would take with its processes on otherwise idle cores.
            r["cpu_ratio"] = round(cpu["CountVectorizer"] / r["cpu_seconds"], 2)
            procs = int(r["tool"].rsplit(", ", 1)[-1].split()[0]) if "cores" in r["tool"] else 1
            r["idle_ratio"] = round(cpu["CountVectorizer"] / (r["cpu_seconds"] / procs), 2)
    return rows


def run(quick: bool) -> list[dict]:
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        ukraine = _ukraine_texts(quick)
        bodies = _reuters_bodies()
        cases = {"ukraine": ukraine, "reuters x10": bodies * (2 if quick else 10)}
        for case, texts in cases.items():
            path = str(Path(tmp) / f"{case.replace(' ', '_')}.pkl")
            with open(path, "wb") as fh:
                pickle.dump(texts, fh)
            rows += _count_rows(case, path, len(texts), sum(map(len, texts)))
        target = 20_000 if quick else 100_000
        many = (bodies * (target // len(bodies) + 1))[:target]
        path = str(Path(tmp) / "kwic.pkl")
        with open(path, "wb") as fh:
            pickle.dump(many, fh)
        queries = ("interest rates", "negotiat*", "opec", "wheat", "said")
        m = common.measure(tool_kwic, path, queries)
        build, info, (own, _) = m["result"]
        case = f"kwic {target // 1000}k"
        rows.append(
            common.row(
                NAME,
                case,
                "KwicIndex build",
                len(many),
                "articles",
                {**m, "seconds": build, "peak_mb": own},
                tokens=info["n_tokens"],
                index_mb=round(info["index_mb"], 1),
            )
        )
        for q, (secs, hits) in info["answers"].items():
            rows.append(
                common.row(
                    NAME,
                    case,
                    f"KwicIndex.search({q!r})",
                    hits,
                    "hits",
                    {"seconds": secs, "peak_mb": None},
                )
            )
    return rows
