"""Database exports: the reader registry, document decoding, the ingestion audit, overlaps."""

from __future__ import annotations

import logging
import re
import types

import pandas as pd
import pytest

from analysis import ingest, open_corpus
from analysis.readers import exports
from analysis.readers.exports import Export, docx_text, html_text, rtf_text
from analysis.readers.loaders import load_articles, load_report

# A made-up export layout, so the plumbing is tested apart from any real reader:
# "TOY EXPORT (N)" then one article per block: "title | outlet | date" and a body line.
STORIES = [
    ("Harbour reopens", "Coast Ledger", "2024-02-01", "The harbour reopened after the storm."),
    ("Council votes", "Valley Times", "2024-02-02", "The council voted to repair the bridge."),
    ("Ferry delayed", "Coast Ledger", "2024-02-03", "The morning ferry left two hours late."),
    ("School opens", "Valley Times", "2024-02-04", "A new school opened its doors on Monday."),
]


def _toy_detect(head: str, suffix: str) -> bool:
    return suffix == ".txt" and head.startswith("TOY EXPORT")


def _toy_read(path):
    text = path.read_text(encoding="utf-8")
    declared = int(re.match(r"TOY EXPORT \((\d+)\)", text).group(1))
    rows, seen = [], []
    for block in text.split("\n\n")[1:]:
        lines = block.strip().split("\n")
        if len(lines) < 3:
            continue  # cut off
        pos, head, body = lines[0], lines[1], lines[2]
        title, outlet, date = (x.strip() for x in head.split("|"))
        rows.append(dict(title=title, outlet=outlet, published=date, text=body))
        seen.append(int(pos))
    missing = [p for p in range(1, declared + 1) if p not in seen]
    return Export(pd.DataFrame(rows), declared=declared, positions_missing=missing)


TOY = types.SimpleNamespace(NAME="toy", detect=_toy_detect, read=_toy_read)


@pytest.fixture
def toy_reader(monkeypatch):
    monkeypatch.setattr(exports, "readers", lambda: [TOY])


def _toy_file(path, stories, *, declared=None, cut=False):
    blocks = [f"{i}\n{t} | {o} | {d}\n{b}" for i, (t, o, d, b) in enumerate(stories, 1)]
    if cut:
        blocks[-1] = blocks[-1].split("\n")[0]
    n = declared if declared is not None else len(stories)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"TOY EXPORT ({n})\n\n" + "\n\n".join(blocks) + "\n", encoding="utf-8")
    return path


def test_an_export_gives_many_articles_with_the_outlet_it_names(tmp_path, toy_reader):
    f = _toy_file(tmp_path / "in" / "download.txt", STORIES[:3])
    df = load_articles(f)
    assert df["title"].tolist() == [s[0] for s in STORIES[:3]]
    assert df["outlet"].tolist() == ["Coast Ledger", "Valley Times", "Coast Ledger"]
    assert df["published"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-02-01",
        "2024-02-02",
        "2024-02-03",
    ]
    assert (df["date_source"] == "export").all()
    assert df["source_row"].tolist() == [0, 1, 2]
    rep = load_report(df).iloc[0]
    assert (rep["format"], rep["declared"], rep["parsed"], rep["missing"]) == ("toy", 3, 3, "")
    assert rep["warnings"] == ""


def test_a_page_dump_beside_an_export_is_still_a_page(tmp_path, toy_reader):
    _toy_file(tmp_path / "in" / "download.txt", STORIES[:2])
    (tmp_path / "in" / "page.txt").write_text(
        "Bridge repairs begin\n\nWork on the old bridge began on Monday, the council said.\n",
        encoding="utf-8",
    )
    rep = load_report(load_articles(tmp_path / "in")).set_index("format")
    assert rep.loc["toy", "rows"] == 2 and rep.loc["txt", "rows"] == 1


def test_a_truncated_export_is_audited(tmp_path, toy_reader, caplog):
    f = _toy_file(tmp_path / "cut.txt", STORIES, cut=True)
    with caplog.at_level(logging.WARNING):
        df = load_articles(f)
    assert len(df) == 3
    rep = load_report(df).iloc[0]
    assert (rep["declared"], rep["parsed"], rep["missing"]) == (4, 3, "4")
    assert "declares 4 articles, 3 parsed; missing position 4" in rep["warnings"]
    assert "cut.txt" in caplog.text and "missing position 4" in caplog.text


def test_strict_refuses_a_truncated_export(tmp_path, toy_reader):
    f = _toy_file(tmp_path / "cut.txt", STORIES, cut=True)
    with pytest.raises(Exception, match=r"cut\.txt.*declares 4 articles, 3 parsed"):
        load_articles(f, strict=True)


def test_overlapping_downloads_are_grouped_as_copies(tmp_path, toy_reader):
    _toy_file(tmp_path / "in" / "january.txt", STORIES[:3])
    _toy_file(tmp_path / "in" / "february.txt", STORIES[1:])
    _toy_file(tmp_path / "in" / "march.txt", STORIES, declared=5)
    ingest([tmp_path / "in"], tmp_path / "corpus")
    log = pd.read_csv(tmp_path / "corpus" / "ingest_log.csv", keep_default_na=False)
    log["file"] = log["path"].map(lambda p: p.rsplit("/", 1)[-1])
    got = log.set_index("file")[["declared", "parsed", "missing"]].astype(str)
    assert got.loc["january.txt"].tolist() == ["3", "3", ""]
    assert got.loc["march.txt"].tolist() == ["5", "4", "5"]
    df = open_corpus(tmp_path / "corpus")
    assert len(df) == 10
    stories = df.groupby("title")["story_id"].nunique()
    assert (stories == 1).all(), stories
    copies = df.groupby("story_id").size().sort_index()
    assert sorted(copies.tolist()) == [2, 2, 3, 3]
    assert df.groupby("story_id")["is_duplicate"].sum().eq(copies - 1).all()


def test_word_documents_are_read_in_order_with_their_tables(tmp_path):
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_paragraph("Cover page")
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "1. Harbour reopens"
    table.cell(0, 1).text = "Coast Ledger"
    doc.add_paragraph("Body")
    doc.add_paragraph("The harbour reopened — après la tempête.")
    path = tmp_path / "a.docx"
    doc.save(path)
    assert docx_text(path.read_bytes()).split("\n") == [
        "Cover page",
        "1. Harbour reopens",
        "Coast Ledger",
        "Body",
        "The harbour reopened — après la tempête.",
    ]


def test_a_damaged_word_document_is_named(tmp_path):
    with pytest.raises(Exception, match=r"bad\.docx: not a readable Word document"):
        docx_text(b"PK\x03\x04 not really a zip", tmp_path / "bad.docx")


def test_windows_1252_rtf_is_decoded():
    raw = (
        b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Times;}}\n"
        b"\\f0 Caf\\'e9 owners \\'93welcome\\'94 the plan\\par\n"
        b"Second line \\u8211? dash\\par\n}"
    )
    assert rtf_text(raw).split("\n")[:2] == [
        "Café owners “welcome” the plan",
        "Second line – dash",
    ]


def test_html_text_keeps_blocks_as_lines():
    html = "<html><head><style>p{}</style></head><body><div>Documents (2)</div><p>A<br>B</p></body></html>"
    assert html_text(html) == "Documents (2)\nA\nB"
