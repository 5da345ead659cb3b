"""Code sheets: written per coder with the overlap design, filled, read back, measured."""

from __future__ import annotations

import csv

import krippendorff
import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis import (
    coding_sample,
    read_codes,
    reliability,
    write_coding_sheets,
)
from analysis.errors import ParameterError

CODEBOOK = """\
name: Talks coverage
description: Frames and hope in coverage of the talks.
variables:
  - name: frame
    question: Which frame dominates the article?
    instructions: Read the headline and the first three paragraphs.
    values: {conflict: Conflict, aid: Humanitarian aid, talks: Diplomacy}
  - name: hope
    question: How hopeful is the article about the talks?
    level: ordinal
    values: {1: not hopeful, 2: mixed, 3: hopeful}
  - name: speaker_kind
    unit: quote
    question: Who speaks?
    values: [official, citizen]
"""


@pytest.fixture
def codebook(codebook_from):
    return codebook_from(CODEBOOK)


@pytest.fixture
def articles():
    """Sixty invented stories from three outlets over two months."""
    rng = np.random.default_rng(5)
    outlets = ["Harbor Post", "Valley Times", "Ridge Courier"]
    rows = [
        (
            f"art{i:03d}",
            outlets[i % 3],
            pd.Timestamp("2022-03-01", tz="UTC") + pd.Timedelta(days=int(rng.integers(0, 60))),
            f"Story {i}",
            "=SUM(A1:A2) talks went on." if i == 7 else f"Negotiators met for round {i}.",
        )
        for i in range(60)
    ]
    return pd.DataFrame(rows, columns=["article_id", "outlet", "published", "title", "text"])


def fill_xlsx(path, values):
    """Type codes into a workbook's 'codes' sheet as a coder would: values[unit][variable]."""
    book = openpyxl.load_workbook(path)
    sheet = book["codes"]
    header = [cell.value for cell in sheet[1]]
    for row in range(2, sheet.max_row + 1):
        unit = sheet.cell(row=row, column=1).value
        for variable, value in values[unit].items():
            sheet.cell(row=row, column=header.index(variable) + 1, value=value)
    book.save(path)


def fill_csv(path, values):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for row in rows[1:]:
        for variable, value in values[row[0]].items():
            row[header.index(variable)] = str(value)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_round_trip_sample_sheets_codes_reliability(tmp_path, codebook, articles):
    sample = coding_sample(articles, 30)
    folder = tmp_path / "coding"
    design = write_coding_sheets(sample, codebook, ["ann", "bob", "cy"], folder, overlap=0.4)
    assert sorted(p.name for p in folder.iterdir()) == [
        "codes_ann.csv",
        "codes_ann.xlsx",
        "codes_bob.csv",
        "codes_bob.xlsx",
        "codes_cy.csv",
        "codes_cy.xlsx",
        "design.csv",
        "instructions.txt",
    ]
    shared = design.loc[design["shared"], "unit"].tolist()
    assert len(shared) == 12 and design["unit"].tolist() == sample["unit"].tolist()
    assert pd.read_csv(folder / "design.csv")["coders"].tolist() == design["coders"].tolist()
    alone = design[~design["shared"]]
    assert alone["coders"].value_counts().to_dict() == {"ann": 6, "bob": 6, "cy": 6}

    # invented coders: ann and bob code the frame alike, cy strays on hope
    rng = np.random.default_rng(0)
    units = sample["unit"].tolist()
    truth = {
        u: {"frame": rng.choice(["conflict", "aid", "talks"]), "hope": int(rng.integers(1, 4))}
        for u in units
    }
    stray = {u: {**truth[u], "hope": int(rng.integers(1, 4))} for u in units}
    labels = {
        u: {**truth[u], "frame": {"conflict": "Conflict"}.get(truth[u]["frame"], truth[u]["frame"])}
        for u in units
    }
    fill_xlsx(folder / "codes_ann.xlsx", labels)  # ann types some labels
    fill_csv(folder / "codes_bob.csv", truth)
    fill_xlsx(folder / "codes_cy.xlsx", stray)

    codes = read_codes(folder, codebook)
    assert len(codes) == 2 * (3 * 12 + 18)  # two variables, shared units thrice, the rest once
    assert set(codes["coder"]) == {"ann", "bob", "cy"}
    ann = codes[(codes["coder"] == "ann") & (codes["variable"] == "frame")]
    assert dict(zip(ann["unit"], ann["value"])) == {
        u: truth[u]["frame"] for u in design.loc[design["coders"].str.contains("ann"), "unit"]
    }

    out = reliability(codes, codebook, draws=200).set_index("variable")
    assert out.loc["frame", "alpha"] == pytest.approx(1.0) and out.loc["frame", "agreement"] == 1
    assert out.loc["frame", "n_units"] == 12 and out.loc["frame", "n_pairable"] == 36
    matrix = np.array(
        [
            [truth[u]["hope"] for u in shared],
            [truth[u]["hope"] for u in shared],
            [stray[u]["hope"] for u in shared],
        ],
        dtype=float,
    )
    expected = krippendorff.alpha(matrix, value_domain=[1, 2, 3], level_of_measurement="ordinal")
    assert out.loc["hope", "level"] == "ordinal"
    assert out.loc["hope", "alpha"] == pytest.approx(expected) and expected < 1
    assert out.loc["hope", "ci_low"] <= out.loc["hope", "alpha"] <= out.loc["hope", "ci_high"]


