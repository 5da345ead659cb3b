"""Nexis Uni / LexisNexis exports: DOCX, RTF, text and HTML, both layouts, the hard cases.

Every fixture is written here from invented articles, in the layouts Nexis uses.
"""

from __future__ import annotations

import html
import logging

import pandas as pd
import pytest

from analysis import ingest, open_corpus
from analysis.readers import nexis
from analysis.readers.exports import find_reader
from analysis.readers.loaders import load_articles, load_report


def _article(title, outlet, date, fields, body, language="ENGLISH"):
    return dict(title=title, outlet=outlet, date=date, fields=fields, body=body, language=language)


ARTICLES = [
    _article(
        "Harbour reopens after storm",
        "The Coast Ledger",
        "March 4, 2024 Monday 10:30 PM GMT",
        ["Section: NEWS; Pg. 3", "Length: 120 words", "Byline: Ana Ruiz", "Dateline: PORT ELLIS"],
        [
            "The harbour at Port Ellis reopened on Monday after three days of storms.",
            "A sign on the harbour master's door still read:",
            "End of Document",
            "Ferries resumed their crossings in the afternoon, officials said.",
        ],
    ),
    _article(
        "Council approves bridge repairs",
        "Valley Times",
        "March 5, 2024 Tuesday",
        ["Section: LOCAL", "Length: 95 words"],  # no byline
        ["The town council approved repairs to the old stone bridge.", "Work begins in April."],
    ),
    _article(
        "Le port rouvre après la tempête",
        "Le Courrier du Littoral",
        "5 mars 2024 mardi",
        ["Section: RÉGION", "Length: 88 words", "Byline: Claire Martin"],
        [
            "Le port a rouvert mardi après trois jours de tempête.",
            "Body",
            "Les ferries ont repris leurs traversées dans l'après-midi.",
        ],
        language="FRENCH",
    ),
    _article(
        "Fishing fleet counts its losses",
        "The Coast Ledger",
        "March 6, 2024 Wednesday 7:00 AM GMT",
        ["Section: BUSINESS", "Length: 150 words", "Byline: Tom Okafor"],
        ["The storm cost the fishing fleet a week of catches.", "Two boats remain in dry dock."],
    ),
]


def _uni_lines(articles, *, cover=True, labels=None):
    """The text of a Nexis Uni export, one paragraph per line."""
    lab = dict(documents="Documents", body="Body", end="End of Document", load="Load-Date")
    lab.update(labels or {})
    lines = []
    if cover:
        lines += [
            "User Name: = Researcher",
            "Date and Time: = March 10, 2024 9:15 AM GMT",
            "Job Number: = 220011",
            f"{lab['documents']} ({len(articles)})",
        ]
        for i, a in enumerate(articles, 1):
            lines += [
                f"{i}. {a['title']}",
                "Client/Matter: -None-",
                "Search Terms: harbour OR port",
                "Search Type: Terms and Connectors",
                "Narrowed by:",
                "Content Type Narrowed by",
                "News Timeline: Mar 01, 2024 to Mar 31, 2024",
            ]
    for a in articles:
        lines += [a["title"], a["outlet"], a["date"], "Copyright 2024 Invented Media Ltd"]
        lines += [*a["fields"], lab["body"], *a["body"]]
        lines += [
            "Classification",
            f"Language: {a['language']}",
            "Publication-Type: Newspaper",
            "Subject: PORTS (91%); STORMS (78%)",
            f"{lab['load']}: {a['date'].split(' ', 3)[0]} 7, 2024"
            if "," in a["date"]
            else f"{lab['load']}: 7 mars 2024",
            lab["end"],
        ]
    return lines


