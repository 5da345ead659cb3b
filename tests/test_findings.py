"""Findings written from result tables, and the article ids behind a table's cells."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import ParameterError, article_ids, articles_behind, findings, term_articles


def attention_table(rows):
    """An attention table: one row per (outlet, period) with matching and total stories."""
    return pd.DataFrame(rows, columns=["outlet", "period", "matching", "total"])


def test_coverage_names_the_most_and_least_per_thousand_stories():
    table = attention_table(
        [
            ("Alpha", "2022-03-07", 30, 100),
            ("Alpha", "2022-03-14", 10, 100),  # 40 of 200: 200 per 1,000
            ("Beta", "2022-03-07", 5, 50),  # 5 of 50: 100 per 1,000
            ("Gamma", "2022-03-07", 45, 60),  # 45 of 60: 750 per 1,000
            ("Tiny", "2022-03-07", 9, 10),  # 10 stories: below the threshold, left out
        ]
    )
    found = findings(attention=table)
    assert [f["kind"] for f in found] == ["coverage"]
    assert found[0]["section"] == "Attention over time"
    assert found[0]["text"] == (
        "Gamma (750 per 1,000 stories: 45 of 60) covered the story most "
        "and Beta (100 per 1,000 stories: 5 of 50) least."
    )
    # one group past the threshold: nothing to compare
    assert findings(attention=table[table["outlet"].isin(["Alpha", "Tiny"])]) == []
    assert findings(attention=table, min_articles=201) == []


def tone_table(rows):
    return pd.DataFrame(rows, columns=["outlet", "n", "mean", "ci_low", "ci_high"])


def test_tone_differs_only_where_intervals_do_not_overlap():
    table = tone_table(
        [
            ("Alpha", 40, -0.30, -0.40, -0.20),
            ("Beta", 50, 0.10, 0.00, 0.20),
            ("Gamma", 60, -0.15, -0.25, 0.05),  # overlaps both
            ("Small", 5, 0.90, 0.80, 0.95),  # too few articles to compare
        ]
    )
    texts = [f["text"] for f in findings(tone=table)]
    assert texts == [
        "Alpha was more negative in tone than Beta: mean -0.30 (95% CI -0.40 to -0.20, N=40) "
        "against 0.10 (0.00 to 0.20, N=50)."
    ]
    overlapping = tone_table([("Alpha", 40, -0.1, -0.3, 0.1), ("Beta", 50, 0.0, -0.2, 0.2)])
    assert [f["text"] for f in findings(tone=overlapping)] == [
        "No two groups differ in tone: the 95% intervals of all 2 groups with 20 articles "
        "or more overlap."
    ]
    assert findings(tone=overlapping, min_articles=45) == []  # one group left: no claim


def test_keyness_peaks_and_sources():
    key = pd.DataFrame(
        {
            "group": ["Alpha", "Alpha", "Alpha", "Beta", "Small"],
            "term": ["grain", "port", "weak", "talks", "noise"],
            "log_ratio": [3.0, 1.0, 2.0, 2.0, 5.0],
            "significant": [True, True, False, True, True],
            "n_articles": [30, 30, 30, 25, 4],
        }
    )
    peaks = pd.DataFrame(
        {
            "outlet": ["Alpha", "Alpha", "Beta"],
            "period": pd.to_datetime(["2022-03-07", "2022-03-07", "2022-03-14"]),
            "share": [0.6, 0.6, 0.4],
            "total": [20, 20, 15],
            "rank": [2, 1, 1],
            "title": ["Second story", "Talks open", "Grain deal"],
            "copies": [1, 3, 1],
        }
    )
    sources = pd.DataFrame(
        {
            "outlet": ["Alpha", "Beta", "Alpha", "Beta", "Alpha"],
            "speaker": ["Dmytro Kuleba", "Dmytro Kuleba", "(anonymous)", "Mayor", "(unattributed)"],
            "quotes": [4, 3, 40, 4, 30],
            "articles": [2, 2, 20, 1, 10],
            "anonymous": [False, False, True, False, False],
        }
    )
    found = findings(keyness=key, peaks=peaks, sources=sources, top=2)
    assert [f["kind"] for f in found] == ["peak", "peak", "keyness", "keyness", "sources"]
    texts = [f["text"] for f in found]
    assert texts[0] == (
        "Peak: Alpha, period of 2022-03-07, 60% of 20 stories matched the query, "
        "led by \u201cTalks open\u201d (3 copies)."
    )
    assert texts[1].startswith("Peak: Beta, period of 2022-03-14, 40% of 15 stories")
    assert texts[2] == (
        "Alpha used distinctive terms: \u201cgrain\u201d (8.0\u00d7 the rest's rate), "
        "\u201cport\u201d (2.0\u00d7 the rest's rate)."
    )
    assert texts[3].startswith("Beta used distinctive terms: \u201ctalks\u201d (4.0\u00d7")
    # anonymous and unattributed quotes are no source; the Mayor's 4 quotes are below 5
    assert texts[4] == "Most quoted: Dmytro Kuleba (7 quotes in 4 articles)."
    assert found[4]["section"] == "Who is quoted"


def test_findings_refuse_a_table_without_its_columns():
    with pytest.raises(ParameterError, match="tone table has no column"):
        findings(tone=pd.DataFrame({"outlet": ["A"], "mean": [0.1]}))
    with pytest.raises(ParameterError, match="top"):
        findings(top=0)
    assert findings() == []


def test_article_ids_per_group_and_period(tiny_articles):
    cells = article_ids(tiny_articles, by="outlet", freq="D")
    assert cells[["outlet", "articles"]].values.tolist() == [
        ["Alpha", 1],
        ["Alpha", 1],
        ["Beta", 1],
        ["Beta", 1],
    ]
    expected = tiny_articles.set_index("article_id")
    for row in cells.itertuples():
        (only,) = row.article_ids
        assert expected.at[only, "outlet"] == row.outlet
        assert expected.at[only, "published"].strftime("%Y-%m-%d") == f"{row.period:%Y-%m-%d}"
    # the query keeps the articles it matches: both talks articles
    matched = article_ids(tiny_articles, query="talks")
    titles = set(expected.loc[matched.at[0, "article_ids"], "title"])
    assert titles == {"Talks stall", "Talks resume"}


def test_term_articles_use_the_tokens_and_spellings_of_keyness(tiny_articles):
    terms = pd.DataFrame(
        {"group": ["Alpha", "Beta", "Beta"], "term": ["talks", "talks", "grain deal"]}
    )
    found = term_articles(tiny_articles, terms, by="outlet")
    title = dict(zip(tiny_articles["article_id"], tiny_articles["title"]))
    assert [[title[i] for i in ids] for ids in found["article_ids"]] == [
        ["Talks stall"],
        ["Talks resume"],
        ["Grain deal"],
    ]
    folded = term_articles(
        tiny_articles,
        pd.DataFrame({"group": ["Alpha"], "term": ["harbor"]}),
        by="outlet",
        variants={"harbor": ["istanbul"]},  # any spelling folded into the term counts
    )
    assert [title[i] for i in folded.at[0, "article_ids"]] == ["Talks stall"]
    with pytest.raises(ParameterError, match="no column 'group'"):
        term_articles(tiny_articles, pd.DataFrame({"term": ["x"]}), by="outlet")


def test_articles_behind_a_row_in_a_notebook(tiny_articles):
    import dask.dataframe as dd

    cells = article_ids(tiny_articles, by="outlet", freq="D")
    title = dict(zip(tiny_articles["article_id"], tiny_articles["title"]))

    def titles(row, table=cells, articles=tiny_articles):
        return articles_behind(table, row, articles)["title"].tolist()

    # a row by its label, as a row of the table, or by its keys (the date as text)
    assert titles(0) == [title[cells.at[0, "article_ids"][0]]]
    assert titles(cells.iloc[2]) == ["Talks resume"]
    assert titles(("Beta", "2022-03-30")) == ["Grain deal"]
    assert titles({"outlet": "Alpha", "period": pd.Timestamp("2022-03-29")}) == ["Shelling"]
    # one key value names every row holding it: all of an outlet's articles, in the
    # order of the table's rows
    assert titles("Alpha") == ["Talks stall", "Shelling"]
    # the same articles from a partitioned table, with all their columns
    behind = articles_behind(cells, "Beta", dd.from_pandas(tiny_articles, npartitions=2))
    assert behind["title"].tolist() == ["Talks resume", "Grain deal"]
    assert list(behind.columns) == list(tiny_articles.columns)
    # a table that names one id a row (the peak stories) works the same
    peaks = pd.DataFrame(
        {"title": ["Grain deal"], "article_id": [tiny_articles.at[3, "article_id"]]}
    )
    one = articles_behind(peaks, "Grain deal", tiny_articles, ids_column="article_id")
    assert one["title"].tolist() == ["Grain deal"]
    with pytest.raises(ParameterError, match="no row of the table matches 'Gamma'"):
        titles("Gamma")
    with pytest.raises(ParameterError, match="row 9 is not in the table"):
        titles(9)
    with pytest.raises(ParameterError, match="no column 'speaker'"):
        titles({"speaker": "Kuleba"})
    with pytest.raises(ParameterError, match="no column 'article_ids'"):
        articles_behind(cells.drop(columns="article_ids"), 0, tiny_articles)


def test_keyness_with_many_groups_names_the_largest_and_points_to_the_rest():
    from analysis.measures.findings import MAX_KEYNESS_GROUPS

    groups = [f"Outlet{i:02d}" for i in range(MAX_KEYNESS_GROUPS + 3)]
    key = pd.DataFrame(
        {
            "group": groups,
            "term": [f"term{i}" for i in range(len(groups))],
            "log_ratio": 2.0,
            "significant": True,
            "n_articles": [100 + 10 * i for i in range(len(groups))],  # the last are largest
        }
    )
    texts = [f["text"] for f in findings(keyness=key)]
    assert len(texts) == MAX_KEYNESS_GROUPS + 1
    named = [t.split(" used")[0] for t in texts[:-1]]
    assert named == groups[3:]  # the largest six, in the table's order
    assert (
        texts[-1] == "3 smaller groups also used distinctive terms; the keyness section lists them."
    )
    # up to six groups: every one is written out, nothing points elsewhere
    six = findings(keyness=key.head(MAX_KEYNESS_GROUPS))
    assert [f["text"].split(" used")[0] for f in six] == groups[:MAX_KEYNESS_GROUPS]
