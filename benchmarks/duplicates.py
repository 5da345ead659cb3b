"""Duplicate detection and language identification at scale.

Cases (full run: 100,000 articles; ``--quick``: 10,000):

- ``exact``: exact-duplicate groups. Baseline: ``pandas.DataFrame.drop_duplicates``
  on the raw text (what a user would type first).
- ``exact+near``: exact and near-duplicate groups. Baseline: datasketch used the
  way its README shows: one ``MinHash`` per article updated with its word
  shingles, ``MinHashLSH.insert`` then ``query`` for every article.
- ``language``: py3langid on every article, alone and through ``detect_language``.

The articles are real: Reuters-21578 bodies and the Ukraine media CSVs, repeated
until the target size with light random word edits (each copy drops, repeats or
swaps 1-3% of its words), so that the corpus has known exact and near copies.
Both tools see the same table; the rows report the number of stories found.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import common

# ------------------------------------------------------------------ Reuters-21578 reader

_DOC = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_NEWID = re.compile(r'NEWID="(\d+)"')
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _tag(name: str, doc: str) -> str:
    m = re.search(rf"<{name}>(.*?)</{name}>", doc, re.S)
    return m.group(1) if m else ""


def _clean(raw: str) -> str:
    return _CONTROL.sub("", html.unescape(raw)).strip()


def read_reuters(folder: Path) -> pd.DataFrame:
    """
    Read the Reuters-21578 SGML files into a table.

    The files are Latin-1 and escape characters as ``&#N;`` and ``&lt;``; control
    characters left by the wire format are dropped. Stories without a ``<BODY>``
    (briefs, unprocessed items) keep an empty ``text``.

    Returns
    -------
    DataFrame
        ``newid`` (int), ``published`` (UTC timestamp, NaT when malformed),
        ``title``, ``text``, ``topics`` (list of str).
    """
    rows = []
    for path in sorted(Path(folder).glob("reut2-*.sgm")):
        raw = path.read_bytes().decode("latin-1")
        for m in _DOC.finditer(raw):
            attrs, doc = m.groups()
            newid = _NEWID.search(attrs)
            rows.append(
                {
                    "newid": int(newid.group(1)) if newid else -1,
                    "published": _tag("DATE", doc).strip(),
                    "title": _clean(_tag("TITLE", doc)),
                    "text": _clean(_tag("BODY", doc)),
                    "topics": re.findall(r"<D>(.*?)</D>", _tag("TOPICS", doc)),
                }
            )
    df = pd.DataFrame(rows)
    stamp = df["published"].str.extract(r"(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d:\d\d:\d\d)")
    df["published"] = pd.to_datetime(
        stamp[0] + " " + stamp[1].str.title() + " " + stamp[2] + " " + stamp[3],
        format="%d %b %Y %H:%M:%S",
        errors="coerce",
        utc=True,
    )
    return df


def reuters_articles(folder: Path) -> pd.DataFrame:
    """Return Reuters-21578 as a canonical articles table (outlet "Reuters")."""
    from analysis.schema import conform

    df = read_reuters(folder)
    df = df.assign(
        outlet="Reuters",
        url="",
        source_path=[str(folder)] * len(df),
        source_row=df["newid"],
        date_source="column",
        n_words=df["text"].str.split().str.len(),
    )
    df["article_id"] = [f"reuters-{i}" for i in df["newid"]]
    return conform(df.drop(columns=["newid", "topics"]))


def ukraine_articles(folder: Path) -> pd.DataFrame:
    """Read the Ukraine CSVs with pandas into a minimal table (outlet from file name)."""
    parts = []
    for path in sorted(Path(folder).glob("*.csv")):
        df = pd.read_csv(path)
        cols = {c.lower(): c for c in df.columns}
        text = df[cols["text"]].fillna("").astype(str)
        if path.stem == "NYT":  # header shifted: the columns hold date, headline, abstract, lead
            text = df[cols["title"]].fillna("").astype(str) + " " + text
        parts.append(pd.DataFrame({"outlet": path.stem, "text": text}))
    return pd.concat(parts, ignore_index=True)


# ------------------------------------------------------------------ the synthetic corpus


def build_corpus(n: int, seed: int = 7) -> pd.DataFrame:
    """
    Return ``n`` articles: 60% real articles drawn at random, 40% copies of them.

    A third of the copies are exact; the others are lightly edited (1-3% of
    words dropped, doubled or swapped with a neighbour). Each copy goes to a
    random outlet within three days of its source. ``source`` names the real
    article a row comes from (the real corpora have duplicates of their own, so
    two sources may still be one story).
    """
    reuters = reuters_articles(common.shared_corpus("reuters21578"))
    ukraine = ukraine_articles(common.shared_corpus("ukraine_media_2022") / "data")
    base = pd.concat([reuters[["outlet", "text"]], ukraine[["outlet", "text"]]], ignore_index=True)
    base = base[base["text"].str.len() > 0].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    n_real = min(len(base), int(n * 0.6))
    picked = np.sort(rng.choice(len(base), size=n_real, replace=False))
    texts = base["text"].to_numpy()[picked].tolist()
    outlets = base["outlet"].to_numpy()[picked].tolist()
    hours = rng.integers(0, 200 * 24, size=n_real).tolist()
    sources = list(range(n_real))
    pool = np.array(sorted(set(outlets)))
    while len(texts) < n:
        src = int(rng.integers(n_real))
        words = texts[src].split()
        if rng.random() >= 1 / 3 and len(words) > 10:
            words = _edit(words, rng)
        texts.append(" ".join(words))
        outlets.append(str(rng.choice(pool)))
        hours.append(hours[src] + int(rng.integers(0, 72)))
        sources.append(src)
    published = pd.Timestamp("2022-02-24", tz="UTC") + pd.to_timedelta(hours, unit="h")
    return pd.DataFrame(
        {
            "article_id": [f"a{i}" for i in range(n)],
            "outlet": outlets,
            "title": "",
            "text": texts,
            "published": published,
            "source": sources,
        }
    )


def copy_recall(labels, sources) -> float:
    """Share of copies whose group is their source article's group."""
    labels = pd.Series(np.asarray(labels)).reset_index(drop=True)
    sources = pd.Series(np.asarray(sources))
    first = labels.groupby(sources).transform("first")
    copies = sources.duplicated()
    return round(float((labels[copies] == first[copies]).mean()), 4)


