"""The run lock: one pipeline run at a time, and a way to tell a live run from one a crash interrupted.

A run holds an exclusive ``flock`` on ``$GAOQI_HOME/run.lock`` for its whole duration (it writes the engine
workspace, which two runs must never write at once) and writes its snapshot id into the file. The kernel
releases the lock when the holder dies, however it dies (``kill -9`` included). Only a run holding the lock
sets a snapshot RUNNING, and it leaves that state before letting the lock go: so a RUNNING snapshot while
the lock is free is a run that was interrupted.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

RUN_LOCK = "run.lock"


def lock_path() -> Path:
    return Path(settings.GAOQI_HOME) / RUN_LOCK


@contextmanager
def run_lock(holder: int | None, *, timeout: float | None) -> Iterator[bool]:
    """Hold the run lock for the block; yields whether it was taken. ``timeout`` None waits as long as it
    takes; a number retries for that many seconds (0: one attempt) and then yields False."""
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as fh:
        if timeout is None:
            fcntl.flock(fh, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(0.1)
        try:
            fh.seek(0)
            fh.truncate()
            fh.write("" if holder is None else str(holder))
            fh.flush()
            yield True
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def lock_holder() -> str:
    """The snapshot id the lock's holder wrote ('' when none is known)."""
    try:
        return lock_path().read_text().strip()
    except OSError:
        return ""
