"""Manual coding: the codebook and reading filled code sheets."""

from __future__ import annotations

import csv

import pytest

from analysis import read_codebook, read_codes
from analysis.errors import InputError
from analysis.readers.coding import CodesError

CODEBOOK = """\
name: Coverage of the talks
variables:
  - name: frame
    question: Which frame dominates the article?
    instructions: Read the headline and the first three paragraphs.
    level: nominal
    values: {conflict: Conflict, aid: Humanitarian aid, talks: Diplomacy}
  - name: tone
    question: How hopeful is the article about the talks?
    level: ordinal
    values:
      - {value: 1, label: not hopeful}
      - {value: 2, label: mixed}
      - {value: 3, label: hopeful}
  - name: sources
    question: How many named sources speak?
    level: ratio
    max: 40
  - name: named
    question: Is a Ukrainian official named?
    values: [yes, no]
"""


@pytest.fixture
def codebook(codebook_from):
    return codebook_from(CODEBOOK)


def test_codebook_is_read_with_its_variables(codebook):
    assert codebook.name == "Coverage of the talks"
    assert codebook.names == ["frame", "tone", "sources", "named"]
    frame = codebook["frame"]
    assert frame.level == "nominal" and frame.unit == "article"
    assert frame.allowed == ["conflict", "aid", "talks"]
    assert [v.label for v in frame.values] == ["Conflict", "Humanitarian aid", "Diplomacy"]
    assert frame.instructions.startswith("Read the headline")
    assert codebook["tone"].allowed == [1, 2, 3]
    assert codebook["named"].allowed == ["yes", "no"]  # words, not YAML booleans
    sources = codebook["sources"]
    assert (sources.level, sources.values, sources.min, sources.max) == ("ratio", (), 0.0, 40.0)


@pytest.mark.parametrize(
    "text, message",
    [
        ("variables: [", "not valid YAML at line"),
        ("- a\n- b\n", "a codebook is a mapping"),
        ("name: x\n", "'variables:' must list at least one variable"),
        ("variables: []\nwho: me\n", r"unknown key\(s\) \['who'\]"),
        ("unit: page\nvariables: [{name: a}]\n", "unit 'page' is not one of"),
        ("variables: [plain]\n", "variable 1: must be a mapping"),
        ("variables: [{question: Why}]\n", "variable 1: name None"),
        ("variables: [{name: 'a b', question: Why}]\n", "variable 1: name 'a b'"),
        ("variables: [{name: a}]\n", "variable 'a': 'question' is missing"),
        (
            "variables: [{name: a, question: Why, levle: nominal}]\n",
            r"variable 'a': unknown key\(s\) \['levle'\]",
        ),
        ("variables: [{name: a, question: Why, level: binary}]\n", "variable 'a': level 'binary'"),
        ("variables: [{name: a, question: Why, unit: page}]\n", "variable 'a': unit 'page'"),
        (
            "variables: [{name: a, question: Why, values: [x]}]\n",
            "variable 'a': a nominal variable",
        ),
        (
            "variables: [{name: a, question: Why, level: ordinal}]\n",
            "variable 'a': a ordinal variable needs 'values'",
        ),
        ("variables: [{name: a, question: Why, values: [x, y, x]}]\n", "value 'x' is listed twice"),
        (
            "variables: [{name: a, question: Why, values: {x: Yes, y: yes}}]\n",
            "variable 'a': label 'yes' is listed twice",
        ),
        (
            "variables: [{name: a, question: Why, values: [x, '']}]\n",
            "variable 'a': a value is empty",
        ),
        ("variables: [{name: a, question: Why, values: 3}]\n", "'values' must be a list"),
        (
            "variables: [{name: a, question: Why, level: interval, values: [1, two]}]\n",
            "variable 'a': interval values must be numbers, not 'two'",
        ),
        (
            "variables: [{name: a, question: Why, level: ratio, values: [-1, 1]}]\n",
            "variable 'a': ratio values cannot be negative",
        ),
        (
            "variables: [{name: a, question: Why, level: interval, max: lots}]\n",
            "variable 'a': max 'lots' is not a number",
        ),
        (
            "variables: [{name: a, question: Why, values: [x, y], min: 1}]\n",
            "variable 'a': 'min' is for interval and ratio",
        ),
        (
            "variables: [{name: a, question: Why, values: [x, y]}, "
            "{name: a, question: How, values: [x, y]}]\n",
            "variable 'a' is defined twice",
        ),
        (
            "variables: [{name: text, question: Why, values: [x, y]}]\n",
            "variable 'text': the name is taken",
        ),
    ],
)
def test_codebook_errors_name_the_file_variable_and_problem(tmp_path, text, message):
    path = tmp_path / "book.yml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as caught:
        read_codebook(path)
    assert caught.value.path == str(path)


def test_missing_codebook_is_named(tmp_path):
    with pytest.raises(InputError, match="codebook not found"):
        read_codebook(tmp_path / "nowhere.yml")


# ---------------------------------------------------------------------------
# Filled sheets


def write_sheet(path, rows, header=("unit", "coder", "title", "frame", "tone", "sources")):
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])


