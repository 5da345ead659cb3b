"""Shared measuring tools for the benchmarks.

``measure`` runs a function in a fresh process so that its peak memory (max RSS)
is its own, and times it with ``time.perf_counter``. Results are plain dict rows:

    benchmark, case, tool, items, unit, seconds, items_per_s, peak_mb, ratio, notes

plus any quality columns a benchmark adds (precision, recall, f1, ...). ``ratio``
is filled by ``add_ratios``: the tool's throughput over the named baseline's.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from analysis.paths import repo_path, shared_corpus  # noqa: F401  (re-exported for benchmarks)


def peak_rss_mb() -> float:
    """
    Peak resident memory of this process in MB.

    Read from ``VmHWM`` in ``/proc/self/status``: that counter belongs to the
    process's own address space, whereas ``ru_maxrss`` of a spawned child also
    carries the parent's peak at the time of the fork.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(func: Callable, args: tuple, kwargs: dict) -> tuple[Any, float, float]:
    t0 = time.perf_counter()
    result = func(*args, **kwargs)
    seconds = time.perf_counter() - t0
    return result, seconds, peak_rss_mb()


def measure(func: Callable, *args: Any, **kwargs: Any) -> dict:
    """
    Run ``func(*args, **kwargs)`` in a fresh spawned process; return its result, seconds, peak MB.

    ``func`` must be importable at module level. Its return value should be small
    (a count, a checksum): it is sent back between processes.
    """
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        result, seconds, peak_mb = pool.submit(_child, func, args, kwargs).result()
    return {"result": result, "seconds": seconds, "peak_mb": peak_mb}


def row(benchmark: str, case: str, tool: str, items: int, unit: str, m: dict, **extra: Any) -> dict:
    """Build one result row from a ``measure`` dict."""
    secs = m["seconds"]
    return {
        "benchmark": benchmark,
        "case": case,
        "tool": tool,
        "items": items,
        "unit": unit,
        "seconds": round(secs, 4),
        "items_per_s": round(items / secs, 1) if secs > 0 else None,
        "peak_mb": round(m.get("peak_mb") or 0, 1),
        **extra,
    }


def add_ratios(rows: list[dict], baseline_tool: str) -> list[dict]:
    """Set ``ratio`` on each row: its throughput over ``baseline_tool``'s in the same case."""
    base = {r["case"]: r["items_per_s"] for r in rows if r["tool"] == baseline_tool}
    for r in rows:
        b = base.get(r["case"])
        if b and r.get("items_per_s"):
            r["ratio"] = round(r["items_per_s"] / b, 2)
            r.setdefault("ratio_vs", baseline_tool)
    return rows


def tree_peak(cmd: list[str], *, interval: float = 0.1) -> tuple[int, float]:
    """
    Run a command; return its exit code and the peak MB of its whole process tree.

    The peak is the largest sum of resident set sizes over the process and all
    its descendants (a Dask scheduler, nannies and workers), sampled every
    ``interval`` seconds; pages shared between processes count once per process,
    so it is an upper bound.
    """
    import psutil

    proc = subprocess.Popen(cmd, cwd=repo_path())
    peak = 0
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        peak = max(peak, total)
        time.sleep(interval)
    return proc.returncode, peak / 2**20


def measure_tree(target: str, *args: str) -> dict:
    """
    Run ``module:function`` with string arguments in a fresh Python process; time it, sample its tree.

    The function returns ``(seconds, result)``: it times the part that counts
    itself (a Dask cluster's start-up left out, say). Returns ``{"seconds",
    "peak_mb", "result"}`` like :func:`measure`, the peak over the process tree.
    """
    module, func = target.split(":")
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    code = (
        "import json, sys; from importlib import import_module; "
        f"seconds, result = import_module({module!r}).{func}(*sys.argv[2:]); "
        "open(sys.argv[1], 'w').write(json.dumps({'seconds': seconds, 'result': result}))"
    )
    try:
        status, peak = tree_peak([sys.executable, "-c", code, str(out), *args])
        if status != 0:
            raise RuntimeError(f"{target} failed with exit code {status}")
        done = json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)
    return {"seconds": done["seconds"], "peak_mb": peak, "result": done["result"]}
