"""Topics: how well :func:`analysis.topics` finds known categories, and at what cost.

Quality (``reuters K categories``): the Reuters-21578 stories that carry exactly
one topic label, among the ``K`` most frequent labels, duplicates of a body
dropped. Each method is fitted with k = K and scored by the normalised mutual
information (``sklearn.metrics.normalized_mutual_info_score``) between each
story's main topic and its label, on three kinds of text:

- ``full``: title and body;
- ``short``: title and first sentence of the body;
- ``title``: the title alone.

Tools: ``plain NMF`` (``TfidfVectorizer(stop_words="english")`` then ``NMF(k)``,
scikit-learn's defaults), ``plain LDA`` (``CountVectorizer(stop_words="english")``
then ``LatentDirichletAllocation(k)``), and ``analysis.topics`` with
``method="nmf"``, ``"lda"`` and ``"auto"`` (the default).

Speed (``speed Nk``): fit and assign k = 20 topics on N articles (Reuters and
Ukraine texts drawn with replacement): 10,000 articles for both methods, and in
the full run 100,000 for NMF (the default on full articles). Each tool runs in a
fresh process for its peak memory; ``ratio`` is throughput over the plain
scikit-learn pipeline of the same method.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import common

NAME = "topics"


def reuters_sample(
    folder: Path, labels: list[str] | int = 8, *, per_topic: int | None = None, seed: int = 0
) -> pd.DataFrame:
    """
    Return single-label Reuters-21578 stories as an articles table with their ``label``.

    ``labels`` is a list of category names or the number of most frequent ones;
    ``per_topic`` draws at most that many stories of each (seeded).
    """
    from benchmarks.duplicates import read_reuters

    df = read_reuters(folder)
    df = df[(df["topics"].str.len() == 1) & (df["text"].str.strip().str.len() > 0)]
    df = df.assign(label=df["topics"].str[0]).drop_duplicates("text")
    if isinstance(labels, int):
        labels = df["label"].value_counts().index[:labels].tolist()
    df = df[df["label"].isin(labels)]
    if per_topic is not None:
        df = df.sample(frac=1.0, random_state=seed).groupby("label").head(per_topic)
    df = df.sort_values("newid").reset_index(drop=True)
    return pd.DataFrame(
        {
            "article_id": "reuters-" + df["newid"].astype(str),
            "outlet": "Reuters",
            "title": df["title"],
            "text": df["text"],
            "published": df["published"],
            "label": df["label"],
        }
    )


def kinds_of_text(stories: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The full, short (title + first sentence) and title-only versions of the stories."""
    first = stories["text"].str.split(r"(?<=[.!?])\s+", n=1, regex=True).str[0]
    return {
        "full": stories,
        "short": stories.assign(text=first),
        "title": stories.assign(text=stories["title"], title=""),
    }


def _plain(method: str, texts: list[str], k: int, seed: int = 0) -> np.ndarray:
    from sklearn.decomposition import NMF, LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    if method == "nmf":
        x = TfidfVectorizer(stop_words="english").fit_transform(texts)
        return NMF(n_components=k, random_state=seed).fit_transform(x)
    x = CountVectorizer(stop_words="english").fit_transform(texts)
    return LatentDirichletAllocation(n_components=k, random_state=seed).fit_transform(x)


def _plain_shares(method: str, texts: list[str], k: int) -> tuple[np.ndarray, str]:
    return _plain(method, texts, k), method


def _ours(method: str, table: pd.DataFrame, k: int, seed: int = 0) -> tuple[np.ndarray, str]:
    from analysis import topics

    model = topics(table, k=k, seed=seed, method=method, copies="all")
    return model.shares(table), model.method


def quality(folder: Path, n_labels: int = 8) -> list[dict]:
    """NMI of each tool on each kind of text (see the module documentation)."""
    from sklearn.metrics import normalized_mutual_info_score as nmi

    stories = reuters_sample(folder, n_labels)
    k = stories["label"].nunique()
    rows = []
    for kind, table in kinds_of_text(stories).items():
        texts = (table["title"] + "\n" + table["text"]).tolist()
        words = float(np.mean([len(t.split()) for t in texts]))
        tools = [
            ("plain NMF", _plain_shares, ("nmf", texts, k)),
            ("plain LDA", _plain_shares, ("lda", texts, k)),
            *[(f"analysis.topics {m}", _ours, (m, table, k)) for m in ("nmf", "lda", "auto")],
        ]
        for tool, func, args in tools:
            t0 = time.perf_counter()
            shares, method = func(*args)
            seconds = time.perf_counter() - t0
            score = nmi(table["label"], shares.argmax(axis=1))
            rows.append(
                common.row(
                    NAME, f"reuters {k} categories, {kind}", tool, len(table), "articles",
                    {"seconds": seconds}, nmi=round(score, 3), method=method,
                    words_per_text=round(words, 1),
                )
            )  # fmt: skip
            print("   ", rows[-1], flush=True)  # the quality runs take minutes: show each
    return rows


def speed_corpus(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` articles drawn with replacement from Reuters-21578 and the Ukraine corpus."""
    from benchmarks.duplicates import read_reuters, ukraine_articles

    reuters = read_reuters(common.shared_corpus("reuters21578"))[["title", "text"]]
    ukraine = ukraine_articles(common.shared_corpus("ukraine_media_2022") / "data")
    base = pd.concat([reuters, ukraine.assign(title="")[["title", "text"]]], ignore_index=True)
    base = base[base["text"].str.strip().str.len() > 0]
    drawn = base.sample(n, replace=True, random_state=seed).reset_index(drop=True)
    return drawn.assign(article_id=[f"a{i}" for i in range(n)], outlet="mixed")


def _speed_ours(n: int, method: str) -> tuple[int, float]:
    from analysis import topics

    table = speed_corpus(n)
    t0 = time.perf_counter()
    model = topics(table, k=20, method=method, copies="all")
    return len(model.article_topics), time.perf_counter() - t0


def _speed_plain(n: int, method: str) -> tuple[int, float]:
    table = speed_corpus(n)
    texts = (table["title"] + "\n" + table["text"]).tolist()
    t0 = time.perf_counter()
    shares = _plain(method, texts, 20)
    return int((shares > 0).sum()), time.perf_counter() - t0


def speed(n: int, methods: tuple[str, ...] = ("nmf", "lda")) -> list[dict]:
    """Seconds and peak memory of fit + assign, ours against plain scikit-learn, per method."""
    rows = []
    for method in methods:
        part = []
        for tool, func in ((f"plain {method.upper()}", _speed_plain), (f"analysis.topics {method}", _speed_ours)):  # fmt: skip
            m = common.measure(func, n, method)
            result, seconds = m["result"]
            m["seconds"] = seconds  # the fit and assignment alone, not building the table
            part.append(common.row(NAME, f"speed {n // 1000}k {method}", tool, n, "articles", m))
        rows.extend(common.add_ratios(part, f"plain {method.upper()}"))
    return rows


def run(quick: bool = False) -> list[dict]:
    rows = quality(common.shared_corpus("reuters21578"))
    rows.extend(speed(10_000))
    if not quick:
        rows.extend(speed(100_000, ("nmf",)))
    return rows
