"""Command line: ``python -m analysis <command>`` (also installed as ``mca``).

Exit codes: 0 success; 1 the run failed (nothing usable loaded, a report failed);
2 bad usage or parameters.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError, ParameterError
from analysis.paths import default_corpus_dir
from analysis.report.kernel import GC_THRESHOLDS, start_early, stop_early


def _setup(args: argparse.Namespace) -> int:
    from analysis.text.nlp import ensure_nltk_data

    path = ensure_nltk_data()
    print(f"language resources ready in {path}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    from analysis.schema import describe_schema

    print(describe_schema().to_string(index=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Media-coverage analysis: ingest articles, run reports.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("setup", help="prepare offline language resources (idempotent)")
    p.set_defaults(func=_setup)
    p = sub.add_parser("schema", help="print the articles table schema")
    p.set_defaults(func=_schema)
    _corpus_commands(sub)
    _report_commands(sub)
    _dask_commands(sub)
    return parser


def _pairs(values: list[str] | None, option: str, form: str) -> list[tuple[str, str]]:
    """Split ``KEY=VALUE`` option values; a value without ``=`` is an error."""
    out = []
    for v in values or []:
        key, sep, value = v.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ParameterError(f"{option} {v!r}: expected {form}")
        out.append((key.strip(), value.strip()))
    return out


def _column_option(values: list[str] | None) -> dict[str, str] | None:
    """``--column title=headlines`` (repeatable) as the loaders' ``columns`` mapping."""
    columns: dict[str, str] = {}
    for field, column in _pairs(values, "--column", "FIELD=COLUMN, e.g. title=headlines"):
        if field in columns:
            raise ParameterError(f"--column: field {field!r} given twice")
        columns[field] = column
    return columns or None


def _outlet_option(values: list[str] | None, inputs: list[str]) -> str | dict[str, str] | None:
    """
    ``--outlet NAME`` for every input, ``--outlet FILE_OR_FOLDER=NAME`` per input.

    Both together: NAME goes to the inputs no ``FILE_OR_FOLDER=`` covers (the
    nearest file or folder given wins).
    """
    from analysis.readers.files import expand_paths

    plain = [v for v in values or [] if "=" not in v]
    if len(plain) > 1:
        raise ParameterError(f"--outlet: one plain NAME at most (got {plain})")
    pairs = _pairs([v for v in values or [] if "=" in v], "--outlet", "FILE_OR_FOLDER=NAME")
    if not pairs:
        return plain[0] if plain else None
    mapping: dict[str, str] = {}
    if plain:
        for given in inputs:
            places = expand_paths(given) if any(ch in given for ch in "*?[") else [Path(given)]
            mapping.update({str(p.resolve()): plain[0] for p in places})
    for place, name in pairs:
        if not Path(place).exists():
            raise ParameterError(f"--outlet {place}={name}: no such file or folder {place!r}")
        mapping[str(Path(place).resolve())] = name
    return mapping


def _print_columns(run_log) -> None:
    """One line per way of reading columns: which column became which field."""
    read = run_log[run_log["status"].isin(["loaded", "partial"]) & (run_log["columns"] != "")]
    for text, paths in read.groupby("columns", sort=False)["path"]:
        where = paths.iloc[0] if len(paths) == 1 else f"{len(paths)} files ({paths.iloc[0]}, ...)"
        print(f"  columns   {where}: {text}")


def _print_exports(run_log) -> None:
    """One line per database export: the articles parsed against the count the file declares."""
    import pandas as pd

    if "parsed" not in run_log:
        return
    for row in run_log[run_log["parsed"].notna()].itertuples():
        said = "" if pd.isna(row.declared) else f" of {int(row.declared)} declared"
        word = "positions" if "," in row.missing else "position"
        gap = f"; missing {word} {row.missing}" if row.missing else ""
        print(f"  export    {row.path}: {int(row.parsed)} articles parsed{said}{gap}")


