"""
Manual coding: the codebook (YAML) and the code sheets coders filled in.

A codebook names the variables coders answer for each unit (an article, a
sentence or a quote): the question, instructions, the level of measurement and
the values allowed. :func:`read_codebook` checks it and names the file, the
variable and the problem; :func:`read_codes` reads the filled sheets (CSV or
XLSX, as :func:`analysis.report.sheets.write_coding_sheets` wrote them) and
checks every cell against the codebook.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from analysis.errors import AnalysisError, InputError
from analysis.paths import PACKAGE_DIR, SAFE_NAME
from analysis.readers.files import decode_bytes
from analysis.readers.tables import sniff_separator

LEVELS = ("nominal", "ordinal", "interval", "ratio")
UNITS = ("article", "sentence", "quote")
#: Columns of a code sheet before the variables: the unit, the coder, what to read.
SHEET_COLUMNS = ("unit", "coder", "outlet", "published", "title", "text")
#: The sheet of an XLSX workbook that holds the codes.
CODES_SHEET = "codes"
#: The example codebook shipped with the package (see docs/validation.md).
EXAMPLE_CODEBOOK = PACKAGE_DIR / "data" / "codebook_example.yml"

_BOOK_KEYS = {"name", "unit", "description", "variables"}
_VARIABLE_KEYS = {"name", "question", "instructions", "level", "unit", "values", "min", "max"}

Level = Literal["nominal", "ordinal", "interval", "ratio"]
Unit = Literal["article", "sentence", "quote"]


@dataclass(frozen=True)
class Value:
    """One allowed value of a variable and the label coders see."""

    value: Any
    label: str


@dataclass(frozen=True)
class Variable:
    """One question of a codebook, answered once per unit."""

    name: str
    question: str
    level: Level = "nominal"
    unit: Unit = "article"
    instructions: str = ""
    values: tuple[Value, ...] = ()
    min: float | None = None
    max: float | None = None

    @property
    def allowed(self) -> list[Any]:
        """The allowed values in codebook order (empty: any number within min and max)."""
        return [v.value for v in self.values]

    def parse(self, cell: Any) -> Any:
        """
        Return the codebook value a cell holds, None for an empty cell.

        A cell may hold the value or its label (case and surrounding spaces do not
        matter); a number read back as ``2.0`` is the value ``2``.

        Raises
        ------
        ValueError
            When the cell holds neither an allowed value nor its label.
        """
        if cell is None or (isinstance(cell, float) and math.isnan(cell)):
            return None
        text = str(cell).strip()
        if not text:
            return None
        number = _number(cell)
        for same in (
            lambda v: text == str(v.value),
            lambda v: text.casefold() == v.label.casefold(),
            lambda v: number is not None and not isinstance(v.value, str) and v.value == number,
        ):
            for allowed in self.values:
                if same(allowed):
                    return allowed.value
        if self.values:
            shown = ", ".join(repr(v.value) for v in self.values)
            raise ValueError(f"not an allowed value (allowed: {shown})")
        if number is None:
            raise ValueError("not a number")
        if self.min is not None and number < self.min:
            raise ValueError(f"below the minimum {self.min:g}")
        if self.max is not None and number > self.max:
            raise ValueError(f"above the maximum {self.max:g}")
        return int(number) if number.is_integer() else number


@dataclass(frozen=True)
class Codebook:
    """The variables coders answer, read from a YAML file by :func:`read_codebook`."""

    variables: tuple[Variable, ...]
    name: str = ""
    description: str = ""
    path: str = ""
    by_name: dict[str, Variable] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_name", {v.name: v for v in self.variables})

    def __getitem__(self, name: str) -> Variable:
        return self.by_name[name]

    @property
    def names(self) -> list[str]:
        """The variable names, in codebook order."""
        return [v.name for v in self.variables]

    def for_unit(self, unit: str) -> list[Variable]:
        """The variables coded on units of one kind (article, sentence or quote)."""
        return [v for v in self.variables if v.unit == unit]


def _number(cell: Any) -> float | None:
    if isinstance(cell, bool):
        return None
    try:
        number = float(str(cell).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _text(raw: Any, where: str, key: str, path: Path) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str | int | float):
        raise InputError(path, f"{where}: {key!r} must be text, not {type(raw).__name__}")
    return str(raw).strip()


def _values(raw: Any, where: str, path: Path) -> tuple[Value, ...]:
    """Read ``values:`` given as a mapping value -> label, a list of values or of {value, label}."""
    if raw is None:
        return ()
    if isinstance(raw, Mapping):
        pairs = list(raw.items())
    elif isinstance(raw, list):
        pairs = []
        for item in raw:
            if isinstance(item, Mapping):
                if "value" not in item:
                    raise InputError(path, f"{where}: a value {dict(item)!r} has no 'value' key")
                pairs.append((item["value"], item.get("label", item["value"])))
            else:
                pairs.append((item, item))
    else:
        raise InputError(path, f"{where}: 'values' must be a list or a mapping value: label")
    values = []
    for value, label in pairs:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise InputError(path, f"{where}: value {value!r} must be a number or a word")
        if isinstance(value, str) and not value.strip():
            raise InputError(path, f"{where}: a value is empty")
        values.append(Value(value.strip() if isinstance(value, str) else value, str(label).strip()))
    for key, what in ((lambda v: str(v.value), "value"), (lambda v: v.label.casefold(), "label")):
        seen: set[str] = set()
        for v in values:
            if key(v) in seen:
                raise InputError(path, f"{where}: {what} {key(v)!r} is listed twice")
            seen.add(key(v))
    return tuple(values)


def _variable(raw: Any, number: int, default_unit: str, path: Path) -> Variable:
    if not isinstance(raw, Mapping):
        raise InputError(path, f"variable {number}: must be a mapping with name, question, level")
    name = raw.get("name")
    if not isinstance(name, str) or not SAFE_NAME.fullmatch(name):
        raise InputError(
            path,
            f"variable {number}: name {name!r} must be a word of letters, digits, '.', '-', '_'",
        )
    where = f"variable {name!r}"
    unknown = sorted(set(raw) - _VARIABLE_KEYS)
    if unknown:
        raise InputError(path, f"{where}: unknown key(s) {unknown}; use {sorted(_VARIABLE_KEYS)}")
    question = _text(raw.get("question"), where, "question", path)
    if not question:
        raise InputError(path, f"{where}: 'question' is missing")
    level = raw.get("level", "nominal")
    if level not in LEVELS:
        raise InputError(path, f"{where}: level {level!r} is not one of {', '.join(LEVELS)}")
    unit = raw.get("unit", default_unit)
    if unit not in UNITS:
        raise InputError(path, f"{where}: unit {unit!r} is not one of {', '.join(UNITS)}")
    values = _values(raw.get("values"), where, path)
    bounds = {}
    for key in ("min", "max"):
        if raw.get(key) is not None:
            if level in ("nominal", "ordinal"):
                raise InputError(path, f"{where}: {key!r} is for interval and ratio variables")
            bounds[key] = _number(raw[key])
            if bounds[key] is None:
                raise InputError(path, f"{where}: {key} {raw[key]!r} is not a number")
    if level in ("nominal", "ordinal") and len(values) < 2:
        raise InputError(path, f"{where}: a {level} variable needs 'values' (two or more)")
    if level in ("interval", "ratio"):
        words = [v.value for v in values if _number(v.value) is None or isinstance(v.value, str)]
        if words:
            raise InputError(path, f"{where}: {level} values must be numbers, not {words[0]!r}")
        if level == "ratio" and any(v.value < 0 for v in values):
            raise InputError(path, f"{where}: ratio values cannot be negative")
        if level == "ratio" and bounds.get("min") is None:
            bounds["min"] = 0.0
        if level == "ratio" and bounds["min"] < 0:
            raise InputError(
                path, f"{where}: ratio values cannot be negative (min {bounds['min']:g})"
            )
    return Variable(
        name=name,
        question=question,
        level=level,
        unit=unit,
        instructions=_text(raw.get("instructions"), where, "instructions", path),
        values=values,
        **bounds,
    )


def _loader():
    """A safe YAML loader that reads yes/no/on/off/true/false as words, not booleans."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


