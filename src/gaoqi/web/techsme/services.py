"""The tech-SME evaluation's writes (each atomic, taking the acting user, audited): an enterprise starts its
evaluation from the shared data (locked, with their sources), fills in what the government does not hold,
chooses its R&D indicator, declares, checks itself and submits; the responsible office returns, approves or
rejects; publicity ends in a registration with its number; the registered enterprise updates every year by the
deadline; an official revokes a registration for an Art. 14 reason, and the daily job revokes the registrations
not updated on time. Every status change goes through ``core.workflow`` (workflow.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.certification import workdays
from gaoqi.web.certification.services import daily_item, feed_files_write
from gaoqi.web.core import clock
from gaoqi.web.core.labels import feature_label
from gaoqi.web.core.locks import STALE, StaleActionError, locked, serialize
from gaoqi.web.core.models import WorkflowLog
from gaoqi.web.core.workflow import Transition, WorkflowError, create, transition
from gaoqi.web.techsme import selfcheck
from gaoqi.web.techsme import workflow as wf
from gaoqi.web.techsme.config import process_config
from gaoqi.web.techsme.models import FIRST, RD_INDICATORS, UPDATE, Evaluation, NumberCounter, Registration

# ------------------------------------------------------------------------------------------------------
# the registration number (登记编号)


def registration_number_next(year: int, district_code: str) -> str:
    """The next registration number of ``year`` and ``district_code`` in the configured format (process.yaml,
    UNCONFIRMED): the prefix's counter is read under its lock and raised inside the caller's transaction, so two
    registrations at once get consecutive numbers and a rolled-back one leaves no gap."""
    cfg = process_config()
    prefix = cfg.number_prefix.format(year=year, district=district_code)
    serialize(f"techsme_number:{prefix}")  # the counter's first row: two creations at once would collide
    counter, _ = NumberCounter.objects.get_or_create(prefix=prefix)
    counter = locked(NumberCounter, counter.pk)
    counter.last += 1
    if len(str(counter.last)) > cfg.serial_digits:
        raise WorkflowError(f"登记编号前缀 {prefix} 的流水号已用尽（{cfg.serial_digits} 位）")
    counter.save(update_fields=["last"])
    return f"{prefix}{counter.last:0{cfg.serial_digits}d}"


# ------------------------------------------------------------------------------------------------------
# starting and filling in an evaluation


def _snapshot_as_of() -> dt.date:
    from gaoqi.web.intake.selectors import current_snapshot

    snap = current_snapshot()
    if snap is None:
        raise WorkflowError("尚无已发布的数据快照，请待数据汇聚完成后再评价")
    return snap.as_of


def evaluation_start_refusal(uscc: str, kind: str) -> str | None:
    """Why the enterprise may not start an evaluation of ``kind`` today, or None (the page offers the start only
    when None; ``evaluation_start`` asks again under its lock)."""
    today = clock.today()
    if Evaluation.objects.filter(uscc=uscc, status__in=wf.IN_PROGRESS).exists():
        return "已有进行中的评价，请在原评价中继续办理"
    reg = Registration.objects.filter(uscc=uscc, status=wf.VALID).first()
    if kind == FIRST:
        if reg is not None:
            return f"贵企业已入库（登记编号 {reg.number}），请办理年度信息更新"
        if (
            Evaluation.objects.filter(uscc=uscc, year=today.year)
            .exclude(status__in=[wf.WITHDRAWN, wf.REJECTED])
            .exists()
        ):
            return f"{today.year}年度已办理过评价"
        return None
    if reg is None:
        return "贵企业尚未入库，请先办理入库评价"
    cfg = process_config()
    if reg.updated_year >= today.year:
        return f"{today.year}年度信息已是最新，下次更新截止日为{reg.valid_until:%Y年%-m月%-d日}"
    if today < cfg.update_opening(today.year):
        return f"{today.year}年度信息更新自{cfg.update_opening(today.year):%-m月%-d日}起办理"
    if today > cfg.update_deadline(today.year):
        return f"{today.year}年度信息更新已于{cfg.update_deadline(today.year):%-m月%-d日}截止（《科技型中小企业评价办法》第十二条）"
    return None


@transaction.atomic
def evaluation_start(actor: Any, kind: str = FIRST) -> Evaluation:
    """An enterprise's evaluation (``first``) or yearly update (``update``), prefilled from the shared data."""
    from gaoqi.web.enterprises.models import Enterprise

    if getattr(actor, "role", None) != roles.ENTERPRISE:
        raise WorkflowError("只有企业用户可以办理评价")
    if kind not in (FIRST, UPDATE):
        raise WorkflowError("未知的评价类型")
    ent = Enterprise.objects.filter(uscc=actor.uscc).first()
    if ent is None:
        raise WorkflowError("共享数据中没有您的企业")
    serialize(f"techsme_start:{ent.uscc}")  # two starts at once: the second sees the first's draft
    if refusal := evaluation_start_refusal(ent.uscc, kind):
        raise WorkflowError(refusal)
    as_of = _snapshot_as_of()
    reg = Registration.objects.filter(uscc=ent.uscc, status=wf.VALID).first() if kind == UPDATE else None
    ev: Evaluation = create(
        wf.EVALUATION, "start", actor,
        lambda status: Evaluation.objects.create(
            uscc=ent.uscc, enterprise_name=ent.name, district_code=ent.district_code, year=clock.today().year,
            kind=kind, registration=reg, status=status, stage_started_at=clock.today(), as_of=as_of,
            prefill=selfcheck.prefill(ent), created_by=actor,
        ),
        audit_target=lambda o: f"techsme_evaluation:{o.pk}", audit_detail={"kind": kind},
    )  # fmt: skip
    return ev