def _academic_lines(articles, *, skip=()):
    """The older LexisNexis Academic text layout: "N of M DOCUMENTS", upper-case fields."""
    lines = []
    for i, a in enumerate(articles, 1):
        if i in skip:
            continue
        lines += [f"                 {i} of {len(articles)} DOCUMENTS", "", f"   {a['outlet']}", ""]
        lines += [f"   {a['date']}", "   Late Edition - Final", "", a["title"], ""]
        for f in a["fields"]:
            label, value = f.split(": ", 1)
            lines += [f"{label.upper()}: {value}", ""]
        for p in a["body"]:
            lines += [p, ""]
        lines += ["LOAD-DATE: March 8, 2024", "", "LANGUAGE: ENGLISH", ""]
        lines += ["PUBLICATION-TYPE: Newspaper", "", "    Copyright 2024 Invented Media Ltd", ""]
    return lines


def _write_docx(path, lines):
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    toc = [i for i, line in enumerate(lines) if line[:2].rstrip(".").isdigit() and ". " in line]
    table_rows = set(range(toc[0], toc[-1] + 7)) if toc else set()
    table = None
    for i, line in enumerate(lines):
        if i in table_rows:  # the contents list as a table, as Word exports often have it
            table = table or doc.add_table(rows=0, cols=1)
            table.add_row().cells[0].text = line
        else:
            doc.add_paragraph(line)
            if line == "End of Document":
                doc.add_page_break()
    doc.save(path)
    return path


def _rtf_escape(line: str) -> str:
    out = []
    for ch in line:
        if ch in "\\{}":
            out.append("\\" + ch)
        elif ord(ch) < 128:
            out.append(ch)
        else:
            try:
                out.append(f"\\'{ch.encode('cp1252')[0]:02x}")
            except UnicodeEncodeError:
                out.append(f"\\u{ord(ch)}?")
    return "".join(out)


def _write_rtf(path, lines):
    head = (
        "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\froman Times New Roman;}}\n\\f0\\fs24 "
    )
    body = "".join(_rtf_escape(line) + "\\par\n" for line in lines)
    path.write_bytes((head + body + "}").encode("ascii"))
    return path


def _write_html(path, lines):
    paras = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines)
    path.write_text(f"<html><head><title>Nexis</title></head><body>{paras}</body></html>", "utf-8")
    return path


def _write_txt(path, lines, encoding="utf-8"):
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


WRITERS = {"docx": _write_docx, "rtf": _write_rtf, "html": _write_html, "txt": _write_txt}


def _check_complete(df, articles):
    assert len(df) == len(articles)
    for col in ("title", "text", "outlet"):
        assert df[col].fillna("").str.strip().ne("").all(), col
    assert df["published"].notna().all()
    assert df["title"].tolist() == [a["title"] for a in articles]
    assert df["outlet"].tolist() == [a["outlet"] for a in articles]


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_every_nexis_uni_format_gives_every_article(tmp_path, kind):
    path = WRITERS[kind](tmp_path / f"nexis.{kind}", _uni_lines(ARTICLES))
    assert find_reader(path) is nexis
    export = nexis.read(path)
    assert export.declared == 4 and export.positions_missing == []
    df = export.articles
    _check_complete(df, ARTICLES)
    first = df.iloc[0]
    assert first["byline"] == "Ana Ruiz" and first["dateline"] == "PORT ELLIS"
    assert first["section"] == "NEWS; Pg. 3" and first["length_words"] == 120
    assert first["language"] == "en" and str(first["load_date"].date()) == "2024-03-07"
    assert first["published"] == pd.Timestamp("2024-03-04 22:30", tz="UTC")
    # a body line that reads like the separator neither splits nor shortens the article
    assert first["text"].split("\n")[2:] == ARTICLES[0]["body"][2:]
    assert pd.isna(df.loc[1, "byline"])
    assert str(df.loc[2, "published"].date()) == "2024-03-05"
    assert df.loc[2, "language"] == "fr"
    assert df.loc[2, "text"].split("\n") == ARTICLES[2]["body"]
    assert "Copyright" not in " ".join(df["text"]) and "Classification" not in " ".join(df["text"])


def test_windows_1252_rtf_keeps_its_accents(tmp_path):
    path = _write_rtf(tmp_path / "nexis.rtf", _uni_lines(ARTICLES))
    assert b"\\'e8s la temp\\'eate" in path.read_bytes()  # written as cp1252 escapes
    df = nexis.read(path).articles
    assert df.loc[2, "title"] == "Le port rouvre après la tempête"


