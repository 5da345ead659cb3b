"""Report parameters checked before a run: choices, columns, periods, outlets and groups."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest
from test_reporting import write_notebook

from analysis import cli
from analysis.errors import ParameterError
from analysis.report import params
from analysis.report import run as reporting


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    """Three outlets of our own, a ``section`` column left empty."""
    from analysis import ingest

    folder = tmp_path_factory.mktemp("small")
    rows = [
        ("The Northern Ledger", "Talks resume", "Delegates met again on Monday.", "2022-03-01"),
        ("The Northern Ledger", "Grain deal", "Ships left the port at dawn.", "2022-03-09"),
        ("Harbor Post", "Ceasefire holds", "The truce held for a second night.", "2022-03-02"),
        ("Meridian Daily", "Port reopens", "Cranes moved again on the quay.", "2022-03-03"),
    ]
    table = pd.DataFrame(rows, columns=["outlet", "title", "text", "published"])
    table.to_csv(folder / "articles.csv", index=False)
    ingest([folder / "articles.csv"], folder / "corpus", progress=False)
    return folder / "corpus"


def small_notebook(path: Path) -> Path:
    """A notebook declaring the shared parameters, which only prints them."""
    return write_notebook(
        path,
        'corpus: str = ""  # corpus folder\n'
        "outlets: list[str] = []  # outlets to keep\n"
        'group_by: str = "outlet"  # column compared\n'
        'period: str = "W"  # time bucket\n'
        'compare: str = "outlet"  # column or "period"\n'
        'group_a: str = ""  # first group\n'
        'output_dir: str = ""  # figures folder',
        "print('outlets read:', outlets)",
    )


def test_shared_parameters_take_their_choices_from_the_code():
    spec = {p.name: p for p in params.read_parameters("coverage_report")}
    assert spec["copies"].choices == ("unique", "all")
    assert spec["sentiment_engine"].choices == ("vader", "nltk")
    assert spec["period"].choices == ("D", "W", "M")
    assert spec["engine"].choices == ("pandas", "dask")
    assert spec["title"].choices == ()  # a free text stays free


@pytest.mark.parametrize(
    "notebook, args, message",
    [
        (
            "coverage_report",
            ["copies=some"],
            "'copies': 'some' is not allowed; allowed values: unique, all",
        ),
        ("coverage_report", ["period=Q"], "'period': 'Q' is not allowed"),
        ("coverage_report", ["period=QE"], "pandas reads it as 'QE-DEC'"),
        ("coverage_report", ["sentiment_engine=textblob"], "allowed values: vader, nltk"),
        ("coverage_report", ["group_by=nonexistent_col"], "'nonexistent_col' is not a column"),
        ("coverage_report", ["group_by=secton"], "did you mean 'section'"),
        ("coverage_report", ["group_by=section"], "'section' has no values in this corpus"),
        ("coverage_report", ["outlets=guardian,nyt"], "'guardian' matches no outlet; 'nyt'"),
        ("coverage_report", ["outlets=ledger"], "did you mean 'The Northern Ledger'"),
        ("coverage_report", ["top=0"], "'top': 0 is not allowed; allowed values: 1 or more"),
        ("explore", ["rows=-2"], "'rows': -2 is not allowed"),
        ("coverage_report", ["dictionary=nofile.yaml"], "'dictionary': nofile.yaml: no such"),
        (
            "coverage_report",
            ["outlets=hp,the ledger"],
            "'hp' matches no outlet (did you mean 'Harbor Post'?)",
        ),
        ("compare", ["group_a=nyt"], "'group_a': 'nyt' is no value of 'outlet'"),
        ("compare", ["compare=wire", "group_b=x"], "'compare': 'wire' has no values"),
        ("compare", ["compare=period", "group_a=someday"], "'group_a' (compare='period')"),
    ],
)
def test_bad_values_stop_the_command_before_the_notebook_runs(
    small_corpus, tmp_path, capsys, notebook, args, message
):
    pairs = [word for pair in args for word in ("-p", pair)]
    out = tmp_path / "reports"
    code = cli.main(["report", notebook, "--corpus", str(small_corpus), "--out", str(out), *pairs])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()  # no notebook ran, not even a failed one


def test_bad_values_raise_parameter_error_from_python(small_corpus, tmp_path):
    with pytest.raises(ParameterError, match="allowed values: D, W, M"):
        reporting.run_report(
            "coverage_report", corpus=small_corpus, out=tmp_path, parameters={"period": "Y"}
        )
    with pytest.raises(ParameterError, match="Harbor Post, Meridian Daily, The Northern Ledger"):
        reporting.run_report(
            "coverage_report", corpus=small_corpus, out=tmp_path, parameters={"outlets": ["nyt"]}
        )


def test_outlets_matching_in_part_run_with_a_warning(small_corpus, tmp_path, caplog, capsys):
    book = small_notebook(tmp_path / "small.ipynb")
    with caplog.at_level(logging.WARNING):
        folder = reporting.run_report(
            book,
            corpus=small_corpus,
            out=tmp_path / "reports",
            name="partly",
            parameters={"outlets": "harbor post,nyt"},
        )
    note = "outlets: 'nyt' matches no outlet; the report reads harbor post only"
    assert note in caplog.text
    run = json.loads((folder / "run.json").read_text())
    assert run["status"] == "ok" and run["warnings"] == [note]
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "&#39;nyt&#39; matches no outlet" in page


def test_good_values_pass(small_corpus):
    values = {"group_by": "Outlet".lower(), "outlets": ["meridian daily"], "compare": "outlet"}
    values |= {"group_a": "harbor post", "group_b": "The Northern Ledger"}
    assert params.check_against_corpus(values, small_corpus) == []
    assert (
        params.check_against_corpus({"compare": "period", "group_a": "2022-03"}, small_corpus) == []
    )


def test_the_command_prints_where_the_report_went_when_output_is_captured(
    small_corpus, tmp_path, capsys
):
    book = small_notebook(tmp_path / "small.ipynb")
    out = tmp_path / "reports"
    args = ["report", str(book), "--corpus", str(small_corpus), "--out", str(out), "--name", "n"]
    assert cli.main(args) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[-1] == str(out / "small" / "n" / "report.html")
    assert Path(printed[-1]).is_file()


def test_former_parameter_name_top_n_still_works_with_a_warning(caplog):
    """The notebooks call the limit ``top`` like every measure; ``top_n`` maps to it and warns."""
    with caplog.at_level(logging.WARNING, logger="analysis.report.params"):
        typed, _ = params.validate_parameters("coverage_report", {"top_n": "7"})
    assert typed == {"top": 7}
    assert "'top_n' is now called 'top'" in caplog.text
    with pytest.raises(ParameterError, match="not 'top_n' as well"):
        params.validate_parameters("coverage_report", {"top_n": "7", "top": "5"})
    names = [p.name for p in params.read_parameters("coverage_report")]
    assert "top" in names and "top_n" not in names


def test_a_query_that_cannot_be_read_stops_the_command_with_its_column(
    small_corpus, tmp_path, capsys
):
    book = write_notebook(
        tmp_path / "story.ipynb",
        'corpus: str = ""  # corpus folder\nquery: str = ""  # the story, as a query',
        "print(query)",
    )
    out = tmp_path / "reports"
    args = ["report", str(book), "--corpus", str(small_corpus), "--out", str(out)]
    assert cli.main([*args, "-p", "query=(ceasefire OR truce) AND"]) == 2
    err = capsys.readouterr().err
    assert "query: expected a term after AND at column 25" in err and "Traceback" not in err
    assert not out.exists()
    with pytest.raises(ParameterError, match="never closed"):
        params.validate_parameters(book, {"query": '"peace talks'})
    typed, _ = params.validate_parameters(book, {"query": '"peace talks"~3 OR truce'})
    assert typed["query"] == '"peace talks"~3 OR truce'
