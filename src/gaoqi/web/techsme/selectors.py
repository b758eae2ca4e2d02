"""The tech-SME reads, scoped by core/scoping (municipal and evaluators: all; a district: its district; an
enterprise: its own), and the public publicity list (公示: no login, like certification's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from gaoqi.web import roles
from gaoqi.web.certification import workdays
from gaoqi.web.core import clock
from gaoqi.web.core.scoping import visible_to
from gaoqi.web.core.workflow import history as history  # the moves of an object, shared by every workflow
from gaoqi.web.techsme import workflow as wf
from gaoqi.web.techsme.config import process_config
from gaoqi.web.techsme.models import Evaluation, Registration

#: The roles that work the queue (review, return, approve, reject).
OFFICE = frozenset({roles.DISTRICT, roles.MUNICIPAL})


def evaluations_visible_to(user: Any) -> QuerySet[Evaluation]:
    return visible_to(Evaluation.objects.all(), user, district="district_code", uscc="uscc")


def registrations_visible_to(user: Any) -> QuerySet[Registration]:
    return visible_to(Registration.objects.all(), user, district="district_code", uscc="uscc")


def evaluation_get(user: Any, pk: int) -> Evaluation | None:
    return evaluations_visible_to(user).select_related("registration").filter(pk=pk).first()


def registration_get(user: Any, pk: int) -> Registration | None:
    return registrations_visible_to(user).filter(pk=pk).first()


@dataclass(frozen=True)
class Clock:
    """An evaluation's running stage: its last day (inclusive), whether that is provisional (past the published
    holiday calendar), whether it is overdue today, and the stage's words."""

    label: str
    due: dt.date
    provisional: bool
    overdue: bool


def stage_clock(ev: Evaluation) -> Clock | None:
    stage = wf.TIMED.get(ev.status)
    if stage is None:
        return None
    cfg = process_config()
    due, provisional = workdays.deadline_provisional(ev.stage_started_at, cfg.time_limits[stage])
    overdue = stage != "publicity" and clock.today() > due
    return Clock(cfg.time_limit_labels[stage], due, provisional, overdue)


def queue(user: Any, status: str = wf.SUBMITTED) -> list[tuple[Evaluation, Clock | None]]:
    """The office's queue: the evaluations it may see in ``status`` ("" all), oldest stage first, each with its
    clock (overdue ones flagged). Only the offices have a queue."""
    if getattr(user, "role", None) not in OFFICE:
        return []
    qs = evaluations_visible_to(user).exclude(status=wf.DRAFT)
    if status:
        qs = qs.filter(status=status)
    return [(ev, stage_clock(ev)) for ev in qs.order_by("stage_started_at", "pk")]


def mine(user: Any) -> dict[str, Any]:
    """An enterprise's evaluations (newest first) and registrations with their history."""
    return {
        "evaluations": list(evaluations_visible_to(user).order_by("-pk")),
        "registrations": list(registrations_visible_to(user).order_by("-pk")),
    }


def public_list() -> dict[str, Any]:
    """公示: the evaluations in publicity now (name, district, publicity end) and the valid registrations (number,
    name, district, year): no login, no personal data."""
    in_publicity = []
    for ev in Evaluation.objects.filter(status=wf.PUBLICITY).order_by("stage_started_at", "pk"):
        end, provisional = workdays.deadline_provisional(ev.stage_started_at, process_config().time_limits["publicity"])
        in_publicity.append({"name": ev.enterprise_name, "district_code": ev.district_code, "year": ev.year,
                             "start": ev.stage_started_at, "end": end, "provisional": provisional})  # fmt: skip
    registered = Registration.objects.filter(status=wf.VALID).order_by("number")
    return {"publicity": in_publicity, "registered": list(registered)}
