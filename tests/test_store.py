"""Corpus store: ingest, incremental re-runs, deleted sources, CLI exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from analysis import ingest, open_corpus
from analysis.cli import main
from analysis.errors import InputError
from analysis.schema import validate

BODY = (
    "Officials in Kyiv said the grain corridor would reopen. Ships waited in Odesa for a third day."
)


def _csv(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["title", "text", "date"]).to_csv(path, index=False)
    return path


def test_ingest_and_open_roundtrip(tmp_path):
    _csv(
        tmp_path / "in" / "a.csv",
        [("A1", BODY, "2022-03-01"), ("A2", BODY + " More.", "2022-03-02")],
    )
    s = ingest([tmp_path / "in"], tmp_path / "corpus")
    assert (s.articles_added, s.articles_total) == (2, 2)
    df = open_corpus(tmp_path / "corpus")
    validate(df)
    assert sorted(df["title"]) == ["A1", "A2"]
    assert {"story_id", "is_duplicate", "syndicated"} <= set(df.columns)
    log = pd.read_csv(tmp_path / "corpus" / "ingest_log.csv")
    assert log[["status", "rows"]].values.tolist() == [["loaded", 2]]


def test_rerun_is_incremental_and_never_duplicates(tmp_path):
    src = tmp_path / "in"
    _csv(src / "a.csv", [("A1", BODY, "2022-03-01")])
    _csv(src / "b.csv", [("B1", BODY + " B.", "2022-03-01")])
    ingest([src], tmp_path / "c")
    s = ingest([src], tmp_path / "c")
    assert s.articles_added == 0 and s.counts == {"unchanged": 2}
    assert len(open_corpus(tmp_path / "c")) == 2
    # change one file: its rows are replaced, the other file is not re-read
    _csv(src / "a.csv", [("A1", BODY, "2022-03-01"), ("A3", BODY + " Three.", "2022-03-03")])
    s = ingest([src], tmp_path / "c")
    assert s.counts == {"loaded": 1, "unchanged": 1}
    assert (s.articles_added, s.articles_removed, s.articles_total) == (2, 1, 3)
    df = open_corpus(tmp_path / "c")
    assert sorted(df["title"]) == ["A1", "A3", "B1"]
    validate(df)
    # a new file arrives
    _csv(src / "c.csv", [("C1", BODY + " C.", "2022-03-04")])
    s = ingest([src], tmp_path / "c")
    assert s.counts == {"loaded": 1, "unchanged": 2} and s.articles_total == 4


def test_failed_file_is_reported_once_until_it_or_the_options_change(tmp_path, caplog):
    src = tmp_path / "in"
    _csv(src / "a.csv", [("A1", BODY, "2022-03-01")])
    (src / "empty.txt").write_bytes(b"")
    s = ingest([src], tmp_path / "c")
    assert s.counts == {"loaded": 1, "failed": 1}
    caplog.clear()
    s = ingest([src], tmp_path / "c")
    assert s.counts == {"unchanged": 2}
    assert "empty.txt" not in caplog.text  # not read again, no warning
    reason = s.log.set_index(s.log["path"].str.rsplit("/", n=1).str[-1]).loc["empty.txt", "reason"]
    assert "when it failed (empty file)" in reason
    # other options may make it usable: it is read again (and fails again here), as is
    # every file the new options concern
    assert ingest([src], tmp_path / "c", outlet="Desk").counts == {"failed": 1, "loaded": 1}
    # so is a file whose content changed
    (src / "empty.txt").write_text("Grain talks\n\n" + BODY * 4, encoding="utf-8")
    s = ingest([src], tmp_path / "c", outlet="Desk")
    assert s.counts == {"loaded": 1, "unchanged": 1} and s.articles_total == 2
    # strict runs still stop at a file that cannot be used
    (src / "empty.txt").write_bytes(b"")
    ingest([src], tmp_path / "c")
    with pytest.raises(InputError):
        ingest([src], tmp_path / "c", strict=True)


def test_deleted_source_is_reported_not_silently_dropped(tmp_path):
    src = tmp_path / "in"
    _csv(src / "a.csv", [("A1", BODY, "2022-03-01")])
    _csv(src / "b.csv", [("B1", BODY + " B.", "2022-03-01")])
    ingest([src], tmp_path / "c")
    (src / "b.csv").unlink()
    s = ingest([src], tmp_path / "c")
    missing = s.log[s.log["status"] == "missing"]
    assert (
        len(missing) == 1
        and missing["path"].iloc[0].endswith("b.csv")
        and missing["rows"].iloc[0] == 1
    )
    assert len(open_corpus(tmp_path / "c")) == 2
    s = ingest([src], tmp_path / "c", prune=True)
    assert (s.log["status"] == "pruned").sum() == 1
    assert list(open_corpus(tmp_path / "c")["title"]) == ["A1"]


def test_same_article_in_two_files_keeps_both_with_unique_ids(tmp_path):
    _csv(tmp_path / "in" / "x" / "same.csv", [("T", BODY, "2022-03-01")])
    ingest([tmp_path / "in"], tmp_path / "c", outlet="Outlet")
    _csv(tmp_path / "in" / "y" / "same.csv", [("T", BODY, "2022-03-01")])
    ingest([tmp_path / "in"], tmp_path / "c", outlet="Outlet")
    df = open_corpus(tmp_path / "c")
    validate(df)
    assert len(df) == 2
    assert df["is_duplicate"].sum() == 1  # exact copies grouped as one story


def test_open_corpus_errors(tmp_path):
    with pytest.raises(InputError, match="not a corpus folder"):
        open_corpus(tmp_path)


def test_cli_exit_codes(tmp_path, capsys):
    good, bad = tmp_path / "good", tmp_path / "bad"
    _csv(good / "a.csv", [("A1", BODY, "2022-03-01")])
    bad.mkdir()
    (bad / "empty.csv").write_text("")
    assert main(["ingest", str(bad), "--corpus", str(tmp_path / "c0")]) == 1
    assert "nothing usable" in capsys.readouterr().out
    assert main(["ingest", str(good), str(bad), "--corpus", str(tmp_path / "c1")]) == 0
    out = capsys.readouterr().out
    assert "empty.csv: empty file" in out and "1 loaded" in out
    assert main(["ingest", str(good), str(bad), "--corpus", str(tmp_path / "c2"), "--strict"]) == 1
    assert main(["ingest", str(tmp_path / "nope"), "--corpus", str(tmp_path / "c3")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_ingest_log_has_one_row_per_input_file(tmp_path):
    """Every input file appears exactly once, whatever became of it (a header-only CSV too)."""
    src = tmp_path / "in"
    _csv(src / "good.csv", [("A1", BODY, "2022-03-01")])
    (src / "header_only.csv").write_text("title,text,date\n")
    (src / "zero_bytes.csv").write_text("")
    (src / "notes.xyz").write_text("not an article")
    (src / "broken.json").write_text("{not json")
    files = sorted(str(p.resolve()) for p in src.iterdir())
    s = ingest([src], tmp_path / "c")
    log = pd.read_csv(tmp_path / "c" / "ingest_log.csv")
    assert sorted(log["path"]) == files and log["path"].is_unique
    status = dict(zip(log["path"].str.rsplit("/", n=1).str[-1], log["status"]))
    assert status["header_only.csv"] == "failed" and status["good.csv"] == "loaded"
    assert len(s.log) == len(files)


def test_cli_maps_columns_and_outlets(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.csv").write_text(f"when;hl;copy\n2022-03-01;Talks stall;{BODY}\n")
    (src / "b.csv").write_text(f"when;hl;copy\n2022-03-02;Aid arrives;{BODY} More.\n")
    corpus = tmp_path / "c"
    args = ["ingest", str(src), "--corpus", str(corpus), "--column", "title=hl"]
    args += ["--column", "text=copy", "--column", "published=when"]
    args += ["--outlet", f"{src / 'b.csv'}=Bravo", "--outlet", "Alpha"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "title<-'hl', text<-'copy', published<-'when', outlet<-given 'Alpha'" in out
    assert "semicolon-separated" in out and "no url column: urls empty" in out
    df = open_corpus(corpus)
    assert dict(zip(df["title"], df["outlet"])) == {"Talks stall": "Alpha", "Aid arrives": "Bravo"}
    assert df["published"].notna().all()
    log = pd.read_csv(corpus / "ingest_log.csv")
    assert log["columns"].str.contains("outlet<-given 'Bravo'").sum() == 1


@pytest.mark.parametrize(
    "option, message",
    [
        (["--column", "headline=hl"], "unknown field 'headline'"),
        (
            ["--column", "title=headlines"],
            r"a.csv: no column 'headlines'.*\['when', 'hl', 'copy'\]",
        ),
        (["--column", "title"], "expected FIELD=COLUMN"),
        (["--outlet", "=X"], "expected FILE_OR_FOLDER=NAME"),
        (["--outlet", "nowhere.csv=X"], "no such file or folder 'nowhere.csv'"),
        (["--outlet", "A", "--outlet", "B"], "one plain NAME at most"),
    ],
)
def test_cli_bad_column_or_outlet_exits_2_before_writing(tmp_path, capsys, option, message):
    (tmp_path / "a.csv").write_text(f"when,hl,copy\n2022-03-01,Talks,{BODY}\n")
    corpus = tmp_path / "c"
    assert main(["ingest", str(tmp_path / "a.csv"), "--corpus", str(corpus), *option]) == 2
    assert re.search(message, capsys.readouterr().err)
    assert not corpus.exists()


def test_history_written_before_the_columns_log_gains_it(tmp_path):
    _csv(tmp_path / "in" / "a.csv", [("A1", BODY, "2022-03-01")])
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "ingest_history.csv").write_text(
        "run_at,path,status,rows,reason\nx,/old.csv,loaded,3,\n"
    )
    ingest([tmp_path / "in"], corpus)
    hist = pd.read_csv(corpus / "ingest_history.csv", keep_default_na=False)
    want = "run_at path status rows reason columns declared parsed missing bodies_cut".split()
    assert list(hist.columns) == want
    assert hist["path"].tolist()[0] == "/old.csv" and "title<-'title'" in hist["columns"].iloc[1]


def test_rerun_with_other_columns_reads_the_file_again(tmp_path):
    """A file ingested unnamed columns first is read again when the columns are then named."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.csv").write_text(f"when,hl,copy\n2022-03-01,Talks stall,{BODY}\n")
    ingest([src], tmp_path / "c")
    assert open_corpus(tmp_path / "c")["title"].tolist() == [""]
    s = ingest([src], tmp_path / "c", columns={"title": "hl"})
    assert s.counts == {"loaded": 1} and s.articles_total == 1
    assert open_corpus(tmp_path / "c")["title"].tolist() == ["Talks stall"]
    s = ingest([src], tmp_path / "c", columns={"title": "hl"})
    assert s.counts == {"unchanged": 1} and "title<-'hl'" in s.log["columns"].iloc[0]
    s = ingest([src], tmp_path / "c", columns={"title": "hl"}, outlet={str(src): "Alpha"})
    assert s.counts == {"loaded": 1} and open_corpus(tmp_path / "c")["outlet"].tolist() == ["Alpha"]


