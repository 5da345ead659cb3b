"""Reports: run a parameterized notebook with papermill and render one offline HTML file.

The runner is the output end of the pipeline::

    python -m analysis report [NOTEBOOK] --corpus DIR [-p key=value]... [--params-file YAML]
                              [--out DIR] [--name NAME] [--show-code] [--ingest INPUT]
                              [--engine {pandas,dask}] [--scheduler ADDRESS]
    python -m analysis params NOTEBOOK

A run validates the parameters against the notebook's ``parameters`` cell before
anything executes, runs the notebook in a fresh kernel, renders ``report.html`` with
the template in ``analysis/templates/report`` (no script, no CDN, figures embedded,
untrusted text escaped) and moves the finished folder into
``reports/<notebook>/<name>/`` in one rename, so a failed run never replaces the
last good report. ``reports/index.html`` lists every report and is rebuilt each run.

The module also holds the small functions the notebooks call around the helpers:
:func:`load_corpus`, :func:`select_articles`, :func:`require_articles`,
:func:`parse_date_range`, :func:`corpus_overview`, :func:`tally`, :func:`two_groups`,
:func:`n_groups`, :func:`add_article_column`, :func:`cached_by_article`,
:func:`save_figure` and :func:`show_table`.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import datetime as dt
import functools
import html
import importlib.metadata as md
import io
import json
import logging
import os
import re
import shutil
import sys
import threading
import time
import tokenize
from collections.abc import Iterable, Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError, InputError, ParameterError
from analysis.paths import (
    PACKAGE_DIR,
    default_corpus_dir,
    repo_path,
    reports_dir,
    write_arrow,
)
from analysis.report.kernel import (
    KERNEL_NAME,
    start_kernel,
    stop_kernel,
    take_early,
)

log = logging.getLogger(__name__)

TEMPLATES_DIR = PACKAGE_DIR / "templates"
TEMPLATE_NAME = "report"
DEFAULT_NOTEBOOK = "coverage_report"

#: Names a report folder may take: letters, digits, dot, dash, underscore; no leading dot.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
#: Parameters the runner fills in itself when a notebook declares them.
_RUNNER_PARAMS = ("corpus", "output_dir")
_VERSIONED = (
    "pandas",
    "numpy",
    "pyarrow",
    "matplotlib",
    "nltk",
    "vaderSentiment",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
)


class ReportError(AnalysisError):
    """A report run failed; the executed notebook was kept for debugging."""


class NoArticlesError(AnalysisError):
    """No article is left after filtering; a report shows the message instead of analyses."""


# --------------------------------------------------------------------------------------
# Parameters: read the notebook's parameters cell, coerce and validate values
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One entry of a notebook's ``parameters`` cell."""

    name: str
    type: str
    default: Any
    help: str = ""
    choices: tuple[str, ...] = ()


_SCALARS = {"str", "int", "float", "bool"}


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
        params.append(Parameter(name, type_name, default, comments.get(stmt.lineno, ""), choices))
    return params


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


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
        raise ParameterError(
            f"parameter {param.name!r} must be one of {', '.join(param.choices)}; got {out!r}"
        )
    return out


def parse_assignments(pairs: Iterable[str]) -> dict[str, str]:
    """
    Split ``key=value`` strings from the command line into a dict (later keys win).

    Examples
    --------
    >>> parse_assignments(["top_n=5", "title=Week 12"])
    {'top_n': '5', 'title': 'Week 12'}
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
        choice outside a ``Literal``, an unreadable ``date_range`` or an unknown
        ``engine``.
    """
    spec = read_parameters(notebook)
    by_name = {p.name: p for p in spec}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        known = ", ".join(by_name) or "none"
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)} for {resolve_notebook(notebook).name}; "
            f"known: {known}"
        )
    typed = {name: coerce_value(by_name[name], value) for name, value in values.items()}
    if "date_range" in typed:
        parse_date_range(typed["date_range"])
    if "engine" in typed:
        check_engine(typed["engine"])
    return typed, spec


# --------------------------------------------------------------------------------------
# Dates, corpus and selection: what the notebooks call
# --------------------------------------------------------------------------------------

_UNITS = {"day": "D", "week": "W", "month": "M", "year": "Y"}
_RELATIVE = re.compile(r"^(?:last|past)\s+(\d+)\s+(day|week|month|year)s?$")


