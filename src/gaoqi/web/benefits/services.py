"""Writes of 免申即享 benefits, each one transaction, audited (``benefits.*``), refusals in Chinese.

- ``benefits_derive(snapshot)``: inside the snapshot switch, one INSERT … SELECT per automatic policy: every
  enterprise passing it gets a benefit for the period unless it already has one (unique enterprise × policy ×
  period); a later snapshot of the same period with another amount leaves a ``BenefitNote``, never a change.
- ``benefit_confirm`` / ``benefit_object``: the enterprise, within the window (10 working days after the notice,
  DEFAULT); ``benefits_mature``: after the window, not objected to → payable (the daily job);
  ``benefit_resolve`` / ``benefit_retry``: officials.
- ``benefit_account_reveal``: the unmasked account, audited; ``payment_list``: the paying department's rows
  (audited); ``payment_upload``: the outcome file matched record by record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gaoqi.engine import policy_mode
from gaoqi.web import roles
from gaoqi.web.audit.services import audit_record
from gaoqi.web.benefits import config
from gaoqi.web.benefits import workflow as wf
from gaoqi.web.benefits.models import Benefit, PaymentUpload
from gaoqi.web.benefits.selectors import PAYERS, benefit_get, mask_account, payable_for
from gaoqi.web.certification.workdays import add_workdays_provisional
from gaoqi.web.core import clock
from gaoqi.web.core.errors import Conflict, DomainError, Forbidden, NotFound
from gaoqi.web.core.locks import serialize
from gaoqi.web.core.sheets import sheet_rows
from gaoqi.web.core.workflow import transition
from gaoqi.web.intake.models import Snapshot

B, R, N = "benefits_benefit", "enterprises_policyresult", "benefits_benefitnote"
TEXT_MAX = 2000


def automatic_versions(as_of: dt.date) -> list[tuple[str, str, str]]:
    """(policy id, version id, period kind) of every policy whose version in force on ``as_of`` is 免申即享."""
    from gaoqi.web.policies.selectors import catalogue  # the catalogue the lists and the push read

    out = []
    for p in catalogue():
        v = p.version_at(as_of)
        if v is not None and v.benefit is not None and policy_mode(v).code == "MSJX":
            out.append((p.id, v.id, v.benefit.period))
    return out


def period_of(kind: str, as_of: dt.date) -> str:
    """The benefit's period: ``once`` for a one-off award, else the as-of year (DEFAULT)."""
    return "once" if kind == "once" else str(as_of.year)


def window_end(notified_on: dt.date) -> tuple[dt.date, bool]:
    """The last day of the window: the n-th working day after the notice day (which does not count)."""
    return add_workdays_provisional(notified_on, config.window_workdays())


def benefits_derive(snapshot: Snapshot) -> dict[str, int]:
    """Give every enterprise passing an automatic policy in ``snapshot`` its benefit, inside the caller's
    transaction (the snapshot switch). Idempotent: re-publishing, or a later snapshot of the same period, adds
    nothing; a different amount there becomes a note for officials (once per snapshot)."""
    if not connection.in_atomic_block:
        raise RuntimeError("benefits_derive belongs inside the publishing transaction")
    snap = Snapshot.objects.values("pk", "as_of", "ruleset_hash").get(pk=snapshot.pk)
    sid, as_of, rhash = snap["pk"], snap["as_of"], snap["ruleset_hash"] or ""
    results, results_params = _candidates(sid, as_of, rhash)
    today = clock.today()
    ends, provisional = window_end(today)
    now = timezone.now()
    counts = {"created": 0, "notes": 0}
    with connection.cursor() as cur:
        for policy_id, version_id, kind in automatic_versions(as_of):
            period = period_of(kind, as_of)
            cur.execute(
                f"INSERT INTO {B} (enterprise_id, policy_id, policy_version, period, amount, status, snapshot_id, "
                "as_of, result_id, ruleset_hash, notified_on, window_ends, window_provisional, bank_name, "
                "account_number, objection, resolution, payment_ref, fail_reason, created_at) "
                f"SELECT r.enterprise_id, r.policy_id, r.policy_version, %s, r.benefit_amount, %s, r.snapshot_id, "
                f"%s, r.id, %s, %s, %s, %s, '', '', '', '', '', '', %s FROM {R} r "
                f"WHERE {results} AND r.policy_id = %s AND r.policy_version = %s AND r.status = 'pass' "
                "AND r.benefit_amount IS NOT NULL AND r.benefit_amount >= 0 "
                f"AND NOT EXISTS (SELECT 1 FROM {B} b WHERE b.enterprise_id = r.enterprise_id "
                "AND b.policy_id = r.policy_id AND b.period = %s) "
                "ON CONFLICT (enterprise_id, policy_id, period) DO NOTHING",
                [
                    period,
                    wf.NOTIFIED,
                    as_of,
                    rhash,
                    today,
                    ends,
                    provisional,
                    now,
                    *results_params,
                    policy_id,
                    version_id,
                    period,
                ],
            )
            counts["created"] += max(cur.rowcount, 0)
            # a later snapshot of the same period computing another amount: a note, the benefit unchanged
            cur.execute(
                f"INSERT INTO {N} (benefit_id, snapshot_id, old_amount, new_amount, created_at) "
                f"SELECT b.id, r.snapshot_id, b.amount, r.benefit_amount, %s FROM {B} b JOIN {R} r "
                "ON r.enterprise_id = b.enterprise_id AND r.policy_id = b.policy_id "
                "WHERE r.snapshot_id = %s AND b.policy_id = %s AND b.period = %s AND r.status = 'pass' "
                "AND (b.snapshot_id IS NULL OR b.snapshot_id <> r.snapshot_id) "
                "AND r.benefit_amount IS NOT NULL AND r.benefit_amount <> b.amount "
                f"AND NOT EXISTS (SELECT 1 FROM {N} n WHERE n.benefit_id = b.id AND n.snapshot_id = r.snapshot_id)",
                [now, sid, policy_id, period],
            )
            counts["notes"] += max(cur.rowcount, 0)
    audit_record(None, "benefits.derive", target=f"snapshot:{sid}", detail=counts)
    return counts


