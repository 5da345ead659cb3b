"""The corpus folder's lock: one ingest at a time, and no read while it writes."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

log = logging.getLogger(__name__)

#: Lock file of a corpus folder: ``ingest`` holds it exclusively, readers shared.
LOCK = ".lock"


@contextlib.contextmanager
def corpus_lock(corpus: Path, *, exclusive: bool):
    """
    Hold the corpus folder's lock: one ingest at a time, and no read while it writes.

    A reader (``open_corpus`` on pandas, a running report on either engine) waits for
    a running ingest to finish and then reads the new version; an ingest waits for
    running reads and reports. Whoever waits says so once. Where the lock cannot be
    taken (a read-only folder, a system without ``fcntl``), the work goes on without it.
    """
    key = str(Path(corpus).resolve())
    if key in _HELD:  # this process holds it already (a read inside an ingest)
        yield
        return
    try:
        import fcntl

        handle = open(corpus / LOCK, "a+b")  # noqa: SIM115 (held for the block)
    except (ImportError, OSError):
        yield
        return
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(handle.fileno(), mode | fcntl.LOCK_NB)
        except BlockingIOError:  # another command holds it: say so once, then wait
            log.warning("%s is in use by another command; waiting for it to finish", corpus)
            fcntl.flock(handle.fileno(), mode)
        _HELD.add(key)
        yield
    finally:
        _HELD.discard(key)
        handle.close()  # releases the lock


#: Corpus folders whose lock this process holds.
_HELD: set[str] = set()
