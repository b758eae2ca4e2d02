"""The servicedesk's reads, scoped: an enterprise sees its own requests; an official the requests owed by the
units it may see (``units.unit_scope_q``: municipal oversight all, a district official its district's units and
those it acts for), those escalated to them, and — a district official — its district's enterprises' requests;
evaluators see all (read only). The queue pages with a capped count; the statistics (三率) are one grouped SQL
statement per table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from gaoqi.web import roles
from gaoqi.web.core import clock
from gaoqi.web.core.scoping import scope_q, visible_to
from gaoqi.web.core.workflow import history as history  # the moves of an object, shared by every workflow
from gaoqi.web.paging import count_capped
from gaoqi.web.servicedesk import workflow as wf
from gaoqi.web.servicedesk.config import process_config
from gaoqi.web.servicedesk.models import Request, ServiceDay
from gaoqi.web.units.selectors import unit_scope_q

#: The 时限监控 section's count stops here (it shows "1000+").
COUNT_CAP = 1000


def request_scope_q(user: Any) -> Q | None:
    """The requests ``user`` may see: ``core.scoping``'s rules on the request's district and enterprise, and for a
    district official also what its units owe or had escalated to them (``handling_scope_q``)."""
    q = scope_q(user, district="district_code", uscc="uscc")
    if q is not None and getattr(user, "role", None) == roles.DISTRICT:
        handling = handling_scope_q(user)
        q = q if handling is None else q | handling
    return q


def requests_visible_to(user: Any) -> QuerySet[Request]:
    q = request_scope_q(user)
    return Request.objects.none() if q is None else Request.objects.filter(q)


def request_get(user: Any, pk: int) -> Request | None:
    return requests_visible_to(user).select_related("unit", "escalated_to", "event", "filed_by").filter(pk=pk).first()


def may_handle(user: Any, req: Request) -> bool:
    """Whether ``user`` acts for the request's unit (accept, answer, transfer): ``units.acts_for``, the rule the
    service-package items follow too."""
    from gaoqi.web.units.selectors import acts_for

    return acts_for(user, req.unit)


def overdue_q(today: dt.date | None = None) -> Q:
    """Waiting for the unit past its stage's last day (due today is not overdue)."""
    return Q(status__in=wf.UNIT_OWES, due_on__lt=today or clock.today())


def with_overdue(qs: QuerySet[Request]) -> QuerySet[Request]:
    """Each row's ``overdue`` flag, as ``overdue_q`` reads it (the pages mark the rows by it)."""
    return qs.annotate(overdue=ExpressionWrapper(overdue_q(), output_field=BooleanField()))


def is_overdue(req: Request, today: dt.date | None = None) -> bool:
    """``overdue_q`` for one request in hand."""
    return req.status in wf.UNIT_OWES and req.due_on is not None and req.due_on < (today or clock.today())


@dataclass(frozen=True)
class QueueFilter:
    status: str = ""
    category: str = ""
    unit: str = ""  # a unit code
    overdue: bool = False
    district: str = ""


def handling_scope_q(user: Any) -> Q | None:
    """What a user's units owe (``unit_scope_q`` on the handling unit) and what was escalated to them: the queue.
    (A district official also *sees* its district's enterprises' requests to municipal units, on their pages.)"""
    units, escalated = unit_scope_q(user, "unit"), unit_scope_q(user, "escalated_to")
    return None if units is None or escalated is None else units | escalated


def queue(user: Any, f: QueueFilter) -> QuerySet[Request]:
    """The handling queue (诉求办理), newest first: the requests the units the official may see owe, filtered."""
    if getattr(user, "role", None) not in (roles.DISTRICT, roles.MUNICIPAL, roles.EVALUATOR):
        return Request.objects.none()
    scope = handling_scope_q(user)
    qs = Request.objects.none() if scope is None else Request.objects.filter(scope)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.unit:
        qs = qs.filter(unit__code=f.unit)
    if f.district:
        qs = qs.filter(district_code=f.district)
    if f.overdue:
        qs = qs.filter(overdue_q())
    return with_overdue(qs).select_related("unit").order_by("-id")


def mine(user: Any) -> QuerySet[Request]:
    return with_overdue(requests_visible_to(user)).select_related("unit").order_by("-id")


