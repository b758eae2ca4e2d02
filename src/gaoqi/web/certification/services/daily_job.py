"""The day's automatic steps (the daily task): publicity ends, renames complete, reminders go out."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from gaoqi.web.audit.services import audit_record
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.models import NameChange
from gaoqi.web.certification.services.annual_reports import annual_report_reminders, renewal_reminders
from gaoqi.web.certification.services.applications import application_transition
from gaoqi.web.certification.services.name_changes import name_change_complete
from gaoqi.web.certification.services.publicity import publicity_due
from gaoqi.web.core import clock


def daily_item(errors: list[dict[str, str]], step: str, target: str, fn: Callable[[], Any]) -> Any:
    """One item of a daily job: ``fn()``'s result; when it fails, None, the failure added to ``errors`` and
    audited (``daily.<step>``), so that one bad item does not stop the day's other items and steps. The
    platform's other daily jobs (techsme) run their items through it too."""
    try:
        return fn()
    except Exception as exc:  # one bad item must not stop the day's other steps
        errors.append({"step": step, "target": target, "error": f"{type(exc).__name__}: {exc}"})
        audit_record(None, f"daily.{step}", target=target, outcome="failure", detail={"error": str(exc)[:500]})
        return None


def daily() -> dict[str, Any]:
    """The day's automatic steps, on the platform's date (idempotent: running twice changes nothing more).
    Each item runs in its own transaction: one that fails is reported under ``errors`` (and audited) and the
    other items and steps still run."""
    on = clock.today()
    errors: list[dict[str, str]] = []

    attempt = partial(daily_item, errors)

    certified = []
    for app in publicity_due():
        done = attempt(
            "publicity_end", f"application:{app.pk}", partial(application_transition, None, app, "publicity_end")
        )
        if done is not None:
            certified.append(app.pk)
    renamed = []
    for nc in NameChange.objects.filter(status=wf.NC_PUBLICITY, publicity_end__lt=on):
        new = attempt("name_change", f"name_change:{nc.pk}", partial(name_change_complete, nc, on))
        if new is not None:
            renamed.append(new.number)
    reminders = renewals = 0
    if on.month == 5 and on.day in (1, 15, 25):
        reminders = attempt("report_reminders", "certificates", lambda: annual_report_reminders(on)) or 0
    if on.day == 1:
        renewals = attempt("renewal_reminders", "certificates", lambda: renewal_reminders(on)) or 0
    return {
        "certified": certified,
        "renamed": renamed,
        "report_reminders": reminders,
        "renewal_reminders": renewals,
        "errors": errors,
    }
