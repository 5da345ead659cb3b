"""Media Cloud and GDELT article lists, and the metadata-only articles they give."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import analysis

MEDIACLOUD_OLD = """stories_id,publish_date,title,url,language,media_id,media_name,media_url
1874001,2022-03-01 09:15:00,Ceasefire talks open at the border,https://harbour-post.example/talks,en,4412,Harbour Post,https://harbour-post.example
1874002,2022-03-02 17:40:12.518004,Grain convoy reaches the southern port,https://valley-news.example/grain,en,977,Valley News,https://valley-news.example
"""

MEDIACLOUD_NEW = """id,indexed_date,language,media_name,media_url,publish_date,title,url
a91f3c,2022-03-03 10:02:11,en,harbour-post.example,harbour-post.example,2022-03-03,Mayor promises new shelters,https://harbour-post.example/shelters
b22e71,2022-03-04 06:30:45,fr,journal-du-lac.example,journal-du-lac.example,2022-03-04,Les pourparlers reprennent,https://journal-du-lac.example/pourparlers
"""

GDELT_ROWS = [
    {
        "url": "https://ridge-daily.example/2022/03/01/talks",
        "url_mobile": "",
        "title": "Talks resume as shelling eases",
        "seendate": "20220301T120000Z",
        "socialimage": "https://ridge-daily.example/img/talks.jpg",
        "domain": "ridge-daily.example",
        "language": "English",
        "sourcecountry": "United Kingdom",
    },
    {
        "url": "https://kurier-am-see.example/verhandlungen",
        "url_mobile": "https://m.kurier-am-see.example/verhandlungen",
        "title": "Verhandlungen gehen weiter",
        "seendate": "20220302T064500Z",
        "socialimage": "",
        "domain": "kurier-am-see.example",
        "language": "German",
        "sourcecountry": "Germany",
    },
]


def _gdelt_csv(path):
    pd.DataFrame(GDELT_ROWS).to_csv(path, index=False)
    return path


def _gdelt_json(path):
    path.write_text(json.dumps({"articles": GDELT_ROWS}), encoding="utf-8")
    return path


def _load(path, text=None):
    if text is not None:
        path.write_text(text, encoding="utf-8")
    return analysis.load_articles(path, detect_language=False)


def test_mediacloud_story_list(tmp_path):
    df = _load(tmp_path / "export_2022.csv", MEDIACLOUD_OLD)
    assert df["outlet"].tolist() == ["Harbour Post", "Valley News"]
    assert df["stories_id"].tolist() == ["1874001", "1874002"]
    assert df["media_id"].tolist() == ["4412", "977"]
    assert df["media_url"].iloc[0] == "https://harbour-post.example"
    assert df["published"].iloc[0] == pd.Timestamp("2022-03-01 09:15", tz="UTC")
    assert df["url"].iloc[1] == "https://valley-news.example/grain"
    assert df["language"].tolist() == ["en", "en"]
    assert (df["text"] == "").all()
    assert analysis.load_report(df)["columns"].iloc[0].startswith("Media Cloud story list")


def test_mediacloud_search_export(tmp_path):
    df = _load(tmp_path / "stories.csv", MEDIACLOUD_NEW)
    assert df["outlet"].tolist() == ["harbour-post.example", "journal-du-lac.example"]
    assert df["stories_id"].tolist() == ["a91f3c", "b22e71"]
    assert df["indexed_date"].iloc[0] == "2022-03-03 10:02:11"
    # the publication date, not the date Media Cloud indexed the story
    assert df["published"].dt.strftime("%Y-%m-%d").tolist() == ["2022-03-03", "2022-03-04"]
    assert df["language"].tolist() == ["en", "fr"]
    assert "Media Cloud search export" in analysis.load_report(df)["columns"].iloc[0]


@pytest.mark.parametrize("write", [_gdelt_csv, _gdelt_json], ids=["csv", "json"])
def test_gdelt_article_list(tmp_path, write):
    # named like any download: the columns tell the format, not the name
    df = _load(write(tmp_path / ("artlist.csv" if write is _gdelt_csv else "artlist.json")))
    assert df["outlet"].tolist() == ["ridge-daily.example", "kurier-am-see.example"]
    assert df["published"].tolist() == [
        pd.Timestamp("2022-03-01 12:00", tz="UTC"),
        pd.Timestamp("2022-03-02 06:45", tz="UTC"),
    ]
    assert (df["date_source"] == "column").all()
    assert df["language"].tolist() == ["en", "de"]
    assert df["source_country"].tolist() == ["United Kingdom", "Germany"]
    assert df["title"].iloc[1] == "Verhandlungen gehen weiter"
    assert df["url"].iloc[0] == "https://ridge-daily.example/2022/03/01/talks"
    assert "GDELT article list" in analysis.load_report(df)["columns"].iloc[0]


def test_unknown_language_name_left_for_detection():
    from analysis.readers.lists import language_codes

    assert language_codes(pd.Series(["Spanish", "EN", "Elvish"])).tolist() == ["es", "en", pd.NA]


def test_ordinary_table_is_not_taken_for_a_list(tmp_path):
    df = _load(tmp_path / "mine.csv", "id,date,title,text,url\n1,2022-03-01,Talks,Both met.,x\n")
    assert "stories_id" not in df.columns
    assert not analysis.load_report(df)["columns"].iloc[0].startswith(("Media Cloud", "GDELT"))


# ------------------------------------------------------------------ metadata-only

FULL_TEXT = """title,date,outlet,url,text
Ports reopen after a hard week,2022-03-01,Harbour Post,https://harbour-post.example/ports,"""
FULL_TEXT += '''"""We are glad to work again,"" said the harbour master. Ports reopened on Tuesday after a hard week of storms and shelling."
Grain prices fall,2022-03-02,Valley News,https://valley-news.example/prices,Grain prices fell sharply as the convoy reached the port and traders hoped for calm.
'''


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A corpus of two full articles, a Media Cloud list and a GDELT list (four title-only rows)."""
    src = tmp_path_factory.mktemp("downloads")
    (src / "mediacloud.csv").write_text(MEDIACLOUD_OLD, encoding="utf-8")
    _gdelt_json(src / "gdelt.json")
    (src / "articles.csv").write_text(FULL_TEXT, encoding="utf-8")
    folder = tmp_path_factory.mktemp("corpus")
    analysis.ingest(src, folder)
    return folder


@pytest.fixture(scope="module", params=["pandas", "dask"])
def articles(request, corpus):
    if request.param == "pandas":
        yield analysis.open_corpus(corpus)
        return
    dask = pytest.importorskip("dask")
    from analysis.engine import reader

    with dask.config.set(scheduler="synchronous"):
        yield reader.open_dask_corpus(corpus, npartitions=3)


def _computed(table):
    return table.compute() if hasattr(table, "compute") else table


def test_metadata_only_rows_are_kept_and_flagged(corpus):
    df = analysis.open_corpus(corpus)
    assert len(df) == 6
    flags = df.set_index("title")["has_text"]
    assert not flags["Ceasefire talks open at the border"]
    assert not flags["Talks resume as shelling eases"]
    assert flags["Ports reopen after a hard week"]
    assert int((~df["has_text"]).sum()) == 4
    # each title-only row is its own story: empty bodies are not one story
    assert df["story_id"].nunique() == 6


def test_metadata_only_rows_count_for_volume(articles):
    vol = analysis.volume(articles, freq="D", by=None)
    assert int(vol["n_articles"].sum()) == 6


def test_text_measures_leave_metadata_only_rows_out(articles):
    counts = analysis.term_counts(articles, by="outlet")
    assert set(counts["outlet"]) == {"Harbour Post", "Valley News"}
    # per outlet, only the articles with a body are counted
    assert counts.groupby("outlet")["n_articles"].first().to_dict() == {
        "Harbour Post": 1,
        "Valley News": 1,
    }
    tone = _computed(analysis.article_sentiment(articles, cache_dir=False, english_only=False))
    assert sorted(tone["title"]) == ["Grain prices fall", "Ports reopen after a hard week"]
    quotes = _computed(analysis.extract_quotes(articles))
    table = _computed(articles)
    with_body = set(table.loc[table["has_text"], "article_id"])
    assert "harbour master" in " ".join(quotes["speaker"].dropna())
    assert set(quotes["article_id"]) <= with_body
    hits = analysis.kwic(articles, "talks")  # a word only the title-only rows hold
    assert len(_computed(hits)) == 0


def test_metadata_only_note_is_said_on_both_engines(articles):
    note = analysis.metadata_only_note(articles)
    assert note.startswith("4 of 6 articles are metadata-only")


def test_coverage_report_says_how_many_articles_are_metadata_only(corpus, tmp_path):
    folder = analysis.run_report("coverage_report", corpus=corpus, out=tmp_path, name="lists")
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "4 of 6 articles are metadata-only" in page
    assert "text measures" in page


def test_overlapping_downloads_list_one_story_once(tmp_path):
    # the first story is in both downloads; GDELT rows have no body either
    again = MEDIACLOUD_OLD.splitlines()[:2] + [
        "1874009,2022-03-05 10:00:00,Ceasefire talks open at the border,"
        "https://harbour-post.example/other,en,4412,Harbour Post,https://harbour-post.example"
    ]
    (tmp_path / "march.csv").write_text(MEDIACLOUD_OLD, encoding="utf-8")
    (tmp_path / "march_again.csv").write_text("\n".join(again) + "\n", encoding="utf-8")
    _gdelt_csv(tmp_path / "gdelt.csv")
    df = _load(tmp_path)
    assert len(df) == 6
    found = analysis.find_duplicates(df)
    story = found.set_index(["source_path", "source_row"])["story_id"]
    first, repeat = (
        story[(str(tmp_path / "march.csv"), 0)],
        story[(str(tmp_path / "march_again.csv"), 0)],
    )
    assert first == repeat  # same outlet, URL and title: one story
    # another URL under the same title, and the rows of other lists, stay apart
    assert found["story_id"].nunique() == 5
    assert int(found["is_duplicate"].sum()) == 1
    dd = pytest.importorskip("dask.dataframe")
    import dask

    with dask.config.set(scheduler="synchronous"):
        on_dask = analysis.find_duplicates(dd.from_pandas(df, npartitions=3)).compute()
    pd.testing.assert_series_equal(
        on_dask["story_id"].reset_index(drop=True), found["story_id"].reset_index(drop=True)
    )
