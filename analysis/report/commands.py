"""Commands of the report runner."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from analysis.report.params import (
    DEFAULT_NOTEBOOK,
    parse_assignments,
    read_parameters,
    read_params_file,
    resolve_notebook,
)
from analysis.report.run import run_report

log = logging.getLogger(__name__)


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