def test_python_m_analysis_help():
    out = subprocess.run(
        [sys.executable, "-m", "analysis", "--help"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0 and "ingest" in out.stdout


@pytest.mark.slow
def test_large_file_streams_with_bounded_memory(tmp_path):
    """A 200 MB CSV is ingested in chunks: peak memory stays far below the file size x 3."""
    path = tmp_path / "big.csv"
    para = ("Shelling continued near the front line as officials counted the damage. " * 25).strip()
    with open(path, "w") as fh:
        fh.write("title,text,date\n")
        i = 0
        while fh.tell() < 200 * 1024 * 1024:
            fh.write(f"Story {i},{para} Item {i}.,2022-03-{1 + i % 28:02d}\n")
            i += 1
    code = (
        "import sys\n"
        "from analysis.corpus.store import ingest\n"
        "s = ingest([sys.argv[1]], sys.argv[2], duplicates=False)\n"
        "status = open('/proc/self/status').read()\n"
        "hwm = int(status.split('VmHWM:')[1].split()[0])\n"
        "print(s.articles_total, hwm // 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), str(tmp_path / "c")],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    total, peak_mb = map(int, out.stdout.split())
    assert total == i
    # Read whole, the file would need several GB as Python strings; streamed, a few hundred MB.
    assert peak_mb < 600, f"peak {peak_mb} MB for a 200 MB file"


def test_open_corpus_reads_only_the_articles_asked_for(tmp_path):
    from analysis import ingest, open_corpus
    from analysis.paths import repo_path

    ingest([repo_path("data", "sample")], tmp_path / "corpus", progress=False)
    everything = open_corpus(tmp_path / "corpus")
    some = everything["article_id"].iloc[[5, 1, 7]].tolist() + ["no-such-id"]
    picked = open_corpus(tmp_path / "corpus", ids=some)
    expected = everything[everything["article_id"].isin(some)].reset_index(drop=True)
    pd.testing.assert_frame_equal(picked.reset_index(drop=True), expected)
    assert open_corpus(tmp_path / "corpus", ids=[]).empty


@pytest.mark.parametrize("damage", ["{not json", "[1, 2]", '{"Meridian": 3}', ""])
def test_a_damaged_chrome_file_does_not_break_later_ingests(tmp_path, damage, caplog):
    from analysis.paths import repo_path

    corpus = tmp_path / "corpus"
    ingest([repo_path("data", "sample")], corpus)
    (corpus / "chrome.json").write_text(damage)
    page = tmp_path / "extra" / "page.txt"
    page.parent.mkdir()
    page.write_text(
        "Talks resume in Istanbul\n\nNegotiators met again on Tuesday and agreed to keep "
        "talking about a ceasefire, officials on both sides said after the meeting.\n"
    )
    with caplog.at_level("WARNING", logger="analysis.corpus.store"):
        summary = ingest([repo_path("data", "sample"), page.parent], corpus)
    assert summary.usable
    assert "chrome.json is damaged" in caplog.text or damage == ""
    import json

    assert isinstance(json.loads((corpus / "chrome.json").read_text()), dict)  # written anew


def test_a_decompression_bomb_is_refused_with_its_name(tmp_path):
    import gzip

    from analysis import load_articles, load_report
    from analysis.readers import files

    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(b"<p>" + b"a" * (files.MAX_PAGE_BYTES + 10) + b"</p>"))
    assert bomb.stat().st_size < 100_000
    big = tmp_path / "huge.txt"
    big.write_bytes(b"x" * (files.MAX_PAGE_BYTES + 1))
    good = tmp_path / "fine.html.gz"
    good.write_bytes(gzip.compress(b"<html><title>T</title><p>" + b"Talks resume. " * 40 + b"</p>"))
    articles = load_articles(tmp_path)
    report = load_report(articles).set_index("path")
    assert "inflates to more than 16 MB" in report.loc[str(bomb), "reason"]
    assert "too large for one page" in report.loc[str(big), "reason"]
    assert report.loc[str(good), "status"] == "loaded"
    with pytest.raises(InputError, match="bomb.html.gz.*inflates"):
        load_articles(bomb, strict=True)


def test_gunzip_refuses_truncated_and_garbage_data():
    import gzip

    from analysis.readers.files import gunzip

    data = gzip.compress(b"Kyiv " * 1000)
    assert gunzip(data + gzip.compress(b"!"), "two.gz") == b"Kyiv " * 1000 + b"!"  # two members
    with pytest.raises(InputError, match="ends early"):
        gunzip(data[: len(data) // 2], "cut.gz")
    with pytest.raises(InputError, match="corrupt gzip"):
        gunzip(b"\x1f\x8b" + b"garbage" * 10, "junk.gz")
    with pytest.raises(InputError, match="inflates to more than"):
        gunzip(data, "small-limit.gz", limit=100)


def _sample_corpus(tmp_path):
    from analysis.paths import repo_path

    corpus = tmp_path / "corpus"
    ingest([repo_path("data", "sample")], corpus)
    return corpus, [repo_path("data", "sample")]


def test_story_groups_are_rebuilt_when_missing_stale_or_damaged(tmp_path):
    from analysis.corpus.store import stories_current

    corpus, inputs = _sample_corpus(tmp_path)
    want = open_corpus(corpus)[["article_id", "story_id", "is_duplicate"]]
    assert stories_current(corpus)
    for damage in ("missing", "garbage", "stale"):
        target = corpus / "duplicates.parquet"
        if damage == "missing":
            target.unlink()
        elif damage == "garbage":
            target.write_bytes(b"PAR1 not really")
        else:  # computed from other articles: a kill between new parts and new groups
            part = sorted((corpus / "articles.parquet").glob("*.parquet"))[0]
            part.touch()
        assert not stories_current(corpus)
        summary = ingest(inputs, corpus)
        assert summary.articles_added == 0 and stories_current(corpus)
        got = open_corpus(corpus)[["article_id", "story_id", "is_duplicate"]]
        pd.testing.assert_frame_equal(got, want)
        assert got["story_id"].notna().all()


def test_a_damaged_story_table_is_named_and_the_articles_still_open(tmp_path, caplog):
    corpus, _ = _sample_corpus(tmp_path)
    n = len(open_corpus(corpus))
    (corpus / "duplicates.parquet").write_bytes(b"garbage")
    with caplog.at_level("WARNING", logger="analysis.corpus.store"):
        articles = open_corpus(corpus)
    assert len(articles) == n and "duplicates.parquet is damaged" in caplog.text


def test_a_damaged_part_is_named_and_read_again_from_its_source(tmp_path):
    corpus, inputs = _sample_corpus(tmp_path)
    want = open_corpus(corpus)
    part = sorted((corpus / "articles.parquet").glob("*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:100])  # cut short
    with pytest.raises(InputError, match=f"{part.name}.*damaged part file"):
        open_corpus(corpus)
    summary = ingest(inputs, corpus)
    assert summary.articles_added > 0
    got = open_corpus(corpus)
    assert sorted(got["article_id"]) == sorted(want["article_id"])  # ids stable, none doubled
    assert len(got) == len(want)


@pytest.mark.slow
def test_ingest_killed_at_random_moments_loses_and_doubles_nothing(tmp_path):
    """Kill ingest at random points (bounded loop); the next ingest repairs the corpus."""
    import random
    import shutil
    import signal
    import time

    from analysis.corpus.store import stories_current
    from analysis.paths import repo_path

    inputs = tmp_path / "inputs"
    shutil.copytree(repo_path("data", "sample"), inputs / "sample")
    corpus = tmp_path / "corpus"
    rng = random.Random(13)
    command = [
        sys.executable,
        "-m",
        "analysis",
        "-q",
        "ingest",
        str(inputs),
        "--corpus",
        str(corpus),
    ]
    # how long a whole run takes here: kills land within a run, whatever the machine's speed
    t0 = time.perf_counter()
    subprocess.run(command, cwd=repo_path(), check=True, capture_output=True, timeout=300)
    duration = time.perf_counter() - t0
    shutil.rmtree(corpus)
    killed = 0
    for round_no in range(8):
        _csv(  # new work for every round
            inputs / f"extra-{round_no}.csv",
            [
                {
                    "date": f"2022-03-{round_no + 1:02d}",
                    "title": f"Talks, round {round_no}",
                    "text": f"Negotiators met for round {round_no} and agreed to meet again. " * 8,
                }
            ],
        )
        run = subprocess.Popen(
            command, cwd=repo_path(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.05, 0.6) * duration)  # early enough to land on a busy machine too
        if run.poll() is None:
            run.send_signal(signal.SIGKILL)
            killed += 1
        run.wait(timeout=60)
        if (corpus / "sources.parquet").exists():  # a corpus left by a killed run still opens
            assert not open_corpus(corpus)["article_id"].duplicated().any()
        subprocess.run(command, cwd=repo_path(), check=True, capture_output=True, timeout=300)
        got = open_corpus(corpus)
        assert stories_current(corpus), f"round {round_no}: story groups stale"
        assert got["story_id"].notna().all(), f"round {round_no}: articles without a story"
        assert not got["article_id"].duplicated().any(), f"round {round_no}: doubled articles"
        assert not [p for p in corpus.rglob("*") if p.name.endswith((".tmp", ".new"))]
    assert killed >= 3  # rounds were cut short (a round finishing first still checks a clean rerun)
    reference = tmp_path / "reference"
    ingest([inputs], reference)
    want = open_corpus(reference)
    assert sorted(got["article_id"]) == sorted(want["article_id"])  # nothing lost, ids stable
    pd.testing.assert_series_equal(
        got.set_index("article_id")["story_id"].sort_index().notna(),
        want.set_index("article_id")["story_id"].sort_index().notna(),
    )


def test_a_reader_waits_for_a_running_ingest_and_sees_the_new_version(tmp_path):
    import threading
    import time

    from analysis.corpus.lock import corpus_lock
    from analysis.paths import repo_path

    corpus = tmp_path / "corpus"
    ingest([repo_path("data", "sample")], corpus)
    n = len(open_corpus(corpus))
    held = threading.Event()

    def writer():  # stands for an ingest in another process: an exclusive lock on the folder
        script = (
            "import sys, time, fcntl\n"
            f"h = open({str(corpus / '.lock')!r}, 'a+b')\n"
            "fcntl.flock(h.fileno(), fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(1.5)\n"
        )
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "held"
        held.set()
        proc.wait(timeout=30)

    thread = threading.Thread(target=writer)
    thread.start()
    assert held.wait(timeout=30)
    t0 = time.perf_counter()
    articles = open_corpus(corpus)  # waits for the lock to be released
    waited = time.perf_counter() - t0
    thread.join()
    assert waited > 0.8 and len(articles) == n
    with corpus_lock(corpus, exclusive=True):  # a read inside an ingest does not wait for itself
        assert len(open_corpus(corpus)) == n


def test_parts_a_killed_run_renamed_in_but_did_not_record_keep_their_ids(tmp_path):
    """A run killed after moving a new file's parts in, before writing sources.parquet."""
    from analysis.paths import repo_path

    corpus = tmp_path / "corpus"
    ingest([repo_path("data", "sample")], corpus)
    want = sorted(open_corpus(corpus)["article_id"])
    (corpus / "sources.parquet").unlink()  # the parts are there, the record of them is not
    ingest([repo_path("data", "sample")], corpus)
    got = open_corpus(corpus)
    assert sorted(got["article_id"]) == want  # no article took a suffix against its own copy
    assert len(list((corpus / "articles.parquet").glob("*.parquet"))) == len(
        {p for r in pd.read_parquet(corpus / "sources.parquet")["parts"] for p in json.loads(r)}
    )


def test_files_half_written_by_a_killed_run_are_removed_by_the_next(tmp_path):
    src, corpus = tmp_path / "in", tmp_path / "c"
    _csv(src / "a.csv", [("A1", BODY, "2022-03-01")])
    ingest([src], corpus)
    (corpus / ".sources.parquet.4242.tmp").write_bytes(b"PAR1")
    (corpus / "query_index" / ".part.npz.0a0b.tmp").write_bytes(b"PK")
    ingest([src], corpus)
    assert not [p for p in corpus.rglob("*") if p.name.endswith(".tmp")]
