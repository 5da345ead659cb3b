"""The corpus folder and its caches under damage, full disks and crashes."""

from __future__ import annotations

import errno
import os
import shutil

import pandas as pd
import pytest

import analysis
from analysis import ingest, open_corpus
from analysis.cli import main
from analysis.errors import InputError, ParameterError
from analysis.paths import repo_path

#: Articles of our own: enough for story groups, tone and term counts.
STORIES = [
    (
        "Kyiv Daily",
        "Talks resume in Istanbul",
        "Negotiators met again on Tuesday. Both sides said the ceasefire talks were useful.",
    ),
    (
        "Kyiv Daily",
        "Grain ships wait",
        "Ships waited in Odesa for a third day. Officials said the corridor would reopen soon.",
    ),
    (
        "Harbour Post",
        "Talks resume in Istanbul",
        "Negotiators met again on Tuesday. Both sides said the ceasefire talks were useful, officials added.",
    ),
    (
        "Harbour Post",
        "Storm closes port",
        "A storm closed the port for two days. No ships were damaged and the crews were safe.",
    ),
    (
        "Harbour Post",
        "Prices climb",
        "Bread prices climbed again in March. Bakers blamed the war and the cost of fuel.",
    ),
]


def _inputs(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for outlet in {o for o, _, _ in STORIES}:
        rows = [(t, b, f"2022-03-0{i + 1}") for i, (o, t, b) in enumerate(STORIES) if o == outlet]
        table = pd.DataFrame(rows, columns=["title", "text", "date"]).assign(outlet=outlet)
        table.to_csv(folder / f"{outlet.split()[0].lower()}.csv", index=False)
    return [folder]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return _inputs(tmp_path_factory.mktemp("inputs") / "news")


@pytest.fixture(scope="module")
def built(tmp_path_factory, inputs):
    """Our articles ingested once; each test works on a copy."""
    corpus = tmp_path_factory.mktemp("built") / "corpus"
    ingest(inputs, corpus)
    return corpus


@pytest.fixture
def corpus(built, tmp_path):
    copy = tmp_path / "corpus"
    shutil.copytree(built, copy)
    return copy


def _damage(path, how):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if how == "truncated" else b"\x00garbage\xff" * 40)


def _quote_count(articles):
    return articles[["article_id"]].assign(n=articles["text"].str.count('"'))


#: Every cache a report writes in the corpus folder: how to fill it, and its files.
CACHES = {
    "per-article rows": (
        lambda a, c: analysis.cached_by_article(_quote_count, a, cache_dir=c, name="quotes"),
        "cache_quotes_*.arrow",
    ),
    "term counts": (
        lambda a, c: analysis.term_counts(a, by="outlet", cache_dir=c),
        "term_counts_cache.arrow",
    ),
    "sentence tone": (
        lambda a, c: analysis.sentence_sentiment(a, cache_dir=c, english_only=False),
        "sentiment_*.arrow",
    ),
    "tone intervals": (
        lambda a, c: analysis.tone_by(
            a.assign(compound=a["n_words"] % 7 / 7.0), n_boot=200, cache_dir=c
        ),
        "cache_intervals.parquet",
    ),
    "story features": (
        lambda a, c: analysis.find_duplicates(a, cache_dir=c)[["article_id", "story_id"]],
        "duplicates_cache.parquet",
    ),
    "query index": (
        lambda a, c: analysis.match(a, "ceasefire OR talks"),
        "query_index/*.npz",
    ),
}


@pytest.mark.parametrize("cache", list(CACHES))
def test_a_damaged_cache_is_named_once_rebuilt_and_gives_the_same_numbers(corpus, cache, caplog):
    from analysis.corpus import index

    compute, pattern = CACHES[cache]
    articles = open_corpus(corpus)
    want = compute(articles, corpus)
    files = sorted(corpus.glob(pattern))
    assert files, f"{cache}: no cache file written"
    for how in ("truncated", "garbage"):
        for path in files:
            _damage(path, how)
        index._LOADED.clear()  # as in a new process
        caplog.clear()
        with caplog.at_level("INFO", logger="analysis"):
            got = compute(articles, corpus)
            again = compute(articles, corpus)
        pd.testing.assert_frame_equal(got, want)
        pd.testing.assert_frame_equal(again, want)
        named = [
            r
            for r in caplog.records
            if r.levelname == "WARNING" and files[0].name in r.getMessage()
        ]
        assert len(named) == 1, f"{cache}, {how}: {[r.getMessage() for r in caplog.records]}"
        for path in files:  # rebuilt
            assert path.read_bytes()[:8] != b"\x00garbage"
        index._LOADED.clear()
        caplog.clear()
        with caplog.at_level("WARNING", logger="analysis"):
            pd.testing.assert_frame_equal(compute(articles, corpus), want)
        assert not caplog.records, f"{cache}, {how}: warned again after the rebuild"


