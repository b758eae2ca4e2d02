"""Writes on certification: each atomic, taking the acting user, writing the transition log and the audit log,
and notifying whoever must act next. Status changes go through ``application_transition`` only (workflow.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.audit.services import audit_record
from gaoqi.web.certification import panels, workdays
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.config import process_config
from gaoqi.web.certification.models import (
    IN_PROGRESS,
    AnnualReport,
    Application,
    Certificate,
    Expert,
    NameChange,
    Notification,
    Objection,
    Panel,
    PostCheck,
    Revocation,
    Score,
    TransitionLog,
)
from gaoqi.web.certification.pdfcheck import PdfRefused, check_pdf
from gaoqi.web.core.locks import STALE, DomainError, StaleActionError, locked, serialize

POLICY_ID = "hte-certification"


class WorkflowError(DomainError):
    """A move the workflow does not allow (wrong status, role or guard); the message says why, in Chinese."""


__all__ = ["STALE", "DomainError", "StaleActionError", "WorkflowError"]  # what the views catch


def today() -> dt.date:
    return timezone.localdate()


# ------------------------------------------------------------------------------------------------------
# notifications


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


def _next_actors(app: Application) -> Any:
    if app.status in (wf.DISTRICT_REVIEW,):
        return User.objects.filter(role=roles.DISTRICT, district_code=app.district_code, is_active=True)
    if app.status in (wf.MUNICIPAL_REVIEW, wf.DECISION):
        return _municipal()
    if app.status in (wf.CORRECTION, wf.CERTIFIED, wf.REJECTED, wf.FILED, wf.PUBLICITY, wf.REVOKED):
        return User.objects.filter(role=roles.ENTERPRISE, uscc=app.uscc, is_active=True)
    if app.status == wf.EXPERT_REVIEW and hasattr(app, "panel"):
        return User.objects.filter(expert__id__in=app.panel.expert_ids, is_active=True)
    return User.objects.none()


# ------------------------------------------------------------------------------------------------------
# the application and its form


def _snapshot_explain(uscc: str, as_of: dt.date) -> dict[str, Any] | None:
    from gaoqi.web.enterprises.selectors import explain_for

    return explain_for(uscc, POLICY_ID, as_of)


def prefill_from_profile(uscc: str) -> dict[str, Any]:
    """The values the government already holds, each with its source (feed, file, line): locked in the form,
    no attachment needed (免提交佐证材料)."""
    from gaoqi.web.enterprises.models import Enterprise
    from gaoqi.web.enterprises.selectors import profile_details

    ent = Enterprise.objects.get(uscc=uscc)
    details = profile_details(ent)
    profile = details.get("profile", {})

    def val(name: str) -> Any:
        v = profile.get(name)
        return None if v is None else str(v) if not isinstance(v, (int, bool)) else v

    ip = details.get("ip", {})
    return {
        "basic": {
            "name": ent.name, "uscc": ent.uscc, "district_code": ent.district_code, "industry_code": ent.industry_code,
            "established_date": str(ent.established_date or ""), "legal_representative": ent.legal_representative,
            "source": details.get("sources", {}).get("registration", ""),
        },
        "finance": [{k: (str(v) if v is not None else None) for k, v in row.items()} for row in details.get("finance", [])],
        "rd": [{k: (str(v) if v is not None else None) for k, v in row.items()} for row in details.get("rd", [])],
        "staff": {"staff_count_last_year": val("staff_count_last_year"), "st_staff_count_last_year": val("st_staff_count_last_year")},
        "ip": [
            {"ip_number": i["ip_number"], "ip_type": i["ip_type"], "title": i["title"], "class": cls,
             "grant_date": str(i["grant_date"]), "acquisition": i["acquisition"],
             "source": f"{i['feed']} · {i['file_name']} 第{i['line']}行"}
            for cls, key in (("Ⅰ", "ip_class1_count"), ("Ⅱ", "ip_class2_count")) for i in ip.get(key, [])
        ],
        "features": {k: val(k) for k in ("hte_rd_ratio", "st_staff_share", "ht_revenue_share", "rd_domestic_share",
                                         "sales_revenue_last_year", "days_since_established")},
    }  # fmt: skip


#: What the enterprise fills in (the government does not hold it); each list item needs a PDF attachment.
FORM_SECTIONS: dict[str, str] = {
    "rd_projects": "研究开发活动（RD01…）",
    "products": "高新技术产品（服务）（PS01…）",
    "results": "科技成果转化情况",
    "rd_management": "研究开发组织管理水平",
}


def _check_as_of(as_of: dt.date) -> None:
    """The evaluation date of an application: not in the future, not before the rules in force (2016 measures
    apply to applications from 2016 on), and the published snapshot's date (the self-check reads its results)."""
    from gaoqi.web.intake.selectors import current_snapshot

    if as_of > today():
        raise WorkflowError(f"评估基准日 {as_of} 不能晚于今天")
    if as_of.year < 2016:
        raise WorkflowError("评估基准日不能早于2016年（现行认定办法自2016年起施行）")
    snap = current_snapshot()
    if snap is not None and as_of != snap.as_of:
        raise WorkflowError(f"评估基准日须为当前数据快照的日期 {snap.as_of}（自评按该日期的共享数据计算）")


def application_start_refusal(enterprise: Any) -> str | None:
    """Why the enterprise may not start an application this year, or None. The start form is offered only when
    this is None, and application_start checks it again under its lock."""
    year = today().year  # the year of application (申报年度)
    if Revocation.objects.filter(certificate__uscc=enterprise.uscc, no_application_in_year=year).exists():
        return f"资格在{year}年被取消，当年不得再次申请（国科发火〔2016〕195号 五（六）3）"
    if Application.objects.filter(uscc=enterprise.uscc, status__in=IN_PROGRESS).exists():
        return "已有进行中的申请，请在原申请中继续办理"
    # A valid qualification lasts three years (国科发火〔2016〕32号 第九条); the enterprise applies again in the
    # year it expires (195号 四.3: until re-certified it prepays at 15% that year). Certificates issued here or
    # delivered by the department feed both count.
    cert = (
        Certificate.objects.filter(uscc=enterprise.uscc, status=Certificate.VALID, expiry_date__gte=today())
        .order_by("-expiry_date")
        .first()
    )
    expiry = cert.expiry_date if cert is not None else None
    if expiry is None and enterprise.has_hte and enterprise.hte_expiry_date and enterprise.hte_expiry_date >= today():
        expiry = enterprise.hte_expiry_date
    if expiry is not None and expiry.year > year:
        number = f"（{cert.number}）" if cert is not None else ""
        return (
            f"您的高新技术企业证书{number}有效期至{expiry.year}年{expiry.month}月{expiry.day}日，有效期内无需重复申请；"
            f"请在证书到期当年（{expiry.year}年）重新申请认定（国科发火〔2016〕32号 第九条）"
        )
    if (
        Application.objects.filter(uscc=enterprise.uscc, year=year)
        .exclude(status__in=[wf.WITHDRAWN, wf.REJECTED])
        .exists()
    ):
        return f"{year}年度已办理过认定申请"
    return None


