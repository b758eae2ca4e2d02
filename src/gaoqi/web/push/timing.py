"""The push's clock and quiet hours (DEFAULT 22:00–08:00, ``push.yaml``): no SMS in them, deferred to their end."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gaoqi.web.push import config


def now() -> dt.datetime:
    """Now, aware, in Beijing (tests move it with ``monkeypatch.setattr(timing, "now", …)``)."""
    return timezone.localtime()


def quiet(at: dt.datetime) -> bool:
    """Whether ``at`` (aware) falls in the quiet hours: [start, end) across midnight — 21:59 no, 22:00 yes,
    07:59 yes, 08:00 no."""
    t = timezone.localtime(at).time()
    start, end = config.quiet_start(), config.quiet_end()
    return (t >= start or t < end) if start > end else start <= t < end


def sms_not_before(at: dt.datetime) -> dt.datetime:
    """The earliest time an SMS may go: ``at`` itself, or the end of the quiet hours it falls in."""
    if not quiet(at):
        return at
    local = timezone.localtime(at)
    end = local.replace(hour=config.quiet_end().hour, minute=config.quiet_end().minute, second=0, microsecond=0)
    return end if end > local else end + dt.timedelta(days=1)
