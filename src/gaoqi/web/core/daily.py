"""Every daily job of the platform, in one order, each on its own (ADR 0038): ``gaoqi-web daily`` (the systemd
timer's command) runs them; one failing is logged and recorded, the others still run. A job that succeeded today
is not run again today (``force`` runs it anyway); each run is a ``DailyJobRun`` row (the operator's page)."""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from gaoqi.web.core import clock
from gaoqi.web.core.models import DailyJobRun

logger = logging.getLogger("gaoqi.daily")

#: (name, module holding ``daily``-like function, function name): certification first (publicity periods close,
#: then benefits mature on what was decided), the escalations last.
JOBS: tuple[tuple[str, str, str], ...] = (
    ("certification", "gaoqi.web.certification.services", "daily"),
    ("techsme", "gaoqi.web.techsme.services", "daily"),
    ("benefits", "gaoqi.web.benefits.services", "benefits_mature"),
    ("servicedesk", "gaoqi.web.servicedesk.services", "daily"),
    ("monitoring", "gaoqi.web.monitoring.services", "daily"),
    ("results", "gaoqi.web.intake.services", "results_prune"),  # result versions no kept snapshot reads (ADR 0042)
)


@dataclass(frozen=True)
class Outcome:
    job: str
    status: str  # "ok", "failed", "skipped" (already done today)
    detail: str = ""


def _load(module: str, function: str) -> Callable[[], Any]:
    fn: Callable[[], Any] = getattr(importlib.import_module(module), function)
    return fn


def run_daily(*, force: bool = False, only: list[str] | None = None) -> list[Outcome]:
    today = clock.today()
    outcomes: list[Outcome] = []
    for name, module, function in JOBS:
        if only and name not in only:
            continue
        if not force and DailyJobRun.objects.filter(job=name, day=today, ok=True).exists():
            outcomes.append(Outcome(name, "skipped", "already done today"))
            continue
        run = DailyJobRun.objects.create(job=name, day=today)
        try:
            result = _load(module, function)()
        except Exception as exc:  # one job failing must not stop the others
            logger.exception("daily job %s failed", name, extra={"job": name})
            run.error = "".join(traceback.format_exception(exc))[-4000:]
            run.finished_at = timezone.now()
            run.save(update_fields=["error", "finished_at"])
            outcomes.append(Outcome(name, "failed", f"{type(exc).__name__}: {exc}"[:300]))
            continue
        run.ok, run.finished_at = True, timezone.now()
        run.result = result if isinstance(result, dict) else {"result": str(result)}
        try:
            run.save(update_fields=["ok", "finished_at", "result"])
        except TypeError:  # a result not JSON-serialisable: keep its text
            run.result = {"result": str(result)[:2000]}
            run.save(update_fields=["ok", "finished_at", "result"])
        logger.info("daily job %s done", name, extra={"job": name})
        outcomes.append(Outcome(name, "ok", str(run.result)[:300]))
    return outcomes


def last_runs() -> dict[str, DailyJobRun | None]:
    """The last run of each daily job (the operator's page)."""
    return {name: DailyJobRun.objects.filter(job=name).order_by("-id").first() for name, _, _ in JOBS}
