"""政策推送's reads, scoped: an enterprise its own messages; a district official its district's enterprises'; the
municipal office and the evaluator all (``core.scoping``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from gaoqi.web import roles
from gaoqi.web.core.errors import NotFound
from gaoqi.web.core.scoping import visible_to
from gaoqi.web.push import config
from gaoqi.web.push.models import Delivery, Message, Mute, PushJob


def messages_visible_to(user: Any) -> QuerySet[Message]:
    return visible_to(Message.objects.all(), user, district="enterprise__district_code", uscc="enterprise__uscc")


def inbox(user: Any) -> QuerySet[Message]:
    """The enterprise's own messages, newest first (officials have no inbox)."""
    if getattr(user, "role", None) != roles.ENTERPRISE:
        return Message.objects.none()
    return messages_visible_to(user).select_related("enterprise").order_by("-id")


def unread_count(user: Any) -> int:
    if getattr(user, "role", None) != roles.ENTERPRISE or not getattr(user, "uscc", ""):
        return 0
    return Message.objects.filter(enterprise__uscc=user.uscc, read_at__isnull=True).count()


def message_get(user: Any, pk: int) -> Message:
    message = messages_visible_to(user).select_related("enterprise", "read_by").filter(pk=pk).first()
    if message is None:
        raise NotFound("未找到该消息")
    return message


def muted(user: Any) -> set[str]:
    uscc = getattr(user, "uscc", "") if getattr(user, "role", None) == roles.ENTERPRISE else ""
    return set(Mute.objects.filter(enterprise_uscc=uscc).values_list("category", flat=True)) if uscc else set()


@dataclass(frozen=True)
class LogFilter:
    policy: str = ""
    kind: str = ""
    district: str = ""
    read: str = ""  # "", "read", "unread"
    channel: str = ""  # "", "inbox_only", "email", "sms"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""  # USCC or name


def log(user: Any, f: LogFilter) -> QuerySet[Message]:
    """Who was told what, when, by which channel, from which result and rule-set hash — scoped, filtered."""
    qs = messages_visible_to(user)
    if f.policy:
        qs = qs.filter(policy_id=f.policy)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.district:
        qs = qs.filter(enterprise__district_code=f.district)
    if f.read == "read":
        qs = qs.filter(read_at__isnull=False)
    elif f.read == "unread":
        qs = qs.filter(read_at__isnull=True)
    if f.channel == "inbox_only":
        qs = qs.filter(pushed_at__isnull=True)
    elif f.channel:
        qs = qs.filter(deliveries__channel=f.channel).distinct()
    if f.date_from:
        qs = qs.filter(created_at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(created_at__date__lte=f.date_to)
    if f.q:
        qs = qs.filter(Q(enterprise__uscc=f.q.upper()) | Q(enterprise__name__contains=f.q))
    return (
        qs.select_related("enterprise", "read_by")
        .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("channel", "id")))
        .order_by("-id")
    )


def read_rates(user: Any, f: LogFilter) -> list[dict[str, Any]]:
    """Messages and those read, by policy and district (scoped and filtered like the log), with the rate."""
    qs = log(user, f).order_by().prefetch_related(None)
    rows = (
        qs.values("policy_id", "enterprise__district_code")
        .annotate(n=Count("id"), read=Count("id", filter=Q(read_at__isnull=False)))
        .order_by("policy_id", "enterprise__district_code")
    )
    return [
        {"policy_id": r["policy_id"], "district": r["enterprise__district_code"], "n": r["n"], "read": r["read"],
         "rate": r["read"] / r["n"] if r["n"] else None}
        for r in rows
    ]  # fmt: skip


def jobs() -> QuerySet[PushJob]:
    return PushJob.objects.select_related("snapshot", "started_by").order_by("-id")


def job_get(pk: int) -> PushJob:
    job = PushJob.objects.select_related("snapshot", "started_by").filter(pk=pk).first()
    if job is None:
        raise NotFound("未找到该推送任务")
    return job


def job_counts(job: PushJob) -> dict[str, int]:
    by = dict(Delivery.objects.filter(job=job).values_list("status").annotate(n=Count("id")).order_by())
    return {s: int(by.get(s, 0)) for s in ("queued", "sending", "sent", "failed", "unknown")}


def categories() -> list[tuple[str, bool]]:
    """(category, mutable) for the settings page: the mutable ones, then the mandatory ones."""
    return [(c, True) for c in config.mutable_categories()] + [(c, False) for c in config.mandatory_categories()]


def mask_address(value: str) -> str:
    """An e-mail's or a phone number's masked form for officials' pages (personal data)."""
    if "@" in value:
        name, _, domain = value.partition("@")
        return (name[:1] + "***@" + domain) if name else "***@" + domain
    from gaoqi.web.enterprises.selectors import mask_phone

    return mask_phone(value)
