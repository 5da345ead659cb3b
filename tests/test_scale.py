"""The Dask engine gives exactly the pandas engine's results, on a 2-worker local cluster."""

from __future__ import annotations

import random
import re

import pandas as pd
import pytest

pytest.importorskip("distributed")

import dask.dataframe as dd  # noqa: E402

import analysis  # noqa: E402
from analysis import engine  # noqa: E402
from analysis.corpus import parts as corpus_parts  # noqa: E402
from analysis.engine import dask as dask_engine  # noqa: E402
from analysis.engine import open as engine_open  # noqa: E402
from analysis.engine import partitions, reader  # noqa: E402
from analysis.engine import stories as engine_stories  # noqa: E402
from analysis.errors import InputError, ParameterError  # noqa: E402
from analysis.paths import repo_path  # noqa: E402


@pytest.fixture(scope="module")
def client():
    """One 2-worker cluster for the module (threads: quick to start, same code paths)."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    with Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The bundled sample corpus and the seed, ingested by the store (one part file per source)."""
    from analysis.corpus.store import ingest

    folder = tmp_path_factory.mktemp("corpus")
    ingest([repo_path("data", "sample"), repo_path("seeds")], folder)
    return folder


@pytest.fixture(scope="module")
def pandas_articles(corpus):
    from analysis import open_corpus

    return open_corpus(corpus)


@pytest.fixture(scope="module")
def dask_articles(corpus, client):
    return reader.open_dask_corpus(corpus, npartitions=5)


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))


# --------------------------------------------------------------------------- the corpus


def test_open_dask_corpus_equals_open_corpus(corpus, pandas_articles, client):
    ddf = reader.open_dask_corpus(corpus)
    assert ddf.npartitions > 5  # one partition per part file
    _same(ddf.compute(), pandas_articles)
    assert {"story_id", "is_duplicate"} <= set(ddf.columns)


def test_open_corpus_is_the_one_way_and_old_names_warn(corpus, pandas_articles, client):
    from analysis import open_corpus

    ddf = open_corpus(corpus, engine="dask")
    assert engine.is_dask(ddf) and not engine.is_dask(pandas_articles)
    _same(ddf.compute(), pandas_articles)
    _same(open_corpus(corpus, engine="dask", npartitions=2).compute(), pandas_articles)
    with pytest.warns(DeprecationWarning, match="open_corpus"):
        _same(engine_open.open_corpus_engine(corpus, engine="dask").compute(), pandas_articles)
    with pytest.warns(DeprecationWarning, match="open_corpus"):
        _same(analysis.load_corpus(corpus), pandas_articles)
    with pytest.raises(ParameterError, match="engine='dask'"):
        open_corpus(corpus, npartitions=2)
    with pytest.raises(ParameterError, match="pandas engine"):
        open_corpus(corpus, engine="dask", ids=["x"])


def test_open_single_parquet_file(tmp_path, pandas_articles, client):
    pandas_articles.to_parquet(tmp_path / "articles.parquet", index=False)
    _same(reader.open_dask_corpus(tmp_path).compute(), pandas_articles)
    _same(
        reader.open_dask_corpus(tmp_path / "articles.parquet", columns=["title"]).compute(),
        pandas_articles[["title"]],
    )


def test_bad_corpus_and_engine(tmp_path):
    with pytest.raises(InputError, match="articles.parquet"):
        reader.open_dask_corpus(tmp_path)
    with pytest.raises(ParameterError, match="engine"):
        analysis.open_corpus(tmp_path, engine="spark")
    (tmp_path / "articles.parquet").mkdir()
    with pytest.raises(InputError, match="no part files"):
        reader.open_dask_corpus(tmp_path)


