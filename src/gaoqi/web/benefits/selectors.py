"""Reads of 免申即享 benefits, scoped by ``core.scoping``: the municipal office and evaluators all, a district
official its district's enterprises', an enterprise its own; nobody else anything."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from gaoqi.web import roles
from gaoqi.web.benefits.models import Benefit, BenefitNote, PaymentUpload
from gaoqi.web.benefits.workflow import PAYABLE
from gaoqi.web.core.scoping import OVERSIGHT, visible_to

#: who may download the payment list and upload its outcome (the paying department's officials)
PAYERS = frozenset({roles.DISTRICT, roles.MUNICIPAL})


def benefits_visible_to(user: Any) -> QuerySet[Benefit]:
    qs = Benefit.objects.select_related("enterprise")
    return visible_to(qs, user, district="enterprise__district_code", uscc="enterprise__uscc")


def benefit_get(user: Any, pk: int) -> Benefit | None:
    return benefits_visible_to(user).filter(pk=pk).first()


@dataclass(frozen=True)
class BenefitFilter:
    status: str = ""
    policy_id: str = ""
    district: str = ""
    period: str = ""


def benefits_search(user: Any, f: BenefitFilter) -> QuerySet[Benefit]:
    qs = benefits_visible_to(user)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.policy_id:
        qs = qs.filter(policy_id=f.policy_id)
    if f.district:
        qs = qs.filter(enterprise__district_code=f.district)
    if f.period:
        qs = qs.filter(period=f.period)
    return qs.order_by("-notified_on", "-id")


def payable_for(user: Any) -> QuerySet[Benefit]:
    """The payment list: every payable benefit the paying official sees, by record id."""
    if getattr(user, "role", None) not in PAYERS:
        return Benefit.objects.none()
    return benefits_visible_to(user).filter(status=PAYABLE).order_by("id")


def mask_account(number: str) -> str:
    """A bank account as everyone sees it: its last four digits."""
    number = number or ""
    if not number:
        return ""
    return "*" * max(len(number) - 4, 4) + number[-4:]


def totals(user: Any) -> list[dict[str, Any]]:
    """Count and amount by district, policy and status (the benefits the user sees), one grouped query."""
    rows = (
        benefits_visible_to(user)
        .order_by()
        .values("enterprise__district_code", "policy_id", "status")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("enterprise__district_code", "policy_id", "status")
    )
    return [
        {
            "district_code": r["enterprise__district_code"],
            "policy_id": r["policy_id"],
            "status": r["status"],
            "n": r["n"],
            "amount": r["amount"] if r["amount"] is not None else Decimal(0),
        }
        for r in rows
    ]


def notes_visible_to(user: Any) -> QuerySet[BenefitNote]:
    if getattr(user, "role", None) not in OVERSIGHT | {roles.DISTRICT}:
        return BenefitNote.objects.none()
    qs = BenefitNote.objects.select_related("benefit__enterprise", "snapshot")
    return visible_to(qs, user, district="benefit__enterprise__district_code")


def uploads_visible_to(user: Any) -> QuerySet[PaymentUpload]:
    """A municipal official sees every upload, a district official its district's officials' uploads."""
    role = getattr(user, "role", None)
    if role == roles.MUNICIPAL:
        return PaymentUpload.objects.all()
    if role == roles.DISTRICT and getattr(user, "district_code", ""):
        return PaymentUpload.objects.filter(district_code=user.district_code)
    return PaymentUpload.objects.none()