def _candidates(sid: int, as_of: dt.date, rhash: str) -> tuple[str, list[Any]]:
    """The results that may give a benefit (``r``): the snapshot's (``versions_sql``); only those it wrote when it
    published the difference with the previous snapshot of the same rules and benefit year, whose passes were
    given theirs then (ADR 0042: the derivation costs what changed)."""
    from gaoqi.web.enterprises.models import versions_sql
    from gaoqi.web.push.services import previous_published

    every = versions_sql("r", sid, newest=True)  # in the switch: no later snapshot
    prev_pk = previous_published(sid)
    if prev_pk is None:
        return every
    this = Snapshot.objects.values("results_full").get(pk=sid)
    prev = Snapshot.objects.values("as_of", "ruleset_hash").get(pk=prev_pk)
    if this["results_full"] or prev["ruleset_hash"] != rhash or prev["as_of"].year != as_of.year:
        return every
    return "r.snapshot_id = %s", [sid]


# ------------------------------------------------------------------------------------------------------
# the enterprise: confirm or object within the window


def _mine(actor: Any, pk: int) -> Benefit:
    b = benefit_get(actor, pk)
    if b is None:
        raise NotFound("免申即享事项不存在或不属于您的企业")
    return b


def _in_window(_actor: Any, obj: Benefit) -> str | None:
    if clock.today() > obj.window_ends:
        return f"异议期已于{obj.window_ends:%Y年%m月%d日}届满，不能再确认账户或提出异议"
    return None


def _window_over(_actor: Any, obj: Benefit) -> str | None:
    if clock.today() <= obj.window_ends:
        return f"异议期至{obj.window_ends:%Y年%m月%d日}，尚未届满"
    return None


GUARDS = {"in_window": _in_window, "window_over": _window_over}

_ACCOUNT = re.compile(r"^\d{8,32}$")


@transaction.atomic
def benefit_confirm(actor: Any, pk: int, *, bank_name: str, account_number: str, seen: str | None = None) -> Benefit:
    """The enterprise confirms the account the benefit is paid into (stored; shown masked)."""
    if getattr(actor, "role", None) != roles.ENTERPRISE:
        raise Forbidden("只有企业本身可以确认收款账户")
    b = _mine(actor, pk)
    bank = str(bank_name or "").replace("\x00", "").strip()
    number = re.sub(r"[\s-]", "", str(account_number or "").replace("\x00", ""))
    if not bank:
        raise DomainError("请填写开户银行", fields={"bank_name": "必须填写"})
    if len(bank) > 100:
        raise DomainError("开户银行不能超过100字", fields={"bank_name": "最多100字"})
    if not _ACCOUNT.match(number):
        raise DomainError("银行账号须为8至32位数字", fields={"account_number": "须为8至32位数字"})

    def enter(obj: Benefit, _t: Any, _log: Any) -> list[str]:
        obj.bank_name, obj.account_number = bank, number
        return ["bank_name", "account_number"]

    moved = transition(
        wf.BENEFIT, Benefit, b.pk, "confirm", actor, seen=seen, guards=GUARDS, on_enter=enter,
        audit_target=f"benefit:{b.pk}", audit_detail={"account": mask_account(number), "bank": bank},
    )  # fmt: skip
    return moved.obj