def test_write_partitioned_streams_in_order(tmp_path, pandas_articles):
    batches = (pandas_articles.iloc[i : i + 7] for i in range(0, len(pandas_articles), 7))
    out = tmp_path / "articles.parquet"
    assert corpus_parts.write_partitioned(batches, out, rows_per_file=10) == len(pandas_articles)
    files = sorted(out.glob("part-*.parquet"))
    assert len(files) == -(-len(pandas_articles) // 10)
    _same(pd.concat([pd.read_parquet(f) for f in files]), pandas_articles)
    # append adds parts after the existing ones; iter_batches reads all back in order
    corpus_parts.write_partitioned([pandas_articles.head(3)], out, rows_per_file=10, append=True)
    back = pd.concat(corpus_parts.iter_batches(tmp_path, rows=4))
    _same(back, pd.concat([pandas_articles, pandas_articles.head(3)]))


def test_write_partitioned_failure_keeps_previous_table(tmp_path):
    out = tmp_path / "t.parquet"
    corpus_parts.write_partitioned([pd.DataFrame({"a": [1, 2]})], out)

    def broken():
        yield pd.DataFrame({"a": [5]})
        raise RuntimeError("source vanished")

    with pytest.raises(RuntimeError):
        corpus_parts.write_partitioned(broken(), out, rows_per_file=1)
    assert pd.read_parquet(out)["a"].tolist() == [1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]
    with pytest.raises(ParameterError, match="columns"):
        corpus_parts.write_partitioned([pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [1]})], out)
    with pytest.raises(ParameterError, match="rows_per_file"):
        corpus_parts.write_partitioned([], out, rows_per_file=0)


def test_get_client_reuses_and_connects(client, monkeypatch):
    assert (
        dask_engine.get_client() is client
        or dask_engine.get_client().scheduler.address == client.scheduler.address
    )
    address = client.scheduler.address
    monkeypatch.setenv(dask_engine.SCHEDULER_ENV, address)
    other = dask_engine.get_client()
    try:
        assert other.scheduler.address == address
    finally:
        other.close()


@pytest.fixture
def quick_timeout():
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        yield


def test_get_client_unreachable_scheduler(quick_timeout):
    with pytest.raises(ParameterError, match="cannot connect"):
        dask_engine.get_client("tcp://127.0.0.1:9")


# --------------------------------------------------------------------------- words


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"by": "outlet"},
        {"by": ["outlet", "date_source"], "ngram": 2, "stopwords": None},
        {"by": "outlet", "min_count": 3, "doc_freq": False, "copies": "unique"},
    ],
)
def test_term_counts_exact(pandas_articles, dask_articles, options):
    from analysis import term_counts

    _same(term_counts(dask_articles, **options), term_counts(pandas_articles, **options))


def test_term_counts_top_per_group(pandas_articles, dask_articles):
    from analysis import term_counts

    got = term_counts(dask_articles, by="outlet", top=5)
    full = term_counts(pandas_articles, by="outlet")
    assert got.groupby("outlet").size().max() == 5
    # the top rows carry the whole-corpus counts of their terms
    merged = got.merge(full, on=["outlet", "term"], suffixes=("", "_full"))
    assert len(merged) == len(got)
    assert (merged["count"] == merged["count_full"]).all()
    cut = full.groupby("outlet")["count"].apply(lambda s: s.iloc[4])
    assert (got.groupby("outlet")["count"].min() == cut.loc[got["outlet"].unique()]).all()


@pytest.mark.parametrize(
    "options",
    [
        {"by": "outlet"},
        {"by": "outlet", "target": "Continental Wire", "min_count": 2, "correction": "holm"},
        {"freq": "W", "min_count": 2, "top": 10},
        {"by": "outlet", "min_docs": 2, "top": 10, "variants": {"russia": ["russian"]}},
    ],
)
def test_keyness_exact(pandas_articles, dask_articles, options):
    from analysis import keyness

    options = _real_target(options, pandas_articles)
    got, want = keyness(dask_articles, **options), keyness(pandas_articles, **options)
    _same(got, want)
    assert got.attrs == want.attrs  # terms left out by min_docs, spellings folded


def test_keyness_against_a_reference_table(pandas_articles, dask_articles):
    from analysis import keyness

    outlet = pandas_articles["outlet"].iloc[0]
    ref = pandas_articles[pandas_articles["outlet"] != outlet]
    want = keyness(pandas_articles, by="outlet", target=outlet, reference=ref, min_count=2)
    got = keyness(dask_articles, by="outlet", target=outlet, reference=ref, min_count=2)
    _same(got, want)


def _real_target(options: dict, articles: pd.DataFrame) -> dict:
    if "target" in options and options["target"] not in set(articles["outlet"]):
        options = {**options, "target": articles["outlet"].value_counts().index[0]}
    return options


