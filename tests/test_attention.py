"""Attention over time: counts, shares, Wilson intervals, copies, several queries, Dask, peaks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ParameterError
from analysis.measures.attention import attention_counts, wilson_interval


def _week_rows(outlet: str, week: int, n: int, matching: int) -> list[dict]:
    start = pd.Timestamp("2022-03-07", tz="UTC") + pd.Timedelta(weeks=week)
    rows = []
    for i in range(n):
        text = "Ceasefire talks went on." if i < matching else "The weather was mild."
        rows.append(
            {
                "article_id": f"{outlet}-{week}-{i}",
                "outlet": outlet,
                "published": start + pd.Timedelta(hours=7 * i),
                "title": f"{outlet} story {week}.{i}",
                "text": text,
                "story_id": f"{outlet}-{week}-{i}",
                "is_duplicate": False,
            }
        )
    return rows


@pytest.fixture
def weekly():
    """Two outlets over eight weeks; Alpha's sixth week is a spike, with one story copied twice."""
    rows = []
    for week in range(8):
        rows += _week_rows("Alpha", week, 12, 6 if week == 5 else 1 + week % 2)
        if week != 3:  # Beta publishes nothing in the fourth week
            rows += _week_rows("Beta", week, 10, 1)
    table = pd.DataFrame(rows)
    # two more copies of Alpha's first matching story of week 5
    copy = table[table["article_id"] == "Alpha-5-0"]
    copies = pd.concat([copy, copy], ignore_index=True).assign(
        article_id=["Alpha-5-0-copy1", "Alpha-5-0-copy2"], is_duplicate=True
    )
    return pd.concat([table, copies], ignore_index=True)


def _word_ids(table: pd.DataFrame, word: str) -> pd.Series:
    found = table[table["text"].str.lower().str.contains(word)]
    return pd.Series(1, index=found["article_id"].to_numpy())


@pytest.mark.parametrize(
    ("matching", "total", "low", "high"),
    [
        (5, 10, 0.2366, 0.7634),  # symmetric around 0.5
        (0, 10, 0.0, 0.2775),  # upper bound z^2 / (n + z^2)
        (10, 10, 0.7225, 1.0),
        (10, 100, 0.0552, 0.1744),
        (1, 1, 0.2065, 1.0),
    ],
)
def test_wilson_interval_matches_values_worked_by_hand(matching, total, low, high):
    lo, hi = wilson_interval([matching], [total])
    assert lo[0] == pytest.approx(low, abs=1e-4)
    assert hi[0] == pytest.approx(high, abs=1e-4)


def test_wilson_interval_of_no_stories_is_missing():
    lo, hi = wilson_interval([0], [0])
    assert np.isnan(lo[0]) and np.isnan(hi[0])


def test_attention_counts_shares_and_intervals_per_outlet_and_week(weekly):
    out = attention_counts(weekly, {"talks": _word_ids(weekly, "ceasefire")}, copies="all")
    assert list(out.columns) == [
        "query",
        "outlet",
        "period",
        "matching",
        "total",
        "share",
        "low",
        "high",
        "peak",
    ]
    assert len(out) == 2 * 8  # every outlet in every week, the empty one too
    spike = out[(out["outlet"] == "Alpha") & (out["period"] == "2022-04-11")].iloc[0]
    assert (spike["matching"], spike["total"]) == (8, 14)  # 6 stories + 2 copies
    assert spike["share"] == pytest.approx(8 / 14)
    lo, hi = wilson_interval([8], [14])
    assert (spike["low"], spike["high"]) == (pytest.approx(lo[0]), pytest.approx(hi[0]))
    empty = out[(out["outlet"] == "Beta") & (out["period"] == "2022-03-28")].iloc[0]
    assert (empty["matching"], empty["total"]) == (0, 0)
    assert np.isnan(empty["share"]) and np.isnan(empty["low"])


def test_unique_copies_count_each_story_once(weekly):
    ids = {"talks": _word_ids(weekly, "ceasefire")}
    unique = attention_counts(weekly, ids, copies="unique")
    every = attention_counts(weekly, ids, copies="all")
    cell = (unique["outlet"] == "Alpha") & (unique["period"] == "2022-04-11")
    assert unique.loc[cell, ["matching", "total"]].values.tolist() == [[6, 12]]
    assert every.loc[cell, ["matching", "total"]].values.tolist() == [[8, 14]]
    rest = ~cell
    assert unique.loc[rest, "total"].tolist() == every.loc[rest, "total"].tolist()


def test_several_queries_give_one_set_of_rows_each(weekly):
    ids = {"talks": _word_ids(weekly, "ceasefire"), "weather": _word_ids(weekly, "weather")}
    out = attention_counts(weekly, ids, by=None, copies="all")
    assert out["query"].unique().tolist() == ["talks", "weather"]
    both = out.pivot(index="period", columns="query", values="matching")
    totals = out[out["query"] == "talks"].set_index("period")["total"]
    assert (both["talks"] + both["weather"]).tolist() == totals.tolist()  # they split every week


