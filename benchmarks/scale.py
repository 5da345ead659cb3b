"""Scale: the analyses at 10k, 100k and 1M articles, pandas engine beside Dask with 2 workers.

The corpus is built from the real ones: Reuters-21578 stories and the Ukraine
2022 corpus, repeated until the wanted size with light random edits (a sentence
dropped, the ending trimmed, a byline added, the headline changed, words swapped,
a number changed; some copies exact) and spread over more outlets and days, so
duplicate detection has real near-duplicates to find. It is written as JSON Lines
input files, as a user would bring them.

Each stage (ingest, term counts, keyness, sentiment, duplicates, report data)
runs in a fresh process. Wall time is measured in that process; peak memory is
sampled (psutil) over the whole process tree, Dask scheduler and workers
included. The pandas engine runs where it fits (up to ``PANDAS_MAX`` articles);
at the sizes both engines run, their results are compared (column ``equal``).
"""

from __future__ import annotations

import html
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.common import add_ratios, row, shared_corpus, tree_peak

SIZES = (10_000, 100_000, 1_000_000)
#: Largest corpus the pandas engine is run on (above it, only Dask).
PANDAS_MAX = 100_000
#: Rows per input file and per corpus part file.
ROWS_PER_FILE = 20_000
WORKERS = 2
#: Memory limit per Dask worker in the benchmark (the target is 4 GB for the whole tree).
WORKER_MEMORY = "1500MB"
STAGES = ("ingest", "duplicates", "counts", "keyness", "sentiment", "report")
#: Above ``PANDAS_MAX`` the cheap stages come first, so a run cut short still
#: measures most of them (each stage reads only the ingested corpus and caches).
LARGE_ORDER = ("ingest", "counts", "keyness", "duplicates", "sentiment", "report")

# ---------------------------------------------------------------------------
# Base texts from the real corpora
# ---------------------------------------------------------------------------

_STORY = re.compile(r"<REUTERS\b[^>]*>(.*?)</REUTERS>", re.S)
_FIELD = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.S) for name in ("DATE", "TITLE", "BODY")}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def read_reuters(folder: Path) -> pd.DataFrame:
    """Stories of Reuters-21578 with a body: ``published, title, text`` (SGML read as Latin-1)."""
    rows = []
    for path in sorted(folder.glob("reut2-*.sgm")):
        for story in _STORY.findall(path.read_text(encoding="latin-1")):
            fields = {}
            for name, pattern in _FIELD.items():
                m = pattern.search(story)
                fields[name] = _CONTROL.sub("", html.unescape(m.group(1))).strip() if m else ""
            body = re.sub(r"\s*Reuter\s*$", "", fields["BODY"]).strip()
            if not body:
                continue
            rows.append(
                {
                    "published": pd.to_datetime(
                        fields["DATE"].split(".")[0], format="%d-%b-%Y %H:%M:%S", errors="coerce"
                    ),
                    "title": fields["TITLE"].title(),
                    "text": re.sub(r"\s*\n\s*", " ", body),
                    "outlet": "Reuters 1987",
                }
            )
    return pd.DataFrame(rows)


