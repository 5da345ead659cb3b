"""The query index of a corpus: built at ingest, updated part by part, and equal to reading the texts."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_query import queries

import analysis
from analysis.corpus import index as qi
from analysis.corpus.index import INDEX, load_index, match_indexed, update_index
from analysis.corpus.store import ingest
from analysis.errors import ParameterError
from analysis.text.query import parse_query

BODY = "Negotiators from both sides met in Istanbul on Tuesday for a new round of peace talks."


def _csv(path: Path, rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["title", "text", "date"]).to_csv(path, index=False)
    return path


def _entries(corpus: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (corpus / INDEX).glob("*.npz")}


def test_ingest_builds_the_index_and_match_answers_from_it(tmp_path, monkeypatch):
    src, corpus = tmp_path / "in", tmp_path / "corpus"
    _csv(
        src / "a.csv",
        [("Ceasefire talks", BODY, "2022-03-01"), ("Grain", "Grain deal signed.", "2022-03-02")],
    )
    _csv(src / "b.csv", [("Markets", "Stocks fell as ceasefire hopes faded.", "2022-03-03")])
    ingest([src], corpus)
    assert len(_entries(corpus)) == 2
    articles = analysis.open_corpus(corpus)
    queries = ["ceasefire", '"peace talks"~2 OR grain', "title:ceasefire", "NOT negotiat*"]
    expected = {q: analysis.match(articles, q, cache_dir=False) for q in queries}
    # from now on reading the texts is an error: the index must answer
    monkeypatch.setattr("analysis.corpus.index.match_table", None)
    monkeypatch.setattr("analysis.measures.queries.match_table", None)
    parted = analysis.open_corpus(corpus, engine="dask")
    for q in queries:
        pd.testing.assert_frame_equal(analysis.match(articles, q), expected[q])
        pd.testing.assert_frame_equal(analysis.match(parted, q), expected[q])
    # a selection of the corpus is answered for its own rows only, in its order
    some = articles[articles["title"] != "Markets"].iloc[::-1]
    monkeypatch.undo()
    expected = analysis.match(some, "grain OR title:ceasefire", cache_dir=False)
    monkeypatch.setattr("analysis.corpus.index.match_table", None)
    assert expected["article_id"].tolist() == some["article_id"].tolist()
    pd.testing.assert_frame_equal(analysis.match(some, "grain OR title:ceasefire"), expected)


def test_a_new_ingest_indexes_only_new_or_changed_parts(tmp_path):
    src, corpus = tmp_path / "in", tmp_path / "corpus"
    _csv(src / "a.csv", [("A1", BODY, "2022-03-01")])
    _csv(src / "b.csv", [("B1", "Truce holds.", "2022-03-01")])
    ingest([src], corpus)
    before = _entries(corpus)
    _csv(src / "c.csv", [("C1", "A truce again.", "2022-03-04")])
    ingest([src], corpus)
    after = _entries(corpus)
    assert len(after) == 3
    assert {k: after[k] for k in before} == before  # old parts kept as they were
    _csv(src / "b.csv", [("B1", "Talks resume.", "2022-03-01")])
    (src / "c.csv").unlink()
    ingest([src], corpus, prune=True)
    articles = analysis.open_corpus(corpus)
    assert load_index(corpus) is not None
    assert analysis.match(articles, "truce").empty
    assert analysis.match(articles, "talks")["hits"].tolist() == [1, 1]


def test_a_stale_or_missing_index_falls_back_to_reading_the_texts(tmp_path):
    src, corpus = tmp_path / "in", tmp_path / "corpus"
    _csv(src / "a.csv", [("A1", BODY, "2022-03-01")])
    ingest([src], corpus)
    articles = analysis.open_corpus(corpus)
    node = parse_query("istanbul")
    assert match_indexed(articles["article_id"], node, corpus) is not None
    for entry in (corpus / INDEX).glob("*.json"):
        entry.unlink()
    assert load_index(corpus) is None
    assert analysis.match(articles, "istanbul")["hits"].tolist() == [1]
    # a table with articles the index does not know is read, not answered from the index
    update_index(corpus)
    other = pd.DataFrame({"article_id": ["zz"], "text": ["Istanbul"]}).pipe(
        analysis.engine.remember_folder, corpus
    )
    assert match_indexed(other["article_id"], node, corpus) is None
    assert analysis.match(other, "istanbul")["article_id"].tolist() == ["zz"]


WORDS = ["peace", "talks", "truce", "grain", "deal", "Kyiv's", "the", "covid-19", "U.S."]
texts = st.lists(st.sampled_from(WORDS), max_size=10).map(" ".join)
parts = st.lists(st.lists(st.tuples(texts, texts), min_size=1, max_size=6), min_size=1, max_size=3)


WORDS_ASKED = ("peace", "talks", "kyiv", "t*", "*e", "u.s", "covid-19", "tru?e")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts, st.lists(queries(words=WORDS_ASKED), min_size=1, max_size=4))
def test_the_index_agrees_with_reading_the_texts(chunks, qs):
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp)
        folder = corpus / "articles.parquet"
        folder.mkdir()
        frames = []
        for i, rows in enumerate(chunks):
            frame = pd.DataFrame(
                {
                    "article_id": [f"p{i}r{j}" for j in range(len(rows))],
                    "title": [t for t, _ in rows],
                    "text": [x for _, x in rows],
                }
            )
            frame.to_parquet(folder / f"part-{i:06d}.parquet", index=False)
            frames.append(frame)
        update_index(corpus)
        table = pd.concat(frames, ignore_index=True)
        for q in qs:
            from_index = match_indexed(table["article_id"], parse_query(q), corpus)
            pd.testing.assert_frame_equal(from_index, analysis.match(table, q))


def test_loaded_parts_are_reused_until_they_change(tmp_path):
    src, corpus = tmp_path / "in", tmp_path / "corpus"
    _csv(src / "a.csv", [("A1", BODY, "2022-03-01")])
    ingest([src], corpus)
    first = load_index(corpus)
    assert load_index(corpus)[0][1] is first[0][1]
    assert qi.index_size(corpus) > 0


GRAIN = (
    "The grain deal was signed in Istanbul on Friday, opening the Black Sea ports to ships "
    "carrying wheat and maize after months of blockade, officials from both sides said."
)


def test_select_articles_keeps_the_stories_a_query_matches_on_both_engines(tmp_path, monkeypatch):
    src, corpus = tmp_path / "in", tmp_path / "corpus"
    _csv(
        src / "a.csv",
        [
            ("Ceasefire talks", BODY, "2022-03-01"),
            ("Grain", GRAIN, "2022-03-02"),
            ("Grain again", GRAIN, "2022-03-05"),
        ],
    )
    _csv(src / "b.csv", [("Markets", "Stocks fell as ceasefire hopes faded.", "2022-03-03")])
    ingest([src], corpus)
    articles = analysis.open_corpus(corpus)
    query = "title:ceasefire OR grain OR stocks"
    plain = articles.copy()
    plain.attrs = {}  # no corpus: the texts are read
    expected, steps = analysis.select_articles(
        plain, query=query, copies="all", date_range="2022-03-01..2022-03-04"
    )
    assert sorted(expected["title"]) == ["Ceasefire talks", "Grain", "Markets"]
    assert steps[["step", "articles"]].values.tolist() == [
        ["corpus", 4],
        ["dates", 3],
        ["outlets", 3],
        ["query", 3],
        ["copies", 3],
    ]
    grain, _ = analysis.select_articles(plain, query="grain", copies="all")
    assert grain["title"].tolist() == ["Grain", "Grain again"]
    monkeypatch.setattr("analysis.corpus.index.match_table", None)  # the index answers
    for engine in ("pandas", "dask"):
        table = analysis.open_corpus(corpus, engine=engine)
        got, got_steps = analysis.select_articles(
            table, query=query, copies="all", date_range="2022-03-01..2022-03-04"
        )
        got = got.compute() if engine == "dask" else got
        assert got["article_id"].tolist() == expected["article_id"].tolist(), engine
        pd.testing.assert_frame_equal(got_steps, steps)
    monkeypatch.undo()
    import dask.dataframe as dd

    got, got_steps = analysis.select_articles(
        dd.from_pandas(plain, npartitions=2), query="grain", copies="all"
    )  # no corpus: each partition reads its texts
    assert got.compute()["article_id"].tolist() == grain["article_id"].tolist()
    assert got_steps["articles"].tolist() == [4, 4, 4, 2, 2]
    with pytest.raises(ParameterError, match="expected a term after OR at column 9"):
        analysis.select_articles(plain, query="grain OR")


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":  # same size, nothing of a zip file left
        path.write_bytes(b"not an index " * (len(data) // 13 + 1))
    else:  # another part's index: a whole file whose arrays do not fit this part
        path.write_bytes(how.read_bytes() if isinstance(how, Path) else data)


@pytest.mark.parametrize(
    "how", ["truncated", "swapped", pytest.param("garbage", marks=pytest.mark.slow)]
)
def test_a_damaged_index_file_is_named_and_indexed_again(tmp_path, caplog, how):
    src, corpus = tmp_path / "in", tmp_path / "corpus"
    _csv(src / "a.csv", [("Ceasefire talks", BODY, "2022-03-01"), ("Grain", GRAIN, "2022-03-02")])
    _csv(
        src / "b.csv",
        [(f"Markets {i}", "Stocks fell as ceasefire hopes faded.", "2022-03-03") for i in range(3)],
    )
    ingest([src], corpus)
    articles = analysis.open_corpus(corpus)
    query = '"peace talks" OR grain OR title:markets'
    expected = analysis.match(articles, query, cache_dir=False)
    assert len(expected) == 5
    first, other = sorted((corpus / INDEX).glob("*.npz"))
    _damage(first, other if how == "swapped" else how)
    qi._LOADED.clear()  # a new session: nothing loaded yet
    with caplog.at_level("WARNING", logger="analysis.corpus.index"):
        got = analysis.match(articles, query)
        selected, _ = analysis.select_articles(articles, query=query, copies="all")
        if how == "garbage":  # on Dask too (slow: the first Dask table of a session)
            parted = analysis.open_corpus(corpus, engine="dask")
            pd.testing.assert_frame_equal(analysis.match(parted, query), expected)
    pd.testing.assert_frame_equal(got, expected)  # what reading the texts gives
    assert selected["article_id"].tolist() == expected["article_id"].tolist()
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warned) == 1 and first.name in warned[0] and "damaged" in warned[0]
    assert update_index(corpus) == {"built": 0, "kept": 2, "removed": 0}  # indexed again where it lay
    qi._LOADED.clear()
    assert load_index(corpus) is not None
    assert match_indexed(articles["article_id"], parse_query(query), corpus).equals(expected)


def test_a_query_needs_the_columns_it_reads(tmp_path):
    table = pd.DataFrame(
        {"article_id": ["a", "b"], "title": ["Grain deal", "Talks"], "outlet": ["BBC", "RT"]}
    )
    for query in ("grain", "title:grain OR talks", "NOT grain", "text:grain"):
        with pytest.raises(ParameterError, match="no 'text' column"):
            analysis.match(table, query)
    with pytest.raises(ParameterError, match="no 'section' column.*section:"):
        analysis.match(table, "title:grain AND section:world")
    # a query on other fields alone needs those columns only
    assert analysis.match(table, "title:grain OR outlet:RT")["article_id"].tolist() == ["a", "b"]
    import dask.dataframe as dd

    with pytest.raises(ParameterError, match="no 'text' column"):
        analysis.match(dd.from_pandas(table, npartitions=2), "grain")
    with pytest.raises(ParameterError, match="no 'text' column"):
        analysis.select_articles(table.assign(published=pd.NaT), query="grain")
    # a table of a corpus with its text left out is refused too, though the index could answer
    src, corpus = tmp_path / "in", tmp_path / "corpus"
    _csv(src / "a.csv", [("Grain", GRAIN, "2022-03-02")])
    ingest([src], corpus)
    articles = analysis.open_corpus(corpus)
    slim = articles.drop(columns="text")
    slim.attrs = articles.attrs
    with pytest.raises(ParameterError, match="no 'text' column"):
        analysis.match(slim, "grain")
    assert len(analysis.match(slim, "title:grain")) == 1
