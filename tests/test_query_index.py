"""The query index of a corpus: built at ingest, updated part by part, and equal to reading the texts."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_query import queries

import analysis
from analysis.corpus import index as qi
from analysis.corpus.index import INDEX, load_index, match_indexed, update_index
from analysis.corpus.store import ingest
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
    monkeypatch.setattr("analysis.measures.queries.match_table", None)
    for q in queries:
        pd.testing.assert_frame_equal(analysis.match(articles, q), expected[q])
    # a selection of the corpus is answered for its own rows only, in its order
    some = articles[articles["title"] != "Markets"].iloc[::-1]
    monkeypatch.undo()
    expected = analysis.match(some, "grain OR title:ceasefire", cache_dir=False)
    monkeypatch.setattr("analysis.measures.queries.match_table", None)
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
