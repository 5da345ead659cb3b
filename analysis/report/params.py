"""Report parameters: read a notebook's ``parameters`` cell, coerce and check values."""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import datetime as dt
import difflib
import io
import logging
import tokenize
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, get_args

from analysis.corpus.sampling import ALLOCATIONS
from analysis.corpus.selection import parse_date_range
from analysis.engine.open import ENGINES, check_engine
from analysis.errors import InputError, ParameterError
from analysis.measures.vader import ENGINES as TONE_ENGINES
from analysis.options import Copies
from analysis.paths import SAFE_NAME, repo_path
from analysis.readers.coding import UNITS

log = logging.getLogger(__name__)

DEFAULT_NOTEBOOK = "coverage_report"


_SCALARS = {"str", "int", "float", "bool"}

_TRUE = {"true", "yes", "on", "1"}

_FALSE = {"false", "no", "off", "0"}


#: Parameters the runner fills in itself when a notebook declares them.
RUNNER_PARAMS = ("corpus", "output_dir")

#: The periods the charts over time group by: day, week and month.
PERIODS = ("D", "W", "M")

#: Allowed values of the parameters the notebooks share, by name. A notebook that
#: declares one of them as a plain ``str`` gets these choices, as if it had written
#: ``Literal[...]``; ``python -m analysis params`` lists them.
CHOICES: dict[str, tuple[str, ...]] = {
    "copies": get_args(Copies),
    "sentiment_engine": tuple(TONE_ENGINES),
    "engine": tuple(ENGINES),
    "period": PERIODS,
    "unit": UNITS,
    "allocation": ALLOCATIONS,
}

#: Parameters that count rows, terms or units: a whole number of 1 or more.
COUNTS = ("top", "rows", "sample_size")
#: Parameters that were renamed: the former name still works for one release, with a warning.
FORMER_NAMES = {"top_n": "top"}


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One entry of a notebook's ``parameters`` cell."""

    name: str
    type: str
    default: Any
    help: str = ""
    choices: tuple[str, ...] = ()


def _annotation(node: ast.expr, where: str) -> tuple[str, tuple[str, ...]]:
    text = ast.unparse(node).replace("typing.", "").replace(" ", "")
    if text in _SCALARS or text in {f"list[{s}]" for s in ("str", "int", "float")}:
        return text, ()
    if (
        isinstance(node, ast.Subscript)
        and ast.unparse(node.value).replace("typing.", "") == "Literal"
    ):
        elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        choices = []
        for elt in elts:
            if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
                raise ParameterError(f"{where}: Literal choices must be strings")
            choices.append(elt.value)
        return "str", tuple(choices)
    raise ParameterError(
        f"{where}: unsupported type {text!r} (use str, int, float, bool, list[str], "
        "list[int], list[float] or Literal['a', 'b'])"
    )


def _line_comments(source: str) -> dict[int, str]:
    comments: dict[int, str] = {}
    with contextlib.suppress(tokenize.TokenError, IndentationError):
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    return comments


def _parameters_cell(nb: Any) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            return cell.source
    return None


