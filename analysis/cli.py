"""Command line: ``python -m analysis <command>`` (also installed as ``mca``).

Exit codes: 0 success; 1 the run failed (nothing usable loaded, a report failed);
2 bad usage or parameters.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import sys

from analysis.errors import AnalysisError, ParameterError
from analysis.report.kernel import GC_THRESHOLDS, start_early, stop_early

#: Modules that add their own sub-commands through ``register_cli(subparsers)``.
_COMMAND_MODULES = ("corpus.store", "report.commands", "engine.dask")


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
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(f".{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}":
                raise
            continue
        register = getattr(module, "register_cli", None)
        if register is not None:
            register(sub)
    return parser


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
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