def test_peaks_mark_the_spike_and_nothing_else(weekly):
    out = attention_counts(weekly, {"talks": _word_ids(weekly, "ceasefire")})
    peaks = out[out["peak"]]
    assert peaks[["outlet", "period"]].values.tolist() == [["Alpha", pd.Timestamp("2022-04-11")]]
    # with a minimum N above every week's count nothing can stand out
    none = attention_counts(weekly, {"talks": _word_ids(weekly, "ceasefire")}, min_n=50)
    assert not none["peak"].any()


@pytest.mark.parametrize(
    ("copies", "drop"),
    [("unique", []), ("all", []), ("all", ["story_id", "is_duplicate"])],
)
def test_dask_gives_the_same_table(weekly, copies, drop):
    dd = pytest.importorskip("dask.dataframe")
    table = weekly.drop(columns=drop)
    ids = {"talks": _word_ids(weekly, "ceasefire"), "weather": _word_ids(weekly, "weather")}
    expected = attention_counts(table, ids, copies=copies)
    parts = dd.from_pandas(table.sample(frac=1, random_state=3), npartitions=4, sort=False)
    pd.testing.assert_frame_equal(attention_counts(parts, ids, copies=copies), expected)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"freq": "Q"}, "freq='Q'"),
        ({"copies": "some"}, "copies must be"),
        ({"by": "section"}, "no 'section' column"),
    ],
)
def test_bad_options_are_named(weekly, options, message):
    with pytest.raises(ParameterError, match=message):
        attention_counts(weekly, {"talks": []}, **options)


def test_attention_tracks_the_crude_label_of_reuters(reuters_dir):
    """Weekly attention to an oil query follows the weekly share of stories labelled ``crude``."""
    from analysis import attention
    from benchmarks.duplicates import read_reuters

    stories = read_reuters(reuters_dir).dropna(subset=["published"])
    stories = stories.assign(article_id="reuters-" + stories["newid"].astype(str), outlet="Reuters")
    table = attention(stories, "crude OR oil OR opec", by=None, freq="W", copies="all")
    weeks = stories.assign(
        period=stories["published"].dt.tz_convert(None).dt.to_period("W").dt.start_time,
        crude=stories["topics"].map(lambda topics: "crude" in topics),
    )
    labelled = weeks.groupby("period")["crude"].mean()
    both = table[table["total"] > 0].set_index("period")
    r = both["share"].corr(labelled.reindex(both.index))
    assert len(both) >= 10
    assert r >= 0.8, r


def test_peaks_name_the_most_copied_matching_stories_first(weekly):
    from analysis import attention, attention_peaks

    table = attention(weekly, "ceasefire")
    peaks = attention_peaks(weekly, table, top=2)
    assert list(peaks.columns) == [
        "query", "outlet", "period", "share", "total", "rank", "article_id", "published",
        "title", "copies", "hits",
    ]  # fmt: skip
    assert peaks["period"].unique().tolist() == [pd.Timestamp("2022-04-11")]
    assert peaks["article_id"].tolist() == ["Alpha-5-0", "Alpha-5-1"]  # 3 copies, then the earliest
    assert peaks["copies"].tolist() == [3, 1] and peaks["rank"].tolist() == [1, 2]
    assert peaks["share"].tolist() == [0.5, 0.5] and peaks["hits"].tolist() == [1, 1]
    # every copy when asked: the copies are not the same story twice in the list
    every = attention_peaks(weekly, attention(weekly, "ceasefire", copies="all"), top=2)
    assert every["article_id"].tolist() == ["Alpha-5-0", "Alpha-5-1"]


def test_peaks_need_the_table_attention_gave(weekly):
    from analysis import attention_peaks

    with pytest.raises(ParameterError, match="what analysis.attention returned"):
        attention_peaks(weekly, pd.DataFrame({"peak": [True]}))


def test_a_quiet_story_has_no_peaks_and_an_empty_list(weekly):
    from analysis import attention, attention_peaks

    peaks = attention_peaks(weekly, attention(weekly, "weather"))
    assert peaks.empty and "title" in peaks.columns


def test_a_list_of_words_is_one_query_for_any_of_them(weekly):
    from analysis import attention

    either = attention(weekly, ["ceasefire", "mild"], by=None, copies="all")
    assert either["query"].unique().tolist() == ["ceasefire OR mild"]
    assert (either["matching"] == either["total"]).all()


def test_queries_and_peaks_on_dask_equal_pandas(weekly):
    dd = pytest.importorskip("dask.dataframe")
    from analysis import attention, attention_peaks

    queries = {"talks": "ceasefire", "weather": "weather OR mild"}
    parts = dd.from_pandas(weekly, npartitions=3, sort=False)
    expected = attention(weekly, queries)
    got = attention(parts, queries)
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(attention_peaks(parts, got), attention_peaks(weekly, expected))


def test_the_whole_table_without_groups_names_the_outlet_of_each_peak_story(weekly):
    from analysis import attention, attention_peaks

    table = attention(weekly, "ceasefire", by=None)
    assert "outlet" not in table.columns
    assert table.loc[table["peak"], "period"].tolist() == [pd.Timestamp("2022-04-11")]
    peaks = attention_peaks(weekly, table)
    assert "outlet" in peaks.columns and peaks["outlet"].iloc[0] == "Alpha"
    assert peaks["article_id"].iloc[0] == "Alpha-5-0" and peaks["copies"].iloc[0] == 3
