"""Reads of 供需对接, always scoped (core/scoping.py):

- demands: the municipal office and evaluators all; a district official those located in its district; an
  enterprise the published public demands and those whose matches name it (never the other matches);
- supply items: the office all; a district those located in its district; an enterprise its own products;
- matches: the office all; a district those whose demand or item is in its district; an enterprise those naming
  it (its products);
- events: officials all (a district: its district's); an enterprise every event (they are open), its own
  sign-ups only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from gaoqi.web import roles
from gaoqi.web.core.scoping import OVERSIGHT, scope_q
from gaoqi.web.matching.models import CONTRACT, INTENTION, PUBLIC, Demand, Event, EventSignup, Match, SupplyItem
from gaoqi.web.matching.workflow import CONTACTED, DELIVERED, PUBLISHED, SIGNED

ENGAGED = (CONTACTED, SIGNED, DELIVERED)  # a contact was made (the pair went at least that far)
CLOSED_DEALS = (SIGNED, DELIVERED)


def _role(user: Any) -> str:
    return str(getattr(user, "role", "") or "") if getattr(user, "is_active", True) else ""


def demands_visible_to(user: Any) -> QuerySet[Demand]:
    role = _role(user)
    if role == roles.ENTERPRISE and bool(getattr(user, "uscc", None)):
        mine = Match.objects.filter(supply__enterprise__uscc=user.uscc).values("demand_id")
        return Demand.objects.filter(Q(status=PUBLISHED, openness=PUBLIC) | Q(pk__in=mine))
    q = scope_q(user, district="district_code")
    return Demand.objects.none() if q is None else Demand.objects.filter(q)


def supplies_visible_to(user: Any) -> QuerySet[SupplyItem]:
    q = scope_q(user, district="district_code", uscc="enterprise__uscc")
    return SupplyItem.objects.none() if q is None else SupplyItem.objects.filter(q).select_related("enterprise")


def matches_visible_to(user: Any) -> QuerySet[Match]:
    role = _role(user)
    if role == roles.DISTRICT and bool(getattr(user, "district_code", None)):
        q: Q | None = Q(demand__district_code=user.district_code) | Q(supply__district_code=user.district_code)
    else:
        q = scope_q(user, uscc="supply__enterprise__uscc")
    if q is None:
        return Match.objects.none()
    return Match.objects.filter(q).select_related("demand", "supply", "supply__enterprise")


def events_visible_to(user: Any) -> QuerySet[Event]:
    role = _role(user)
    if role == roles.ENTERPRISE and bool(getattr(user, "uscc", None)):
        return Event.objects.all()
    q = scope_q(user, district="district_code")
    return Event.objects.none() if q is None else Event.objects.filter(q)


def signups_visible_to(user: Any) -> QuerySet[EventSignup]:
    role = _role(user)
    if role == roles.ENTERPRISE:
        q = scope_q(user, uscc="enterprise__uscc")
    else:
        q = scope_q(user, district="event__district_code")
    if q is None:
        return EventSignup.objects.none()
    return EventSignup.objects.filter(q).select_related("event", "enterprise")


def demand_matches(user: Any, demand: Demand) -> QuerySet[Match]:
    return matches_visible_to(user).filter(demand=demand).order_by("rank", "id")


def sees_all(user: Any) -> bool:
    return _role(user) in OVERSIGHT


@dataclass(frozen=True)
class Kpis:
    proposed: int
    contacted: int
    signed: int
    delivered: int
    contract_value: Decimal  # 万元, signed matches
    event_signups: int
    event_intentions: int
    event_contracts: int
    event_value: Decimal  # 万元, contracts at events

    @property
    def signing_rate(self) -> float | None:
        """signed ÷ contacted (programmes.md §10.2); None when nothing was contacted."""
        return self.signed / self.contacted if self.contacted else None

    @property
    def landing_rate(self) -> float | None:
        return self.delivered / self.signed if self.signed else None


def kpis(user: Any) -> Kpis:
    m = matches_visible_to(user).aggregate(
        proposed=Count("id"),
        contacted=Count("id", filter=Q(status__in=ENGAGED)),
        signed=Count("id", filter=Q(status__in=CLOSED_DEALS)),
        delivered=Count("id", filter=Q(status=DELIVERED)),
        contract_value=Sum("contract_amount", filter=Q(status__in=CLOSED_DEALS)),
    )
    e = signups_visible_to(user).aggregate(
        signups=Count("id"),
        intentions=Count("id", filter=Q(result=INTENTION)),
        contracts=Count("id", filter=Q(result=CONTRACT)),
        value=Sum("amount", filter=Q(result=CONTRACT)),
    )
    return Kpis(
        proposed=m["proposed"], contacted=m["contacted"], signed=m["signed"], delivered=m["delivered"],
        contract_value=m["contract_value"] or Decimal(0), event_signups=e["signups"],
        event_intentions=e["intentions"], event_contracts=e["contracts"], event_value=e["value"] or Decimal(0),
    )  # fmt: skip