def _period_bounds(text: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        start = pd.Timestamp(f"{text}-01-01", tz="UTC")
        return start, start + pd.DateOffset(years=1)
    if re.fullmatch(r"\d{4}-\d{1,2}", text):
        start = pd.Timestamp(f"{text}-01", tz="UTC")
        return start, start + pd.DateOffset(months=1)
    stamp = pd.Timestamp(text)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    if stamp == stamp.normalize() and not re.search(r"[T ]\d", text):
        return stamp, stamp + pd.Timedelta(days=1)
    return stamp, stamp


def parse_date_range(
    text: str, *, now: dt.datetime | pd.Timestamp | None = None
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """
    Turn a date-range phrase into UTC bounds ``(start, end)``, start inclusive, end exclusive.

    Accepted phrases: ``""`` or ``"all"`` (no bounds); ``"2022-03-01"``, ``"2022-03"``
    or ``"2022"`` (that day, month or year); ``"2022-02-24..2022-03-31"`` (both days
    included; either side may be left empty); ``"since 2022-03-01"``,
    ``"until 2022-03-31"``; ``"today"``, ``"yesterday"``, ``"this week"``,
    ``"this month"``, ``"this year"``; and ``"last 7 days"`` (also weeks, months,
    years): from midnight UTC that long before today up to now, so a scheduled report
    needs no edits.

    Raises
    ------
    ParameterError
        When the phrase cannot be read; the message lists the accepted forms.

    Examples
    --------
    >>> parse_date_range("2022-03-01..2022-03-31")
    (Timestamp('2022-03-01 00:00:00+0000', tz='UTC'), Timestamp('2022-04-01 00:00:00+0000', tz='UTC'))
    >>> parse_date_range("last 7 days", now=pd.Timestamp("2022-03-10 15:00", tz="UTC"))[0]
    Timestamp('2022-03-03 00:00:00+0000', tz='UTC')
    """
    phrase = " ".join(str(text or "").lower().split())
    now_ts = pd.Timestamp(now) if now is not None else pd.Timestamp.now(tz="UTC")
    now_ts = now_ts.tz_localize("UTC") if now_ts.tzinfo is None else now_ts.tz_convert("UTC")
    today = now_ts.normalize()
    try:
        if phrase in ("", "all"):
            return None, None
        if phrase == "today":
            return today, today + pd.Timedelta(days=1)
        if phrase == "yesterday":
            return today - pd.Timedelta(days=1), today
        if phrase == "this week":
            return today - pd.Timedelta(days=today.day_of_week), None
        if phrase == "this month":
            return today.replace(day=1), None
        if phrase == "this year":
            return today.replace(month=1, day=1), None
        match = _RELATIVE.match(phrase)
        if match:
            n, unit = int(match.group(1)), match.group(2)
            offset = pd.DateOffset(**{f"{unit}s": n})
            return today - offset, None
        if phrase.startswith("since "):
            return _period_bounds(phrase[6:])[0], None
        for word in ("until ", "before "):
            if phrase.startswith(word):
                start, end = _period_bounds(phrase[len(word) :])
                return None, start if word == "before " else end
        if ".." in phrase:
            left, right = (part.strip() for part in phrase.split("..", 1))
            start = _period_bounds(left)[0] if left else None
            end = _period_bounds(right)[1] if right else None
            if start is not None and end is not None and end <= start:
                raise ValueError("the range ends before it starts")
            return start, end
        return _period_bounds(phrase)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ParameterError(
            f"date_range {text!r} cannot be read ({exc}); use e.g. '2022-03-01..2022-03-31', "
            "'2022-03', 'since 2022-03-01', 'last 7 days', 'this month' or '' for all dates"
        ) from None


def corpus_path(corpus: str | Path = "") -> Path:
    """Return the corpus folder for a ``corpus`` parameter; ``""`` means the bundled corpus."""
    return Path(corpus).expanduser() if str(corpus).strip() else default_corpus_dir()


def load_corpus(corpus: str | Path = "", *, engine: str = "pandas", scheduler: str = "") -> Any:
    """
    Open a corpus folder (see ``python -m analysis ingest``) and return its articles table.

    Parameters
    ----------
    corpus : str or Path, default ""
        Corpus folder holding ``articles.parquet``; ``""`` uses the bundled corpus
        (``analysis.paths.default_corpus_dir()``, built by ``make ingest``).
    engine : {"pandas", "dask"}, default "pandas"
        ``"pandas"`` reads the table into memory; ``"dask"`` opens it as a
        partitioned Dask table read partition by partition (see ``analysis.engine.dask``).
        The helpers a notebook calls as ``analysis.<name>`` take either.
    scheduler : str, default ""
        Dask scheduler address of an existing cluster (dask engine only); ``""``
        uses ``$MCA_DASK_SCHEDULER`` when set, else a local cluster.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame

    Raises
    ------
    InputError
        When the folder holds no corpus.
    ParameterError
        For an unknown engine, or a scheduler that cannot be reached.
    """
    from analysis import open_corpus

    check_engine(engine)
    path = corpus_path(corpus)
    if not path.is_dir():
        raise InputError(
            path, "no corpus here; build one with `python -m analysis ingest INPUT... --corpus DIR`"
        )
    if engine == "dask":
        from analysis.engine.dask import open_corpus_engine

        return open_corpus_engine(path, "dask", scheduler=str(scheduler).strip() or None)
    opened = open_corpus(path)
    articles = opened if isinstance(opened, pd.DataFrame) else getattr(opened, "articles", None)
    if callable(articles):
        articles = articles()
    if not isinstance(articles, pd.DataFrame):
        raise InputError(path, f"open_corpus returned {type(opened).__name__}, not a table")
    return articles


#: Engines a report can run on (the ``engine`` parameter).
ENGINES = ("pandas", "dask")


def check_engine(engine: str) -> str:
    """Return ``engine`` when it names an engine, else raise :class:`ParameterError`."""
    if engine not in ENGINES:
        raise ParameterError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    return engine


def select_articles(
    articles: pd.DataFrame,
    *,
    date_range: str = "",
    outlets: Sequence[str] = (),
    copies: Literal["unique", "all"] = "unique",
    now: dt.datetime | pd.Timestamp | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """
    Keep the articles a report is about and say how many each rule kept.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table.
    date_range : str, default ""
        A phrase read by :func:`parse_date_range`; articles without a date are dropped
        when a range is given.
    outlets : sequence of str, default ()
        Outlets to keep (case-insensitive); empty keeps all.
    copies : {"unique", "all"}, default "unique"
        ``"unique"`` keeps one copy of each story (the canonical copy of each
        ``story_id`` when present in the selection; when the table has no story groups
        they are found first with ``analysis.dedupe``).
    now : datetime, optional
        Reference time for relative ranges; default the current time.

    Returns
    -------
    (DataFrame, DataFrame)
        The selected articles, and a table ``[step, rule, articles]`` of the counts.

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["A", "B"], "published": pd.to_datetime(
    ...     ["2022-03-01", "2022-04-01"], utc=True), "text": ["x", "y"]})
    >>> kept, steps = select_articles(df, date_range="2022-03", copies="all")
    >>> len(kept), steps["articles"].tolist()
    (1, [2, 1, 1, 1])
    """
    rules = selection_rules(date_range=date_range, outlets=outlets, copies=copies, now=now)
    n_all = len(articles)
    out = articles[date_mask(articles, rules)]
    n_dates = len(out)
    out = out[outlet_mask(out, rules)]
    n_outlets = len(out)
    if copies == "unique" and len(out):
        grouped = "story_id" in out.columns and out["story_id"].notna().all()
        if grouped:
            # the canonical copy first, then one row per story within the selection
            out = out.loc[story_order(out).drop_duplicates("story_id").index].sort_index()
        else:
            from analysis import dedupe

            out = dedupe(out)
    return out.reset_index(drop=True), selection_steps(rules, [n_all, n_dates, n_outlets, len(out)])


def selection_rules(
    *,
    date_range: str = "",
    outlets: Sequence[str] = (),
    copies: str = "unique",
    now: dt.datetime | pd.Timestamp | None = None,
) -> dict[str, Any]:
    """Check the options of :func:`select_articles` and return them ready to apply."""
    if copies not in ("unique", "all"):
        raise ParameterError(f"copies must be 'unique' or 'all', got {copies!r}")
    start, end = parse_date_range(date_range, now=now)
    return {
        "start": start,
        "end": end,
        "wanted": [o.strip().lower() for o in outlets if str(o).strip()],
        "date_range": date_range,
        "outlets": list(outlets),
        "copies": copies,
    }


def date_mask(articles: pd.DataFrame, rules: Mapping[str, Any]) -> Any:
    """Rows of ``articles`` inside the date range of ``rules`` (a boolean array)."""
    import numpy as np

    start, end = rules["start"], rules["end"]
    if start is None and end is None:
        return np.ones(len(articles), dtype=bool)
    published = pd.to_datetime(articles["published"], utc=True, errors="coerce")
    keep = published.notna()
    if start is not None:
        keep &= published >= start
    if end is not None:
        keep &= published < end
    return keep.to_numpy(dtype=bool)


def outlet_mask(articles: pd.DataFrame, rules: Mapping[str, Any]) -> Any:
    """Rows of ``articles`` from the outlets of ``rules`` (a boolean array)."""
    import numpy as np

    if not rules["wanted"]:
        return np.ones(len(articles), dtype=bool)
    lower = articles["outlet"].astype("string").str.lower()
    return lower.isin(rules["wanted"]).fillna(False).to_numpy(dtype=bool)


def story_order(articles: pd.DataFrame) -> pd.DataFrame:
    """Rows with the canonical copy of each story first, otherwise in table order."""
    flags = articles["is_duplicate"] if "is_duplicate" in articles.columns else False
    order = pd.Series(flags, index=articles.index).fillna(False).astype(bool)
    return articles.loc[order.sort_values(kind="stable").index]


def selection_steps(rules: Mapping[str, Any], counts: Sequence[int]) -> pd.DataFrame:
    """The ``[step, rule, articles]`` table of :func:`select_articles` from its four counts."""
    copies = "one copy per story" if rules["copies"] == "unique" else "every copy"
    steps = [
        ("corpus", "every article", counts[0]),
        ("dates", rules["date_range"] or "all dates", counts[1]),
        ("outlets", ", ".join(rules["outlets"]) if rules["wanted"] else "all outlets", counts[2]),
        ("copies", copies, counts[3]),
    ]
    return pd.DataFrame(steps, columns=["step", "rule", "articles"])


def corpus_overview(articles: pd.DataFrame, *, by: str = "outlet") -> pd.DataFrame:
    """
    Summarize what a corpus holds per group: articles, words, dates, copies.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table (``story_id``/``is_duplicate``/``syndicated`` are
        used when present).
    by : str, default "outlet"
        Column to group by.

    Returns
    -------
    DataFrame
        ``[by, articles, words, first, last, undated, duplicates, syndicated]``,
        largest group first.

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["A", "A", "B"], "n_words": [10, 20, 5],
    ...     "published": pd.to_datetime(["2022-03-01", None, "2022-03-02"], utc=True)})
    >>> corpus_overview(df)[["outlet", "articles", "words", "undated"]].values.tolist()
    [['A', 2, 30, 1], ['B', 1, 5, 0]]
    """
    return overview_table(overview_counts(articles, by=by), by=by)


def overview_counts(articles: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """
    Per group of ``by``: articles, words, first and last day, undated, copies, syndicated.

    Sums, minima and maxima only, so the tables of several parts of a corpus
    combine with :func:`combine_overview` into the table of the whole.
    """
    if by not in articles.columns:
        raise ParameterError(f"group_by {by!r} is not a column of the articles table")
    frame = articles.assign(
        _key=articles[by].astype("string").fillna("(none)"),
        _words=pd.to_numeric(articles.get("n_words", 0), errors="coerce").fillna(0),
        _date=pd.to_datetime(articles["published"], utc=True, errors="coerce"),
    )
    frame = frame.assign(
        _day=frame["_date"].dt.floor("D"),
        _dup=_flag(articles, "is_duplicate"),
        _synd=_flag(articles, "syndicated"),
    )
    out = frame.groupby("_key", sort=False).agg(
        articles=("_key", "size"),
        words=("_words", "sum"),
        first=("_day", "min"),
        last=("_day", "max"),
        undated=("_date", lambda s: int(s.isna().sum())),
        duplicates=("_dup", "sum"),
        syndicated=("_synd", "sum"),
    )
    # an empty part (a partition the selection left empty) must keep the same types
    counts = ["articles", "undated", "duplicates", "syndicated"]
    return out.astype({**dict.fromkeys(counts, "int64"), "words": "float64"})


#: How the columns of :func:`overview_counts` combine across parts of a corpus.
_OVERVIEW_COMBINE = {
    "articles": "sum",
    "words": "sum",
    "first": "min",
    "last": "max",
    "undated": "sum",
    "duplicates": "sum",
    "syndicated": "sum",
}


def combine_overview(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Combine :func:`overview_counts` tables of parts of a corpus (groups in order of appearance)."""
    return pd.concat(list(parts)).groupby(level=0, sort=False).agg(_OVERVIEW_COMBINE)


def overview_table(counts: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """Finish :func:`overview_counts`: whole words, largest group first."""
    out = counts.copy()
    out["words"] = out["words"].astype("int64")
    out = out.rename_axis(by).reset_index().sort_values(["articles", by], ascending=[False, True])
    return out.reset_index(drop=True)


def _flag(articles: pd.DataFrame, column: str) -> pd.Series:
    if column not in articles.columns:
        return pd.Series(0, index=articles.index, dtype="int64")
    return articles[column].astype("boolean").fillna(False).astype("int64")


def tally(articles: pd.DataFrame, column: str, *, by: str | None = None) -> pd.DataFrame:
    """
    Count articles per value of ``column`` (missing values counted as ``"(unknown)"``).

    Returns
    -------
    DataFrame
        ``[by?, column, articles, share]``; ``share`` is within each ``by`` group.

    Examples
    --------
    >>> tally(pd.DataFrame({"language": ["en", "en", None]}), "language").values.tolist()
    [['en', 2, 0.6666666666666666], ['(unknown)', 1, 0.3333333333333333]]
    """
    return tally_table(tally_counts(articles, column, by=by), column, by=by)


def tally_counts(articles: pd.DataFrame, column: str, *, by: str | None = None) -> pd.DataFrame:
    """Rows per value of ``[by, column]`` (see :func:`tally`); counts of parts add up."""
    for name in [column] + ([by] if by else []):
        if name not in articles.columns:
            raise ParameterError(f"{name!r} is not a column of the articles table")
    keys = [by, column] if by else [column]
    frame = articles[keys].astype("string").fillna("(unknown)")
    return frame.value_counts(keys, sort=False).rename("articles").reset_index()


def combine_tallies(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Add :func:`tally_counts` tables of parts of a corpus."""
    parts = list(parts)
    keys = [c for c in parts[0].columns if c != "articles"]
    both = pd.concat(parts, ignore_index=True)
    return both.groupby(keys, sort=False, dropna=False)["articles"].sum().reset_index()


def tally_table(counts: pd.DataFrame, column: str, *, by: str | None = None) -> pd.DataFrame:
    """Finish :func:`tally_counts`: shares within each group, most frequent first."""
    counts = counts.copy()
    totals = counts.groupby(by)["articles"].transform("sum") if by else counts["articles"].sum()
    counts["share"] = counts["articles"] / totals
    order = [by, "articles"] if by else ["articles"]
    asc = [True, False] if by else [False]
    return counts.sort_values(order + [column], ascending=asc + [True]).reset_index(drop=True)


def two_groups(
    articles: pd.DataFrame, *, compare: str = "outlet", a: str = "", b: str = ""
) -> pd.DataFrame:
    """
    Keep the articles of two groups and label them in a ``group`` column.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table.
    compare : str, default "outlet"
        A column (``a`` and ``b`` are values of it, case-insensitive), or ``"period"``
        (``a`` and ``b`` are date ranges read by :func:`parse_date_range`).
    a, b : str, default ""
        The two groups. Left empty: the two largest values of the column, or for
        ``"period"`` the first and second half of the dated articles.

    Returns
    -------
    DataFrame
        The articles of both groups with ``group`` set to the label of each
        (``a`` first); an article in both periods is kept in the first.

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["A", "B", "A", "C"], "published": pd.to_datetime(
    ...     ["2022-03-01", "2022-03-02", "2022-03-03", "2022-03-04"], utc=True)})
    >>> two_groups(df, compare="outlet", a="a", b="C")["group"].tolist()
    ['A', 'A', 'C']
    """
    rules = group_rules(group_stats(articles, compare=compare, a=a, b=b), compare=compare, a=a, b=b)
    out = label_groups(articles, rules, compare=compare)
    order = {label: i for i, label in enumerate(rules)}
    return out.sort_values("group", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True
    )


def group_stats(articles: pd.DataFrame, *, compare: str, a: str = "", b: str = "") -> dict:
    """
    What :func:`two_groups` needs to know of the whole table to name its groups.

    For a column: the rows per value (in order of first appearance) and the
    first spelling of each value in lower case; for the two halves of the
    periods: the publication times. Stats of parts of a table combine with
    :func:`combine_group_stats`.
    """
    if compare == "period":
        if a or b:
            return {}
        published = pd.to_datetime(articles["published"], utc=True, errors="coerce")
        return {"dated": published.dropna()}
    if compare not in articles.columns:
        raise ParameterError(f"compare {compare!r} is neither 'period' nor a column")
    values = articles[compare].astype("string")
    spelled = pd.DataFrame({"lower": values.str.lower(), "value": values}).dropna()
    spelled = spelled.drop_duplicates("lower")
    return {
        "counts": values.value_counts(sort=False),
        "first": dict(zip(spelled["lower"].tolist(), spelled["value"].tolist())),
    }


def combine_group_stats(parts: Sequence[dict]) -> dict:
    """Combine :func:`group_stats` of parts of a table, in table order."""
    parts = list(parts)
    if not parts[0]:
        return {}
    if "dated" in parts[0]:
        return {"dated": pd.concat([p["dated"] for p in parts])}
    first: dict[str, str] = {}
    for part in parts:
        for lower, value in part["first"].items():
            first.setdefault(lower, value)
    counts = pd.concat([p["counts"] for p in parts]).groupby(level=0, sort=False).sum()
    return {"counts": counts, "first": first}


def group_rules(stats: dict, *, compare: str, a: str = "", b: str = "") -> dict[str, tuple]:
    """The two groups of :func:`two_groups`: label -> rule, first group first."""
    if compare == "period":
        if not (a or b):
            dated = stats["dated"].sort_values()
            if len(dated) < 2:
                raise NoArticlesError("Fewer than two dated articles: no periods to compare.")
            middle = dated.iloc[len(dated) // 2]
            first, last = dated.iloc[0], dated.iloc[-1]
            return {
                f"{first:%Y-%m-%d} to {middle:%Y-%m-%d}": ("dates", None, middle),
                f"{middle:%Y-%m-%d} to {last:%Y-%m-%d}": ("dates", middle, None),
            }
        return {label: ("dates", *parse_date_range(label)) for label in (a, b)}
    if not (a and b):
        ranked = stats["counts"].sort_values(ascending=False, kind="stable")
        top = [v for v in ranked.index if v not in (a, b)]
        picked = [a] if a else []
        picked += top[: 2 - len(picked)]
        if len(picked) < 2:
            raise NoArticlesError(f"Fewer than two values of {compare!r}: nothing to compare.")
        a, b = picked
    return {stats["first"].get(label.lower(), label): ("value", label.lower()) for label in (a, b)}


def label_groups(
    articles: pd.DataFrame, rules: Mapping[str, tuple], *, compare: str
) -> pd.DataFrame:
    """The rows of ``articles`` in a group of ``rules``, labelled in ``group`` (table order)."""
    labels = pd.Series(pd.NA, index=articles.index, dtype="string")
    for label, (kind, *bounds) in reversed(list(rules.items())):
        if kind == "dates":
            published = pd.to_datetime(articles["published"], utc=True, errors="coerce")
            keep = published.notna()
            if bounds[0] is not None:
                keep &= published >= bounds[0]
            if bounds[1] is not None:
                keep &= published < bounds[1]
        else:
            keep = (articles[compare].astype("string").str.lower() == bounds[0]).fillna(False)
        labels = labels.mask(keep.to_numpy(dtype=bool), label)
    out = articles.assign(group=labels)
    return out[out["group"].notna()]


def add_article_column(table: pd.DataFrame, articles: pd.DataFrame, column: str) -> pd.DataFrame:
    """
    Return ``table`` (one row per quote, sentence...) with ``column`` of its article.

    Rows are matched on ``article_id``; a table that already has ``column`` is
    returned unchanged.

    Examples
    --------
    >>> quotes = pd.DataFrame({"article_id": ["a", "b", "a"], "speaker": ["X", "Y", "Z"]})
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "group": ["first", "second"]})
    >>> add_article_column(quotes, arts, "group")["group"].tolist()
    ['first', 'second', 'first']
    """
    if column in table.columns:
        return table
    check_article_column(table, articles, column)
    lookup = articles.drop_duplicates("article_id").set_index("article_id")[column]
    return table.assign(**{column: table["article_id"].map(lookup).to_numpy()})


def check_article_column(table: Any, articles: Any, column: str) -> None:
    """Raise :class:`ParameterError` unless both tables have ``article_id`` and ``articles`` has ``column``."""
    for frame, name in ((table, "table"), (articles, "articles")):
        if "article_id" not in frame.columns:
            raise ParameterError(f"the {name} has no 'article_id' column")
    if column not in articles.columns:
        raise ParameterError(f"{column!r} is not a column of the articles table")


def n_groups(articles: pd.DataFrame, *, by: str | None = None, freq: str | None = None) -> int:
    """
    Count the groups (values of ``by``) or the periods (``freq``: "D", "W", "M") present.

    A comparison of each group against the rest needs at least two; a notebook
    can skip a chart with ``... if analysis.n_groups(articles, by=group_by) > 1 else None``.

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["A", "B", "A"], "published": pd.to_datetime(
    ...     ["2022-03-01", "2022-03-02", "2022-04-01"], utc=True)})
    >>> n_groups(df, by="outlet"), n_groups(df, freq="M")
    (2, 2)
    """
    if by is None and freq is None:
        return 1 if len(articles) else 0
    return len(group_values(articles, by=by, freq=freq))


def group_values(
    articles: pd.DataFrame, *, by: str | None = None, freq: str | None = None
) -> pd.Series:
    """The distinct values of ``by``, or the distinct periods (``freq``) with articles."""
    if by is not None:
        if by not in articles.columns:
            raise ParameterError(f"{by!r} is not a column of the articles table")
        return articles[by].dropna().drop_duplicates()
    code = {"D": "D", "W": "W", "M": "M"}.get(freq)
    if code is None:
        raise ParameterError(f"period must be 'D', 'W' or 'M', got {freq!r}")
    published = pd.to_datetime(articles["published"], utc=True, errors="coerce").dropna()
    return published.dt.tz_localize(None).dt.to_period(code).drop_duplicates()


def cached_by_article(
    func: Any,
    articles: pd.DataFrame,
    *,
    cache_dir: str | Path | None,
    name: str,
    **options: Any,
) -> pd.DataFrame:
    """
    Run a per-article helper, reusing the rows it gave for unchanged articles last time.

    For helpers whose rows for one article depend only on that article (such as
    ``analysis.extract_quotes``), so that a scheduled report after a few new files
    processes only those. Rows are kept in ``<cache_dir>/cache_<name>_<options hash>.arrow``,
    keyed by article id and a hash of the text; other options give another file.

    Parameters
    ----------
    func : callable
        ``func(articles, **options)`` returning a table with an ``article_id`` column.
    articles : DataFrame
        Articles table with ``article_id`` and ``text``.
    cache_dir : str, Path or None
        Folder for the cache (the corpus folder); None or "" computes without caching.
    name : str
        Cache name: letters, digits, '.', '-', '_'.

    Returns
    -------
    DataFrame
        What ``func(articles, **options)`` returns, rows in article order.

    Examples
    --------
    >>> import tempfile
    >>> count = lambda df: df[["article_id"]].assign(n=df["text"].str.len())
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "text": ["one", "three"]})
    >>> cached_by_article(count, arts, cache_dir=tempfile.mkdtemp(), name="n")["n"].tolist()
    [3, 5]
    """
    check_cache_request(articles, name)
    if not cache_dir or not str(cache_dir).strip() or not Path(cache_dir).is_dir():
        return func(articles, **options)
    rows_file = _rows_file(cache_dir, name, options)
    keys_file = rows_file.with_name(rows_file.stem + "_keys.arrow")
    keys = _article_keys(articles)
    done: set[str] = set()
    old = None
    if rows_file.exists() and keys_file.exists():
        try:
            old = _read_rows(rows_file)
            done = set(_read_table(keys_file).column("key").to_pylist())
        except (OSError, ValueError, KeyError) as exc:
            log.warning("cache %s unreadable (%s); recomputing", rows_file.name, exc)
            old, done = None, set()
    wanted = ~keys.isin(done).to_numpy()  # by position: the index may repeat labels
    todo, todo_keys = articles[wanted], keys[wanted]
    log.debug("%s: %d of %d articles to process", name, len(todo), len(articles))
    ready, rest = None, todo  # rows prepared ahead of the run, and the articles left to do
    if len(todo):
        from analysis.text.nlp import use_prepared_spans

        use_prepared_spans(cache_dir)  # sentences split ahead of the run, if any
        ready, found = _prepared_rows(rows_file, func, set(todo_keys))
        if found:
            rest = todo[~todo_keys.isin(found).to_numpy()]
    new = func(rest, **options) if len(todo) or old is None else None
    if ready is not None:
        new = pd.concat([t for t in (ready, new) if len(t)] or [new], ignore_index=True)
    by_id = dict(zip(articles["article_id"].astype(str), keys))
    if new is not None:
        new = new.assign(_key=new["article_id"].astype(str).map(by_id))
    parts = [t for t in (old, new) if t is not None and len(t)]
    table = pd.concat(parts, ignore_index=True) if parts else (new if new is not None else old)
    if new is not None and len(todo):
        try:
            import pyarrow as pa

            write_arrow(pa.Table.from_pandas(table, preserve_index=False), rows_file)
            write_arrow(pa.table({"key": sorted(done | set(todo_keys))}), keys_file)
            for old_file in (rows_file, keys_file):  # the Parquet files of earlier versions
                old_file.with_suffix(".parquet").unlink(missing_ok=True)
        except (OSError, ValueError) as exc:
            log.warning("cache %s not written: %s", rows_file.name, exc)
    if "_key" not in table.columns:
        return table.reset_index(drop=True)
    # the rows of the wanted versions, in article order (a repeated article: its last place)
    last = ~keys.duplicated(keep="last").to_numpy()
    place = pd.Index(keys[last]).get_indexer(table["_key"])
    place = np.where(place >= 0, np.flatnonzero(last)[place], -1)
    rows = np.flatnonzero(place >= 0)
    rows = rows[np.argsort(place[rows], kind="stable")]
    if len(rows) != len(table) or (rows != np.arange(len(rows))).any():
        table = table.iloc[rows]
    return table.drop(columns="_key").reset_index(drop=True)


def _rows_file(cache_dir, name: str, options: Mapping[str, Any]) -> Path:
    import hashlib

    tag = hashlib.blake2b(repr(sorted(options.items())).encode(), digest_size=4).hexdigest()
    return Path(cache_dir) / f"cache_{name}_{tag}.arrow"


def _article_keys(articles: pd.DataFrame) -> pd.Series:
    """Cache keys of :func:`cached_by_article`: article id and a hash of the text."""
    import hashlib

    def digest(text: Any) -> str:
        return hashlib.blake2b(
            str(text).encode("utf-8", "surrogatepass"), digest_size=8
        ).hexdigest()

    return articles["article_id"].astype(str) + ":" + articles["text"].fillna("").map(digest)


def _prepared_file(rows_file: Path) -> Path:
    """Where :func:`prepare_by_article` keeps rows for the cache ``rows_file``."""
    return rows_file.with_name(rows_file.stem + "_prepared.arrow")


def _helper_name(func: Any) -> str:
    return f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', repr(func))}"


_PREPARED_META = b"analysis.prepared"


def prepare_by_article(
    func: Any,
    articles: pd.DataFrame,
    *,
    cache_dir: str | Path,
    name: str,
    run_with: Mapping[str, Any] | None = None,
    **options: Any,
) -> int:
    """
    Run a per-article helper now and keep its rows for a later
    :func:`cached_by_article` call with the same helper, name and options, which
    takes them instead of running the helper on those articles (its own cache is
    left to it). A scheduled report uses this to process new articles on a second
    core while its notebook starts. The file is replaced on each call; returns the
    number of articles processed.

    ``run_with`` are arguments that do not change the rows (``n_jobs``): passed to
    the helper, not part of the options the rows are kept for.
    """
    import pyarrow as pa

    check_cache_request(articles, name)
    keys = _article_keys(articles)
    rows = func(articles, **options, **dict(run_with or {}))
    rows = rows.assign(
        _key=rows["article_id"].astype(str).map(dict(zip(articles["article_id"].astype(str), keys)))
    )
    table = pa.Table.from_pandas(rows, preserve_index=False)
    record = json.dumps({"helper": _helper_name(func), "keys": sorted(set(keys))}).encode()
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), _PREPARED_META: record})
    write_arrow(table, _prepared_file(_rows_file(cache_dir, name, options)))
    return len(articles)


def _prepared_rows(
    rows_file: Path, func: Any, wanted: set[str]
) -> tuple[pd.DataFrame | None, set[str]]:
    """The rows :func:`prepare_by_article` kept for the ``wanted`` keys, and those keys."""
    path = _prepared_file(rows_file)
    if not path.is_file():
        return None, set()
    try:
        table = _read_table(path)  # once: the list of articles and their rows agree
        record = json.loads(table.schema.metadata[_PREPARED_META])
        if record["helper"] != _helper_name(func):
            return None, set()
        found = wanted & set(record["keys"])
        if not found:
            return None, set()
        rows = _rows_of(table)
    except Exception as exc:  # a torn or foreign file: the helper runs as usual
        log.info("prepared rows %s not used (%s)", path.name, exc)
        return None, set()
    rows = rows[rows["_key"].isin(found).to_numpy()].drop(columns="_key")
    return rows.reset_index(drop=True), found


def check_cache_request(articles: Any, name: str) -> None:
    """Raise :class:`ParameterError` for a cache name or an articles table :func:`cached_by_article` refuses."""
    if not _SAFE_NAME.match(name):
        raise ParameterError(f"cache name {name!r}: use letters, digits, '.', '-', '_' only")
    for column in ("article_id", "text"):
        if column not in articles.columns:
            raise ParameterError(f"cached_by_article: the articles table has no {column!r} column")


def _read_table(path: Path) -> Any:
    import pyarrow.feather as feather

    return feather.read_table(path)


def _read_rows(path: Path) -> pd.DataFrame:
    """Read rows kept by :func:`cached_by_article` (see :func:`_rows_of`)."""
    return _rows_of(_read_table(path))


def _rows_of(table: Any) -> pd.DataFrame:
    """
    Kept rows as a table, list cells back as they were: a list of tuples for a list
    of lists (``[(start, end), ...]``), else a list.
    """
    import pyarrow as pa

    nested = [
        name
        for name, kind in zip(table.column_names, table.schema.types)
        if pa.types.is_list(kind) or pa.types.is_large_list(kind)
    ]
    out = table.drop_columns(nested).to_pandas() if nested else table.to_pandas()
    for name in nested:
        values = table[name].to_pylist()
        if pa.types.is_list(table[name].type.value_type) or pa.types.is_large_list(
            table[name].type.value_type
        ):
            values = [None if v is None else [tuple(x) for x in v] for v in values]
        out.insert(table.column_names.index(name), name, pd.Series(values, dtype=object))
    return out


def require_articles(articles: pd.DataFrame, *, what: str = "the selection") -> pd.DataFrame:
    """
    Return ``articles`` unchanged, or stop the report with a clear message when it is empty.

    The report runner turns the :class:`NoArticlesError` into a notice in the HTML
    report (no traceback) and still writes the report.
    """
    check_not_empty(len(articles), what=what)
    return articles


def check_not_empty(n_articles: int, *, what: str = "the selection") -> None:
    """Raise :class:`NoArticlesError` when ``n_articles`` is 0."""
    if n_articles == 0:
        raise NoArticlesError(
            f"No articles are left in {what}: widen the date range, check the outlet "
            "names or use another corpus."
        )


def save_figure(fig: Any, table: pd.DataFrame | None, name: str, *, output_dir: str | Path) -> None:
    """
    Save a figure as ``<output_dir>/figures/<name>.png`` with the numbers behind it as ``.csv``.

    Readers of a report can then check every chart against its data. With
    ``output_dir=""`` (a notebook opened by hand) nothing is written. In a notebook
    the figure is displayed here, once, and closed.

    Parameters
    ----------
    fig : matplotlib Figure, Axes or None
        What to save (an Axes saves its figure); None (a chart skipped because the
        selection cannot give it) saves nothing.
    table : DataFrame or None
        The data drawn; written as CSV without the index unless the index is named.
    name : str
        File stem: letters, digits, dot, dash and underscore only.
    output_dir : str or Path
        The report folder (the runner passes it as the ``output_dir`` parameter).
    """
    if not _SAFE_NAME.match(name):
        raise ParameterError(f"figure name {name!r}: use letters, digits, '.', '-', '_' only")
    if fig is None:
        return None
    figure = getattr(fig, "figure", fig)
    png = None
    if str(output_dir).strip():
        figures = Path(output_dir) / "figures"
        figures.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
        png = buffer.getvalue()
        (figures / f"{name}.png").write_bytes(png)
        if table is not None:
            index = any(n is not None for n in table.index.names)
            table.to_csv(figures / f"{name}.csv", index=index)
        log.debug("saved figure %s in %s", name, figures)
    _show_in_notebook(figure, png)
    return None


#: Resolution of the saved figure files.
FIGURE_DPI = 120


def _show_in_notebook(figure: Any, png: bytes | None = None) -> None:
    """
    Display a figure once in a running notebook, whatever matplotlib's interactive state.

    With ``png`` (the saved file's bytes) that image is shown, at the size the
    figure has on screen, instead of drawing the figure a second time.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    if png is None:
        display(figure)
    else:
        pixels = int.from_bytes(png[16:20], "big")  # the PNG header's width
        display(Image(data=png, format="png", width=round(pixels * figure.dpi / FIGURE_DPI)))
    plt.close(figure)


class Table:
    """A table for a report: escaped HTML with a caption, or a message when it is empty."""

    def __init__(self, data: pd.DataFrame, *, empty: str, caption: str, max_rows: int):
        self.data, self.empty, self.caption, self.max_rows = data, empty, caption, max_rows

    def _repr_html_(self) -> str:
        if self.data is None or len(self.data) == 0:
            return f'<p class="report-empty">{html.escape(self.empty)}</p>'
        shown = self.data.head(self.max_rows)
        with_index = any(n is not None for n in shown.index.names)
        if with_index:
            shown = shown.reset_index()
        numeric = [
            pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])
            for c in shown.columns
        ]
        head = "".join(
            f'<th{_NUM if num else ""} scope="col">{html.escape(str(c))}</th>'
            for c, num in zip(shown.columns, numeric)
        )
        rows = []
        for values in shown.itertuples(index=False, name=None):
            cells = "".join(
                f'<td class="num">{_format_cell(v)}</td>' if num else f"<td>{_format_cell(v)}</td>"
                for v, num in zip(values, numeric)
            )
            rows.append(f"<tr>{cells}</tr>")
        cap = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        more = len(self.data) - len(shown)
        note = f'<p class="report-more">{more:,} more rows not shown</p>' if more > 0 else ""
        return (
            f'<table class="report-table">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>{note}"
        )

    def __repr__(self) -> str:
        if self.data is None or len(self.data) == 0:
            return self.empty
        return self.data.head(self.max_rows).to_string()


_NUM = ' class="num"'


def _format_cell(value: Any) -> str:
    """Format one table cell as escaped HTML text."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (hasattr(value, "dtype") and value.dtype.kind in "iu"):
        return f"{int(value):,}"
    if isinstance(value, float) or (hasattr(value, "dtype") and value.dtype.kind == "f"):
        value = float(value)
        return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, pd.Timestamp):
        return html.escape(
            value.strftime("%Y-%m-%d" if value == value.normalize() else "%Y-%m-%d %H:%M")
        )
    return html.escape(str(value))


def show_table(
    data: pd.DataFrame | None,
    *,
    empty: str = "Nothing to show for this selection.",
    caption: str = "",
    max_rows: int = 30,
    columns: Sequence[str] | None = None,
) -> Table:
    """
    Wrap a DataFrame for display in a report: HTML-escaped cells, a row limit, and a
    plain message instead of an empty table (or None). ``columns`` picks and orders
    the columns shown.

    Examples
    --------
    >>> t = show_table(pd.DataFrame({"title": ["<script>alert(1)</script>"]}))
    >>> "&lt;script&gt;" in t._repr_html_()
    True
    """
    if data is not None and columns is not None:
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise ParameterError(f"show_table: no column(s) {', '.join(missing)} in the table")
        data = data[list(columns)]
    return Table(data, empty=empty, caption=caption, max_rows=max_rows)


# --------------------------------------------------------------------------------------
# Running a report
# --------------------------------------------------------------------------------------


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


def check_name(name: str, what: str = "--name") -> str:
    """Return ``name`` if it is a safe single folder name, else raise ParameterError."""
    if not _SAFE_NAME.match(name or "") or name in (".", ".."):
        raise ParameterError(
            f"{what} {name!r}: use a plain folder name (letters, digits, '.', '-', '_'; "
            "no '/', no '..', not starting with a dot)"
        )
    return name


def check_out(out: str | Path) -> Path:
    """Return the reports folder for ``--out``; ``..`` segments are refused."""
    path = Path(out).expanduser()
    if ".." in path.parts:
        raise ParameterError(f"--out {out}: '..' is not allowed; give the folder directly")
    return path


def _fingerprint(corpus_dir: Path) -> dict[str, Any]:
    """Return where the corpus is and the store's hash of its sources."""
    from analysis.corpus.store import corpus_fingerprint

    try:
        digest = corpus_fingerprint(corpus_dir)
    except (AnalysisError, OSError, KeyError, ValueError) as exc:
        log.debug("no fingerprint for %s: %s", corpus_dir, exc)
        digest = ""
    return {"path": str(corpus_dir), "fingerprint": digest}


def package_versions() -> dict[str, str]:
    """Return the versions of Python, this package and the libraries a report depends on."""
    from analysis import __version__

    out = {"python": sys.version.split()[0], "media-coverage-analysis": __version__}
    for name in _VERSIONED:
        with contextlib.suppress(md.PackageNotFoundError):
            out[name] = md.version(name)
    return out


def _cell_seconds(cell: Any) -> float:
    return float((cell.metadata.get("papermill") or {}).get("duration") or 0.0)


def _timings(nb: Any, wall: float) -> dict[str, float]:
    """Split a papermill run into kernel start, imports, loading and analyses."""
    meta = nb.metadata.get("papermill", {})
    code = [c for c in nb.cells if c.cell_type == "code"]
    parts = {"imports_s": 0.0, "loading_s": 0.0, "analyses_s": 0.0}
    for cell in code:
        tags = cell.metadata.get("tags", [])
        key = "imports_s" if "imports" in tags else "loading_s" if "load" in tags else "analyses_s"
        parts[key] += _cell_seconds(cell)
    started = [
        (c.metadata.get("papermill") or {}).get("start_time")
        for c in code
        if (c.metadata.get("papermill") or {}).get("start_time")
    ]
    kernel = 0.0
    if meta.get("start_time") and started:
        kernel = (pd.Timestamp(min(started)) - pd.Timestamp(meta["start_time"])).total_seconds()
    if kernel <= 0:
        kernel = max(wall - sum(parts.values()), 0.0)
    return {"kernel_start_s": round(kernel, 3), **{k: round(v, 3) for k, v in parts.items()}}


def _cell_timings(nb: Any) -> list[dict[str, Any]]:
    """Seconds per code cell, with the cell's first line, to find what a report spends time on."""
    return [
        {"cell": index, "first_line": cell.source.splitlines()[0][:80] if cell.source else "",
         "seconds": round(_cell_seconds(cell), 3)}
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
    ]  # fmt: skip


def _error_output(nb: Any) -> tuple[int, Any] | tuple[None, None]:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return index, output
    return None, None


def _notice_for_empty(nb: Any) -> str | None:
    """Replace a NoArticlesError traceback by a notice and drop the cells after it."""
    import nbformat

    index, output = _error_output(nb)
    if output is None or output.get("ename") != "NoArticlesError":
        return None
    message = output.get("evalue", "No articles are left after filtering.")
    cell = nb.cells[index]
    notice = f'<div class="report-notice"><strong>No data.</strong> {html.escape(message)}</div>'
    cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
    cell.outputs.append(
        nbformat.v4.new_output("display_data", data={"text/html": notice, "text/plain": message})
    )
    nb.cells = nb.cells[: index + 1]
    return message


def _drop_papermill_markers(nb: Any) -> None:
    nb.cells = [c for c in nb.cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]


def run_report(
    notebook: str | Path | None = None,
    *,
    corpus: str | Path | None = None,
    parameters: Mapping[str, Any] | None = None,
    out: str | Path | None = None,
    name: str | None = None,
    show_code: bool = False,
    ingest: Sequence[str | Path] | None = None,
    progress: bool | None = None,
) -> Path:
    """
    Run a notebook as a report and return the folder it was written to.

    Parameters
    ----------
    notebook : str or Path, optional
        Bundled notebook name or path; default ``"coverage_report"``.
    corpus : str or Path, optional
        Corpus folder (``articles.parquet``); default the bundled corpus.
    parameters : mapping, optional
        Values for the notebook's parameters cell; strings are parsed to the declared type.
    out : str or Path, optional
        Reports folder; default ``analysis.paths.reports_dir()`` (``reports/``).
    name : str, optional
        Report folder name; default the UTC time ``YYYYmmdd-HHMMSS``.
    show_code : bool, default False
        Show the code cells in the HTML.
    ingest : sequence of paths, optional
        Inputs to ingest into ``corpus`` first (only new or changed files are read).
    progress : bool, optional
        Progress bar and stage messages; default only when stderr is a terminal.

    Returns
    -------
    Path
        ``<out>/<notebook>/<name>/`` holding ``report.html``, the executed notebook,
        ``figures/`` (PNG + CSV per figure) and ``run.json``.

    Raises
    ------
    ParameterError
        Before anything runs: unknown parameter, wrong type, unsafe name, missing corpus.
    ReportError
        The notebook failed; it is kept in ``<out>/<notebook>/failed/<name>/`` and the
        previous report of the same name is left in place.
    """
    progress = sys.stderr.isatty() if progress is None else progress
    say = log.info if progress else log.debug
    t_start = time.perf_counter()
    started = dt.datetime.now(dt.timezone.utc)

    nb_path = resolve_notebook(notebook)
    stem = check_name(nb_path.stem, "notebook")
    name = check_name(name) if name else started.strftime("%Y%m%d-%H%M%S")
    root = check_out(out) if out is not None else reports_dir()
    typed, spec = validate_parameters(nb_path, dict(parameters or {}))
    declared = {p.name for p in spec}
    corpus_dir = corpus_path(corpus if corpus is not None else typed.get("corpus", ""))
    corpus_dir = corpus_dir.resolve()
    if not ingest and "corpus" in declared and not corpus_dir.is_dir():
        raise ParameterError(
            f"--corpus {corpus_dir}: no corpus there; create it with "
            "`python -m analysis ingest INPUT... --corpus DIR` or pass --ingest INPUT"
        )

    nb_root = root / stem
    final = nb_root / name
    if final.exists() and not (final / "run.json").exists():
        raise ParameterError(f"--name {name}: {final} exists and is not a report; choose another")

    # The kernel starts now and boots while new files are ingested; the HTML exporter
    # is made ready in a thread while the notebook runs (this process waits then).
    km = _start_kernel()
    splitting = None  # the thread processing newly ingested articles (see below)
    try:
        if ingest:
            from analysis.corpus.store import ingest as ingest_inputs

            say("ingesting %d input(s) into %s", len(ingest), corpus_dir)
            added = ingest_inputs([Path(p) for p in ingest], corpus_dir, progress=progress)
            if 0 < added.articles_added <= PREPARE_MAX:
                splitting = threading.Thread(
                    target=_prepare_new_articles, args=(added.new_ids, corpus_dir), daemon=True
                )
                splitting.start()
        t_prepare = time.perf_counter() - t_start

        nb_root.mkdir(parents=True, exist_ok=True)
        build = nb_root / f".building-{name}-{os.getpid()}"
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir()

        run_params = dict(typed)
        if "corpus" in declared:
            run_params["corpus"] = str(corpus_dir)
        if "output_dir" in declared:
            run_params["output_dir"] = str(build.resolve())
        title = str(
            run_params.get("title")
            or next((p.default for p in spec if p.name == "title"), None)
            or _first_heading(nb_path)
            or stem.replace("_", " ").capitalize()
        )
        record: dict[str, Any] = {
            "notebook": stem,
            "notebook_path": str(nb_path),
            "name": name,
            "title": title,
            "started": started.isoformat(timespec="seconds"),
            "parameters": {k: v for k, v in run_params.items() if k != "output_dir"},
            "defaults": {p.name: p.default for p in spec},
            "corpus": _fingerprint(corpus_dir) if "corpus" in declared else {},
            "versions": package_versions(),
            "show_code": show_code,
        }
        executed = build / f"{stem}.ipynb"
        say("running %s (%s) on %s", nb_path.name, name, corpus_dir)
        ready = threading.Thread(target=_prepare_exporter, args=(show_code,), daemon=True)
        ready.start()
        t_exec = time.perf_counter()
        status, error = _execute(nb_path, executed, run_params, progress=progress, km=km)
        exec_wall = time.perf_counter() - t_exec
        ready.join()
    finally:
        if splitting is not None:
            splitting.join()
            _drop_prepared(corpus_dir)
        stop_kernel(km)

    import nbformat

    def give_up(error: str) -> ReportError:
        record.update(status="failed", error=error, finished=_now())
        failed = nb_root / "failed" / name
        _write_json(build / "run.json", record)
        shutil.rmtree(failed, ignore_errors=True)
        failed.parent.mkdir(parents=True, exist_ok=True)
        os.replace(build, failed)
        build_index(root)
        return ReportError(
            f"{nb_path.name} failed: {error}; executed notebook kept in {failed / executed.name}"
        )

    if status == "failed" or not executed.exists():
        raise give_up(error or "the notebook was not executed")
    nb = nbformat.read(executed, as_version=4)
    timings = _timings(nb, exec_wall)
    if status == "no-articles":
        _drop_papermill_markers(nb)
        record["message"] = _notice_for_empty(nb)
        nbformat.write(nb, executed)
    say("rendering report.html")
    t_render = time.perf_counter()
    try:
        page = render_html(nb, title=title, record=record, show_code=show_code)
    except Exception as exc:  # a broken output must not leave a half-built folder behind
        raise give_up(f"rendering failed: {type(exc).__name__}: {exc}") from exc
    (build / "report.html").write_text(page, encoding="utf-8")
    timings["rendering_s"] = round(time.perf_counter() - t_render, 3)
    timings["prepare_s"] = round(t_prepare, 3)
    timings["total_s"] = round(time.perf_counter() - t_start, 3)
    record.update(status=status, finished=_now(), timings=timings, cells=_cell_timings(nb))
    _write_json(build / "run.json", record)

    _publish(build, final)
    build_index(root)
    say("report written to %s", final / "report.html")
    return final


def _first_heading(path: Path) -> str:
    """Return the text of the notebook's first level-1 Markdown heading, or ""."""
    import nbformat

    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def _start_kernel() -> Any:
    """The kernel of a run: the one the command started early, or a new one."""
    return take_early() or start_kernel()


@functools.lru_cache(maxsize=1)
def _end_save_engine() -> str:
    """
    Register (once) and name the papermill engine of reports.

    It differs from papermill's own in three ways:

    - It writes the executed notebook when the run ends, however it ends, instead of
      before and after every cell. papermill's engine writes the whole notebook,
      figures included, twice per cell (about 0.6 s of a report); this one skips
      those writes but keeps the last one, which papermill makes even when a cell
      fails or the kernel dies, so a failed run still leaves the notebook up to where
      it stopped.
    - It runs on a kernel that is already started (``km``, from :func:`analysis.report.kernel.start_kernel`)
      and shuts it down when the notebook ends.
    - That shutdown is immediate: the cells have finished, and nothing is left for
      the kernel to save (a graceful one waits about 0.3 s for it to exit).
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class EndSaveEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls, nb_man, kernel_name, log_output=False, stdout_file=None,
            stderr_file=None, start_timeout=60, execution_timeout=None, km=None, **kwargs,
        ):  # fmt: skip
            write = nb_man.save
            ended = False

            def save(**options):
                if ended:  # papermill's closing write (notebook_complete)
                    write(**options)

            nb_man.save = save
            for unused in ("input_path", "timeout", "startup_timeout"):
                kwargs.pop(unused, None)
            client = PapermillNotebookClient(
                nb_man,
                km=km,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logging.getLogger("papermill"),
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                shutdown_kernel="immediate",
                **kwargs,
            )
            client.owns_km = True  # shut the kernel down and close the client at the end
            try:
                return client.execute()
            finally:
                ended = True

    papermill_engines.register("analysis-end-save", EndSaveEngine)
    return "analysis-end-save"


def _execute(
    source: Path,
    target: Path,
    parameters: Mapping[str, Any],
    *,
    progress: bool,
    km: Any = None,
) -> tuple[str, str | None]:
    """
    Execute with papermill; return ("ok" | "no-articles" | "failed", error message).

    ``km`` is a kernel from :func:`_start_kernel`; without one, one is started here.
    Either way it is shut down when the notebook ends.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    pm_log = logging.getLogger("papermill")
    level = pm_log.level
    if not log.isEnabledFor(logging.DEBUG):
        pm_log.setLevel(logging.WARNING)
    km = km if km is not None else _start_kernel()
    try:
        pm.execute_notebook(
            str(source),
            str(target),
            parameters=dict(parameters),
            engine_name=_end_save_engine(),
            kernel_name=KERNEL_NAME,
            progress_bar=progress,
            log_output=False,
            cwd=os.getcwd(),
            km=km,
        )
    except PapermillExecutionError as exc:
        if exc.ename == "NoArticlesError":
            return "no-articles", exc.evalue
        return "failed", f"{exc.ename}: {exc.evalue} (cell {exc.exec_count})"
    except Exception as exc:  # kernel died, notebook unreadable...: keep what exists
        return "failed", f"{type(exc).__name__}: {exc}"
    finally:
        pm_log.setLevel(level)
        stop_kernel(km)
    return "ok", None


def _publish(build: Path, final: Path) -> None:
    """Move a finished build into place; an older report of that name goes only then."""
    if final.exists():
        old = final.with_name(f".replaced-{final.name}-{os.getpid()}")
        os.replace(final, old)
        os.replace(build, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(build, final)


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd",
    "del", "details", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ALLOWED_ATTRS = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}


#: pandas puts a ``<style scoped>`` block before its tables; the page has its own stylesheet.
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.IGNORECASE | re.DOTALL)


def clean_html(fragment: str) -> str:
    """
    Sanitize an HTML fragment from a notebook output with nh3 (the Rust sanitizer
    ammonia): allowed markup stays; other elements go, their text kept, except
    ``<script>`` and ``<style>``, which go with their content; event handlers,
    ``style`` attributes and non-mailto URL schemes go too.

    Article text never reaches this as markup: tables escape it first (``<`` shows
    as ``&lt;``), so a title holding ``<script>`` is shown as those characters.

    Examples
    --------
    >>> clean_html('<b>ok</b><img src=x onerror=alert(1)><script>alert(2)</script>')
    '<b>ok</b>'
    >>> clean_html('<td>&lt;script&gt;</td>')
    '&lt;script&gt;'
    """
    import nh3

    return nh3.clean(
        _STYLE_BLOCK.sub("", fragment),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRS,
        url_schemes={"mailto"},
        strip_comments=True,
        link_rel=None,
    )


class _Headings(HTMLParser):
    """Collect h2/h3 headings that carry an id, for the table of contents."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self._open: tuple[int, str] | None = None
        self._text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h2", "h3") and dict(attrs).get("id"):
            self._open = (int(tag[1]), dict(attrs)["id"] or "")
            self._text = []
        elif tag == "a" and self._open and "anchor-link" in (dict(attrs).get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._skip:
            self._skip -= 1
        elif self._open and tag == f"h{self._open[0]}":
            text = " ".join("".join(self._text).split())
            self.found.append((self._open[0], self._open[1], text))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open and not self._skip:
            self._text.append(data)


def _toc(page: str) -> str:
    parser = _Headings()
    parser.feed(page)
    if not parser.found:
        return ""
    items = "".join(
        f'<li class="toc-h{level}"><a href="#{html.escape(anchor)}">{html.escape(text)}</a></li>'
        for level, anchor, text in parser.found
    )
    return f'<nav class="report-toc" aria-label="Contents"><h2>Contents</h2><ol>{items}</ol></nav>'


@functools.lru_cache(maxsize=2)
def _html_exporter(show_code: bool) -> Any:
    """The report's nbconvert exporter (made once per process; its template is loaded)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    class ReportExporter(HTMLExporter):
        """
        HTMLExporter without its closing pass through BeautifulSoup (a quarter of a
        second on a report), which adds alt text to images and tab stops to cells. The
        report template writes alt text itself, and render_html the tab stops.
        """

        def from_notebook_node(self, nb, resources=None, **kw):
            init = getattr(self, "_init_resources", None)
            if init is None:  # an nbconvert unlike the one this was written for
                return super().from_notebook_node(nb, resources, **kw)
            from nbconvert.filters.highlight import Highlight2HTML
            from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

            info = nb.metadata.get("language_info", {})
            lexer = info.get("pygments_lexer", info.get("name", None))
            self.register_filter(
                "highlight_code",
                self.filters.get(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
                ),
            )
            resources = init(resources)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    remove_cells = {"remove-cell", "papermill-error-cell-tag"}
    if not show_code:
        remove_cells |= {"parameters", "injected-parameters"}
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = remove_cells
    config.TagRemovePreprocessor.remove_input_tags = {"remove-input"}
    config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    config.HTMLExporter.preprocessors = [TagRemovePreprocessor]
    exporter = ReportExporter(
        config=config,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_filter("report_clean", clean_html)
    exporter.template  # noqa: B018 (loads and compiles the template now)
    return exporter


#: Most new articles a run processes on its own core (see :func:`_prepare_new_articles`).
PREPARE_MAX = 2000


def _prepare_new_articles(ids: Sequence[str], corpus_dir: Path) -> None:
    """
    Process newly ingested articles in this process while the kernel starts on the
    notebook: split their sentences (``analysis.text.nlp.prepare_sentence_spans``) and
    find their quotes (:func:`prepare_by_article` for the coverage report's
    ``quotes`` cache). The notebook's tone and quote cells then take these instead
    of loading the sentence splitter and reading the articles themselves. A failure
    only means the kernel does that work as usual.
    """
    try:
        from analysis.corpus.store import open_corpus
        from analysis.measures.quotes import extract_quotes
        from analysis.text.nlp import prepare_sentence_spans

        new = open_corpus(corpus_dir, ids=ids)
        prepare_sentence_spans(new["text"].tolist(), corpus_dir)
        # one process: no worker pool forked from this thread, the other core is the kernel's
        prepare_by_article(
            extract_quotes, new, cache_dir=corpus_dir, name="quotes", run_with={"n_jobs": 1}
        )
    except Exception as exc:
        log.debug("new articles not processed ahead of the run: %s", exc)


def _drop_prepared(corpus_dir: Path) -> None:
    """Remove what :func:`_prepare_new_articles` kept once the run that used it ended."""
    from analysis.text.nlp import SPANS_FILE

    for path in [corpus_dir / SPANS_FILE, *corpus_dir.glob("cache_*_prepared.arrow")]:
        path.unlink(missing_ok=True)


def _prepare_exporter(show_code: bool) -> None:
    """Make the exporter ready ahead of time; a failure is left for render_html to raise."""
    with contextlib.suppress(Exception):
        _html_exporter(show_code)


def render_html(
    nb: Any, *, title: str, record: Mapping[str, Any] | None = None, show_code: bool = False
) -> str:
    """
    Render an executed notebook to one self-contained HTML page.

    No script, stylesheet or font is loaded from anywhere: figures are embedded as
    data URIs, the stylesheet is inline, HTML and Markdown outputs are sanitized with
    :func:`clean_html`, code and the parameters cells are hidden unless ``show_code``.
    """
    exporter = _html_exporter(show_code)
    nb = _without_noise(nb, keep_stderr=show_code)
    record = dict(record or {})
    resources = {
        "report": {
            "title": title,
            "generated": pd.Timestamp(record.get("started") or _now()).strftime("%Y-%m-%d %H:%M"),
            "corpus": (record.get("corpus") or {}).get("path", ""),
            "fingerprint": (record.get("corpus") or {}).get("fingerprint", ""),
            "parameters": [
                (k, json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v)
                for k, v in (record.get("parameters") or {}).items()
                if k not in _RUNNER_PARAMS
            ],
            "version": (record.get("versions") or {}).get("media-coverage-analysis", ""),
        }
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = _FOCUSABLE.sub(r'<div tabindex="0" class="\1"', body)
    return body.replace("<!--report-toc-->", _toc(body), 1)


#: Cells' inputs and outputs, which a keyboard can reach (nbconvert's BeautifulSoup
#: pass, skipped by the report's exporter, adds the same tab stops).
_FOCUSABLE = re.compile(r'<div class="([^"]*\bjp-(?:OutputArea-output|Cell-inputWrapper)\b[^"]*)"')


def _without_noise(nb: Any, *, keep_stderr: bool) -> Any:
    """Return a copy without stderr streams and without script-bearing outputs."""
    import copy

    nb = copy.deepcopy(nb)
    drop = {"application/javascript", "application/vnd.jupyter.widget-view+json"}
    for cell in nb.cells:
        outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                if not keep_stderr:
                    continue
            data = output.get("data")
            if data is not None:
                for mime in drop & set(data):
                    del data[mime]
                if not data:
                    continue
            outputs.append(output)
        if cell.cell_type == "code":
            cell.outputs = outputs
    nb.metadata.pop("widgets", None)
    return nb


# --------------------------------------------------------------------------------------
# Index of reports
# --------------------------------------------------------------------------------------


def list_reports(root: str | Path | None = None) -> pd.DataFrame:
    """Return one row per finished report under ``root`` (newest first)."""
    root = Path(root) if root is not None else reports_dir()
    rows = []
    for run in sorted(root.glob("*/*/run.json")):
        if run.parent.name.startswith(".") or run.parent.parent.name == "failed":
            continue
        try:
            data = json.loads(run.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        rows.append(
            {
                "title": str(data.get("title", "")),
                "notebook": run.parent.parent.name,
                "name": run.parent.name,
                "date": str(data.get("finished") or data.get("started") or ""),
                "status": str(data.get("status", "")),
                "parameters": data.get("parameters") or {},
                "defaults": data.get("defaults") or {},
                "link": f"{run.parent.parent.name}/{run.parent.name}/report.html",
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=["title", "notebook", "name", "date", "status", "parameters", "defaults", "link"],
    )
    return frame.sort_values("date", ascending=False, kind="stable").reset_index(drop=True)


def build_index(root: str | Path | None = None) -> Path:
    """Write ``<root>/index.html`` listing every report (all text escaped) and return its path."""
    from urllib.parse import quote

    root = Path(root) if root is not None else reports_dir()
    root.mkdir(parents=True, exist_ok=True)
    reports = list_reports(root)
    rows = []
    for r in reports.itertuples(index=False):
        changed = {
            k: v
            for k, v in r.parameters.items()
            if k not in _RUNNER_PARAMS and r.defaults.get(k, object()) != v
        }
        params = "".join(
            f"<li><code>{html.escape(k)}</code> = {html.escape(json.dumps(v, ensure_ascii=False))}</li>"
            for k, v in changed.items()
        )
        corpus = r.parameters.get("corpus", "")
        rows.append(
            "<tr>"
            f'<td><a href="{html.escape(quote(r.link))}">{html.escape(r.title)}</a></td>'
            f"<td>{html.escape(r.notebook)}</td><td>{html.escape(r.name)}</td>"
            f"<td>{html.escape(r.date[:16].replace('T', ' '))}</td><td>{html.escape(r.status)}</td>"
            f"<td>{html.escape(Path(corpus).name if corpus else '')}</td>"
            f'<td><ul class="params">{params or "<li>defaults</li>"}</ul></td>'
            "</tr>"
        )
    css = (TEMPLATES_DIR / TEMPLATE_NAME / "report.css").read_text(encoding="utf-8")
    body = "\n".join(rows) or '<tr><td colspan="7">No report yet.</td></tr>'
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reports</title>
<style>{css}</style>
</head>
<body>
<main class="report">
<h1>Reports</h1>
<p>{len(reports)} report(s), newest first. Rebuilt {html.escape(_now()[:16].replace("T", " "))} UTC.</p>
<table class="report-table">
<thead><tr><th>Title</th><th>Notebook</th><th>Run</th><th>Finished (UTC)</th><th>Status</th>
<th>Corpus</th><th>Parameters changed from the defaults</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
</main>
</body>
</html>
"""
    tmp = root / f".index-{os.getpid()}.html"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, root / "index.html")
    return root / "index.html"


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def _cmd_report(args: argparse.Namespace) -> int:
    values: dict[str, Any] = {}
    if args.params_file:
        values.update(read_params_file(args.params_file))
    values.update(parse_assignments(args.param or []))
    # --engine and --scheduler are the parameters of the same names
    if args.engine is not None:
        values["engine"] = args.engine
    if args.scheduler is not None:
        values["scheduler"] = args.scheduler
    verbose = logging.getLogger().isEnabledFor(logging.INFO) and not args.quiet_progress
    folder = run_report(
        args.notebook,
        corpus=args.corpus,
        parameters=values,
        out=args.out,
        name=args.name,
        show_code=args.show_code,
        ingest=args.ingest,
        progress=None if verbose else False,
    )
    if sys.stdout.isatty():
        print(folder / "report.html")
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
    spec = read_parameters(args.notebook)
    if not spec:
        print(f"{resolve_notebook(args.notebook).name} has no parameters cell")
        return 0
    rows = [
        (
            p.name,
            "Literal[" + ", ".join(p.choices) + "]" if p.choices else p.type,
            json.dumps(p.default, ensure_ascii=False),
            p.help,
        )
        for p in spec
    ]
    widths = [
        max(len(r[i]) for r in rows + [("name", "type", "default", "help")]) for i in range(3)
    ]
    print(f"{'name':<{widths[0]}}  {'type':<{widths[1]}}  {'default':<{widths[2]}}  help")
    for r in rows:
        print(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}")
    return 0


def register_cli(subparsers: Any) -> None:
    """Add the ``report`` and ``params`` sub-commands."""
    p = subparsers.add_parser(
        "report",
        help="run a notebook as an offline HTML report",
        description=(
            "Run NOTEBOOK (default coverage_report) with papermill and write "
            "reports/<notebook>/<name>/ (report.html, executed notebook, figures, run.json). "
            "Exit codes: 0 written; 1 the notebook failed (kept under failed/); "
            "2 bad parameters or usage."
        ),
    )
    p.add_argument("notebook", nargs="?", default=DEFAULT_NOTEBOOK, help="name or .ipynb path")
    p.add_argument("--corpus", help="corpus folder (default: the bundled corpus)")
    p.add_argument(
        "-p", "--param", action="append", metavar="KEY=VALUE", help="set a parameter (repeatable)"
    )
    p.add_argument("--params-file", metavar="YAML", help="parameters from a YAML mapping")
    p.add_argument("--out", help="reports folder (default: reports/)")
    p.add_argument("--name", help="report folder name (default: UTC timestamp)")
    p.add_argument("--show-code", action="store_true", help="show code cells in the HTML")
    p.add_argument(
        "--ingest", action="append", metavar="INPUT", help="ingest INPUT into --corpus first"
    )
    p.add_argument(
        "--no-progress", dest="quiet_progress", action="store_true", help="no progress bar"
    )
    from analysis.engine.dask import add_engine_arguments

    add_engine_arguments(p)  # same as -p engine=... -p scheduler=...; unset leaves the notebook's
    p.set_defaults(func=_cmd_report, engine=None)
    p = subparsers.add_parser("params", help="list a notebook's parameters")
    p.add_argument("notebook", help="name or .ipynb path")
    p.set_defaults(func=_cmd_params)
