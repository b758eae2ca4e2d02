"""Reads of the service packages, scoped.

- packages (``packages_visible_to``): the municipal office and evaluators all, a district official its
  district's, an enterprise its own;
- items (``items_visible_to``): those of the packages the user sees, plus the items owed by the units the user
  acts for (``units.unit_scope_q``): a district official's membership of a unit shows that unit's items;
- the queue "我方承办事项" (``items_owed``): the items owed by the units in the user's unit scope (municipal: all;
  a district official: its district's units and the units it is a member of), filtered, by due date, paged by
  key (``queue_page``: no count over every item, the next page starts after the last row's (due date, id)).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from gaoqi.web import roles
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.core.scoping import scope_q
from gaoqi.web.paging import count_capped
from gaoqi.web.servicepacks.config import config
from gaoqi.web.servicepacks.models import ServiceItem, ServiceItemRating, ServicePackage
from gaoqi.web.servicepacks.workflow import CANCELLED, DONE, ITEM, OPEN, RATING_LABELS, STATUS_LABELS
from gaoqi.web.units.selectors import unit_scope_q


def packages_visible_to(user: Any) -> QuerySet[ServicePackage]:
    q = scope_q(user, district="district_code", uscc="enterprise__uscc")
    if q is None:
        return ServicePackage.objects.none()
    qs = ServicePackage.objects.filter(q)
    return qs.select_related("enterprise", "municipal_steward", "district_steward", "created_by")


def package_get(user: Any, pk: int) -> ServicePackage | None:
    return packages_visible_to(user).filter(pk=pk).first()


def items_visible_to(user: Any) -> QuerySet[ServiceItem]:
    pkg_q = scope_q(user, district="package__district_code", uscc="package__enterprise__uscc")
    unit_q = unit_scope_q(user, "unit")
    if pkg_q is None and unit_q is None:
        return ServiceItem.objects.none()
    if (pkg_q is not None and not pkg_q) or (unit_q is not None and not unit_q):  # oversight: every item
        return ServiceItem.objects.all()
    if getattr(user, "role", None) == roles.DISTRICT and pkg_q is not None:
        # A district's units (and the units a district official may act for: its district's only) are given
        # items of its district's packages only (services._unit_and_handler), so the package condition covers
        # the unit condition; one indexed condition instead of an OR that no index serves.
        return ServiceItem.objects.filter(pkg_q)
    q = (pkg_q if pkg_q is not None else Q(pk__in=[])) | (unit_q if unit_q is not None else Q(pk__in=[]))
    return ServiceItem.objects.filter(q)


def is_overdue(item: ServiceItem, today: dt.date) -> bool:
    """Due date passed (due today is not overdue) and not done or cancelled."""
    return item.status in OPEN and item.due_on < today


@dataclass(frozen=True)
class QueueFilter:
    status: str = "open"  # "open" (owed: assigned, accepted, returned), "all", or a status
    overdue: bool = False
    unit: str = ""  # a unit code
    category: str = ""
    mine: bool = False  # only the items naming the user as responsible official


STATUS_CHOICES: dict[str, str] = {"open": "待办（已交办、已受理、已退回）", "all": "全部", **STATUS_LABELS}


def items_owed(user: Any, f: QueueFilter, today: dt.date) -> QuerySet[ServiceItem]:
    """The items owed by the units the user's unit scope covers, filtered, by due date then id."""
    scope = unit_scope_q(user, "unit")
    if scope is None:
        return ServiceItem.objects.none()
    qs = ServiceItem.objects.filter(scope)
    if f.status == "open" or f.overdue:
        qs = qs.filter(status__in=OPEN)
    if f.status in STATUS_LABELS:
        qs = qs.filter(status=f.status)
    if f.overdue:
        qs = qs.filter(due_on__lt=today)
    if f.unit:
        qs = qs.filter(unit__code=f.unit)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.mine:
        qs = qs.filter(handler=user)
    return qs.order_by("due_on", "id")


@dataclass
class QueuePage:
    rows: list[ServiceItem]
    next_after: str  # "" on the last page
    shown_from: int


def queue_page(qs: QuerySet[ServiceItem], after: str, size: int = 50) -> QueuePage:
    """One page of ``qs`` (ordered by due date, id) after the key ``after`` ("YYYY-MM-DD_ID"; "" for the first):
    an index range read whatever the page's depth, and no count."""
    if after:
        try:
            day_s, _, pk_s = after.partition("_")
            day, pk = dt.date.fromisoformat(day_s), int(pk_s)
        except ValueError:
            day, pk = None, 0
        if day is not None:
            # the range's start (due_on >= day) lets the index seek; the OR only trims the first day
            qs = qs.filter(due_on__gte=day).filter(Q(due_on__gt=day) | Q(id__gt=pk))
    rows = list(qs.select_related("package__enterprise", "unit", "handler")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    last = rows[-1] if rows else None
    return QueuePage(rows, f"{last.due_on.isoformat()}_{last.pk}" if more and last else "", 0)


#: The queue's and the 时限监控 section's counts stop here (the pages show "1000+").
COUNT_CAP = 1000


def queue_units(user: Any) -> list[Any]:
    """The units a filter may name: those of the user's unit scope (active), by level and code."""
    from gaoqi.web.units.models import Unit

    scope = unit_scope_q(user, "")
    if scope is None:
        return []
    return list(Unit.objects.filter(scope, active=True).order_by("level", "district_code", "code"))


def item_log(items: list[ServiceItem]) -> dict[int, list[dict[str, Any]]]:
    """Each item's moves (WorkflowLog): when, who, the move's words, the comment."""
    ct = ContentType.objects.get_for_model(ServiceItem)
    words = {t.action: t.label for t in ITEM.transitions}
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = WorkflowLog.objects.filter(content_type=ct, object_id__in=[i.pk for i in items]).select_related("actor")
    for r in rows.order_by("pk"):
        who = (r.actor.display_name or r.actor.username) if r.actor else "系统"
        out[int(r.object_id)].append({"at": r.at, "who": who, "move": words.get(r.action, r.action),
                                      "comment": r.comment, "to": STATUS_LABELS.get(r.target, r.target)})  # fmt: skip
    return out


@dataclass
class UnitRow:
    unit: str
    items: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0


@dataclass
class Summary:
    """A package's year in figures: items by status, done on time (done on or before the due date, of the done
    items), the average rating (满意 3, 基本满意 2, 不满意 1; of the rated items' current round), by unit."""

    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    rated: int = 0
    by_rating: dict[str, int] = field(default_factory=dict)
    rating_sum: int = 0
    by_unit: list[UnitRow] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.done if self.done else None

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_sum / self.rated, 2) if self.rated else None


