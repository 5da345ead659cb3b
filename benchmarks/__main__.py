"""Benchmark runner: ``python -m benchmarks [NAME...] [--quick] [--out DIR]``."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import importlib.metadata as md
import pkgutil
import platform
import sys
import traceback
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SKIP = {"common", "__main__", "__init__"}
VERSIONS = (
    "pandas",
    "numpy",
    "pyarrow",
    "nltk",
    "vaderSentiment",
    "scikit-learn",
    "trafilatura",
    "datasketch",
    "dask",
    "papermill",
    "nbconvert",
)


def discover() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name not in SKIP)


def machine() -> dict:
    import os

    info = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    try:
        with open("/proc/cpuinfo") as fh:
            info["cpu"] = next(
                (ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), ""
            )
        with open("/proc/meminfo") as fh:
            info["memory"] = fh.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    for pkg in VERSIONS:
        try:
            info[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return info


def main(argv: list[str] | None = None) -> int:
    names = discover()
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("names", nargs="*", help=f"benchmarks to run (default all: {', '.join(names)})")
    ap.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args(argv)
    chosen = args.names or names
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(unknown)}")
    rows, failed = [], []
    for name in chosen:
        print(f"== {name}", flush=True)
        try:
            mod = importlib.import_module(f"benchmarks.{name}")
            new = mod.run(quick=args.quick)
        except Exception:  # a failing benchmark must not hide the others
            traceback.print_exc()
            failed.append(name)
            continue
        for r in new:
            print("   ", {k: v for k, v in r.items() if v is not None})
        rows.extend(new)
    args.out.mkdir(parents=True, exist_ok=True)
    info = machine()
    table = pd.DataFrame(rows)
    suffix = "-quick" if args.quick else ""
    stem = "results" + suffix if not args.names else "results-" + "-".join(chosen) + suffix
    table.to_csv(args.out / f"{stem}.csv", index=False)
    with open(args.out / f"{stem}.md", "w") as fh:
        fh.write(f"# Benchmark results{' (quick)' if args.quick else ''}\n\n")
        for k, v in info.items():
            fh.write(f"- {k}: {v}\n")
        fh.write("\n")
        if len(table):
            for bench, part in table.groupby("benchmark", sort=False):
                fh.write(f"## {bench}\n\n")
                fh.write(
                    part.dropna(axis=1, how="all").to_markdown(index=False)
                    if _has_tabulate()
                    else part.to_string(index=False)
                )
                fh.write("\n\n")
    print(f"wrote {args.out / (stem + '.md')} and .csv")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