def _print_cuts(run_log) -> None:
    """One line per file read in this run whose article bodies were cut to the body limit."""
    read = run_log["status"].isin(["loaded", "partial"])
    for row in run_log[read & (run_log["bodies_cut"] > 0)].itertuples():
        bodies = "body" if row.bodies_cut == 1 else "bodies"
        print(
            f"  cut       {row.path}: {row.bodies_cut} article {bodies} cut to the body limit "
            "(MCA_MAX_BODY_MB sets it)"
        )


def _cmd_ingest(args: argparse.Namespace) -> int:
    from analysis.corpus.store import ingest

    summary = ingest(
        args.inputs,
        args.corpus,
        strict=args.strict,
        prune=args.prune,
        duplicates=not args.no_duplicates,
        furniture=not args.keep_furniture,
        outlet=_outlet_option(args.outlet, args.inputs),
        columns=_column_option(args.column),
        manifest=args.manifest,
    )
    if not args.quiet_summary:
        _print_columns(summary.log)
        _print_exports(summary.log)
        _print_cuts(summary.log)
        bad = summary.log[summary.log["status"].isin(["failed", "skipped", "missing", "partial"])]
        for row in bad.itertuples():
            print(f"  {row.status:9} {row.path}: {row.reason}")
        print(summary)
    failed = summary.log["status"].isin(["failed", "partial"]).any()
    if not summary.usable:
        print("error: nothing usable was loaded", flush=True)
        return 1
    if args.strict and failed:
        return 1
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from analysis.corpus.store import read_corpus

    df = read_corpus(args.corpus)
    print(
        f"{len(df)} articles, {df['outlet'].nunique()} outlets, "
        f"{df['published'].min()} .. {df['published'].max()}"
    )
    print(df.groupby("outlet").size().sort_values(ascending=False).to_string())
    return 0


def _corpus_commands(sub: Any) -> None:
    """``ingest`` and ``info``."""

    p = sub.add_parser("ingest", help="load input files into a Parquet corpus (incremental)")
    p.add_argument("inputs", nargs="+", help="files, folders or globs")
    p.add_argument(
        "--corpus", default=str(default_corpus_dir()), help="corpus folder (default: %(default)s)"
    )
    p.add_argument(
        "--strict", action="store_true", help="stop at, and fail on, the first unusable file"
    )
    p.add_argument("--prune", action="store_true", help="remove articles whose source file is gone")
    p.add_argument(
        "--outlet",
        action="append",
        metavar="[FILE_OR_FOLDER=]NAME",
        help="outlet for every input, or for one file or folder (repeatable; "
        "default: from an outlet column, the pages or the file names)",
    )
    p.add_argument(
        "--column",
        action="append",
        metavar="FIELD=COLUMN",
        help="read FIELD (title, text, published, url, outlet, ...) from COLUMN "
        "of every table file (repeatable; default: recognised by name)",
    )
    p.add_argument("--manifest", help="sidecar CSV/JSONL mapping files to url/outlet/published")
    p.add_argument(
        "--no-duplicates", action="store_true", help="skip duplicate/syndication grouping"
    )
    p.add_argument(
        "--keep-furniture",
        action="store_true",
        help="keep the lines an outlet repeats across its table bodies (removed by default; "
        "applies to the files read in this run)",
    )
    p.set_defaults(func=_cmd_ingest, quiet_summary=False)
    p = sub.add_parser("info", help="summarize an ingested corpus")
    p.add_argument("--corpus", default=str(default_corpus_dir()))
    p.set_defaults(func=_cmd_info)


def _cmd_report(args: argparse.Namespace) -> int:
    from analysis.report.params import parse_assignments, read_params_file
    from analysis.report.run import run_report

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
    print(folder / "report.html")  # also when piped or captured: scripts read it
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
    from analysis.report.params import read_parameters, resolve_notebook

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


def _report_commands(subparsers: Any) -> None:
    """``report`` and ``params``."""
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
    p.add_argument(
        "notebook", nargs="?", default=None, help="name or .ipynb path (default: coverage_report)"
    )
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
    add_engine_arguments(p)  # same as -p engine=... -p scheduler=...; unset leaves the notebook's
    p.set_defaults(func=_cmd_report, engine=None)
    p = subparsers.add_parser("params", help="list a notebook's parameters")
    p.add_argument("notebook", help="name or .ipynb path")
    p.set_defaults(func=_cmd_params)