def test_an_export_without_cover_page_is_read_whole(tmp_path):
    path = _write_docx(tmp_path / "plain.docx", _uni_lines(ARTICLES, cover=False))
    export = nexis.read(path)
    assert export.declared is None
    _check_complete(export.articles, ARTICLES)


def test_german_interface_labels_and_dates(tmp_path):
    german = [
        dict(
            a,
            date="Dienstag 5. März 2024",
            fields=[
                f.replace("Length:", "Länge:").replace("Section:", "Rubrik:") for f in a["fields"]
            ],
        )
        for a in ARTICLES[:2]
    ]
    german[0]["fields"] = [f.replace("words", "Wörter") for f in german[0]["fields"]]
    labels = dict(documents="Dokumente", end="Ende des Dokuments", load="Ladedatum")
    path = _write_txt(tmp_path / "export.txt", _uni_lines(german, labels=labels))
    assert find_reader(path) is nexis
    export = nexis.read(path)
    assert export.declared == 2
    df = export.articles
    _check_complete(df, german)
    assert df.loc[0, "section"] == "NEWS; Pg. 3" and df.loc[0, "length_words"] == 120
    assert str(df.loc[0, "published"].date()) == "2024-03-05"


def test_a_truncated_export_names_the_missing_positions(tmp_path, caplog):
    lines = _uni_lines(ARTICLES)
    cut = lines.index(ARTICLES[2]["body"][0]) + 1  # mid-way through the third article
    path = _write_docx(tmp_path / "cut.docx", lines[:cut])
    with caplog.at_level(logging.WARNING):
        df = load_articles(path)
    assert df["title"].tolist() == [a["title"] for a in ARTICLES[:2]]
    rep = load_report(df).iloc[0]
    assert (rep["format"], rep["declared"], rep["parsed"], rep["missing"]) == (
        "nexis",
        4,
        2,
        "3, 4",
    )
    assert (
        "cut.docx" in caplog.text
        and "declares 4 articles, 2 parsed; missing positions 3, 4" in caplog.text
    )


def test_older_academic_layout(tmp_path):
    path = _write_txt(tmp_path / "academic.txt", _academic_lines(ARTICLES), encoding="cp1252")
    assert find_reader(path) is nexis
    export = nexis.read(path)
    assert export.declared == 4 and export.positions_missing == []
    df = export.articles
    _check_complete(df, ARTICLES)
    assert df.loc[0, "byline"] == "Ana Ruiz" and df.loc[0, "length_words"] == 120
    assert df.loc[0, "text"].split("\n") == ARTICLES[0]["body"]
    assert df.loc[2, "text"].split("\n") == ARTICLES[2]["body"]
    assert str(df.loc[2, "load_date"].date()) == "2024-03-08"


def test_academic_layout_with_a_body_label_and_a_headline_field(tmp_path):
    lines = _academic_lines(ARTICLES[:2])
    at = lines.index(ARTICLES[0]["body"][0])
    lines[at:at] = ["BODY:", ""]
    title = lines.index(ARTICLES[1]["title"])
    lines[title] = "HEADLINE: " + ARTICLES[1]["title"]
    lines[title - 2] = ""  # no edition line: the headline comes as a field
    df = nexis.read(_write_txt(tmp_path / "uk.txt", lines)).articles
    _check_complete(df, ARTICLES[:2])
    assert df.loc[0, "text"].split("\n") == ARTICLES[0]["body"]


def test_academic_layout_with_a_lost_article(tmp_path):
    path = _write_txt(tmp_path / "academic.txt", _academic_lines(ARTICLES, skip={2}))
    export = nexis.read(path)
    assert (export.declared, len(export.articles), export.positions_missing) == (4, 3, [2])


