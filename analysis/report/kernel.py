"""
The kernels that run report notebooks: started early, preloaded, stopped for sure.

This module imports no data library, so that ``python -m analysis report`` can start
the kernel before it loads pandas and reads the notebook: the kernel boots in its own
process meanwhile (and while new files are ingested).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterator
from queue import Empty
from typing import Any

from analysis.paths import PACKAGE_DIR

log = logging.getLogger(__name__)

KERNEL_NAME = "python3"
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False")
#: Imported by a report kernel as it starts: what every bundled notebook imports first
#: and the modules of the helpers it calls (``analysis`` loads them on first use), so
#: that a kernel started before ingest has them ready when the first cell runs.
KERNEL_PRELOAD = (
    "analysis",
    "matplotlib.pyplot",
    "analysis.engine.open",
    "analysis.corpus.store",
    "analysis.corpus.selection",
    "analysis.corpus.cache",
    "analysis.measures.overview",
    "analysis.measures.terms",
    "analysis.measures.kwic",
    "analysis.measures.dictionaries",
    "analysis.measures.sentiment",
    "analysis.measures.tone",
    "analysis.measures.quotes",
    "analysis.plots",
    "analysis.report.display",
)
#: Garbage-collector thresholds of report processes (the kernel and the command).
#: Python's default (700) makes a report kernel, which holds millions of objects
#: (term counts, sentences, quotes), scan all of them several times a run: about a
#: tenth of a report's analyses. Fewer, larger young collections avoid those scans.
GC_THRESHOLDS = (10_000, 10, 10)

_EARLY: list[Any] = []


@contextlib.contextmanager
def kernel_environment() -> Iterator[None]:
    """Let the kernel import this package even without an installed copy."""
    saved = {key: os.environ.get(key) for key in ("PYTHONPATH", "MPLBACKEND")}
    root = str(PACKAGE_DIR.parent)
    os.environ["PYTHONPATH"] = os.pathsep.join([root] + [p for p in [saved["PYTHONPATH"]] if p])
    # figures must reach the notebook as outputs, whatever backend the caller uses
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def start_kernel() -> Any:
    """
    Start a report kernel and return its manager without waiting for it.

    The kernel boots, sets :data:`GC_THRESHOLDS` and imports :data:`KERNEL_PRELOAD` in
    its own process while this one goes on; papermill then runs the notebook on it.
    A preload that fails to import is left for the notebook's own import cell to
    report.
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    km = AsyncKernelManager(kernel_name=KERNEL_NAME, client_class=f"{__name__}.ReadyClient")
    arguments = [*KERNEL_ARGUMENTS]
    arguments.append(f"--IPKernelApp.exec_lines=import gc; gc.set_threshold{GC_THRESHOLDS}")
    arguments += [f"--IPKernelApp.exec_lines=import {module}" for module in KERNEL_PRELOAD]
    with kernel_environment():
        run_sync(km.start_kernel)(extra_arguments=arguments, cwd=os.getcwd())
    return km


def _client_class() -> type:
    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        """
        A kernel client that is ready once the kernel answers a ``kernel_info`` request
        and a broadcast of it arrives (the broadcast channel is connected).

        jupyter_client's own then waits until its broadcast channel has been silent
        for 0.2 s, to drop earlier messages; nbclient keeps only the messages that
        answer its own requests, so report runs skip that wait.
        """

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                # any answer will do: while the kernel boots, one request per second
                # piles up, and it answers them in order
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    reply = None
                if reply is not None and reply["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass  # broadcasts not connected yet: ask again
                    else:
                        handle = getattr(self, "_handle_kernel_info_reply", None)
                        if handle is not None:
                            handle(reply)
                        return
                if not await self.is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    return ReadyClient


def __getattr__(name: str) -> Any:
    if name == "ReadyClient":  # made on first use: jupyter_client is imported only then
        globals()[name] = _client_class()
        return globals()[name]
    raise AttributeError(name)


def stop_kernel(km: Any) -> None:
    """Kill a kernel from :func:`start_kernel` unless it is already shut down."""
    from jupyter_core.utils import run_sync

    with contextlib.suppress(Exception):
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)


def start_early() -> None:
    """Start a kernel now for the report about to run (see :func:`take_early`)."""
    try:
        _EARLY.append(start_kernel())
    except Exception as exc:  # the run starts its own, and reports a failure then
        log.debug("no kernel started early: %s", exc)


def take_early() -> Any:
    """The kernel :func:`start_early` started, now owned by the caller; or None."""
    return _EARLY.pop() if _EARLY else None


def stop_early() -> None:
    """Kill a kernel started early that no run took (the command failed before)."""
    while _EARLY:
        stop_kernel(_EARLY.pop())
