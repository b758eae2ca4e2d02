"""Writes on certification: each atomic, taking the acting user, writing the transition log and the audit log,
and notifying whoever must act next. Status changes go through ``application_transition`` only (workflow.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.audit.services import audit_record
from gaoqi.web.certification import panels, workdays
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.config import process_config
from gaoqi.web.certification.models import (
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

POLICY_ID = "hte-certification"


class WorkflowError(ValueError):
    """A move the workflow does not allow (wrong status, role or guard); the message says why, in Chinese."""


def today() -> dt.date:
    return timezone.localdate()


# ------------------------------------------------------------------------------------------------------
# notifications


def notify(users: Any, text: str, link: str = "") -> int:
    """In-platform notifications, and e-mail through Django's backend to users who have an address."""
    n = 0
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


@transaction.atomic
def application_start(actor: User, *, as_of: dt.date, tech_field: str) -> Application:
    if actor.role != roles.ENTERPRISE:
        raise WorkflowError("只有企业用户可以发起认定申请")
    from gaoqi.web.enterprises.models import Enterprise

    ent = Enterprise.objects.filter(uscc=actor.uscc).first()
    if ent is None:
        raise WorkflowError("共享数据中没有您的企业")
    barred = Revocation.objects.filter(certificate__uscc=ent.uscc, no_application_in_year=as_of.year).exists()
    if barred:
        raise WorkflowError(f"资格在{as_of.year}年被取消，当年不得再次申请（国科发火〔2016〕195号 五（六）3）")
    if (
        Application.objects.filter(uscc=ent.uscc, year=as_of.year)
        .exclude(status__in=[wf.WITHDRAWN, wf.REJECTED])
        .exists()
    ):
        raise WorkflowError(f"{as_of.year}年已有进行中的申请")
    app = Application.objects.create(
        uscc=ent.uscc, enterprise_name=ent.name, district_code=ent.district_code, year=as_of.year,
        tech_field=tech_field, stage_started_at=today(), prefill=prefill_from_profile(ent.uscc), as_of=as_of,
        created_by=actor,
    )  # fmt: skip
    _log(app, "start", "", wf.DRAFT, actor, "")
    audit_record(actor, "application.start", target=f"application:{app.pk}")
    return app


@transaction.atomic
def application_update_form(actor: User, app: Application, form: dict[str, Any]) -> Application:
    if app.status not in (wf.DRAFT, wf.CORRECTION) or actor.uscc != app.uscc:
        raise WorkflowError("当前状态不能修改申请书")
    unknown = set(form) - set(FORM_SECTIONS) - {"tech_field"}
    if unknown:
        raise WorkflowError(f"未知的填报项：{', '.join(sorted(unknown))}")
    if "tech_field" in form:
        app.tech_field = str(form.pop("tech_field"))
    app.form = {**app.form, **form}
    app.save(update_fields=["form", "tech_field"])
    audit_record(actor, "application.update", target=f"application:{app.pk}", detail={"sections": sorted(form)})
    return app


MAX_ATTACHMENT = 20 * 1024 * 1024


@transaction.atomic
def attachment_add(actor: User, app: Application, item: str, file_name: str, data: bytes) -> Any:
    """A PDF for an entered value: checked by content (not by its name), size-limited, stored outside the web root."""
    from pathlib import Path

    from gaoqi.web.certification.models import Attachment

    if actor.uscc != app.uscc or app.status not in (wf.DRAFT, wf.CORRECTION):
        raise WorkflowError("当前状态不能上传附件")
    if len(data) > MAX_ATTACHMENT:
        raise WorkflowError("附件不能超过 20 MB")
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise WorkflowError("附件必须是 PDF 文件（按内容检查）")
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
        result: dict[str, Any] = {"status": "unknown", "blocking": ["没有该企业的评估数据"], "conditions": []}
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
        if missing := missing_attachments(app):
            blocking.append("缺少附件：" + "、".join(missing))
        result = {"status": data["status"], "blocking": blocking, "conditions": conditions, "scores": data["scores"],
                  "checked_at": timezone.now().isoformat()}  # fmt: skip
    result = json.loads(json.dumps(result, default=str))  # Decimal and dates as text
    Application.objects.filter(pk=app.pk).update(self_check=result)
    app.self_check = result
    return result


