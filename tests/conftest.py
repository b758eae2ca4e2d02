"""Settings shared by every test."""

from __future__ import annotations

from hypothesis import settings

# Property tests check values, not speed: the default 200 ms deadline per example failed on a machine busy with
# two test workers and a benchmark (a speed figure belongs to the bench commands, not to a test).
settings.register_profile("gaoqi", deadline=None)
settings.load_profile("gaoqi")