def _editable(actor: Any, ev: Evaluation) -> Evaluation:
    """The evaluation re-read under its lock, refused unless its enterprise may still change it."""
    if getattr(actor, "role", None) != roles.ENTERPRISE or actor.uscc != ev.uscc:
        raise WorkflowError("只能修改本企业的评价")
    fresh: Evaluation = locked(Evaluation, ev.pk)
    if fresh.status not in (wf.DRAFT, wf.RETURNED):
        raise StaleActionError(f"评价当前为“{wf.STATUS_LABELS[fresh.status]}”，不能再修改（{STALE}）")
    return fresh


def _number(name: str, text: Any) -> str | None:
    """A form value as a decimal string (None: left empty); refused when not a non-negative number."""
    if text is None or str(text).strip() == "":
        return None
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise WorkflowError(f"{feature_label(name)}应为数字") from None
    if not value.is_finite() or value < 0:
        raise WorkflowError(f"{feature_label(name)}不能为负数")
    if name in selfcheck.COUNTS and value != value.to_integral_value():
        raise WorkflowError(f"{feature_label(name)}应为整数")
    return str(value)


@transaction.atomic
def evaluation_fill(
    actor: Any,
    ev: Evaluation,
    *,
    values: dict[str, Any],
    rd_indicator: str,
    direct_ground: str = "",
    direct_evidence: str = "",
) -> Evaluation:
    """The enterprise's part of the information form: the values the shared data lack (a sourced value is
    locked: changing it is refused), its R&D indicator (Art. 7(二)) and any Art. 8 direct-qualification ground."""
    from gaoqi.web.techsme.models import DIRECT_GROUNDS

    if rd_indicator not in dict(RD_INDICATORS):
        raise WorkflowError("请选择研发投入指标（1）或（2）")
    if direct_ground not in dict(DIRECT_GROUNDS):
        raise WorkflowError("未知的直接确认情形")
    if unknown := set(values) - set(selfcheck.INPUTS):
        raise WorkflowError("未知的填报项：" + "、".join(sorted(unknown)))
    ev = _editable(actor, ev)
    locked_names = [n for n in values if selfcheck.sourced(ev, n) and values[n] not in (None, "")]
    if locked_names:
        raise WorkflowError("以下数值来自共享数据，已锁定：" + "、".join(feature_label(n) for n in locked_names))
    form = dict(ev.form)
    for name, text in values.items():
        if not selfcheck.sourced(ev, name):
            form[name] = _number(name, text)
    ev.form = form
    ev.rd_indicator, ev.direct_ground, ev.direct_evidence = rd_indicator, direct_ground, direct_evidence.strip()
    ev.save(update_fields=["form", "rd_indicator", "direct_ground", "direct_evidence"])
    audit_record(actor, "techsme_evaluation.fill", target=f"techsme_evaluation:{ev.pk}",
                 detail={"values": sorted(values), "rd_indicator": rd_indicator, "direct_ground": direct_ground})  # fmt: skip
    return ev


@transaction.atomic
def evaluation_declare(actor: Any, ev: Evaluation, condition_ids: list[str]) -> Evaluation:
    """The enterprise's declarations of the attested conditions (Art. 6(三), the policy's ``attested``)."""
    if not condition_ids:
        raise WorkflowError("请选择要承诺的事项")
    if unknown := set(condition_ids) - set(selfcheck.attested(ev)):
        raise WorkflowError("不能承诺的事项：" + "、".join(sorted(unknown)))
    ev = _editable(actor, ev)
    ev.declarations = {**ev.declarations, **dict.fromkeys(condition_ids, timezone.now().isoformat())}
    ev.save(update_fields=["declarations"])
    audit_record(actor, "techsme_evaluation.declare", target=f"techsme_evaluation:{ev.pk}",
                 detail={"conditions": condition_ids})  # fmt: skip
    return ev


