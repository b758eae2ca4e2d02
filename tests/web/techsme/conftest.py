"""Fixtures of the tech-SME tests: a movable platform date."""

from __future__ import annotations

import datetime as dt

import pytest

from gaoqi.web.core import clock as platform_clock


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, dt.date]:
    """The platform's date, movable by the test (core.clock.today)."""
    now = {"day": dt.date(2026, 7, 1)}
    monkeypatch.setattr(platform_clock, "today", lambda: now["day"])
    return now