def test_codes_are_read_tidy_with_labels_and_numbers_understood(tmp_path, codebook):
    write_sheet(
        tmp_path / "codes_ann.csv",
        [
            ["u1", "ann", "Talks resume", "talks", "3", "2"],
            ["u2", "ann", "Shelling", "Conflict", "not hopeful", "0"],  # labels for values
            ["u3", "ann", "Aid", " aid ", "2.0", ""],  # 2.0 is the value 2; empty: not coded
        ],
    )
    codes = read_codes(tmp_path, codebook)
    assert list(codes.columns) == ["unit", "coder", "variable", "value"]
    got = {(u, v): value for u, _, v, value in codes.itertuples(index=False)}
    assert got == {
        ("u1", "frame"): "talks",
        ("u1", "tone"): 3,
        ("u1", "sources"): 2,
        ("u2", "frame"): "conflict",
        ("u2", "tone"): 1,
        ("u2", "sources"): 0,
        ("u3", "frame"): "aid",
        ("u3", "tone"): 2,
    }


def test_every_bad_cell_is_listed_in_one_error(tmp_path, codebook):
    write_sheet(
        tmp_path / "codes_ann.csv",
        [
            ["u1", "ann", "t", "war", "3", "2"],  # not an allowed value
            ["u2", "ann", "t", "aid", "4", "many"],  # out of the list; not a number
            ["u3", "ann", "t", "aid", "1", "41"],  # above the maximum
            ["u4", "ann", "t", "aid", "1", "-1"],  # below the minimum of a ratio
            ["u1", "ann", "t", "aid", "1", "1"],  # the unit again
            ["", "ann", "t", "aid", "", ""],  # codes without a unit
            ["u5", "", "t", "aid", "", ""],  # no coder
        ],
    )
    write_sheet(tmp_path / "codes_bob.csv", [["u1", "bob", "t", "aid", "hopefull", "1"]])
    with pytest.raises(CodesError) as caught:
        read_codes(tmp_path, codebook)
    problems = [(p.file, p.row, p.variable, p.value) for p in caught.value.problems]
    assert problems == [
        ("codes_ann.csv", 2, "frame", "war"),
        ("codes_ann.csv", 3, "tone", "4"),
        ("codes_ann.csv", 3, "sources", "many"),
        ("codes_ann.csv", 4, "sources", "41"),
        ("codes_ann.csv", 5, "sources", "-1"),
        ("codes_ann.csv", 6, "unit", "u1"),
        ("codes_ann.csv", 7, "unit", ""),
        ("codes_ann.csv", 8, "coder", ""),
        ("codes_bob.csv", 2, "tone", "hopefull"),
    ]
    message = str(caught.value)
    assert message.startswith("9 cells of the code sheets break the codebook")
    assert "codes_ann.csv, row 2, frame: 'war' not an allowed value (allowed: 'conflict'" in message
    assert "row 3, sources: 'many' not a number" in message
    assert "row 4, sources: '41' above the maximum 40" in message
    assert "row 5, sources: '-1' below the minimum 0" in message
    assert "row 6, unit: 'u1' is coded twice (also row 2)" in message


@pytest.mark.parametrize(
    "header, message",
    [
        (("coder", "frame"), "no 'unit' column"),
        (("unit", "frame"), "no 'coder' column"),
        (("unit", "coder", "colour"), "none of the codebook's variables"),
    ],
)
def test_sheet_without_its_columns_is_named(tmp_path, codebook, header, message):
    path = tmp_path / "codes_ann.csv"
    write_sheet(path, [], header=header)
    with pytest.raises(InputError, match=message) as caught:
        read_codes(path, codebook)
    assert caught.value.path == str(path)


def test_missing_and_unreadable_sheets_are_named(tmp_path, codebook):
    with pytest.raises(InputError, match="no code sheets"):
        read_codes(tmp_path, codebook)
    with pytest.raises(InputError, match="no such file"):
        read_codes(tmp_path / "codes_x.csv", codebook)
    (tmp_path / "codes_x.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(InputError, match="not a readable XLSX workbook"):
        read_codes(tmp_path / "codes_x.xlsx", codebook)
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(InputError, match="a code sheet is a .csv or .xlsx file"):
        read_codes(tmp_path / "notes.txt", codebook)


def test_one_coder_filling_two_sheets_is_refused(tmp_path, codebook):
    write_sheet(tmp_path / "codes_ann.csv", [["u1", "ann", "t", "aid", "1", "1"]])
    write_sheet(tmp_path / "codes_ann2.csv", [["u2", "ann", "t", "aid", "1", "1"]])
    write_sheet(tmp_path / "codes_bob.csv", [["u1", "bob", "t", "", "", ""]])  # left blank
    with pytest.raises(InputError, match="coder 'ann' also has codes in codes_ann.csv"):
        read_codes(tmp_path, codebook)
    codes = read_codes(tmp_path / "codes_ann.csv", codebook)
    assert set(codes["coder"]) == {"ann"}


def test_sheets_saved_by_a_spreadsheet_in_another_locale_are_read(tmp_path, codebook):
    # semicolons between fields and Windows-1252 text, as some spreadsheets save CSV
    text = "unit;coder;title;frame;tone\r\nu1;ann;Café talks;Humanitarian aid;2\r\n"
    (tmp_path / "codes_ann.csv").write_bytes(text.encode("cp1252"))
    codes = read_codes(tmp_path, codebook)
    assert codes[["unit", "variable", "value"]].values.tolist() == [
        ["u1", "frame", "aid"],
        ["u1", "tone", 2],
    ]