@pytest.mark.parametrize(
    "options",
    [{}, {"freq": "W", "by": None}, {"freq": "M", "by": ["outlet"], "copies": "unique"}],
)
def test_volume_exact(pandas_articles, dask_articles, options):
    from analysis import volume

    _same(volume(dask_articles, **options), volume(pandas_articles, **options))


@pytest.mark.parametrize(
    "query, options",
    [
        ("ceasefire", {}),
        ("negotiat*", {"window": 3}),
        ("peace talks", {"max_hits": 2}),
        ("zzzz", {}),
    ],
)
def test_kwic_exact(pandas_articles, dask_articles, query, options):
    from analysis import kwic

    _same(kwic(dask_articles, query, **options), kwic(pandas_articles, query, **options))


def test_analysis_kwic_stays_the_function_once_its_module_is_imported(
    pandas_articles, dask_articles
):
    # a report kernel imports analysis.measures.kwic as it starts: the module lives
    # in analysis.measures, so analysis.kwic is still the function and takes Dask tables
    import importlib

    import analysis

    importlib.import_module("analysis.measures.kwic")
    assert callable(analysis.kwic) and not isinstance(analysis.kwic, type(analysis))
    _same(analysis.kwic(dask_articles, "talks"), analysis.kwic(pandas_articles, "talks"))


# --------------------------------------------------------------------------- tone and sources


def test_sentiment_exact_and_cached(tmp_path, pandas_articles, dask_articles):
    from analysis import article_sentiment
    from analysis.measures.sentiment import sentence_sentiment

    want = article_sentiment(pandas_articles)
    got = article_sentiment(dask_articles, cache_dir=tmp_path).compute()
    _same(got, want)
    cached = sorted((tmp_path / "dask_cache" / "sentiment_vader").glob("*/*.arrow"))
    assert len(cached) == dask_articles.npartitions
    again = article_sentiment(dask_articles, cache_dir=tmp_path).compute()
    _same(again, want)
    sents = sentence_sentiment(dask_articles, cache_dir=tmp_path).compute()
    _same(sents, sentence_sentiment(pandas_articles))


def test_quotes_exact(pandas_articles, dask_articles):
    from analysis import extract_quotes

    want = extract_quotes(pandas_articles)
    assert len(want) > 20
    _same(extract_quotes(dask_articles).compute(), want)


# --------------------------------------------------------------------------- duplicates


def test_find_duplicates_exact_on_sample(pandas_articles, dask_articles):
    from analysis import find_duplicates

    base = pandas_articles.drop(columns=["story_id", "is_duplicate", "syndicated"])
    want = find_duplicates(base)
    got = engine_stories.find_duplicates(
        dask_articles.drop(columns=["story_id", "is_duplicate", "syndicated"])
    )
    _same(got.compute(), want)
    assert want["is_duplicate"].sum() > 0


def _edited_copies(texts: list[str], copies: int, seed: int) -> pd.DataFrame:
    """Copies of real articles with light edits (sentence dropped, byline, words swapped)."""
    from analysis.schema import article_id, conform

    rng = random.Random(seed)
    rows = []
    for k in range(copies):
        for b, text in enumerate(texts):
            sents = re.split(r"(?<=[.!?])\s+", text)
            if k:
                if len(sents) > 3 and rng.random() < 0.5:
                    del sents[rng.randrange(1, len(sents))]
                if rng.random() < 0.5:
                    sents.insert(0, "By Staff Reporter.")
                if rng.random() < 0.3:
                    words = sents[-1].split()
                    if len(words) > 2:
                        words[0], words[1] = words[1], words[0]
                        sents[-1] = " ".join(words)
            outlet = ["AP", "Outlet A", "Outlet B", "Outlet C"][rng.randrange(4)]
            body = " ".join(sents)
            rows.append(
                (
                    outlet,
                    f"https://x.example/{b}/{k}",
                    f"Story {b}",
                    body,
                    f"2022-03-{1 + b % 27:02d}",
                )
            )
    df = pd.DataFrame(rows, columns=["outlet", "url", "title", "text", "published"])
    df["article_id"] = [article_id(o, u, t, x) for o, u, t, x, _ in rows]
    return conform(df.sample(frac=1.0, random_state=seed).reset_index(drop=True))