def read_codebook(path: str | os.PathLike) -> Codebook:
    """
    Read and check a codebook written in YAML.

    Parameters
    ----------
    path : str or Path
        A YAML file with ``variables:``, a list of variables, each with ``name``,
        ``question``, ``instructions``, ``level`` (``nominal``, ``ordinal``,
        ``interval`` or ``ratio``), ``unit`` (``article``, ``sentence`` or
        ``quote``; the file's ``unit:`` by default, else ``article``) and
        ``values`` (a mapping value: label, or a list). Nominal and ordinal
        variables need two values or more, listed in order for ordinal ones;
        interval and ratio variables take numbers (``values`` or ``min``/``max``).

    Returns
    -------
    Codebook
        Its ``variables`` in file order; ``codebook["tone"]`` is one variable.

    Raises
    ------
    InputError
        Naming the file, the variable and the problem: a missing question, an
        unknown level or unit, too few values, a value listed twice, a word
        where a number is needed, an unknown key.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "codebook.yml"
    >>> _ = path.write_text('''
    ... variables:
    ...   - name: frame
    ...     question: Which frame dominates?
    ...     values: {conflict: Conflict, aid: Humanitarian aid}
    ... ''')
    >>> read_codebook(path)["frame"].allowed
    ['conflict', 'aid']
    """
    import yaml

    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_loader())
    except FileNotFoundError:
        raise InputError(path, "codebook not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"codebook cannot be read ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(path, f"not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, Mapping):
        raise InputError(path, "a codebook is a mapping with a 'variables:' list")
    unknown = sorted(set(raw) - _BOOK_KEYS)
    if unknown:
        raise InputError(path, f"unknown key(s) {unknown}; use {sorted(_BOOK_KEYS)}")
    default_unit = raw.get("unit", "article")
    if default_unit not in UNITS:
        raise InputError(path, f"unit {default_unit!r} is not one of {', '.join(UNITS)}")
    items = raw.get("variables")
    if not isinstance(items, list) or not items:
        raise InputError(path, "'variables:' must list at least one variable")
    variables = [_variable(item, i, default_unit, path) for i, item in enumerate(items, 1)]
    names = [v.name for v in variables]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(path, f"variable {twice[0]!r} is defined twice")
    clash = sorted(set(names) & set(SHEET_COLUMNS))
    if clash:
        raise InputError(path, f"variable {clash[0]!r}: the name is taken by a sheet column")
    return Codebook(
        variables=tuple(variables),
        name=_text(raw.get("name"), "codebook", "name", path),
        description=_text(raw.get("description"), "codebook", "description", path),
        path=str(path),
    )


# --------------------------------------------------------------------------------------
# Reading filled sheets
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadCell:
    """One cell of a code sheet that the codebook does not allow."""

    file: str
    row: int
    variable: str
    value: Any
    problem: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}, {self.variable}: {self.value!r} {self.problem}"


class CodesError(AnalysisError):
    """Cells of filled code sheets break the codebook; ``problems`` lists every one."""

    def __init__(self, problems: Sequence[BadCell]):
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        noun = "cell" if len(self.problems) == 1 else "cells"
        super().__init__(
            f"{len(self.problems)} {noun} of the code sheets break the codebook:\n{lines}"
        )


def _sheet_rows(path: Path) -> list[list[Any]]:
    """The rows of a code sheet (header first), from CSV or from the XLSX 'codes' sheet."""
    if path.suffix.lower() == ".csv":
        # a spreadsheet may save it in its own encoding, with ';' or tabs between fields
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputError(path, f"code sheet cannot be read ({exc})") from None
        if not raw.strip():
            return []
        text = decode_bytes(raw, path)[0].lstrip("\ufeff")
        try:
            return list(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_separator(text)))
        except csv.Error as exc:
            raise InputError(path, f"code sheet cannot be read ({exc})") from None
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors
        raise InputError(
            path, f"not a readable XLSX workbook ({type(exc).__name__}: {exc})"
        ) from None
    try:
        if CODES_SHEET not in book.sheetnames:
            raise InputError(path, f"the workbook has no sheet named {CODES_SHEET!r}")
        return [list(row) for row in book[CODES_SHEET].iter_rows(values_only=True)]
    finally:
        book.close()