@transaction.atomic
def application_start(actor: User, *, as_of: dt.date, tech_field: str) -> Application:
    if actor.role != roles.ENTERPRISE:
        raise WorkflowError("只有企业用户可以发起认定申请")
    from gaoqi.web.enterprises.models import Enterprise

    if tech_field not in panels.FIELDS:
        raise WorkflowError("技术领域须为《国家重点支持的高新技术领域》八个领域之一")
    ent = Enterprise.objects.filter(uscc=actor.uscc).first()
    if ent is None:
        raise WorkflowError("共享数据中没有您的企业")
    serialize(f"application_start:{ent.uscc}")  # two starts at once: the second sees the first's draft
    refusal = application_start_refusal(ent)
    if refusal is not None:
        raise WorkflowError(refusal)
    year = today().year  # the year of application (申报年度), which a revocation bars
    _check_as_of(as_of)
    app = Application.objects.create(
        uscc=ent.uscc, enterprise_name=ent.name, district_code=ent.district_code,
        tech_field=tech_field, stage_started_at=today(), prefill=prefill_from_profile(ent.uscc), as_of=as_of,
        created_by=actor, year=year,
    )  # fmt: skip
    _log(app, "start", "", wf.DRAFT, actor, "")
    audit_record(actor, "application.start", target=f"application:{app.pk}")
    return app


def _editable(actor: User, app: Application) -> Application:
    """The application re-read under its lock, refused unless its enterprise may still change it."""
    if actor.role != roles.ENTERPRISE or actor.uscc != app.uscc:
        raise WorkflowError("只能修改本企业的申请")
    fresh = locked(Application, app.pk)
    if fresh.status not in (wf.DRAFT, wf.CORRECTION):
        raise StaleActionError(f"申请当前为“{wf.STATUS_LABELS[fresh.status]}”，不能再修改（{STALE}）")
    return fresh


@transaction.atomic
def application_update_form(actor: User, app: Application, form: dict[str, Any]) -> Application:
    unknown = set(form) - set(FORM_SECTIONS) - {"tech_field"}
    if unknown:
        raise WorkflowError(f"未知的填报项：{', '.join(sorted(unknown))}")
    form = dict(form)
    if "tech_field" in form and str(form["tech_field"]) not in panels.FIELDS:
        raise WorkflowError("技术领域须为《国家重点支持的高新技术领域》八个领域之一")
    app = _editable(actor, app)  # the sections another session saved meanwhile are kept
    if "tech_field" in form:
        app.tech_field = str(form.pop("tech_field"))
    app.form = {**app.form, **form}
    app.save(update_fields=["form", "tech_field"])
    audit_record(actor, "application.update", target=f"application:{app.pk}", detail={"sections": sorted(form)})
    return app


MAX_ATTACHMENT = 20 * 1024 * 1024
#: Per application: enough for every RD/PS item of a large applicant, not a storage service.
MAX_ATTACHMENTS = 60
MAX_ATTACHMENTS_BYTES = 200 * 1024 * 1024