def test_a_page_dump_is_not_a_nexis_export(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(
        "Harbour reopens\n\nMarch 4, 2024\n\nThe harbour reopened. Length: long.\n", "utf-8"
    )
    assert find_reader(page) is None


def test_overlapping_nexis_downloads_share_story_ids(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    _write_docx(src / "march-1-5.docx", _uni_lines(ARTICLES[:3]))
    _write_rtf(src / "march-4-6.rtf", _uni_lines(ARTICLES[1:]))
    pd.DataFrame(
        {"title": ["Lighthouse keeper retires"], "text": ["After forty years the keeper retired."]}
    ).to_csv(src / "extra.csv", index=False)
    ingest([src], tmp_path / "corpus")
    df = open_corpus(tmp_path / "corpus")
    assert len(df) == 7
    nexis_rows = df[df["title"] != "Lighthouse keeper retires"]
    assert (nexis_rows.groupby("title")["story_id"].nunique() == 1).all()
    assert nexis_rows.groupby("title").size().to_dict() == {
        a["title"]: (2 if a in ARTICLES[1:3] else 1) for a in ARTICLES
    }
    assert nexis_rows["length_words"].notna().all()
    log = pd.read_csv(tmp_path / "corpus" / "ingest_log.csv", keep_default_na=False)
    log = log.assign(file=log["path"].str.rsplit("/", n=1).str[-1]).set_index("file")
    assert log.loc["march-1-5.docx", ["declared", "parsed"]].astype(str).tolist() == ["3", "3"]
    assert log.loc["extra.csv", "declared"] == ""


def test_an_unchanged_export_keeps_its_audit_in_the_next_log(tmp_path):
    lines = _uni_lines(ARTICLES)
    _write_docx(tmp_path / "cut.docx", lines[: lines.index(ARTICLES[3]["body"][0])])
    ingest([tmp_path / "cut.docx"], tmp_path / "c")
    ingest([tmp_path / "cut.docx"], tmp_path / "c")
    log = pd.read_csv(tmp_path / "c" / "ingest_log.csv", keep_default_na=False).iloc[0]
    got = log[["status", "declared", "parsed", "missing"]].astype(str).tolist()
    assert got == ["unchanged", "4", "3", "4"]


def test_ingest_command_prints_each_export_audit(tmp_path, capsys):
    from analysis.cli import main

    lines = _uni_lines(ARTICLES)
    cut = lines.index(ARTICLES[3]["body"][0])
    _write_docx(tmp_path / "cut.docx", lines[:cut])
    assert main(["ingest", str(tmp_path / "cut.docx"), "--corpus", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "cut.docx: 3 articles parsed of 4 declared; missing position 4" in out


@pytest.mark.parametrize(
    "line, want",
    [
        ("March 4, 2024 Monday 10:30 PM GMT", "2024-03-04 22:30"),
        ("March 4, 2024 Monday, Main Edition", "2024-03-04 00:00"),
        ("Tuesday, March 5, 2024", "2024-03-05 00:00"),
        ("Mittwoch, 6. März 2024, Ausgabe Berlin", "2024-03-06 00:00"),
        ("5 de marzo de 2024 martes", "2024-03-05 00:00"),
        ("mercredi 6 mars 2024", "2024-03-06 00:00"),
        ("March 2024", "2024-03-01 00:00"),
        ("Election of March 4, 2024", None),
        ("March 4, 2024: markets fall", None),
    ],
)
def test_date_lines(line, want):
    from analysis.readers.dates import date_line

    got = date_line(line)
    assert (got.strftime("%Y-%m-%d %H:%M") if got is not None else None) == want


def test_an_unread_date_line_keeps_title_and_publication(tmp_path):
    seasonal = [ARTICLES[3], dict(ARTICLES[1], date="Spring 2024 Edition Two"), ARTICLES[0]]
    path = _write_txt(tmp_path / "quarterly.txt", _uni_lines(seasonal))
    df = nexis.read(path).articles
    assert df["title"].tolist() == [a["title"] for a in seasonal]
    assert df["outlet"].tolist() == [a["outlet"] for a in seasonal]
    assert pd.isna(df.loc[1, "published"]) and df.loc[0, "published"].day == 6


def test_a_cut_off_word_download_is_reported_as_damaged(tmp_path):
    whole = _write_docx(tmp_path / "whole.docx", _uni_lines(ARTICLES)).read_bytes()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "cut.docx").write_bytes(whole[: len(whole) // 2])
    _write_txt(tmp_path / "in" / "fine.txt", _uni_lines(ARTICLES[:1]))
    rep = load_report(load_articles(tmp_path / "in")).set_index("format")
    assert rep.loc["docx", "status"] == "failed"
    assert rep.loc["docx", "reason"].startswith("not a readable Word document")
    assert rep.loc["nexis", "rows"] == 1


def _with_line(article, line):
    """The article with ``line`` as a body paragraph between its first and second."""
    return dict(article, body=[article["body"][0], line, *article["body"][1:]])


@pytest.mark.parametrize("layout", ["uni", "academic"])
@pytest.mark.parametrize(
    "line",
    ["1 of 3 DOCUMENTS", "Documents (3)", "Language: ENGLISH", "Load-Date: March 9, 2024"]
    + ["Classification", "Length: 5 words", "Copyright notice was shown"],
)
def test_a_body_line_that_reads_like_a_marker_stays_in_the_body(tmp_path, layout, line):
    articles = [_with_line(ARTICLES[1], line), ARTICLES[0]]
    write = _uni_lines if layout == "uni" else _academic_lines
    lines = write(articles, cover=False) if layout == "uni" else write(articles)
    export = nexis.read(_write_txt(tmp_path / "export.txt", lines))
    _check_complete(export.articles, articles)
    assert export.articles.loc[0, "text"].split("\n") == articles[0]["body"]
    assert export.declared == (None if layout == "uni" else 2)


def test_a_single_older_article_quoting_a_document_count(tmp_path):
    article = _with_line(ARTICLES[1], "1 of 3 DOCUMENTS")
    export = nexis.read(_write_txt(tmp_path / "one.txt", _academic_lines([article])))
    assert export.declared == 1 and len(export.articles) == 1
    assert export.articles.loc[0, "text"].split("\n") == article["body"]


MARKER_LINES = [
    "End of Document",
    "Body",
    "Length: 5 words",
    "Load-Date: March 9, 2024",
    "Classification",
    "Language: ENGLISH",
    "March 4, 2024 Monday",
    "Byline: someone said",
    "1 of 3 documents",
    "Documents (3)",
]


def _generated_export(rng):
    """Invented articles in a random layout, with marker-like lines inside some bodies."""
    words = "harbour council storm ferry bridge minister said talks port repair fleet".split()
    articles = []
    for i in range(rng.randint(1, 6)):
        body = [" ".join(rng.choices(words, k=rng.randint(5, 12))) + "." for _ in range(3)]
        if rng.random() < 0.6:
            body.insert(rng.randint(1, 2), rng.choice(MARKER_LINES))
        byline = ["Byline: Ana Ruiz"] if rng.random() < 0.7 else []
        date = rng.choice([a["date"] for a in ARTICLES] + ["Dienstag 5. März 2024"])
        title = f"Story {i} on the {rng.choice(words)}"
        fields = ["Section: NEWS", f"Length: {rng.randint(50, 900)} words", *byline]
        articles.append(
            _article(title, rng.choice(["Coast Ledger", "Valley Times"]), date, fields, body)
        )
    if rng.random() < 0.5:
        return articles, _academic_lines(articles)
    return articles, _uni_lines(articles, cover=rng.random() < 0.7)


def test_generated_exports_come_out_exact(tmp_path):
    import random

    rng = random.Random(7)
    for n in range(40):
        articles, lines = _generated_export(rng)
        write = _write_rtf if n % 2 else _write_txt
        df = nexis.read(write(tmp_path / f"g{n}.{'rtf' if n % 2 else 'txt'}", lines)).articles
        _check_complete(df, articles)
        assert df["text"].str.split("\n").tolist() == [a["body"] for a in articles], n