def add_engine_arguments(parser: Any) -> None:
    """
    Add ``--engine {pandas,dask}`` and ``--scheduler ADDRESS`` to a command's parser.

    A command then opens its corpus with
    ``open_corpus_engine(args.corpus, args.engine, scheduler=args.scheduler)``.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_engine_arguments(p)
    >>> p.parse_args(["--engine", "dask"]).engine
    'dask'
    """
    parser.add_argument(
        "--engine",
        choices=("pandas", "dask"),
        default="pandas",
        help="pandas (in memory) or dask (partitioned, for corpora bigger than memory)",
    )
    _scheduler_argument(parser)


def _scheduler_argument(parser: Any) -> None:
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="Dask scheduler of an existing cluster (default: $MCA_DASK_SCHEDULER, else a local cluster)",
    )


def _cmd_dask_info(args: argparse.Namespace) -> int:
    from analysis.engine.dask import get_client

    client = get_client(args.scheduler)
    info = client.scheduler_info()
    workers = info.get("workers", {})
    print(f"scheduler {info.get('address', '?')}: {len(workers)} workers")
    for address, w in sorted(workers.items()):
        memory = (w.get("memory_limit") or 0) / 2**30
        print(f"  {address}  threads={w.get('nthreads')}  memory_limit={memory:.1f} GiB")
    client.close()
    return 0


def _cmd_dask_duplicates(args: argparse.Namespace) -> int:
    from analysis.corpus.parts import DUPLICATES
    from analysis.engine.dask import get_client
    from analysis.engine.stories import update_duplicates

    client = get_client(args.scheduler)
    try:
        n = update_duplicates(args.corpus, scratch_dir=args.scratch)
    finally:
        client.close()
    print(
        f"{n} articles are copies of another story; groups stored in {Path(args.corpus) / DUPLICATES}"
    )
    return 0


def _dask_commands(sub: Any) -> None:
    """``dask-info`` and ``dask-duplicates``."""

    p = sub.add_parser("dask-info", help="show the Dask cluster the engine would use")
    _scheduler_argument(p)
    p.set_defaults(func=_cmd_dask_info)
    p = sub.add_parser(
        "dask-duplicates",
        help="find story groups of a large corpus on a Dask cluster (after ingest --no-duplicates)",
    )
    p.add_argument("--corpus", default=str(default_corpus_dir()), help="corpus folder")
    p.add_argument(
        "--scratch", default=None, help="folder for MinHash signatures (shared on a cluster)"
    )
    add_engine_arguments(p)
    p.set_defaults(func=_cmd_dask_duplicates)


def _lighter_imports() -> None:
    """
    Leave out, in this command's own process, an optional import that costs 0.7 s.

    jsonschema (imported by nbformat, which reports need) loads the IRI syntax
    checker ``rfc3987_syntax`` when it is installed (JupyterLab brings it), and
    that package builds a grammar as it is imported. Reading and validating
    notebooks never checks IRIs, so the command goes without it: jsonschema then
    simply has no "iri" format checker here. Kernels and user sessions are
    unaffected.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def main(argv: list[str] | None = None) -> int:
    _lighter_imports()
    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)  # see GC_THRESHOLDS; put back when the command ends
    try:
        if _runs_a_report(sys.argv[1:] if argv is None else argv):
            # the kernel boots while this process loads pandas, checks the parameters
            # and ingests; the run takes it, and one no run took is stopped below
            start_early()
        parser = build_parser()
        args = parser.parse_args(argv)
        return _run(parser, args)
    finally:
        stop_early()
        gc.set_threshold(*thresholds)


def _runs_a_report(argv: list[str]) -> bool:
    """Whether the command line asks for a report run (and not for its help)."""
    words = [a for a in argv if not a.startswith("-")]
    return bool(words) and words[0] == "report" and not {"-h", "--help"} & set(argv)


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a full disk or a folder that cannot be written, said in one line
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