def evaluation_self_check(actor: Any, ev: Evaluation) -> dict[str, Any]:
    """The self-check (selfcheck.py) of the evaluation, kept on it (what the office sees was checked)."""
    result = selfcheck.self_check(ev)
    Evaluation.objects.filter(pk=ev.pk).update(self_check=result)
    ev.self_check = result
    return result


# ------------------------------------------------------------------------------------------------------
# the workflow's guards


def _ready(actor: Any, ev: Evaluation) -> str | None:
    result = evaluation_self_check(actor, ev)
    return None if not result["blocking"] else "自评未通过：" + "；".join(result["blocking"])


def _first_ready(actor: Any, ev: Evaluation) -> str | None:
    return "年度更新请提交更新" if ev.kind != FIRST else _ready(actor, ev)


def _update_ready(actor: Any, ev: Evaluation) -> str | None:
    if ev.kind != UPDATE or ev.registration is None:
        return "入库评价请提交审核"
    if ev.registration.status != wf.VALID:
        raise StaleActionError(f"入库登记已撤销，不能更新（{STALE}）")
    deadline = process_config().update_deadline(ev.year)
    if clock.today() > deadline:
        return f"{ev.year}年度信息更新已于{deadline:%Y年%-m月%-d日}截止（《科技型中小企业评价办法》第十二条）"
    return _ready(actor, ev)


def _in_jurisdiction(actor: Any, ev: Evaluation) -> str | None:
    mine = getattr(actor, "role", None) != roles.DISTRICT or actor.district_code == ev.district_code
    return None if mine else "不在您的管辖范围内"


def publicity_end(ev: Evaluation) -> tuple[dt.date, bool]:
    """The last day of the evaluation's publicity (10 working days from its start, process.yaml) and whether it
    is provisional (past the published holiday calendar)."""
    return workdays.deadline_provisional(ev.stage_started_at, process_config().time_limits["publicity"])


def _publicity_over(actor: Any, ev: Evaluation) -> str | None:
    end, _ = publicity_end(ev)
    return None if clock.today() > end else f"公示期至{end:%Y年%-m月%-d日}"


GUARDS: dict[str, Callable[[Any, Evaluation], str | None]] = {
    "first_ready": _first_ready,
    "update_ready": _update_ready,
    "in_jurisdiction": _in_jurisdiction,
    "publicity_over": _publicity_over,
}


def _own(actor: Any, ev: Evaluation) -> str | None:
    enterprise = actor is not None and actor.role == roles.ENTERPRISE
    return "只能操作本企业的评价" if enterprise and actor.uscc != ev.uscc else None


@transaction.atomic
def evaluation_transition(
    actor: Any, ev: Evaluation, action: str, comment: str = "", *, seen: str | None = None
) -> Evaluation:
    """Move ``ev`` by ``action`` (workflow.py), checked on the row re-read under its lock. ``register`` gives the
    registration its number in the same transaction; ``update`` carries the registration to the next year."""

    def on_enter(fresh: Evaluation, t: Transition, log: WorkflowLog) -> list[str]:
        log.workdays_used, _ = workdays.workdays_between_provisional(fresh.stage_started_at, clock.today())
        fresh.stage_started_at = clock.today()
        if t.action in ("submit", "resubmit", "update"):
            fresh.submitted_at = timezone.now()
        return ["stage_started_at", "submitted_at"]

    moved = transition(
        wf.EVALUATION, Evaluation, ev.pk, action, actor, seen=seen if seen is not None else ev.status,
        comment=comment, guards=GUARDS, permit=_own, on_enter=on_enter,
        audit_target=f"techsme_evaluation:{ev.pk}",
    )  # fmt: skip
    ev = moved.obj
    if moved.transition.target == wf.REGISTERED:
        _register(actor, ev)
    elif moved.transition.target == wf.UPDATED:
        _carry(actor, ev)
    return ev


def _register(actor: Any, ev: Evaluation) -> Registration:
    today = clock.today()
    number = registration_number_next(today.year, ev.district_code)
    reg: Registration = create(
        wf.REGISTRATION, "register", actor,
        lambda status: Registration.objects.create(
            number=number, uscc=ev.uscc, enterprise_name=ev.enterprise_name, district_code=ev.district_code,
            year=today.year, registered_on=today, updated_year=today.year,
            valid_until=process_config().update_deadline(today.year + 1), status=status, evaluation=ev,
        ),
        audit_target=lambda r: f"techsme_registration:{r.pk}", audit_detail={"number": number},
    )  # fmt: skip
    return reg