@transaction.atomic
def benefit_object(actor: Any, pk: int, *, reason: str, seen: str | None = None) -> Benefit:
    """An objection (异议) with a reason: the payment stops until an official resolves it."""
    if getattr(actor, "role", None) != roles.ENTERPRISE:
        raise Forbidden("只有企业本身可以提出异议")
    b = _mine(actor, pk)
    text = str(reason or "").replace("\x00", "").strip()
    if not text:
        raise DomainError("请填写异议理由", fields={"reason": "必须填写"})
    if len(text) > TEXT_MAX:
        raise DomainError(f"异议理由不能超过{TEXT_MAX}字", fields={"reason": f"最多{TEXT_MAX}字"})

    def enter(obj: Benefit, _t: Any, _log: Any) -> list[str]:
        obj.objection = text
        return ["objection"]

    moved = transition(
        wf.BENEFIT, Benefit, b.pk, "object", actor, seen=seen, comment=text, guards=GUARDS, on_enter=enter,
        audit_target=f"benefit:{b.pk}",
    )  # fmt: skip
    return moved.obj


def benefits_mature(actor: Any = None) -> dict[str, int]:
    """After the window: every benefit notified or confirmed and not objected to becomes payable (the daily job;
    each one its own transaction, so one refusal stops nothing)."""
    today = clock.today()
    pks = list(
        Benefit.objects.filter(status__in=wf.OPEN, window_ends__lt=today).order_by("id").values_list("pk", flat=True)
    )
    done = 0
    for pk in pks:
        try:
            with transaction.atomic():
                transition(wf.BENEFIT, Benefit, pk, "mature", actor, guards=GUARDS, audit_target=f"benefit:{pk}")
            done += 1
        except DomainError:
            continue  # objected or changed meanwhile
    return {"payable": done, "checked": len(pks)}


# ------------------------------------------------------------------------------------------------------
# officials


def _official(actor: Any, pk: int) -> Benefit:
    if getattr(actor, "role", None) not in PAYERS:
        raise Forbidden("只有市、区主管部门可以处理免申即享事项")
    b = benefit_get(actor, pk)
    if b is None:
        raise NotFound("免申即享事项不存在或不在您的管辖范围内")
    return b


@transaction.atomic
def benefit_resolve(actor: Any, pk: int, *, decision: str, comment: str, seen: str | None = None) -> Benefit:
    """An official resolves an objection: ``pay`` (back to the payment list) or ``cancel``."""
    b = _official(actor, pk)
    action = {"pay": "resolve_pay", "cancel": "resolve_cancel"}.get(decision)
    if action is None:
        raise DomainError("请选择处理结果：予以兑付或撤销", fields={"decision": "请选择"})
    text = str(comment or "").replace("\x00", "").strip()[:TEXT_MAX]

    def enter(obj: Benefit, _t: Any, _log: Any) -> list[str]:
        obj.resolution = text
        return ["resolution"]

    moved = transition(
        wf.BENEFIT, Benefit, b.pk, action, actor, seen=seen, comment=text, on_enter=enter,
        audit_target=f"benefit:{b.pk}", audit_detail={"decision": decision, "comment": text},
    )  # fmt: skip
    return moved.obj


@transaction.atomic
def benefit_retry(actor: Any, pk: int, *, comment: str, seen: str | None = None) -> Benefit:
    """A failed payment back on the payment list (the account corrected, say)."""
    b = _official(actor, pk)
    text = str(comment or "").replace("\x00", "").strip()[:TEXT_MAX]
    moved = transition(
        wf.BENEFIT, Benefit, b.pk, "retry", actor, seen=seen, comment=text, audit_target=f"benefit:{b.pk}"
    )
    return moved.obj


@transaction.atomic
def benefit_account_reveal(actor: Any, pk: int, *, request: Any = None) -> dict[str, str]:
    """The unmasked account, for the roles that may reveal personal data; every reveal is audited."""
    if getattr(actor, "role", None) not in roles.MAY_REVEAL_PERSONAL:
        audit_record(actor, "benefits.account_reveal", target=f"benefit:{pk}", request=request, outcome="denied")
        raise Forbidden("您的角色无权查看完整银行账号")
    b = benefit_get(actor, pk)
    if b is None:
        raise NotFound("免申即享事项不存在或不在您的管辖范围内")
    audit_record(actor, "benefits.account_reveal", target=f"benefit:{b.pk}", request=request)
    return {"bank_name": b.bank_name, "account_number": b.account_number}


