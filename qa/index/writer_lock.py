"""One writer at a time: a lock file that names its holder, and the folder an index is bound to."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

from qa.index.errors import IndexUnavailableError

log = logging.getLogger(__name__)


LOCK_FILE = ".lock"


@contextlib.contextmanager
def writer_lock(directory: Path, articles_dir: Path) -> Iterator[None]:
    """One writer at a time. A second one says whom it waits for (the lock file names the holder:
    process id, articles folder, start time), then waits."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = open(directory / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole update
    except OSError as error:
        raise IndexUnavailableError(f"cannot write the index at {directory}: {error.strerror or error}") from error
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            log.warning("waiting for the index at %s: it is being updated by %s", directory, holder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()} (articles {articles_dir}, since {time.strftime('%H:%M:%S')})")
        handle.flush()
        yield


def bound_folder(articles_dir: Path, index_dir: Path) -> str:
    """How a manifest names its articles folder: relative to the index folder, so that a project
    moved as a whole keeps its binding."""
    return os.path.relpath(Path(articles_dir).resolve(), Path(index_dir).resolve())
