"""Sentence sentiment throughput: our VADER engines against the references, same sentences.

Corpus: ``ukraine_media_2022`` (every article text split with
:func:`analysis.text.nlp.split_sentences`; ``--quick`` takes the first 20,000 sentences).

Tools, each run in a fresh process on the same sentence list:

- ``vaderSentiment``: ``SentimentIntensityAnalyzer.polarity_scores`` in a loop (3.3.2);
- ``ours_vader``: :func:`analysis.measures.vader.score_texts` with ``engine="vader"``;
- ``nltk``: ``nltk.sentiment.vader.SentimentIntensityAnalyzer.polarity_scores`` in a loop;
- ``ours_nltk``: :func:`analysis.measures.vader.score_texts` with ``engine="nltk"``.

Cases:

- ``distinct, 1 core``: each distinct sentence once (memoization cannot help);
- ``all, 1 core``: every sentence in corpus order, repeats included (syndicated
  copies repeat sentences; ours scores a repeated sentence once, the references
  score it again); ``ours_*_no_memo`` rows switch memoization off;
- ``all, N cores``: the references split over a process pool the way a user would,
  ours with ``n_jobs`` = every core (process start-up included for both).

Each tool runs ``repeats`` times (3 quick, 2 full), interleaved with the other
tools, and its fastest run is kept: on a shared machine other work only ever slows
a run down. One-core cases report the CPU time of the scoring process (``seconds``;
wall time in ``wall_s``), which other processes disturb far less than wall time;
multi-core cases report wall time, process start-up included.

Library imports happen before the clock starts, for every tool; building the
analyzer (reading the lexicon) is timed, for every tool.

``identical`` says whether the tool's scores are bit-identical to its reference's
(a digest of all four scores of every sentence). ``ratio`` is throughput over the
reference of the same engine in the same case.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import struct
import time
from concurrent.futures import ProcessPoolExecutor

# Imported here, not in the timed functions: a worker process imports this module
# before its clock starts, so no tool is charged for importing its libraries.
import nltk.sentiment.vader
import vaderSentiment.vaderSentiment

import analysis.measures.vader
from benchmarks import common

NAME = "sentiment"
CORPUS = "ukraine_media_2022"
QUICK_SENTENCES = 20_000
KEYS = ("neg", "neu", "pos", "compound")


def corpus_sentences(quick: bool) -> list[str]:
    """Return the corpus sentences in article order (repeats kept)."""
    from analysis import load_articles
    from analysis.text.nlp import split_sentences

    articles = load_articles(common.shared_corpus(CORPUS) / "data", detect_language=False)
    sentences: list[str] = []
    for text in articles["text"]:
        if isinstance(text, str):
            sentences.extend(split_sentences(text))
        if quick and len(sentences) >= QUICK_SENTENCES:
            break
    return sentences[:QUICK_SENTENCES] if quick else sentences


def _digest(scores) -> str:
    h = hashlib.blake2b(digest_size=12)
    for row in scores:
        h.update(struct.pack("4d", *(x + 0.0 for x in row)))
    return h.hexdigest()


def _reference(engine: str):
    if engine == "vader":
        return vaderSentiment.vaderSentiment.SentimentIntensityAnalyzer()
    from analysis.text.nlp import ensure_nltk_data

    ensure_nltk_data()
    return nltk.sentiment.vader.SentimentIntensityAnalyzer()


def _reference_scores(engine: str, sentences: list[str]) -> list[tuple]:
    ref = _reference(engine)
    out = []
    for s in sentences:
        d = ref.polarity_scores(s)
        out.append(tuple(d[k] for k in KEYS))
    return out


def _timed(score, *args) -> tuple[str, float]:
    """Run ``score(*args)``; return the digest of its scores and the CPU seconds it took."""
    t0 = time.process_time()
    scores = score(*args)
    cpu = time.process_time() - t0
    return _digest(scores), cpu


def run_reference(engine: str, sentences: list[str], workers: int = 1) -> tuple[str, float | None]:
    """Score with the reference analyzer (in a process pool when ``workers`` > 1)."""
    if workers == 1:
        return _timed(_reference_scores, engine, sentences)
    size = -(-len(sentences) // workers)
    chunks = [sentences[k : k + size] for k in range(0, len(sentences), size)]
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
        parts = pool.map(_reference_scores, [engine] * len(chunks), chunks)
        return _digest(r for part in parts for r in part), None


def _ours(engine: str, sentences: list[str], n_jobs: int, memoize: bool) -> list[tuple]:
    if memoize:
        return analysis.measures.vader.score_texts(sentences, engine=engine, n_jobs=n_jobs)
    return analysis.measures.vader.get_analyzer(engine).score_many(sentences, memoize=False)


def run_ours(
    engine: str, sentences: list[str], n_jobs: int = 1, memoize: bool = True
) -> tuple[str, float | None]:
    """Score with our engine (memoized batches; processes when ``n_jobs`` > 1)."""
    digest, cpu = _timed(_ours, engine, sentences, n_jobs, memoize)
    return digest, cpu if n_jobs == 1 else None


def _keep_best(best: dict, tool: str, m: dict) -> None:
    """Keep a tool's fastest run: CPU seconds on one core, wall seconds across cores."""
    digest, cpu = m["result"]
    m = {**m, "result": digest, "wall_s": round(m["seconds"], 4)}
    if cpu is not None:
        m["seconds"] = cpu
    old = best.get(tool)
    if old is None or m["seconds"] < old["seconds"]:
        best[tool] = {**m, "peak_mb": max(m["peak_mb"], old["peak_mb"] if old else 0)}


def run(quick: bool = False) -> list[dict]:
    sentences = corpus_sentences(quick)
    distinct = list(dict.fromkeys(sentences))
    cores = os.cpu_count() or 1
    repeats = 3 if quick else 2
    out: list[dict] = []
    about = f"{len(sentences)} sentences, {len(distinct)} distinct; best of {repeats} runs"
    cases = [
        ("distinct, 1 core", distinct, 1),
        ("all, 1 core", sentences, 1),
        (f"all, {cores} cores", sentences, cores),
    ]
    for engine, reference in (("vader", "vaderSentiment"), ("nltk", "nltk")):
        rows = []
        for case, data, workers in cases:
            tools = {
                reference: (run_reference, (engine, data, workers)),
                f"ours_{engine}": (run_ours, (engine, data, workers)),
            }
            if workers == 1 and data is sentences:
                tools[f"ours_{engine}_no_memo"] = (run_ours, (engine, data, 1, False))
            best: dict[str, dict] = {}
            for _ in range(repeats):  # interleaved, so slow spells of the machine hit every tool
                for tool, (func, args) in tools.items():
                    _keep_best(best, tool, common.measure(func, *args))
            clock = "CPU" if workers == 1 else "wall"
            for tool, m in best.items():
                extra = (
                    {}
                    if tool == reference
                    else {"identical": m["result"] == best[reference]["result"]}
                )
                notes = f"{about}; {clock} seconds" + (
                    "; memoization off" if tool.endswith("no_memo") else ""
                )
                rows.append(
                    common.row(NAME, f"{engine}: {case}", tool, len(data), "sentences", m,
                               wall_s=m["wall_s"], notes=notes, **extra)
                )  # fmt: skip
        out += common.add_ratios(rows, reference)
    return out