# ------------------------------------------------------------------------------------------------------
# the payment list and its outcome

LIST_HEADER = (
    "记录编号", "统一社会信用代码", "企业名称", "所属区县", "开户银行", "银行账号", "金额（万元）", "政策", "政策版本",
    "期间", "结果", "原因", "支付凭证号",
)  # fmt: skip
RECORD, AMOUNT, OUTCOME, REASON, REF = "记录编号", "金额（万元）", "结果", "原因", "支付凭证号"
OUTCOMES = {"已兑付": "pay", "兑付成功": "pay", "成功": "pay", "兑付失败": "fail", "失败": "fail"}
_RECORD = re.compile(r"^MS(\d{8,})$")


def payment_list(actor: Any, *, request: Any = None) -> Iterator[list[Any]]:
    """The payment list's rows (one per payable benefit the paying official sees, by record id), the account
    unmasked only for roles that may reveal; the download is audited with its count."""
    if getattr(actor, "role", None) not in PAYERS:
        raise Forbidden("只有市、区主管部门可以下载兑付清单")
    from gaoqi.web.core.labels import district
    from gaoqi.web.policies.selectors import policy_names

    names = policy_names()
    qs = list(payable_for(actor))
    unmask = actor.role in roles.MAY_REVEAL_PERSONAL
    audit_record(
        actor, "benefits.payment_list", target="benefits:payable", request=request,
        detail={"rows": len(qs), "unmasked": unmask},
    )  # fmt: skip
    for b in qs:
        e = b.enterprise
        yield [
            b.record_id, e.uscc, e.name, district(e.district_code), b.bank_name,
            b.account_number if unmask else mask_account(b.account_number), b.amount,
            names.get(b.policy_id, b.policy_id), b.policy_version, period_label(b.period), "", "", "",
        ]  # fmt: skip


def period_label(period: str) -> str:
    return "一次性" if period == "once" else f"{period}年度"


def read_rows(data: bytes) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """The header's columns (name → index) and the data rows (sheet row number, cells) of the first sheet."""
    rows = sheet_rows(data, max_bytes=config.upload_max_bytes())
    lines = list(enumerate(rows, start=1))
    lines = [(i, cells) for i, cells in lines if any(cells)]
    if not lines:
        raise DomainError("文件没有内容", fields={"file": "文件为空"})
    _, header = lines[0]
    columns = {name.lstrip("'"): j for j, name in enumerate(header) if name}
    missing = [c for c in (RECORD, AMOUNT, OUTCOME) if c not in columns]
    if missing:
        raise DomainError(f"表头缺少列：{'、'.join(missing)}（请使用下载的兑付清单填写）", fields={"file": "表头不符"})
    if len(lines) - 1 > config.upload_max_rows():
        raise DomainError(f"行数超过上限 {config.upload_max_rows()}", fields={"file": "行数过多"})
    return columns, lines[1:]


def _amount(text: str) -> Decimal | None:
    try:
        d = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


