"""The report runner: parameters, dates, selection, safe names, atomic folders, index."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis import cli
from analysis.corpus import cache, selection
from analysis.errors import AnalysisError, ParameterError
from analysis.measures import overview
from analysis.report import display, params, render
from analysis.report import index as report_index
from analysis.report import run as reporting
from analysis.report.kernel import GC_THRESHOLDS
from analysis.report.params import Parameter

NOW = pd.Timestamp("2022-03-10 15:30", tz="UTC")


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# ----------------------------------------------------------------------- parameters


def write_notebook(path: Path, params: str, *body: str) -> Path:
    """Write a small notebook: a parameters cell, then one code cell per body string."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Test notebook"), cell]
    for src in body:
        if src.startswith("## "):
            nb.cells.append(nbformat.v4.new_markdown_cell(src))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(src))
    nbformat.write(nb, path)
    return path


PARAMS = (
    'title: str = "Test"  # report title\n'
    "top_n: int = 3  # rows to keep\n"
    "ratio: float = 0.5  # a share\n"
    "fail: bool = False  # raise inside the notebook\n"
    "empty: bool = False  # select nothing\n"
    "outlets: list[str] = []  # outlets to keep\n"
    'output_dir: str = ""  # figures folder'
)


@pytest.fixture
def demo(tmp_path) -> Path:
    return write_notebook(
        tmp_path / "demo.ipynb",
        PARAMS,
        "import analysis\nimport matplotlib.pyplot as plt\nimport pandas as pd",
        "## Numbers",
        "frame = pd.DataFrame({'title': ['<script>alert(1)</script>'], 'n': [top_n]})\n"
        "analysis.show_table(frame)",
        "fig, ax = plt.subplots()\nax.bar(frame['title'], frame['n'])\n"
        "analysis.save_figure(fig, frame, 'bars', output_dir=output_dir)",
        "assert not fail, 'asked to fail'",
        "analysis.require_articles(frame.head(0) if empty else frame)",
        "## After the check",
    )


def test_read_parameters_types_defaults_and_help(demo):
    spec = {p.name: p for p in params.read_parameters(demo)}
    assert list(spec) == ["title", "top_n", "ratio", "fail", "empty", "outlets", "output_dir"]
    assert spec["top_n"] == Parameter("top_n", "int", 3, "rows to keep")
    assert spec["outlets"].type == "list[str]" and spec["outlets"].default == []
    assert spec["ratio"].help == "a share"


@pytest.mark.parametrize(
    "source, message",
    [
        ("x = compute()  # not a literal", "not a literal"),
        ("x: dict = {}  # odd type", "unsupported type"),
        ("import os", "expected `name: type = literal"),
        ("x: int  # no default", "has no default"),
    ],
)
def test_bad_parameters_cell_is_reported(tmp_path, source, message):
    path = write_notebook(tmp_path / "bad.ipynb", source)
    with pytest.raises(ParameterError, match=message):
        params.read_parameters(path)


@pytest.mark.parametrize(
    "kind, value, expected",
    [
        ("int", "20", 20),
        ("int", 20, 20),
        ("int", 3.0, 3),
        ("float", "0.25", 0.25),
        ("float", 2, 2.0),
        ("bool", "yes", True),
        ("bool", "False", False),
        ("bool", True, True),
        ("str", "Week 12", "Week 12"),
        ("str", pd.Timestamp("2022-03-01").date(), "2022-03-01"),
        ("list[str]", "BBC, CNN", ["BBC", "CNN"]),
        ("list[str]", "[BBC, 'New York Times']", ["BBC", "New York Times"]),
        ("list[str]", "", []),
        ("list[str]", ["a", "b"], ["a", "b"]),
        ("list[int]", "1,2", [1, 2]),
    ],
)
def test_coerce_value(kind, value, expected):
    assert params.coerce_value(Parameter("p", kind, None), value) == expected