def _sheet_files(sources: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    if isinstance(sources, str | os.PathLike):
        sources = [sources]
    files: list[Path] = []
    for source in sources:
        source = Path(source)
        if source.is_dir():
            found = sorted(
                p
                for p in source.iterdir()
                if p.suffix.lower() in (".csv", ".xlsx")
                and p.name.startswith("codes_")
                and not p.name.startswith((".", "~$"))
            )
            if not found:
                raise InputError(
                    source, "no code sheets (codes_<coder>.csv or .xlsx) in this folder"
                )
            files.extend(found)
        elif source.is_file():
            if source.suffix.lower() not in (".csv", ".xlsx"):
                raise InputError(source, "a code sheet is a .csv or .xlsx file")
            files.append(source)
        else:
            raise InputError(source, "no such file or folder")
    return files


#: The overlap design written beside the sheets: unit, coders (joined by ";"), shared.
DESIGN_FILE = "design.csv"


def read_design(folder: Path) -> dict[str, set[str]] | None:
    """Unit -> the coders given it, from ``design.csv`` in ``folder``; None without one."""
    path = folder / DESIGN_FILE
    if not path.is_file():
        return None
    rows = _sheet_rows(path)
    if not rows or rows[0][:2] != ["unit", "coders"]:
        raise InputError(path, "not an overlap design (its columns are unit, coders, shared)")
    return {row[0]: set(row[1].split(";")) for row in rows[1:] if len(row) >= 2}


def _read_sheet(
    path: Path, codebook: Codebook, problems: list[BadCell], design: dict[str, set[str]] | None
) -> pd.DataFrame:
    """The tidy codes of one sheet; bad cells are added to ``problems``."""
    rows = _sheet_rows(path)
    if not rows:
        raise InputError(path, "the code sheet is empty (no header row)")
    header = ["" if h is None else str(h).strip() for h in rows[0]]
    for column in ("unit", "coder"):
        if column not in header:
            raise InputError(path, f"the code sheet has no {column!r} column")
    variables = [v for v in codebook.variables if v.name in header]
    if not variables:
        raise InputError(
            path,
            f"the code sheet has none of the codebook's variables ({', '.join(codebook.names)})",
        )
    at = {name: header.index(name) for name in header if name}
    records = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], 2):
        cells = list(row) + [None] * (len(header) - len(row))
        unit = cells[at["unit"]]
        unit = "" if unit is None else str(unit).strip()
        if not unit:
            if any(cells[at[v.name]] not in (None, "") for v in variables):
                problems.append(
                    BadCell(path.name, number, "unit", "", "is empty but the row holds codes")
                )
            continue
        if unit in seen:
            problems.append(
                BadCell(path.name, number, "unit", unit, f"is coded twice (also row {seen[unit]})")
            )
            continue
        seen[unit] = number
        coder = cells[at["coder"]]
        coder = "" if coder is None else str(coder).strip()
        if not coder:
            problems.append(BadCell(path.name, number, "coder", "", "is empty"))
            continue
        if design is not None and unit not in design:
            problems.append(BadCell(path.name, number, "unit", unit, f"is not in {DESIGN_FILE}"))
            continue
        if design is not None and coder not in design[unit]:
            problems.append(
                BadCell(path.name, number, "coder", coder, f"was not given {unit} ({DESIGN_FILE})")
            )
            continue
        for variable in variables:
            cell = cells[at[variable.name]]
            try:
                value = variable.parse(cell)
            except ValueError as exc:
                problems.append(BadCell(path.name, number, variable.name, cell, str(exc)))
                continue
            if value is not None:
                records.append((unit, coder, variable.name, value))
    return pd.DataFrame(records, columns=["unit", "coder", "variable", "value"])