def _carry(actor: Any, ev: Evaluation) -> None:
    assert ev.registration_id is not None

    def on_enter(fresh: Registration, t: Transition, log: WorkflowLog) -> list[str]:
        fresh.updated_year = ev.year
        fresh.valid_until = process_config().update_deadline(ev.year + 1)
        fresh.enterprise_name = ev.enterprise_name
        return ["updated_year", "valid_until", "enterprise_name"]

    transition(wf.REGISTRATION, Registration, ev.registration_id, "update", actor, comment=f"{ev.year}年度信息更新",
               on_enter=on_enter)  # fmt: skip


# ------------------------------------------------------------------------------------------------------
# revocation (Art. 14)


def _update_overdue(actor: Any, reg: Registration) -> str | None:
    return None if clock.today() > reg.valid_until else f"更新截止日为{reg.valid_until:%Y年%-m月%-d日}，尚未逾期"


def _revoke(actor: Any, reg: Registration, action: str, reason: str, comment: str, seen: str | None) -> Registration:
    def on_enter(fresh: Registration, t: Transition, log: WorkflowLog) -> list[str]:
        fresh.revoked_on, fresh.revoke_reason, fresh.revoke_comment = clock.today(), reason, comment
        fresh.revoked_by = actor if getattr(actor, "pk", None) else None
        return ["revoked_on", "revoke_reason", "revoke_comment", "revoked_by"]

    return transition(
        wf.REGISTRATION, Registration, reg.pk, action, actor, seen=seen, comment=comment,
        guards={"update_overdue": _update_overdue}, on_enter=on_enter,
        audit_target=f"techsme_registration:{reg.pk}", audit_detail={"reason": reason, "comment": comment},
    ).obj  # fmt: skip


@transaction.atomic
def registration_revoke(
    actor: Any, reg: Registration, reason: str, comment: str, *, seen: str | None = None
) -> Registration:
    """An official revokes a registration number for an Art. 14 reason, with a comment."""
    if reason not in wf.REVOCATION_REASONS:
        raise WorkflowError("请选择撤销原因（《科技型中小企业评价办法》第十四条）")
    return _revoke(actor, reg, "revoke", reason, comment.strip(), seen if seen is not None else reg.status)


def registrations_overdue(on: dt.date) -> list[int]:
    """The valid registrations whose update deadline has passed on ``on``."""
    return list(Registration.objects.filter(status=wf.VALID, valid_until__lt=on).values_list("pk", flat=True))


@transaction.atomic
def registration_lapse(pk: int) -> Registration:
    """The daily job: a registration not updated by its deadline is revoked (Art. 14, 未按期更新信息)."""
    reg = Registration.objects.get(pk=pk)
    return _revoke(None, reg, "lapse", wf.NOT_UPDATED, wf.REVOCATION_REASONS[wf.NOT_UPDATED], None)


def publicity_due() -> list[Evaluation]:
    """The evaluations whose publicity is over (to be registered)."""
    return [ev for ev in Evaluation.objects.filter(status=wf.PUBLICITY) if _publicity_over(None, ev) is None]


def daily() -> dict[str, Any]:
    """The day's automatic steps (idempotent), each item in its own transaction: publicity ends in registration,
    registrations not updated on time are revoked. An item that fails is reported and audited; the others run."""
    on = clock.today()
    errors: list[dict[str, str]] = []

    attempt = partial(daily_item, errors)
    registered = [
        ev.pk
        for ev in publicity_due()
        if attempt(
            "techsme_register", f"techsme_evaluation:{ev.pk}", partial(evaluation_transition, None, ev, "register")
        )
    ]
    lapsed = [
        pk
        for pk in registrations_overdue(on)
        if attempt("techsme_lapse", f"techsme_registration:{pk}", partial(registration_lapse, pk))
    ]
    return {"registered": registered, "lapsed": lapsed, "errors": errors}


# ------------------------------------------------------------------------------------------------------
# the platform feed (ADR 0011): registrations as certificate rows of kind tech_sme


def techsme_feed_write(actor: Any, directory: Path) -> list[str]:
    """Write the registrations into ``directory`` as the engine's certificate feed (techsme/feed.py)."""
    from gaoqi.web.techsme import feed

    return feed_files_write(actor, directory, feed.feed_files())
