"""The coding sample: stratified, one copy per story, weighted; articles, sentences or quotes."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import coding_sample
from analysis.errors import ParameterError


@pytest.fixture
def articles():
    """Forty stories from two outlets over two months; story s0 has three copies."""
    rows = []
    for i in range(40):
        outlet = "Harbor Post" if i < 30 else "Valley Times"
        month = "2022-03" if i % 2 else "2022-04"
        text = "Talks resumed. " * (1 + i % 4) + (
            f'"We will talk," said Minister Aran{i}.' if i % 3 else ""
        )
        rows.append((f"a{i:02d}", outlet, f"{month}-1{i % 9} 10:00", f"s{i}", text))
    rows += [
        (f"copy{j}", "Valley Times", "2022-03-15 10:00", "s0", "Talks resumed.") for j in range(2)
    ]
    table = pd.DataFrame(rows, columns=["article_id", "outlet", "published", "story_id", "text"])
    return table.assign(published=pd.to_datetime(table["published"], utc=True), title="A title")


def test_sample_is_stratified_reproducible_and_weighted(articles):
    sample = coding_sample(articles, 10)
    assert len(sample) == 10 and sample["unit"].is_unique
    assert not sample["unit"].str.startswith("copy").any()  # one copy per story
    per = sample.groupby("stratum").size().to_dict()
    assert per == {
        "Harbor Post | 2022-03": 4,
        "Harbor Post | 2022-04": 4,
        "Valley Times | 2022-03": 1,
        "Valley Times | 2022-04": 1,
    }
    assert sample["weight"].sum() == pytest.approx(40)  # the stories, not the copies
    assert sample.groupby("stratum")["weight"].first().to_dict()["Harbor Post | 2022-03"] == 15 / 4
    shuffled = coding_sample(articles.sample(frac=1, random_state=1), 10)
    assert shuffled["unit"].tolist() == sample["unit"].tolist()
    assert coding_sample(articles, 10, seed=1)["unit"].tolist() != sample["unit"].tolist()
    equal = coding_sample(articles, 12, allocation="equal", strata=["outlet"])
    assert equal.groupby("stratum").size().to_dict() == {"Harbor Post": 6, "Valley Times": 6}
    assert equal.groupby("stratum")["weight"].sum().to_dict() == {
        "Harbor Post": pytest.approx(30),
        "Valley Times": pytest.approx(10),
    }


def test_equal_allocation_gives_a_small_stratum_all_it_has(articles):
    sample = coding_sample(articles, 30, allocation="equal", strata=["outlet"])
    assert sample.groupby("stratum").size().to_dict() == {"Harbor Post": 20, "Valley Times": 10}


@pytest.mark.slow  # the sentence splitter's first load
def test_sentence_units_come_from_sampled_articles(articles):
    sentences = coding_sample(articles, 8, unit="sentence", strata=["outlet"])
    assert len(sentences) == 8 and sentences["article_id"].is_unique
    assert sentences["unit"].str.fullmatch(r"a\d\d:s\d+").all()
    assert sentences.attrs["unit"] == "sentence"
    from analysis import split_sentences

    bodies = articles.set_index("article_id")["text"]
    for unit, text, article_id in sentences[["unit", "text", "article_id"]].itertuples(index=False):
        number = int(unit.rsplit(":s", 1)[1])
        assert split_sentences(bodies[article_id])[number - 1].strip() == text


def test_quote_units_come_from_articles_that_quote(articles):
    quotes = coding_sample(articles, 8, unit="quote", strata=["outlet"])
    assert len(quotes) == 8 and quotes["unit"].str.fullmatch(r"a\d\d:q1").all()
    assert (
        quotes["text"].eq("We will talk,").all()
        or quotes["text"].str.contains("We will talk").all()
    )
    assert quotes["speaker"].str.fullmatch(r"Aran\d+").all()
    # two of every three articles hold a quote: the weights estimate that
    harbor = quotes[quotes["stratum"] == "Harbor Post"]
    assert 10 <= harbor["weight"].sum() <= 30


@pytest.mark.parametrize(
    "options, message",
    [
        ({"n": 0}, "n 0"),
        ({"n": 5, "unit": "page"}, "unit 'page'"),
        ({"n": 5, "allocation": "optimal"}, "allocation 'optimal'"),
        ({"n": 5, "strata": ["region"]}, "strata: 'region' is neither a column"),
    ],
)
def test_sample_options_are_checked(articles, options, message):
    with pytest.raises(ParameterError, match=message):
        coding_sample(articles, **options)


@pytest.mark.slow  # starts dask
def test_a_dask_table_gives_the_same_sample(articles):
    import dask.dataframe as dd

    parts = dd.from_pandas(articles.sample(frac=1, random_state=2), npartitions=3, sort=False)
    on_dask = coding_sample(parts, 6, unit="quote", strata=["outlet"])
    on_pandas = coding_sample(articles, 6, unit="quote", strata=["outlet"])
    pd.testing.assert_frame_equal(on_dask, on_pandas, check_dtype=False)