def read_codes(
    sources: str | os.PathLike | Iterable[str | os.PathLike], codebook: Codebook
) -> pd.DataFrame:
    """
    Read filled code sheets and check every cell against the codebook.

    Parameters
    ----------
    sources : str, Path or list of them
        A folder (its ``codes_<coder>.csv`` and ``codes_<coder>.xlsx`` sheets are
        read) or sheet files. A sheet a coder left blank is skipped, so a coder may
        fill either the CSV or the XLSX copy; a coder who filled both is an error.
        When the sheets' folder holds ``design.csv`` (the overlap design), every
        row must be a unit the design gave that coder.
    codebook : Codebook
        From :func:`read_codebook`.

    Returns
    -------
    DataFrame
        Tidy ``[unit, coder, variable, value]``, one row per coded cell, values
        as the codebook writes them (a label typed instead of its value is read as
        the value). Empty cells (not coded) give no row.

    Raises
    ------
    CodesError
        Listing every bad cell at once: file, row (as the spreadsheet numbers it),
        variable, value and the problem (not an allowed value, not a number, out
        of range, a unit coded twice, a missing unit or coder, a unit the design
        did not give the coder).
    InputError
        A sheet that cannot be read or lacks the ``unit``/``coder`` columns or
        every codebook variable.
    """
    problems: list[BadCell] = []
    tables = []
    filled: dict[str, str] = {}
    designs: dict[Path, dict[str, set[str]] | None] = {}
    for path in _sheet_files(sources):
        if path.parent not in designs:
            designs[path.parent] = read_design(path.parent)
        table = _read_sheet(path, codebook, problems, designs[path.parent])
        if table.empty:
            continue
        for coder in table["coder"].unique():
            if coder in filled and filled[coder] != path.name:
                raise InputError(
                    path,
                    f"coder {coder!r} also has codes in {filled[coder]}; keep one sheet per coder",
                )
            filled[coder] = path.name
        tables.append(table)
    if problems:
        raise CodesError(problems)
    if not tables:
        return pd.DataFrame(columns=["unit", "coder", "variable", "value"])
    codes = pd.concat(tables, ignore_index=True)
    return codes.astype({"unit": "string", "coder": "string", "variable": "string"})