def overdue_for_monitoring(user: Any, limit: int = 50) -> dict[str, Any]:
    """时限监控: the overdue requests of the user's handling queue (what its units owe or had escalated to them: the
    queue its link opens), the oldest first, at most ``limit``, and how many (counted up to ``COUNT_CAP``)."""
    qs = queue(user, QueueFilter(overdue=True)).order_by("due_on", "pk")
    return {"rows": list(qs[:limit]), "count": count_capped(qs, COUNT_CAP)}


# ------------------------------------------------------------------------------------------------------
# statistics (三率)

DIMENSIONS = {"unit": "unit__name", "category": "category", "district": "district_code", "month": "month"}


@dataclass(frozen=True)
class Rates:
    key: Any
    dispatched: int
    accepted_in_time: int
    answered_in_time: int
    rated: int
    yes: int
    partly: int
    satisfied: int
    basically: int

    @property
    def response(self) -> float | None:
        return self.accepted_in_time / self.dispatched if self.dispatched else None

    @property
    def resolution(self) -> float | None:
        w = process_config().partly_weight
        return (self.yes + w * self.partly) / self.rated if self.rated else None

    @property
    def satisfaction(self) -> float | None:
        w = process_config().basically_weight
        return (self.satisfied + w * self.basically) / self.rated if self.rated else None

    @property
    def composite(self) -> float | None:
        parts = (self.response, self.resolution, self.satisfaction)
        if any(p is None for p in parts):
            return None
        w = process_config().weights
        return round(w["response"] * parts[0] + w["resolution"] * parts[1] + w["satisfaction"] * parts[2], 3)  # type: ignore[operator]


def rates_from_counts(key: Any, row: dict[str, Any]) -> Rates:
    return Rates(key, *(int(row[k] or 0) for k in ("dispatched", "accepted_in_time", "answered_in_time", "rated",
                                                   "yes", "partly", "satisfied", "basically")))  # fmt: skip


def stats(user: Any, by: str, *, year: int | None = None) -> list[Rates]:
    """三率 per ``by`` (unit, category, district, month) over the requests the user may see: ONE grouped
    statement (COUNT … FILTER on PostgreSQL, CASE on SQLite). Dispatched: every request; accepted / answered in
    time: on or before the stage's last day; rated: requests with a rating (the enterprise's, once)."""
    if by not in DIMENSIONS:
        raise ValueError(by)
    qs = requests_visible_to(user)
    if year:
        qs = qs.filter(filed_on__year=year)
    if by == "month":
        qs = qs.annotate(month=TruncMonth("filed_on"))
    rated = ~Q(resolved="")
    rows = (
        qs.values(DIMENSIONS[by])
        .annotate(
            dispatched=Count("pk"),
            accepted_in_time=Count("pk", filter=Q(accepted_on__isnull=False, accepted_on__lte=F("accept_due"))),
            answered_in_time=Count("pk", filter=Q(answered_on__isnull=False, answered_on__lte=F("answer_due"))),
            rated=Count("pk", filter=rated),
            yes=Count("pk", filter=Q(resolved="YES")),
            partly=Count("pk", filter=Q(resolved="PARTLY")),
            satisfied=Count("pk", filter=Q(satisfaction="SATISFIED")),
            basically=Count("pk", filter=Q(satisfaction="BASICALLY")),
        )
        .order_by(DIMENSIONS[by])
    )
    return [rates_from_counts(r[DIMENSIONS[by]], r) for r in rows]


def stats_total(rows: list[Rates]) -> Rates:
    fields = ("dispatched", "accepted_in_time", "answered_in_time", "rated", "yes", "partly", "satisfied", "basically")
    return Rates("合计", *(sum(getattr(r, f) for r in rows) for f in fields))


# ------------------------------------------------------------------------------------------------------
# entrepreneur service days


def service_days_visible_to(user: Any) -> QuerySet[ServiceDay]:
    """Municipal officials and evaluators: all; a district official: its district's; an enterprise: the days it
    was invited to."""
    return visible_to(ServiceDay.objects.all(), user, district="district_code", uscc="invites__uscc").distinct()


def service_day_get(user: Any, pk: int) -> ServiceDay | None:
    return service_days_visible_to(user).filter(pk=pk).first()
