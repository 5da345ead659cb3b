"""Keyness ranks supported terms: spellings folded, few-article terms left out, effect sizes shrunk."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import keyness, spelling_variants
from analysis.errors import ParameterError
from analysis.measures.keyness import log_ratio, log_ratio_low


def _two_outlets() -> pd.DataFrame:
    """
    Two outlets writing about the same war in their own spelling. The Northern Post
    covers grain (and the Southern Ledger a little); one Northern live blog repeats its
    author's name; three Northern articles each use a rare word once.
    """
    north = [
        f"Grain exports left the port on day {i} as the defence ministry watched the "
        f"harbour; grain prices fell and the centre of the city was calm."
        for i in range(30)
    ]
    north[0] += " Updates by Ilsa Varnavova. " + "Varnavova reporting. " * 12
    for i in (1, 2, 3):
        north[i] += " A samovar stood in the square."
    south = [
        f"Sanctions were debated on day {i} as the defense department met at the "
        f"center of the capital; officials discussed the harbor and the budget."
        for i in range(30)
    ]
    for i in range(5):
        south[i] += " Grain, grain and more grain was mentioned."
    return pd.DataFrame(
        {"outlet": ["Northern Post"] * 30 + ["Southern Ledger"] * 30, "text": north + south}
    )


def test_top_terms_are_supported_content_not_bylines_or_spellings():
    top = keyness(_two_outlets(), by="outlet", target="Northern Post", top=10)
    terms = top["term"].tolist()
    assert {"grain", "calm", "exports", "prices"} <= set(terms)  # the Northern Post's words
    # a name repeated in one article, and British spellings, do not rank
    assert "varnavova" not in terms
    assert not {"defence", "harbour", "centre", "defense", "center", "harbor"} & set(terms)
    assert (top["docs"] >= 5).all()
    assert top.attrs["variants"] == {
        "center": ["centre"], "defense": ["defence"], "harbor": ["harbour"]
    }  # fmt: skip
    assert top.attrs["few_docs"][("Northern Post", "rest")] >= 1  # varnavova


def test_a_term_with_little_evidence_ranks_below_a_well_supported_one():
    # samovar: 3 occurrences, none in the reference (a log ratio above grain's);
    # grain: 60 against 15, in 30 articles
    table = keyness(_two_outlets(), by="outlet", target="Northern Post", min_count=1, min_docs=1)
    rows = table.set_index("term")
    assert rows.loc["samovar", "log_ratio"] > rows.loc["grain", "log_ratio"]
    assert rows.loc["samovar", "log_ratio_low"] < rows.loc["grain", "log_ratio_low"]
    assert table["term"].tolist().index("grain") < table["term"].tolist().index("samovar")


def test_without_folding_the_spellings_are_the_key_terms():
    table = keyness(_two_outlets(), by="outlet", target="Northern Post", variants=None, top=20)
    assert {"defence", "centre", "harbour"} <= set(table["term"])
    assert table.attrs["variants"] == {}


def test_own_variants_and_the_bundled_list():
    df = pd.DataFrame(
        {
            "outlet": ["A"] * 6 + ["B"] * 6,
            "text": ["Zelenskiy spoke in Kyiv about the convoy."] * 6
            + ["Zelensky spoke in Kyiv about the budget."] * 6,
        }
    )
    table = keyness(df, by="outlet", target="A", variants={"Zelensky": ["Zelenskiy"]})
    row = table.set_index("term").loc["zelensky"]
    assert (row["count"], row["count_ref"], row["docs"], row["docs_ref"]) == (6, 6, 6, 6)
    assert "zelenskiy" not in set(table["term"])
    assert spelling_variants({"zelensky": ["zelenskiy"]})["defense"] == ["defence"]
    assert "defense" not in spelling_variants(bundled=False)
    # the form of a report parameter: the term first, then its spellings
    assert spelling_variants(["Zelensky/Zelenskiy / zelenskyy"], bundled=False) == {
        "Zelensky": ["Zelenskiy", "zelenskyy"]
    }
    with pytest.raises(ParameterError, match="zelensky/zelenskiy"):
        spelling_variants(["zelensky"])
    for bad in ("british", {"two words": ["x"]}, ["defence"]):
        with pytest.raises(ParameterError, match="variants"):
            keyness(df, by="outlet", variants=bad)
    with pytest.raises(ParameterError, match="min_docs"):
        keyness(df, by="outlet", min_docs=-1)


def test_negative_terms_need_support_in_the_reference():
    table = keyness(_two_outlets(), by="outlet", target="Northern Post")
    neg = table[table["log_ratio"] < 0]
    assert len(neg) and (neg["docs_ref"] >= 5).all()
    assert "sanctions" in set(neg["term"])


@pytest.mark.parametrize(
    ("a", "b", "low"),
    [(400, 100, 2 - 1.96 * (1 / 400 + 1 / 100) ** 0.5 / 0.6931471805599453), (3, 0, 0.0)],
)
def test_log_ratio_low_is_the_interval_end_nearest_zero(a, b, low):
    assert float(log_ratio_low(a, b, 10_000, 10_000)) == pytest.approx(low)
    # the mirror image: a term less frequent in the target
    assert float(log_ratio_low(b, a, 10_000, 10_000)) == pytest.approx(-low)
    assert abs(float(log_ratio_low(a, b, 10_000, 10_000))) <= abs(
        float(log_ratio(a, b, 10_000, 10_000))
    )


def test_initials_are_no_key_terms():
    df = pd.DataFrame(
        {
            "outlet": ["A"] * 8 + ["B"] * 8,
            "text": ["Vladimir V. Putin spoke about the grain corridor."] * 8
            + ["Vladimir Putin spoke about the budget."] * 8,
        }
    )
    table = keyness(df, by="outlet", target="A")
    assert "v" not in set(table["term"]) and "grain" in set(table["term"])
