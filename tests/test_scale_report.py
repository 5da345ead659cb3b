
"""The coverage report on the Dask engine: every helper it calls, and the whole report, equal pandas."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pandas as pd
import pytest

pytest.importorskip("distributed")

import dask.dataframe as dd  # noqa: E402

import analysis  # noqa: E402
from analysis import engine  # noqa: E402
from analysis.corpus import parts as corpus_parts  # noqa: E402
from analysis.corpus import (
    selection,  # noqa: E402
)
from analysis.engine import dask as dask_engine  # noqa: E402
from analysis.engine import partitions  # noqa: E402
from analysis.errors import AnalysisError, ParameterError  # noqa: E402
from analysis.paths import repo_path, sample_inputs  # noqa: E402
from analysis.report import run as reporting

#: Rows per part file of the test corpus: 48 articles in three partitions, so
#: stories, outlets and periods straddle partition boundaries.
ROWS_PER_PART = 17


@pytest.fixture(scope="module")
def client():
    """One 2-worker cluster for the module; TCP, so a report's kernel can connect to it."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        dashboard_address=None,
    )
    with Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The bundled inputs ingested, the articles rewritten as a few part files."""
    from analysis.corpus.store import ingest

    folder = tmp_path_factory.mktemp("corpus") / "corpus"
    ingest(sample_inputs(), folder, progress=False)
    table = folder / "articles.parquet"
    parts = sorted(table.glob("*.parquet")) if table.is_dir() else [table]
    whole = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    corpus_parts.write_partitioned([whole], table, rows_per_file=ROWS_PER_PART)
    return folder


@pytest.fixture(scope="module")
def pandas_articles(corpus):
    return analysis.open_corpus(corpus)


@pytest.fixture(scope="module")
def dask_articles(corpus, client):
    return analysis.open_corpus(corpus, engine="dask")  # the active client: the module's


@pytest.fixture(scope="module")
def selections(pandas_articles, dask_articles):
    """The report's default selection on both engines."""
    return analysis.select_articles(pandas_articles)[0], analysis.select_articles(dask_articles)[0]


def _lazy(table: pd.DataFrame, npartitions: int) -> dd.DataFrame:
    """A pandas table as a Dask one, columns of the same types (no conversion to Arrow strings)."""
    import dask

    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_pandas(table, npartitions=npartitions, sort=False)


def _same(got, want) -> None:
    if engine.is_dask(got):
        got = got.compute()
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))


def test_open_corpus_engines(corpus, pandas_articles, dask_articles):
    assert engine.is_dask(dask_articles) and not engine.is_dask(pandas_articles)
    assert dask_articles.npartitions == 3
    _same(dask_articles, pandas_articles)
    with pytest.raises(ParameterError, match="engine must be one of pandas, dask"):
        analysis.open_corpus(corpus, engine="spark")


def test_import_analysis_does_not_import_dask():
    code = (
        "import sys, analysis, pandas as pd\n"
        "counts = analysis.term_counts(pd.DataFrame({'text': ['Talks stall']}), stopwords=None)\n"
        "assert counts['term'].tolist() == ['stall', 'talks'], counts\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=repo_path())


def test_helpers_that_need_no_table_import_no_data_library():
    code = (
        "import sys, analysis\n"
        "assert analysis.tokenize('Talks stall') == ['talks', 'stall']\n"
        "assert 'pandas' not in sys.modules and 'analysis.engine.dask' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=repo_path())


def test_measures_pickle_and_run_on_both_engines(pandas_articles, dask_articles):
    import pickle

    from analysis.measures.keyness import keyness
    from analysis.measures.terms import term_counts

    for measure, options in ((term_counts, {"by": "outlet"}), (keyness, {"by": "outlet"})):
        assert getattr(analysis, measure.__name__) is measure  # written once: no wrapper
        again = pickle.loads(pickle.dumps(measure))
        _same(again(dask_articles, **options), measure(pandas_articles, **options))
    from analysis.plots import plot_trends

    assert analysis.plot_trends is plot_trends


# --------------------------------------------------------------------------- corpus tables


@pytest.mark.parametrize("by", ["outlet", "language", "section"])
def test_corpus_overview(pandas_articles, dask_articles, by):
    want = analysis.corpus_overview(pandas_articles, by=by)
    assert want["duplicates"].sum() > 0  # the sample has copies, counted across partitions
    _same(analysis.corpus_overview(dask_articles, by=by), want)


@pytest.mark.parametrize(
    "column, by", [("date_source", None), ("language", None), ("wire", None), ("wire", "outlet")]
)
def test_tally(pandas_articles, dask_articles, column, by):
    _same(
        analysis.tally(dask_articles, column, by=by), analysis.tally(pandas_articles, column, by=by)
    )


@pytest.mark.parametrize(
    "options", [{"by": "outlet"}, {"by": "language"}, {"freq": "D"}, {"freq": "W"}, {}]
)
def test_n_groups(pandas_articles, dask_articles, options):
    want = analysis.n_groups(pandas_articles, **options)
    assert want >= 1
    assert analysis.n_groups(dask_articles, **options) == want


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"copies": "all"},
        {"date_range": "2022-03-01..2022-03-10"},
        {"outlets": ["harbor city tribune", "Continental Wire Service"], "copies": "unique"},
        {"date_range": "1999"},
    ],
)
def test_select_articles(pandas_articles, dask_articles, options):
    want, want_steps = analysis.select_articles(pandas_articles, **options)
    got, steps = analysis.select_articles(dask_articles, **options)
    assert engine.is_dask(got)
    _same(got, want)
    _same(steps, want_steps)
    assert partitions.row_count(got) == len(want)


