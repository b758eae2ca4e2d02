"""The platform's date: one function every service, selector and view asks, so that a test or a load run moves
the whole platform's calendar by setting ``clock.today`` once (``monkeypatch.setattr(clock, "today", …)``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    """Today in Beijing (settings.TIME_ZONE)."""
    return timezone.localdate()