@pytest.mark.slow
def test_find_duplicates_exact_across_partitions(ukraine_dir, client):
    """Edited copies of real articles spread over partitions: same stories as pandas."""
    from analysis import find_duplicates

    texts = []
    for name in ("AssociatedPress.csv", "bbc.csv", "guardian.csv"):
        df = pd.read_csv(ukraine_dir / "data" / name, dtype=str, keep_default_na=False)
        texts += [t for t in df["Text"] if len(t.split()) > 60][:60]
    table = _edited_copies(texts, copies=4, seed=3)
    want = find_duplicates(table)
    assert want["is_duplicate"].sum() > len(texts) * 2  # most copies are found
    ddf = dd.from_pandas(table, npartitions=7, sort=False)
    _same(engine_stories.find_duplicates(ddf).compute(), want)
    _same(
        engine_stories.find_duplicates(ddf, threshold=0.9, containment=None).compute(),
        find_duplicates(table, threshold=0.9, containment=None),
    )


@pytest.mark.slow
def test_find_duplicates_trimmed_copies_across_partitions(ukraine_dir, client, monkeypatch):
    """Copies that kept only a story's opening, in other partitions: same stories as pandas."""
    from analysis import find_duplicates
    from analysis.schema import conform

    monkeypatch.syspath_prepend(str(repo_path()))
    from benchmarks.duplicates import truncated_copies

    table = truncated_copies(ukraine_dir / "data", stories=40, others=120, seed=5)
    table = table.sample(frac=1.0, random_state=2).reset_index(drop=True)
    articles = conform(table.drop(columns=["source", "truncated"]))
    want = find_duplicates(articles)
    together = want.groupby(table["source"].to_numpy())["story_id"].nunique()
    words = table["text"].str.split().str.len()
    # trimmed copies are found when they are long enough to count (a 78-word one is not)
    found = together[table.loc[table["truncated"] & (words >= 110), "source"]]
    assert len(found) >= 8 and (found == 1).all()
    assert (together[table.loc[table["truncated"] & (words < 90), "source"]] == 2).all()
    ddf = dd.from_pandas(articles, npartitions=6, sort=False)
    _same(engine_stories.find_duplicates(ddf).compute(), want)


def test_find_duplicates_short_openings_of_long_stories(client):
    """Copies holding a sixth of a story: found by the opening index alone, on both engines."""
    from analysis import find_duplicates
    from analysis.schema import article_id, conform

    rng = random.Random(9)
    vocab = [f"w{i}" for i in range(3000)]
    rows = []
    for k in range(12):
        words = [rng.choice(vocab) for _ in range(800)]
        for copy, text in enumerate((words, ["By", "Staff"] + words[:130])):
            url = f"https://x.example/{k}/{copy}"
            rows.append(("Outlet", url, f"T{k}", " ".join(text), "2022-03-01"))
    df = pd.DataFrame(rows, columns=["outlet", "url", "title", "text", "published"])
    df["article_id"] = [article_id(o, u, t, x) for o, u, t, x, _ in rows]
    table = conform(df.sample(frac=1.0, random_state=1).reset_index(drop=True))
    want = find_duplicates(table)
    assert want["story_id"].nunique() == 12
    got = engine_stories.find_duplicates(dd.from_pandas(table, npartitions=6, sort=False))
    _same(got.compute(), want)


def test_find_duplicates_bad_option(dask_articles):
    with pytest.raises(ParameterError):
        engine_stories.find_duplicates(dask_articles, shingles=3)
    with pytest.raises(ParameterError):
        engine_stories.find_duplicates(dask_articles, threshold=2.0)


def test_map_concat_keeps_row_order(client):
    ddf = dd.from_pandas(pd.DataFrame({"n": range(23)}), npartitions=4)
    got = partitions.map_concat(ddf, lambda df: df[df["n"] % 3 == 0])
    assert got["n"].tolist() == list(range(0, 23, 3))
    assert got.index.tolist() == list(range(len(got)))


def test_ingest_on_dask_stores_the_same_story_groups(tmp_path, corpus, client):
    """A corpus ingested with story groups found on the cluster reads back identically."""
    from analysis import open_corpus

    engine_stories.ingest([repo_path("data", "sample"), repo_path("seeds")], tmp_path / "c")
    want = pd.read_parquet(corpus / "duplicates.parquet")
    _same(pd.read_parquet(tmp_path / "c" / "duplicates.parquet"), want)
    _same(
        open_corpus(tmp_path / "c").drop(columns="source_path"),
        open_corpus(corpus).drop(columns="source_path"),
    )


