"""Intercoder reliability: Krippendorff's alpha on his worked example, its properties, disagreements."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import disagreements, reliability
from analysis.errors import ParameterError

# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), the example with
# four coders, twelve units and missing values (None: the coder did not code the unit).
WORKED = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}


def tidy(matrix: dict[str, list], variable: str = "v") -> pd.DataFrame:
    rows = [
        (f"u{i}", coder, variable, value)
        for coder, values in matrix.items()
        for i, value in enumerate(values, 1)
        if value is not None
    ]
    return pd.DataFrame(rows, columns=["unit", "coder", "variable", "value"])


@pytest.mark.parametrize(
    "level, expected",
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_worked_example_gives_krippendorffs_values(level, expected):
    out = reliability(tidy(WORKED), level=level, draws=0)
    row = out.iloc[0]
    assert row["level"] == level
    assert round(row["alpha"], 3) == expected
    # unit 12 was coded by one coder only: 11 units and 40 pairable values remain
    assert row["n_units"] == 11 and row["n_pairable"] == 40
    # 43 of the 55 pairs of codes on one unit are equal (counted by hand)
    assert row["agreement"] == pytest.approx(43 / 55)


def test_bootstrap_interval_is_seeded_and_brackets_alpha():
    codes = tidy(WORKED)
    first = reliability(codes, level="interval", draws=300, seed=1)
    again = reliability(codes, level="interval", draws=300, seed=1)
    other = reliability(codes, level="interval", draws=300, seed=2)
    pd.testing.assert_frame_equal(first, again)
    assert first["ci_low"].iloc[0] != other["ci_low"].iloc[0]
    row = first.iloc[0]
    assert row["ci_low"] < row["alpha"] <= row["ci_high"] <= 1
    narrow = reliability(codes, level="interval", draws=300, seed=1, ci=0.5).iloc[0]
    assert row["ci_low"] <= narrow["ci_low"] <= narrow["ci_high"] <= row["ci_high"]
    assert math.isnan(reliability(codes, draws=0)["ci_low"].iloc[0])


def test_interval_coverage_is_ci_as_elsewhere_and_the_former_name_warns():
    codes = tidy(WORKED)
    narrow = reliability(codes, level="interval", draws=200, seed=1, ci=0.5)
    with pytest.warns(DeprecationWarning, match="confidence=.*use ci="):
        former = reliability(codes, level="interval", draws=200, seed=1, confidence=0.5)
    pd.testing.assert_frame_equal(former, narrow)
    with pytest.raises(ParameterError, match="ci=1.5"):
        reliability(codes, ci=1.5)
    with pytest.raises(ParameterError, match="not confidence= as well"):
        reliability(codes, ci=0.9, confidence=0.9)


def test_levels_come_from_the_codebook_and_each_variable_is_measured(codebook_from):
    codebook = codebook_from(
        "variables:\n"
        "  - {name: v, question: 'How much?', level: ordinal, values: [1, 2, 3, 4, 5]}\n"
        "  - {name: w, question: 'Which?', values: [a, b]}\n"
    )
    codes = pd.concat(
        [tidy(WORKED), tidy({"A": ["a", "b", "a"], "B": ["a", "b", "b"]}, variable="w")]
    )
    out = reliability(codes, codebook, draws=0).set_index("variable")
    assert out.loc["v", "level"] == "ordinal" and round(out.loc["v", "alpha"], 3) == 0.815
    assert out.loc["w", "level"] == "nominal" and out.loc["w", "n_units"] == 3
    forced = reliability(codes, codebook, level={"v": "interval"}, draws=0)
    assert round(forced.set_index("variable").loc["v", "alpha"], 3) == 0.849


def test_an_ordinal_codebook_order_is_used_for_words(codebook_from):
    codebook = codebook_from(
        "variables:\n"
        "  - name: v\n    question: How strong?\n    level: ordinal\n"
        "    values: [very low, low, mid, high, very high]\n"
    )
    words = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    as_words = {c: [words.get(v) for v in values] for c, values in WORKED.items()}
    out = reliability(tidy(as_words), codebook, draws=0)
    assert round(out["alpha"].iloc[0], 3) == 0.815


def test_bad_codes_are_named():
    with pytest.raises(ParameterError, match="column"):
        reliability(pd.DataFrame({"unit": ["a"], "value": [1]}))
    twice = pd.DataFrame(
        {"unit": ["a", "a"], "coder": ["x", "x"], "variable": ["v", "v"], "value": [1, 2]}
    )
    with pytest.raises(ParameterError, match="coded unit 'a' twice"):
        reliability(twice)
    with pytest.raises(ParameterError, match="level 'nominl'"):
        reliability(tidy(WORKED), level="nominl")
    with pytest.raises(ParameterError, match="needs numbers"):
        reliability(tidy({"A": ["x", "y"], "B": ["x", "y"]}), level="interval")


def test_alpha_is_undefined_without_variation():
    out = reliability(tidy({"A": [1, 1, 1], "B": [1, 1, 1]}), draws=10).iloc[0]
    assert math.isnan(out["alpha"]) and out["agreement"] == 1 and out["n_units"] == 3


def test_disagreements_list_the_units_coders_split_on():
    out = disagreements(tidy(WORKED))
    assert list(out.columns) == ["variable", "unit", "n_coders", "n_values", "A", "B", "C", "D"]
    assert out["unit"].tolist() == ["u6", "u2", "u8"]  # most distinct values first
    u6 = out.iloc[0]
    assert (u6["n_coders"], u6["n_values"]) == (4, 4)
    assert [u6[c] for c in "ABCD"] == [1, 2, 3, 4]
    assert disagreements(tidy({"A": [1, 2], "B": [1, 2]})).empty


# ---------------------------------------------------------------------------
# Properties


@st.composite
def coded(draw):
    """A matrix of codes on units, with missing cells, each unit coded by two coders or more."""
    n_coders = draw(st.integers(2, 5))
    n_units = draw(st.integers(2, 12))
    truth = draw(st.lists(st.integers(1, 5), min_size=n_units, max_size=n_units))
    if len(set(truth)) < 2:
        truth[0] = truth[1] % 5 + 1
    noise = draw(
        st.lists(
            st.lists(st.sampled_from([0, 0, 0, 1, -1, None]), min_size=n_units, max_size=n_units),
            min_size=n_coders,
            max_size=n_coders,
        )
    )
    for unit in range(n_units):  # the first two coders always code every unit
        for coder in (0, 1):
            if noise[coder][unit] is None:
                noise[coder][unit] = 0
    return truth, noise


@settings(max_examples=25, deadline=None)
@given(coded(), st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_perfect_agreement_gives_alpha_one(data, level):
    truth, noise = data
    matrix = {
        f"c{j}": [t if n is not None else None for t, n in zip(truth, row)]
        for j, row in enumerate(noise)
    }
    out = reliability(tidy(matrix), level=level, draws=0).iloc[0]
    assert out["alpha"] == pytest.approx(1.0)
    assert out["agreement"] == 1.0


@settings(max_examples=25, deadline=None)
@given(coded(), st.sampled_from(["nominal", "ordinal", "interval", "ratio"]), st.randoms())
def test_alpha_ignores_coder_order_and_lone_codes(data, level, random):
    truth, noise = data
    matrix = {
        f"c{j}": [None if n is None else t + n for t, n in zip(truth, row)]
        for j, row in enumerate(noise)
    }
    codes = tidy(matrix)
    base = reliability(codes, level=level, draws=0).iloc[0]
    # other coder names, in another order, rows shuffled
    names = list(matrix)
    renamed = dict(zip(names, random.sample([f"k{i}" for i in range(len(names))], len(names))))
    shuffled = codes.assign(coder=codes["coder"].map(renamed)).sample(
        frac=1, random_state=random.randint(0, 999)
    )
    again = reliability(shuffled, level=level, draws=0).iloc[0]
    # plus units that a single coder coded
    lone = pd.DataFrame(
        {
            "unit": [f"lone{i}" for i in range(3)],
            "coder": [names[i % len(names)] for i in range(3)],
            "variable": "v",
            "value": [1, 4, 6],
        }
    )
    more = reliability(pd.concat([codes, lone]), level=level, draws=0).iloc[0]
    for other in (again, more):
        for column in ("alpha", "agreement"):
            assert other[column] == pytest.approx(base[column], nan_ok=True)
        assert (other["n_units"], other["n_pairable"]) == (base["n_units"], base["n_pairable"])


def test_more_disagreement_lowers_alpha():
    rng = np.random.default_rng(0)
    truth = rng.integers(1, 6, size=60)
    alphas = []
    for flips in (0, 10, 30):
        other = truth.copy()
        other[:flips] = rng.integers(1, 6, size=flips)
        matrix = {"A": truth.tolist(), "B": other.tolist()}
        alphas.append(reliability(tidy(matrix), level="interval", draws=0)["alpha"].iloc[0])
    assert alphas[0] == pytest.approx(1) and alphas[0] > alphas[1] > alphas[2]