@transaction.atomic
def application_declare(actor: User, app: Application, condition_ids: list[str]) -> Application:
    if actor.uscc != app.uscc:
        raise WorkflowError("只能为本企业作出承诺")
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
def application_transition(actor: Any, app: Application, action: str, comment: str = "") -> Application:
    """Move ``app`` by ``action`` if the table allows it for the actor's role and the guard passes."""
    app = Application.objects.select_for_update().get(pk=app.pk)
    t = wf.find(app.status, action)
    if t is None:
        raise WorkflowError(f"状态“{wf.STATUS_LABELS[app.status]}”下不能执行“{action}”")
    role = "system" if actor is None else actor.role
    if role not in t.roles:
        raise WorkflowError(f"您的角色不能执行“{t.label}”")
    if role == roles.ENTERPRISE and actor.uscc != app.uscc:
        raise WorkflowError("只能操作本企业的申请")
    if t.needs_comment and not comment.strip():
        raise WorkflowError(f"“{t.label}”需要填写意见")
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
    """The innovation total by the policy's own combination rules (IP capped at 30, …), evaluated in SQL."""
    import duckdb

    from gaoqi.engine.rules import _score_sql
    from gaoqi.web.policies.selectors import policy_get

    policy = policy_get(POLICY_ID)
    assert policy is not None
    version = policy.version_at(today()) or policy.versions[-1]
    values: dict[str, str] = {k: str(int(v)) for k, v in items.items()}
    total = "0"
    for sc in version.scores:
        if sc.assessed_by == "combined" and sc.expr is not None:
            values[sc.id] = f"({_score_sql(sc.expr, version, values)})"
            total = values[sc.id]
    row = duckdb.execute(f"SELECT {total}").fetchone()
    return int(row[0]) if row else 0


@transaction.atomic
def score_submit(actor: User, app: Application, items: dict[str, int]) -> Score:
    """One expert's independent scores: every item within its band (data) or range (expert), whole numbers."""
    expert = Expert.objects.filter(user=actor).first()
    panel = Panel.objects.filter(application=app).first()
    if expert is None or panel is None or expert.pk not in panel.expert_ids:
        raise WorkflowError("您不是该申请的评审专家")
    if app.status != wf.EXPERT_REVIEW:
        raise WorkflowError("该申请不在专家评审阶段")
    ranges = score_ranges(app)
    errors = []
    for sid, (lo, hi, label) in ranges.items():
        if sid not in items:
            errors.append(f"{label}：未评分")
        elif not lo <= int(items[sid]) <= hi:
            errors.append(f"{label}：{items[sid]} 分不在 {lo}–{hi} 分之间")
    if extra := set(items) - set(ranges):
        errors.append("未知评分项：" + "、".join(sorted(extra)))
    if errors:
        raise WorkflowError("；".join(errors))
    clean = {k: int(v) for k, v in items.items()}
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


@transaction.atomic
def objection_file(app: Application, *, name: str, contact: str, content: str) -> Objection:
    if app.status != wf.PUBLICITY:
        raise WorkflowError("该申请不在公示期")
    if not name.strip() or not content.strip():
        raise WorkflowError("异议须实名、书面提出")
    obj = Objection.objects.create(application=app, name=name.strip(), contact=contact.strip(), content=content.strip())
    audit_record(None, "objection.file", target=f"application:{app.pk}", detail={"name": name})
    notify(
        _municipal(),
        f"{app.enterprise_name} 公示期收到异议",
        f"/certification/{app.pk}/",
    )
    return obj


@transaction.atomic
def objection_handle(actor: User, obj: Objection, *, upheld: bool, handling: str) -> Objection:
    obj.upheld, obj.handling, obj.handled_by = upheld, handling, actor
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


def publicity_close_due() -> list[Application]:
    """Certify every application whose publicity ended without an upheld or open objection (a daily task)."""
    done = []
    for app in Application.objects.filter(status=wf.PUBLICITY):
        if _publicity_over(None, app) is None:
            done.append(application_transition(None, app, "publicity_end"))
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
    if check.outcome:
        raise WorkflowError("该核查已完成")
    if not passed and not reasons.strip():
        raise WorkflowError("核查未通过须写明原因")
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


