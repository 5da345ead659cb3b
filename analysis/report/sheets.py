"""
Code sheets: one spreadsheet per coder for manual coding, and the overlap design.

:func:`write_coding_sheets` turns a coding sample (see :func:`analysis.coding_sample`)
and a codebook into ``codes_<coder>.csv`` and ``codes_<coder>.xlsx`` (drop-down
lists of the allowed values, an instructions sheet), ``design.csv`` (who codes
which unit) and ``instructions.txt``. :func:`analysis.read_codes` reads them back.
"""

from __future__ import annotations

import csv
import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import ParameterError
from analysis.paths import SAFE_NAME, replace_atomically, write_text
from analysis.readers.coding import CODES_SHEET, DESIGN_FILE, UNITS, Codebook, Variable

log = logging.getLogger(__name__)

#: Columns of the sample shown to coders, when the sample has them.
INFO_COLUMNS = ("outlet", "published", "title", "speaker", "text")
#: Longest text an XLSX cell holds.
XLSX_CELL_CHARS = 32_000
#: A CSV cell opened in a spreadsheet is read as a formula when it starts with these.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNIT_ID = re.compile(r":([sq])\d+$")


def sample_unit(sample: pd.DataFrame) -> str:
    """The kind of unit a coding sample holds: its ``attrs["unit"]``, else told by its ids."""
    unit = sample.attrs.get("unit")
    if unit in UNITS:
        return unit
    kinds = sample["unit"].astype(str).str.extract(_UNIT_ID)[0]
    if kinds.notna().all() and kinds.nunique() == 1:
        return {"s": "sentence", "q": "quote"}[kinds.iloc[0]]
    return "article"


def _check_coders(coders: Sequence[str]) -> list[str]:
    if isinstance(coders, str):
        coders = [coders]
    coders = list(coders)
    if not coders:
        raise ParameterError("coders: name at least one coder")
    for coder in coders:
        if not isinstance(coder, str) or not SAFE_NAME.fullmatch(coder):
            raise ParameterError(
                f"coders: {coder!r} is not a plain name (letters, digits, '.', '-', '_'; "
                "it becomes a file name)"
            )
    twice = sorted({c for c in coders if coders.count(c) > 1})
    if twice:
        raise ParameterError(f"coders: {twice[0]!r} is named twice")
    return coders


def overlap_design(
    units: Sequence[str], coders: Sequence[str], *, overlap: float | int = 1.0, seed: int = 0
) -> pd.DataFrame:
    """
    Decide which units every coder codes and which one coder codes alone.

    ``overlap`` is a share of the units (a float from 0 to 1) or a number of units
    (an int); those are coded by every coder, for reliability, and the rest are
    dealt to the coders in turn. Returns ``[unit, coders, shared]`` with
    ``coders`` joined by ``";"``.
    """
    units = list(units)
    if isinstance(overlap, bool) or not isinstance(overlap, int | float | np.integer | np.floating):
        raise ParameterError(f"overlap {overlap!r}: give a share (0.2) or a number of units (50)")
    if isinstance(overlap, float | np.floating):
        if not 0 <= overlap <= 1:
            raise ParameterError(f"overlap {overlap!r}: a share is between 0 and 1")
        shared_n = int(round(overlap * len(units)))
    else:
        if not 0 <= overlap <= len(units):
            raise ParameterError(f"overlap {overlap!r}: give 0 to {len(units)} units")
        shared_n = int(overlap)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(units))
    shared = set(order[:shared_n].tolist())
    rows, turn = [], 0
    for i, unit in enumerate(units):
        if i in shared or len(coders) == 1:
            rows.append((unit, ";".join(coders), len(coders) > 1))
        else:
            rows.append((unit, coders[turn % len(coders)], False))
            turn += 1
    return pd.DataFrame(rows, columns=["unit", "coders", "shared"])