def test_caches_on_a_full_disk_mean_no_cache_one_warning_and_the_same_numbers(
    corpus, monkeypatch, caplog
):
    articles = open_corpus(corpus)
    plain = articles.copy()
    plain.attrs.clear()  # a table that names no corpus: nothing cached
    want = {name: compute(plain, None) for name, (compute, _) in CACHES.items()}
    before = sorted(p.relative_to(corpus) for p in corpus.rglob("*"))
    shutil.rmtree(corpus / "query_index")  # so that matching tries to write it again
    (corpus / "duplicates_cache.parquet").unlink()
    replace = os.replace

    def full_disk(src, dst, *args, **kwargs):  # every atomic write ends with a rename
        if str(dst).startswith(str(corpus)):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full_disk)
    for name, (compute, _) in CACHES.items():
        caplog.clear()
        with caplog.at_level("WARNING", logger="analysis"):
            got = compute(articles, corpus)
        pd.testing.assert_frame_equal(got, want[name])
        if name != "query index":  # matching reads the texts, said at info level
            assert len(caplog.records) == 1, f"{name}: {[r.message for r in caplog.records]}"
            assert "No space left" in caplog.records[0].getMessage()
    left = sorted(p.relative_to(corpus) for p in corpus.rglob("*"))
    assert set(left) <= set(before)  # no cache, and no temporary file, written
    assert not [p for p in left if p.name.endswith((".tmp", ".new"))]


def test_a_damaged_query_index_is_indexed_again_where_it_lies(corpus, inputs, caplog):
    articles = open_corpus(corpus)
    want = analysis.match(articles, "talks")
    entry = sorted((corpus / "query_index").glob("*.npz"))[0]
    _damage(entry, "truncated")
    analysis.corpus.index._LOADED.clear()
    with caplog.at_level("WARNING", logger="analysis.corpus.index"):
        pd.testing.assert_frame_equal(analysis.match(articles, "talks"), want)
    assert entry.name in caplog.text and "damaged query index" in caplog.text
    summary = ingest(inputs, corpus)
    assert summary.articles_added == 0  # the index was whole again: nothing to redo


@pytest.mark.parametrize("how", ["truncated", "garbage"])
def test_a_damaged_record_of_sources_is_named_and_the_inputs_read_again_with_their_ids(
    corpus, inputs, how, caplog
):
    want = open_corpus(corpus)
    _damage(corpus / "sources.parquet", how)
    with caplog.at_level("WARNING", logger="analysis.corpus.store"):
        summary = ingest(inputs, corpus)
    assert "sources.parquet is damaged" in caplog.text
    got = open_corpus(corpus)
    assert sorted(got["article_id"]) == sorted(want["article_id"])  # none doubled, none renamed
    assert summary.articles_total == len(want)
    assert analysis.corpus.store.corpus_fingerprint(corpus)  # reports can fingerprint it again
    caplog.clear()
    with caplog.at_level("WARNING", logger="analysis.corpus.store"):
        assert ingest(inputs, corpus).articles_added == 0
    assert not caplog.records


def test_a_history_cut_short_loses_its_unfinished_row_and_garbage_is_set_aside(
    corpus, inputs, caplog
):
    history = corpus / "ingest_history.csv"
    rows = len(pd.read_csv(history))
    history.write_bytes(history.read_bytes()[:-40])  # the last row cut in the middle
    ingest(inputs, corpus)
    table = pd.read_csv(history)
    assert len(table) == 2 * rows - 1 and table["status"].notna().all()
    assert set(table["status"]) <= {"loaded", "unchanged", "skipped", "failed"}
    _damage(history, "garbage")
    with caplog.at_level("WARNING", logger="analysis.corpus.store"):
        ingest(inputs, corpus)
    assert "ingest_history.csv is damaged" in caplog.text
    assert (corpus / "ingest_history.csv.damaged").exists()
    assert len(pd.read_csv(history)) == rows