@transaction.atomic
def payment_upload(actor: Any, *, name: str, data: bytes, request: Any = None) -> PaymentUpload:
    """Apply a payment-outcome file record by record: a line with an unknown record id, a record id twice in
    the file, a record not payable (already paid, objected…), a changed amount, an unknown outcome, a failure
    without a reason or a payment without its reference is refused with the reason; the rest are applied, all
    in this one transaction. The same bytes uploaded again apply nothing (refused as already uploaded)."""
    if getattr(actor, "role", None) not in PAYERS:
        raise Forbidden("只有市、区主管部门可以上传兑付结果")
    serialize("benefits.payment_upload")
    sha = hashlib.sha256(data).hexdigest()
    earlier = PaymentUpload.objects.filter(sha256=sha).first()
    if earlier is not None:
        raise Conflict(
            f"该文件已于{timezone.localtime(earlier.uploaded_at):%Y年%m月%d日 %H:%M}上传过（上传记录 #{earlier.pk}），"
            "未重复登记任何结果",
            fields={"file": "重复上传"},
        )
    columns, lines = read_rows(data)
    today = clock.today()

    def at(cells: list[str], column: str) -> str:
        j = columns.get(column)
        return cells[j].lstrip("'") if j is not None and j < len(cells) else ""

    seen = Counter(at(cells, RECORD) for _, cells in lines)
    ids = {int(m.group(1)) for rid in seen if (m := _RECORD.match(rid))}
    from gaoqi.web.benefits.selectors import benefits_visible_to

    # every benefit the official sees, not only payable ones: an already paid record is refused as such, not unknown
    visible = {b.pk: b for b in benefits_visible_to(actor).filter(pk__in=ids)} if ids else {}
    try:
        upload = PaymentUpload.objects.create(
            sha256=sha, name=str(name or "")[:200], uploaded_by=actor,
            district_code=getattr(actor, "district_code", "") or "",
        )  # fmt: skip
    except IntegrityError:
        raise Conflict("该文件已上传过，未重复登记任何结果", fields={"file": "重复上传"}) from None
    report: list[dict[str, Any]] = []
    for line, cells in lines:
        rid, outcome_text = at(cells, RECORD), at(cells, OUTCOME)
        amount_text, reason, ref = at(cells, AMOUNT), at(cells, REASON)[:TEXT_MAX], at(cells, REF)[:64]
        entry: dict[str, Any] = {"line": line, "record_id": rid, "outcome": outcome_text, "amount": amount_text}
        refusal = _refusal(rid, seen, visible, outcome_text, amount_text, reason, ref)
        if refusal is None:
            b = visible[int(_RECORD.match(rid).group(1))]  # type: ignore[union-attr]
            action = OUTCOMES[outcome_text]

            def enter(obj: Benefit, _t: Any, _log: Any, action: str = action, reason: str = reason,
                      ref: str = ref, amount: Decimal = b.amount) -> list[str]:  # fmt: skip
                obj.payment_upload = upload
                obj.payment_ref = ref
                if action == "pay":
                    obj.paid_on, obj.paid_amount = today, amount
                    return ["payment_upload", "payment_ref", "paid_on", "paid_amount"]
                obj.fail_reason = reason
                return ["payment_upload", "payment_ref", "fail_reason"]

            try:
                with transaction.atomic():
                    transition(
                        wf.BENEFIT, Benefit, b.pk, action, actor, seen=wf.PAYABLE, comment=reason, on_enter=enter,
                        audit_target=f"benefit:{b.pk}",
                        audit_detail={"upload": upload.pk, "line": line, "reference": ref, "reason": reason},
                    )  # fmt: skip
            except DomainError as exc:
                refusal = exc.message
        entry["result"] = "refused" if refusal else "applied"
        entry["reason"] = refusal or ""
        report.append(entry)
    upload.rows = len(report)
    upload.applied = sum(1 for e in report if e["result"] == "applied")
    upload.refused = upload.rows - upload.applied
    upload.report = report
    upload.save(update_fields=["rows", "applied", "refused", "report"])
    audit_record(
        actor, "benefits.payment_upload", target=f"payment_upload:{upload.pk}", request=request,
        detail={"sha256": sha, "rows": upload.rows, "applied": upload.applied, "refused": upload.refused},
    )  # fmt: skip
    return upload


def _refusal(
    rid: str, seen: Counter[str], visible: dict[int, Benefit], outcome: str, amount_text: str, reason: str, ref: str
) -> str | None:
    m = _RECORD.match(rid)
    if not rid:
        return "缺少记录编号"
    if m is None:
        return "记录编号格式不正确（应为兑付清单中的记录编号）"
    if seen[rid] > 1:
        return f"记录编号在文件中出现 {seen[rid]} 次，均不处理"
    b = visible.get(int(m.group(1)))
    if b is None:
        return "记录编号不存在或不在您的管辖范围内"
    if outcome not in OUTCOMES:
        return "结果须为“已兑付”或“兑付失败”"
    if b.status == wf.PAID:
        return f"该记录已于{b.paid_on:%Y年%m月%d日}兑付，不重复兑付" if b.paid_on else "该记录已兑付，不重复兑付"
    if b.status != wf.PAYABLE:
        return f"该记录当前为“{wf.STATUS_LABELS[b.status]}”，不在兑付清单中"
    amount = _amount(amount_text)
    if amount is None:
        return "金额须为数字"
    if amount != b.amount:
        return f"金额与兑付清单不符（清单 {b.amount.normalize():f} 万元，文件 {amount.normalize():f} 万元）"
    if OUTCOMES[outcome] == "fail" and not reason:
        return "兑付失败须填写原因"
    if OUTCOMES[outcome] == "pay" and not ref:
        return "已兑付须填写支付凭证号"
    return None
