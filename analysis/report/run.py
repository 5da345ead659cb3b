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

import contextlib
import datetime as dt
import functools
import html
import importlib.metadata as md
import json
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.corpus.cache import prepare_by_article
from analysis.corpus.lock import corpus_lock
from analysis.engine.open import corpus_path
from analysis.errors import AnalysisError, ParameterError
from analysis.paths import (
    SAFE_NAME,
    reports_dir,
)
from analysis.report.index import build_index
from analysis.report.kernel import KERNEL_NAME, start_kernel, stop_kernel, take_early
from analysis.report.params import check_against_corpus, resolve_notebook, validate_parameters
from analysis.report.render import prepare_exporter, render_html, utc_now

log = logging.getLogger(__name__)


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


# --------------------------------------------------------------------------------------
# Running a report
# --------------------------------------------------------------------------------------


def check_name(name: str, what: str = "--name") -> str:
    """Return ``name`` if it is a safe single folder name, else raise ParameterError."""
    if not SAFE_NAME.fullmatch(name or "") or name in (".", ".."):
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
        Before anything runs: unknown parameter, wrong type, a value outside its choices,
        a column, outlet or group the corpus does not have, unsafe name, missing corpus.
        Outlets of which only some match run with a warning (logged, and a note at the
        top of the report).
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
    given = {p.name: p.default for p in spec} | typed
    # columns, outlets and groups are checked against the corpus before the notebook
    # runs: here, or once new inputs are ingested
    notes = [] if ingest or "corpus" not in declared else check_against_corpus(given, corpus_dir)

    # The kernel starts now and boots while new files are ingested; the HTML exporter
    # is made ready in a thread while the notebook runs (this process waits then).
    km = _start_kernel()
    splitting = None  # the thread processing newly ingested articles (see below)
    held = contextlib.ExitStack()  # the corpus lock, once the run starts reading
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
            notes = check_against_corpus(given, corpus_dir)
        for note in notes:
            log.warning("%s", note)
        t_prepare = time.perf_counter() - t_start

        nb_root.mkdir(parents=True, exist_ok=True)
        sweep_unfinished(nb_root)
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
        # the corpus stays one version from its fingerprint to the notebook's end: an
        # ingest waits for the run (a Dask table reads its parts lazily, as measures run)
        if "corpus" in declared and corpus_dir.is_dir():
            held.enter_context(corpus_lock(corpus_dir, exclusive=False))
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
            "warnings": notes,
        }
        executed = build / f"{stem}.ipynb"
        say("running %s (%s) on %s", nb_path.name, name, corpus_dir)
        ready = threading.Thread(target=prepare_exporter, args=(show_code,), daemon=True)
        ready.start()
        t_exec = time.perf_counter()
        status, error = _execute(nb_path, executed, run_params, progress=progress, km=km)
        exec_wall = time.perf_counter() - t_exec
        ready.join()
    finally:
        held.close()
        if splitting is not None:
            splitting.join()
            _drop_prepared(corpus_dir)
        stop_kernel(km)

    import nbformat

    def give_up(error: str) -> ReportError:
        record.update(status="failed", error=error, finished=utc_now())
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
    try:
        (build / "report.html").write_text(page, encoding="utf-8")
        timings["rendering_s"] = round(time.perf_counter() - t_render, 3)
        timings["prepare_s"] = round(t_prepare, 3)
        timings["total_s"] = round(time.perf_counter() - t_start, 3)
        record.update(status=status, finished=utc_now(), timings=timings, cells=_cell_timings(nb))
        _write_json(build / "run.json", record)
        _publish(build, final)
    except OSError:  # a full disk: no half-built folder stays behind, the last report stays
        shutil.rmtree(build, ignore_errors=True)
        raise
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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def sweep_unfinished(nb_root: Path) -> int:
    """
    Clear what runs killed before they finished left in a notebook's reports folder;
    return how many folders were cleared.

    A run builds its report in ``.building-<name>-<pid>`` and, when it replaces a
    report of the same name, moves the old one to ``.replaced-<name>-<pid>`` for
    the moment of the swap. When that process is gone, its build is removed, and
    a report it had moved aside is put back if no report took its name.
    """
    cleared = 0
    for entry in [*nb_root.glob(".building-*"), *nb_root.glob(".replaced-*")]:
        kind, _, rest = entry.name[1:].partition("-")
        name, _, pid = rest.rpartition("-")
        if kind not in ("building", "replaced") or not pid.isdigit() or _alive(int(pid)):
            continue
        final = nb_root / name
        if kind == "replaced" and name and not final.exists() and (entry / "run.json").exists():
            os.replace(entry, final)
            log.warning("%s: a report moved aside by a run that was stopped is back", final)
        else:
            shutil.rmtree(entry, ignore_errors=True)
        cleared += 1
    return cleared


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
# New articles processed while the kernel starts
# --------------------------------------------------------------------------------------


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
        from analysis import open_corpus
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