def test_a_damaged_chrome_file_is_named_once(corpus, inputs, caplog):
    (corpus / "chrome.json").write_bytes(b"\xff{not json")
    with caplog.at_level("WARNING", logger="analysis.corpus.store"):
        ingest(inputs, corpus)
        ingest(inputs, corpus)
    assert caplog.text.count("chrome.json is damaged") == 1


def _extra_inputs(inputs, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    for i in range(3):
        pd.DataFrame(
            {
                "title": [f"Talks, day {i}"],
                "text": [f"Negotiators met on day {i} and agreed to meet again soon. " * 5],
                "date": [f"2022-03-0{i + 1}"],
            }
        ).to_csv(extra / f"day{i}.csv", index=False)
    return [*inputs, extra]


def _fill_disk_after(monkeypatch, writes):
    """The disk fills up after ``writes`` more part files."""
    from analysis.corpus import store

    write = store.write_parquet
    left = [writes]

    def write_parquet(table, target):
        if left[0] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        left[0] -= 1
        write(table, target)

    monkeypatch.setattr(store, "write_parquet", write_parquet)


@pytest.mark.parametrize("writes", [2, 4])  # while reading; after the new parts are in
def test_an_ingest_stopped_by_a_full_disk_removes_its_files_and_says_so(
    corpus, inputs, tmp_path, monkeypatch, writes
):
    from analysis.corpus.store import stories_current

    want = open_corpus(corpus)
    inputs = _extra_inputs(inputs, tmp_path)
    _fill_disk_after(monkeypatch, writes)
    with pytest.raises(InputError, match="disk is full.*No space left on device"):
        ingest(inputs, corpus)
    assert not [p for p in corpus.rglob(".*") if p.name.endswith((".tmp", ".new"))]
    got = open_corpus(corpus)
    if writes == 2:
        pd.testing.assert_frame_equal(got, want)  # as before the run
    else:  # the new parts are in, the story groups not yet
        assert len(got) == len(want) + 3 and not stories_current(corpus)
    monkeypatch.undo()
    ingest(inputs, corpus)
    got = open_corpus(corpus)
    assert len(got) == len(want) + 3 and not got["article_id"].duplicated().any()
    assert stories_current(corpus) and got["story_id"].notna().all()


def test_the_command_line_says_a_full_disk_in_one_line(
    corpus, inputs, tmp_path, monkeypatch, capsys
):
    inputs = _extra_inputs(inputs, tmp_path)
    _fill_disk_after(monkeypatch, 0)
    code = main(["ingest", *map(str, inputs), "--corpus", str(corpus)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"error: {corpus}: ingest stopped, the disk is full")
    assert "Traceback" not in err
    assert not [p for p in corpus.rglob(".*") if p.name.endswith((".tmp", ".new"))]


def _small_report(folder):
    """A notebook of a few cells that reads the corpus, caches term counts and saves a figure."""
    from test_reporting import write_notebook

    return write_notebook(
        folder / "words.ipynb",
        'corpus: str = ""  # corpus folder\noutput_dir: str = ""  # figures folder',
        "import analysis\nimport matplotlib.pyplot as plt",
        "articles = analysis.open_corpus(corpus)\n"
        "terms = analysis.term_counts(articles, by='outlet', cache_dir=corpus)\n"
        "analysis.show_table(terms.head(5))",
        "fig, ax = plt.subplots()\nax.bar(terms['term'].head(5), terms['count'].head(5))\n"
        "analysis.save_figure(fig, terms.head(5), 'words', output_dir=output_dir)",
    )


@pytest.mark.slow
def test_a_report_killed_at_random_moments_leaves_everything_usable(corpus, tmp_path):
    """Kill a report at random points (bounded loop); the corpus opens and the next run completes."""
    import random
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "reports"
    command = [
        sys.executable, "-m", "analysis", "-q", "report", str(_small_report(tmp_path)),
        "--corpus", str(corpus), "--out", str(out), "--name", "weekly",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(repo_path())}
    want = analysis.term_counts(open_corpus(corpus), by="outlet", cache_dir=False)
    # the kills are timed from a whole run measured first, so that they land within a run
    # on a fast machine as on a slow one (kernel start, notebook, page, swap)
    started = time.perf_counter()
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    whole = time.perf_counter() - started
    rng, killed = random.Random(3), 0
    for _ in range(3):
        run = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # its kernel too
        )  # fmt: skip
        time.sleep(rng.uniform(0.05, 0.8) * whole)
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            killed += 1
        run.wait(timeout=60)
        articles = open_corpus(corpus)  # the corpus opens, its cache gives the same counts
        pd.testing.assert_frame_equal(analysis.term_counts(articles, by="outlet"), want)
    assert killed >= 1
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    folder = out / "words"
    assert (folder / "weekly" / "report.html").is_file()
    assert (folder / "weekly" / "figures" / "words.png").is_file()
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert "weekly" in (out / "index.html").read_text()


def test_what_stopped_runs_left_in_a_reports_folder_is_cleared(tmp_path):
    import subprocess
    import sys

    from analysis.report.run import sweep_unfinished

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = int(gone.stdout)  # a process that has ended
    for name in (
        f".building-weekly-{dead}",
        f".replaced-monthly-{dead}",
        f".replaced-daily-{dead}",
        "daily",
        f".building-daily-{os.getpid()}",
    ):
        (tmp_path / name).mkdir()
        (tmp_path / name / "run.json").write_text("{}")
    assert sweep_unfinished(tmp_path) == 3
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [
        f".building-daily-{os.getpid()}",
        "daily",
        "monthly",
    ]  # put back; a running build kept


def test_a_compressed_table_that_inflates_past_the_limit_is_named_and_skipped(
    tmp_path, monkeypatch
):
    import gzip

    from analysis import load_articles, load_report

    body = "Negotiators met again on Tuesday and agreed to keep talking. " * 20
    rows = pd.DataFrame(
        {"title": ["Talks"] * 1000, "text": [body] * 1000, "date": ["2022-03-01"] * 1000}
    )
    big = tmp_path / "big.csv.gz"
    big.write_bytes(gzip.compress(rows.to_csv(index=False).encode()))  # 1.2 MB inflated
    small = tmp_path / "small.csv.gz"
    small.write_bytes(gzip.compress(rows.head(3).to_csv(index=False).encode()))
    assert big.stat().st_size < 100_000
    monkeypatch.setenv("MCA_MAX_INFLATED_MB", "1")
    articles = load_articles(tmp_path)
    report = load_report(articles).set_index("path")
    assert report.loc[str(big), "status"] == "failed"  # none of its rows read
    assert "inflates to more than 1 MB" in report.loc[str(big), "reason"]
    assert report.loc[str(small), "status"] == "loaded" and len(articles) == 3
    with pytest.raises(InputError, match="big.csv.gz: inflates to more than 1 MB"):
        load_articles(big, strict=True)
    monkeypatch.setenv("MCA_MAX_INFLATED_MB", "2")
    assert len(load_articles(big)) == 1000
    monkeypatch.setenv("MCA_MAX_INFLATED_MB", "lots")
    with pytest.raises(ParameterError, match="MCA_MAX_INFLATED_MB='lots'"):
        load_articles(big)


def test_a_page_on_one_enormous_line_is_cut_into_pieces_before_cleaning():
    from analysis.readers.lines import MAX_LINE_CHARS, split_lines

    sentence = "Negotiators met again on Tuesday and agreed to keep talking. "
    line = sentence * (3 * MAX_LINE_CHARS // len(sentence))
    pieces = split_lines("Talks resume\n" + line + "\nShare this article")
    assert pieces[0] == "Talks resume" and pieces[-1] == "Share this article"
    body = pieces[1:-1]
    assert len(body) == 4 and all(len(p) <= MAX_LINE_CHARS for p in body)
    assert all(len(p) > MAX_LINE_CHARS - len(sentence) for p in body[:-1])  # cut late
    assert all(p.endswith("talking.") for p in body)  # cut after a sentence
    assert " ".join(body) == " ".join(line.split())  # nothing lost
    words = "word " * (MAX_LINE_CHARS // 2)  # no sentence: cut at a space
    pieces = split_lines(words)
    assert len(pieces) == 3 and all(set(p.split()) == {"word"} for p in pieces)
    assert sum(len(p.split()) for p in pieces) == MAX_LINE_CHARS // 2
