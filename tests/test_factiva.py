"""Factiva exports: every display and file kind, and the hard cases of real downloads."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.readers import factiva
from analysis.readers.exports import head_text

FIXTURES = Path(__file__).parent / "fixtures" / "exports" / "factiva"
AN = re.compile(r"^[A-Z0-9]{6,12}20\d{6}[a-z0-9]{5,10}$")

#: file -> (articles it holds, the count it declares)
FILES = {
    "indexed.txt": (3, 3),  # field codes; search summary and numbered contents first
    "full.rtf": (2, None),  # full-article display, Windows-1252 RTF
    "table.html": (2, None),  # indexing fields as table rows
    "full_de.html": (2, None),  # full-article display, German interface
    "articles.xml": (2, 2),  # Factiva's XML, its result set counted
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_article_of_every_file_is_read_whole(name):
    path = FIXTURES / name
    assert factiva.detect(head_text(path), path.suffix)
    export = factiva.read(path)
    parsed, declared = FILES[name]
    articles = export.articles
    assert len(articles) == parsed
    assert export.declared == declared
    assert export.positions_missing == []
    assert export.audit() == ""
    for column in ("title", "text", "outlet"):
        assert articles[column].fillna("").str.strip().str.len().gt(0).all(), column
    assert articles["published"].notna().all()
    assert articles["accession"].str.match(AN).all()
    assert articles["accession"].is_unique
    assert articles["source_row"].tolist() == list(range(parsed))


def test_indexed_display_keeps_fields_codes_and_body_lines_that_look_like_codes():
    articles = factiva.read(FIXTURES / "indexed.txt").articles
    first = articles.iloc[0]
    assert first[["title", "byline", "outlet", "source_code"]].tolist() == [
        "Harbour workers walk out over night shifts",
        "Marta Quill",
        "The Northern Ledger",
        "NTHLDG",
    ]
    assert first["length_words"] == 1204
    assert (first["edition"], first["page"]) == ("Final", "4")
    assert first["publisher"] == "Northern Ledger Media Ltd."
    assert first["accession"] == "NTHLDG0020220312ei3c0001a"
    assert first["subjects"] == "glabor : Labour/Personnel | gcat : Political/General News"
    assert first["regions"] == "uk : United Kingdom | eurz : Europe"
    assert first["companies"] == "nthprt : Northern Port Authority"
    # the lead paragraph comes first, then the text, every line of it
    paragraphs = first["text"].split("\n\n")
    assert paragraphs[0].startswith("Dock workers at the eastern harbour")
    assert paragraphs[1].startswith("The union said")
    for line in ("TD", "HD", "Document shows the rota", "IPC president Anna Berg"):
        assert any(p.startswith(line) for p in paragraphs), line
    assert paragraphs[-1].endswith("said the branch secretary, Joe Amsel.")
    # nothing of the search summary, the contents or the page footers
    everything = " ".join(articles["text"]) + " ".join(articles["title"])
    assert "Results Found" not in everything and "Factiva, Inc" not in everything
    assert "Page 1 of 3" not in everything


def test_missing_byline_and_dates_in_other_languages():
    articles = factiva.read(FIXTURES / "indexed.txt").articles
    assert pd.isna(articles.loc[1, "byline"])
    assert articles["published"].dt.strftime("%Y-%m-%d").tolist() == [
        "2022-03-12",
        "2022-03-12",  # "12. März 2022"
        "2022-03-01",  # "1er mars 2022"
    ]
    assert articles["language"].tolist() == ["en", "de", "fr"]
    assert articles.loc[2, "byline"] == "Claire Dumont"


def test_windows_1252_rtf_in_the_full_article_display():
    articles = factiva.read(FIXTURES / "full.rtf").articles
    first = articles.iloc[0]
    assert first["title"] == "Café owners near the harbour count the cost"
    assert first["byline"] == "Tomás Reyes"
    assert first["copyright"] == "© 2022 Northern Ledger Media Ltd."
    assert (first["outlet"], first["source_code"], first["language"]) == (
        "The Northern Ledger",
        "NTHLDG",
        "en",
    )
    paragraphs = first["text"].split("\n\n")
    assert paragraphs[0].startswith("Owners of the cafés")
    # a body line that starts like the separator, and one that is only its first word
    assert paragraphs[1].startswith("Document checks at the gate")
    assert paragraphs[2] == "Document"
    assert paragraphs[3] == "“We sell coffee to dockers,” said Renée Hart. “No dockers, no coffee.”"
    second = articles.iloc[1]
    assert pd.isna(second["byline"]) and second["title"] == "Strike talks adjourned"
    assert second["text"].startswith("Talks between the port authority")


def test_html_displays_in_english_and_german():
    table = factiva.read(FIXTURES / "table.html").articles
    assert table.loc[0, "byline"] == "Ines Varga"
    assert table.loc[0, "text"].split("\n\n") == [
        "Ferry crews voted on Wednesday to join the dock workers' strike.",
        "The vote was carried by 212 to 40.",
        "TD",
        "Services to the islands will stop from Monday.",
    ]
    assert "Results Found" not in " ".join(table["title"])
    german = factiva.read(FIXTURES / "full_de.html").articles
    assert german["title"].tolist() == ["Streik im Hafen geht weiter", "Hafenverwaltung lenkt ein"]
    assert german["byline"].tolist()[0] == "Jana Roth"
    assert german["published"].dt.day.tolist() == [18, 21]
    assert german["length_words"].tolist() == [688, 203]
    assert german.loc[0, "text"].split("\n\n")[1] == "Dokument"


def test_xml_fields_codes_and_time():
    articles = factiva.read(FIXTURES / "articles.xml").articles
    first = articles.iloc[0]
    assert first[["title", "byline", "outlet", "source_code", "publisher"]].tolist() == [
        "Port reopens after strike deal",
        "Sam Okafor",
        "Harbour Daily",
        "HRBDLY",
        "Harbour Daily Ltd",
    ]
    assert first["published"] == pd.Timestamp("2022-03-19 05:10", tz="UTC")
    assert first["text"].split("\n\n") == [
        "The port reopened on Saturday morning after the union accepted a new rota.",
        "The first ship left at six.",
        "Crane operators will work ten-hour shifts.",
    ]
    assert first["regions"] == "uk : United Kingdom | eurz : Europe"
    assert first["subjects"] == "glabor : Labour/Personnel"
    assert articles["language"].tolist() == ["en", "es"]
    assert articles.loc[1, "published"] == pd.Timestamp("2022-03-19", tz="UTC")


def _cut(text: str, marker: str) -> str:
    return text[: text.index(marker)]


def test_file_cut_off_inside_an_article_declares_it_missing(tmp_path):
    whole = (FIXTURES / "indexed.txt").read_text(encoding="utf-8")
    cut = _cut(whole, "Le syndicat a obtenu")  # inside the third article's body
    export = factiva.parse_factiva_text(cut)
    assert len(export.articles) == 2
    assert (export.declared, export.positions_missing) == (3, [3])
    assert export.audit() == "declares 3 articles, 2 parsed; missing position 3"
    # without the contents page the file declares nothing, but the cut article is counted
    bare = cut[cut.index("HD\tHarbour") :]
    export = factiva.parse_factiva_text(bare)
    assert (len(export.articles), export.declared, export.positions_missing) == (2, 3, [3])


def test_contents_name_the_article_that_was_not_read():
    whole = (FIXTURES / "indexed.txt").read_text(encoding="utf-8")
    # the second article loses its headline and body: only its codes are left
    start = whole.index("HD\tHafenarbeiter")
    end = whole.index("NS\tglabor : Labour/Personnel\nRE\tgfr")
    export = factiva.parse_factiva_text(whole[:start] + whole[end:])
    assert export.articles["title"].tolist() == [
        "Harbour workers walk out over night shifts",
        "Les dockers suspendent la grève",
    ]
    assert (export.declared, export.positions_missing) == (3, [2])


def test_complete_file_without_contents_declares_nothing():
    whole = (FIXTURES / "indexed.txt").read_text(encoding="utf-8")
    export = factiva.parse_factiva_text(whole[whole.index("HD\tHarbour") :])
    assert (len(export.articles), export.declared, export.positions_missing) == (3, None, [])


def test_xml_without_its_declaration_is_told_by_its_elements():
    whole = (FIXTURES / "articles.xml").read_text(encoding="utf-8")
    bare = whole[whole.index("<PPSResponse>") :]
    assert factiva.detect(bare, ".xml")
    assert len(factiva.parse_factiva_xml(bare).articles) == 2


def test_xml_cut_off_inside_an_article(tmp_path):
    whole = (FIXTURES / "articles.xml").read_text(encoding="utf-8")
    export = factiva.parse_factiva_xml(_cut(whole, "<paragraph>El puerto volvió"))
    assert export.articles["accession"].tolist() == ["HRBDLY0020220319ei3j00005"]
    assert (export.declared, export.positions_missing) == (2, [2])


@pytest.mark.parametrize(
    "head, suffix",
    [
        ("Talks resume\nBy Ana Ruiz\nKYIV - Talks resumed on Tuesday, officials said.\n", ".txt"),
        (
            "Documents (2)\n1. Talks resume\nThe Daily Example\nMarch 12, 2022\nEnd of Document\n",
            ".txt",
        ),
        ("<html><body><p>Document 12 of the inquiry was published.</p></body></html>", ".html"),
        (
            "<?xml version='1.0'?><rss><channel><item><title>x</title></item></channel></rss>",
            ".xml",
        ),
    ],
)
def test_other_files_are_not_taken_for_factiva(head, suffix):
    assert not factiva.detect(head, suffix)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("12 March 2022", "2022-03-12"),
        ("March 12, 2022", "2022-03-12"),
        ("12 mars 2022", "2022-03-12"),
        ("12. März 2022", "2022-03-12"),
        ("12 de marzo de 2022", "2022-03-12"),
        ("12 marzo 2022", "2022-03-12"),
        ("12 марта 2022", "2022-03-12"),
        ("2022年3月12日", "2022-03-12"),
        ("2022-03-12", "2022-03-12"),
        ("31 February 2022", None),
        ("The port reopens", None),
        ("", None),
    ],
)
def test_dates_in_interface_languages(value, expected):
    got = factiva.parse_date(value)
    assert (got.strftime("%Y-%m-%d") if got is not None else None) == expected


def test_exports_load_with_their_outlets_and_audit(tmp_path, caplog):
    import logging
    import shutil

    from analysis.readers.loaders import load_articles, load_report

    folder = tmp_path / "downloads"
    shutil.copytree(FIXTURES, folder)
    whole = (FIXTURES / "indexed.txt").read_text(encoding="utf-8")
    (folder / "cut.txt").write_text(_cut(whole, "Le syndicat a obtenu"), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        df = load_articles(folder)
    report = load_report(df).assign(file=lambda r: r["path"].map(lambda p: Path(p).name))
    report = report.set_index("file")
    assert (report["format"] == "factiva").all()
    assert report.loc["cut.txt", ["declared", "parsed", "missing"]].tolist() == [3, 2, "3"]
    assert "missing position 3" in report.loc["cut.txt", "warnings"]
    assert "cut.txt" in caplog.text
    assert report.loc["indexed.txt", ["declared", "parsed", "missing"]].tolist() == [3, 3, ""]
    assert report["rows"].sum() == len(df) == sum(n for n, _ in FILES.values()) + 2
    assert "Rheinische Hafenzeitung" in set(df["outlet"])
    assert (df["date_source"] == "export").all()
    assert df["accession"].notna().all()


def test_overlapping_downloads_are_one_story(tmp_path):
    from analysis import ingest, open_corpus

    whole = (FIXTURES / "indexed.txt").read_text(encoding="utf-8")
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "march.txt").write_text(whole, encoding="utf-8")
    second = whole.index("HD\tHafenarbeiter")
    (folder / "march-again.txt").write_text(whole[second:], encoding="utf-8")
    ingest([folder], tmp_path / "corpus")
    df = open_corpus(tmp_path / "corpus")
    assert len(df) == 5
    assert df.groupby("accession")["story_id"].nunique().eq(1).all()
    assert df["story_id"].nunique() == 3
    assert df["is_duplicate"].sum() == 2


def _full_display(*lines: str) -> str:
    return "\n".join(lines) + "\nDocument XMPL000020220312ei3c0001a\n"


@pytest.mark.parametrize(
    "above, title, byline",
    [
        (["Harbour workers walk out", "Marta Quill"], "Harbour workers walk out", "Marta Quill"),
        (
            ["Talks stall", "JANE ROE and TOM POE, Kyiv"],
            "Talks stall",
            "JANE ROE and TOM POE, Kyiv",
        ),
        (
            ["Harbour workers walk out", "Par Claire Dumont"],
            "Harbour workers walk out",
            "Claire Dumont",
        ),
        # a section above a short headline in title case: no byline
        (["World", "Mayor Visits Harbour"], "Mayor Visits Harbour", None),
        (["Harbour", "Strike Enters Its Second Week"], "Strike Enters Its Second Week", None),
        (["Strike ends"], "Strike ends", None),
    ],
)
def test_byline_in_the_full_article_display(above, title, byline):
    text = _full_display(
        *above,
        "120 words",
        "12 March 2022",
        "The Daily Example",
        "DEX",
        "English",
        "Dock workers went back to work on Monday.",
    )
    article = factiva.parse_factiva_text(text).articles.iloc[0]
    assert article["title"] == title
    assert (None if pd.isna(article["byline"]) else article["byline"]) == byline
    assert article["text"] == "Dock workers went back to work on Monday."


def test_long_cover_page_and_a_body_that_speaks_of_rights():
    text = _full_display(
        "Search Summary",
        *[f"Filter {n}\tvalue {n}" for n in range(60)],
        "Strike ends",
        "120 words",
        "12 March 2022",
        "Seite 1 von 2 © 2022 Factiva, Inc. Alle Rechte vorbehalten.",
        "The Daily Example",
        "DEX",
        "English",
        "Dock workers went back to work on Monday.",
        "The union said all rights reserved to the members had been restored.",
    )
    export = factiva.parse_factiva_text(text)
    article = export.articles.iloc[0]
    assert article["title"] == "Strike ends"
    assert article["text"].split("\n\n") == [
        "Dock workers went back to work on Monday.",
        "The union said all rights reserved to the members had been restored.",
    ]
    assert pd.isna(article["copyright"])
    assert (export.declared, export.positions_missing) == (None, [])


def test_rtf_characters_beyond_the_basic_plane_are_whole():
    from analysis.readers.exports import rtf_text

    raw = rb"{\rtf1\ansi\ansicpg1252 Kyiv \u-10180?\u-8710?\u-10180?\u-8730? Caf\'e9\par}"
    assert rtf_text(raw).strip() == "Kyiv \U0001f1fa\U0001f1e6 Café"


def _rtf(lines: list[str]) -> bytes:
    """A Windows-1252 RTF document, one paragraph a line, as Word writes it."""

    def escape(ch: str) -> str:
        if ord(ch) < 128:
            return "\\" + ch if ch in "\\{}" else ch
        try:
            return f"\\'{ch.encode('cp1252')[0]:02x}"
        except UnicodeEncodeError:
            raw = ch.encode("utf-16-be")
            units = [int.from_bytes(raw[k : k + 2], "big") for k in range(0, len(raw), 2)]
            return "".join(f"\\u{u - 65536 if u >= 32768 else u}?" for u in units)

    body = "".join("".join(map(escape, line)) + "\\par\n" for line in lines)
    return ("{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 Arial;}}\\f0 " + body + "}").encode("ascii")


@pytest.mark.corpora
@pytest.mark.parametrize("display", ["indexing", "full article"])
@pytest.mark.parametrize("kind", ["txt", "rtf", "html"])
def test_real_article_texts_survive_every_layout(ukraine_dir, tmp_path, display, kind):
    """Real article texts written as Factiva downloads of 100 come back whole."""
    import html

    frames = [
        pd.read_csv(f, usecols=["Title", "Text"]).dropna().assign(outlet=f.stem)
        for f in sorted((ukraine_dir / "data").glob("*.csv"))
        if f.stem != "NYT"  # abstracts, and a header that does not match its rows
    ]
    source = pd.concat(frames, ignore_index=True)
    source = source[source["Text"].str.split().str.len() >= 20].sample(300, random_state=3)
    expected = {}
    for n, (_, row) in enumerate(source.iterrows()):
        paragraphs = [" ".join(p.split()) for p in row["Text"].split("\n") if p.strip()]
        an = f"UKRM{n:04d}20220312ei3c{n:05d}"
        expected[an] = (" ".join(row["Title"].split()), paragraphs, row["outlet"])
    for start in range(0, len(expected), 100):
        lines = []
        for an in list(expected)[start : start + 100]:
            title, paragraphs, outlet = expected[an]
            words = f"{sum(len(p.split()) for p in paragraphs):,} words"
            if display == "indexing":
                lines += [f"HD\t{title}", f"WC\t{words}", "PD\t12 March 2022", f"SN\t{outlet}"]
                lines += ["LA\tEnglish", "", f"TD\t{paragraphs[0]}", *paragraphs[1:], ""]
                lines += ["NS\tgcat : Political/General News", f"AN\tDocument {an}", ""]
            else:
                lines += [title, words, "12 March 2022", outlet, "UKRM", "English", ""]
                lines += [*paragraphs, "", f"Document {an}", ""]
        path = tmp_path / f"download-{start // 100}.{kind}"
        if kind == "rtf":
            path.write_bytes(_rtf(lines))
        elif kind == "html":
            cells = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
            path.write_text(f"<html><body>{cells}</body></html>", encoding="utf-8")
        else:
            path.write_text("\n".join(lines), encoding="utf-8")
    got = pd.concat([factiva.read(p).articles for p in sorted(tmp_path.iterdir())])
    assert sorted(got["accession"]) == sorted(expected)
    for row in got.itertuples():
        title, paragraphs, outlet = expected[row.accession]
        assert (row.title, row.outlet) == (title, outlet)
        assert [" ".join(p.split()) for p in row.text.split("\n\n")] == paragraphs


def test_rtf_indexing_display_as_a_table_of_field_codes(tmp_path):
    rows = [
        ("HD", [r"Caf\'e9 owners count the cost"]),
        ("BY", ["By Marta Quill"]),
        ("WC", ["212 words"]),
        ("PD", ["14 March 2022"]),
        ("SN", ["The Northern Ledger"]),
        ("LA", ["English"]),
        ("LP", ["Trade on the quay has fallen by half."]),
        ("TD", ["TD", r"\'93No dockers, no coffee,\'94 said Ren\'e9e Hart."]),
        ("NS", ["glabor : Labour/Personnel"]),
        ("AN", ["Document NTHLDG0020220314ei3e0004d"]),
    ]
    table = "".join(
        r"\trowd\cellx1200\cellx9000 \intbl " + code + r"\cell \intbl "
        + r"\par ".join(values) + r"\cell\row" + "\n"
        for code, values in rows
    )  # fmt: skip
    path = tmp_path / "indexed.rtf"
    path.write_bytes(
        (r"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}" + "\n" + table + "}").encode("ascii")
    )
    article = factiva.read(path).articles.iloc[0]
    assert article[["title", "byline", "outlet"]].tolist() == [
        "Café owners count the cost",
        "Marta Quill",
        "The Northern Ledger",
    ]
    assert article["text"].split("\n\n") == [
        "Trade on the quay has fallen by half.",
        "TD",
        "“No dockers, no coffee,” said Renée Hart.",
    ]
    assert article["accession"] == "NTHLDG0020220314ei3e0004d"


def test_a_download_saved_again_as_word_document(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for line in (FIXTURES / "indexed.txt").read_text(encoding="utf-8").split("\n"):
        document.add_paragraph(line)
    path = tmp_path / "march.docx"
    document.save(path)
    assert factiva.detect(head_text(path), ".docx")
    export = factiva.read(path)
    assert export.articles["accession"].tolist() == [
        "NTHLDG0020220312ei3c0001a",
        "RHHAFZ0020220312ei3c000b2",
        "COURPT0020220301ei310002c",
    ]
    assert export.declared == 3


@pytest.mark.corpora
def test_real_pages_and_tables_are_not_taken_for_factiva(extraction_dir, ukraine_dir, polnear_dir):
    from analysis.readers.exports import suffix_of

    files = [
        *sorted((extraction_dir / "html").glob("*.html.gz")),
        *sorted((ukraine_dir / "data").glob("*.csv")),
        *sorted((polnear_dir).rglob("*.txt"))[:300],
    ]
    assert len(files) > 400
    taken = [f.name for f in files if factiva.detect(head_text(f), suffix_of(f))]
    assert taken == []


@pytest.mark.parametrize("time", ["06:30", "6:30 PM", "6:30 p.m. GMT"])
def test_time_line_under_the_date_is_not_the_outlet(time):
    text = _full_display(
        "Strike ends", "120 words", "12 March 2022", time, "The Daily Example", "DEX", "English",
        "Dock workers went back to work on Monday.",
    )  # fmt: skip
    article = factiva.parse_factiva_text(text).articles.iloc[0]
    assert (article["outlet"], article["source_code"]) == ("The Daily Example", "DEX")


def test_one_article_downloaded_in_two_displays_is_one_story(tmp_path):
    from analysis import ingest, open_corpus

    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "indexed.txt").write_bytes((FIXTURES / "indexed.txt").read_bytes())
    first = factiva.read(FIXTURES / "indexed.txt").articles.iloc[0]
    lines = [first["title"], "By Marta Quill", "1,204 words", "12 March 2022", first["outlet"]]
    lines += ["NTHLDG", "English", "", *first["text"].split("\n\n"), ""]
    lines += [f"Document {first['accession']}"]
    (folder / "again.rtf").write_bytes(_rtf(lines))
    ingest([folder], tmp_path / "corpus")
    df = open_corpus(tmp_path / "corpus")
    copies = df[df["accession"] == first["accession"]]
    assert len(copies) == 2 and copies["story_id"].nunique() == 1
    assert copies["is_duplicate"].sum() == 1