def _edit(words: list[str], rng: np.random.Generator) -> list[str]:
    words = list(words)
    for _ in range(max(1, int(len(words) * rng.uniform(0.01, 0.03)))):
        i = int(rng.integers(len(words) - 1))
        op = rng.integers(3)
        if op == 0:
            del words[i]
        elif op == 1:
            words.insert(i, words[i])
        else:
            words[i], words[i + 1] = words[i + 1], words[i]
    return words


def truncated_copies(folder: Path, *, stories: int = 60, others: int = 600, seed: int = 11):
    """
    Return real stories, one copy of each, and unrelated real articles, all on one day.

    ``stories`` articles of 250-1500 words are drawn from the Ukraine CSVs in
    ``folder`` so that no two share more than a tenth of their word 4-shingles.
    Each gets one copy: every fourth copy keeps only its first 30-60% (cut at a
    sentence end, as republishers trim wire copy), the others lose a sentence;
    half get a byline and all but the trimmed ones have 1-3% of their words
    dropped, doubled or swapped. Distractors: ``others`` further articles that
    share little with any story, and one round-up per five stories made of the
    first two sentences of three stories each (a live blog's summaries). All rows
    carry one date, so the date window cannot keep a wrong pair apart.

    Returns
    -------
    DataFrame
        ``article_id``, ``outlet``, ``title``, ``text``, ``published``, ``source``
        (the story a row copies, -1 for a distractor) and ``truncated`` (bool).
    """
    from analysis.corpus.duplicates import Shingler, normalize_text

    base = ukraine_articles(folder)
    base = base[base["outlet"] != "NYT"].drop_duplicates("text").reset_index(drop=True)
    n_words = base["text"].str.split().str.len()
    shingler = Shingler(4)
    rng = np.random.default_rng(seed)

    def overlap(a: np.ndarray, b: np.ndarray) -> float:
        shared = len(np.intersect1d(a, b, assume_unique=True))
        return shared / max(1, min(len(a), len(b)))

    picked: list[int] = []
    sets: list[np.ndarray] = []
    for i in rng.permutation(np.flatnonzero((n_words >= 250) & (n_words <= 1500))).tolist():
        s = shingler(normalize_text(base["text"][i]).split())
        if all(overlap(s, t) <= 0.1 for t in sets):
            picked.append(i)
            sets.append(s)
            if len(picked) == stories:
                break
    rows = []
    for k, i in enumerate(picked):
        text = base["text"][i]
        rows.append((base["outlet"][i], text, k, False))
        sents = re.split(r"(?<=[.!?])\s+", text.strip())
        if k % 4 == 0:
            words = np.cumsum([len(x.split()) for x in sents])
            keep = int(np.searchsorted(words, words[-1] * rng.uniform(0.3, 0.6)))
            sents = sents[: max(1, keep)]
        elif len(sents) > 3:
            del sents[int(rng.integers(1, len(sents)))]
        if rng.random() < 0.5:
            sents.insert(0, "By Staff Reporter.")
        copy = _edit(" ".join(sents).split(), rng) if k % 4 else " ".join(sents).split()
        rows.append(("Copy desk", " ".join(copy), k, k % 4 == 0))
    for k in range(0, len(picked) - 2, 5):
        leads = [re.split(r"(?<=[.!?])\s+", base["text"][i].strip())[:2] for i in picked[k : k + 3]]
        rows.append(("Live desk", "\n\n".join(" ".join(x) for x in leads), -1, False))
    taken = set(picked)
    for i in rng.permutation(np.flatnonzero(n_words >= 20)).tolist():
        if len(rows) >= 2 * len(picked) + (len(picked) + 2) // 5 + others:
            break
        if i in taken:
            continue
        s = shingler(normalize_text(base["text"][i]).split())
        if len(s) and all(overlap(s, t) <= 0.1 for t in sets):
            rows.append((base["outlet"][i], base["text"][i], -1, False))
    df = pd.DataFrame(rows, columns=["outlet", "text", "source", "truncated"])
    return df.assign(
        article_id=[f"t{i}" for i in range(len(df))],
        title="",
        published=pd.Timestamp("2022-03-15", tz="UTC"),
    )