def summary(package: ServicePackage, today: dt.date, items: list[ServiceItem] | None = None) -> Summary:
    """The package's summary (the caller has checked the user may see the package)."""
    if items is None:
        items = list(package.items.select_related("unit"))
    scores = config().rating_scores
    s = Summary(total=len(items))
    statuses: Counter[str] = Counter(i.status for i in items)
    s.by_status = {code: statuses.get(code, 0) for code in STATUS_LABELS}
    units: dict[str, UnitRow] = {}
    ratings: Counter[str] = Counter()
    for i in items:
        row = units.setdefault(i.unit.code, UnitRow(i.unit.name))
        row.items += 1
        if i.status == DONE:
            s.done += 1
            row.done += 1
            if i.done_on is not None and i.done_on <= i.due_on:
                s.on_time += 1
                row.on_time += 1
        if is_overdue(i, today):
            s.overdue += 1
            row.overdue += 1
        if i.rating:
            s.rated += 1
            ratings[i.rating] += 1
            s.rating_sum += scores[i.rating]
    s.by_rating = {code: ratings.get(code, 0) for code in RATING_LABELS}
    s.by_unit = sorted(units.values(), key=lambda r: (-r.items, r.unit))
    return s


def ratings_of(items: list[ServiceItem]) -> dict[int, list[ServiceItemRating]]:
    out: dict[int, list[ServiceItemRating]] = defaultdict(list)
    for r in ServiceItemRating.objects.filter(item__in=items).select_related("rated_by").order_by("round"):
        out[r.item_id].append(r)
    return out


def overdue_items(user: Any, today: dt.date, limit: int = 200) -> tuple[list[ServiceItem], int]:
    """For 时限监控: the items the user's unit scope owes whose due date has passed (not done or cancelled), the
    most overdue first, at most ``limit``, and how many there are (counted up to 1000)."""
    qs = items_owed(user, QueueFilter(status="open", overdue=True), today)
    return list(qs.select_related("package__enterprise", "unit", "handler")[:limit]), count_capped(qs, COUNT_CAP)


def members_without_package(user: Any, year: int, limit: int = 200) -> list[Any]:
    """The current 规升强 members the user sees that have no package for ``year`` (the creation form's choices)."""
    from gaoqi.web.programmes.selectors import members
    from gaoqi.web.servicepacks.services import STRONG_LIST

    have = ServicePackage.objects.filter(year=year).values("enterprise_id")
    qs = members(user, STRONG_LIST).exclude(enterprise_id__in=have).select_related("enterprise")
    return [m.enterprise for m in qs[:limit]]


def stewards(role: str, district_code: str = "") -> list[Any]:
    from gaoqi.web.accounts.models import User

    qs = User.objects.filter(role=role, is_active=True)
    if role == roles.DISTRICT and district_code:
        qs = qs.filter(district_code=district_code)
    return list(qs.order_by("district_code", "username")[:500])


__all__ = [
    "CANCELLED",
    "COUNT_CAP",
    "OPEN",
    "QueueFilter",
    "Summary",
    "is_overdue",
    "item_log",
    "items_owed",
    "items_visible_to",
    "overdue_items",
    "package_get",
    "packages_visible_to",
    "queue_page",
    "summary",
]


def official(username: str) -> Any | None:
    """The active municipal or district official of that user name (a form names stewards and handlers so)."""
    from gaoqi.web.accounts.models import User

    if not username:
        return None
    return User.objects.filter(username=username, is_active=True, role__in=[roles.MUNICIPAL, roles.DISTRICT]).first()


def handlers_for(package: ServicePackage) -> list[Any]:
    """The officials an item of ``package`` may name as responsible: the municipal officials and the package's
    district's officials (each checked against the chosen unit by the service)."""
    from gaoqi.web.accounts.models import User

    qs = User.objects.filter(is_active=True).filter(
        Q(role=roles.MUNICIPAL) | Q(role=roles.DISTRICT, district_code=package.district_code)
    )
    return list(qs.order_by("role", "username")[:500])


def units_for(package: ServicePackage) -> list[Any]:
    """The units an item of ``package`` may be assigned to: the municipal units and the package's district's."""
    from gaoqi.web.units.models import Unit

    qs = Unit.objects.filter(active=True).filter(Q(level="municipal") | Q(district_code=package.district_code))
    return list(qs.order_by("level", "code"))


def overdue_section(user: Any, today: dt.date) -> dict[str, Any]:
    """The 时限监控 page's section of service-package items (scoped by the user's units): the overdue ones."""
    rows, count = overdue_items(user, today)
    return {"rows": rows, "count": count, "categories": config().categories}