def _stories() -> pd.DataFrame:
    """Copies of three stories spread over partitions; canonical copies dated early."""
    rows = [
        ("a1", "A", "2022-03-01", "s1", False),
        ("b1", "B", "2022-03-05", "s1", True),
        ("a2", "A", "2022-03-06", "s2", False),
        ("c1", "C", "2022-03-07", "s1", True),
        ("b2", "B", "2022-03-08", "s2", True),
        ("c3", "C", "2022-02-20", "s3", False),
        ("a3", "A", "2022-03-09", "s3", True),
        ("b3", "B", "2022-03-10", "s3", True),
    ]
    df = pd.DataFrame(rows, columns=["article_id", "outlet", "published", "story_id", "dup"])
    return df.assign(
        published=pd.to_datetime(df["published"], utc=True),
        is_duplicate=df.pop("dup"),
        text="Talks resumed.",
        tags=[["talks"], [], ["war", "talks"], None, ["x"], [], ["y"], ["z"]],  # kept as objects
    )


@pytest.mark.parametrize("date_range", ["", "2022-03-02..2022-03-31", "since 2022-03-07"])
def test_select_articles_keeps_the_pandas_copy_of_each_story(client, date_range):
    """The canonical copy when selected, else the first copy, whatever partition holds it."""
    table = _stories()
    ddf = _lazy(table, 4)
    want, want_steps = analysis.select_articles(table, date_range=date_range)
    got, steps = analysis.select_articles(ddf, date_range=date_range)
    _same(got, want)
    _same(steps, want_steps)
    assert len(set(want["story_id"])) == len(want)


def test_select_articles_without_story_groups(client):
    """A table without story ids is deduplicated with the flags, as by the pandas engine."""
    table = _stories().drop(columns="story_id")
    ddf = _lazy(table, 3)
    _same(analysis.select_articles(ddf)[0], analysis.select_articles(table)[0])


def test_find_duplicates_keeps_object_columns(client):
    table = _stories().drop(columns=["story_id", "is_duplicate"])
    want = analysis.find_duplicates(table)
    assert want["is_duplicate"].sum() == len(table) - 1
    _same(analysis.find_duplicates(_lazy(table, 3)), want)


def test_require_articles(dask_articles):
    assert analysis.require_articles(dask_articles) is dask_articles
    empty, _ = analysis.select_articles(dask_articles, date_range="1999")
    with pytest.raises(selection.NoArticlesError, match="No articles are left in the test"):
        analysis.require_articles(empty, what="the test")


# --------------------------------------------------------------------------- words


def test_term_trends_and_dictionary_rates(selections):
    want_sel, got_sel = selections
    query = ["ceasefire", "talks"]
    for options in ({"freq": "W", "by": None}, {"freq": "D", "by": "outlet"}):
        _same(
            analysis.term_trends(got_sel, query, **options),
            analysis.term_trends(want_sel, query, **options),
        )
    book = {"diplomacy": ["peace talks", "talks", "negotiat*"], "war": ["missile*", "shelling"]}
    for options in ({"by": "outlet"}, {"by": "outlet", "freq": "W"}, {}):
        want = analysis.dictionary_counts(want_sel, book, **options)
        assert want["count"].sum() > 0
        _same(analysis.dictionary_counts(got_sel, book, **options), want)