def pair_scores(labels, sources) -> dict:
    """
    Pairwise precision and recall of story groups against known copies.

    True pairs are rows with one ``source`` (>= 0); a predicted pair is two rows
    in one group, at least one of them a story or its copy (two distractors
    may be real copies of each other and are not scored).
    """
    df = pd.DataFrame({"label": np.asarray(labels), "source": np.asarray(sources)})
    truth = df[df["source"] >= 0].groupby("source").size()
    true_pairs = int((truth * (truth - 1) // 2).sum())
    found = correct = 0
    for _, group in df.groupby("label"):
        src = group["source"].to_numpy()
        if len(src) < 2 or (src < 0).all():
            continue
        known = src[src >= 0]
        n, m = len(src), int((src < 0).sum())
        found += n * (n - 1) // 2 - m * (m - 1) // 2
        correct += int(sum(c * (c - 1) // 2 for c in np.unique(known, return_counts=True)[1]))
    return {
        "precision": round(correct / found, 4) if found else 1.0,
        "recall": round(correct / true_pairs, 4) if true_pairs else 1.0,
    }


# ------------------------------------------------------------------ measured functions


def _corpus(n: int) -> pd.DataFrame:
    return build_corpus(n)


def ours_near(n: int) -> dict:
    import time

    from analysis.corpus.duplicates import find_duplicates

    df = _corpus(n)
    t0 = time.perf_counter()
    out = find_duplicates(df, progress=False)
    seconds = time.perf_counter() - t0
    return {
        "stories": int(out["story_id"].nunique()),
        "copy_recall": copy_recall(out["story_id"], df["source"]),
        "seconds": seconds,
    }


def pandas_exact(n: int) -> dict:
    import time

    df = _corpus(n)
    t0 = time.perf_counter()
    stories = len(df.drop_duplicates("text"))
    seconds = time.perf_counter() - t0
    labels = df.groupby("text", sort=False).ngroup()  # for the quality column, not timed
    return {
        "stories": stories,
        "copy_recall": copy_recall(labels, df["source"]),
        "seconds": seconds,
    }


def ours_exact(n: int) -> dict:
    import time

    from analysis.corpus.duplicates import find_duplicates

    df = _corpus(n)
    t0 = time.perf_counter()
    # threshold 1 and no containment: only identical shingle sets join besides exact keys
    out = find_duplicates(df, threshold=1.0, containment=None, progress=False)
    seconds = time.perf_counter() - t0
    return {
        "stories": int(out["story_id"].nunique()),
        "copy_recall": copy_recall(out["story_id"], df["source"]),
        "seconds": seconds,
    }


def datasketch_naive(n: int, threshold: float = 0.8, num_perm: int = 128, k: int = 4) -> dict:
    import time

    from datasketch import MinHash, MinHashLSH

    df = _corpus(n)
    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sketches = []
    for i, text in enumerate(df["text"]):
        words = text.lower().split()
        shingles = {" ".join(words[j : j + k]) for j in range(max(1, len(words) - k + 1))}
        m = MinHash(num_perm=num_perm)
        m.update_batch([s.encode("utf-8") for s in shingles])
        lsh.insert(i, m)
        sketches.append(m)
    parent = list(range(len(sketches)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, m in enumerate(sketches):
        for j in lsh.query(m):
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    labels = [find(i) for i in range(len(sketches))]
    seconds = time.perf_counter() - t0
    return {
        "stories": len(set(labels)),
        "copy_recall": copy_recall(labels, df["source"]),
        "seconds": seconds,
    }


def py3langid_plain(n: int) -> dict:
    import time

    import py3langid

    texts = _corpus(n)["text"].tolist()
    t0 = time.perf_counter()
    langs = [py3langid.classify(t)[0] for t in texts]
    return {"english": sum(lang == "en" for lang in langs), "seconds": time.perf_counter() - t0}


def ours_language(n: int) -> dict:
    import time

    from analysis.text.language import detect_language

    texts = _corpus(n)["text"].tolist()
    t0 = time.perf_counter()
    langs = detect_language(texts)
    return {"english": sum(lang == "en" for lang in langs), "seconds": time.perf_counter() - t0}


def build_only(n: int) -> dict:
    import time

    t0 = time.perf_counter()
    df = _corpus(n)
    return {"rows": len(df), "seconds": time.perf_counter() - t0}


# ------------------------------------------------------------------ runner


def _row(case: str, tool: str, n: int, m: dict, **extra) -> dict:
    # time the work itself (the measured function reports it), not the corpus build;
    # peak memory is the whole process, the corpus included (see the build_only row)
    result = m["result"]
    timed = {"seconds": result.pop("seconds"), "peak_mb": m["peak_mb"]}
    return common.row("duplicates", case, tool, n, "articles", timed, **result, **extra)


def run(quick: bool) -> list[dict]:
    n = 10_000 if quick else 100_000
    rows = [_row("corpus", "build (reference memory)", n, common.measure(build_only, n))]
    rows += [
        _row("exact", "pandas drop_duplicates", n, common.measure(pandas_exact, n)),
        _row("exact", "analysis.find_duplicates", n, common.measure(ours_exact, n)),
        _row("exact+near", "datasketch naive", n, common.measure(datasketch_naive, n)),
        _row("exact+near", "analysis.find_duplicates", n, common.measure(ours_near, n)),
    ]
    n_lang = 2_000 if quick else 20_000
    rows += [
        _row("language", "py3langid.classify", n_lang, common.measure(py3langid_plain, n_lang)),
        _row("language", "analysis.detect_language", n_lang, common.measure(ours_language, n_lang)),
    ]
    common.add_ratios([r for r in rows if r["case"] == "exact"], "pandas drop_duplicates")
    common.add_ratios([r for r in rows if r["case"] == "exact+near"], "datasketch naive")
    common.add_ratios([r for r in rows if r["case"] == "language"], "py3langid.classify")
    return rows