def test_workbook_has_drop_downs_instructions_and_text_never_formulas(tmp_path, codebook, articles):
    sample = coding_sample(articles, 60, strata=[])
    write_coding_sheets(sample, codebook, ["ann"], tmp_path)
    book = openpyxl.load_workbook(tmp_path / "codes_ann.xlsx")
    assert book.sheetnames == ["codes", "values", "instructions"]
    sheet = book["codes"]
    header = [c.value for c in sheet[1]]
    assert header == ["unit", "coder", "outlet", "published", "title", "text", "frame", "hope"]
    assert sheet.max_row == 61
    lists = {}
    for check in sheet.data_validations.dataValidation:
        assert check.type == "list" and check.showErrorMessage
        name, cells = check.formula1.split("!")
        first, last = cells.replace("$", "").split(":")
        lists[str(check.sqref)] = [c.value for c in book[name][f"{first}:{last}"] for c in c]
    assert lists == {"G2:G61": ["conflict", "aid", "talks"], "H2:H61": ["1", "2", "3"]}
    guide = [[c.value for c in row] for row in book["instructions"].iter_rows()]
    assert guide[1][:3] == ["frame", "Which frame dominates the article?", "nominal"]
    assert guide[1][4] == "conflict = Conflict; aid = Humanitarian aid; talks = Diplomacy"
    formula = [r for r in sheet.iter_rows(min_row=2) if r[0].value == "art007"][0][5]
    assert formula.value == "=SUM(A1:A2) talks went on." and formula.data_type == "s"
    with (tmp_path / "codes_ann.csv").open(encoding="utf-8-sig") as handle:
        rows = {r[0]: r for r in csv.reader(handle)}
    assert rows["art007"][5] == "'=SUM(A1:A2) talks went on."  # a spreadsheet shows it as text
    assert "Which frame dominates" in (tmp_path / "instructions.txt").read_text()
    assert read_codes(tmp_path, codebook).empty  # nothing coded yet


def test_quote_samples_get_the_quote_variables(tmp_path, codebook):
    sample = pd.DataFrame(
        {
            "unit": ["a:q1", "b:q2"],
            "outlet": "Harbor Post",
            "speaker": ["Brin", "Dana Vell"],
            "text": ["We will meet,", "Aid is late,"],
        }
    )
    write_coding_sheets(sample, codebook, ["ann", "bob"], tmp_path)  # told by the unit ids
    header = next(csv.reader((tmp_path / "codes_ann.csv").open(encoding="utf-8-sig")))
    assert header == ["unit", "coder", "outlet", "speaker", "text", "speaker_kind"]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"coders": ["../eve"]}, r"coders: '\.\./eve' is not a plain name"),
        ({"coders": ["ann", "ann"]}, "'ann' is named twice"),
        ({"coders": []}, "name at least one coder"),
        ({"overlap": 1.5}, "overlap 1.5: a share is between 0 and 1"),
        ({"overlap": 99}, "overlap 99: give 0 to 10 units"),
        ({"overlap": "all"}, "overlap 'all'"),
    ],
)
def test_bad_options_are_named(tmp_path, codebook, articles, options, message):
    sample = coding_sample(articles, 10)
    given = {"coders": ["ann", "bob"], **options}
    with pytest.raises(ParameterError, match=message):
        write_coding_sheets(sample, codebook, folder=tmp_path / "out", **given)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_filled_sheets_are_not_overwritten(tmp_path, codebook, articles):
    sample = coding_sample(articles, 10)
    write_coding_sheets(sample, codebook, ["ann"], tmp_path)
    with pytest.raises(ParameterError, match="codes_ann.csv: a code sheet is already there"):
        write_coding_sheets(sample, codebook, ["ann"], tmp_path)
    write_coding_sheets(sample, codebook, ["ann"], tmp_path, overwrite=True)


def test_samples_the_codebook_cannot_code_are_refused(tmp_path, codebook, articles):
    with pytest.raises(ParameterError, match="column 'unit' missing"):
        write_coding_sheets(articles, codebook, ["ann"], tmp_path)
    sentences = pd.DataFrame({"unit": ["a:s1", "a:s2"], "text": ["One.", "Two."]})
    with pytest.raises(ParameterError, match="no variable for sentence units"):
        write_coding_sheets(sentences, codebook, ["ann"], tmp_path)


def test_codes_for_units_the_design_did_not_give_are_named(tmp_path, codebook, articles):
    from analysis.readers.coding import CodesError

    sample = coding_sample(articles, 6)
    design = write_coding_sheets(sample, codebook, ["ann", "bob"], tmp_path, overlap=0)
    bobs = design.loc[design["coders"] == "bob", "unit"].tolist()
    path = tmp_path / "codes_ann.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    width = len(rows[0])
    rows.append([bobs[0], "ann", *[""] * (width - 4), "aid", "2"])
    rows.append(["art999", "ann", *[""] * (width - 4), "aid", "2"])
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(CodesError) as caught:
        read_codes(tmp_path, codebook)
    assert [(p.row, p.variable, p.value) for p in caught.value.problems] == [
        (5, "coder", "ann"),
        (6, "unit", "art999"),
    ]
    assert f"was not given {bobs[0]} (design.csv)" in str(caught.value)
    assert "'art999' is not in design.csv" in str(caught.value)
