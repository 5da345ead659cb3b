"""extract_quotes shared between processes gives the table one process gives."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import ParameterError
from analysis.measures.quotes import extract_quotes


@pytest.mark.corpora
def test_processes_give_the_same_table(ukraine_articles):
    sample = ukraine_articles.sample(240, random_state=3).sort_values("article_id")
    one = extract_quotes(sample, n_jobs=1)
    assert len(one) > 200
    pd.testing.assert_frame_equal(extract_quotes(sample, n_jobs=2), one)
    pd.testing.assert_frame_equal(extract_quotes(sample, n_jobs=3), one)


def test_processes_keep_article_order():
    texts = [f'"We will hold the line number {i}," Mayor Ivan Petrov said.' for i in range(9)]
    arts = pd.DataFrame({"article_id": [f"a{i}" for i in range(9)], "text": texts})
    out = extract_quotes(arts, n_jobs=2)
    assert out["article_id"].tolist() == arts["article_id"].tolist()
    assert out["quote"].str.extract(r"(\d+)")[0].astype(int).tolist() == list(range(9))


@pytest.mark.parametrize("n_jobs", [0, -1])
def test_bad_n_jobs_is_named(n_jobs):
    arts = pd.DataFrame({"article_id": ["a"], "text": ['"Yes," he said.']})
    with pytest.raises(ParameterError, match="n_jobs"):
        extract_quotes(arts, n_jobs=n_jobs)
