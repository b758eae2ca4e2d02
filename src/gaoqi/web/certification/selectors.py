"""Reads on applications, scoped to the user like enterprises: the enterprise its own, a district its district's,
the municipal office all, an expert the applications whose panel holds them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gaoqi.web import roles
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.models import Application, Certificate, Expert, Notification


def applications_visible(user: Any) -> QuerySet[Application]:
    role = getattr(user, "role", None)
    qs = Application.objects.all()
    if role in (roles.MUNICIPAL, roles.EVALUATOR):
        return qs
    if role == roles.DISTRICT:
        return qs.filter(district_code=user.district_code)
    if role == roles.ENTERPRISE:
        return qs.filter(uscc=user.uscc)
    if role == roles.EXPERT:
        expert = Expert.objects.filter(user=user).first()
        if expert is None:
            return qs.none()
        ids = [
            p for p, ids in qs.filter(panel__isnull=False).values_list("pk", "panel__expert_ids") if expert.pk in ids
        ]
        return qs.filter(pk__in=ids)
    return qs.none()


def queue_for(user: Any) -> QuerySet[Application]:
    """What waits for this user's action (the 工作台's pending tasks)."""
    role = getattr(user, "role", None)
    qs = applications_visible(user)
    if role == roles.DISTRICT:
        return qs.filter(status=wf.DISTRICT_REVIEW)
    if role == roles.MUNICIPAL:  # and 报备即批准 approvals drawn for a check afterwards, not yet checked
        return qs.filter(status__in=[wf.MUNICIPAL_REVIEW, wf.DECISION, wf.PUBLICITY]) | qs.filter(
            status=wf.FILED, post_check__outcome=""
        )
    if role == roles.ENTERPRISE:
        return qs.filter(status__in=[wf.DRAFT, wf.CORRECTION])
    if role == roles.EXPERT:
        expert = Expert.objects.filter(user=user).first()
        return qs.filter(status=wf.EXPERT_REVIEW).exclude(panel__scores__expert=expert)
    return qs.none()


def certificates_visible(user: Any) -> QuerySet[Certificate]:
    role = getattr(user, "role", None)
    qs = Certificate.objects.all()
    if role in (roles.MUNICIPAL, roles.EVALUATOR):
        return qs
    if role == roles.ENTERPRISE:
        return qs.filter(uscc=user.uscc)
    if role == roles.DISTRICT:
        return qs.filter(application__district_code=user.district_code)
    return qs.none()


def notifications_of(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)[:100]


def publicity_list() -> dict[str, list[Any]]:
    """What is in public 公示 now (a public page, no scope): applications in publicity with their period, and
    certificate renames (Art. 17) in their 10-working-day publicity."""
    from gaoqi.web.certification.config import process_config
    from gaoqi.web.certification.models import NameChange
    from gaoqi.web.certification.workdays import deadline_provisional

    days = process_config().time_limits["publicity"]
    apps = Application.objects.filter(status=wf.PUBLICITY).order_by("enterprise_name", "pk")
    renames = (
        NameChange.objects.filter(status="publicity", publicity_start__isnull=False)
        .select_related("certificate")
        .order_by("publicity_start", "pk")
    )
    return {
        "applications": [(a, a.stage_started_at, deadline_provisional(a.stage_started_at, days)[0]) for a in apps],
        "renames": list(renames),
    }