def test_term_trends_group_with_missing_values(client):
    """A group key missing in one partition only is text on both engines."""
    table = pd.DataFrame(
        {
            "outlet": ["A", "B", None, "A"],
            "published": pd.to_datetime(["2022-03-01"] * 4, utc=True),
            "text": ["Talks began", "No talks", "Talks and talks", "Shelling"],
        }
    )
    ddf = _lazy(table, 2)
    want = analysis.term_trends(table, "talks", freq="M", by="outlet")
    assert "<NA>" in set(want["outlet"])
    _same(analysis.term_trends(ddf, "talks", freq="M", by="outlet"), want)


def test_top_terms_tie_at_the_cut(selections, corpus):
    """Under top=N both engines keep, among terms tied at the cut, the alphabetically first."""
    want_sel, got_sel = selections
    got = analysis.term_counts(got_sel, by="outlet", top=15, cache_dir=corpus)
    full = analysis.term_counts(want_sel, by="outlet")
    ranked = full.sort_values(["outlet", "count", "term"], ascending=[True, False, True])
    _same(got, ranked.groupby("outlet").head(15))
    _same(analysis.term_counts(want_sel, by="outlet", top=15, cache_dir=corpus), got)


# --------------------------------------------------------------------------- tone


@pytest.fixture(scope="module")
def sentences(selections):
    want_sel, got_sel = selections
    want = analysis.add_article_column(
        analysis.sentence_sentiment(want_sel), want_sel, "date_source"
    )
    got = analysis.add_article_column(analysis.sentence_sentiment(got_sel), got_sel, "date_source")
    return want, got


def test_add_article_column(selections, sentences):
    want_sel, got_sel = selections
    want, got = sentences
    assert engine.is_dask(got) and want["date_source"].notna().all()
    _same(got, want)
    # a pandas table takes the column from its own articles in a Dask table, and back
    head = want.drop(columns="date_source").head(7)
    _same(analysis.add_article_column(head, got_sel, "date_source"), want.head(7))
    lazy = _lazy(head, 2)
    _same(analysis.add_article_column(lazy, want_sel, "date_source"), want.head(7))


def test_add_article_column_needs_the_same_partitions(selections, sentences):
    _, got_sel = selections
    _, got = sentences
    with pytest.raises(ParameterError, match="different partitions"):
        analysis.add_article_column(
            got.drop(columns="date_source"), got_sel.repartition(npartitions=1), "date_source"
        )
    # partitions of equal number but other articles: an error, never a wrong column
    other = _lazy(got_sel.compute().iloc[::-1], got_sel.npartitions)
    with pytest.raises(AnalysisError, match="another partition"):
        analysis.add_article_column(got.drop(columns="date_source"), other, "date_source").compute()


def test_tone_by(selections, corpus):
    want_sel, got_sel = selections
    want = analysis.article_sentiment(want_sel, cache_dir=corpus)
    got = analysis.article_sentiment(got_sel, cache_dir=corpus)
    for options in ({"by": "outlet"}, {"by": "outlet", "freq": "W"}, {"by": None, "freq": "D"}):
        _same(analysis.tone_by(got, **options), analysis.tone_by(want, **options))


@pytest.mark.parametrize("exclusive", [False, True])
def test_targeted_tone(sentences, exclusive):
    want, got = sentences
    targets = {"talks": "talks|negotiat*", "Russia": "Russia|Kremlin|Putin"}
    expected = analysis.targeted_tone(want, targets, by="outlet", exclusive=exclusive)
    assert expected["n"].sum() > 5
    _same(analysis.targeted_tone(got, targets, by="outlet", exclusive=exclusive), expected)


@pytest.mark.parametrize(
    "options", [{"top": 2}, {"top": 1, "by": "date_source"}, {"top": 4, "by": None, "min_words": 8}]
)
def test_extreme_sentences(sentences, options):
    want, got = sentences
    _same(analysis.extreme_sentences(got, **options), analysis.extreme_sentences(want, **options))


