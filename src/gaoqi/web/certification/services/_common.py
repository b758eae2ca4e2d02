"""What the certification services share: the platform's date, notifications, the form's sections, and the
re-read of a draft its enterprise may still change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.mail import send_mail

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.models import Application, Notification
from gaoqi.web.core.locks import STALE, StaleActionError, locked
from gaoqi.web.core.workflow import WorkflowError

POLICY_ID = "hte-certification"
#: The 报备即批准 pilot's scope (policies/hte-filing-pilot.yaml): a route of POLICY_ID, whose conditions of the same
#: id it decides instead (its R&D-in-China share of 50% for the certification's 60%).
PILOT_POLICY_ID = "hte-filing-pilot"


def notify(users: Any, text: str, link: str = "", *, collapse: bool = False) -> int:
    """In-platform notifications, and e-mail through Django's backend to users who have an address.
    ``collapse``: a user who has not read the same notice yet gets no second copy (37 objections → one notice)."""
    n = 0
    if collapse:
        unread = Notification.objects.filter(text=text, link=link, read_at__isnull=True).values("user_id")
        users = users.exclude(pk__in=unread)
    for user in users:
        Notification.objects.create(user=user, text=text, link=link)
        if user.email:
            send_mail("【高企】" + text, f"{text}\n{link}", None, [user.email], fail_silently=True)
        n += 1
    return n


def _municipal() -> Any:
    return User.objects.filter(role=roles.MUNICIPAL, is_active=True)


def _snapshot_explain(uscc: str, as_of: dt.date, policy_id: str = POLICY_ID) -> dict[str, Any] | None:
    from gaoqi.web.enterprises.selectors import explain_for

    return explain_for(uscc, policy_id, as_of)


#: What the enterprise fills in (the government does not hold it); each list item needs a PDF attachment.
FORM_SECTIONS: dict[str, str] = {
    "rd_projects": "研究开发活动（RD01…）",
    "products": "高新技术产品（服务）（PS01…）",
    "results": "科技成果转化情况",
    "rd_management": "研究开发组织管理水平",
}
#: What the enterprise fills in besides the lists (one text each, no attachment): the agency that prepared the
#: application, if any (申报代理机构; written to the platform feed for the review signals, ADR 0036).
FORM_FIELDS: dict[str, str] = {"agent_name": "申报代理机构"}
#: The longest text of a FORM_FIELDS value.
FORM_FIELD_MAX = 200


def _editable(actor: User, app: Application) -> Application:
    """The application re-read under its lock, refused unless its enterprise may still change it."""
    if actor.role != roles.ENTERPRISE or actor.uscc != app.uscc:
        raise WorkflowError("只能修改本企业的申请")
    fresh = locked(Application, app.pk)
    if fresh.status not in (wf.DRAFT, wf.CORRECTION):
        raise StaleActionError(f"申请当前为“{wf.STATUS_LABELS[fresh.status]}”，不能再修改（{STALE}）")
    return fresh