@pytest.mark.parametrize(
    "kind, value",
    [
        ("int", "twenty"),
        ("int", 2.5),
        ("int", True),
        ("float", "x"),
        ("bool", "maybe"),
        ("bool", 1),
        ("str", 2022),
        ("list[int]", "1,x"),
        ("list[str]", 5),
    ],
)
def test_coerce_value_rejects_wrong_types(kind, value):
    with pytest.raises(ParameterError, match="'p'"):
        params.coerce_value(Parameter("p", kind, None), value)


def test_choices_are_enforced():
    param = Parameter("copies", "str", "unique", choices=("unique", "all"))
    assert params.coerce_value(param, "all") == "all"
    with pytest.raises(ParameterError, match="allowed values: unique, all"):
        params.coerce_value(param, "some")


def test_validate_parameters(demo):
    typed, _ = params.validate_parameters(demo, {"top_n": "7", "outlets": "A,B"})
    assert typed == {"top_n": 7, "outlets": ["A", "B"]}
    with pytest.raises(ParameterError, match="unknown parameter.*tpo_n.*known: title"):
        params.validate_parameters(demo, {"tpo_n": 7})


def test_assignments_and_params_file(tmp_path):
    assert params.parse_assignments(["a=1", "b=x=y", "a=2"]) == {"a": "2", "b": "x=y"}
    with pytest.raises(ParameterError, match="key=value"):
        params.parse_assignments(["novalue"])
    good = tmp_path / "p.yaml"
    good.write_text("top_n: 5\noutlets: [BBC, CNN]\n")
    assert params.read_params_file(good) == {"top_n": 5, "outlets": ["BBC", "CNN"]}
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n")
    with pytest.raises(ParameterError, match="mapping"):
        params.read_params_file(bad)
    with pytest.raises(ParameterError, match="missing.yaml"):
        params.read_params_file(tmp_path / "missing.yaml")


# ----------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "phrase, start, end",
    [
        ("", None, None),
        ("all", None, None),
        ("2022-03-01", "2022-03-01", "2022-03-02"),
        ("2022-03", "2022-03-01", "2022-04-01"),
        ("2022", "2022-01-01", "2023-01-01"),
        ("2022-02-24..2022-03-31", "2022-02-24", "2022-04-01"),
        ("2022-03-01..", "2022-03-01", None),
        ("..2022-03-31", None, "2022-04-01"),
        ("since 2022-03-01", "2022-03-01", None),
        ("until 2022-03-31", None, "2022-04-01"),
        ("before 2022-03-31", None, "2022-03-31"),
        ("today", "2022-03-10", "2022-03-11"),
        ("yesterday", "2022-03-09", "2022-03-10"),
        ("last 7 days", "2022-03-03", None),
        ("Last 2 weeks", "2022-02-24", None),
        ("past 1 month", "2022-02-10", None),
        ("this month", "2022-03-01", None),
        ("this week", "2022-03-07", None),
        ("this year", "2022-01-01", None),
    ],
)
def test_parse_date_range(phrase, start, end):
    got = selection.parse_date_range(phrase, now=NOW)
    assert got == (day(start) if start else None, day(end) if end else None)


@pytest.mark.parametrize(
    "phrase", ["last week-ish", "2022-13-01", "2022-03-31..2022-03-01", "soon"]
)
def test_parse_date_range_rejects(phrase):
    with pytest.raises(ParameterError, match="date_range"):
        selection.parse_date_range(phrase, now=NOW)


# ----------------------------------------------------------------------- selection


