"""Fault injection for the crash tests: SIGKILL this process at a named point, exactly as ``kill -9`` would.
Inert unless the environment variable names the point. Shared by the engine (ingest) and the platform (runs,
publishing); it imports nothing of either."""

from __future__ import annotations

import os
import signal


def crash_point(variable: str, name: str) -> None:
    if os.environ.get(variable) == name:
        os.kill(os.getpid(), signal.SIGKILL)
