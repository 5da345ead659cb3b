"""VADER's tone of coded units against the coders, the sample's design, the report's checks."""

from __future__ import annotations

import pandas as pd
import pytest

import analysis
from analysis.errors import ParameterError
from analysis.report.params import validate_parameters

ARTICLES = pd.DataFrame(
    {
        "article_id": ["a1", "a2", "a3", "b1", "b2", "b3"],
        "outlet": ["Alpha"] * 3 + ["Beta"] * 3,
        "text": [
            "The talks were a great success. Leaders praised the good progress.",
            "Shelling killed ten people. The city mourned a terrible loss.",
            "The committee met on Tuesday. It will meet again next week.",
            "A wonderful day for peace: the ceasefire holds and people are happy.",
            "Attacks destroyed homes and hurt many. Fear and anger spread.",
            "Ministers discussed the budget. The meeting ended at noon.",
        ],
    }
)


def codes_of(tones: dict[str, list], variable: str = "tone") -> pd.DataFrame:
    """Tidy codes: each unit's list of values, one per coder."""
    rows = [
        (unit, f"coder{k}", variable, value)
        for unit, values in tones.items()
        for k, value in enumerate(values, 1)
    ]
    return pd.DataFrame(rows, columns=["unit", "coder", "variable", "value"])


@pytest.fixture
def five_point(codebook_from):
    return codebook_from(
        "variables:\n"
        "  - {name: tone, question: 'How positive?', level: ordinal, values: [1, 2, 3, 4, 5]}\n"
    )


@pytest.mark.slow  # loads the sentence splitter
def test_coded_units_are_found_again_as_articles_sentences_and_quotes():
    units = ["a1", "a2:s2", "b1:s1", "zz", "a3:s9"]
    found = analysis.coded_units(ARTICLES, units)
    assert found["unit"].tolist() == ["a1", "a2:s2", "b1:s1"]
    assert found.set_index("unit").loc["a2:s2", "text"] == "The city mourned a terrible loss."
    assert found.set_index("unit").loc["b1:s1", "outlet"] == "Beta"
    assert found.attrs["missing"] == ["zz", "a3:s9"]


def test_vader_agrees_with_coders_who_read_the_tone_it_reads(five_point):
    codes = codes_of(
        {"a1": [5, 5], "a2": [1, 2], "a3": [3, 3], "b1": [5, 4], "b2": [1, 1], "b3": [3, 3]}
    )
    checked = analysis.validate_tone(ARTICLES, codes, five_point)
    table = analysis.agreement_table(checked).iloc[0]
    assert table["n_units"] == 4 and table["tied_units"] == 2  # a2 and b1: one coder each way
    assert table["spearman"] > 0.9 and table["pearson_low"] < table["pearson"]
    assert 0 < table["alpha_humans"] < 1
    cuts = checked.query("measure == 'threshold'")["value"].tolist()
    assert cuts == [-0.6, -0.2, 0.2, 0.6]  # five classes: equal widths of the compound
    by_outlet = analysis.agreement_table(
        analysis.validate_tone(ARTICLES, codes, five_point, by="outlet")
    )
    assert by_outlet["outlet"].tolist() == ["Alpha", "Beta"]
    assert by_outlet["n_units"].sum() == table["n_units"]


def test_sentence_units_are_scored_on_their_own_text(five_point):
    codes = codes_of({"a2:s1": [1, 1], "a2:s2": [1, 1], "a3:s1": [3, 3], "b1:s1": [5, 5]})
    checked = analysis.validate_tone(ARTICLES, codes, five_point)
    confusion = checked.query("measure == 'confusion' and value > 0")
    assert confusion["n"].iloc[0] == 4
    assert analysis.agreement_table(checked)["spearman"].iloc[0] > 0.9


def test_bad_tone_codes_are_named(five_point):
    codes = codes_of({"a1": ["war"]}, variable="frame")
    with pytest.raises(ParameterError, match="variable='tone'.*'frame'"):
        analysis.validate_tone(ARTICLES, codes, five_point)
    with pytest.raises(ParameterError, match="none of the 1 coded units is in the corpus"):
        analysis.validate_tone(ARTICLES, codes_of({"elsewhere": [3]}), five_point)


def test_sample_design_sums_the_weights_per_stratum():
    sample = analysis.coding_sample(ARTICLES, 4, strata=["outlet"], seed=1)
    design = analysis.sample_design(sample).set_index("stratum")
    assert design["units"].sum() == 4
    assert design["population"].sum() == pytest.approx(6)  # every article stood for once
    assert design.loc["Alpha", "weight"] == pytest.approx(3 / design.loc["Alpha", "units"])


def test_the_report_refuses_bad_coding_parameters(tmp_path):
    check = lambda **values: validate_parameters("validation", values)  # noqa: E731
    with pytest.raises(ParameterError, match="parameter 'codebook'"):
        check(codebook=str(tmp_path / "missing.yml"))
    with pytest.raises(ParameterError, match="'mood' is not a variable of the codebook"):
        check(tone_variable="mood")
    with pytest.raises(ParameterError, match="nominal variable of 5 values"):
        check(tone_variable="frame")
    with pytest.raises(ParameterError, match="parameter 'codes'.*does not exist"):
        check(codes=str(tmp_path / "nowhere"))
    with pytest.raises(ParameterError, match="parameter 'coders': '../x'"):
        check(coders=["ana", "../x"])
    with pytest.raises(ParameterError, match="thresholds.*allowed values: 4 increasing cuts"):
        check(thresholds=[-0.5, 0.5])
    with pytest.raises(ParameterError, match="thresholds"):
        check(thresholds=[0.5, 0.1, 0.2, 0.6])
    with pytest.raises(ParameterError, match="parameter 'overlap'"):
        check(overlap=1.5)
    with pytest.raises(ParameterError, match="allowed values: proportional, equal"):
        check(allocation="random")
    (tmp_path / "codes_ana.csv").write_text("unit,coder,tone\nu1,ana,7\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="(?s)parameter 'codes'.*codes_ana.csv, row 2, tone"):
        check(codes=str(tmp_path))
    (tmp_path / "codes_ana.csv").write_text("unit,coder,frame\nu1,ana,economy\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="hold no 'tone'"):
        check(codes=str(tmp_path))


def test_a_note_is_shown_escaped_with_its_steps():
    note = analysis.show_note("Next <b>:", ["one & two"])
    assert note._repr_html_() == (
        '<p class="report-note">Next &lt;b&gt;:</p><ol><li>one &amp; two</li></ol>'
    )
    assert repr(note) == "Next <b>:\n1. one & two"
