"""Dictionary tone with Lexicoder's negation categories."""

from __future__ import annotations

import dask.dataframe as dd
import pandas as pd
import pytest

from analysis import dictionary_tone, load_dictionary
from analysis.errors import ParameterError

# A small tone dictionary written for these tests, in Lexicoder's four categories.
BOOK = {
    "positive": ["good", "peace", "peace talks", "hope*"],
    "negative": ["bad*", "war", "attack*"],
    "neg_positive": ["not good", "not very good", "no peace", "no hope*", "not so hope*"],
    "neg_negative": ["not bad*", "no war"],
}
COUNTS = ["positive", "negative", "neg_positive", "neg_negative"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Good.", [1, 0, 0, 0]),
        ("Not good.", [0, 0, 1, 0]),  # a negated positive is negative, and not also positive
        ("Not very good, not bad.", [0, 0, 1, 1]),  # the longest negated form first
        (
            "No peace talks today.",
            [0, 0, 1, 0],
        ),  # "no peace" takes "peace"; "talks" alone is nothing
        ("Peace talks, then no war.", [1, 0, 0, 1]),  # the phrase counts once
        ("Hopes of peace; no hopes; attacks.", [2, 1, 1, 0]),
        ("Not very good, not so hopeful; not so good.", [1, 0, 2, 0]),  # wildcard forms too
        ("...", [0, 0, 0, 0]),
    ],
)
def test_negated_forms_count_for_the_other_pole(text, expected):
    row = dictionary_tone(pd.DataFrame({"text": [text]}), BOOK).iloc[0]
    assert row[COUNTS].tolist() == expected
    net = expected[0] + expected[3] - expected[1] - expected[2]
    if row["n_words"]:
        assert row["tone"] == pytest.approx(100 * net / row["n_words"])
    else:
        assert pd.isna(row["tone"])


def test_without_negation_categories_plain_words_count(tmp_path):
    book = {"positive": ["good"], "negative": ["bad"]}
    row = dictionary_tone(pd.DataFrame({"text": ["Not good, not bad, good."]}), book).iloc[0]
    assert row[COUNTS].tolist() == [2, 1, 0, 0]
    assert row["tone"] == pytest.approx(100 * 1 / 5)  # 5 tokens


def test_lexicoder_file_and_renamed_liwc_categories(tmp_path):
    lc3 = tmp_path / "tone.lc3"
    lc3.write_text("+positive\ngood\n+negative\nbad\n+neg_positive\nnot good\n", encoding="utf-8")
    texts = pd.DataFrame({"text": ["Not good but good."]})
    assert dictionary_tone(texts, lc3)[COUNTS].iloc[0].tolist() == [1, 0, 1, 0]
    dic = tmp_path / "tone.dic"
    dic.write_text("%\n1\tposemo\n2\tnegemo\n%\ngood\t1\nbad\t2\n", encoding="utf-8")
    roles = {"positive": "posemo", "negative": "negemo"}
    row = dictionary_tone(texts, load_dictionary(dic), categories=roles).iloc[0]
    assert row[COUNTS].tolist() == [2, 0, 0, 0]
    with pytest.raises(ParameterError, match="no category 'positive'.*posemo"):
        dictionary_tone(texts, dic)
    with pytest.raises(ParameterError, match="unknown role"):
        dictionary_tone(texts, dic, categories={"happy": "posemo"})


def test_groups_add_counts_and_agree_on_dask():
    articles = pd.DataFrame(
        {
            "article_id": list("abcd"),
            "outlet": ["A", "A", "B", "B"],
            "published": pd.to_datetime(["2022-03-01", "2022-03-02", "2022-03-01", "2022-04-01"]),
            "text": ["Good peace.", "Not good at all.", "War and attacks.", "No war now."],
        }
    )
    per = dictionary_tone(articles, BOOK, by="outlet")
    assert per["outlet"].tolist() == ["A", "B"]
    assert per["n_articles"].tolist() == [2, 2]
    assert per[COUNTS].values.tolist() == [[2, 0, 1, 0], [0, 2, 0, 1]]
    assert per["tone"].tolist() == pytest.approx([100 * 1 / 6, 100 * -1 / 6])
    monthly = dictionary_tone(articles, BOOK, by="outlet", freq="M")
    assert len(monthly) == 3 and "period" in monthly.columns
    on_dask = dictionary_tone(dd.from_pandas(articles, npartitions=2), BOOK, by="outlet")
    pd.testing.assert_frame_equal(on_dask.reset_index(drop=True), per, check_dtype=False)