def test_cli_dask_duplicates_and_info(tmp_path, corpus, client, capsys, quick_timeout):
    """The commands connect to the running cluster through --scheduler."""
    import shutil

    from analysis.cli import main

    copy = tmp_path / "c"
    shutil.copytree(corpus, copy)
    (copy / "duplicates.parquet").unlink()
    address = client.scheduler.address
    assert main(["dask-duplicates", "--corpus", str(copy), "--scheduler", address]) == 0
    _same(
        pd.read_parquet(copy / "duplicates.parquet"), pd.read_parquet(corpus / "duplicates.parquet")
    )
    assert main(["dask-info", "--scheduler", address]) == 0
    assert "2 workers" in capsys.readouterr().out
    assert main(["dask-info", "--scheduler", "tcp://127.0.0.1:9"]) == 2


def test_find_duplicates_crowded_buckets(client):
    """More than MAX_BUCKET_PAIRS bodies in one LSH bucket: stories still equal the pandas engine's."""
    from analysis import find_duplicates
    from analysis.schema import article_id, conform

    rng = random.Random(5)
    vocab = [f"w{i}" for i in range(400)]
    shared = " ".join(rng.choice(vocab) for _ in range(60))  # boilerplate in every body
    stories = [" ".join(rng.choice(vocab) for _ in range(80)) for _ in range(2)]
    rows = []
    for k in range(240):
        words = stories[k % 2].split()
        for _ in range(rng.randrange(1, 12)):  # light and heavier edits
            words[rng.randrange(len(words))] = rng.choice(vocab)
        text = shared + " " + " ".join(words)
        rows.append(("Outlet", f"https://x.example/{k}", f"T{k}", text, "2022-03-01"))
    df = pd.DataFrame(rows, columns=["outlet", "url", "title", "text", "published"])
    df["article_id"] = [article_id(o, u, t, x) for o, u, t, x, _ in rows]
    table = conform(df)
    want = find_duplicates(table)
    assert 1 < want["story_id"].nunique() < len(table)
    got = engine_stories.find_duplicates(dd.from_pandas(table, npartitions=4, sort=False)).compute()
    _same(got, want)


def test_public_measures_are_the_functions_themselves(pandas_articles, dask_articles):
    """Written once: analysis.<name> is the measure, and it takes either table."""
    from analysis.measures.keyness import keyness
    from analysis.measures.kwic import kwic
    from analysis.measures.terms import term_counts

    assert (analysis.term_counts, analysis.keyness, analysis.kwic) == (term_counts, keyness, kwic)
    _same(term_counts(dask_articles, by="outlet"), term_counts(pandas_articles, by="outlet"))
    _same(kwic(dask_articles, "talks"), kwic(pandas_articles, "talks"))


def test_either_hands_dask_tables_to_the_dask_function(pandas_articles, dask_articles):
    import pickle

    both = engine.either(len, lambda table: "dask")
    assert both(pandas_articles) == len(pandas_articles) and both(dask_articles) == "dask"
    assert both.__name__ == "len"
    picklable = engine.either(len, engine.row_count)
    assert pickle.loads(pickle.dumps(picklable))(dask_articles) == len(pandas_articles)


@pytest.mark.parametrize("options", [{}, {"containment": None, "threshold": 0.7}])
def test_lsh_layout_matches_the_pandas_index(monkeypatch, options):
    """The bands cut on Dask are those of the index the pandas engine builds."""
    from datasketch import MinHashLSH

    from analysis.corpus import duplicates

    seen = []
    original = duplicates._candidate_pairs

    def spy(sig, lsh_threshold, num_perm):
        seen.append(list(MinHashLSH(threshold=lsh_threshold, num_perm=num_perm).hashranges))
        return original(sig, lsh_threshold, num_perm)

    monkeypatch.setattr(duplicates, "_candidate_pairs", spy)
    body = "Negotiators from both sides met in Istanbul on Tuesday for talks " * 8
    table = pd.DataFrame({"text": [body, "By Jo Bloggs. " + body, body + " More."]})
    duplicates.find_duplicates(table, **options)
    assert seen == [engine_stories._lsh_bands(engine_stories._dup_params(options))]
