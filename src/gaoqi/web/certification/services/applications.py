"""The application: started from the shared data (prefilled, locked, with sources), filled in and declared by
its enterprise, and moved through its workflow by ``application_transition`` (the one way its status changes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from gaoqi.web import roles
from gaoqi.web.accounts.models import User
from gaoqi.web.audit.services import audit_record
from gaoqi.web.certification import fields as field_ai
from gaoqi.web.certification import panels, workdays
from gaoqi.web.certification import workflow as wf
from gaoqi.web.certification.models import IN_PROGRESS, Application, Certificate, Panel, Revocation
from gaoqi.web.certification.services._common import (
    FORM_FIELD_MAX,
    FORM_FIELDS,
    FORM_SECTIONS,
    PILOT_POLICY_ID,
    POLICY_ID,
    _editable,
    _municipal,
    notify,
)
from gaoqi.web.certification.services.certificates import application_revoke, certificate_issue
from gaoqi.web.certification.services.expert_panels import panel_draw
from gaoqi.web.certification.services.guards import GUARDS
from gaoqi.web.certification.services.post_checks import post_check_draw
from gaoqi.web.core import clock
from gaoqi.web.core.locks import serialize
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.core.workflow import Transition, WorkflowError, create, transition


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


def _check_as_of(as_of: dt.date) -> None:
    """The evaluation date of an application: not in the future, not before the rules in force (2016 measures
    apply to applications from 2016 on), and the published snapshot's date (the self-check reads its results)."""
    from gaoqi.web.intake.selectors import current_snapshot

    if as_of > clock.today():
        raise WorkflowError(f"评估基准日 {as_of} 不能晚于今天")
    if as_of.year < 2016:
        raise WorkflowError("评估基准日不能早于2016年（现行认定办法自2016年起施行）")
    snap = current_snapshot()
    if snap is not None and as_of != snap.as_of:
        raise WorkflowError(f"评估基准日须为当前数据快照的日期 {snap.as_of}（自评按该日期的共享数据计算）")


def application_start_refusal(enterprise: Any) -> str | None:
    """Why the enterprise may not start an application this year, or None. The start form is offered only when
    this is None, and application_start checks it again under its lock."""
    year = clock.today().year  # the year of application (申报年度)
    if Revocation.objects.filter(certificate__uscc=enterprise.uscc, no_application_in_year=year).exists():
        return f"资格在{year}年被取消，当年不得再次申请（国科发火〔2016〕195号 五（六）3）"
    if Application.objects.filter(uscc=enterprise.uscc, status__in=IN_PROGRESS).exists():
        return "已有进行中的申请，请在原申请中继续办理"
    # A valid qualification lasts three years (国科发火〔2016〕32号 第九条); the enterprise applies again in the
    # year it expires (195号 四.3: until re-certified it prepays at 15% that year). Certificates issued here or
    # delivered by the department feed both count.
    cert = (
        Certificate.objects.filter(uscc=enterprise.uscc, status=Certificate.VALID, expiry_date__gte=clock.today())
        .order_by("-expiry_date")
        .first()
    )
    expiry = cert.expiry_date if cert is not None else None
    if (
        expiry is None
        and enterprise.has_hte
        and enterprise.hte_expiry_date
        and enterprise.hte_expiry_date >= clock.today()
    ):
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
    year = clock.today().year  # the year of application (申报年度), which a revocation bars
    _check_as_of(as_of)
    prefill = prefill_from_profile(ent.uscc)
    # the field classifier's suggestion from the registration scope and IP titles (ADR 0034); the enterprise
    # declares the field, and a declared field other than the suggestion is recorded, never silently
    suggestion = field_ai.suggest(field_ai.registration_texts(ent.uscc, prefill))
    change = _field_change(actor, suggestion, suggestion.get("field"), tech_field) if suggestion else None
    app: Application = create(
        wf.APPLICATION, "start", actor,
        lambda status: Application.objects.create(
            uscc=ent.uscc, enterprise_name=ent.name, district_code=ent.district_code, tech_field=tech_field,
            stage_started_at=clock.today(), prefill=prefill, as_of=as_of, created_by=actor,
            year=year, status=status,
            field_suggestion={**suggestion, "changes": [change] if change else []} if suggestion else {},
        ),
        audit_detail={},
    )  # fmt: skip
    if change is not None:
        audit_record(actor, "application.field_change", target=f"application:{app.pk}", detail=change)
    return app


def _field_change(actor: User, suggestion: dict[str, Any], old: str | None, new: str) -> dict[str, Any] | None:
    """The record of a change of the declared field (None when it did not change): when, who, from, to, the
    suggested field and whether the new field is away from it."""
    if old == new:
        return None
    return {
        "at": timezone.now().isoformat(), "by": actor.get_username(), "from": old, "to": new,
        "suggested": suggestion.get("field"), "confidence": suggestion.get("confidence"),
        "away_from_suggestion": bool(suggestion) and new != suggestion.get("field"),
    }  # fmt: skip