@pytest.mark.parametrize("n", [1, 2, 3])
def test_extreme_sentences_ties_and_copies_across_partitions(client, n):
    """Tied scores and copies of a sentence in several partitions: same ranks and copy counts."""
    rows = [
        ("A", "a1", "Calm day.", 0.4),
        ("A", "a2", "Good news.", 0.6),
        ("A", "a3", "Good news.", 0.6),
        ("A", "a4", "Fine talks.", 0.4),
        ("B", "b1", "Bad night.", -0.6),
        ("A", "a5", "Good news.", 0.6),
        ("A", "a6", "Fair deal.", 0.4),
        ("B", "b2", "Sad end.", -0.6),
        ("A", "a7", "Calm day.", 0.4),
        ("B", "b3", "Bad night.", -0.6),
        ("A", "a8", "Grim toll.", -0.2),
        ("B", "b4", "Warm hug.", 0.3),
    ]
    table = pd.DataFrame(rows, columns=["outlet", "article_id", "sentence", "compound"])
    ddf = _lazy(table, 4)
    for by in ("outlet", None):
        want = analysis.extreme_sentences(table, by=by, top=n)
        _same(analysis.extreme_sentences(ddf, by=by, top=n), want)
    assert want["n_copies"].max() > 1


# --------------------------------------------------------------------------- quotes


def test_quotes_cached_per_partition(selections, corpus):
    want_sel, got_sel = selections
    want = analysis.cached_by_article(
        analysis.extract_quotes, want_sel, cache_dir=corpus, name="quotes"
    )
    got = analysis.cached_by_article(
        analysis.extract_quotes, got_sel, cache_dir=corpus, name="quotes"
    )
    assert engine.is_dask(got) and len(want) > 20
    _same(got, want)
    cached = sorted((corpus / "dask_cache" / "quotes").glob("*/cache_quotes_*.arrow"))
    assert len(cached) >= got_sel.npartitions  # rows and keys files of each partition
    _same(got, want)  # read back from the cache
    with_section = analysis.add_article_column(got, got_sel, "section")
    want_section = analysis.add_article_column(want, want_sel, "section")
    _same(
        analysis.tally(with_section, "speaker", by="section"),
        analysis.tally(want_section, "speaker", by="section"),
    )
    for options in ({"by": "outlet", "top": 3}, {"by": None, "top": None}):
        _same(analysis.who_is_quoted(got, **options), analysis.who_is_quoted(want, **options))


def test_quotes_of_undated_articles_keep_the_date_type(pandas_articles):
    undated = pandas_articles[pandas_articles["published"].isna()]
    quotes = [analysis.extract_quotes(undated.iloc[[i]]) for i in range(len(undated))]
    assert any(len(q) for q in quotes)
    assert all(q["published"].dtype == pandas_articles["published"].dtype for q in quotes)


# --------------------------------------------------------------------------- the report


def _cell_tables(folder) -> dict[str, str]:
    """HTML tables of each code cell of an executed report notebook, by cell source."""
    nb = nbformat.read(folder / f"{folder.parent.name}.ipynb", as_version=4)
    return {
        cell.source: "".join(
            "".join(o.get("data", {}).get("text/html", "")) for o in cell.get("outputs", [])
        )
        for cell in nb.cells
        if cell.cell_type == "code"
        and not {"parameters", "injected-parameters"} & set(cell.metadata.get("tags", []))
    }


def _same_reports(got, want) -> int:
    """The figures' CSVs and the cells' tables of two runs of a report; returns the tables compared."""
    assert json.loads((got / "run.json").read_text())["status"] == "ok"
    csvs = sorted(p.name for p in (want / "figures").glob("*.csv"))
    assert sorted(p.name for p in (got / "figures").glob("*.csv")) == csvs
    for name in csvs:
        assert (got / "figures" / name).read_bytes() == (want / "figures" / name).read_bytes()
    tables, want_tables = _cell_tables(got), _cell_tables(want)
    load = "everything = analysis.open_corpus(corpus, engine=engine, scheduler=scheduler)"
    assert any(source.startswith(load) for source in tables)
    compared = 0
    for source, html in want_tables.items():
        assert tables[source] == html, source
        compared += bool(html)
    return compared


@pytest.mark.slow
def test_coverage_report_on_dask_equals_pandas(corpus, client, tmp_path):
    """The whole report with --engine dask --scheduler: the same figures' numbers and tables."""
    from analysis.cli import main

    want = reporting.run_report("coverage_report", corpus=corpus, out=tmp_path, name="pandas")
    address = client.scheduler.address
    args = ["report", "--corpus", str(corpus), "--out", str(tmp_path), "--name", "dask"]
    assert main([*args, "--engine", "dask", "--scheduler", address, "--no-progress"]) == 0
    got = tmp_path / "coverage_report" / "dask"
    run = json.loads((got / "run.json").read_text())
    assert run["parameters"]["engine"] == "dask" and run["parameters"]["scheduler"] == address
    assert len(list((want / "figures").glob("*.csv"))) >= 7
    # the corpus tables, selection, keyness, contexts, tone, sources...
    assert _same_reports(got, want) >= 12


