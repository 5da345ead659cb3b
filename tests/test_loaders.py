"""Loaders: every format into the canonical table; real corpus; bad input."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import load_articles
from analysis.errors import AnalysisError, InputError, ParameterError
from analysis.readers.loaders import expand_paths, load_report, sniff_encoding
from analysis.schema import validate

BODY = "Ukraine and Russia held talks in Istanbul on Tuesday. Both sides said progress was slow."

# ---------------------------------------------------------------- Ukraine corpus

#: file -> index of the column that really holds the date (NYT's header is shifted;
#: bbc/guardian carry an unnamed index column first)
DATE_COLUMN = {"NYT.csv": 0, "bbc.csv": 2, "guardian.csv": 2}


def _independent_counts(data_dir):
    """Rows and date range per file, read with the csv module (not pandas)."""
    out = {}
    for path in sorted(data_dir.glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))[1:]
        col = DATE_COLUMN.get(path.name, 0)
        days = [dt.date.fromisoformat(r[col][:10]) for r in rows if r and r[col].strip()]
        out[path.stem] = (len(rows), min(days), max(days))
    return out


@pytest.mark.corpora
def test_ukraine_corpus_counts_and_date_ranges(ukraine_articles, ukraine_dir):
    df = ukraine_articles
    validate(df)
    assert len(df) == 10_286  # per the corpus README
    expected = _independent_counts(ukraine_dir / "data")
    got = df.groupby("outlet").agg(
        n=("article_id", "size"), lo=("published", "min"), hi=("published", "max")
    )
    assert set(got.index) == set(expected)
    for outlet, (n, lo, hi) in expected.items():
        assert got.loc[outlet, "n"] == n, outlet
        assert got.loc[outlet, "lo"].date() == lo, outlet
        assert got.loc[outlet, "hi"].date() == hi, outlet
    assert df["published"].notna().all()
    assert (df["date_source"] == "column").all()


@pytest.mark.corpora
def test_ukraine_nyt_shifted_header_detected(ukraine_articles):
    nyt = ukraine_articles[ukraine_articles["outlet"] == "NYT"]
    assert nyt["url"].isna().all()  # the file has no URLs at all
    assert not nyt["title"].str.match(r"^\d{4}-\d{2}-\d{2}").any()
    assert nyt["published"].dt.year.eq(2022).all()
    # abstract and lead paragraph both kept in the body
    assert nyt["text"].str.contains("\n\n").mean() > 0.5
    report = load_report(ukraine_articles)
    note = report.loc[report["path"].str.endswith("NYT.csv"), "warnings"].iloc[0]
    assert "header does not match" in note


@pytest.mark.corpora
def test_ukraine_index_columns_dropped_and_timestamps_kept(ukraine_articles):
    bbc = ukraine_articles[ukraine_articles["outlet"] == "bbc"]
    assert "unnamed0" not in ukraine_articles.columns
    assert (bbc["published"].dt.hour > 0).any()  # ISO timestamps keep their time
    assert bbc["url"].str.startswith("https://www.bbc").all()


# ------------------------------------------------------------------ formats


def _write(path, text, encoding="utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    "name, content",
    [
        ("a.csv", f'headline,body,pubdate,link\nTalks,"{BODY}",2022-03-29,https://x.org/a\n'),
        ("a.tsv", f"Title\tText\tDate\tURL\nTalks\t{BODY}\t2022-03-29\thttps://x.org/a\n"),
        (
            "a.jsonl",
            json.dumps(
                {
                    "title": "Talks",
                    "content": BODY,
                    "published": "2022-03-29",
                    "url": "https://x.org/a",
                }
            )
            + "\n",
        ),
        (
            "a.json",
            json.dumps(
                [
                    {
                        "headline": "Talks",
                        "text": BODY,
                        "date": "2022-03-29",
                        "url": "https://x.org/a",
                    }
                ]
            ),
        ),
    ],
)
def test_table_formats_map_columns(tmp_path, name, content):
    df = load_articles(_write(tmp_path / name, content), detect_language=False)
    validate(df)
    row = df.iloc[0]
    assert (row.title, row.text, row.url) == ("Talks", BODY, "https://x.org/a")
    assert row.published == pd.Timestamp("2022-03-29", tz="UTC")
    assert row.outlet == "a" and row.date_source == "column" and row.n_words == len(BODY.split())


def test_parquet_and_gzip(tmp_path):
    pd.DataFrame({"title": ["T"], "body": [BODY], "date": ["2022-03-01"]}).to_parquet(
        tmp_path / "p.parquet"
    )
    (tmp_path / "g.csv.gz").write_bytes(gzip.compress(f"title,text\nG,{BODY}\n".encode()))
    df = load_articles(tmp_path, detect_language=False)
    assert sorted(df["title"]) == ["G", "T"]


@pytest.mark.parametrize(
    "sep, quoted_text",
    [
        (";", '"Kyiv, Monday: talks stall; ministers, aides and envoys leave."'),
        ("\t", "Kyiv, Monday: talks stall; ministers, aides and envoys leave."),
        ("|", '"Kyiv, Monday: talks stall; ministers, aides and envoys leave."'),
    ],
)
def test_csv_separator_is_sniffed(tmp_path, sep, quoted_text):
    """A .csv file separated by semicolons, tabs or pipes loads as its columns, not as one."""
    rows = [
        sep.join(["date", "title", "text", "url"]),
        sep.join(["2022-03-01", '"Talks, again"', quoted_text, "https://x.org/a"]),
        sep.join(["2022-03-02", "Aid arrives", quoted_text, "https://x.org/b"]),
    ]
    df = load_articles(
        _write(tmp_path / "export.csv", "\n".join(rows) + "\n"), detect_language=False
    )
    assert list(df["title"]) == ["Talks, again", "Aid arrives"]
    assert set(df["text"]) == {"Kyiv, Monday: talks stall; ministers, aides and envoys leave."}
    assert list(df["url"]) == ["https://x.org/a", "https://x.org/b"]
    assert df["published"].notna().all()


def test_comma_csv_with_semicolons_in_text_stays_comma(tmp_path):
    text = "One; two; three; four; five; six; seven; eight; nine; ten"
    f = _write(tmp_path / "x.csv", f"title,text\nA,{text}\nB,{text}\nC,{text}\n")
    df = load_articles(f, detect_language=False)
    assert list(df["title"]) == ["A", "B", "C"] and set(df["text"]) == {text}


def test_explicit_columns_and_outlet(tmp_path):
    f = _write(tmp_path / "x.csv", f"h,story_body,when\nTalks,{BODY},2022-01-02\n")
    df = load_articles(
        f,
        columns={"title": "h", "text": "story_body", "published": "when"},
        outlet="Wire X",
        detect_language=False,
    )
    assert df.loc[0, "outlet"] == "Wire X" and df.loc[0, "title"] == "Talks"
    # a column that is not there is a usage error, raised before anything loads
    with pytest.raises(
        ParameterError, match=r"x.csv: no column 'nope'.*\['h', 'story_body', 'when'\]"
    ):
        load_articles(f, columns={"text": "nope"})
    with pytest.raises(ParameterError, match="unknown field 'headline'.*title"):
        load_articles(f, columns={"headline": "h"})


@pytest.mark.parametrize(
    "header",
    [
        ["published", "headlines", "articles", "link", "media_name"],
        ["Published At", "Headline", "Body Text", "URL", "Source"],
        ["publish_date", "story_title", "full_text", "permalink", "publication"],
        ["date_published", "Article Title", "article_text", "Links", "Outlet Name"],
        ["datetime", "heading", "content", "url", "outlet"],
        ["PUBDATE", "hed", "body", "article-url", "media outlet"],
    ],
)
def test_column_names_recognised_widely(tmp_path, header):
    """Common names for date, title, body, url and outlet are read whatever their case or spacing."""
    row = ["2022-03-01", "Talks, again", BODY, "https://x.org/a", "The Daily"]
    f = tmp_path / "x.csv"
    pd.DataFrame([row], columns=header).to_csv(f, index=False)
    df = load_articles(f, detect_language=False)
    got = df.loc[0, ["published", "title", "text", "url", "outlet"]].tolist()
    assert got == [pd.Timestamp("2022-03-01", tz="UTC"), *row[1:]]
    said = load_report(df).loc[0, "columns"]
    assert f"title<-{header[1]!r}" in said and "no " not in said


def test_column_choice_and_missing_fields_are_reported(tmp_path):
    """Two candidate title columns: the documented order picks one and the report says so."""
    f = _write(tmp_path / "x.csv", f"headline,Title,articles\nShort,Talks resume,{BODY}\n")
    df = load_articles(f, detect_language=False)
    assert df.loc[0, "title"] == "Talks resume"
    said = load_report(df).loc[0, "columns"]
    assert "title<-'Title' (chosen over 'headline')" in said and "text<-'articles'" in said
    assert "no date column: dates empty" in said and "outlet<-file name 'x'" in said
    g = _write(tmp_path / "y.csv", f"when,story,source\n2022-03-01,{BODY},\n")
    said = load_report(load_articles(g, detect_language=False)).loc[0, "columns"]
    assert "no title column: titles empty" in said and "outlet<-file name 'y'" in said


def test_outlet_by_path(tmp_path):
    _write(tmp_path / "a" / "one.csv", f"title,text\nA,{BODY}\n")
    _write(tmp_path / "a" / "two.csv", f"title,text\nB,{BODY} Two.\n")
    _write(tmp_path / "b" / "three.csv", f"title,text\nC,{BODY} Three.\n")
    outlets = {str(tmp_path / "a"): "Folder A", str(tmp_path / "a" / "two.csv"): "File Two"}
    df = load_articles(tmp_path, outlet=outlets, detect_language=False)
    assert dict(zip(df["title"], df["outlet"])) == {"A": "Folder A", "B": "File Two", "C": "three"}


def test_outlet_mapping_and_column(tmp_path):
    _write(tmp_path / "abc.csv", f"title,text\nA,{BODY}\n")
    _write(tmp_path / "src.csv", f"title,text,source\nB,{BODY},The Daily\n")
    df = load_articles(tmp_path, outlet={"abc": "ABC News"}, detect_language=False)
    assert dict(zip(df["title"], df["outlet"])) == {"A": "ABC News", "B": "The Daily"}


def test_text_dump_folder_and_manifest(tmp_path):
    page = "A Headline Here\n\nHome\nWorld\n" + BODY + "\n" + BODY.replace("slow", "fast") + "\n"
    _write(tmp_path / "daily-star" / "one.txt", page)
    _write(tmp_path / "daily-star" / "two.txt", page.replace("Headline", "Title"))
    _write(
        tmp_path / "manifest.csv",
        "path,url,published,outlet\ndaily-star/one.txt,https://s.org/1,2022-03-05T10:00:00Z,Daily Star\n",
    )
    df = load_articles(tmp_path, detect_language=False).set_index("title")
    one, two = df.loc["A Headline Here"], df.loc["A Title Here"]
    assert (
        one.url == "https://s.org/1"
        and one.date_source == "manifest"
        and one.outlet == "Daily Star"
    )
    assert one.published == pd.Timestamp("2022-03-05 10:00", tz="UTC")
    assert two.outlet == "daily-star" and pd.isna(two.url)
    assert BODY in one.text and "Home" not in one.text.splitlines()
    report = load_report(df)
    assert (report["status"] == "skipped").sum() == 1  # the manifest itself, accounted for


def test_seed_loads(seed_path):
    df = load_articles(seed_path)
    row = df.iloc[0]
    assert (
        row.title
        == "Ukraine sets ceasefire goal for Russia talks as US says Putin not ready to end war"
    )
    assert row.text.startswith("LVIV: Ukraine said it was hoping")
    assert row.language == "en"


# ---------------------------------------------------------------- bad input


def test_every_file_accounted_for(tmp_path):
    _write(tmp_path / "good.csv", f"title,text\nA,{BODY}\n")
    _write(tmp_path / "empty.csv", "")
    (tmp_path / "pic.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    _write(tmp_path / "notes.md", "# notes")
    _write(tmp_path / "bad.jsonl", '{"title": "J", "text": "' + BODY + '"}\n{broken\n')
    df = load_articles(tmp_path, detect_language=False)
    report = load_report(df).set_index(load_report(df)["path"].str.rsplit("/", n=1).str[-1])
    assert report.loc["good.csv", "status"] == "loaded"
    assert (
        report.loc["empty.csv", "status"] == "failed"
        and "empty" in report.loc["empty.csv", "reason"]
    )
    assert (
        report.loc["pic.txt", "status"] == "failed" and "binary" in report.loc["pic.txt", "reason"]
    )
    assert report.loc["notes.md", "status"] == "skipped"
    assert (
        report.loc["bad.jsonl", "rows"] == 1
        and "1 invalid lines" in report.loc["bad.jsonl", "warnings"]
    )
    assert len(report) == 5
    assert sorted(df["title"]) == ["A", "J"]


def test_strict_raises_naming_file(tmp_path):
    _write(tmp_path / "good.csv", f"title,text\nA,{BODY}\n")
    _write(tmp_path / "empty.csv", "")
    with pytest.raises(InputError, match=r"empty\.csv: empty file"):
        load_articles(tmp_path, strict=True)


def test_nothing_usable_raises(tmp_path):
    _write(tmp_path / "empty.txt", "")
    with pytest.raises(InputError, match="no usable articles"):
        load_articles(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        load_articles(tmp_path / "missing.csv")


@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("cp1252", b""),
        ("latin-1", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-8", codecs.BOM_UTF8),
    ],
)
def test_encodings_decoded(tmp_path, encoding, bom):
    text = 'title,text\nCafé talks,"“Déjà vu,” said the envoy in Zürich. ' + BODY + '"\n'
    if encoding == "latin-1":
        text = text.replace("“", "'").replace("”", "'")
    (tmp_path / "enc.csv").write_bytes(bom + text.encode(encoding))
    df = load_articles(tmp_path / "enc.csv", detect_language=False)
    assert df.loc[0, "title"] == "Café talks"
    assert "Zürich" in df.loc[0, "text"] and "Déjà" in df.loc[0, "text"]


def test_ragged_rows_and_nul(tmp_path):
    f = tmp_path / "ragged.csv"
    f.write_bytes(
        b"title,text,date\nA,one body,2022-01-01\nB,two, with, commas,2022-01-02\nC\x00,three,2022-01-03\n"
    )
    df = load_articles(f, detect_language=False)
    assert list(df["title"]) == ["A", "B", "C"]
    report = load_report(df).iloc[0]
    assert "ragged" in report["warnings"] and "NUL" in report["warnings"]
    # the surplus fields are joined back into the body, not dropped
    assert df.loc[1, "text"] == "two, with, commas"
    assert df.loc[1, "published"] == pd.Timestamp("2022-01-02", tz="UTC")


def test_unparseable_dates_kept(tmp_path, caplog):
    f = _write(
        tmp_path / "d.csv", f"title,text,date\nA,{BODY},2022-03-01\nB,{BODY},the day after\n"
    )
    df = load_articles(f, detect_language=False)
    assert len(df) == 2
    assert df.loc[1, "published"] is pd.NaT and df.loc[1, "date_source"] == "none"
    assert df.loc[1, "published_raw"] == "the day after"
    assert "did not parse" in load_report(df).iloc[0]["warnings"]


def test_duplicate_rows_get_unique_ids(tmp_path):
    f = _write(tmp_path / "d.csv", f"title,text\nA,{BODY}\nA,{BODY}\n")
    df = load_articles(f, detect_language=False)
    validate(df)
    assert df["article_id"].nunique() == 2
    again = load_articles(f, detect_language=False)
    assert list(again["article_id"]) == list(df["article_id"])  # stable


def test_expand_paths_glob_and_hidden(tmp_path):
    _write(tmp_path / "a" / "x.csv", "t")
    _write(tmp_path / "a" / ".hidden.csv", "t")
    _write(tmp_path / ".git" / "y.csv", "t")
    assert [p.name for p in expand_paths(tmp_path)] == ["x.csv"]
    assert [p.name for p in expand_paths(str(tmp_path / "**" / "*.csv"))] == ["x.csv"]
    with pytest.raises(InputError, match="glob matched no files"):
        expand_paths(str(tmp_path / "*.parquet"))


def test_sniff_encoding_cases():
    assert sniff_encoding(b"plain ascii") == "utf-8"
    assert sniff_encoding("naïve “quote”".encode("cp1252")) == "cp1252"
    assert sniff_encoding("hello world".encode("utf-16-le")) == "utf-16-le"
    with pytest.raises(InputError, match="binary"):
        sniff_encoding(b"%PDF-1.4 ...")


# ---------------------------------------------------------------- property-based

FORMATS = ["txt", "csv", "tsv", "jsonl", "json", "html", "parquet"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=2000), ext=st.sampled_from(FORMATS))
def test_random_bytes_never_escape(tmp_path_factory, data, ext):
    d = tmp_path_factory.mktemp("fuzz")
    (d / f"f.{ext}").write_bytes(data)
    try:
        load_articles(d, detect_language=False)
    except AnalysisError:
        pass


cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(cells, min_size=1, max_size=5),
    rows=st.lists(st.lists(cells, max_size=7), max_size=8),
)
def test_random_csv_never_escapes(tmp_path_factory, header, rows):
    d = tmp_path_factory.mktemp("fuzzcsv")
    with open(d / "r.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    try:
        df = load_articles(d, detect_language=False)
    except AnalysisError:
        return
    validate(df)


# ---------------------------------------------------------------- bundled corpus


def _by_name(report: pd.DataFrame) -> pd.DataFrame:
    return report.set_index(report["path"].map(lambda p: p.rsplit("/", 1)[-1]))


def test_sample_corpus_every_file_accounted_for(sample_articles):
    from analysis.paths import repo_path

    files = {p.name for p in repo_path("data", "sample").rglob("*") if p.is_file()}
    files |= {p.name for p in repo_path("seeds").glob("*") if p.is_file()}
    report = _by_name(load_report(sample_articles))
    assert set(report.index) == files
    assert report["rows"].sum() == len(sample_articles)
    # the demo's ordinary run is clean: every page loads, only the manifest is set aside
    assert report.drop(index="manifest.csv")["status"].eq("loaded").all()
    assert report.loc["manifest.csv", "status"] == "skipped"
    validate(sample_articles)


def test_sample_with_bad_pages_accounts_for_them(sample_with_bad_pages):
    articles = load_articles(sample_with_bad_pages, detect_language=False)
    report = _by_name(load_report(articles))
    assert report.loc["2022-03-15-live-blog.txt", "status"] == "failed"
    assert "empty" in report.loc["2022-03-15-live-blog.txt", "reason"]
    assert report.loc["2022-03-21-live-updates.txt", "status"] == "skipped"
    assert "no article body" in report.loc["2022-03-21-live-updates.txt", "reason"]
    assert report["rows"].sum() == len(articles)


def test_sample_corpus_messy_encodings_decoded(sample_articles):
    report = _by_name(load_report(sample_articles))
    by_file = sample_articles.set_index(
        sample_articles["source_path"].map(lambda p: p.rsplit("/", 1)[-1])
    )
    cp = "2022-03-10-eu-leaders-versailles-summit-energy-ukraine.txt"
    utf16 = "2022-03-20-odesa-sandbags-and-songs-as-city-prepares.txt"
    assert report.loc[cp, "encoding"] == "cp1252"
    assert report.loc[utf16, "encoding"] == "utf-16"
    assert "\ufffd" not in by_file.loc[cp, "text"] and "Château" in by_file.loc[cp, "text"]
    assert "“" in by_file.loc[cp, "text"]  # cp1252 curly quotes decoded
    assert "\x00" not in by_file.loc[utf16, "text"] and by_file.loc[utf16, "n_words"] > 100
    crlf = "2022-03-09-ukrainian-church-fundraiser-draws-hundreds.txt"
    assert "\r" not in by_file.loc[crlf, "text"]


def test_sample_corpus_dates_and_outlets(sample_articles):
    sample = sample_articles[sample_articles["outlet"] != "CNA"]
    assert sample["outlet"].nunique() == 5
    assert (sample["date_source"] == "manifest").sum() >= 40
    undated = sample[sample["source_path"].str.contains("undated-")]
    assert (
        len(undated) == 1
        and undated["date_source"].iloc[0] == "none"
        and undated["published"].isna().all()
    )
    dated = sample.dropna(subset=["published"])
    assert dated["published"].min() >= pd.Timestamp("2022-03-07", tz="UTC")
    assert dated["published"].max() < pd.Timestamp("2022-04-02", tz="UTC")


def test_id_index_across_many_merges(monkeypatch):
    from analysis.readers.loaders import IdIndex

    monkeypatch.setattr(IdIndex, "MERGE_AT", 16)
    index = IdIndex()
    ids = [f"id-{i}" for i in range(5000)]
    for start in range(0, len(ids), 37):
        index.add(ids[start : start + 37])
    assert len(index) == len(ids)
    assert index.contains(ids).all()
    assert not index.contains([f"other-{i}" for i in range(2000)]).any()


def test_csv_with_an_unterminated_quote_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(b'"')  # an open quote in the header: found by the fuzz test above
    with pytest.raises(InputError, match="broken.csv.*CSV"):
        load_articles(path, detect_language=False)