def _cell(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _instructions(codebook: Codebook, variables: list[Variable]) -> list[list[str]]:
    rows = [["variable", "question", "level", "instructions", "allowed values"]]
    for v in variables:
        if v.values:
            allowed = "; ".join(
                f"{a.value} = {a.label}" if a.label != str(a.value) else str(a.value)
                for a in v.values
            )
        else:
            low = "" if v.min is None else f" from {v.min:g}"
            high = "" if v.max is None else f" to {v.max:g}"
            allowed = f"a number{low}{high}"
        rows.append([v.name, v.question, v.level, v.instructions, allowed])
    return rows


def _write_csv(rows: list[list[str]], target: Path) -> None:
    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(rows)

    replace_atomically(target, write)


def _write_xlsx(
    table: list[list[str]],
    n_info: int,
    variables: list[Variable],
    guide: list[list[str]],
    target: Path,
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = CODES_SHEET
    for r, row in enumerate(table, 1):
        for c, value in enumerate(row, 1):
            cell = sheet.cell(row=r, column=c)
            cell.value = value[:XLSX_CELL_CHARS]
            cell.data_type = "s"  # text, never a formula
    for c in range(1, len(table[0]) + 1):
        sheet.cell(row=1, column=c).font = Font(bold=True)
    text_col = table[0].index("text") + 1 if "text" in table[0] else None
    if text_col:
        sheet.column_dimensions[get_column_letter(text_col)].width = 80
        for r in range(2, len(table) + 1):
            sheet.cell(row=r, column=text_col).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=2, column=3)
    lists = book.create_sheet("values")
    last = max(len(table), 2)
    for i, variable in enumerate(variables):
        column = get_column_letter(n_info + i + 1)
        cells = f"{column}2:{column}{last}"
        if variable.values:
            letter = get_column_letter(i + 1)
            lists.cell(row=1, column=i + 1, value=variable.name).data_type = "s"
            for r, allowed in enumerate(variable.values, 2):
                cell = lists.cell(row=r, column=i + 1, value=str(allowed.value))
                cell.data_type = "s"
            source = f"values!${letter}$2:${letter}${len(variable.values) + 1}"
            check = DataValidation(type="list", formula1=source, allow_blank=True)
        else:
            low = -1e15 if variable.min is None else variable.min
            high = 1e15 if variable.max is None else variable.max
            check = DataValidation(
                type="decimal",
                operator="between",
                formula1=str(low),
                formula2=str(high),
                allow_blank=True,
            )
        check.error = f"{variable.name}: see the instructions sheet for the allowed values"
        check.errorTitle = "Not an allowed value"
        check.prompt = variable.question[:255]
        check.showErrorMessage = check.showInputMessage = True
        sheet.add_data_validation(check)
        check.add(cells)
    lists.sheet_state = "hidden"
    guide_sheet = book.create_sheet("instructions")
    for r, row in enumerate(guide, 1):
        for c, value in enumerate(row, 1):
            guide_sheet.cell(row=r, column=c, value=value).data_type = "s"
    for c, width in enumerate((16, 50, 10, 60, 40), 1):
        guide_sheet.column_dimensions[get_column_letter(c)].width = width
    replace_atomically(target, lambda tmp: book.save(tmp))


def write_coding_sheets(
    sample: pd.DataFrame,
    codebook: Codebook,
    coders: Sequence[str],
    folder: str | os.PathLike,
    *,
    overlap: float | int = 1.0,
    seed: int = 0,
    overwrite: bool = False,
) -> pd.DataFrame:
    """
    Write one code sheet per coder (CSV and XLSX), the overlap design and the instructions.

    Parameters
    ----------
    sample : DataFrame
        From :func:`analysis.coding_sample`: ``unit`` and ``text`` at least.
    codebook : Codebook
        From :func:`analysis.read_codebook`; its variables of the sample's unit
        (article, sentence or quote) become the columns to fill.
    coders : sequence of str
        Coder names (plain names: each becomes ``codes_<name>.csv``/``.xlsx``).
    folder : str or Path
        Where the files go (created); nothing is written outside it.
    overlap : float or int, default 1.0
        Units every coder codes, for reliability: a share of the sample or a
        number of units. The others are dealt to the coders in turn, one coder
        each.
    seed : int, default 0
        Which units overlap and the order of each coder's rows (shuffled per
        coder, so that no unit is always coded first or last).
    overwrite : bool, default False
        Sheets already in ``folder`` may hold codes; they are replaced only when
        True.

    Returns
    -------
    DataFrame
        The design, also written as ``design.csv``: ``[unit, coders, shared]``.

    Raises
    ------
    ParameterError
        An unsafe or repeated coder name, a bad overlap, a sample without
        ``unit``/``text`` or with repeated units, no codebook variable for the
        sample's unit, or sheets already in ``folder``.
    """
    coders = _check_coders(coders)
    for column in ("unit", "text"):
        if column not in sample.columns:
            raise ParameterError(f"sample: column {column!r} missing; use analysis.coding_sample")
    if sample["unit"].duplicated().any():
        raise ParameterError(
            f"sample: unit {sample['unit'][sample['unit'].duplicated()].iloc[0]!r} is repeated"
        )
    unit = sample_unit(sample)
    variables = codebook.for_unit(unit)
    if not variables:
        raise ParameterError(
            f"codebook {codebook.path or codebook.name!r}: no variable for {unit} units "
            f"(the sample's unit); set 'unit: {unit}' on the variables to code"
        )
    root = Path(folder).expanduser()
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()
    targets = {c: [root / f"codes_{c}.csv", root / f"codes_{c}.xlsx"] for c in coders}
    for path in [p for paths in targets.values() for p in paths]:
        if path.resolve().parent != root:  # a name that would leave the folder
            raise ParameterError(f"coder file {path.name!r} would be written outside {root}")
        if path.exists() and not overwrite:
            raise ParameterError(
                f"{path}: a code sheet is already there (it may hold codes); "
                "pass overwrite=True or choose another folder"
            )
    units = sample["unit"].astype(str).tolist()
    design = overlap_design(units, coders, overlap=overlap, seed=seed)
    info = [c for c in INFO_COLUMNS if c in sample.columns]
    header = ["unit", "coder", *info, *(v.name for v in variables)]
    by_unit = sample.assign(unit=sample["unit"].astype(str)).set_index("unit")
    guide = _instructions(codebook, variables)
    rng = np.random.default_rng(seed)
    for coder in coders:
        mine = design.loc[
            design["coders"].str.split(";").map(lambda names, c=coder: c in names), "unit"
        ]
        mine = mine.to_numpy()[rng.permutation(len(mine))]
        rows = [
            [u, coder, *(_cell(by_unit.at[u, c]) for c in info), *([""] * len(variables))]
            for u in mine
        ]
        csv_rows = [[("'" + v if v.startswith(_FORMULA_START) else v) for v in row] for row in rows]
        _write_csv([header, *csv_rows], targets[coder][0])
        _write_xlsx([header, *rows], 2 + len(info), variables, guide, targets[coder][1])
    _write_csv([list(design.columns), *design.astype(str).values.tolist()], root / DESIGN_FILE)
    lines = [codebook.name or "Codebook", codebook.description, ""]
    for name, question, level, instructions, allowed in guide[1:]:
        lines += [
            f"{name} ({level}): {question}",
            f"  {instructions}".rstrip(),
            f"  allowed: {allowed}",
            "",
        ]
    write_text(
        "\n".join(line for line in lines if line is not None) + "\n", root / "instructions.txt"
    )
    log.info("wrote %d code sheets to %s", 2 * len(coders), root)
    return design


#: Folder of a report that receives the code sheets.
REPORT_SHEETS = "coding"


def sheets_for_report(
    sample: pd.DataFrame, codebook: Codebook, coders: Sequence[str], output_dir, **options: Any
):
    """
    Write the code sheets into a report's ``coding/`` folder and say what to do next.

    Parameters
    ----------
    sample, codebook, coders
        As for :func:`write_coding_sheets`.
    output_dir : str or Path
        The report folder (the runner's ``output_dir``); nothing is written
        outside it, and nothing at all when it is ``""`` (a notebook opened by hand).
    **options
        ``corpus``, the corpus named in the command to run once the sheets are
        filled; ``overlap`` and ``seed`` as for :func:`write_coding_sheets`.

    Returns
    -------
    Note
        What was written and the steps to take next (see :func:`analysis.show_note`).
    """
    from analysis.report.display import show_note

    if not str(output_dir).strip():
        return show_note(
            "No sheets were written: this notebook was opened without an output folder. "
            "Run it as a report (python -m analysis report validation) to get them."
        )
    corpus = str(options.pop("corpus", "") or "").strip()
    design = write_coding_sheets(
        sample, codebook, coders, Path(output_dir) / REPORT_SHEETS, **options
    )
    shared = int(design["shared"].sum())
    where = f"--corpus {corpus} " if corpus else ""
    return show_note(
        f"Code sheets for {len(design):,} units were written to {REPORT_SHEETS}/ beside this "
        f"report, for {len(coders)} coders; {shared:,} units are coded by every coder, "
        "for reliability. Next:",
        [
            "Give each coder their codes_<coder>.xlsx (or .csv) and instructions.txt; an "
            "empty cell means not coded.",
            "Collect the filled sheets in one folder, with design.csv beside them.",
            f"Run python -m analysis report validation {where}-p codes=<that folder>, with "
            "the same codebook, sample size, strata, allocation and seed, for reliability "
            "and the agreement of the measures with the coders.",
        ],
    )


def codes_note(codes: pd.DataFrame, sample: pd.DataFrame | None = None):
    """
    Say what filled code sheets hold: coders, units, values, and how many units the sample has.

    Parameters
    ----------
    codes : DataFrame
        Tidy ``[unit, coder, variable, value]`` from :func:`analysis.read_codes`.
    sample : DataFrame, optional
        The sample drawn with the report's parameters; units coded outside it
        (sheets from another sample) are counted in the note.

    Returns
    -------
    Note
        One sentence (see :func:`analysis.show_note`).

    Examples
    --------
    >>> codes = pd.DataFrame({"unit": ["a", "a", "b"], "coder": ["x", "y", "x"],
    ...                       "variable": "tone", "value": [1, 2, 3]})
    >>> codes_note(codes, pd.DataFrame({"unit": ["a", "c"]}))
    Codes of 2 coders (x, y) on 2 units, 3 values in all; 1 coded unit is not in the sample drawn above (sheets of another sample?).
    """
    from analysis.report.display import show_note

    coders = sorted(map(str, pd.unique(codes["coder"])))
    units = set(map(str, pd.unique(codes["unit"])))
    text = (
        f"Codes of {len(coders)} coder{'s' * (len(coders) != 1)} ({', '.join(coders)}) on "
        f"{len(units):,} unit{'s' * (len(units) != 1)}, {len(codes):,} values in all"
    )
    if sample is not None:
        outside = len(units - set(map(str, sample["unit"])))
        if outside:
            verb = "unit is" if outside == 1 else "units are"
            text += (
                f"; {outside:,} coded {verb} not in the sample drawn above "
                "(sheets of another sample?)"
            )
        else:
            text += "; every coded unit is in the sample drawn above"
    return show_note(text + ".")