@pytest.mark.slow
def test_compare_report_on_dask_equals_pandas(corpus, client, tmp_path):
    want = reporting.run_report("compare", corpus=corpus, out=tmp_path, name="pandas")
    params = {"engine": "dask", "scheduler": client.scheduler.address}
    got = reporting.run_report(
        "compare", corpus=corpus, out=tmp_path, name="dask", parameters=params
    )
    assert len(list((want / "figures").glob("*.csv"))) >= 1
    assert _same_reports(got, want) >= 4  # sizes, keyness, tone, sources


@pytest.mark.parametrize(
    "options",
    [
        {"compare": "outlet"},
        {"compare": "outlet", "a": "harbor city tribune"},
        {"compare": "outlet", "a": "Meridian Daily", "b": "continental wire service"},
        {"compare": "section"},
        {"compare": "period"},
        {"compare": "period", "a": "2022-03-01..2022-03-10", "b": "since 2022-03-08"},
    ],
)
def test_two_groups(pandas_articles, dask_articles, options):
    want = analysis.two_groups(pandas_articles, **options)
    assert want["group"].nunique() == 2
    got = analysis.two_groups(dask_articles, **options)
    assert engine.is_dask(got)
    _same(got, want)


def test_two_groups_needs_two(dask_articles):
    with pytest.raises(selection.NoArticlesError, match="Fewer than two values of 'language'"):
        analysis.two_groups(dask_articles, compare="language")
    with pytest.raises(ParameterError, match="neither 'period' nor a column"):
        analysis.two_groups(dask_articles, compare="colour")


# --------------------------------------------------------------------------- command line


def test_cli_engine_from_the_environment(corpus, client, tmp_path, monkeypatch):
    """--engine dask alone uses the cluster named by the environment variable."""
    from analysis.cli import main

    notebook = tmp_path / "mini.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    params = nbformat.v4.new_code_cell(
        'corpus: str = ""  # corpus\nengine: str = "pandas"  # engine\n'
        'scheduler: str = ""  # scheduler\noutput_dir: str = ""  # figures'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Mini"),
        params,
        nbformat.v4.new_code_cell(
            "import analysis\nfrom analysis.engine import dask as dask_engine, is_dask\n"
            "articles = analysis.open_corpus(corpus, engine=engine, scheduler=scheduler)\n"
            "assert is_dask(articles) == (engine == 'dask')\n"
            "assert len(dask_engine.get_client().scheduler_info()['workers']) == 2\n"
            "analysis.show_table(analysis.tally(articles, 'outlet'))"
        ),
    ]
    nbformat.write(nb, notebook)
    monkeypatch.setenv(dask_engine.SCHEDULER_ENV, client.scheduler.address)
    args = ["report", str(notebook), "--corpus", str(corpus), "--out", str(tmp_path / "r")]
    assert main([*args, "--name", "env", "--engine", "dask", "--no-progress"]) == 0
    run = json.loads((tmp_path / "r" / "mini" / "env" / "run.json").read_text())
    assert run["status"] == "ok" and run["parameters"]["engine"] == "dask"
    assert "scheduler" not in run["parameters"]  # the notebook's default: the environment's


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--engine", "spark"], "invalid choice: 'spark'"),
        (["-p", "engine=spark"], "'engine': 'spark' is not allowed; allowed values: pandas, dask"),
        (["--engine", "dask", "-p", "engine=pandas", "-p", "top=x"], "top"),
    ],
)
def test_cli_bad_engine_is_a_usage_error(corpus, tmp_path, capsys, extra, message):
    from analysis.cli import main

    args = ["report", "--corpus", str(corpus), "--out", str(tmp_path), *extra]
    try:
        code = main(args)
    except SystemExit as exc:  # argparse refuses a value outside the choices
        code = exc.code
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "coverage_report").exists()  # nothing ran


def test_cli_params_lists_engine_and_scheduler(capsys):
    from analysis.cli import main

    assert main(["params", "coverage_report"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert '"pandas"' in lines["engine"] and "dask" in lines["engine"]
    assert '""' in lines["scheduler"] and dask_engine.SCHEDULER_ENV in lines["scheduler"]