@transaction.atomic
def attachment_add(actor: User, app: Application, item: str, file_name: str, data: bytes) -> Any:
    """A PDF for an entered value: checked by content (not by its name), size-limited, stored outside the web root."""
    from gaoqi.web.certification.models import Attachment

    if len(data) > MAX_ATTACHMENT:
        raise WorkflowError("附件不能超过 20 MB")
    item = item.strip()
    if not item or len(item) > 64:
        raise WorkflowError("请注明附件对应的填报项（如 RD01）")
    try:
        check_pdf(data)
    except PdfRefused as exc:
        raise WorkflowError(str(exc)) from exc
    app = _editable(actor, app)
    have = app.attachments.aggregate(n=models.Count("id"), size=models.Sum("size"))
    if have["n"] >= MAX_ATTACHMENTS:
        raise WorkflowError(f"每份申请最多上传 {MAX_ATTACHMENTS} 个附件")
    if (have["size"] or 0) + len(data) > MAX_ATTACHMENTS_BYTES:
        raise WorkflowError(f"每份申请的附件合计不能超过 {MAX_ATTACHMENTS_BYTES // (1024 * 1024)} MB")
    digest = hashlib.sha256(data).hexdigest()
    folder = Path(settings.UPLOAD_DIR) / "attachments" / str(app.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.pdf"
    path.write_bytes(data)
    att = Attachment.objects.create(
        application=app, item=item, file_name=Path(file_name).name[:200], path=str(path), sha256=digest, size=len(data)
    )
    audit_record(actor, "attachment.add", target=f"application:{app.pk}", detail={"item": item, "sha256": digest})
    return att


def attachment_may_download(user: Any, app: Application) -> bool:
    """The applicant, the district of the application, the municipal office and the experts of its panel."""
    role = getattr(user, "role", None)
    if role == roles.ENTERPRISE:
        return bool(user.uscc == app.uscc)
    if role == roles.DISTRICT:
        return bool(user.district_code == app.district_code)
    if role == roles.EXPERT:
        panel = Panel.objects.filter(application=app).first()
        expert = Expert.objects.filter(user=user).first()
        return panel is not None and expert is not None and expert.pk in panel.expert_ids
    return role == roles.MUNICIPAL


def attachment_open(actor: User, app: Application, attachment_id: int) -> tuple[Any, Any]:
    """The attachment and an open file handle, for those who may review it; every download is audited."""
    from gaoqi.web.certification.models import Attachment

    if not attachment_may_download(actor, app):
        raise WorkflowError("您不能查看该申请的附件")
    item = Attachment.objects.filter(application=app, pk=attachment_id).first()
    if item is None:
        raise WorkflowError("附件不存在")
    path = Path(item.path)
    root = (Path(settings.UPLOAD_DIR) / "attachments").resolve()
    if not path.resolve().is_relative_to(root) or not path.is_file():
        raise WorkflowError("附件文件不存在")
    audit_record(actor, "attachment.download", target=f"application:{app.pk}",
                 detail={"attachment": item.pk, "sha256": item.sha256})  # fmt: skip
    return item, path.open("rb")


def missing_attachments(app: Application) -> list[str]:
    """Entered items without their PDF (each list entry of each section needs one, by its code)."""
    have = set(app.attachments.values_list("item", flat=True))
    need = []
    for section in FORM_SECTIONS:
        for entry in app.form.get(section, []) or []:
            code = str(entry.get("code", "")) if isinstance(entry, dict) else ""
            if code and code not in have:
                need.append(code)
    return need


def application_self_check(actor: User | None, app: Application) -> dict[str, Any]:
    """The rules engine on the draft: failing data conditions (with their gaps) block submission; attested
    ones need a declaration (告知承诺); expert ones show as pending."""
    data = _snapshot_explain(app.uscc, app.as_of)
    if data is None:
        from gaoqi.web.intake.selectors import current_snapshot

        snap = current_snapshot()
        why = (
            "尚无已发布的数据快照，请待数据汇聚完成后再自评"
            if snap is None
            else f"当前数据快照（评估基准日 {snap.as_of}）中没有贵企业的评估结果：申请的评估基准日 {app.as_of} "
            "与快照不一致，或贵企业尚未纳入共享数据。请以快照日期重新发起申请，或联系所在区科技主管部门核实登记信息"
        )
        result: dict[str, Any] = {"status": "unknown", "blocking": [why], "conditions": []}
    else:
        conditions = []
        blocking = []
        for c in data["conditions"]:
            item = {"id": c["id"], "label": c["label"], "article": c["article"], "kind": c["kind"],
                    "outcome": c["outcome"], "gap": c["gap"]}  # fmt: skip
            if c["kind"] == "attested":
                item["outcome"] = "declared" if c["id"] in app.declarations else "needs_declaration"
                if c["id"] not in app.declarations:
                    blocking.append(f"{c['label']}：需要企业作出告知承诺")
            elif c["outcome"] == "fail":
                blocking.append(f"{c['label']}：{c['gap'] or '不满足'}")
            elif c["outcome"] == "unknown":
                blocking.append(f"{c['label']}：缺少共享数据，请联系数据提供部门")
            conditions.append(item)
        if empty := [label for key, label in FORM_SECTIONS.items() if not app.form.get(key)]:
            blocking.append("请填写：" + "、".join(empty))
        if missing := missing_attachments(app):
            blocking.append("缺少附件：" + "、".join(missing))
        result = {"status": data["status"], "blocking": blocking, "conditions": conditions, "scores": data["scores"],
                  "checked_at": timezone.now().isoformat()}  # fmt: skip
    result = json.loads(json.dumps(result, default=str))  # Decimal and dates as text
    Application.objects.filter(pk=app.pk).update(self_check=result)
    app.self_check = result
    return result


#: The 告知承诺书 of the 报备即批准 pilot, besides the policy's attested conditions.
COMMITMENT = "commitment"


def declarable_conditions(as_of: dt.date) -> set[str]:
    """What an enterprise may declare: the policy version's attested conditions and the pilot commitment."""
    from gaoqi.web.policies.selectors import policy_get

    policy = policy_get(POLICY_ID)
    version = policy.version_at(as_of) if policy is not None else None
    attested = {c.id for c in version.conditions if c.kind == "attested"} if version is not None else set()
    return attested | {COMMITMENT}


@transaction.atomic
def application_declare(actor: User, app: Application, condition_ids: list[str]) -> Application:
    if not condition_ids:
        raise WorkflowError("请选择要承诺的事项")
    unknown = set(condition_ids) - declarable_conditions(app.as_of)
    if unknown:
        raise WorkflowError("不能承诺的事项：" + "、".join(sorted(unknown)))
    app = _editable(actor, app)  # two declarations at once: both kept, on the fresh row
    stamp = timezone.now().isoformat()
    app.declarations = {**app.declarations, **dict.fromkeys(condition_ids, stamp)}
    app.save(update_fields=["declarations"])
    audit_record(actor, "application.declare", target=f"application:{app.pk}", detail={"conditions": condition_ids})
    return app


# ------------------------------------------------------------------------------------------------------
# guards and the one transition function


def _self_check_passes(actor: User, app: Application) -> str | None:
    result = application_self_check(actor, app)
    return None if not result["blocking"] else "自评未通过：" + "；".join(result["blocking"])


def _pilot_eligible(actor: User, app: Application) -> str | None:
    cfg = process_config().pilot
    if not cfg.get("enabled"):
        return "报备即批准试点未开放"
    if app.tech_field not in cfg.get("fields", []):
        return f"技术领域“{app.tech_field}”不在报备即批准试点范围内"
    if "commitment" not in app.declarations:
        return "需要签署告知承诺书"
    reason = _self_check_passes(actor, app)
    if reason:
        return reason
    # the self-check just run holds every condition's outcome: no second evaluation
    prof = {c["id"]: c for c in app.self_check.get("conditions", [])}
    if prof.get("no_major_accident", {}).get("outcome") != "pass":
        return "信用记录不符合试点要求"
    if any(c["kind"] == "data" and c["outcome"] != "pass" for c in prof.values()):
        return "并非所有数据条件均已满足"
    return None


def _in_jurisdiction(actor: User, app: Application) -> str | None:
    return None if actor.role != roles.DISTRICT or actor.district_code == app.district_code else "不在您的管辖范围内"


def _panel_drawn(actor: User, app: Application) -> str | None:
    return None if Panel.objects.filter(application=app).exists() else "请先抽取专家组"


def _all_scored(actor: Any, app: Application) -> str | None:
    panel = Panel.objects.filter(application=app).first()
    if panel is None:
        return "没有专家组"
    missing = len(panel.expert_ids) - panel.scores.count()
    return None if missing == 0 else f"还有 {missing} 位专家未评分"


def _panel_passes(actor: User, app: Application) -> str | None:
    result = panel_result(app)
    if result is None:
        return "尚无专家组评分"
    return None if result["passed"] else f"创新能力评价 {result['average']} 分，未高于 {result['pass_above']} 分"


def _publicity_over(actor: Any, app: Application) -> str | None:
    end, _ = workdays.deadline_provisional(app.stage_started_at, process_config().time_limits["publicity"])
    if today() <= end:
        return f"公示期至 {end}"
    if app.objections.filter(upheld__isnull=True).exists():
        return "有未处理的异议"
    return None


GUARDS: dict[str, Callable[[Any, Application], str | None]] = {
    "self_check_passes": _self_check_passes,
    "pilot_eligible": _pilot_eligible,
    "in_jurisdiction": _in_jurisdiction,
    "panel_drawn": _panel_drawn,
    "all_scored": _all_scored,
    "panel_passes": _panel_passes,
    "publicity_over": _publicity_over,
}


def _log(
    app: Application, action: str, source: str, target: str, actor: Any, comment: str, used: int | None = None
) -> None:
    TransitionLog.objects.create(
        application=app, action=action, source=source, target=target,
        actor=actor if getattr(actor, "pk", None) else None, comment=comment, workdays_used=used,
    )  # fmt: skip


@transaction.atomic
def application_transition(
    actor: Any, app: Application, action: str, comment: str = "", *, revocation: bool = False
) -> Application:
    """Move ``app`` by ``action`` if the table allows it for the actor's role and the guard passes (checked on
    the row re-read under its lock: an action taken on a page that someone else's action made stale is refused).
    ``revoke`` is only the last step of ``certificate_revoke`` (the one path that ends a qualification)."""
    if action == "revoke" and not revocation:
        return application_revoke(actor, app, reason="not_qualified", detail=comment)
    seen = app.status
    app = locked(Application, app.pk)
    if seen != app.status:
        raise StaleActionError(f"申请已由“{wf.STATUS_LABELS[seen]}”变为“{wf.STATUS_LABELS[app.status]}”，{STALE}")
    t = wf.find(app.status, action)
    if t is None:
        raise WorkflowError(f"状态“{wf.STATUS_LABELS[app.status]}”下不能执行该操作")
    role = "system" if actor is None else actor.role
    if role not in t.roles:
        raise WorkflowError(f"您的角色不能执行“{t.label}”")
    if role == roles.ENTERPRISE and actor.uscc != app.uscc:
        raise WorkflowError("只能操作本企业的申请")
    if t.needs_comment and not comment.strip():
        raise WorkflowError(f"“{t.label}”需要填写意见")
    if action == "accept" and not Panel.objects.filter(application=app).exists():
        panel_draw(actor, app)  # 受理并抽取专家: one step (a panel drawn beforehand is kept)
    if t.guard is not None:
        reason = GUARDS[t.guard](actor, app)
        if reason:
            raise WorkflowError(reason)
    used, _ = workdays.workdays_between_provisional(app.stage_started_at, today())
    stage_start = app.stage_started_at
    source = app.status
    app.status = t.target
    app.stage_started_at = today()
    if action in ("submit", "resubmit", "file"):
        app.submitted_at = timezone.now()
    if action == "file":  # 报备即批准: the application took the pilot route
        app.route = Application.PILOT
    app.save(update_fields=["status", "stage_started_at", "submitted_at", "route"])
    _log(app, action, source, t.target, actor, comment, used)
    audit_record(actor, f"application.{action}", target=f"application:{app.pk}",
                 detail={"from": source, "to": t.target, "comment": comment})  # fmt: skip
    if t.target == wf.CERTIFIED:  # the certification date is the publicity date (hte-rules.md §1.4 step 7)
        certificate_issue(app, issue_date=stage_start)
    if t.target == wf.FILED:
        certificate_issue(app, issue_date=today())
        post_check_draw(app)
    notify(_next_actors(app), f"{app.enterprise_name}：{t.label}（{wf.STATUS_LABELS[t.target]}）",
           f"/certification/{app.pk}/")  # fmt: skip
    return app


# ------------------------------------------------------------------------------------------------------
# expert panels and scores


def _pool() -> list[panels.Expert]:
    out = []
    for e in Expert.objects.all():
        out.append(
            panels.Expert(
                id=str(e.pk),
                name=e.user.get_username(),
                kind=e.kind,
                fields=frozenset(e.fields),
                employer_uscc=e.employer_uscc or None,
                past_employers=tuple((u, dt.date.fromisoformat(d)) for u, d in e.past_employers),
                avoid_usccs=frozenset(e.avoid_usccs),
                active=e.active,
            )
        )
    return out


def _rules() -> panels.PanelRules:
    p = process_config().panel
    return panels.PanelRules(
        size=int(p["size"]), min_technical_share=float(p["min_technical_share"]),
        min_financial=int(p["min_financial"]), conflict_years=int(p["conflict_years"]),
    )  # fmt: skip


@transaction.atomic
def panel_draw(
    actor: User, app: Application, seed: int | None = None, pool: list[panels.Expert] | None = None
) -> Panel:
    """Draw the panel at random (seed recorded, so the draw can be redone and checked)."""
    app = locked(Application, app.pk)
    if app.status != wf.MUNICIPAL_REVIEW:
        raise WorkflowError("只能在市级受理阶段抽取专家")
    if Panel.objects.filter(application=app).exists():
        raise WorkflowError("已抽取专家组")
    seed = seed if seed is not None else random.SystemRandom().randrange(2**62)
    try:
        drawn = panels.draw_panel(
            app.uscc, app.tech_field, pool if pool is not None else _pool(), _rules(), seed, today()
        )
    except panels.PanelError as exc:
        raise WorkflowError(f"无法组成专家组：{exc}") from exc
    panel = Panel.objects.create(
        application=app, seed=seed, expert_ids=[int(x) for x in drawn.expert_ids], leader_id=int(drawn.leader_id),
        excluded={str(k): str(v) for k, v in drawn.excluded.items()}, drawn_by=actor,
    )  # fmt: skip
    audit_record(
        actor, "panel.draw", target=f"application:{app.pk}", detail={"seed": seed, "experts": list(drawn.expert_ids)}
    )
    return panel


def panel_members(panel: Panel) -> dict[str, Any]:
    """The panel as the municipal office reviews it: members (leader first), the seed, and who was excluded why."""
    reasons = {"current_employer": "现任职单位", "former_employer": "3年内曾任职单位", "declared_avoidance": "申报回避",
               "inactive": "暂停抽取"}  # fmt: skip
    experts = {e.pk: e for e in Expert.objects.filter(pk__in=panel.expert_ids).select_related("user")}
    order = sorted(panel.expert_ids, key=lambda pk: (pk != panel.leader_id, pk))
    excluded_ids = [int(k) for k in panel.excluded]
    excluded = {e.pk: e for e in Expert.objects.filter(pk__in=excluded_ids).select_related("user")}

    def name(e: Expert) -> str:
        return str(e.user.display_name or e.user.username)

    return {
        "seed": panel.seed,
        "members": [{"name": name(experts[pk]), "kind": experts[pk].get_kind_display(), "leader": pk == panel.leader_id,
                     "scored": panel.scores.filter(expert_id=pk).exists()} for pk in order if pk in experts],
        "excluded": [{"name": name(excluded[int(k)]) if int(k) in excluded else f"#{k}", "reason": reasons.get(v, v)}
                     for k, v in sorted(panel.excluded.items())],
    }  # fmt: skip


def score_ranges(app: Application) -> dict[str, tuple[int, int, str]]:
    """Each innovation item an expert scores: (low, high, label); data-decided items keep their band's range."""
    scored = (app.self_check or {}).get("scores") or []
    if not scored:
        data = _snapshot_explain(app.uscc, app.as_of) or {}
        scored = data.get("scores", [])
    return {
        s["id"]: (int(s["min"]), int(s["max"]), s["label"])
        for s in scored
        if s["assessed_by"] in ("data", "expert") and s["min"] is not None
    }


def score_total(items: dict[str, int]) -> int:
    """The innovation total by the policy's own combination rules (IP capped at 30, …), evaluated by the engine."""
    from gaoqi.engine import score_total as engine_score_total
    from gaoqi.web.policies.selectors import policy_get

    policy = policy_get(POLICY_ID)
    assert policy is not None
    return engine_score_total(policy, policy.version_at(today()) or policy.versions[-1], items)


@transaction.atomic
def score_submit(actor: User, app: Application, items: dict[str, int]) -> Score:
    """One expert's independent scores: every item within its band (data) or range (expert), whole numbers.
    The experts of one panel serialise on the application's lock, so the last score always moves it on."""
    app = locked(Application, app.pk)
    expert = Expert.objects.filter(user=actor).first()
    panel = Panel.objects.filter(application=app).first()
    if expert is None or panel is None or expert.pk not in panel.expert_ids:
        raise WorkflowError("您不是该申请的评审专家")
    if app.status != wf.EXPERT_REVIEW:
        raise StaleActionError(f"该申请已不在专家评审阶段（{wf.STATUS_LABELS[app.status]}）")
    if panel.scores.filter(expert=expert).exists():
        raise StaleActionError("您已提交过本申请的评分，评分提交后不能修改")
    ranges = score_ranges(app)
    errors = []
    for sid, (lo, hi, label) in ranges.items():
        if sid not in items:
            errors.append(f"{label}：未评分")
        elif not isinstance(items[sid], int) or isinstance(items[sid], bool):
            errors.append(f"{label}：须为整数分")
        elif not lo <= items[sid] <= hi:
            errors.append(f"{label}：{items[sid]} 分不在 {lo}–{hi} 分之间")
    if extra := set(items) - set(ranges):
        errors.append("未知评分项：" + "、".join(sorted(extra)))
    if errors:
        raise WorkflowError("；".join(errors))
    clean = dict(items)  # every item checked above: a known id, a whole number within its range
    score = Score.objects.create(panel=panel, expert=expert, items=clean, total=score_total(clean))
    audit_record(actor, "score.submit", target=f"application:{app.pk}", detail={"total": score.total})
    if panel.scores.count() == len(panel.expert_ids):
        application_transition(None, app, "scores_complete")
    return score


def panel_result(app: Application) -> dict[str, Any] | None:
    """The leader's group score: the average of the experts' totals (whole points, as the form has them)."""
    panel = Panel.objects.filter(application=app).first()
    if panel is None or panel.scores.count() < len(panel.expert_ids):
        return None
    totals = list(panel.scores.values_list("total", flat=True))
    from decimal import ROUND_HALF_UP, Decimal

    average = int((Decimal(sum(totals)) / len(totals)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    pass_above = int(process_config().panel["pass_above"])
    return {"totals": totals, "average": average, "pass_above": pass_above, "passed": average > pass_above}


# ------------------------------------------------------------------------------------------------------
# publicity, objections, certificates


#: Lengths of a public objection (the model's limits, enforced here too: SQLite does not enforce max_length).
OBJECTION_NAME_MAX, OBJECTION_CONTACT_MAX, OBJECTION_CONTENT_MAX = 64, 64, 2000


@transaction.atomic
def objection_file(app: Application, *, name: str, contact: str, content: str, address: str | None = None) -> Objection:
    """A written, real-name objection from the public: lengths checked, and at most ``objections.per_address``
    objections per address within ``objections.window_minutes`` (process.yaml) so that a script cannot file
    dozens in seconds; the municipal office gets one unread notice per application, not one per objection."""
    name, contact, content = name.strip(), contact.strip(), content.strip()
    if not name or not content:
        raise WorkflowError("异议须实名、书面提出")
    if len(name) > OBJECTION_NAME_MAX or len(contact) > OBJECTION_CONTACT_MAX:
        raise WorkflowError(f"姓名或单位名称、联系方式均不超过 {OBJECTION_NAME_MAX} 个字")
    if len(content) > OBJECTION_CONTENT_MAX:
        raise WorkflowError(f"异议内容不超过 {OBJECTION_CONTENT_MAX} 字，证明材料请按公示公告的方式书面递交")
    app = locked(Application, app.pk)
    if app.status != wf.PUBLICITY:
        raise WorkflowError("该申请不在公示期")
    limits = process_config().objections
    if address:
        since = timezone.now() - dt.timedelta(minutes=int(limits["window_minutes"]))
        recent = Objection.objects.filter(address=address, received_at__gte=since).count()
        if recent >= int(limits["per_address"]):
            audit_record(None, "objection.file", target=f"application:{app.pk}", outcome="refused",
                         detail={"reason": "rate_limited"})  # fmt: skip
            raise WorkflowError(
                f"提交过于频繁：同一网络地址 {limits['window_minutes']} 分钟内最多提交 {limits['per_address']} 份异议"
            )
    obj = Objection.objects.create(application=app, name=name, contact=contact, content=content, address=address)
    audit_record(None, "objection.file", target=f"application:{app.pk}", detail={"objection": obj.pk})
    notify(_municipal(), f"{app.enterprise_name} 公示期收到异议", f"/certification/{app.pk}/", collapse=True)
    return obj


@transaction.atomic
def objection_handle(actor: User, obj: Objection, *, upheld: bool, handling: str) -> Objection:
    if actor.role != roles.MUNICIPAL:
        raise WorkflowError("异议由市级管理部门处理")
    if not handling.strip():
        raise WorkflowError("请填写处理意见")
    obj = locked(Objection, obj.pk)
    if obj.upheld is not None:
        raise StaleActionError(f"该异议已处理（{'成立' if obj.upheld else '不成立'}），{STALE}")
    if obj.application.status != wf.PUBLICITY:
        raise StaleActionError(f"该申请已不在公示期，{STALE}")
    obj.upheld, obj.handling, obj.handled_by = upheld, handling.strip(), actor
    obj.save(update_fields=["upheld", "handling", "handled_by"])
    audit_record(actor, "objection.handle", target=f"application:{obj.application_id}", detail={"upheld": upheld})
    if upheld:
        application_transition(actor, obj.application, "objection_upheld", handling or "异议成立")
    return obj


def expiry_for(issue: dt.date) -> dt.date:
    """Three years from the issue date (Art. 9): the last valid day is the day before the third anniversary."""
    years = int(process_config().certificate["validity_years"])
    try:
        end = issue.replace(year=issue.year + years)
    except ValueError:  # 29 February
        end = issue.replace(year=issue.year + years, day=28) + dt.timedelta(days=1)
    return end - dt.timedelta(days=1)


def _next_number(year: int) -> str:
    serialize("certificate_number")  # two certificates issued at once must not get the same serial
    cfg = process_config().certificate
    prefix = f"{cfg['number_prefix']}{year}{cfg['province_code']}"
    last = Certificate.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    serial = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{serial:06d}"


def certificate_issue(app: Application, *, issue_date: dt.date) -> Certificate:
    cert = Certificate.objects.create(
        number=_next_number(issue_date.year), uscc=app.uscc, enterprise_name=app.enterprise_name,
        tech_field=app.tech_field, issue_date=issue_date, expiry_date=expiry_for(issue_date), application=app,
    )  # fmt: skip
    audit_record(None, "certificate.issue", target=f"certificate:{cert.number}", detail={"application": app.pk})
    return cert


def publicity_due() -> Iterator[Application]:
    """The applications whose publicity ended without an upheld or open objection (to be certified)."""
    return (app for app in Application.objects.filter(status=wf.PUBLICITY) if _publicity_over(None, app) is None)


def publicity_close_due() -> list[Application]:
    """Certify every application whose publicity ended without an upheld or open objection (a daily task)."""
    done = []
    for app in publicity_due():
        try:
            done.append(application_transition(None, app, "publicity_end"))
        except StaleActionError:  # closed by the municipal office meanwhile
            continue
    return done


# ------------------------------------------------------------------------------------------------------
# 报备即批准: checks afterwards


def post_check_draw(app: Application) -> PostCheck | None:
    """Draw, at random with a recorded seed, whether this pilot approval is checked afterwards."""
    cfg = process_config()
    seed = random.SystemRandom().randrange(2**62)
    chosen = random.Random(seed).random() < float(cfg.pilot["post_check_share"])
    audit_record(None, "post_check.draw", target=f"application:{app.pk}", detail={"seed": seed, "chosen": chosen})
    if not chosen:
        return None
    due, provisional = workdays.deadline_provisional(today(), cfg.time_limits["post_check"])
    check = PostCheck.objects.create(application=app, seed=seed, due_date=due, due_provisional=provisional)
    notify(
        _municipal(),
        f"{app.enterprise_name} 被抽中事后核查，{due} 前完成",
        f"/certification/{app.pk}/",
    )
    return check


@transaction.atomic
def post_check_complete(actor: User, check: PostCheck, *, passed: bool, reasons: str = "") -> PostCheck:
    if actor.role != roles.MUNICIPAL:
        raise WorkflowError("事后核查由市级管理部门完成")
    if not passed and not reasons.strip():
        raise WorkflowError("核查未通过须写明原因")
    check = locked(PostCheck, check.pk)
    if check.outcome:
        label = "通过" if check.outcome == "passed" else "未通过"
        raise StaleActionError(f"该核查已由他人完成（核查{label}），{STALE}")
    if check.application.status != wf.FILED:
        raise StaleActionError(f"该申请已是“{wf.STATUS_LABELS[check.application.status]}”，{STALE}")
    check.outcome, check.reasons, check.checked_by, check.checked_at = (
        "passed" if passed else "failed", reasons, actor, timezone.now(),
    )  # fmt: skip
    check.save(update_fields=["outcome", "reasons", "checked_by", "checked_at"])
    audit_record(actor, "post_check.complete", target=f"application:{check.application_id}", detail={"passed": passed})
    if not passed:
        cert = check.application.certificates.filter(status=Certificate.VALID).first()
        if cert is not None:
            certificate_revoke(actor, cert, reason="post_check_failed", article="国科发火〔2016〕32号 第十六条", detail=reasons,
                               from_year=cert.issue_date.year)  # fmt: skip
    return check


# ------------------------------------------------------------------------------------------------------
# after certification


REVOCATION_REASONS: dict[str, str] = {
    "not_qualified": "国科发火〔2016〕32号 第十六条",
    "falsification": "国科发火〔2016〕32号 第十九条（一）",
    "major_accident": "国科发火〔2016〕32号 第十九条（二）",
    "missing_reports": "国科发火〔2016〕32号 第十九条（三）",
    "post_check_failed": "国科发火〔2016〕32号 第十六条",
}
REVOCATION_LABELS: dict[str, str] = {
    "not_qualified": "不符合认定条件（第十六条）",
    "falsification": "申请认定过程中存在严重弄虚作假行为（第十九条（一））",
    "major_accident": "发生重大安全、重大质量事故或有严重环境违法行为（第十九条（二））",
    "missing_reports": "未按期报告与认定条件有关重大变化，或累计两年未填报年度发展情况报表（第十九条（三））",
    "post_check_failed": "事后核查未通过（第十六条）",
}


@transaction.atomic
def certificate_revoke(
    actor: User, cert: Certificate, *, reason: str, article: str | None = None, detail: str, from_year: int
) -> Revocation:
    """Cancel the qualification: tax benefits recovered from ``from_year``; no new application this year."""
    cert = locked(Certificate, cert.pk)
    if cert.status != Certificate.VALID:
        raise StaleActionError(f"证书已不是有效状态，{STALE}")
    if reason not in REVOCATION_REASONS:
        raise WorkflowError(f"未知的取消原因：{reason}")
    rev = Revocation.objects.create(
        certificate=cert, reason=reason, article=article or REVOCATION_REASONS[reason], detail=detail,
        recover_tax_from_year=from_year, no_application_in_year=today().year, decided_by=actor,
    )  # fmt: skip
    cert.status = Certificate.REVOKED
    cert.save(update_fields=["status"])
    app = cert.application
    if app is not None and app.status in (wf.CERTIFIED, wf.FILED):
        application_transition(actor, app, "revoke", f"{REVOCATION_REASONS[reason]}：{detail}", revocation=True)
    audit_record(actor, "certificate.revoke", target=f"certificate:{cert.number}",
                 detail={"reason": reason, "recover_from": from_year})  # fmt: skip
    notify(User.objects.filter(role=roles.ENTERPRISE, uscc=cert.uscc), f"高企资格已取消：{detail}")
    return rev


#: The figures of the 年度发展情况报表: each a number, none negative.
ANNUAL_REPORT_FIELDS: dict[str, str] = {
    "revenue": "销售收入（万元）", "rd_expense": "研发费用（万元）", "st_staff": "科技人员（人）", "ip_count": "知识产权（件）",
}  # fmt: skip


def _annual_report_data(data: dict[str, Any]) -> dict[str, str]:
    from decimal import Decimal, InvalidOperation

    clean, errors = {}, []
    for key, label in ANNUAL_REPORT_FIELDS.items():
        raw = str(data.get(key, "")).strip().replace(",", "")
        if not raw:
            continue
        try:
            value = Decimal(raw)
        except InvalidOperation:
            errors.append(f"{label}须为数字")
            continue
        if not value.is_finite() or value < 0:
            errors.append(f"{label}须为不小于 0 的数字")
        else:
            clean[key] = str(value)
    if unknown := set(data) - set(ANNUAL_REPORT_FIELDS):
        errors.append("未知的填报项：" + "、".join(sorted(unknown)))
    if errors:
        raise WorkflowError("；".join(errors))
    return clean


@transaction.atomic
def application_revoke(
    actor: User, app: Application, *, reason: str, detail: str, from_year: int | None = None
) -> Application:
    """撤销资格 from the application: revokes its valid certificate through ``certificate_revoke`` (revocation row,
    tax recovered from ``from_year`` — by default the certificate's issue year —, no new application this year,
    the PDF marked 已撤销) and ends the application."""
    if actor is None or actor.role != roles.MUNICIPAL:
        raise WorkflowError("撤销资格由市级管理部门决定")
    if not detail.strip():
        raise WorkflowError("撤销资格须写明事实与理由")
    app = locked(Application, app.pk)
    if app.status not in (wf.CERTIFIED, wf.FILED):
        raise StaleActionError(f"申请当前为“{wf.STATUS_LABELS[app.status]}”，不能撤销资格（{STALE}）")
    cert = app.certificates.filter(status=Certificate.VALID).order_by("-pk").first()
    if cert is None:
        raise StaleActionError(f"该申请没有有效证书，{STALE}")
    year = from_year if from_year is not None else cert.issue_date.year
    if not cert.issue_date.year <= year <= today().year:
        raise WorkflowError(f"追缴税收优惠的起始年度须在 {cert.issue_date.year}–{today().year} 之间")
    certificate_revoke(actor, cert, reason=reason, detail=detail.strip(), from_year=year)
    return Application.objects.get(pk=app.pk)


@transaction.atomic
def annual_report_submit(actor: User, cert: Certificate, year: int, data: dict[str, Any]) -> AnnualReport:
    """The 年度发展情况报表 (Art. 13) of one year within the certificate's validity, once a year."""
    if actor.role != roles.ENTERPRISE or actor.uscc != cert.uscc:
        raise WorkflowError("只能为本企业填报")
    clean = _annual_report_data(data)
    cert = locked(Certificate, cert.pk)
    if cert.status != Certificate.VALID:
        raise WorkflowError("只有有效证书需要填报年度发展情况报表")
    first, last = cert.issue_date.year, min(cert.expiry_date.year, today().year - 1)
    if not first <= year <= last:
        allowed = f"{first}–{last} 年度" if first <= last else "尚无应填报的年度（次年5月填报上一年度）"
        raise WorkflowError(f"报告年度 {year} 不在可填报范围内：{allowed}")
    if AnnualReport.objects.filter(certificate__number=cert.number, year=year).exists():
        raise StaleActionError(f"{year} 年度报表已提交，不能重复提交")
    report = AnnualReport.objects.create(certificate=cert, year=year, data=clean)
    audit_record(actor, "annual_report.submit", target=f"certificate:{cert.number}", detail={"year": year})
    return report


def report_years(cert: Certificate, on: dt.date) -> list[int]:
    """The reporting years whose deadline (31 May of the next year) has passed within the validity."""
    month, day = process_config().annual_report_due
    years = []
    for year in range(cert.issue_date.year, cert.expiry_date.year + 1):
        due = dt.date(year + 1, month, day)
        if due < on and due <= cert.expiry_date + dt.timedelta(days=366):
            years.append(year)
    return years


def annual_reports_overdue(on: dt.date) -> list[dict[str, Any]]:
    """Valid certificates with missing annual reports; two missing years flag cancellation (Art. 19(三))."""
    out = []
    limit = process_config().missing_years_cancel
    for cert in Certificate.objects.filter(status=Certificate.VALID):
        have = set(cert.annual_reports.values_list("year", flat=True))
        missing = [y for y in report_years(cert, on) if y not in have]
        if missing:
            out.append({"certificate": cert, "missing": missing, "flag_cancellation": len(missing) >= limit})
    return out


def annual_report_reminders(on: dt.date) -> int:
    """Remind, in May, the holders of valid certificates who have not reported last year yet."""
    n = 0
    for cert in Certificate.objects.filter(status=Certificate.VALID, issue_date__year__lt=on.year):
        if not cert.annual_reports.filter(year=on.year - 1).exists():
            n += notify(User.objects.filter(role=roles.ENTERPRISE, uscc=cert.uscc),
                        f"请于5月31日前填报{on.year - 1}年度高企发展情况报表（证书 {cert.number}）")  # fmt: skip
    return n


def renewal_reminders(on: dt.date) -> int:
    """Certificates expiring within the configured months (6): remind the enterprise to apply again."""
    months = process_config().renewal_reminder_months
    horizon = on + dt.timedelta(days=round(months * 30.44))
    n = 0
    for cert in Certificate.objects.filter(status=Certificate.VALID, expiry_date__lte=horizon, expiry_date__gte=on):
        n += notify(User.objects.filter(role=roles.ENTERPRISE, uscc=cert.uscc),
                    f"高企证书 {cert.number} 将于 {cert.expiry_date} 到期，请及时重新申请认定")  # fmt: skip
    return n


@transaction.atomic
def name_change_request(actor: User, cert: Certificate, *, new_name: str, major_change: bool = False) -> NameChange:
    """Art. 17: a rename alone → 10 working days' publicity, then a new certificate with the same number and
    validity; a major change → re-review against Art. 11. One pending rename per certificate."""
    new_name = " ".join(new_name.split())
    if not new_name:
        raise WorkflowError("请填写变更后的企业名称")
    if len(new_name) > 200:
        raise WorkflowError("企业名称不超过 200 个字")
    if actor.role != roles.ENTERPRISE or actor.uscc != cert.uscc:
        raise WorkflowError("只能为本企业的证书申请更名")
    cert = locked(Certificate, cert.pk)
    if cert.status != Certificate.VALID:
        raise WorkflowError("只能为有效证书申请更名")
    if new_name == cert.enterprise_name:
        raise WorkflowError("变更后的名称与证书上的名称相同")
    if cert.name_changes.filter(status__in=NameChange.PENDING).exists():
        raise StaleActionError("该证书已有办理中的更名申请")
    start = today()
    end, _ = workdays.deadline_provisional(start, process_config().time_limits["name_change_publicity"])
    nc = NameChange.objects.create(
        certificate=cert, old_name=cert.enterprise_name, new_name=new_name, major_change=major_change,
        publicity_start=None if major_change else start, publicity_end=None if major_change else end,
        status="re_review" if major_change else "publicity",
    )  # fmt: skip
    audit_record(actor, "name_change.request", target=f"certificate:{cert.number}", detail={"new_name": new_name})
    return nc


@transaction.atomic
def name_change_complete(nc: NameChange, on: dt.date) -> Certificate:
    nc = locked(NameChange, nc.pk)
    if nc.status != "publicity" or nc.publicity_end is None or on <= nc.publicity_end:
        raise WorkflowError("更名公示尚未期满")
    if not nc.new_name.strip():
        raise WorkflowError("变更后的企业名称为空，不能换发证书")
    old = locked(Certificate, nc.certificate_id)
    if old.status != Certificate.VALID:
        raise WorkflowError(f"原证书已不是有效状态（{old.status}），不能换发")
    old.status = Certificate.REPLACED
    old.save(update_fields=["status"])
    new = Certificate.objects.create(
        number=old.number, uscc=old.uscc, enterprise_name=nc.new_name, tech_field=old.tech_field,
        issue_date=old.issue_date, expiry_date=old.expiry_date, application=old.application, replaces=old,
    )  # fmt: skip
    nc.status, nc.new_certificate, nc.completed_on = "done", new, on
    nc.save(update_fields=["status", "new_certificate", "completed_on"])
    audit_record(None, "name_change.complete", target=f"certificate:{new.number}", detail={"new_name": nc.new_name})
    return new


def daily() -> dict[str, Any]:
    """The day's automatic steps, on the platform's date (idempotent: running twice changes nothing more).
    Each item runs in its own transaction: one that fails is reported under ``errors`` (and audited) and the
    other items and steps still run."""
    on = today()
    errors: list[dict[str, str]] = []

    def attempt(step: str, target: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except Exception as exc:  # one bad item must not stop the day's other steps
            errors.append({"step": step, "target": target, "error": f"{type(exc).__name__}: {exc}"})
            audit_record(None, f"daily.{step}", target=target, outcome="failure", detail={"error": str(exc)[:500]})
            return None

    certified = []
    for app in publicity_due():
        done = attempt(
            "publicity_end", f"application:{app.pk}", partial(application_transition, None, app, "publicity_end")
        )
        if done is not None:
            certified.append(app.pk)
    renamed = []
    for nc in NameChange.objects.filter(status="publicity", publicity_end__lt=on):
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


def expert_accounts_unpooled() -> Any:
    """Active expert accounts (created by the system administrator) not yet in the pool."""
    return User.objects.filter(role=roles.EXPERT, is_active=True, expert__isnull=True).order_by("username")


@transaction.atomic
def expert_add(
    actor: User,
    *,
    username: str,
    kind: str,
    fields: list[str],
    employer_uscc: str = "",
    avoid_usccs: list[str] | None = None,
) -> Expert:
    """Put an expert account into the pool with its kind, fields and relations. The account itself is created
    by the system administrator (accounts are never created here: separation of duties, 等保 level 3)."""
    if actor.role != roles.MUNICIPAL:
        raise WorkflowError("专家库由市级管理部门维护")
    if kind not in ("technical", "financial"):
        raise WorkflowError("专家类别须为技术专家或财务专家")
    unknown = [f for f in fields if f not in panels.FIELDS]
    if unknown or (kind == "technical" and not fields):
        raise WorkflowError("技术专家须选择《国家重点支持的高新技术领域》中的技术领域")
    user = User.objects.select_for_update().filter(username=username.strip()).first()
    if user is None or user.role != roles.EXPERT or not user.is_active:
        raise WorkflowError("请选择系统管理员已创建的评审专家账号")
    if Expert.objects.filter(user=user).exists():
        raise StaleActionError(f"账号 {user.username} 已在专家库中")
    expert = Expert.objects.create(
        user=user, kind=kind, fields=fields, employer_uscc=employer_uscc.strip().upper(),
        avoid_usccs=[u.strip().upper() for u in (avoid_usccs or []) if u.strip()],
    )  # fmt: skip
    audit_record(actor, "expert.add", target=f"expert:{expert.pk}", detail={"kind": kind, "fields": fields})
    return expert


@transaction.atomic
def expert_update(
    actor: User,
    expert: Expert,
    *,
    active: bool,
    employer_uscc: str,
    avoid_usccs: list[str],
    past_employers: list[list[str]],
    version: int | None = None,
) -> Expert:
    """Change an expert's availability and the relations that decide conflicts of interest. ``version`` is the
    record's version the form was drawn from: an edit made on a stale form is refused, not silently merged."""
    if actor.role != roles.MUNICIPAL:
        raise WorkflowError("专家库由市级管理部门维护")
    for _uscc, until in past_employers:
        try:
            dt.date.fromisoformat(until)
        except ValueError as exc:
            raise WorkflowError(f"日期格式应为 YYYY-MM-DD：{until}") from exc
    expert = locked(Expert, expert.pk)
    if version is not None and version != expert.version:
        raise StaleActionError(f"该专家的信息已被他人修改，{STALE}")
    expert.version += 1
    expert.active = active
    expert.employer_uscc = employer_uscc.strip().upper()
    expert.avoid_usccs = [u.strip().upper() for u in avoid_usccs if u.strip()]
    expert.past_employers = [[u.strip().upper(), d] for u, d in past_employers]
    expert.save(update_fields=["active", "employer_uscc", "avoid_usccs", "past_employers", "version"])
    audit_record(actor, "expert.update", target=f"expert:{expert.pk}", detail={"active": active})
    return expert


# ------------------------------------------------------------------------------------------------------
# the platform as a department feed (feed.py, ADR 0011)


@transaction.atomic
def platform_feed_write(actor: Any, directory: Path) -> list[str]:
    """Write the platform's certificates and completed renames into ``directory`` as feed files, read in one
    transaction (a consistent state); returns the files whose bytes changed (written atomically and audited).
    An unchanged file is left alone: the ingest would skip the same bytes anyway."""
    from gaoqi.web.certification import feed

    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, data in feed.feed_files().items():
        target = directory / name
        if target.is_file() and target.read_bytes() == data:
            continue
        tmp = target.with_name(f".{name}.tmp")  # a dot file: never taken for a delivery
        tmp.write_bytes(data)
        tmp.replace(target)
        changed.append(name)
    if changed:
        audit_record(actor, "platform_feed.write", target=f"dir:{directory.name}", detail={"files": changed})
    return changed