def test_select_articles_dates_outlets_and_copies(tiny_articles):
    kept, steps = selection.select_articles(
        tiny_articles, date_range="2022-03-28..2022-03-29", outlets=["alpha"], copies="all"
    )
    assert sorted(kept["title"]) == ["Shelling", "Talks stall"]
    assert steps["articles"].tolist() == [4, 3, 2, 2]
    assert tiny_articles["title"].tolist()[0] == "Talks stall"  # input untouched

    grouped = tiny_articles.assign(
        story_id=["s1", "s2", "s1", "s3"], is_duplicate=[False, False, True, False]
    )
    unique, _ = selection.select_articles(grouped, copies="unique")
    assert sorted(unique["title"]) == ["Grain deal", "Shelling", "Talks stall"]
    # when the canonical copy is filtered out, the remaining copy stands for the story
    beta, _ = selection.select_articles(grouped, outlets=["Beta"], copies="unique")
    assert sorted(beta["title"]) == ["Grain deal", "Talks resume"]


def test_select_articles_relative_dates_and_empty(tiny_articles):
    kept, _ = selection.select_articles(
        tiny_articles, date_range="last 1 days", now=day("2022-03-30 12:00"), copies="all"
    )
    assert kept["title"].tolist() == ["Shelling", "Grain deal"]
    none, steps = selection.select_articles(tiny_articles, outlets=["Gamma"], copies="all")
    assert len(none) == 0 and steps["articles"].iloc[-1] == 0
    with pytest.raises(selection.NoArticlesError, match="No articles"):
        selection.require_articles(none)
    assert selection.require_articles(kept) is kept