@transaction.atomic
def certificate_revoke(
    actor: User, cert: Certificate, *, reason: str, article: str | None = None, detail: str, from_year: int
) -> Revocation:
    """Cancel the qualification: tax benefits recovered from ``from_year``; no new application this year."""
    if cert.status != Certificate.VALID:
        raise WorkflowError("证书不是有效状态")
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
        application_transition(actor, app, "revoke", f"{REVOCATION_REASONS[reason]}：{detail}")
    audit_record(actor, "certificate.revoke", target=f"certificate:{cert.number}",
                 detail={"reason": reason, "recover_from": from_year})  # fmt: skip
    notify(User.objects.filter(role=roles.ENTERPRISE, uscc=cert.uscc), f"高企资格已取消：{detail}")
    return rev


@transaction.atomic
def annual_report_submit(actor: User, cert: Certificate, year: int, data: dict[str, Any]) -> AnnualReport:
    if actor.uscc != cert.uscc:
        raise WorkflowError("只能为本企业填报")
    report = AnnualReport.objects.create(certificate=cert, year=year, data=data)
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
    validity; a major change → re-review against Art. 11."""
    if actor.uscc != cert.uscc or cert.status != Certificate.VALID:
        raise WorkflowError("只能为本企业的有效证书申请更名")
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
    if nc.status != "publicity" or nc.publicity_end is None or on <= nc.publicity_end:
        raise WorkflowError("更名公示尚未期满")
    old = nc.certificate
    old.status = Certificate.REPLACED
    old.save(update_fields=["status"])
    new = Certificate.objects.create(
        number=old.number, uscc=old.uscc, enterprise_name=nc.new_name, tech_field=old.tech_field,
        issue_date=old.issue_date, expiry_date=old.expiry_date, application=old.application, replaces=old,
    )  # fmt: skip
    nc.status, nc.new_certificate = "done", new
    nc.save(update_fields=["status", "new_certificate"])
    audit_record(None, "name_change.complete", target=f"certificate:{new.number}", detail={"new_name": nc.new_name})
    return new


def overdue(on: dt.date) -> list[dict[str, Any]]:
    """Applications past their stage's time limit (working days), by stage and district (减时限)."""
    cfg = process_config()
    out = []
    for app in Application.objects.filter(status__in=list(wf.TIMED)):
        limit = cfg.time_limits[wf.TIMED[app.status]]
        used, _ = workdays.workdays_between_provisional(app.stage_started_at, on)
        if used > limit:
            out.append({"application": app, "stage": app.status, "limit": limit, "used": used})
    return out


def daily() -> dict[str, Any]:
    """The day's automatic steps, on the platform's date (idempotent: running twice changes nothing more)."""
    on = today()
    closed = publicity_close_due()
    renamed = []
    for nc in NameChange.objects.filter(status="publicity", publicity_end__lt=on):
        renamed.append(name_change_complete(nc, on).number)
    reminders = annual_report_reminders(on) if on.month == 5 and on.day in (1, 15, 25) else 0
    renewals = renewal_reminders(on) if on.day == 1 else 0
    return {
        "certified": [a.pk for a in closed],
        "renamed": renamed,
        "report_reminders": reminders,
        "renewal_reminders": renewals,
    }


@transaction.atomic
def expert_add(
    actor: User,
    *,
    username: str,
    password: str,
    display_name: str,
    kind: str,
    fields: list[str],
    employer_uscc: str = "",
    avoid_usccs: list[str] | None = None,
) -> Expert:
    """Add an expert to the pool (an account with the expert role and its pool record)."""
    from gaoqi.web.accounts.services import user_create

    if kind not in ("technical", "financial"):
        raise WorkflowError("专家类别须为技术专家或财务专家")
    unknown = [f for f in fields if f not in panels.FIELDS]
    if unknown or (kind == "technical" and not fields):
        raise WorkflowError("技术专家须选择《国家重点支持的高新技术领域》中的技术领域")
    user = user_create(actor, username=username, password=password, role=roles.EXPERT, display_name=display_name)
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
) -> Expert:
    """Change an expert's availability and the relations that decide conflicts of interest."""
    for _uscc, until in past_employers:
        dt.date.fromisoformat(until)  # raises on a bad date
    expert.active = active
    expert.employer_uscc = employer_uscc.strip().upper()
    expert.avoid_usccs = [u.strip().upper() for u in avoid_usccs if u.strip()]
    expert.past_employers = [[u.strip().upper(), d] for u, d in past_employers]
    expert.save(update_fields=["active", "employer_uscc", "avoid_usccs", "past_employers"])
    audit_record(actor, "expert.update", target=f"expert:{expert.pk}", detail={"active": active})
    return expert