def read_parameters(notebook: str | Path) -> list[Parameter]:
    """
    Read the ``parameters`` cell of a notebook: names, types, defaults and help.

    Each line of the cell is ``name: type = literal  # help``; the allowed types are
    ``str``, ``int``, ``float``, ``bool``, ``list[str]``, ``list[int]``, ``list[float]``
    and ``Literal["a", "b"]`` (a string chosen from a fixed set).

    Parameters
    ----------
    notebook : str or Path
        Notebook name in ``notebooks/`` (``"coverage_report"``) or path to an ``.ipynb``.

    Returns
    -------
    list of Parameter
        In the order of the cell; empty when the notebook has no parameters cell.

    Raises
    ------
    ParameterError
        When the notebook is missing or a line of its parameters cell is not a typed literal.

    Examples
    --------
    >>> [p.name for p in read_parameters("coverage_report")][:2]
    ['corpus', 'title']
    """
    import nbformat

    path = resolve_notebook(notebook)
    nb = nbformat.read(path, as_version=4)
    source = _parameters_cell(nb)
    if source is None:
        return []
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{path.name}: parameters cell is not valid Python: {exc}") from exc
    comments = _line_comments(source)
    params = []
    for stmt in tree.body:
        where = f"{path.name}, parameters cell line {stmt.lineno}"
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name, value_node = stmt.target.id, stmt.value
            type_name, choices = _annotation(stmt.annotation, where)
        elif (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            name, value_node, choices = stmt.targets[0].id, stmt.value, ()
            type_name = ""
        else:
            raise ParameterError(f"{where}: expected `name: type = literal  # help`")
        if value_node is None:
            raise ParameterError(f"{where}: parameter {name!r} has no default value")
        try:
            default = ast.literal_eval(value_node)
        except ValueError as exc:
            raise ParameterError(f"{where}: default of {name!r} is not a literal") from exc
        if not type_name:
            type_name = type(default).__name__
            if type_name == "list":
                type_name = "list[str]"
            if type_name not in _SCALARS and type_name != "list[str]":
                raise ParameterError(f"{where}: give {name!r} a type annotation")
        if not choices and type_name == "str":
            choices = CHOICES.get(name, ())
        params.append(Parameter(name, type_name, default, comments.get(stmt.lineno, ""), choices))
    return params


def _coerce_scalar(name: str, kind: str, value: Any) -> Any:
    def wrong() -> ParameterError:
        return ParameterError(f"parameter {name!r} expects {kind}, got {value!r}")

    if isinstance(value, str):
        text = value.strip()
        if kind == "str":
            return value
        if kind == "bool":
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise wrong()
        try:
            return int(text) if kind == "int" else float(text)
        except ValueError:
            raise wrong() from None
    if kind == "str":
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        raise wrong()
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise wrong()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise wrong()
    if kind == "int":
        if isinstance(value, float) and not value.is_integer():
            raise wrong()
        return int(value)
    return float(value)


def coerce_value(param: Parameter, value: Any) -> Any:
    """
    Convert ``value`` (a command-line string or a YAML value) to the type of ``param``.

    Strings are parsed (``"20"`` for an int, ``"yes"`` for a bool, ``"BBC,CNN"`` or
    ``"[BBC, CNN]"`` for a list); other values must already have the right type.

    Raises
    ------
    ParameterError
        Naming the parameter, the expected type and the value received.

    Examples
    --------
    >>> coerce_value(Parameter("outlets", "list[str]", []), "BBC, CNN")
    ['BBC', 'CNN']
    """
    if param.type.startswith("list["):
        inner = param.type[5:-1]
        items = value
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import yaml

                try:
                    items = yaml.safe_load(text)
                except yaml.YAMLError as exc:
                    raise ParameterError(
                        f"parameter {param.name!r}: cannot read {value!r}"
                    ) from exc
            else:
                items = [part.strip() for part in text.split(",") if part.strip()]
        if not isinstance(items, (list, tuple)):
            raise ParameterError(
                f"parameter {param.name!r} expects a list of {inner}, got {value!r}"
            )
        return [_coerce_scalar(param.name, inner, item) for item in items]
    out = _coerce_scalar(param.name, param.type, value)
    if param.choices and out not in param.choices:
        hint = _period_hint(out) if param.name == "period" else _closest(out, param.choices)
        raise ParameterError(
            f"parameter {param.name!r}: {out!r} is not allowed{hint}; "
            f"allowed values: {', '.join(param.choices)}"
        )
    return out


def _closest(value: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the nearest of ``known`` (case-insensitive), or ""."""
    by_lower = {str(k).lower(): str(k) for k in known}
    text = str(value).lower().strip()

    def initials(name: str) -> str:
        words = name.split()
        return "".join(w[0] for w in words) if len(words) > 1 else ""

    near = [  # a part of the name ("ledger"), or its initials ("nyt", "new york times")
        k
        for k in by_lower
        if (len(text) >= 3 and (text in k or (len(k) >= 3 and k in text)))
        or text in {initials(k)} - {""}
        or k == initials(text)
    ][:3]
    near = near or difflib.get_close_matches(text, list(by_lower), n=3, cutoff=0.5)
    if not near:
        return ""
    return " (did you mean " + " or ".join(repr(by_lower[n]) for n in near) + "?)"


def _period_hint(value: str) -> str:
    """Why a pandas frequency that is not a day, week or month is still refused."""
    from pandas.tseries.frequencies import to_offset

    try:
        offset = to_offset(value)
    except (ValueError, TypeError):
        return " (not a pandas offset alias either)"
    return (
        f" (pandas reads it as {offset.freqstr!r}, but the charts over time group "
        "by day, week or month)"
    )


def parse_assignments(pairs: Iterable[str]) -> dict[str, str]:
    """
    Split ``key=value`` strings from the command line into a dict (later keys win).

    Examples
    --------
    >>> parse_assignments(["top=5", "title=Week 12"])
    {'top': '5', 'title': 'Week 12'}
    """
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"-p expects key=value, got {pair!r}")
        out[key.strip()] = value
    return out


def read_params_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML (or JSON) mapping of parameter values."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ParameterError(f"--params-file {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ParameterError(f"--params-file {path}: not valid YAML ({exc})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(f"--params-file {path}: expected a mapping of name: value")
    return {str(k): v for k, v in data.items()}


def validate_parameters(
    notebook: str | Path, values: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Parameter]]:
    """
    Check ``values`` against a notebook's parameters cell and return them typed.

    Raises
    ------
    ParameterError
        For an unknown name (listing the known ones), a value of the wrong type, a
        choice outside a ``Literal`` or :data:`CHOICES`, a count below 1, a
        ``dictionary`` that cannot be loaded, an unreadable ``date_range`` (or
        ``group_a``/``group_b`` when ``compare`` is ``"period"``), an unknown
        ``engine`` or a ``query`` string that cannot be read.
    """
    spec = read_parameters(notebook)
    by_name = {p.name: p for p in spec}
    values = dict(values)
    for old, new in FORMER_NAMES.items():
        if old in values and old not in by_name and new in by_name:
            if new in values:
                raise ParameterError(f"give parameter {new!r} only, not {old!r} as well")
            log.warning("parameter %r is now called %r; %r will stop working", old, new, old)
            values[new] = values.pop(old)
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        known = ", ".join(by_name) or "none"
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)} for {resolve_notebook(notebook).name}; "
            f"known: {known}"
        )
    if by_name.get("query") and by_name["query"].type == "str" and "query" in values:
        from analysis.text.query import as_query

        if isinstance(values["query"], (list, tuple, str)):
            values["query"] = as_query(values["query"])  # a list of words: any of them
    typed = {name: coerce_value(by_name[name], value) for name, value in values.items()}
    if "date_range" in typed:
        parse_date_range(typed["date_range"])
    if "engine" in typed:
        check_engine(typed["engine"])
    if isinstance(typed.get("query"), str) and typed["query"].strip():
        from analysis.text.query import parse_query

        parse_query(typed["query"])  # a syntax error names its column, before the kernel starts
    for name in COUNTS:
        if isinstance(typed.get(name), int) and typed[name] < 1:
            raise ParameterError(
                f"parameter {name!r}: {typed[name]} is not allowed; allowed values: 1 or more"
            )
    if typed.get("dictionary"):
        from analysis.measures.dictionaries import load_dictionary

        try:
            load_dictionary(typed["dictionary"])
        except InputError as exc:
            raise ParameterError(f"parameter 'dictionary': {exc}") from None
    merged = {p.name: p.default for p in spec} | typed
    if "codes" in by_name and "codebook" in by_name:
        check_coding(merged)
    if merged.get("compare") == "period":
        for name in ("group_a", "group_b"):
            try:
                parse_date_range(str(merged.get(name) or ""))
            except ParameterError as exc:
                raise ParameterError(f"parameter {name!r} (compare='period'): {exc}") from None
    return typed, spec


def check_coding(values: Mapping[str, Any]) -> None:
    """
    Check the parameters of manual coding before a report runs.

    The codebook must load; ``codes``, when given, must be a folder or sheet that
    reads against it, holding answers to ``tone_variable``; the coders' names and
    the name a validation is saved under must be plain names; ``overlap`` a share.

    Raises
    ------
    ParameterError
        Naming the parameter, the value and the problem.
    """
    from analysis.readers.coding import EXAMPLE_CODEBOOK, CodesError, read_codebook, read_codes

    try:
        book = read_codebook(values.get("codebook") or EXAMPLE_CODEBOOK)
    except InputError as exc:
        raise ParameterError(f"parameter 'codebook': {exc}") from None
    variable = values.get("tone_variable")
    if variable and variable not in book.names:
        raise ParameterError(
            f"parameter 'tone_variable': {variable!r} is not a variable of the codebook "
            f"{book.path or book.name!r}; its variables: {', '.join(book.names)}"
        )
    if variable and book[variable].level == "nominal" and len(book[variable].allowed) > 3:
        raise ParameterError(
            f"parameter 'tone_variable': {variable!r} is a nominal variable of "
            f"{len(book[variable].allowed)} values, not a tone; give an ordinal or interval one"
        )
    cuts = list(values.get("thresholds") or [])
    if cuts and variable:
        classes = book[variable].allowed if book[variable].level in ("nominal", "ordinal") else []
        if any(b <= a for a, b in zip(cuts, cuts[1:])) or (
            classes and len(cuts) != len(classes) - 1
        ):
            need = f"{len(classes) - 1} " if classes else ""
            raise ParameterError(
                f"parameter 'thresholds': {cuts}; allowed values: {need}increasing cuts of the "
                f"compound, one fewer than the classes of {variable!r}"
            )
    overlap = values.get("overlap")
    if isinstance(overlap, float) and not 0 <= overlap <= 1:
        raise ParameterError(
            f"parameter 'overlap': {overlap!r}; allowed values: a share from 0 to 1"
        )
    for coder in values.get("coders") or []:
        if not SAFE_NAME.fullmatch(coder):
            raise ParameterError(
                f"parameter 'coders': {coder!r}; use letters, digits, '.', '-' or '_'"
            )
    name = values.get("validation_name")
    if name and not SAFE_NAME.fullmatch(name):
        raise ParameterError(
            f"parameter 'validation_name': {name!r}; use letters, digits, '.', '-' or '_'"
        )
    codes = str(values.get("codes") or "").strip()
    if not codes:
        return
    if not Path(codes).expanduser().exists():
        raise ParameterError(
            f"parameter 'codes': {codes} does not exist; give the folder of filled sheets"
        )
    try:
        read = read_codes(Path(codes).expanduser(), book)
    except (CodesError, InputError) as exc:
        raise ParameterError(f"parameter 'codes': {exc}") from None
    if read.empty:
        raise ParameterError(
            f"parameter 'codes': no code in the sheets of {codes}; are they filled?"
        )
    if variable and not (read["variable"] == variable).any():
        raise ParameterError(
            f"parameter 'codes': the sheets in {codes} hold no {variable!r} "
            "(tone_variable); code it, or name the variable that holds the tone"
        )


#: Parameters that name a column of the corpus (``compare`` may also be ``"period"``).
COLUMN_PARAMETERS = ("group_by", "compare")

#: Most names listed in a message before "and N more".
_LISTED = 25


def _listing(values: Iterable[str]) -> str:
    values = sorted(values, key=str.lower)
    more = f" and {len(values) - _LISTED} more" if len(values) > _LISTED else ""
    return ", ".join(values[:_LISTED]) + more


def corpus_values(corpus_dir: str | Path, columns: Iterable[str]) -> dict[str, set[str]]:
    """
    Return the distinct values of some columns of an ingested corpus, read column by column.

    A column of the canonical schema that the corpus leaves empty maps to an empty set;
    a name that is no column of the corpus is left out. The ``"*"`` key holds the
    names of every column the corpus has.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from analysis.corpus.parts import DUPLICATES, articles_path, part_files
    from analysis.schema import COLUMNS

    path = articles_path(corpus_dir)
    files = part_files(path) if path.is_dir() else [path]
    stories = Path(corpus_dir) / DUPLICATES
    wanted = list(dict.fromkeys(columns))
    out: dict[str, set[str]] = {name: set() for name in wanted if name in COLUMNS}
    names = set(COLUMNS)
    for file in [*files, *([stories] if stories.is_file() else [])]:
        try:
            present = pq.read_schema(file).names
            names.update(present)
            table = pq.read_table(file, columns=[c for c in wanted if c in present])
        except (OSError, ValueError):  # a damaged part is named when the notebook opens it
            continue
        for name in table.column_names:
            distinct = pc.unique(table[name]).to_pylist()
            out.setdefault(name, set()).update(
                str(v) for v in distinct if v is not None and str(v).strip()
            )
    out["*"] = names
    return out


def check_against_corpus(values: Mapping[str, Any], corpus_dir: str | Path) -> list[str]:
    """
    Check the parameters that name columns, outlets or groups against the corpus itself.

    ``group_by`` and ``compare`` must name a column that has values in this corpus
    (``compare`` may also be ``"period"``); ``group_a`` and ``group_b`` must be values
    of the ``compare`` column, and ``outlets`` outlets of the corpus (case-insensitive,
    as the selection reads them).

    Parameters
    ----------
    values : mapping
        The run's parameter values, defaults included.
    corpus_dir : str or Path
        The ingested corpus the run reads.

    Returns
    -------
    list of str
        Warnings: outlets that match nothing while others do (the run goes on without them).

    Raises
    ------
    ParameterError
        Naming the parameter, the value and the closest names the corpus has: a column
        the corpus lacks or leaves empty, a group or every outlet matching nothing.
    """
    columns = [values[n] for n in COLUMN_PARAMETERS if values.get(n) and values[n] != "period"]
    given = [str(o).strip() for o in values.get("outlets") or [] if str(o).strip()]
    by_column = values.get("compare") not in (None, "", "period")
    groups = [n for n in ("group_a", "group_b") if values.get(n)] if by_column else []
    if not columns and not given:
        return []
    found = corpus_values(corpus_dir, [*columns, *(["outlet"] if given else [])])
    for name in COLUMN_PARAMETERS:
        column = values.get(name)
        if column and column != "period" and not found.get(column):
            filled = sorted(c for c in found["*"] if found.get(c) or c not in found)
            reason = (
                "has no values in this corpus"
                if column in found
                else "is not a column of the corpus"
            )
            period = " or 'period'" if name == "compare" else ""
            raise ParameterError(
                f"parameter {name!r}: {column!r} {reason}{_closest(column, filled)}; "
                f"allowed values: {_listing(filled)}{period}"
            )
    for name in groups:
        column, value = values["compare"], str(values[name]).strip()
        if value.lower() not in {v.lower() for v in found[column]}:
            raise ParameterError(
                f"parameter {name!r}: {value!r} is no value of {column!r} in this corpus"
                f"{_closest(value, found[column])}; allowed values: {_listing(found[column])}"
            )
    if not given:
        return []
    outlets = found.get("outlet", set())
    known = {o.lower() for o in outlets}
    missing = [o for o in given if o.lower() not in known]
    notes = [f"{o!r} matches no outlet{_closest(o, outlets)}" for o in missing]
    if len(missing) == len(given):
        raise ParameterError(
            f"parameter 'outlets': {'; '.join(notes)}; outlets of the corpus: {_listing(outlets)}"
        )
    kept = [o for o in given if o not in missing]
    return [f"outlets: {note}; the report reads {', '.join(kept)} only" for note in notes]


def notebooks_dir() -> Path:
    """Return the folder of the bundled notebooks."""
    return repo_path("notebooks")


def resolve_notebook(notebook: str | Path | None) -> Path:
    """Return the path of a notebook given by name (``"explore"``) or by path."""
    raw = str(notebook or DEFAULT_NOTEBOOK)
    path = Path(raw).expanduser()
    candidates = [path, path.with_suffix(".ipynb")] if path.suffix != ".ipynb" else [path]
    if not path.is_absolute() and len(path.parts) == 1:
        candidates += [notebooks_dir() / c.name for c in candidates]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    available = ", ".join(sorted(p.stem for p in notebooks_dir().glob("*.ipynb"))) or "none"
    raise ParameterError(f"notebook {raw!r} not found (bundled notebooks: {available})")
