"""Process counts and progress bars."""

from __future__ import annotations

import os

from analysis.errors import ParameterError

#: Above this many characters of text, counting is split over threads (or processes).
PARALLEL_MIN_CHARS = 3_000_000


def tqdm_class():
    """
    ``tqdm.auto``'s bar: a widget in a notebook that has ipywidgets, text otherwise.

    Without ipywidgets tqdm warns ("IProgress not found") into every notebook that
    imports it, a report's among them; the text bar it then falls back to is
    what we want there, so the warning is left out.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        from tqdm.auto import tqdm
    return tqdm


def progress(items, desc: str):
    """Wrap a long loop in a tqdm bar, shown only on a terminal and for large inputs."""
    if len(items) < 20_000:
        return items
    return tqdm_class()(items, desc=desc, unit="article", disable=None, leave=False)


def may_start_processes() -> bool:
    """
    False inside a daemonic process (a Dask or multiprocessing worker), which may
    not start processes of its own: work there runs in the process itself.
    """
    import multiprocessing as mp

    return not mp.current_process().daemon


def n_workers(n_jobs: int | None, total_chars: int) -> int:
    """
    Return the number of workers for ``total_chars`` characters of text.

    Parameters
    ----------
    n_jobs : int or None
        Workers asked for; ``None`` uses every available core when the text holds
        at least :data:`PARALLEL_MIN_CHARS` characters, and one otherwise.
    total_chars : int
        Characters of text to work on.

    Returns
    -------
    int
        ``n_jobs`` when given, else the choice above; always 1 in a process that
        may not start processes (see :func:`may_start_processes`).

    Raises
    ------
    ParameterError
        If ``n_jobs`` is below 1.
    """
    if n_jobs is not None and n_jobs < 1:
        raise ParameterError(f"n_jobs={n_jobs!r}; expected a positive integer or None")
    if not may_start_processes():
        return 1
    if n_jobs is not None:
        return n_jobs
    if total_chars < PARALLEL_MIN_CHARS:
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)