@transaction.atomic
def application_update_form(actor: User, app: Application, form: dict[str, Any]) -> Application:
    """The enterprise's lists (``FORM_SECTIONS``: items "code name", a name that may carry a short description,
    "RD01 名称：简述"), its texts (``FORM_FIELDS``: the agent, 申报代理机构, blank when none) and its field."""
    unknown = set(form) - set(FORM_SECTIONS) - set(FORM_FIELDS) - {"tech_field"}
    if unknown:
        raise WorkflowError(f"未知的填报项：{', '.join(sorted(unknown))}")
    form = dict(form)
    for key, words in FORM_FIELDS.items():
        if key in form:
            form[key] = " ".join(str(form[key] or "").split())  # one line, inner runs of spaces as one
            if len(form[key]) > FORM_FIELD_MAX:
                raise WorkflowError(f"{words}不能超过{FORM_FIELD_MAX}字")
    if "tech_field" in form and str(form["tech_field"]) not in panels.FIELDS:
        raise WorkflowError("技术领域须为《国家重点支持的高新技术领域》八个领域之一")
    app = _editable(actor, app)  # the sections another session saved meanwhile are kept
    change = None
    if "tech_field" in form:
        new_field = str(form.pop("tech_field"))
        change = _field_change(actor, app.field_suggestion or {}, app.tech_field, new_field)
        app.tech_field = new_field
    if change is not None:
        app.field_suggestion = {**app.field_suggestion, "changes": [*app.field_suggestion.get("changes", []), change]}
    app.form = {**app.form, **form}
    app.save(update_fields=["form", "tech_field", "field_suggestion"])
    audit_record(actor, "application.update", target=f"application:{app.pk}", detail={"sections": sorted(form)})
    if change is not None:
        audit_record(actor, "application.field_change", target=f"application:{app.pk}", detail=change)
    return app


#: The 告知承诺书 of the 报备即批准 pilot, besides the policy's attested conditions.
COMMITMENT = "commitment"


def declarable_conditions(as_of: dt.date) -> set[str]:
    """What an enterprise may declare: the attested conditions of the certification's version and of the 报备即批准
    pilot's version in force at ``as_of``, and the pilot commitment."""
    from gaoqi.web.policies.selectors import policy_get

    attested = {COMMITMENT}
    for policy_id in (POLICY_ID, PILOT_POLICY_ID):
        policy = policy_get(policy_id)
        version = policy.version_at(as_of) if policy is not None else None
        attested |= {c.id for c in version.conditions if c.kind == "attested"} if version is not None else set()
    return attested


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


def _own_application(actor: Any, app: Application) -> str | None:
    return (
        "只能操作本企业的申请"
        if actor is not None and actor.role == roles.ENTERPRISE and actor.uscc != app.uscc
        else None
    )


@transaction.atomic
def application_transition(
    actor: Any, app: Application, action: str, comment: str = "", *, revocation: bool = False
) -> Application:
    """Move ``app`` by ``action`` through the application workflow (core/workflow.py): the table allows it for
    the actor's role and the guard passes, checked on the row re-read under its lock (an action taken on a page
    that someone else's action made stale is refused). ``revoke`` is only the last step of
    ``certificate_revoke`` (the one path that ends a qualification)."""
    if action == "revoke" and not revocation:
        return application_revoke(actor, app, reason="not_qualified", detail=comment)
    stage_start: dict[str, dt.date] = {}

    def prepare(actor: Any, fresh: Application, t: Transition) -> None:
        if t.action == "accept" and not Panel.objects.filter(application=fresh).exists():
            panel_draw(actor, fresh)  # 受理并抽取专家: one step (a panel drawn beforehand is kept)

    def on_enter(fresh: Application, t: Transition, log: WorkflowLog) -> list[str]:
        log.workdays_used, _ = workdays.workdays_between_provisional(fresh.stage_started_at, clock.today())
        stage_start["at"] = fresh.stage_started_at
        fresh.stage_started_at = clock.today()
        if t.action in ("submit", "resubmit", "file"):
            fresh.submitted_at = timezone.now()
            # reclassified with the products and R&D projects filled in: the mismatch flag (ADR 0034)
            fresh.field_check = field_ai.check(
                fresh.tech_field,
                field_ai.registration_texts(fresh.uscc, fresh.prefill) + field_ai.form_texts(fresh.form),
            )
        if t.action == "file":  # 报备即批准: the application took the pilot route
            fresh.route = Application.PILOT
        return ["stage_started_at", "submitted_at", "route", "field_check"]

    moved = transition(
        wf.APPLICATION, Application, app.pk, action, actor, seen=app.status, comment=comment, guards=GUARDS,
        permit=_own_application, prepare=prepare, on_enter=on_enter,
    )  # fmt: skip
    app, t = moved.obj, moved.transition
    if t.action in ("submit", "resubmit", "file") and (app.field_check or {}).get("mismatch"):
        check = app.field_check
        audit_record(
            actor, "application.field_mismatch", target=f"application:{app.pk}",
            detail={"declared": check["declared"], "predicted": check["field"], "confidence": check["confidence"],
                    "threshold": check["threshold"], "evidence": check["evidence"]},
        )  # fmt: skip
    if t.target == wf.CERTIFIED:  # the certification date is the publicity date (hte-rules.md §1.4 step 7)
        certificate_issue(app, issue_date=stage_start["at"])
    if t.target == wf.FILED:
        certificate_issue(app, issue_date=clock.today())
        post_check_draw(app)
    notify(_next_actors(app), f"{app.enterprise_name}：{t.label}（{wf.STATUS_LABELS[t.target]}）",
           f"/certification/{app.pk}/")  # fmt: skip
    return app