def read_ukraine(folder: Path) -> pd.DataFrame:
    """Rows of the Ukraine 2022 CSVs with text: ``published, title, text, outlet``."""
    frames = []
    for path in sorted(folder.glob("*.csv")):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        cols = {c.lower(): c for c in df.columns}
        dates = df[cols["url"]] if path.stem == "NYT" else df[cols["date"]]
        frames.append(
            pd.DataFrame(
                {
                    "published": pd.to_datetime(dates, errors="coerce", utc=True, format="mixed"),
                    "title": df[cols["title"]],
                    "text": df[cols["text"]].str.strip(),
                    "outlet": path.stem,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["published"] = out["published"].dt.tz_localize(None)
    return out[out["text"].str.len() > 40]


def base_articles() -> pd.DataFrame:
    """Reuters-21578 and the Ukraine corpus together, in a fixed order."""
    reuters = read_reuters(shared_corpus("reuters21578"))
    ukraine = read_ukraine(shared_corpus("ukraine_media_2022") / "data")
    base = pd.concat([reuters, ukraine], ignore_index=True)
    return base.dropna(subset=["published"]).reset_index(drop=True)


# ---------------------------------------------------------------------------
# The synthetic corpus: copies with light random edits
# ---------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
_NUMBER = re.compile(r"\b\d+\b")
_BYLINES = ("By Staff Reporter", "By Anna Petrenko", "By John Miller", "From wire reports")
_TITLE_EDITS = ("UPDATE 1-{}", "UPDATE 2-{}", "{} - live", "{}: what we know", "Analysis: {}")
OUTLETS = tuple(f"Outlet {i:02d}" for i in range(1, 41))


def _edit(rng: random.Random, title: str, sentences: list[str]) -> tuple[str, str]:
    """Return an edited (title, text) copy; about one copy in ten is exact."""
    sentences = list(sentences)
    if rng.random() < 0.1:
        return title, " ".join(sentences)
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(6)
        if kind == 0 and len(sentences) > 3:
            del sentences[rng.randrange(1, len(sentences))]
        elif kind == 1 and len(sentences) > 3:
            sentences.pop()
        elif kind == 2:
            sentences.insert(0, rng.choice(_BYLINES) + ".")
        elif kind == 3:
            title = rng.choice(_TITLE_EDITS).format(title)
        elif kind == 4:
            i = rng.randrange(len(sentences))
            words = sentences[i].split()
            if len(words) > 3:
                j = rng.randrange(len(words) - 1)
                words[j], words[j + 1] = words[j + 1], words[j]
                sentences[i] = " ".join(words)
        else:
            i = rng.randrange(len(sentences))
            sentences[i] = _NUMBER.sub(lambda m: str(rng.randrange(1, 1000)), sentences[i], count=1)
    return title, " ".join(sentences)


#: Each base article appears at least this many times (original and edited copies).
MIN_COPIES = 4


def synthetic_rows(base: pd.DataFrame, n: int, *, seed: int = 7):
    """
    Yield ``n`` article dicts: base articles, then edited copies of them on other outlets.

    The base articles are a random sample of the real ones, ``n / MIN_COPIES`` of
    them (all of them once the corpus is large enough), so every size mixes
    Reuters and Ukraine stories and holds copies to find.
    """
    rng = random.Random(seed)
    n_base = min(len(base), max(1, n // MIN_COPIES))
    base = base.sample(n=n_base, random_state=seed).reset_index(drop=True)
    split = [_SENTENCE_END.split(t) for t in base["text"]]
    titles = base["title"].tolist()
    outlets = base["outlet"].tolist()
    days = base["published"].tolist()
    for i in range(n):
        b = i % len(base)
        copy = i // len(base)
        if copy == 0:
            title, text, outlet = titles[b], " ".join(split[b]), outlets[b]
            when = days[b]
        else:
            title, text = _edit(rng, titles[b], split[b])
            outlet = rng.choice(OUTLETS)
            when = days[b] + pd.Timedelta(hours=rng.randrange(0, 96))
        yield {
            "outlet": outlet,
            "title": title,
            "text": text,
            "published": when.floor("s").isoformat(),
            "url": f"https://news.example.org/{b}/{copy}",
        }


def write_inputs(base: pd.DataFrame, n: int, folder: Path) -> list[Path]:
    """Write ``n`` synthetic articles as JSON Lines files of ``ROWS_PER_FILE`` rows each."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    fh = None
    for i, article in enumerate(synthetic_rows(base, n)):
        if i % ROWS_PER_FILE == 0:
            if fh:
                fh.close()
            paths.append(folder / f"articles-{len(paths):05d}.jsonl")
            fh = open(paths[-1], "w", encoding="utf-8")
        fh.write(json.dumps(article, ensure_ascii=False) + "\n")
    if fh:
        fh.close()
    return paths


# ---------------------------------------------------------------------------
# Measuring a stage in a fresh process tree
# ---------------------------------------------------------------------------


def measure_tree(
    engine: str, stage: str, inputs: Path, corpus: Path, *, interval: float = 0.1
) -> dict:
    """
    Run one stage in a fresh Python process; return seconds, peak MB of its whole tree, result.

    Peak memory is the largest sum of resident set sizes over the process and all
    its descendants (Dask scheduler, nannies and workers), sampled every ``interval`` s.
    """
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    cmd = [
        sys.executable,
        "-c",
        "import sys; from benchmarks.scale import stage_main; stage_main(sys.argv[1:])",
        engine,
        stage,
        str(inputs),
        str(corpus),
        str(out),
    ]
    status, peak = tree_peak(cmd, interval=interval)
    if status != 0:
        raise RuntimeError(f"stage {stage} ({engine}) failed with exit code {status}")
    result = json.loads(out.read_text())
    out.unlink()
    return {"seconds": result["seconds"], "peak_mb": peak, "result": result["result"]}


def stage_main(argv: list[str]) -> None:
    """Entry point of the stage process: ``ENGINE STAGE INPUTS CORPUS OUT_JSON``."""
    engine, stage, inputs, corpus, out = argv
    t0 = time.perf_counter()
    if engine == "dask":
        from analysis.engine.dask import get_client

        client = get_client(n_workers=WORKERS, memory_limit=WORKER_MEMORY)
        t0 = time.perf_counter()  # cluster start-up is not the stage's cost
    result = STAGE_FUNCS[stage](engine, Path(inputs), Path(corpus))
    seconds = time.perf_counter() - t0
    if engine == "dask":
        client.close()
    Path(out).write_text(json.dumps({"seconds": seconds, "result": result}))


def _fingerprint(df: pd.DataFrame) -> str:
    """A short hash of a result table, to compare the two engines' outputs."""
    import hashlib

    values = pd.util.hash_pandas_object(df.reset_index(drop=True), index=False).to_numpy()
    return hashlib.blake2b(values.tobytes(), digest_size=8).hexdigest() + f"/{len(df)}"


def _open(engine: str, corpus: Path):
    if engine == "pandas":
        from analysis import open_corpus

        return open_corpus(corpus)
    from analysis.engine.reader import open_dask_corpus

    return open_dask_corpus(corpus)


def _stage_ingest(engine: str, inputs: Path, corpus: Path) -> int:
    """The store's streaming ingest (story groups are the next stage)."""
    from analysis.corpus.store import ingest

    return ingest([inputs], corpus, duplicates=False, progress=False).articles_total


def _stage_duplicates(engine: str, inputs: Path, corpus: Path) -> str:
    """Story groups over the whole corpus, stored in ``duplicates.parquet``."""
    if engine == "pandas":
        from analysis.corpus.store import _update_duplicates

        _update_duplicates(corpus)
    else:
        from analysis.engine.stories import update_duplicates

        update_duplicates(corpus)
    return _fingerprint(pd.read_parquet(corpus / "duplicates.parquet"))


def _stage_counts(engine: str, inputs: Path, corpus: Path) -> str:
    """Term counts per outlet, every term (count, document frequency, rate)."""
    from analysis import term_counts  # either engine

    return _fingerprint(term_counts(_open(engine, corpus), by="outlet"))


def _stage_keyness(engine: str, inputs: Path, corpus: Path) -> str:
    """Keyness of every outlet against the rest (G2, BH correction), top 50 terms each."""
    from analysis import keyness  # either engine

    return _fingerprint(keyness(_open(engine, corpus), by="outlet", top=50))


def _article_tone(engine: str, corpus: Path) -> pd.DataFrame:
    from analysis import article_sentiment

    tone = article_sentiment(_open(engine, corpus), cache_dir=corpus)
    return tone.compute() if engine == "dask" else tone


def _stage_sentiment(engine: str, inputs: Path, corpus: Path) -> str:
    """VADER scores of every sentence, summarised per article (scores cached with the corpus)."""
    return _fingerprint(_article_tone(engine, corpus).reset_index(drop=True))


def _stage_report(engine: str, inputs: Path, corpus: Path) -> str:
    """The report's tables: weekly volume, frequent terms per outlet, tone by outlet, KWIC."""
    from analysis import kwic, term_counts, tone_by, volume

    articles = _open(engine, corpus)
    tables = [
        volume(articles, freq="W", by="outlet"),
        term_counts(articles, by="outlet", min_count=200),
        tone_by(_article_tone(engine, corpus), by="outlet", n_boot=200),
        kwic(articles, "ceasefire", window=6),
    ]
    return "+".join(_fingerprint(t) for t in tables)


STAGE_FUNCS = {
    "ingest": _stage_ingest,
    "duplicates": _stage_duplicates,
    "counts": _stage_counts,
    "keyness": _stage_keyness,
    "sentiment": _stage_sentiment,
    "report": _stage_report,
}


# ---------------------------------------------------------------------------
# Runner
# ---------------------------------------------------------------------------


def run(quick: bool = False, sizes: tuple[int, ...] | None = None) -> list[dict]:
    """Measure every stage at each size; pandas and Dask side by side where pandas runs."""
    sizes = sizes or (SIZES[:1] if quick else SIZES)
    base = base_articles()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="mca-scale-") as tmp:
        for n in sizes:
            inputs = Path(tmp) / f"inputs-{n}"
            corpus = Path(tmp) / f"corpus-{n}"
            write_inputs(base, n, inputs)
            engines = ("pandas", "dask") if n <= PANDAS_MAX else ("dask",)
            label = f"{n // 1000}k" if n < 1_000_000 else f"{n // 1_000_000}M"
            # the store ingests once (streaming, the same code for both engines)
            ingest = measure_tree("pandas", "ingest", inputs, corpus)
            rows.append(_row("ingest", label, "store (streaming)", n, ingest))
            _say(rows[-1])
            results: dict[tuple[str, str], dict] = {}
            for engine in engines:
                order = STAGES if n <= PANDAS_MAX else LARGE_ORDER
                for stage in order[1:]:
                    try:
                        m = measure_tree(engine, stage, inputs, corpus)
                    except RuntimeError as exc:  # one failed stage must not hide the others
                        rows.append(
                            {
                                "benchmark": "scale",
                                "case": f"{stage} {label}",
                                "tool": _tool(engine),
                                "items": n,
                                "notes": str(exc),
                            }
                        )
                        continue
                    results[engine, stage] = m
                    rows.append(_row(stage, label, _tool(engine), n, m))
                    _say(rows[-1])
                if any((engine, s) not in results for s in STAGES[1:]):
                    continue
                total = {
                    "seconds": ingest["seconds"]
                    + sum(results[engine, s]["seconds"] for s in STAGES[1:]),
                    "peak_mb": max(
                        ingest["peak_mb"], *(results[engine, s]["peak_mb"] for s in STAGES[1:])
                    ),
                }
                rows.append(_row("end to end", label, _tool(engine), n, total))
            if len(engines) == 2:
                for r in rows:
                    stage = r["case"].rsplit(" ", 1)[0]
                    if r["case"].endswith(f" {label}") and ("pandas", stage) in results:
                        r["equal"] = (
                            results["pandas", stage]["result"] == results["dask", stage]["result"]
                        )
            _remove_tree(corpus)
            _remove_tree(inputs)
    return add_ratios(rows, "pandas")


def _say(r: dict) -> None:
    """Show each measurement as it comes (a long run is readable while it goes)."""
    print(
        f"   {r['case']:<18} {r['tool']:<18} {r['seconds']:>9.1f} s {r['peak_mb']:>8.0f} MB",
        file=sys.stderr,
        flush=True,
    )


def _tool(engine: str) -> str:
    return "pandas" if engine == "pandas" else f"dask {WORKERS} workers"


def _row(stage: str, label: str, tool: str, n: int, m: dict) -> dict:
    return row(
        "scale",
        f"{stage} {label}",
        tool,
        n,
        "articles",
        m,
        us_per_article=round(m["seconds"] / n * 1e6, 1),
    )


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    # python -m benchmarks.scale [SIZE...]: chosen sizes only, e.g. 100000
    chosen = tuple(int(a) for a in sys.argv[1:] if a.isdigit()) or None
    for r in run(quick="--quick" in sys.argv, sizes=chosen):
        print({k: v for k, v in r.items() if v is not None}, flush=True)