def test_save_figure_writes_png_and_csv(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = pd.DataFrame({"outlet": ["A", "B"], "n": [3, 5]})
    fig, ax = plt.subplots()
    ax.bar(data["outlet"], data["n"])
    display.save_figure(ax, data, "volume", output_dir=tmp_path)
    assert (tmp_path / "figures" / "volume.png").read_bytes()[:4] == b"\x89PNG"
    assert pd.read_csv(tmp_path / "figures" / "volume.csv").equals(data)
    display.save_figure(fig, data, "nowhere", output_dir="")
    assert not (tmp_path / "figures" / "nowhere.png").exists()
    with pytest.raises(ParameterError, match="figure name"):
        display.save_figure(fig, data, "../escape", output_dir=tmp_path)
    plt.close(fig)


def test_show_table_escapes_and_formats():
    frame = pd.DataFrame(
        {"title": ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"], "n": [1, 12345]}
    )
    page = display.show_table(frame)._repr_html_()
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<td class="num">12,345</td>' in page
    assert "No quotes" in display.show_table(frame.head(0), empty="No quotes")._repr_html_()
    assert "1 more rows" in display.show_table(frame, max_rows=1)._repr_html_()


@pytest.mark.parametrize(
    "fragment, must_not, must",
    [
        ("<p>a</p><script>alert(1)</script>", "alert", "<p>a</p>"),
        ("<b>ok</b><img src=x onerror=alert(1)>", "onerror", "<b>ok</b>"),
        ("<td>&lt;script&gt;alert(1)</td>", "<script", "&lt;script&gt;alert(1)"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:", ">x</a>"),
        ('<b onclick="alert(1)">bold</b>', "onclick", "<b>bold</b>"),
        (
            "<style>body{background:url(http://x)}</style><table><tr><td>1</td></tr></table>",
            "http://",
            "<td>1</td>",
        ),
        ('<h2 id="a">Head</h2>', "&lt;h2", '<h2 id="a">Head</h2>'),
    ],
)
def test_clean_html(fragment, must_not, must):
    out = render.clean_html(fragment)
    assert must_not not in out
    assert must in out


# ----------------------------------------------------------------------- names and CLI


@pytest.mark.parametrize(
    "name", ["..", "../x", "/tmp/x", "a/b", ".hidden", "", "a b", "x" * 101, "weekly\n", "a\nb"]
)
def test_unsafe_names_are_refused(name):
    with pytest.raises(ParameterError):
        reporting.check_name(name)


def test_safe_names_and_out():
    assert reporting.check_name("weekly-2022.03_a") == "weekly-2022.03_a"
    assert reporting.check_out("/srv/reports") == Path("/srv/reports")
    with pytest.raises(ParameterError, match=r"\.\."):
        reporting.check_out("reports/../../etc")


def test_resolve_notebook(tmp_path, demo):
    assert params.resolve_notebook(demo) == demo.resolve()
    assert params.resolve_notebook("coverage_report").name == "coverage_report.ipynb"
    assert params.resolve_notebook(None).stem == params.DEFAULT_NOTEBOOK
    with pytest.raises(ParameterError, match="not found.*coverage_report"):
        params.resolve_notebook("no_such_notebook")


@pytest.mark.parametrize(
    "args, message",
    [
        (["-p", "bogus=1"], "unknown parameter"),
        (["-p", "top_n=many"], "expects int"),
        (["-p", "fail=perhaps"], "expects bool"),
        (["--name", "../outside"], "--name"),
        (["--name", "/abs"], "--name"),
        (["-p", "top_n"], "key=value"),
    ],
)
def test_cli_rejects_bad_usage_with_exit_2(demo, tmp_path, capsys, args, message):
    code = cli.main(["report", str(demo), "--out", str(tmp_path / "reports"), *args])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "reports" / "demo").exists()  # nothing ran


def test_cli_params_lists_types_defaults_help(demo, capsys):
    assert cli.main(["params", str(demo)]) == 0
    out = capsys.readouterr().out
    assert "top_n" in out and "int" in out and "rows to keep" in out


def test_missing_corpus_is_a_usage_error(tmp_path, capsys):
    code = cli.main(
        ["report", "coverage_report", "--corpus", str(tmp_path / "nothing"), "--out", str(tmp_path)]
    )
    assert code == 2
    assert "no corpus" in capsys.readouterr().err


# ----------------------------------------------------------------------- runs


def test_a_kernel_that_dies_leaves_the_notebook_up_to_where_it_stopped(tmp_path):
    book = write_notebook(
        tmp_path / "dies.ipynb",
        'output_dir: str = ""  # figures folder',
        "print('first cell ran')",
        "import os\nos._exit(1)",
        "print('never')",
    )
    out = tmp_path / "reports"
    with pytest.raises(reporting.ReportError, match="dies.ipynb failed"):
        reporting.run_report(book, out=out, name="oom")
    failed = out / "dies" / "failed" / "oom"
    assert json.loads((failed / "run.json").read_text())["status"] == "failed"
    executed = nbformat.read(failed / "dies.ipynb", as_version=4)
    texts = [o.get("text", "") for c in executed.cells for o in c.get("outputs", [])]
    assert any("first cell ran" in t for t in texts)
    assert not any("never" in t for t in texts)


def test_run_report_is_atomic(demo, tmp_path):
    out = tmp_path / "reports"
    folder = reporting.run_report(demo, out=out, name="weekly", parameters={"top_n": "4"})
    assert folder == out / "demo" / "weekly"
    for part in ("report.html", "demo.ipynb", "run.json", "figures/bars.png", "figures/bars.csv"):
        assert (folder / part).is_file(), part
    run = json.loads((folder / "run.json").read_text())
    assert run["status"] == "ok" and run["parameters"]["top_n"] == 4
    assert {"kernel_start_s", "analyses_s", "rendering_s", "total_s"} <= set(run["timings"])
    assert run["versions"]["papermill"]
    good = (folder / "report.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in good
    assert '<div tabindex="0" class="jp-RenderedHTML jp-OutputArea-output' in good  # focusable
    # the figure is drawn once: the notebook shows the saved file's image, at screen size
    import base64

    import nbformat

    shown = [
        out
        for cell in nbformat.read(folder / "demo.ipynb", as_version=4).cells
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]
    assert len(shown) == 1
    png = (folder / "figures" / "bars.png").read_bytes()
    assert base64.b64decode(shown[0]["data"]["image/png"]) == png
    width = int.from_bytes(png[16:20], "big")
    assert shown[0]["metadata"]["image/png"]["width"] < width
    assert f'width="{shown[0]["metadata"]["image/png"]["width"]}"' in good

    # a failing run of the same name exits 1, is kept under failed/, and the good report stays
    with pytest.raises(reporting.ReportError, match="asked to fail"):
        reporting.run_report(demo, out=out, name="weekly", parameters={"fail": True})
    assert (folder / "report.html").read_text() == good
    failed = out / "demo" / "failed" / "weekly"
    assert json.loads((failed / "run.json").read_text())["status"] == "failed"
    executed = nbformat.read(failed / "demo.ipynb", as_version=4)
    assert any(
        o.get("ename") == "AssertionError" for c in executed.cells for o in c.get("outputs", [])
    )
    assert not [p for p in (out / "demo").iterdir() if p.name.startswith(".")]

    # an empty selection still gives a report, with a notice instead of a traceback
    empty = reporting.run_report(demo, out=out, name="empty", parameters={"empty": True})
    page = (empty / "report.html").read_text()
    assert json.loads((empty / "run.json").read_text())["status"] == "no-articles"
    assert "report-notice" in page and "No articles are left" in page
    assert "Traceback" not in page and "NoArticlesError" not in page
    assert "After the check" not in page

    index = (out / "index.html").read_text()
    assert index.count("report.html") == 2  # two good reports, the failure is not listed
    assert "demo/weekly/report.html" in index


def test_index_escapes_titles_and_parameters(tmp_path):
    folder = tmp_path / "coverage_report" / "x"
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(
        json.dumps(
            {
                "title": "<script>alert(1)</script>",
                "finished": "2022-03-01T10:00:00+00:00",
                "status": "ok",
                "parameters": {"outlets": ["<img src=x onerror=alert(1)>"]},
                "defaults": {"outlets": []},
            }
        )
    )
    page = report_index.build_index(tmp_path).read_text()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_cached_by_article_processes_only_new_or_changed_articles(tmp_path):
    seen: list[list[str]] = []

    def lengths(articles):
        seen.append(sorted(articles["article_id"]))
        return articles[["article_id"]].assign(
            chars=articles["text"].str.len(), spans=[[(0, 1)]] * len(articles)
        )

    arts = pd.DataFrame({"article_id": ["a", "b", "c"], "text": ["one", "three", "seven!"]})
    first = cache.cached_by_article(lengths, arts, cache_dir=tmp_path, name="len")
    again = cache.cached_by_article(lengths, arts, cache_dir=tmp_path, name="len")
    assert first.equals(again) and again["chars"].tolist() == [3, 5, 6]
    assert again["spans"].tolist() == [[(0, 1)]] * 3
    assert seen == [["a", "b", "c"]]  # the second call read the cache only

    changed = pd.DataFrame({"article_id": ["c", "d", "a"], "text": ["seven!!", "four", "one"]})
    out = cache.cached_by_article(lengths, changed, cache_dir=tmp_path, name="len")
    assert seen[-1] == ["c", "d"]  # the changed text and the new article
    assert out["article_id"].tolist() == ["c", "d", "a"] and out["chars"].tolist() == [7, 4, 3]
    # other options, another cache; no folder, no cache
    cache.cached_by_article(lambda df, k=1: lengths(df), arts, cache_dir=tmp_path, name="len", k=2)
    assert seen[-1] == ["a", "b", "c"]
    cache.cached_by_article(lengths, arts, cache_dir="", name="len")
    assert len(seen) == 4


def test_cached_by_article_takes_rows_prepared_ahead(sample_articles, tmp_path, caplog):
    from analysis.measures.quotes import extract_quotes

    seen: list[int] = []

    def quotes(articles):  # the same helper, counting the articles it reads
        seen.append(len(articles))
        return extract_quotes(articles)

    quotes.__module__, quotes.__qualname__ = extract_quotes.__module__, extract_quotes.__qualname__
    arts = sample_articles.reset_index(drop=True)
    old, new = arts.iloc[: len(arts) // 2], arts.iloc[len(arts) // 2 :]
    plain, ahead = tmp_path / "plain", tmp_path / "ahead"
    for folder in (plain, ahead):
        folder.mkdir()
        cache.cached_by_article(quotes, old, cache_dir=folder, name="quotes")
    expected = cache.cached_by_article(quotes, arts, cache_dir=plain, name="quotes")
    assert seen[-1] == len(new)
    # n_jobs does not change the rows: passed to the helper, not part of the options
    prepared = cache.prepare_by_article(
        extract_quotes, new, cache_dir=ahead, name="quotes", run_with={"n_jobs": 1}
    )
    assert prepared == len(new)
    seen.clear()
    # a repeated index label (two tables stacked) is fine: rows are picked by position
    stacked = pd.concat([arts.iloc[:3], arts.iloc[3:]])
    stacked.index = [0] * len(stacked)
    got = cache.cached_by_article(quotes, stacked, cache_dir=ahead, name="quotes")
    assert seen == [0]  # every new article's rows came from the prepared file
    pd.testing.assert_frame_equal(got, expected)
    # the cache now holds them: a later call reads the cache only, with the same rows
    seen.clear()
    pd.testing.assert_frame_equal(
        cache.cached_by_article(quotes, arts, cache_dir=ahead, name="quotes"), expected
    )
    assert seen == []

    # rows prepared by another helper, or a torn file, are not used
    other = tmp_path / "other"
    other.mkdir()
    cache.cached_by_article(quotes, old, cache_dir=other, name="quotes")
    cache.prepare_by_article(
        lambda a: extract_quotes(a).head(0), new, cache_dir=other, name="quotes"
    )
    seen.clear()
    pd.testing.assert_frame_equal(
        cache.cached_by_article(quotes, arts, cache_dir=other, name="quotes"), expected
    )
    assert seen == [len(new)]
    torn = tmp_path / "torn"
    torn.mkdir()
    cache.cached_by_article(quotes, old, cache_dir=torn, name="quotes")
    cache.prepare_by_article(extract_quotes, new, cache_dir=torn, name="quotes")
    next(torn.glob("*_prepared.arrow")).write_bytes(b"torn")
    pd.testing.assert_frame_equal(
        cache.cached_by_article(quotes, arts, cache_dir=torn, name="quotes"), expected
    )


def test_cli_ingests_when_asked_and_lists_bundled_parameters(demo, tmp_path, seed_path, capsys):
    import gc

    before = gc.get_threshold()
    corpus = tmp_path / "corpus"
    args = ["report", str(demo), "--out", str(tmp_path / "reports"), "--name", "with-ingest"]
    assert cli.main([*args, "--corpus", str(corpus), "--ingest", str(seed_path.parent)]) == 0
    assert (corpus / "articles.parquet").exists()  # ingested before the run
    # what was prepared for the run's new articles is gone once the run ended
    assert not list(corpus.glob("*prepared*")) and not list(corpus.glob("*spans*"))
    assert gc.get_threshold() == before  # the command's GC setting ends with it
    assert (tmp_path / "reports" / "demo" / "with-ingest" / "report.html").is_file()
    assert cli.main(["params", "coverage_report"]) == 0
    listed = capsys.readouterr().out
    for name in ("corpus", "date_range", "outlets", "query", "top", "copies", "sentiment_engine"):
        assert name in listed


def test_the_kernel_starts_before_ingest_and_never_outlives_the_run(
    demo, tmp_path, seed_path, monkeypatch
):
    started, order = [], []
    start = reporting._start_kernel

    def recording_start():
        km = start()
        started.append(km)
        order.append("kernel")
        return km

    from analysis.corpus import store

    ingest = store.ingest

    def recording_ingest(*args, **kwargs):
        # the kernel was launched first and is booting while this runs
        assert started and started[-1].has_kernel
        order.append("ingest")
        return ingest(*args, **kwargs)

    monkeypatch.setattr(reporting, "_start_kernel", recording_start)
    monkeypatch.setattr(store, "ingest", recording_ingest)
    out = tmp_path / "reports"
    corpus = tmp_path / "corpus"
    folder = reporting.run_report(
        demo, out=out, name="ok", corpus=corpus, ingest=[seed_path.parent]
    )
    assert order == ["kernel", "ingest"] and (folder / "report.html").is_file()
    # papermill's client waits for the kernel's answer, not for 0.2 s of silence after it
    assert started[0].client_factory.__name__ == "ReadyClient"
    # the kernel imported the preload as it started, before the first cell
    probe = write_notebook(
        tmp_path / "probe.ipynb",
        'output_dir: str = ""  # figures folder',
        "import gc, sys\nprint('preloaded:', sorted(m for m in ('analysis', 'matplotlib.pyplot') "
        "if m in sys.modules), 'gc:', gc.get_threshold())",
    )
    shown = (reporting.run_report(probe, out=out, name="p") / "report.html").read_text()
    assert "preloaded: [&#39;analysis&#39;, &#39;matplotlib.pyplot&#39;]" in shown
    assert f"gc: {GC_THRESHOLDS}" in shown  # fewer full scans of a large heap
    with pytest.raises(reporting.ReportError, match="asked to fail"):
        reporting.run_report(demo, out=out, name="bad", parameters={"fail": True})
    with pytest.raises(AnalysisError):
        reporting.run_report(demo, out=out, name="x", corpus=corpus, ingest=[tmp_path / "nope"])
    assert len(started) == 4
    assert not any(km.has_kernel for km in started)
    assert not (out / "demo" / "x").exists()


def test_a_kernel_slow_to_start_is_waited_for(tmp_path, monkeypatch):
    # while a kernel boots, requests for its info pile up; the client must take the
    # first answer, not wait for the one to its latest request
    import time

    from analysis.report import kernel as _kernel

    (tmp_path / "slow_preload.py").write_text("import time\ntime.sleep(2.5)\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setattr(_kernel, "KERNEL_PRELOAD", (*_kernel.KERNEL_PRELOAD, "slow_preload"))
    book = write_notebook(
        tmp_path / "slow.ipynb",
        'output_dir: str = ""  # figures folder',
        "import sys\nprint('slow' if 'slow_preload' in sys.modules else 'fast')",
    )
    t0 = time.perf_counter()
    folder = reporting.run_report(book, out=tmp_path / "reports", name="slow")
    assert time.perf_counter() - t0 < 30
    assert "slow" in (folder / "report.html").read_text()


def test_the_command_starts_the_kernel_first_and_stops_one_no_run_took(
    demo, tmp_path, monkeypatch, capsys
):
    from analysis.report import kernel as _kernel

    started = []
    start = _kernel.start_kernel

    def recording_start():
        started.append(start())
        return started[-1]

    monkeypatch.setattr(_kernel, "start_kernel", recording_start)
    monkeypatch.setattr(reporting, "start_kernel", recording_start)
    out = ["--out", str(tmp_path / "reports")]
    assert cli.main(["-q", "report", str(demo), *out, "--name", "a"]) == 0
    assert len(started) == 1  # the kernel started early is the one the run used
    # a usage error after the kernel started: exit 2, and the kernel is stopped
    assert cli.main(["-q", "report", str(demo), *out, "-p", "nope=1"]) == 2
    assert len(started) == 2 and not any(km.has_kernel for km in started)
    assert not _kernel._EARLY
    # help and other commands start none
    assert cli.main(["params", str(demo)]) == 0
    with pytest.raises(SystemExit):
        cli.main(["report", "--help"])
    assert len(started) == 2
    capsys.readouterr()


def test_overview_of_an_empty_part_combines_without_changing_anything(sample_articles):
    # a Dask partition left empty by a selection gives an empty part
    full = overview.overview_counts(sample_articles, by="outlet")
    empty = overview.overview_counts(sample_articles.iloc[:0], by="outlet")
    assert empty.dtypes.to_dict() == full.dtypes.to_dict()
    pd.testing.assert_frame_equal(
        overview.combine_overview([empty, full, empty]), overview.combine_overview([full])
    )


def test_per_article_cache_is_recomputed_when_the_helpers_code_changes(tmp_path, monkeypatch):
    """Rows cached by an older version of a helper's rules are not served after an upgrade."""
    import importlib

    from analysis.corpus.cache import cached_by_article

    module = tmp_path / "rules_mod.py"
    monkeypatch.syspath_prepend(str(tmp_path))
    module.write_text(
        "def speakers(df):\n    return df[['article_id']].assign(speaker='he')\n", encoding="utf-8"
    )
    import rules_mod

    arts = pd.DataFrame({"article_id": ["a", "b"], "text": ["one", "two"]})
    cache = tmp_path / "corpus"
    cache.mkdir()
    first = cached_by_article(rules_mod.speakers, arts, cache_dir=cache, name="quotes")
    assert first["speaker"].tolist() == ["he", "he"]
    module.write_text(  # the rules change: pronouns are resolved now
        "def speakers(df):\n    return df[['article_id']].assign(speaker='Ann Lee')\n",
        encoding="utf-8",
    )
    importlib.reload(rules_mod)
    again = cached_by_article(rules_mod.speakers, arts, cache_dir=cache, name="quotes")
    assert again["speaker"].tolist() == ["Ann Lee", "Ann Lee"]
    # rows and keys: the old ones replaced
    assert len(list(cache.glob("cache_quotes_*.arrow"))) == 2


def test_a_report_holds_the_corpus_for_an_ingest_to_wait_on(tmp_path):
    """While the notebook runs, the corpus cannot be taken for writing: an ingest would wait."""
    from analysis import ingest
    from analysis.paths import repo_path

    corpus = tmp_path / "corpus"
    ingest([repo_path("data", "sample")], corpus, progress=False, duplicates=False)
    book = write_notebook(
        tmp_path / "locked.ipynb",
        'corpus: str = ""  # corpus folder\noutput_dir: str = ""  # figures folder',
        "import fcntl, pathlib\n"
        "handle = open(pathlib.Path(corpus) / '.lock', 'a+b')\n"
        "try:\n"
        "    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "    writable = True\n"
        "except BlockingIOError:\n"
        "    writable = False\n"
        "assert not writable, 'the corpus could be written while the report ran'\n"
        "fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)  # readers share it",
    )
    folder = reporting.run_report(book, corpus=corpus, out=tmp_path / "reports", name="r")
    assert json.loads((folder / "run.json").read_text())["status"] == "ok"
    # and once the run is over the lock is free for an ingest
    import fcntl

    with open(corpus / ".lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_an_ingest_says_it_waits_for_a_running_reader(tmp_path):
    import subprocess
    import sys
    import time

    from analysis.corpus.lock import corpus_lock

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    code = (
        "import logging, sys, pathlib\n"
        "logging.basicConfig(level=logging.WARNING)\n"
        "from analysis.corpus.lock import corpus_lock\n"
        "with corpus_lock(pathlib.Path(sys.argv[1]), exclusive=True):\n"
        "    print('written', flush=True)\n"
    )
    with corpus_lock(corpus, exclusive=False):
        writer = subprocess.Popen(
            [sys.executable, "-c", code, str(corpus)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(3)
        assert writer.poll() is None  # the writer waits while the reader holds the corpus
    out, err = writer.communicate(timeout=60)
    assert out.strip() == "written"
    assert err.count("in use by another command; waiting") == 1
