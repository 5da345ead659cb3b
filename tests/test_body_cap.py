"""The body limit: an article body past it is cut before it is cleaned, and said so."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from analysis import ingest, load_articles, load_report
from analysis.cli import main
from analysis.errors import InputError, ParameterError
from analysis.readers.files import MAX_BODY_CHARS, cut_body, max_body_chars

SENTENCE = "Negotiators met again on Tuesday and agreed to keep talking. "
CAP = max_body_chars(0.01)  # 10,485 characters
LONG = SENTENCE * (3 * CAP // len(SENTENCE))  # about three times the limit
SHORT = "Talks resumed in Geneva. Both sides said little afterwards."


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        ("Talks stall.", 30, "Talks stall."),  # within the limit: as it is
        ("Talks stall. Talks resume. Talks end.", 30, "Talks stall. Talks resume."),
        ("Talks stall and talks resume and talks end", 30, "Talks stall and talks resume"),
        ("x" * 50, 30, "x" * 30),  # no boundary at all: at the limit
        ("Talks stall!\nTalks resume? Talks end.", 30, "Talks stall!\nTalks resume?"),
    ],
)
def test_cut_body_cuts_at_a_sentence_end_or_a_space_near_the_limit(text, limit, expected):
    assert cut_body(text, limit) == expected


def test_a_long_body_is_cut_near_the_limit_after_a_whole_sentence():
    cut = cut_body(LONG, CAP)
    assert CAP - len(SENTENCE) <= len(cut) <= CAP
    assert cut.endswith("keep talking.") and LONG.startswith(cut)


def test_the_limit_is_2_mb_unless_the_environment_or_an_argument_says_otherwise(monkeypatch):
    monkeypatch.delenv("MCA_MAX_BODY_MB", raising=False)
    assert max_body_chars() == MAX_BODY_CHARS == 2 * 2**20
    monkeypatch.setenv("MCA_MAX_BODY_MB", "0.5")
    assert max_body_chars() == 2**19
    assert max_body_chars(1) == 2**20  # the argument wins
    monkeypatch.setenv("MCA_MAX_BODY_MB", "lots")
    with pytest.raises(ParameterError, match="MCA_MAX_BODY_MB='lots'"):
        max_body_chars()
    with pytest.raises(ParameterError, match="max_body_mb='-1'"):
        max_body_chars(-1)


def _table(tmp_path, texts):
    path = tmp_path / "tribune.csv"
    rows = {"title": [f"Talks {i}" for i in range(len(texts))], "text": texts}
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_bodies_of_a_table_past_the_limit_are_cut_counted_and_warned_once(
    tmp_path, monkeypatch, caplog
):
    path = _table(tmp_path, [LONG, SHORT, LONG + "Talks end.", LONG])
    monkeypatch.setenv("MCA_MAX_BODY_MB", "0.01")
    with caplog.at_level(logging.WARNING, logger="analysis"):
        articles = load_articles(path, detect_language=False)
    texts = articles.set_index("title")["text"]
    assert texts["Talks 1"] == SHORT  # under the limit: untouched
    for title in ("Talks 0", "Talks 2", "Talks 3"):
        assert len(texts[title]) <= CAP and texts[title].endswith("keep talking.")
    assert (articles.set_index("title")["n_words"]["Talks 0"]) == len(texts["Talks 0"].split())
    report = load_report(articles)
    assert report["bodies_cut"].tolist() == [3]
    assert "3 article bodies longer than 10,485 characters" in report.loc[0, "warnings"]
    said = [r.getMessage() for r in caplog.records if "longer than" in r.getMessage()]
    assert said == [f"{path}: {report.loc[0, 'warnings']}"]  # one warning, naming the file


def test_a_table_within_the_limit_is_read_as_it_is(tmp_path, caplog):
    path = _table(tmp_path, [LONG, SHORT])
    with caplog.at_level(logging.WARNING, logger="analysis"):
        articles = load_articles(path, detect_language=False)
    assert articles["text"].tolist() == [LONG.strip(), SHORT]
    assert load_report(articles)["bodies_cut"].tolist() == [0]
    assert not [r for r in caplog.records if "longer than" in r.getMessage()]


def test_a_page_past_the_limit_is_cut_before_it_is_cleaned(tmp_path, caplog):
    folder = tmp_path / "harbor-city-tribune"
    folder.mkdir()
    page = folder / "talks.txt"
    page.write_text("Talks resume in Geneva\n\n" + LONG.replace(". ", ".\n", 3), encoding="utf-8")
    short = folder / "short.txt"
    short.write_text("Talks stall\n\n" + SHORT + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="analysis"):
        articles = load_articles(folder, max_body_mb=0.01, detect_language=False)
    report = load_report(articles).set_index("path")
    assert report.loc[str(page), "bodies_cut"] == 1
    assert report.loc[str(short), "bodies_cut"] == 0
    texts = articles.set_index("source_path")["text"]
    assert 0 < len(texts[str(page)]) <= CAP
    assert texts[str(short)] == SHORT
    assert any(
        str(page) in r.getMessage() and "longer than" in r.getMessage() for r in caplog.records
    )


def test_an_html_page_past_the_limit_is_cut_once_its_body_is_found(tmp_path):
    page = tmp_path / "talks.html"
    body = f"<article><h1>Talks resume</h1><p>{LONG}</p><p>{SHORT}</p></article>"
    page.write_text(f"<html><head><title>Talks resume</title></head><body>{body}</body></html>")
    articles = load_articles(page, max_body_mb=0.01, detect_language=False)
    assert len(articles.loc[0, "text"]) <= CAP
    assert articles.loc[0, "text"].endswith("keep talking.")
    assert load_report(articles)["bodies_cut"].tolist() == [1]


def test_strict_mode_stops_at_a_body_past_the_limit_naming_the_file(tmp_path, monkeypatch):
    path = _table(tmp_path, [SHORT, LONG])
    with pytest.raises(InputError, match=r"tribune\.csv: 1 article body longer than .*strict"):
        load_articles(path, strict=True, max_body_mb=0.01)
    monkeypatch.setenv("MCA_MAX_BODY_MB", "0.01")
    with pytest.raises(InputError, match=r"tribune\.csv: 1 article body longer than"):
        ingest(path, tmp_path / "corpus", strict=True, duplicates=False)
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "talks.txt").write_text("Talks resume\n\n" + LONG, encoding="utf-8")
    with pytest.raises(InputError, match=r"talks\.txt: 1 article body longer than"):
        load_articles(folder, strict=True)
    assert load_articles(_table(tmp_path, [SHORT]), strict=True)["text"].tolist() == [SHORT]


def test_ingest_counts_the_bodies_cut_per_file_and_in_its_summary(tmp_path, monkeypatch):
    path = _table(tmp_path, [LONG, SHORT, LONG])
    corpus = tmp_path / "corpus"
    monkeypatch.setenv("MCA_MAX_BODY_MB", "0.01")
    summary = ingest(path, corpus, duplicates=False)
    assert summary.bodies_cut == 2 and summary.articles_added == 3
    assert "3 articles added (2 cut to the body limit)" in str(summary)
    assert summary.log[["status", "bodies_cut"]].values.tolist() == [["loaded", 2]]
    assert pd.read_csv(corpus / "ingest_log.csv")["bodies_cut"].tolist() == [2]
    again = ingest(path, corpus, duplicates=False)  # unchanged: the count recorded stays
    assert again.log[["status", "bodies_cut"]].values.tolist() == [["unchanged", 2]]
    assert again.bodies_cut == 0
    monkeypatch.delenv("MCA_MAX_BODY_MB")
    wider = ingest(path, corpus, duplicates=False)  # another limit: the file is read again
    assert wider.log[["status", "bodies_cut"]].values.tolist() == [["loaded", 0]]
    assert wider.articles_total == 3


def test_the_command_line_names_the_file_cut_and_fails_under_strict(tmp_path, monkeypatch, capsys):
    path = _table(tmp_path, [LONG, SHORT])
    monkeypatch.setenv("MCA_MAX_BODY_MB", "0.01")
    args = ["ingest", str(path), "--no-duplicates"]
    assert main([*args, "--corpus", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert f"cut       {path}: 1 article body cut to the body limit" in out
    assert main([*args, "--corpus", str(tmp_path / "b"), "--strict"]) == 1
    err = capsys.readouterr().err
    assert f"error: {path}: 1 article body longer than" in err
